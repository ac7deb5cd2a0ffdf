"""ordersync: keep a monday.com board true to customers' Excel order lists.

Data flow, one module per stage::

    ingest/   workbooks → staging_orders, staging_lines, rejected_rows
    merge.py  staging → orders (NEW / CHANGED / UNCHANGED / CANCELLED / REMOVED)
    lines.py  changed orders' sizes → order_lines (CREATE / UPDATE / CANCEL / REMOVE)

``pipeline.py`` chains them; ``cli.py`` is the ``ordersync`` command.
"""

from __future__ import annotations

from ordersync.config import Config, load_config
from ordersync.db import Database
from ordersync.errors import OrderSyncError
from ordersync.pipeline import open_database, run_merge, run_pipeline

__all__ = ["Config", "Database", "OrderSyncError", "load_config", "open_database", "run_merge",
           "run_pipeline"]
