"""The complexity budget left this minute, as the last response reported it.

Every batch the sync sends selects ``complexity { before query after
reset_in_x_seconds }``; ``Budget.observe`` keeps ``after`` and when the window
resets, on the sync's clock.  ``remaining`` is that ``after`` until the reset
time has passed, then unknown (``None``: a fresh window, the planner assumes the
full budget).  ``wait_for_reset`` sleeps until the window resets, through the
injected ``sleep`` (a fake clock's ``advance`` in tests, the demo and the
benchmark).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ordersync.monday.wire import Complexity

RESET_MARGIN_SECONDS = 1.0
"""Waited beyond ``reset_in_x_seconds`` (whole seconds, rounded by monday)."""
UNKNOWN_RESET_SECONDS = 60.0
"""Waited when no response has said when the window resets (monday's windows are 60 s)."""


@dataclass
class Budget:
    """The minute's remaining complexity on an injected clock."""

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    remaining_points: int | None = None
    resets_at: float | None = None
    spent: int = 0
    """Complexity the responses reported as this run's queries' cost."""
    waits: int = 0
    waited_seconds: float = 0.0

    def observe(self, complexity: Complexity | None) -> None:
        if complexity is None:
            return
        if complexity.query is not None:
            self.spent += complexity.query
        if complexity.after is not None:
            self.remaining_points = complexity.after
            reset = complexity.reset_in_x_seconds
            self.resets_at = self.clock() + (reset if reset is not None
                                             else UNKNOWN_RESET_SECONDS)

    def remaining(self) -> int | None:
        """Points left in the current window, or None once it has reset (or never seen)."""
        if self.resets_at is None or self.clock() >= self.resets_at:
            return None
        return self.remaining_points

    def wait_for_reset(self) -> float:
        """Sleep until the window resets; returns the seconds waited."""
        now = self.clock()
        target = self.resets_at if self.resets_at is not None else now + UNKNOWN_RESET_SECONDS
        seconds = max(0.0, target - now) + RESET_MARGIN_SECONDS
        self.sleep(seconds)
        self.waits += 1
        self.waited_seconds += seconds
        self.remaining_points = self.resets_at = None
        return seconds
