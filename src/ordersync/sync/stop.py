"""Ending a sync cleanly on SIGTERM, SIGHUP or Ctrl-C.

``stop_on_signals`` installs handlers for the command's lifetime.  The first signal only
asks the run to stop (``Stop.requested``): the request in flight finishes and its
outcomes are written down; the sender checks before each further request, and a wait
(the budget's reset, a back-off) wakes at once, so the run ends within a moment as
``SyncStopped`` — recorded ``interrupted`` with its real counts, and a one-line message
saying what to run next.  A second signal interrupts at once (``KeyboardInterrupt``): the
request in flight is left SENDING, and the next run reconciles it with the board.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType

from ordersync.errors import RetriableSyncError

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
NAP_SECONDS = 0.2
"""How often a wait looks whether a stop was asked for."""


class SyncStopped(RetriableSyncError):
    """A signal asked the run to stop; it stopped between requests."""

    def __init__(self, signal_name: str, *, where: str = "between requests: what was sent "
                 "is recorded — run `ordersync sync` again to go on") -> None:
        self.signal_name = signal_name
        super().__init__(f"stopped by {signal_name} {where}")


@dataclass
class Stop:
    """Whether a signal asked the run to stop, and which."""

    signal_name: str | None = None
    _event: threading.Event = field(default_factory=threading.Event)

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self, signal_name: str) -> None:
        self.signal_name = signal_name
        self._event.set()

    def check(self, **where: str) -> None:
        """Raise ``SyncStopped`` if a stop was asked for (``where``: its message's end)."""
        if self.requested:
            raise SyncStopped(self.signal_name or "a signal", **where)

    def sleep(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        """``time.sleep`` that ends early (raising ``SyncStopped``) when a stop is asked."""
        end = clock() + seconds
        while True:
            self.check()
            left = end - clock()
            if left <= 0:
                return
            self._event.wait(min(NAP_SECONDS, left))


@contextlib.contextmanager
def stop_on_signals() -> Iterator[Stop]:
    """Handlers for ``SIGNALS`` while the block runs (main thread only; elsewhere the
    handlers stay as they are and the stop is never asked)."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise KeyboardInterrupt  # a second signal: now
        stop.request(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
