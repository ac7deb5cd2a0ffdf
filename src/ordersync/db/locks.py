"""Locks between ordersync processes sharing one database: one ingest and merge at a time,
one sync per board.

Two runs at once (an hourly cron job overlapping itself) otherwise take each other's
half-loaded files for a crash's leftovers and throw their rows away: a changed workbook
was recorded as read while its rows were lost, and staging could be left holding a
file twice.  PostgreSQL: a session advisory lock on a connection of its own, held while
the work runs (other machines sharing the database see it).  SQLite: an exclusive
``flock`` on a file beside the database (one machine, as a SQLite file implies).  Both
end with the process, so a killed run leaves no lock behind.  A lock is taken without
waiting: the second process is told at once, with what holds it.

No SQLAlchemy here: a run that finds nothing to do takes the ingest lock too.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ordersync.db.database import Database
from ordersync.errors import OrderSyncError


@contextmanager
def exclusive(db: Database, name: str, busy: Callable[[], OrderSyncError]) -> Iterator[None]:
    """Hold the lock ``name`` of ``db`` while the block runs, or raise ``busy()`` at once
    if another process holds it."""
    if db.is_sqlite:
        database = db.sqlite_file
        if database is None:  # in memory: no other process can see it
            yield
            return
        try:
            fd = os.open(f"{database}.{name}.lock", os.O_CREAT | os.O_RDWR, 0o644)
        except OSError:  # no such folder, or not ours to write: nor is the database
            yield  # (it says why, naming its own path, as it is opened)
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise busy() from None
            yield
        finally:
            os.close(fd)  # closing releases the lock
        return
    key = {"n": f"ordersync:{db.schema or ''}:{name}"}
    with db.peek() as peek:  # its own connection, committing each statement
        if not peek.scalar("SELECT pg_try_advisory_lock(hashtext(:n))", key):
            raise busy()
        try:
            yield
        finally:
            peek.rows("SELECT pg_advisory_unlock(hashtext(:n))", key)

