"""monday's limits as the sandbox enforces them: per plan, on an injected clock.

Owns the numbers (``Plan``, ``Limits``), the admission decision and the usage
it records (``Limiter``), and the rate-limit wire errors and headers.  What a
request costs is ``costs.py``; the ``Idempotency-Key`` cache is ``idempotency.py``.  Sources are
``shared/monday/API_NOTES.md`` §1 (idempotency), §2 (limits, wire formats in
§2.8, headers in §2.7) and §3 (costs); where those notes say UNCERTAIN the
choice made here is written next to the code that makes it.

Order of the checks in ``Limiter.admit`` (monday does not document one):

1. concurrency — ``Limiter.enter()``, called by the executor before anything
   else, as a gateway would count open requests;
2. per-request complexity cap — a property of the document alone; retrying
   can never help, so it wins over any "wait N seconds" answer;
3. minute request count, then 4. daily call count — plain counters kept at
   the edge, before the query's cost is charged;
5. complexity budget — the only check that spends something.

Every request counts, even a rejected one (§2: "All requests count, even
failed ones"): it adds one to the minute count and ``rejected_call_weight``
(0.1) to the daily count; it spends no complexity.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType

from ordersync.sandbox.clock import Clock, SystemClock, seconds_until_utc_midnight
from ordersync.sandbox.errors import MondayError

_MILLI = 1000  # daily usage is counted in thousandths of a call, so 0.1 weights add up exactly


class Plan(StrEnum):
    """monday account plans whose limits differ."""

    FREE = "free"
    TRIAL = "trial"
    BASIC = "basic"
    STANDARD = "standard"
    PRO = "pro"
    ENTERPRISE = "enterprise"


@dataclass(frozen=True)
class Limits:
    """The numbers one account lives by; build with ``Limits.for_plan`` and adjust with
    ``dataclasses.replace``."""

    complexity_per_request: int
    """Cap on one request's cost (§2.1: 5,000,000 on every plan)."""
    complexity_per_minute: int
    """Personal-token budget, reads and writes combined, per window (§2.1)."""
    requests_per_minute: int
    """Requests per window (§2.3)."""
    concurrency: int
    """Requests in flight at once (§2.4)."""
    daily_calls: int
    """Calls per UTC day (§2.2)."""
    mutation_cost: int = 30_000
    """Cost of one mutation field before its selection (§3; monday does not publish it)."""
    window_seconds: float = 60.0
    """Length of the minute windows; a window opens at its first call (§2.1)."""
    complexity_only_call_weight: float = 0.1
    """Daily weight of a request that selects only ``complexity`` (§2.1, §2.2)."""
    rejected_call_weight: float = 0.1
    """Daily weight of a request rejected by any limit (§2.2)."""
    concurrency_retry_seconds: int = 15
    """``retry_in_seconds`` of MAX_CONCURRENCY_EXCEEDED (§2.8's example; monday gives no rule)."""

    def __post_init__(self) -> None:
        for name in ("complexity_per_request", "complexity_per_minute", "requests_per_minute",
                     "concurrency", "daily_calls", "mutation_cost", "concurrency_retry_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"Limits.{name} must not be negative")
        if self.window_seconds <= 0:
            raise ValueError("Limits.window_seconds must be positive")
        for name in ("complexity_only_call_weight", "rejected_call_weight"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"Limits.{name} must lie between 0 and 1")

    @classmethod
    def for_plan(cls, plan: Plan | str) -> Limits:
        """The documented limits of ``plan`` for a personal API token."""
        per_minute, requests, concurrency, daily = _PLAN_NUMBERS[Plan(plan)]
        return cls(complexity_per_request=5_000_000, complexity_per_minute=per_minute,
                   requests_per_minute=requests, concurrency=concurrency, daily_calls=daily)


# plan → (complexity/min §2.1, requests/min §2.3, concurrency §2.4, calls/day §2.2)
_PLAN_NUMBERS: dict[Plan, tuple[int, int, int, int]] = {
    Plan.FREE: (1_000_000, 1_000, 40, 1_000),
    Plan.TRIAL: (1_000_000, 1_000, 40, 1_000),
    Plan.BASIC: (10_000_000, 1_000, 40, 1_000),
    Plan.STANDARD: (10_000_000, 1_000, 40, 1_000),
    Plan.PRO: (10_000_000, 2_500, 100, 10_000),
    Plan.ENTERPRISE: (10_000_000, 5_000, 250, 25_000),
}


# --- wire errors and headers -------------------------------------------------------------------


class RateLimitCode(StrEnum):
    """The 429 codes of §2.8's "current format", and §2.5's IP limit."""

    MINUTE = "MINUTE_RATE_LIMIT_EXCEEDED"
    CONCURRENCY = "MAX_CONCURRENCY_EXCEEDED"
    DAILY = "DAILY_LIMIT_EXCEEDED"
    COMPLEXITY_BUDGET = "COMPLEXITY_BUDGET_EXHAUSTED"
    IP = "IP_RATE_LIMIT_EXCEEDED"

    @property
    def message(self) -> str:
        return _RATE_LIMIT_MESSAGES[self]


_RATE_LIMIT_MESSAGES = {
    RateLimitCode.MINUTE: "Minute rate limit exceeded",
    RateLimitCode.CONCURRENCY: "Too many concurrent requests",
    RateLimitCode.DAILY: "Daily limit exceeded",
    RateLimitCode.COMPLEXITY_BUDGET: "Complexity budget exhausted",
    RateLimitCode.IP: "IP rate limit exceeded",  # UNCERTAIN: §2.5 gives the code, not the text
}

COMPLEXITY_EXCEEDED_CODE = "ComplexityException"
"""Code for a single request over the cap.  UNCERTAIN (§2.8): the docs name only
``ComplexityException``; the budget case moved to COMPLEXITY_BUDGET_EXHAUSTED, so
the documented name is kept for the cap case, sent as an application error (HTTP
200, no ``retry_in_seconds``: waiting cannot help)."""


def rate_limit_error(code: RateLimitCode, retry_in_seconds: int) -> MondayError:
    """A §2.8 rate-limit error: HTTP 429, ``extensions {code, retry_in_seconds}``."""
    return MondayError(code.value, code.message, http_status=429,
                       retry_in_seconds=retry_in_seconds)


def complexity_exceeded_error(cost: int, cap: int) -> MondayError:
    """One request costs more than the per-request cap (legacy text of §2.8)."""
    return MondayError(COMPLEXITY_EXCEEDED_CODE,
                       f"Query has complexity of {cost}, which exceeds max complexity of {cap}")


def retry_after_headers(error: MondayError) -> dict[str, str]:
    """``Retry-After`` for an error that says when to retry (every 429 does, §2.7)."""
    if error.retry_in_seconds is None:
        return {}
    return {"Retry-After": str(error.retry_in_seconds)}


def _ceil_seconds(seconds: float) -> int:
    # Whole seconds, rounded up so a client never retries early; the rounding to
    # microseconds first keeps float noise (60.00000000000001) from adding a second.
    return max(1, math.ceil(round(seconds, 6)))


def _fmt(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


# --- the limiter -------------------------------------------------------------------------------


class _Window:
    """A budget window that opens at its first use and closes ``length`` seconds later."""

    def __init__(self, length: float) -> None:
        self.length = length
        self.started_at: float | None = None
        self.used = 0

    def is_open(self, now: float) -> bool:
        return self.started_at is not None and now < self.started_at + self.length

    def roll(self, now: float) -> float:
        """Open a fresh window if none is open; return its start."""
        if self.started_at is None or not self.is_open(now):
            self.started_at, self.used = now, 0
        return self.started_at

    def used_at(self, now: float) -> int:
        return self.used if self.is_open(now) else 0

    def reset_in(self, now: float) -> float | None:
        if self.started_at is None or not self.is_open(now):
            return None
        return self.started_at + self.length - now


@dataclass(frozen=True)
class Admission:
    """An admitted request: what it cost and what the ``complexity`` field must show."""

    cost: int
    before: int
    after: int
    reset_in_x_seconds: int
    window_started_at: float
    daily_calls_used: float
    headers: dict[str, str] = field(default_factory=dict, compare=False)

    def complexity(self) -> dict[str, int]:
        """``complexity { before query after reset_in_x_seconds }``: GraphQL ``Int``s, so a
        budget configured beyond 32 bits (as tests do for "no limit") shows as the largest
        ``Int`` instead of failing the field."""
        return {"before": min(self.before, _INT_MAX), "query": min(self.cost, _INT_MAX),
                "after": min(self.after, _INT_MAX),
                "reset_in_x_seconds": self.reset_in_x_seconds}


_INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class LimiterSnapshot:
    """Usage at one moment, for inspection and ``platform_api.daily_analytics``."""

    minute_requests: int
    complexity_used: int
    complexity_remaining: int
    complexity_reset_in_seconds: int | None
    daily_calls_used: float
    in_flight: int


class ConcurrencySlot:
    """One request in flight; leaving it (or leaving the ``with`` block) frees the slot."""

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter
        self._open = True

    def leave(self) -> None:
        if self._open:
            self._open = False
            self._limiter.leave()

    def __enter__(self) -> ConcurrencySlot:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.leave()


class Limiter:
    """Admits or rejects requests for one account; thread-safe."""

    def __init__(self, limits: Limits, clock: Clock | None = None) -> None:
        self.limits = limits
        self.clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._minute = _Window(limits.window_seconds)
        self._complexity = _Window(limits.window_seconds)
        self._day = self.clock.utcnow().date()
        self._daily_milli = 0
        self._in_flight = 0

    # concurrency ------------------------------------------------------------------------------

    def enter(self, *, now: float | None = None) -> ConcurrencySlot:
        """Take a concurrency slot, or raise 429 MAX_CONCURRENCY_EXCEEDED (counted as a
        rejected call).  Use as ``with limiter.enter(): ...``."""
        with self._lock:
            if self._in_flight >= self.limits.concurrency:
                self._count(self._at(now), _MILLI * self.limits.rejected_call_weight)
                raise rate_limit_error(RateLimitCode.CONCURRENCY,
                                       self.limits.concurrency_retry_seconds)
            self._in_flight += 1
        return ConcurrencySlot(self)

    def leave(self) -> None:
        with self._lock:
            if self._in_flight == 0:
                raise RuntimeError("Limiter.leave() without a matching enter()")
            self._in_flight -= 1

    # admission --------------------------------------------------------------------------------

    def admit(self, cost: int, *, is_complexity_only: bool = False,
              now: float | None = None) -> Admission:
        """Charge a request of ``cost``, or raise the ``MondayError`` that rejects it.

        ``now`` is on the clock's monotonic scale (default: ``clock.now()``); the
        day for the daily limit always comes from ``clock.utcnow()``.
        """
        if cost < 0:
            raise ValueError(f"a request cannot cost {cost}")
        limits = self.limits
        weight = limits.complexity_only_call_weight if is_complexity_only else 1.0
        with self._lock:
            at = self._at(now)
            self._minute.roll(at)
            try:
                budget_start = self._check(cost, at, weight)
            except MondayError:
                self._count(at, _MILLI * min(weight, limits.rejected_call_weight))
                raise
            self._count(at, _MILLI * weight)
            before = limits.complexity_per_minute - self._complexity.used
            self._complexity.used += cost
            reset_in = self._complexity.reset_in(at)
            return Admission(
                cost=cost, before=before, after=before - cost,
                reset_in_x_seconds=_ceil_seconds(reset_in if reset_in is not None
                                                 else limits.window_seconds),
                window_started_at=budget_start, daily_calls_used=self._daily_milli / _MILLI,
                headers=self._headers(at))

    def _check(self, cost: int, at: float, weight: float) -> float:
        limits = self.limits
        if cost > limits.complexity_per_request:
            raise complexity_exceeded_error(cost, limits.complexity_per_request)
        if self._minute.used >= limits.requests_per_minute:
            raise rate_limit_error(RateLimitCode.MINUTE,
                                   _ceil_seconds(self._minute.reset_in(at) or 0))
        if self._daily_milli + round(_MILLI * weight) > limits.daily_calls * _MILLI:
            raise rate_limit_error(RateLimitCode.DAILY, _ceil_seconds(
                seconds_until_utc_midnight(self.clock.utcnow())))
        # A window opens at the first call that reaches the budget, admitted or not.
        start = self._complexity.roll(at)
        if cost > limits.complexity_per_minute - self._complexity.used:
            raise rate_limit_error(RateLimitCode.COMPLEXITY_BUDGET,
                                   _ceil_seconds(self._complexity.reset_in(at) or 0))
        return start

    def _at(self, now: float | None) -> float:
        self._roll_day()
        return self.clock.now() if now is None else now

    def _roll_day(self) -> None:
        today = self.clock.utcnow().date()
        if today != self._day:
            self._day, self._daily_milli = today, 0

    def _count(self, at: float, daily_milli: float) -> None:
        self._minute.roll(at)
        self._minute.used += 1
        self._daily_milli += round(daily_milli)

    # inspection -------------------------------------------------------------------------------

    def headers(self, *, error: MondayError | None = None,
                now: float | None = None) -> dict[str, str]:
        """``RateLimit-Policy`` and ``RateLimit`` (§2.7), plus ``Retry-After`` for ``error``."""
        with self._lock:
            headers = self._headers(self._at(now))
        if error is not None:
            headers.update(retry_after_headers(error))
        return headers

    def _headers(self, at: float) -> dict[str, str]:
        # §2.7 documents these (2026-09); when monday introduced them is UNCERTAIN, and
        # ``qu="content-bytes"`` on complexityMinute is copied from the docs as printed.
        lim = self.limits
        window = _fmt(lim.window_seconds)
        policy = (f'"minuteRate";q={lim.requests_per_minute};w={window}, '
                  f'"concurrency";q={lim.concurrency};qu="concurrent-requests", '
                  f'"complexityMinute";q={lim.complexity_per_minute};w={window};'
                  f'qu="content-bytes"')
        minute_left = max(0, lim.requests_per_minute - self._minute.used_at(at))
        minute = f'"minuteRate";r={minute_left}'
        if minute_left == 0:
            minute += f";t={_ceil_seconds(self._minute.reset_in(at) or 0)}"
        slots_left = max(0, lim.concurrency - self._in_flight)
        slots = f'"concurrency";r={slots_left}'
        if slots_left == 0:
            slots += f";t={lim.concurrency_retry_seconds}"
        budget = f'"complexityMinute";r={lim.complexity_per_minute - self._complexity.used_at(at)}'
        reset = self._complexity.reset_in(at)
        if reset is not None:
            budget += f";t={_ceil_seconds(reset)}"
        return {"RateLimit-Policy": policy, "RateLimit": f"{minute}, {slots}, {budget}"}

    def snapshot(self, *, now: float | None = None) -> LimiterSnapshot:
        with self._lock:
            at = self._at(now)
            used = self._complexity.used_at(at)
            reset = self._complexity.reset_in(at)
            return LimiterSnapshot(
                minute_requests=self._minute.used_at(at), complexity_used=used,
                complexity_remaining=self.limits.complexity_per_minute - used,
                complexity_reset_in_seconds=None if reset is None else _ceil_seconds(reset),
                daily_calls_used=self._daily_milli / _MILLI, in_flight=self._in_flight)
