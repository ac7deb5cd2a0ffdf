"""Stage 2, merge: staged rows → the canonical ``orders`` list, with change detection.

Entry point :func:`merge_orders`, run inside the caller's transaction.  Set-based
SQL throughout (``db/sql/merge_*.sql``):

1. rank staged rows within their business key — with the stored orders of files not
   read again, at the place they were read from; the winner is the last row by
   (file path, sheet, row) — or the first, per ``merge.duplicates`` — and every
   loser becomes a ``duplicate key`` reject naming the row that was kept; a rejected row
   holding the key keeps its place, and when the rule picks it no row wins (the order
   keeps what it had);
2. record the winners that are new or differ from the stored order (row hash,
   cancellation, group or item name) in ``merge_changes`` and classify them
   NEW / CHANGED / CANCELLED;
3. insert the new orders (``record_uuid`` is generated once and kept forever) and
   update the changed ones; they become PENDING with CREATE / UPDATE / CANCEL;
4. unchanged orders found at a new row or file are followed (no content write);
5. orders missing from a re-read source file are flagged REMOVED, never deleted; so are
   the orders of a file gone from the folder when ``sources.missing_files = "remove"``.

:func:`release_staging` ends a merge once the lines stage has read the staging.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ordersync.config import Config
from ordersync.db import Database
from ordersync.states import ChangeKind, FileStatus, data_changed_states

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class MergeReport:
    """What a merge found, by change kind."""

    files: int = 0
    rows: int = 0  # staged rows considered
    duplicates: int = 0  # rows rejected as duplicate keys
    displaced: int = 0  # of them, rows of stored orders a new row took over (not read again)
    new: int = 0
    changed: int = 0
    cancelled: int = 0
    unchanged: int = 0
    removed: int = 0

    def by_kind(self) -> dict[str, int]:
        return {ChangeKind.NEW: self.new, ChangeKind.CHANGED: self.changed,
                ChangeKind.CANCELLED: self.cancelled, ChangeKind.UNCHANGED: self.unchanged,
                ChangeKind.REMOVED: self.removed}


def merge_orders(config: Config, db: Database, conn: Connection) -> MergeReport:
    """Merge every staged file into ``orders``; see the module docstring."""
    from ordersync.db.schema import registered_columns  # SQLAlchemy: only when merging

    staged = {"staged": FileStatus.STAGED.value}
    files = db.scalar(conn, f"SELECT COUNT(*) FROM {db.table('ingest_files')} "
                            "WHERE status = :staged", staged)
    db.truncate(conn, "merge_changes")
    gone = 0
    if config.sources.missing_files == "remove":
        gone = db.execute(conn, db.sql("merge_missing"),
                          {"missing": FileStatus.MISSING.value}).rowcount
    if not files:
        return MergeReport(removed=gone)
    direction = "DESC" if config.merge.duplicates == "last" else "ASC"
    db.execute(conn, db.sql("merge_winners", direction=direction),
               {**staged, "merged": FileStatus.MERGED.value})
    conn.exec_driver_sql("CREATE INDEX _winners_row ON _winners (_file_id, _row)")
    conn.exec_driver_sql("CREATE INDEX _winners_key ON _winners (_key, rank)")
    db.analyze(conn, "_winners")
    rows = db.scalar(conn, "SELECT COUNT(*) FROM _winners WHERE _stored = 0")
    staged_losers = db.scalar(conn, "SELECT COUNT(*) FROM _winners WHERE rank > 1 AND _stored = 0")

    rule = f"merge.duplicates = {config.merge.duplicates}: the {config.merge.duplicates} row wins"
    duplicates = db.execute(conn, db.sql("merge_duplicates"), {"rule": rule}).rowcount
    if duplicates:
        db.execute(
            conn,
            f"UPDATE {db.table('ingest_files')} SET rows_staged = rows_staged - d.n, "
            "rows_rejected = rows_rejected + d.n FROM (SELECT _file_id, COUNT(*) AS n "
            "FROM _winners WHERE rank > 1 AND _stored < 2 GROUP BY _file_id) d "
            f"WHERE {db.table('ingest_files')}.id = d._file_id")

    db.execute(conn, db.sql("merge_changes"))
    db.analyze(conn, db.table("merge_changes"))
    kinds: dict[str, int] = {
        str(row.kind): int(row.n) for row in db.rows(
            conn, f"SELECT kind, COUNT(*) AS n FROM {db.table('merge_changes')} GROUP BY kind")}
    columns = [db.quote(c.name) for c in registered_columns(db, conn)]
    states = data_changed_states()
    stored = db.scalar(conn, f"SELECT 1 FROM {db.table('orders')} LIMIT 1") is not None
    # New orders: a plain INSERT (no conflict handling: measured much cheaper than an
    # upsert on a first load); changed orders: an UPDATE of the columns from staging.
    db.execute(conn, db.sql(
        "merge_insert", insert_columns="".join(f", {c}" for c in columns),
        select_columns="".join(f", s.{c}" for c in columns)), states)
    removed = 0
    if stored:  # on a first load no order can have moved, changed or gone
        db.execute(conn, db.sql(
            "merge_update", update_columns="".join(f", {c} = s.{c}" for c in columns)), states)
        db.execute(conn, db.sql("merge_touch"))
        removed = db.execute(conn, db.sql("merge_removed"), staged).rowcount
    conn.exec_driver_sql("DROP TABLE _winners")
    changed_total = sum(kinds.values())
    return MergeReport(
        files=files, rows=rows, duplicates=duplicates, displaced=duplicates - staged_losers,
        new=kinds.get(ChangeKind.NEW.value, 0), changed=kinds.get(ChangeKind.CHANGED.value, 0),
        cancelled=kinds.get(ChangeKind.CANCELLED.value, 0),
        unchanged=rows - staged_losers - changed_total, removed=removed + gone,
    )


def release_staging(db: Database, conn: Connection) -> None:
    """Clear the merged files' staged rows and lines; mark the files merged."""
    staged = {"staged": FileStatus.STAGED.value, "merged": FileStatus.MERGED.value}
    roles = ("staging_lines", "staging_orders")
    # When no file is recorded as loading, every staged row was just merged and the tables
    # can be emptied outright (on PostgreSQL a tenth of the DELETE's time after a first
    # load).  On SQLite this transaction holds the write lock, so no ingest can be half-way
    # through loading; on PostgreSQL an ingest in another process may be, so the tables
    # are first locked against it (not waited for: if anyone holds them, the merged files'
    # rows are deleted instead), and a file it marked loading before is seen below.
    whole = db.lock_nowait(conn, roles) and not db.scalar(
        conn, f"SELECT COUNT(*) FROM {db.table('ingest_files')} WHERE status = :loading",
        {"loading": FileStatus.LOADING.value})
    for role in roles:
        if whole:
            db.truncate(conn, role)
            continue
        db.execute(
            conn,
            f"DELETE FROM {db.table(role)} WHERE _file_id IN "
            f"(SELECT id FROM {db.table('ingest_files')} WHERE status = :staged)", staged)
    db.execute(conn, f"UPDATE {db.table('ingest_files')} SET status = :merged, "
                     "merged_at = CURRENT_TIMESTAMP WHERE status = :staged", staged)
