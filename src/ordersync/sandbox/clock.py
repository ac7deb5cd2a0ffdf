"""The sandbox's notion of time: one injected clock for every limit, cache and cursor.

Two readings, because monday's limits need both: ``now()`` is monotonic seconds
(minute windows, the 30-minute idempotency cache, cursor lifetimes) and
``utcnow()`` is the wall-clock date (the daily call limit resets at midnight
UTC).  ``FakeClock`` moves both together and only when told, so a test passes a
minute (or a day) instantly and nothing in the sandbox ever sleeps.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

DEFAULT_FAKE_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""A Monday morning, far from midnight, so a test only meets the daily reset on purpose."""


@runtime_checkable
class Clock(Protocol):
    """What the sandbox asks of a clock."""

    def now(self) -> float:
        """Seconds on a monotonic scale with an arbitrary origin."""
        ...

    def utcnow(self) -> datetime:
        """The current wall-clock time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Real time: ``time.monotonic`` and the system's UTC wall clock."""

    def now(self) -> float:
        return time.monotonic()

    def utcnow(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that moves only when told to.

    ``now()`` starts at ``monotonic_start`` (0.0 by default, which keeps the
    numbers in tests small and exact) and ``utcnow()`` at ``start``; ``advance``
    moves both by the same amount.  A naive ``start`` is taken to be UTC.
    """

    def __init__(self, start: datetime = DEFAULT_FAKE_START, *,
                 monotonic_start: float = 0.0) -> None:
        self._start = _as_utc(start)
        self._origin = monotonic_start
        self._elapsed = 0.0

    def now(self) -> float:
        return self._origin + self._elapsed

    def utcnow(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass (never backwards: the clock is monotonic)."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back in time (advance by {seconds})")
        self._elapsed += seconds

    def advance_to(self, when: datetime) -> None:
        """Let time pass until the wall clock reads ``when`` (e.g. just before midnight)."""
        self.advance((_as_utc(when) - self.utcnow()).total_seconds())

    def __repr__(self) -> str:
        return f"FakeClock(now={self.now()!r}, utcnow={self.utcnow().isoformat()!r})"


def seconds_until_utc_midnight(moment: datetime) -> float:
    """Seconds from ``moment`` to the next midnight UTC (never 0: midnight itself → a day)."""
    moment = _as_utc(moment)
    midnight = datetime(moment.year, moment.month, moment.day, tzinfo=UTC) + timedelta(days=1)
    return (midnight - moment).total_seconds()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
