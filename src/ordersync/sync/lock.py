"""One writer per board: a sync holds its board's lock for the whole run.

monday warns that concurrent mutations on one board can corrupt it, and two
ordersync processes syncing one board would race for the same records.
PostgreSQL: a session advisory lock on a connection held for the run (other
machines sharing the database see it).  SQLite: an exclusive ``flock`` on a file
beside the database (one machine, as the SQLite file already implies).  A second
sync of the same board stops at once with a clear message instead of waiting.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ordersync.db import Database
from ordersync.errors import FatalSyncError


def _busy(board_id: str) -> FatalSyncError:
    return FatalSyncError(f"another ordersync sync is writing to board {board_id} right now; "
                          "wait for it to finish (one writer per board keeps the board "
                          "consistent), then run again")


@contextlib.contextmanager
def board_lock(db: Database, board_id: str) -> Iterator[None]:
    """Hold the writer lock of ``board_id`` or raise ``FatalSyncError`` if it is taken."""
    if db.is_sqlite:
        database = make_url(db.url).database
        if not database or database == ":memory:":
            yield
            return
        path = Path(f"{database}.sync-{board_id}.lock")
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _busy(board_id) from None
            yield
        finally:
            os.close(fd)  # closing releases the lock
        return
    name = f"ordersync:{db.schema or ''}:sync:{board_id}"
    with db.engine.connect() as conn:
        taken = conn.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:n))"),
                             {"n": name}).scalar_one()
        conn.commit()
        if not taken:
            raise _busy(board_id)
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": name})
            conn.commit()
