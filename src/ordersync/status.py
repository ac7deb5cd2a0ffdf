"""What the database holds: counts of files, staged and rejected rows, orders and lines
(and, once orders are routed to boards, the orders and lines on each board).

Read-only.  :func:`read_status` returns the JSON shape ``ordersync status
--json`` prints; on a database ordersync has never written it returns zeros.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ordersync.db import Database
from ordersync.states import FileStatus
from ordersync.sync.store import failed_records

FAILED_EXAMPLES = 10
"""FAILED orders and lines listed (with their reasons) by ``ordersync status``."""


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
        "last_verify": None,
        "failed": {"orders": 0, "lines": 0, "examples": []},
        "last_sync": None,
        "boards": [],
    }
    if not db.has_table("orders"):
        return status
    with db.begin() as conn:
        def grouped(role: str, column: str) -> dict[str, int]:
            rows = conn.execute(sa.text(
                f"SELECT {column}, COUNT(*) FROM {db.table(role)} GROUP BY {column} "
                f"ORDER BY {column}")).all()
            return {str(k) if k is not None else "none": int(n) for k, n in rows}

        def count(role: str) -> int:
            return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {db.table(role)}")).scalar_one())

        files = grouped("ingest_files", "status")
        status["files"] = {"total": sum(files.values()),
                           "failed": files.get(FileStatus.FAILED.value, 0), "by_status": files}
        status["staged_rows"] = count("staging_orders")
        # A rejected row has one record per refused cell; count rows, and records apart.
        status["rejected_rows"] = int(conn.execute(sa.text(
            f'SELECT COUNT(*) FROM (SELECT DISTINCT file_id, sheet, "row" '
            f"FROM {db.table('rejected_rows')}) r")).scalar_one())
        status["rejections"] = count("rejected_rows")
        status["orders"] = {"total": count("orders"), "by_state": grouped("orders", "sync_state"),
                            "by_action": grouped("orders", "sync_action"),
                            "by_change": grouped("orders", "change_kind")}
        status["lines"] = {"total": count("order_lines"),
                           "by_state": grouped("order_lines", "sync_state"),
                           "by_action": grouped("order_lines", "sync_action")}
    if db.has_table("monday_boards"):  # routed: what each board holds
        with db.begin() as conn:
            status["boards"] = [
                {"board_id": r.board_id, "name": r.board_name, "route": r.route,
                 "orders": int(r.orders), "lines": int(r.lines)}
                for r in conn.execute(sa.text(db.sql("status_boards"))).all()]
    failed = failed_records(db, examples=FAILED_EXAMPLES)
    status["failed"] = {"orders": failed.orders, "lines": failed.lines, "examples": [
        {"order": item, "size": size, "error": error} for item, size, error in failed.examples]}
    status["last_verify"] = last_verify(db)
    if db.has_table("sync_runs"):
        with db.begin() as conn:
            run = conn.execute(sa.text(
                f"SELECT id, board_id, status, started_at, finished_at, requests, complexity, "
                f"succeeded, failed, error FROM {db.table('sync_runs')} "
                "ORDER BY id DESC LIMIT 1")).first()
        if run is not None:
            status["last_sync"] = {key: (str(value) if key.endswith("_at") and value is not None
                                         else value) for key, value in run._mapping.items()}
    return status


def last_verify(db: Database) -> dict[str, Any] | None:
    """The last ``ordersync verify`` result (its ``verify_runs`` row), shown first by
    ``status``; None before the first verify (or with an ordersync that has none)."""
    if getattr(db.tables, "verify_runs", None) is None or not db.has_table("verify_runs"):
        return None
    with db.begin() as conn:
        row = conn.execute(sa.text(f"SELECT * FROM {db.table('verify_runs')} "
                                   "ORDER BY id DESC LIMIT 1")).first()
        rows = [] if row is None else conn.execute(sa.text(
            f"SELECT * FROM {db.table('verify_runs')} WHERE started_at = :s AND repaired = :r "
            "ORDER BY id"), {"s": row.started_at, "r": row.repaired}).all()
    if row is None:
        return None
    last = {key: (str(value) if key.endswith("_at") and value is not None else value)
            for key, value in row._mapping.items()}
    if len(rows) > 1:  # routed boards: one row per board of the pass, shown as one
        last["board_id"] = ", ".join(str(r.board_id) for r in rows)
        last["status"] = "equal" if all(r.status == "equal" for r in rows) else "differs"
        for key in ("differences", "orders", "items_read", "subitems_read", "requests"):
            last[key] = sum(int(getattr(r, key) or 0) for r in rows)
    return last
