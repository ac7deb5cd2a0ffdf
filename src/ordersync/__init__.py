"""ordersync: keep a monday.com board true to customers' Excel order lists.

Data flow, one module per stage::

    ingest/   workbooks → staging_orders, staging_lines, rejected_rows
    merge.py  staging → orders (NEW / CHANGED / UNCHANGED / CANCELLED / REMOVED)
    lines.py  changed orders' sizes → order_lines (CREATE / UPDATE / CANCEL / REMOVE)
    plan.py   what the next sync would send, and its cost
    sync/     the board mirrors the order list

``pipeline.py`` chains them (``run_all`` is what ``ordersync run`` does);
``listings/`` and ``report/`` show what happened; ``cli.py`` is the
``ordersync`` command.  The names below are the documented API; each is
imported on first use, so ``import ordersync`` (and ``ordersync --help``) stays
fast::

    from ordersync import load_config, open_database, run_all
    config = load_config("ordersync.toml")
    result = run_all(config, open_database(config))   # result.exit_code, result.sync …
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Config": "ordersync.config", "load_config": "ordersync.config",
    "Database": "ordersync.db", "OrderSyncError": "ordersync.errors",
    "open_database": "ordersync.db", "run_merge": "ordersync.pipeline",
    "run_pipeline": "ordersync.pipeline", "run_ingest": "ordersync.pipeline",
    "run_all": "ordersync.pipeline", "sync_board": "ordersync.pipeline",
    "RunResult": "ordersync.pipeline",
    "run_sync": "ordersync.sync", "SyncOptions": "ordersync.sync",
    "SyncReport": "ordersync.sync",
    "plan_sync": "ordersync.plan", "read_status": "ordersync.status",
    "list_rejects": "ordersync.listings.rejects", "list_failures": "ordersync.listings.failures",
    "list_runs": "ordersync.listings.runs", "write_report": "ordersync.report",
}

__all__ = [
    "Config", "Database", "OrderSyncError", "RunResult", "SyncOptions", "SyncReport",
    "list_failures", "list_rejects", "list_runs", "load_config", "open_database", "plan_sync",
    "read_status", "run_all", "run_ingest", "run_merge", "run_pipeline", "run_sync",
    "sync_board", "write_report",
]

if TYPE_CHECKING:
    from ordersync.config import Config, load_config
    from ordersync.db import Database, open_database
    from ordersync.errors import OrderSyncError
    from ordersync.listings.failures import list_failures
    from ordersync.listings.rejects import list_rejects
    from ordersync.listings.runs import list_runs
    from ordersync.pipeline import (
        RunResult,
        run_all,
        run_ingest,
        run_merge,
        run_pipeline,
        sync_board,
    )
    from ordersync.plan import plan_sync
    from ordersync.report import write_report
    from ordersync.status import read_status
    from ordersync.sync import SyncOptions, SyncReport, run_sync


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ordersync' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
