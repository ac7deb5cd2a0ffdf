"""The retry policy: how long to wait after an error, and which waits count as attempts.

Rate limits wait what monday says (``retry_in_seconds``, else ``Retry-After``;
a throttle that names no time backs off from ``limit_backoff`` seconds, doubling
with each wait of the request, up to ``default_limit_wait``) and are never
counted: the request did nothing wrong and will succeed once the budget resets.
Faults (5xx, 423, 409, timeouts) back off exponentially with *full jitter* — a
uniform draw in ``[0, min(max_delay, base_delay * 2 ** (attempt - 1))]`` — so
that clients hitting the same outage do not retry in lock-step; they are counted,
up to ``max_attempts`` sends in all.  Fatal, per-record and request errors get no
wait.  The random source is injectable so tests are reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from ordersync.monday.wire import ErrorKind, WireError


@dataclass(frozen=True)
class Wait:
    """Sleep ``seconds`` before sending again; ``counted`` if it uses up an attempt."""

    seconds: float
    counted: bool


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and delays for retrying one request."""

    max_attempts: int = 5
    """Sends of one request that may end in a fault (the first one included)."""
    base_delay: float = 1.0
    """Back-off ceiling after the first fault, in seconds; doubles per fault."""
    max_delay: float = 30.0
    """Cap on the back-off ceiling."""
    limit_backoff: float = 2.0
    """The first wait for a rate limit that names no time (a throttle in a 200 body, say):
    it doubles with each further wait of the request, up to ``default_limit_wait``."""
    default_limit_wait: float = 60.0
    """The longest wait for a rate limit that names no time (monday's minute windows are
    60 s: by then any of them has reset)."""
    max_limit_wait: float = 300.0
    """A rate limit asking for longer (the daily call cap: until midnight UTC) is not waited
    out: the request gives up with ``MondayLimitTooLong`` and the run stops cleanly."""
    min_limit_wait: float = 1.0
    """The least a rate limit is waited, whatever it names (``Retry-After: 0`` would
    otherwise resend at once, and every refused call still counts against the daily cap)."""
    max_limit_waits: int = 30
    """Rate-limit waits for one request before it gives up (``MondayLimitTooLong``): a limit
    that never lifts (a query costing more than the whole budget) must not hold the run."""
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)
    """The jitter's random source (seed it in tests)."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.max_limit_waits < 1:
            raise ValueError("RetryPolicy.max_limit_waits must be at least 1")
        if (self.base_delay < 0 or self.max_delay < 0 or self.default_limit_wait < 0
                or self.min_limit_wait < 0 or self.limit_backoff < 0):
            raise ValueError("RetryPolicy delays must not be negative")

    def backoff_ceiling(self, attempt: int) -> float:
        """The largest back-off after the ``attempt``-th send (from 1) failed."""
        return min(self.max_delay, self.base_delay * 2.0 ** max(0, attempt - 1))

    def wait_for(self, error: WireError, attempt: int = 1, *,
                 limit_waits: int = 0) -> Wait | None:
        """How to wait after ``error`` ended send number ``attempt``, the request having
        waited ``limit_waits`` times for rate limits already; None: do not retry."""
        if error.kind is ErrorKind.RATE_LIMIT:
            if error.retry_in_seconds is not None:
                seconds = error.retry_in_seconds
            elif error.code == "DAILY_LIMIT_EXCEEDED":  # the daily cap resets at midnight UTC
                now = datetime.now(UTC)
                seconds = (datetime.combine(now.date() + timedelta(days=1), time(), UTC)
                           - now).total_seconds()
            else:
                seconds = min(self.default_limit_wait,
                              self.limit_backoff * 2.0 ** min(limit_waits, 30))
            return Wait(max(self.min_limit_wait, seconds), counted=False)
        if error.kind is ErrorKind.FAULT:
            seconds = self.rng.uniform(0.0, self.backoff_ceiling(attempt))
            if error.retry_in_seconds is not None:  # 409 with Retry-After: at least that
                seconds = max(seconds, min(error.retry_in_seconds, self.max_limit_wait))
            return Wait(seconds, counted=True)
        return None

    def may_retry(self, attempt: int) -> bool:
        """Whether a counted fault on send number ``attempt`` may be retried."""
        return attempt < self.max_attempts
