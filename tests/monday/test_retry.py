"""The retry policy: which errors wait, how long, and which waits count as attempts."""

from __future__ import annotations

import random

import pytest

from ordersync.monday.retry import RetryPolicy, Wait
from ordersync.monday.wire import ErrorKind, WireError


def error(kind: ErrorKind, retry_in: float | None = None, code: str = "X") -> WireError:
    return WireError(kind, code, "message", retry_in_seconds=retry_in)


@pytest.mark.parametrize(("kind", "retry_in", "expected"), [
    (ErrorKind.RATE_LIMIT, 40, Wait(40, counted=False)),
    (ErrorKind.RATE_LIMIT, 0.5, Wait(1.0, counted=False)),
    (ErrorKind.RATE_LIMIT, 0, Wait(1.0, counted=False)),
    (ErrorKind.RATE_LIMIT, None, Wait(2.0, counted=False)),
    (ErrorKind.FATAL, None, None),
    (ErrorKind.RECORD, None, None),
    (ErrorKind.REQUEST, None, None),
    (ErrorKind.FATAL, 30, None),
], ids=["limit-retry-in", "limit-fraction-floored", "limit-zero-floored", "limit-default",
        "fatal", "record", "request", "fatal-ignores-retry-in"])
def test_waits_by_kind(kind: ErrorKind, retry_in: float | None, expected: Wait | None) -> None:
    assert RetryPolicy().wait_for(error(kind, retry_in), attempt=3) == expected


@pytest.mark.parametrize(("attempt", "ceiling"), [
    (1, 1.0), (2, 2.0), (3, 4.0), (5, 16.0), (6, 30.0), (40, 30.0),
], ids=["first", "second", "third", "fifth", "capped", "far-capped"])
def test_fault_backoff_is_full_jitter_under_a_capped_ceiling(attempt: int,
                                                             ceiling: float) -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0, rng=random.Random(1))
    assert policy.backoff_ceiling(attempt) == ceiling
    waits = [policy.wait_for(error(ErrorKind.FAULT), attempt) for _ in range(300)]
    seconds = [w.seconds for w in waits if w is not None]
    assert all(w is not None and w.counted for w in waits)
    assert all(0.0 <= s <= ceiling for s in seconds)
    # full jitter spreads over the whole range, not a band near the ceiling
    assert min(seconds) < ceiling * 0.1 and max(seconds) > ceiling * 0.9


def test_jitter_is_reproducible_with_a_seeded_random() -> None:
    def draws(seed: int) -> list[float]:
        policy = RetryPolicy(rng=random.Random(seed))
        return [policy.wait_for(error(ErrorKind.FAULT), n).seconds  # type: ignore[union-attr]
                for n in range(1, 6)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_a_fault_with_retry_after_waits_at_least_that() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=0.1, rng=random.Random(0))
    wait = policy.wait_for(error(ErrorKind.FAULT, retry_in=5, code="IDEMPOTENCY_CONFLICT"))
    assert wait == Wait(5, counted=True)


@pytest.mark.parametrize(("max_attempts", "attempt", "allowed"), [
    (1, 1, False), (3, 1, True), (3, 2, True), (3, 3, False), (3, 4, False),
], ids=["single-send", "first-of-3", "second-of-3", "third-of-3", "beyond"])
def test_counting_attempts(max_attempts: int, attempt: int, allowed: bool) -> None:
    assert RetryPolicy(max_attempts=max_attempts).may_retry(attempt) is allowed


@pytest.mark.parametrize("bad", [{"max_attempts": 0}, {"base_delay": -1}, {"max_delay": -1}],
                         ids=["no-attempts", "negative-base", "negative-cap"])
def test_invalid_policies_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="RetryPolicy"):
        RetryPolicy(**bad)  # type: ignore[arg-type]


def test_a_rate_limit_naming_no_time_backs_off_doubling_up_to_the_default_wait() -> None:
    policy = RetryPolicy(limit_backoff=2.0, default_limit_wait=60.0)
    waits = [policy.wait_for(error(ErrorKind.RATE_LIMIT), limit_waits=n) for n in range(8)]
    assert [w.seconds for w in waits if w is not None] == [2, 4, 8, 16, 32, 60, 60, 60]
    assert all(w is not None and not w.counted for w in waits)
    named = policy.wait_for(error(ErrorKind.RATE_LIMIT, retry_in=7), limit_waits=5)
    assert named == Wait(7, counted=False)  # a time monday names is waited as named


def test_the_daily_cap_without_a_time_waits_until_midnight_utc() -> None:
    from datetime import UTC, datetime, timedelta

    wait = RetryPolicy().wait_for(error(ErrorKind.RATE_LIMIT, code="DAILY_LIMIT_EXCEEDED"))
    assert wait is not None and not wait.counted
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    assert abs(wait.seconds - max(1.0, (midnight - now).total_seconds())) < 5


def test_a_fault_asking_for_an_hour_waits_no_longer_than_a_limit_would() -> None:
    policy = RetryPolicy(rng=random.Random(2))
    wait = policy.wait_for(error(ErrorKind.FAULT, retry_in=3600), attempt=1)
    assert wait == Wait(policy.max_limit_wait, counted=True)
