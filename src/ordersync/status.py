"""What the database holds: counts of files, staged and rejected rows, orders and lines
(and, once orders are routed to boards, the orders and lines on each board).

Read-only.  :func:`read_status` returns the JSON shape ``ordersync status
--json`` prints; on a database ordersync has never written it returns zeros.
It reads through a peek (the driver alone), so ``status`` answers at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ordersync.db import Database
from ordersync.db.peek import Peek
from ordersync.states import FileStatus, SyncState

FAILED_EXAMPLES = 10
"""FAILED orders and lines listed (with their reasons) by ``ordersync status``."""

_SYNC_RUN_FIELDS = ("id", "board_id", "status", "started_at", "finished_at", "requests",
                    "complexity", "succeeded", "failed", "error")


def read_status(db: Database) -> dict[str, Any]:
    """Counts straight from the tables (nothing cached, nothing estimated)."""
    status: dict[str, Any] = {
        "database": db.display_url,
        "schema": db.schema if not db.is_sqlite else None,
        "files": {"total": 0, "failed": 0, "by_status": {}, "failed_files": []},
        "staged_rows": 0,
        "rejected_rows": 0,
        "rejections": 0,
        "orders": {"total": 0, "by_state": {}, "by_action": {}, "by_change": {}},
        "lines": {"total": 0, "by_state": {}, "by_action": {}},
        "last_verify": None,
        "failed": {"orders": 0, "lines": 0, "examples": []},
        "last_sync": None,
        "boards": [],
        "created": True,
    }
    # The order lines are the biggest count by far (PostgreSQL scans them: 40–60 ms at
    # 300,000 lines); they are counted on a connection of their own while the rest is read.
    with ThreadPoolExecutor(max_workers=1) as pool, db.peek() as peek:
        if not peek.has_table(db.tables.orders):
            status["created"] = peek.has_table(db.tables.ingest_files)
            if not status["created"]:
                status.update(tables_elsewhere(db))
            return status
        lines = pool.submit(_lines_by_state, db)

        def table(role: str) -> str:
            return _table(db, role)

        def grouped(role: str, *columns: str) -> list[dict[str, int]]:
            return _grouped(db, peek, role, *columns)

        def count(role: str) -> int:
            return int(peek.scalar(f"SELECT COUNT(*) FROM {table(role)}"))

        (files,) = grouped("ingest_files", "status")
        failed_files = files.get(FileStatus.FAILED.value, 0)
        status["files"] = {"total": sum(files.values()), "failed": failed_files,
                           "by_status": files, "failed_files": [
                               {"path": path, "error": error} for path, error in peek.rows(
                                   db.sql("status_failed_files"),
                                   {"failed": FileStatus.FAILED.value,
                                    "limit": FAILED_EXAMPLES})] if failed_files else []}
        status["staged_rows"] = count("staging_orders")
        # A rejected row has one record per refused cell; count rows, and records apart.
        status["rejected_rows"] = int(peek.scalar(
            f'SELECT COUNT(*) FROM (SELECT DISTINCT file_id, sheet, "row" '
            f"FROM {table('rejected_rows')}) r"))
        status["rejections"] = count("rejected_rows")
        states, actions, changes = grouped("orders", "sync_state", "sync_action",
                                           "change_kind")
        status["orders"] = {"total": sum(states.values()), "by_state": states,
                            "by_action": actions, "by_change": changes}
        states, actions = lines.result()
        status["lines"] = {"total": sum(states.values()), "by_state": states,
                           "by_action": actions}
        if peek.has_table(db.tables.sync_runs):
            runs = peek.rows(f"SELECT {', '.join(_SYNC_RUN_FIELDS)} FROM {table('sync_runs')} "
                             "ORDER BY id DESC LIMIT 1")
            if runs:
                status["last_sync"] = {
                    key: (str(value) if key.endswith("_at") and value is not None else value)
                    for key, value in zip(_SYNC_RUN_FIELDS, runs[0], strict=True)}
        failed = (status["orders"]["by_state"].get(SyncState.FAILED.value, 0),
                  status["lines"]["by_state"].get(SyncState.FAILED.value, 0))
        examples = peek.rows(db.sql("sync_failed").replace("\\:", ":"),
                             {"failed": SyncState.FAILED.value, "limit": FAILED_EXAMPLES}
                             ) if any(failed) else []
        status["failed"] = {"orders": failed[0], "lines": failed[1], "examples": [
            {"order": item, "size": size, "error": error} for item, size, error in examples]}
        status["last_verify"] = _last_verify(db, peek)
        # Routed: what each board holds.  Only routing gives an order a board, always one of
        # the registry's: an empty registry spares the count over every line.
        if peek.has_table(db.tables.monday_boards) and peek.rows(
                f"SELECT 1 FROM {table('monday_boards')} LIMIT 1"):
            status["boards"] = [
                {"board_id": board_id, "name": name, "route": route, "orders": int(orders),
                 "lines": int(lines)}
                for board_id, name, route, orders, lines in peek.rows(db.sql("status_boards"))]
    return status


def tables_elsewhere(db: Database) -> dict[str, Any]:
    """For a database without ordersync's tables: whether the configured PostgreSQL schema
    exists, and the other schemas that hold ordersync's tables (a mistyped schema, as a
    rule: the URL is right)."""
    return {"schema_exists": db.schema_exists(), "other_schemas": db.schemas_with_tables()}


def has_tables(db: Database) -> bool:
    """Whether ordersync has written its tables in this database (and schema) yet: the
    commands that only read say so when it has not, rather than list nothing as if all
    were well (a mistyped URL or schema)."""
    with db.peek() as peek:
        return peek.has_table(db.tables.orders) or peek.has_table(db.tables.ingest_files)


def _table(db: Database, role: str) -> str:
    """The quoted name of one of ordersync's tables, by its role (``order_lines`` …)."""
    return db.quote_raw(getattr(db.tables, role))


def _grouped(db: Database, peek: Peek, role: str, *columns: str) -> list[dict[str, int]]:
    """Counts by each column's values, from one pass over the table (on SQLite over its
    state index, which holds these columns: no row is read, nothing is sorted)."""
    listed = ", ".join(columns)
    counts: list[dict[str, int]] = [{} for _ in columns]
    for *values, n in peek.rows(f"SELECT {listed}, COUNT(*) FROM {_table(db, role)} "
                                f"GROUP BY {listed}"):
        for found, value in zip(counts, values, strict=True):
            key = str(value) if value is not None else "none"
            found[key] = found.get(key, 0) + int(n)
    return [dict(sorted(found.items())) for found in counts]


def _lines_by_state(db: Database) -> list[dict[str, int]]:
    with db.peek() as peek:
        return _grouped(db, peek, "order_lines", "sync_state", "sync_action")


def _last_verify(db: Database, peek: Peek) -> dict[str, Any] | None:
    """The last ``ordersync verify`` result (its ``verify_runs`` row), shown first by
    ``status``; None before the first verify (or with an ordersync that has none)."""
    table = getattr(db.tables, "verify_runs", None)
    if table is None or not peek.has_table(table):
        return None
    columns = peek.columns(table)
    last_of = f"(SELECT {{}} FROM {db.quote_raw(table)} ORDER BY id DESC LIMIT 1)"
    rows = peek.rows(f"SELECT {', '.join(db.quote_raw(c) for c in columns)} "
                     f"FROM {db.quote_raw(table)} WHERE started_at = "
                     f"{last_of.format('started_at')} AND repaired = "
                     f"{last_of.format('repaired')} ORDER BY id DESC")
    if not rows:
        return None
    passes = [dict(zip(columns, row, strict=True)) for row in rows]
    last = {key: (str(value) if key.endswith("_at") and value is not None else value)
            for key, value in passes[0].items()}
    if len(passes) > 1:  # routed boards: one row per board of the pass, shown as one
        passes.reverse()
        last["board_id"] = ", ".join(str(r["board_id"]) for r in passes)
        last["status"] = "equal" if all(r["status"] == "equal" for r in passes) else "differs"
        for key in ("differences", "orders", "items_read", "subitems_read", "requests"):
            last[key] = sum(int(r.get(key) or 0) for r in passes)
    return last
