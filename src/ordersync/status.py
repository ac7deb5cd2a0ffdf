"""What the database holds: counts of files, staged and rejected rows, orders and lines.

Read-only.  :func:`read_status` returns the JSON shape ``ordersync status
--json`` prints; on a database ordersync has never written it returns zeros.
It reads through a peek (the driver alone), so ``status`` answers at once.
"""

from __future__ import annotations

from typing import Any

from ordersync.db import Database
from ordersync.states import FileStatus

_SYNC_RUN_FIELDS = ("id", "board_id", "status", "started_at", "finished_at", "requests",
                    "complexity", "succeeded", "failed", "error")


def read_status(db: Database) -> dict[str, Any]:
    """Counts straight from the tables (nothing cached, nothing estimated)."""
    status: dict[str, Any] = {
        "database": db.display_url,
        "files": {"total": 0, "failed": 0, "by_status": {}},
        "staged_rows": 0,
        "rejected_rows": 0,
        "rejections": 0,
        "orders": {"total": 0, "by_state": {}, "by_action": {}, "by_change": {}},
        "lines": {"total": 0, "by_state": {}, "by_action": {}},
        "last_sync": None,
    }
    with db.peek() as peek:
        if not peek.has_table(db.tables.orders):
            return status

        def table(role: str) -> str:
            return db.quote_raw(getattr(db.tables, role))

        def grouped(role: str, *columns: str) -> list[dict[str, int]]:
            """Counts by each of ``columns``, from one scan of the table."""
            listed = ", ".join(columns)
            rows = peek.rows(f"SELECT {listed}, COUNT(*) FROM {table(role)} GROUP BY {listed}")
            counts: list[dict[str, int]] = [{} for _ in columns]
            for *values, n in rows:
                for by, value in zip(counts, values, strict=True):
                    key = str(value) if value is not None else "none"
                    by[key] = by.get(key, 0) + int(n)
            return [dict(sorted(by.items())) for by in counts]

        def count(role: str) -> int:
            return int(peek.scalar(f"SELECT COUNT(*) FROM {table(role)}"))

        (files,) = grouped("ingest_files", "status")
        status["files"] = {"total": sum(files.values()),
                           "failed": files.get(FileStatus.FAILED.value, 0), "by_status": files}
        status["staged_rows"] = count("staging_orders")
        # A rejected row has one record per refused cell; count rows, and records apart.
        status["rejected_rows"] = int(peek.scalar(
            f'SELECT COUNT(*) FROM (SELECT DISTINCT file_id, sheet, "row" '
            f"FROM {table('rejected_rows')}) r"))
        status["rejections"] = count("rejected_rows")
        states, actions, changes = grouped("orders", "sync_state", "sync_action", "change_kind")
        status["orders"] = {"total": sum(states.values()), "by_state": states,
                            "by_action": actions, "by_change": changes}
        states, actions = grouped("order_lines", "sync_state", "sync_action")
        status["lines"] = {"total": sum(states.values()), "by_state": states,
                           "by_action": actions}
        if peek.has_table(db.tables.sync_runs):
            runs = peek.rows(f"SELECT {', '.join(_SYNC_RUN_FIELDS)} FROM {table('sync_runs')} "
                             "ORDER BY id DESC LIMIT 1")
            if runs:
                status["last_sync"] = {
                    key: (str(value) if key.endswith("_at") and value is not None else value)
                    for key, value in zip(_SYNC_RUN_FIELDS, runs[0], strict=True)}
    return status
