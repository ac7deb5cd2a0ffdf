"""Stage 5, sync: make the monday.com board mirror the order list, exactly once (issue #4).

    engine.py     ``run_sync``: lock, run record, reconcile, then groups → moves → items → subitems
    columns.py    the [monday] column mapping: roles, types, sources; checked before sending
    store.py      the database side: work to send, SENDING / SYNCED / FAILED, events, runs
    groups.py     group pass: registry first, board second, create_group once
    moves.py      move pass: items into their order's group when the season changed
    items.py      item pass: create / update changed columns / cancel; in-doubt lookups
    subitems.py   subitem pass: create / update / zero or delete, under the parent item
    reconcile.py  board lookups: items by identity, subitems by size, groups by title
    sender.py     budget-sized batches, SENDING before each request, per-alias outcomes
    budget.py     the complexity left this minute, and waiting for its reset
    lock.py       one writer per board
    preflight.py  the boards' columns checked against the mapping before the first write
    context.py    what the passes share; the dry-run sender that prints requests
    report.py     ``SyncReport``: what a run did


The names below load on first use: ``stop.py`` (signals end ``run`` too) must not pull
in the engine's HTTP and GraphQL libraries for a run that never syncs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ordersync.monday.connect import make_client
    from ordersync.sync.engine import Progress, SyncOptions, run_sync
    from ordersync.sync.report import SyncReport

__all__ = ["Progress", "SyncOptions", "SyncReport", "make_client", "run_sync"]

_EXPORTS = {"Progress": "ordersync.sync.engine", "SyncOptions": "ordersync.sync.engine",
            "make_client": "ordersync.monday.connect", "run_sync": "ordersync.sync.engine",
            "SyncReport": "ordersync.sync.report"}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'ordersync.sync' has no attribute {name!r}")
