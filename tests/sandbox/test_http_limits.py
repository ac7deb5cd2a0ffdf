"""Limits through HTTP that ``test_app.py`` does not cover: concurrency, daily calls, the
minute count's bookkeeping, the per-request cap on a mutation, and ``complexity`` numbers
across requests.  Everything runs on a ``FakeClock``; nothing really sleeps."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from ordersync.sandbox.app import Sandbox
from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.server import SandboxOptions, SandboxStartError, build_sandbox

AUTH = {"Authorization": "test-token", "API-Version": "2026-07"}
ME = "{ me { id } }"
COMPLEXITY = "complexity { before query after reset_in_x_seconds }"


def post(sandbox: Sandbox, query: str, variables: Any = None) -> httpx.Response:
    async def send() -> httpx.Response:
        async with httpx.AsyncClient(transport=sandbox.transport(),
                                     base_url="https://api.monday.com") as client:
            return await client.post("/v2", headers=AUTH,
                                     json={"query": query, "variables": variables})
    return asyncio.run(send())


def ok(sandbox: Sandbox, query: str, variables: Any = None) -> dict[str, Any]:
    response = post(sandbox, query, variables)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def rejected(response: httpx.Response, code: str, message: str, retry: int) -> None:
    """A §2.8 rate-limit answer: HTTP 429, Retry-After, one error, no data."""
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(retry)
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [{"message": message,
                               "extensions": {"code": code, "retry_in_seconds": retry}}]


def small(sandbox: Sandbox, **changes: Any) -> Sandbox:
    sandbox.limits = replace(sandbox.limits, **changes)
    sandbox.limiter = type(sandbox.limiter)(sandbox.limits, sandbox.clock)
    return sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()  # 2026-01-05 09:00 UTC


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


# --- concurrency ---------------------------------------------------------------------------


def test_concurrency_limit_while_a_slow_response_holds_the_only_slot(clock: FakeClock) -> None:
    async def scenario() -> None:
        release, held = asyncio.Event(), []

        async def sleep(seconds: float) -> None:  # the slow fault's delay, until released
            held.append(seconds)
            await release.wait()

        sandbox = small(Sandbox(clock=clock, sleep=sleep, faults="slow(30)"), concurrency=1)
        async with httpx.AsyncClient(transport=sandbox.transport(),
                                     base_url="https://api.monday.com") as client:
            first = asyncio.create_task(client.post("/v2", headers=AUTH, json={"query": ME}))
            for _ in range(1000):
                if held:
                    break
                await asyncio.sleep(0)  # let the first request reach its delay
            assert held == [30.0]
            assert sandbox.limiter.snapshot().in_flight == 1
            second = await client.post("/v2", headers=AUTH, json={"query": ME})
            rejected(second, "MAX_CONCURRENCY_EXCEEDED", "Too many concurrent requests", 15)
            assert '"concurrency";r=0;t=15' in second.headers["RateLimit"]
            release.set()
            assert (await first).status_code == 200
            assert sandbox.limiter.snapshot().in_flight == 0
            third = await client.post("/v2", headers=AUTH, json={"query": ME})
            assert third.status_code == 200
            # remaining slots count this request itself (as §2.7's r=249 of 250 does)
            assert '"concurrency";r=0' in third.headers["RateLimit"]
        snapshot = sandbox.limiter.snapshot()
        assert snapshot.daily_calls_used == pytest.approx(2.1)  # the rejection weighs 0.1
        assert snapshot.minute_requests == 3

    asyncio.run(scenario())


def test_concurrency_limit_of_the_plan_with_every_slot_held(sandbox: Sandbox) -> None:
    slots = [sandbox.limiter.enter() for _ in range(sandbox.limits.concurrency)]
    assert len(slots) == 40  # standard plan (API_NOTES §2.4)
    response = post(sandbox, ME)
    rejected(response, "MAX_CONCURRENCY_EXCEEDED", "Too many concurrent requests", 15)
    slots.pop().leave()
    assert post(sandbox, ME).status_code == 200
    assert sandbox.limiter.snapshot().in_flight == 39  # the request gave its slot back


# --- daily calls ---------------------------------------------------------------------------


def test_daily_limit_until_midnight_utc(sandbox: Sandbox, clock: FakeClock) -> None:
    small(sandbox, daily_calls=3)
    for _ in range(3):
        ok(sandbox, ME)
    # 09:00 UTC: 15 hours to midnight
    rejected(post(sandbox, ME), "DAILY_LIMIT_EXCEEDED", "Daily limit exceeded", 54_000)
    assert sandbox.limiter.snapshot().daily_calls_used == pytest.approx(3.1)
    clock.advance_to(datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC))
    rejected(post(sandbox, ME), "DAILY_LIMIT_EXCEEDED", "Daily limit exceeded", 1)
    clock.advance(1)
    assert ok(sandbox, ME)["me"]
    assert sandbox.limiter.snapshot().daily_calls_used == pytest.approx(1.0)


def test_complexity_only_requests_weigh_a_tenth_of_a_daily_call(sandbox: Sandbox) -> None:
    small(sandbox, daily_calls=2)
    ok(sandbox, ME)
    for _ in range(10):
        ok(sandbox, f"{{ {COMPLEXITY} }}")
    assert sandbox.limiter.snapshot().daily_calls_used == pytest.approx(2.0)
    rejected(post(sandbox, f"{{ {COMPLEXITY} }}"), "DAILY_LIMIT_EXCEEDED",
             "Daily limit exceeded", 54_000)


# --- minute count and the per-request cap (the basics are in test_app.py) -----------------


def test_minute_count_skips_invalid_documents_but_counts_rejections(
        sandbox: Sandbox, clock: FakeClock) -> None:
    small(sandbox, requests_per_minute=2)
    invalid = post(sandbox, "{ me { nope } }")
    assert invalid.status_code == 200 and "errors" in invalid.json()  # not counted
    ok(sandbox, ME)
    clock.advance(20)
    second = post(sandbox, ME)
    assert second.headers["RateLimit"].startswith('"minuteRate";r=0;t=40,')
    rejected(post(sandbox, ME), "MINUTE_RATE_LIMIT_EXCEEDED", "Minute rate limit exceeded", 40)
    assert sandbox.limiter.snapshot().minute_requests == 3  # the rejection counts too
    clock.advance(40)
    assert ok(sandbox, ME)["me"]


def test_mutation_over_the_per_request_cap_executes_nothing(sandbox: Sandbox) -> None:
    ids = sandbox.create_order_board()
    small(sandbox, complexity_per_request=30_000)  # create_item { id } costs 30,001
    response = post(sandbox, "mutation ($b: ID!) { create_item(board_id: $b, item_name: "
                             '"PO-1") { id } }', {"b": ids.board_id})
    assert response.status_code == 200 and "Retry-After" not in response.headers
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [{
        "message": "Query has complexity of 30001, which exceeds max complexity of 30000",
        "extensions": {"code": "ComplexityException"}}]
    assert sandbox.board(ids.board_id)["groups"][0]["items"] == []
    assert sandbox.limiter.snapshot().complexity_used == 0


# --- the complexity field --------------------------------------------------------------------


def test_complexity_numbers_across_requests(sandbox: Sandbox, clock: FakeClock) -> None:
    ids = sandbox.create_order_board()
    # complexity {4 scalars} = 10 + 4; me { id } = 10 + 1
    first = ok(sandbox, f"{{ {COMPLEXITY} me {{ id }} }}")["complexity"]
    assert first == {"before": 10_000_000, "query": 25, "after": 9_999_975,
                     "reset_in_x_seconds": 60}
    clock.advance(15.5)
    # create_item { id } = 30,000 + 1; the complexity field 14 more
    response = post(sandbox, f"mutation ($b: ID!) {{ create_item(board_id: $b, "
                             f'item_name: "PO-1") {{ id }} {COMPLEXITY} }}', {"b": ids.board_id})
    second = response.json()["data"]["complexity"]
    assert second == {"before": 9_999_975, "query": 30_015, "after": 9_969_960,
                      "reset_in_x_seconds": 45}  # 44.5 s left, rounded up
    assert response.headers["RateLimit"].endswith('"complexityMinute";r=9969960;t=45')
    clock.advance(44.5)  # the window opened by the first request closes
    third = ok(sandbox, f"{{ {COMPLEXITY} }}")["complexity"]
    assert third == {"before": 10_000_000, "query": 14, "after": 9_999_986,
                     "reset_in_x_seconds": 60}


# --- ordersync sandbox --faults --------------------------------------------------------------


@pytest.mark.parametrize(("spec", "names"), [
    ("ok,boom,429(hourly)", ["bad token 'boom'", "bad token '429(hourly)'"]),
    ("seed=3,ok,slow(-1),cycle", ["a seed only applies to rates", "bad token 'slow(-1)'"]),
    ("500:0.1,boom:0.2,seed=x", ["bad token 'boom'", "seed: must be a whole number"]),
], ids=["script", "script-with-seed-and-cycle", "rates"])
def test_bad_fault_spec_is_one_line_naming_the_bad_tokens(spec: str, names: list[str]) -> None:
    with pytest.raises(SandboxStartError) as caught:
        build_sandbox(SandboxOptions(faults=spec))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"invalid --faults {spec!r}: ")
    for name in names:
        assert name in message
