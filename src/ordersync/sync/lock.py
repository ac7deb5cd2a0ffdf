"""One writer per board: a sync holds its board's lock for the whole run.

monday warns that concurrent mutations on one board can corrupt it, and two
ordersync processes syncing one board would race for the same records.  The lock
is ``ordersync.db.locks``' (an advisory lock on PostgreSQL, a ``flock`` beside a
SQLite file); a second sync of the same board stops at once with a clear message
instead of waiting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ordersync.db import Database
from ordersync.db.locks import exclusive
from ordersync.errors import FatalSyncError


def _busy(board_id: str) -> FatalSyncError:
    return FatalSyncError(f"another ordersync sync is writing to board {board_id} right now; "
                          "wait for it to finish (one writer per board keeps the board "
                          "consistent), then run again")


@contextlib.contextmanager
def board_lock(db: Database, board_id: str) -> Iterator[None]:
    """Hold the writer lock of ``board_id`` or raise ``FatalSyncError`` if it is taken."""
    with exclusive(db, f"sync-{board_id}", lambda: _busy(board_id)):
        yield
