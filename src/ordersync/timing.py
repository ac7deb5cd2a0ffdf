"""Where a run's time goes: wall seconds per step, as ``ordersync run --json`` reports them.

The steps, in the order a run meets them:

- ``scan``: find the files, hash their bytes, look up what the last ingest saw;
- ``read``: parse the sheets (on ``sources.threads`` threads) and find their headers;
- ``type``: clean and type every cell, build rejects, business keys and names;
- ``unpivot``: size columns → one line per order and size;
- ``hash``: the row hashes;
- ``load``: bulk loads into staging (and the schema changes new columns need);
- ``merge``: staging → ``orders``;  ``lines``: the ``order_lines`` diff;
- ``commit``: the index builds of a first load (PostgreSQL), statistics and the commit
  of the merge transaction.

Nothing is recorded outside a :func:`recording` block, so the library pays
nothing for this when it is not asked.  Only the thread that opened the block
records: work in worker threads is timed by the wait for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class _Recorder:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.mark = time.perf_counter()

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


_active: ContextVar[_Recorder | None] = ContextVar("ordersync_timing", default=None)


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Record the steps run inside the block into the dict it yields (step → seconds)."""
    recorder = _Recorder()
    token = _active.set(recorder)
    try:
        yield recorder.seconds
    finally:
        _active.reset(token)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Time the block as (part of) step ``name``."""
    recorder = _active.get()
    if recorder is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        recorder.mark = time.perf_counter()
        recorder.add(name, recorder.mark - started)


def lap(name: str) -> None:
    """Count the time since the last step or lap ended as (part of) step ``name``.

    For code that runs as a sequence of phases, without an indented block per phase.
    """
    recorder = _active.get()
    if recorder is not None:
        now = time.perf_counter()
        recorder.add(name, now - recorder.mark)
        recorder.mark = now
