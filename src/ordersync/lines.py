"""Stage 3, lines: the size quantities of changed orders → ``order_lines``, diffed.

Entry point :func:`derive_lines`, run in the merge's transaction.  The unpivot
itself happened at ingest, in polars (columnar: 50k orders × 245 sizes in well
under a second, where SQL unpivots take seconds); here the staged lines of the
orders in ``merge_changes`` are compared with the stored lines, set-based (the
lines of orders new in this merge are simply inserted):

- a size not stored yet → CREATE (CANCEL for a cancelled order);
- a stored size whose quantity changed → UPDATE (CREATE if it never reached the board);
- a cancelled order's lines → CANCEL with target qty 0;
- a size that vanished → REMOVE with qty 0, or deleted outright if it never
  reached the board;
- everything else is not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ordersync.db import Database
from ordersync.states import data_changed_states

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class LinesReport:
    """What the lines diff wrote."""

    created: int = 0
    updated: int = 0
    removed: int = 0  # zeroed with REMOVE
    dropped: int = 0  # deleted: never sent

    @property
    def written(self) -> int:
        return self.created + self.updated + self.removed + self.dropped


def derive_lines(db: Database, conn: Connection) -> LinesReport:
    """Diff the changed orders' lines; see the module docstring."""
    if not db.scalar(conn, f"SELECT COUNT(*) FROM {db.table('merge_changes')}"):
        return LinesReport()
    states = data_changed_states()
    created = db.execute(conn, db.sql("lines_insert_new"), states).rowcount
    if not db.scalar(conn, f"SELECT COUNT(*) FROM {db.table('merge_changes')} "
                           "WHERE record_uuid IS NOT NULL"):
        return LinesReport(created=created)  # only new orders (a first load above all)
    db.execute(conn, db.sql("lines_target"))
    conn.exec_driver_sql("CREATE UNIQUE INDEX _target_pk ON _target (record_uuid, size_code)")
    db.analyze(conn, "_target")
    created += db.execute(conn, db.sql("lines_insert"), states).rowcount
    updated = db.execute(conn, db.sql("lines_update"), states).rowcount
    dropped = db.execute(conn, db.sql("lines_delete_unsent"), states).rowcount
    removed = db.execute(conn, db.sql("lines_remove"), states).rowcount
    conn.exec_driver_sql("DROP TABLE _target")
    return LinesReport(created=created, updated=updated, removed=removed, dropped=dropped)
