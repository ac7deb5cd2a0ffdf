"""monday's limits in the sandbox: the numbers per plan, the order of the checks, the
429 payloads a client parses, the ``complexity`` field, and the Idempotency-Key cache.

Every test runs on a ``FakeClock``: a minute, or a day, passes instantly.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordersync.sandbox.clock import FakeClock, SystemClock, seconds_until_utc_midnight
from ordersync.sandbox.costs import CostModel, CostNode, list_multiplier
from ordersync.sandbox.errors import MondayError, response_body
from ordersync.sandbox.idempotency import (
    CachedResponse,
    IdempotencyCache,
    KeyReuse,
    request_fingerprint,
)
from ordersync.sandbox.limits import Limiter, Limits, Plan, retry_after_headers

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # 15 h before midnight UTC
UNLIMITED = 10**12
MUTATION = 30_001  # create_item(...) { id }


def make_limiter(plan: Plan | str = Plan.STANDARD, clock: FakeClock | None = None,
                 **overrides: Any) -> tuple[Limiter, FakeClock]:
    clock = clock or FakeClock(START)
    return Limiter(replace(Limits.for_plan(plan), **overrides), clock), clock


def rejection(limiter: Limiter, cost: int = 0, **kwargs: Any) -> MondayError:
    with pytest.raises(MondayError) as caught:
        limiter.admit(cost, **kwargs)
    return caught.value


def wire(error: MondayError) -> dict[str, Any]:
    return response_body("req-1", errors=[error], include_data=False)


# --- clock ---------------------------------------------------------------------------------------


def test_fake_clock_moves_both_readings_together_and_only_forward() -> None:
    clock = FakeClock(START)

    clock.advance(90.5)

    assert clock.now() == 90.5
    assert clock.utcnow() == datetime(2026, 1, 5, 9, 1, 30, 500000, tzinfo=UTC)
    clock.advance_to(datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC))
    assert seconds_until_utc_midnight(clock.utcnow()) == 1
    with pytest.raises(ValueError, match="back in time"):
        clock.advance(-1)


def test_system_clock_reads_aware_utc() -> None:
    clock = SystemClock()
    assert clock.utcnow().tzinfo is UTC
    assert clock.now() <= clock.now()


# --- numbers per plan ----------------------------------------------------------------------------


@pytest.mark.parametrize(("plan", "per_minute", "requests", "concurrency", "daily"), [
    ("free", 1_000_000, 1_000, 40, 1_000),
    ("trial", 1_000_000, 1_000, 40, 1_000),
    ("basic", 10_000_000, 1_000, 40, 1_000),
    ("standard", 10_000_000, 1_000, 40, 1_000),
    ("pro", 10_000_000, 2_500, 100, 10_000),
    ("enterprise", 10_000_000, 5_000, 250, 25_000),
], ids=lambda v: v if isinstance(v, str) else None)
def test_plan_presets_follow_the_api_notes(plan: str, per_minute: int, requests: int,
                                           concurrency: int, daily: int) -> None:
    limits = Limits.for_plan(plan)

    assert (limits.complexity_per_request, limits.complexity_per_minute,
            limits.requests_per_minute, limits.concurrency, limits.daily_calls,
            limits.mutation_cost) == (5_000_000, per_minute, requests, concurrency, daily,
                                      30_000)


def test_every_number_can_be_overridden_and_nonsense_is_refused() -> None:
    limits = replace(Limits.for_plan(Plan.PRO), daily_calls=5, mutation_cost=10_000)

    assert (limits.daily_calls, limits.mutation_cost, limits.concurrency) == (5, 10_000, 100)
    with pytest.raises(ValueError, match="daily_calls"):
        replace(limits, daily_calls=-1)
    with pytest.raises(ValueError, match="rejected_call_weight"):
        replace(limits, rejected_call_weight=2)
    with pytest.raises(ValueError):
        Limits.for_plan("platinum")


# --- cost model ----------------------------------------------------------------------------------

S = CostNode.scalar


@pytest.mark.parametrize(("fields", "cost"), [
    pytest.param([CostNode.mutation(S())], 30_001, id="create_item{id}"),
    pytest.param([CostNode.mutation(S()) for _ in range(3)], 90_003, id="three-aliases"),
    pytest.param([CostNode.mutation(S(), S(), CostNode.object(S()))], 30_013,
                 id="mutation-selecting-an-object"),
    pytest.param([CostNode.object(S(), S(), multiplier=list_multiplier(ids=["1"], limit=50))],
                 12, id="boards(ids:[1]){id name}"),
    pytest.param([CostNode.object(
        S(), CostNode.object(S(), CostNode.object(S(), S(), multiplier=500)),
        multiplier=10)], 60_220, id="boards(limit:10){id items_page(limit:500){cursor items}}}"),
    pytest.param([CostNode.object(S(), S(), S(), S())], 14, id="complexity-only"),
    pytest.param([CostNode.mutation(S(), weight=100_000)], 100_001, id="file-upload"),
    pytest.param([], 0, id="nothing"),
])
def test_cost_model_examples(fields: list[CostNode], cost: int) -> None:
    assert CostModel().cost(fields) == cost


def test_mutation_cost_follows_the_limits() -> None:
    model = CostModel.from_limits(replace(Limits.for_plan("pro"), mutation_cost=10_000))
    assert model.cost([CostNode.mutation(S())]) == 10_001


@pytest.mark.parametrize(("kwargs", "multiplier"), [
    ({"ids": [1, 2, 3], "limit": 100}, 3),  # ids are considered before limit
    ({"limit": 100}, 100),
    ({}, 25),
    ({"default": 1}, 1),
])
def test_list_multiplier(kwargs: dict[str, Any], multiplier: int) -> None:
    assert list_multiplier(**kwargs) == multiplier


def test_the_per_request_cap_allows_166_aliased_create_items_not_167() -> None:
    limiter, _ = make_limiter(Plan.ENTERPRISE)
    model = CostModel()
    batch = [CostNode.mutation(S()) for _ in range(167)]

    assert limiter.admit(model.cost(batch[:166])).cost == 4_980_166
    error = rejection(limiter, model.cost(batch))

    assert (error.code, error.http_status, error.retry_in_seconds) == (
        "ComplexityException", 200, None)
    assert error.message == ("Query has complexity of 5010167, "
                             "which exceeds max complexity of 5000000")


# --- per-request cap -----------------------------------------------------------------------------


def test_cap_is_inclusive_and_its_error_is_an_application_error() -> None:
    limiter, _ = make_limiter(complexity_per_request=1_000, complexity_per_minute=UNLIMITED)

    assert limiter.admit(1_000).cost == 1_000
    error = rejection(limiter, 1_001)

    assert wire(error) == {"errors": [{
        "message": "Query has complexity of 1001, which exceeds max complexity of 1000",
        "extensions": {"code": "ComplexityException"}}], "extensions": {"request_id": "req-1"}}
    assert retry_after_headers(error) == {}


# --- minute request count ------------------------------------------------------------------------


@pytest.mark.parametrize(("plan", "requests"), [("standard", 1_000), ("pro", 2_500),
                                                ("enterprise", 5_000)])
def test_minute_limit_at_the_boundary_then_recovers(plan: str, requests: int) -> None:
    limiter, clock = make_limiter(plan, daily_calls=UNLIMITED)
    limiter.admit(0)
    clock.advance(22)
    for _ in range(requests - 1):
        limiter.admit(0)

    error = rejection(limiter)

    assert error.http_status == 429
    assert wire(error) == {"errors": [{"message": "Minute rate limit exceeded", "extensions": {
        "code": "MINUTE_RATE_LIMIT_EXCEEDED", "retry_in_seconds": 38}}],
        "extensions": {"request_id": "req-1"}}
    assert limiter.headers(error=error)["Retry-After"] == "38"
    clock.advance(37.5)
    assert rejection(limiter).retry_in_seconds == 1
    clock.advance(0.5)
    assert limiter.admit(0).cost == 0


# --- daily calls ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("plan", "daily"), [("free", 1_000), ("standard", 1_000),
                                             ("pro", 10_000), ("enterprise", 25_000)])
def test_daily_limit_at_the_boundary_until_midnight_utc(plan: str, daily: int) -> None:
    limiter, clock = make_limiter(plan, requests_per_minute=UNLIMITED,
                                  complexity_per_minute=UNLIMITED)
    for _ in range(daily):
        limiter.admit(0)

    error = rejection(limiter)

    assert wire(error)["errors"] == [{"message": "Daily limit exceeded", "extensions": {
        "code": "DAILY_LIMIT_EXCEEDED", "retry_in_seconds": 15 * 3600}}]
    assert error.http_status == 429
    clock.advance_to(datetime(2026, 1, 5, 23, 0, 0, 500000, tzinfo=UTC))
    assert rejection(limiter).retry_in_seconds == 3600  # rounded up, never early
    clock.advance_to(datetime(2026, 1, 6, tzinfo=UTC))
    assert limiter.admit(0).daily_calls_used == 1


@pytest.mark.parametrize(("full_calls", "complexity_only_calls", "next_is_complexity_only",
                          "admitted"), [
    pytest.param(2, 0, True, False, id="full-day-refuses-even-complexity-only"),
    pytest.param(1, 10, True, False, id="ten-complexity-only-make-one-call"),
    pytest.param(1, 9, True, True, id="room-for-a-tenth"),
    pytest.param(1, 9, False, False, id="no-room-for-a-whole-call"),
    pytest.param(0, 10, False, True, id="whole-call-after-ten-tenths"),
])
def test_complexity_only_requests_count_a_tenth(full_calls: int, complexity_only_calls: int,
                                                next_is_complexity_only: bool,
                                                admitted: bool) -> None:
    limiter, _ = make_limiter(daily_calls=2, requests_per_minute=UNLIMITED)
    for _ in range(full_calls):
        limiter.admit(10)
    for _ in range(complexity_only_calls):
        limiter.admit(14, is_complexity_only=True)

    if admitted:
        limiter.admit(14, is_complexity_only=next_is_complexity_only)
    else:
        assert rejection(limiter, 14, is_complexity_only=next_is_complexity_only).code == (
            "DAILY_LIMIT_EXCEEDED")


def test_rejected_requests_count_a_tenth_and_spend_no_complexity() -> None:
    limiter, _ = make_limiter(requests_per_minute=1)
    limiter.admit(MUTATION)
    for _ in range(3):
        rejection(limiter, MUTATION)

    snapshot = limiter.snapshot()

    assert snapshot.daily_calls_used == pytest.approx(1.3)
    assert (snapshot.minute_requests, snapshot.complexity_used) == (4, MUTATION)


# --- complexity budget ---------------------------------------------------------------------------


@pytest.mark.parametrize(("plan", "fits"), [("standard", 333), ("free", 33)])
def test_budget_runs_out_after_the_mutations_that_fit(plan: str, fits: int) -> None:
    limiter, clock = make_limiter(plan, requests_per_minute=UNLIMITED, daily_calls=UNLIMITED)
    limiter.admit(MUTATION)
    clock.advance(38)
    for _ in range(fits - 1):
        limiter.admit(MUTATION)

    error = rejection(limiter, MUTATION)

    assert error.http_status == 429
    assert wire(error) == {"errors": [{"message": "Complexity budget exhausted", "extensions": {
        "code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": 22}}],
        "extensions": {"request_id": "req-1"}}
    clock.advance(22)
    assert limiter.admit(MUTATION).before == Limits.for_plan(plan).complexity_per_minute


def test_budget_is_inclusive_to_the_last_point() -> None:
    limiter, _ = make_limiter(complexity_per_minute=100)

    assert limiter.admit(60).after == 40
    assert limiter.admit(40).after == 0
    assert rejection(limiter, 1).code == "COMPLEXITY_BUDGET_EXHAUSTED"
    assert limiter.admit(0).after == 0


def test_window_resets_sixty_seconds_after_its_first_call_not_its_last() -> None:
    limiter, clock = make_limiter(complexity_per_minute=100)
    clock.advance(10)
    limiter.admit(50)  # opens the window at 10 s
    clock.advance(45)
    limiter.admit(50)
    clock.advance(14)
    assert rejection(limiter, 1).retry_in_seconds == 1
    clock.advance(1)  # 70 s: the window that opened at 10 s is over
    assert limiter.admit(100).complexity() == {"before": 100, "query": 100, "after": 0,
                                               "reset_in_x_seconds": 60}


def test_complexity_field_shows_before_query_after_and_reset() -> None:
    limiter, clock = make_limiter()

    first = limiter.admit(MUTATION)
    clock.advance(15)
    second = limiter.admit(12)
    clock.advance(44.5)
    third = limiter.admit(14, is_complexity_only=True)

    assert first.complexity() == {"before": 10_000_000, "query": 30_001, "after": 9_969_999,
                                  "reset_in_x_seconds": 60}
    assert second.complexity() == {"before": 9_969_999, "query": 12, "after": 9_969_987,
                                   "reset_in_x_seconds": 45}
    assert third.complexity() == {"before": 9_969_987, "query": 14, "after": 9_969_973,
                                  "reset_in_x_seconds": 1}
    assert third.daily_calls_used == pytest.approx(2.1)


# --- order of the checks -------------------------------------------------------------------------


@pytest.mark.parametrize(("exhausted", "cost", "code"), [
    pytest.param(("minute", "daily", "budget"), 6_000_000, "ComplexityException",
                 id="cap-before-everything"),
    pytest.param(("minute", "daily", "budget"), 1, "MINUTE_RATE_LIMIT_EXCEEDED",
                 id="minute-before-daily"),
    pytest.param(("daily", "budget"), 1, "DAILY_LIMIT_EXCEEDED", id="daily-before-budget"),
    pytest.param(("budget",), 1, "COMPLEXITY_BUDGET_EXHAUSTED", id="budget-last"),
])
def test_checks_run_in_order(exhausted: tuple[str, ...], cost: int, code: str) -> None:
    limiter, _ = make_limiter(
        requests_per_minute=1 if "minute" in exhausted else UNLIMITED,
        daily_calls=1 if "daily" in exhausted else UNLIMITED,
        complexity_per_minute=10 if "budget" in exhausted else UNLIMITED)
    limiter.admit(10)

    assert rejection(limiter, cost).code == code


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("plan", "slots"), [("standard", 40), ("pro", 100),
                                             ("enterprise", 250)])
def test_concurrency_limit_per_plan(plan: str, slots: int) -> None:
    limiter, _ = make_limiter(plan)
    held = [limiter.enter() for _ in range(slots)]

    with pytest.raises(MondayError) as caught:
        limiter.enter()

    assert caught.value.http_status == 429
    assert wire(caught.value)["errors"] == [{"message": "Too many concurrent requests",
                                             "extensions": {"code": "MAX_CONCURRENCY_EXCEEDED",
                                                            "retry_in_seconds": 15}}]
    held[0].leave()
    held[0].leave()  # leaving twice frees one slot, not two
    limiter.enter()
    assert limiter.snapshot().in_flight == slots
    assert limiter.snapshot().daily_calls_used == pytest.approx(0.1)


def test_a_slot_is_freed_when_the_request_fails() -> None:
    limiter, _ = make_limiter(concurrency=1)

    with pytest.raises(RuntimeError), limiter.enter():
        raise RuntimeError("resolver blew up")

    with limiter.enter():
        assert limiter.snapshot().in_flight == 1
    with pytest.raises(RuntimeError, match="without a matching enter"):
        limiter.leave()


# --- headers -------------------------------------------------------------------------------------


def test_rate_limit_headers_report_what_is_left() -> None:
    limiter, clock = make_limiter(Plan.ENTERPRISE)

    with limiter.enter():
        clock.advance(5)
        admission = limiter.admit(50_000)
    clock.advance(10)

    assert admission.headers == {
        "RateLimit-Policy": '"minuteRate";q=5000;w=60, "concurrency";q=250;'
                            'qu="concurrent-requests", "complexityMinute";q=10000000;w=60;'
                            'qu="content-bytes"',
        "RateLimit": '"minuteRate";r=4999, "concurrency";r=249, '
                     '"complexityMinute";r=9950000;t=60'}
    assert limiter.headers()["RateLimit"] == ('"minuteRate";r=4999, "concurrency";r=250, '
                                              '"complexityMinute";r=9950000;t=50')


def test_exceeded_minute_limit_shows_time_to_reset() -> None:
    limiter, clock = make_limiter(requests_per_minute=2)
    limiter.admit(0)
    clock.advance(22)
    limiter.admit(0)

    error = rejection(limiter)

    headers = limiter.headers(error=error)
    assert headers["RateLimit"].startswith('"minuteRate";r=0;t=38, ')
    assert headers["Retry-After"] == "38"


# --- the invariant -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(budget=st.integers(1, 500), cap=st.integers(1, 600),
       requests=st.lists(st.tuples(st.floats(0, 90), st.integers(0, 600), st.booleans()),
                         max_size=60))
def test_no_window_ever_admits_more_than_the_budget(
        budget: int, cap: int, requests: list[tuple[float, int, bool]]) -> None:
    limiter, clock = make_limiter(complexity_per_minute=budget, complexity_per_request=cap,
                                  requests_per_minute=UNLIMITED, daily_calls=UNLIMITED)
    spent: dict[float, int] = {}
    for gap, cost, complexity_only in requests:
        clock.advance(gap)
        try:
            admission = limiter.admit(cost, is_complexity_only=complexity_only)
        except MondayError as error:
            assert error.code in ("ComplexityException", "COMPLEXITY_BUDGET_EXHAUSTED")
            assert error.code != "ComplexityException" or cost > cap
            if error.retry_in_seconds is not None:
                assert 1 <= error.retry_in_seconds <= 60
            continue
        start = admission.window_started_at
        assert start <= clock.now() < start + 60
        assert admission.after == admission.before - cost >= 0
        spent[start] = spent.get(start, 0) + cost
        assert spent[start] <= budget
    starts = sorted(spent)
    assert all(later >= earlier + 60 for earlier, later in pairwise(starts))


# --- idempotency ---------------------------------------------------------------------------------

OK = CachedResponse(200, {"Content-Type": "application/json"},
                    {"data": {"create_item": {"id": "11"}}, "extensions": {"request_id": "r1"}})
BODY = request_fingerprint("mutation { create_item(board_id: 1, item_name: \"A\") { id } }")


def test_a_retry_within_30_minutes_replays_the_first_response() -> None:
    clock = FakeClock(START)
    cache = IdempotencyCache(clock)
    assert cache.begin("key-1", BODY) is None
    cache.finish("key-1", OK)
    clock.advance(1799)

    replay = cache.begin("key-1", BODY)

    assert replay is not None
    assert (replay.status, replay.body) == (200, OK.body)
    assert replay.headers == {"Content-Type": "application/json", "Idempotency-Replayed": "true"}
    replay.body["data"] = None  # a caller's edit does not reach the cache
    second = cache.begin("key-1", BODY)
    assert second is not None and second.body == OK.body


def test_the_cached_response_expires_after_30_minutes() -> None:
    clock = FakeClock(START)
    cache = IdempotencyCache(clock)
    cache.begin("key-1", BODY)
    cache.finish("key-1", OK)
    clock.advance(1800)

    assert cache.begin("key-1", BODY) is None
    assert len(cache) == 1  # in flight again


def test_a_key_in_flight_gets_409_with_retry_after() -> None:
    clock = FakeClock(START)
    cache = IdempotencyCache(clock)
    cache.begin("key-1", BODY)

    with pytest.raises(MondayError) as caught:
        cache.begin("key-1", BODY)

    assert caught.value.http_status == 409
    assert wire(caught.value)["errors"] == [{
        "message": "A request with this Idempotency-Key is already in progress",
        "extensions": {"code": "IDEMPOTENCY_CONFLICT", "retry_in_seconds": 1}}]
    assert retry_after_headers(caught.value) == {"Retry-After": "1"}
    clock.advance(60)  # never finished: given up after monday's 60 s timeout
    assert cache.begin("key-1", BODY) is None


def test_a_request_that_was_not_executed_is_not_cached() -> None:
    cache = IdempotencyCache(FakeClock(START))
    cache.begin("key-1", BODY)

    cache.release("key-1")

    assert cache.begin("key-1", BODY) is None


@pytest.mark.parametrize(("policy", "replayed"), [(KeyReuse.REJECT, False),
                                                  (KeyReuse.REPLAY, True)])
def test_same_key_with_a_different_body(policy: KeyReuse, replayed: bool) -> None:
    cache = IdempotencyCache(FakeClock(START), on_key_reuse=policy)
    cache.begin("key-1", BODY)
    cache.finish("key-1", OK)
    other = request_fingerprint("mutation { delete_item(item_id: 11) { id } }")

    if replayed:
        assert cache.begin("key-1", other) is not None
    else:
        with pytest.raises(MondayError) as caught:
            cache.begin("key-1", other)
        assert (caught.value.code, caught.value.http_status) == ("IDEMPOTENCY_KEY_REUSED", 422)


def test_fingerprint_ignores_variable_order_and_an_empty_key_is_refused() -> None:
    query = "mutation ($b: ID!, $n: String!) { create_item(board_id: $b, item_name: $n) { id } }"
    assert request_fingerprint(query, {"b": "1", "n": "A"}) == request_fingerprint(
        query, {"n": "A", "b": "1"})
    assert request_fingerprint(query, {"b": "1", "n": "A"}) != request_fingerprint(
        query, {"b": "1", "n": "B"})
    with pytest.raises(ValueError, match="empty"):
        IdempotencyCache(FakeClock(START)).begin("", BODY)
