"""monday's extra per-mutation call limits: 40 ``create_board`` and 40 ``duplicate_board``
a minute (API_NOTES §2.3, "Call limit exceeded for CreateBoard / DuplicateBoard").

``CallLimiter.admit(root_field_names)`` counts the request's calls of each limited
mutation in a sliding 60-second window on the sandbox clock and refuses the whole
request (nothing executed) with HTTP 429, ``Retry-After`` and ``retry_in_seconds``
(when the oldest counted call leaves the window) once a limit would be passed.  The
code ``CALL_LIMIT_EXCEEDED`` is the sandbox's (UNCERTAIN: monday documents the message
only); whether monday slides or resets the minute is UNCERTAIN too.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Final

from ordersync.sandbox.clock import Clock
from ordersync.sandbox.errors import MondayError

__all__ = ["CALL_LIMITS", "CALL_LIMIT_CODE", "CallLimiter"]

CALL_LIMIT_CODE: Final = "CALL_LIMIT_EXCEEDED"
CALL_LIMITS: Final[Mapping[str, tuple[str, int]]] = {
    "create_board": ("CreateBoard", 40),
    "duplicate_board": ("DuplicateBoard", 40),
}
WINDOW_SECONDS: Final = 60.0


class CallLimiter:
    """Per-mutation call counts over the last minute.  Thread-safe."""

    def __init__(self, clock: Clock, limits: Mapping[str, tuple[str, int]] = CALL_LIMITS,
                 window_seconds: float = WINDOW_SECONDS) -> None:
        self.clock = clock
        self.limits = limits
        self.window_seconds = window_seconds
        self._calls: dict[str, deque[float]] = {name: deque() for name in limits}
        self._lock = threading.Lock()

    def admit(self, field_names: Iterable[str]) -> None:
        """Count these root mutation fields, or raise the 429 without counting any."""
        wanted: dict[str, int] = {}
        for name in field_names:
            if name in self.limits:
                wanted[name] = wanted.get(name, 0) + 1
        if not wanted:
            return
        with self._lock:
            now = self.clock.now()
            for name, count in wanted.items():
                calls = self._calls[name]
                while calls and calls[0] <= now - self.window_seconds:
                    calls.popleft()
                label, limit = self.limits[name]
                if len(calls) + count > limit:
                    wait = (calls[0] + self.window_seconds - now) if calls else self.window_seconds
                    raise MondayError(CALL_LIMIT_CODE, f"Call limit exceeded for {label}",
                                      http_status=429, status_code=429,
                                      retry_in_seconds=max(1, math.ceil(round(wait, 6))))
            for name, count in wanted.items():
                self._calls[name].extend([now] * count)
