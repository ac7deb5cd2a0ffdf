"""ordersync: keep a monday.com board true to customers' Excel order lists.

Data flow, one module per stage::

    ingest/   workbooks → staging_orders, staging_lines, rejected_rows
    merge.py  staging → orders (NEW / CHANGED / UNCHANGED / CANCELLED / REMOVED)
    lines.py  changed orders' sizes → order_lines (CREATE / UPDATE / CANCEL / REMOVE)

``pipeline.py`` chains them; ``cli.py`` is the ``ordersync`` command.  The names
below are loaded on first use, so importing any part of ordersync (the command
above all) costs only what that part needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ordersync.config import Config, load_config
    from ordersync.db import Database
    from ordersync.errors import OrderSyncError
    from ordersync.pipeline import open_database, run_merge, run_pipeline

_EXPORTS = {"Config": "ordersync.config", "load_config": "ordersync.config",
            "Database": "ordersync.db", "OrderSyncError": "ordersync.errors",
            "open_database": "ordersync.pipeline", "run_merge": "ordersync.pipeline",
            "run_pipeline": "ordersync.pipeline"}

__all__ = ["Config", "Database", "OrderSyncError", "load_config", "open_database", "run_merge",
           "run_pipeline"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ordersync' has no attribute {name!r}")
