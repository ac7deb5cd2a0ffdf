"""Fault injection: each fault says when it strikes and what the executor must do; plans
are scripted or seeded-random, reproducible, and parsed from the CLI or a TOML table."""

from __future__ import annotations

import tomllib
from collections import Counter
from typing import Any

import pytest

from ordersync.errors import ConfigError
from ordersync.sandbox.errors import MondayError, response_body
from ordersync.sandbox.fault_specs import parse_fault_plan
from ordersync.sandbox.faults import (
    Fault,
    FaultAction,
    FaultKind,
    FaultPlan,
    FaultPlanError,
    FaultTiming,
    RequestInfo,
    parse_fault,
)
from ordersync.sandbox.limits import RateLimitCode

QUERY = RequestInfo(mutation_count=0)
MUTATION = RequestInfo(mutation_count=1)
BATCH = RequestInfo(mutation_count=5)


def wire(error: MondayError | None) -> dict[str, Any]:
    assert error is not None
    return response_body("req-1", errors=[error], include_data=False)


@pytest.mark.parametrize(("token", "status", "code", "message"), [
    ("500", 500, "INTERNAL_SERVER_ERROR", "Internal server error"),
    ("502", 502, "BAD_GATEWAY", "Bad gateway"),
    ("503", 503, "SERVICE_UNAVAILABLE", "Service unavailable"),
    ("504", 504, "GATEWAY_TIMEOUT", "Gateway timeout"),
    ("423", 423, "RESOURCE_LOCKED", "Resource is currently locked, please try again later"),
])
def test_http_faults_answer_before_executing(token: str, status: int, code: str,
                                             message: str) -> None:
    fault = parse_fault(token)

    assert fault is not None
    assert (fault.timing, fault.action, fault.http_status) == (
        FaultTiming.BEFORE_EXECUTE, FaultAction.RESPOND_WITH_ERROR, status)
    assert wire(fault.error)["errors"] == [{"message": message, "extensions": {"code": code}}]
    assert fault.headers() == {}


def test_throttle_200_answers_before_executing_with_a_200_and_no_retry_time() -> None:
    fault = parse_fault("throttle_200")

    assert fault is not None
    assert (fault.timing, fault.action, fault.http_status) == (
        FaultTiming.BEFORE_EXECUTE, FaultAction.RESPOND_WITH_ERROR, 200)
    assert wire(fault.error)["errors"] == [{"message": "Rate Limit Exceeded",
                                            "extensions": {"code": "rateLimitExceeded"}}]
    assert fault.headers() == {}


@pytest.mark.parametrize(("token", "code", "message", "retry"), [
    ("429", "MINUTE_RATE_LIMIT_EXCEEDED", "Minute rate limit exceeded", 58),
    ("429(concurrency)", "MAX_CONCURRENCY_EXCEEDED", "Too many concurrent requests", 15),
    ("429(daily)", "DAILY_LIMIT_EXCEEDED", "Daily limit exceeded", 3599),
    ("429(complexity, 5)", "COMPLEXITY_BUDGET_EXHAUSTED", "Complexity budget exhausted", 5),
    ("429(ip,3)", "IP_RATE_LIMIT_EXCEEDED", "IP rate limit exceeded", 3),
])
def test_injected_429s_look_like_mondays(token: str, code: str, message: str,
                                         retry: int) -> None:
    fault = parse_fault(token)

    assert fault is not None and fault.http_status == 429
    assert wire(fault.error) == {"errors": [{"message": message, "extensions": {
        "code": code, "retry_in_seconds": retry}}], "extensions": {"request_id": "req-1"}}
    assert fault.headers() == {"Retry-After": str(retry)}


@pytest.mark.parametrize(("token", "timing", "action", "delay", "alias"), [
    ("slow(2.5)", FaultTiming.AFTER_EXECUTE, FaultAction.DELAY_RESPONSE, 2.5, None),
    ("slow", FaultTiming.AFTER_EXECUTE, FaultAction.DELAY_RESPONSE, 5.0, None),
    ("timeout", FaultTiming.BEFORE_EXECUTE, FaultAction.DROP_RESPONSE, 0.0, None),
    ("timeout_after_apply", FaultTiming.AFTER_EXECUTE, FaultAction.APPLY_THEN_DROP, 0.0, None),
    ("partial(2)", FaultTiming.DURING_EXECUTE, FaultAction.FAIL_ALIAS, 0.0, 2),
    ("partial(2,INTERNAL_SERVER_ERROR,no_path)", FaultTiming.DURING_EXECUTE,
     FaultAction.FAIL_ALIAS, 0.0, 2),
    ("no_id", FaultTiming.AFTER_EXECUTE, FaultAction.STRIP_IDS, 0.0, None),
])
def test_other_faults_say_when_and_what(token: str, timing: FaultTiming, action: FaultAction,
                                        delay: float, alias: int | None) -> None:
    fault = parse_fault(token)

    assert fault is not None
    assert (fault.timing, fault.action, fault.delay_seconds, fault.alias_number) == (
        timing, action, delay, alias)
    assert fault.http_status is None


def test_partial_failure_carries_the_error_for_one_alias() -> None:
    fault = FaultPlan.scripted(["partial(2,ResourceNotFoundException)"]).next_fault(BATCH)

    assert fault is not None and fault.error is not None and fault.alias_number == 2
    assert fault.error.at(["item_2"]).to_payload() == {
        "message": "Item not found in board", "path": ["item_2"],
        "extensions": {"code": "ResourceNotFoundException", "status_code": 404}}
    assert fault.error.http_status == 200  # the rest of the batch still answers


def test_partial_beyond_the_batch_hits_its_last_mutation() -> None:
    plan = FaultPlan.scripted([Fault.partial(9, MondayError("X", "boom"))])
    fault = plan.next_fault(RequestInfo(mutation_count=3))
    assert fault is not None and fault.alias_number == 3


# --- scripted plans ------------------------------------------------------------------------------


def test_script_is_consumed_one_step_per_request_then_runs_clean() -> None:
    plan = FaultPlan.parse(["ok", "500", "timeout_after_apply", "ok"])

    kinds = [getattr(plan.next_fault(MUTATION), "kind", None) for _ in range(6)]

    assert kinds == [None, FaultKind.HTTP_500, FaultKind.TIMEOUT_AFTER_APPLY, None, None, None]


def test_a_cycled_script_starts_over() -> None:
    plan = FaultPlan.parse("503,ok,cycle")
    kinds = [getattr(plan.next_fault(QUERY), "kind", None) for _ in range(5)]
    assert kinds == [FaultKind.HTTP_503, None, FaultKind.HTTP_503, None, FaultKind.HTTP_503]


def test_queries_never_get_mutation_only_faults_and_the_script_does_not_shift() -> None:
    plan = FaultPlan.parse("timeout_after_apply,partial(1),500")

    faults = [plan.next_fault(QUERY) for _ in range(3)]

    assert faults[:2] == [None, None]
    assert faults[2] is not None and faults[2].kind is FaultKind.HTTP_500


def test_no_plan_means_no_faults() -> None:
    specs: list[str | list[str] | None] = [None, "", "none", []]
    for spec in specs:
        plan = parse_fault_plan(spec)
        assert [plan.next_fault(MUTATION) for _ in range(3)] == [None, None, None]


# --- random plans --------------------------------------------------------------------------------


def draw(plan: FaultPlan, count: int, request: RequestInfo = MUTATION) -> list[str]:
    return [f.token if (f := plan.next_fault(request)) else "ok" for _ in range(count)]


def test_the_same_seed_gives_the_same_faults() -> None:
    spec = "500:0.1,timeout_after_apply:0.05,429(daily):0.05,seed=7"

    first, again = draw(FaultPlan.parse(spec), 500), draw(FaultPlan.parse(spec), 500)
    other = draw(FaultPlan.parse(spec.replace("seed=7", "seed=8")), 500)

    assert first == again
    assert first != other


def test_rates_are_respected_over_10000_draws() -> None:
    rates = {"500": 0.1, "timeout_after_apply": 0.05, "429(complexity)": 0.2, "slow(1)": 0.01}
    plan = FaultPlan.random(rates, seed=3)

    seen = Counter(draw(plan, 10_000))

    for token, rate in {"500": 0.1, "timeout_after_apply": 0.05, "429(complexity,22)": 0.2,
                        "slow(1)": 0.01}.items():
        assert seen[token] / 10_000 == pytest.approx(rate, abs=0.015), token
    assert seen["ok"] / 10_000 == pytest.approx(0.64, abs=0.02)


def test_random_queries_skip_mutation_only_faults_without_shifting_the_stream() -> None:
    spec = "timeout_after_apply:0.5,500:0.5,seed=1"

    for_mutations = draw(FaultPlan.parse(spec), 200)
    for_queries = draw(FaultPlan.parse(spec), 200, QUERY)

    assert for_queries == [t if t == "500" else "ok" for t in for_mutations]


# --- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [
    "ok,500,timeout_after_apply,ok",
    "429(daily,5),partial(2,ColumnValueException),slow(0.5),cycle",
    "partial(1,INTERNAL_SERVER_ERROR,no_path),partial(2,ColumnValueException,null_data),"
    "no_id,throttle_200",
    "500:0.1,timeout_after_apply:0.05,seed=7",
    "429(minute,58):0.25,ok:0.5,seed=0",
])
def test_describe_parses_back_to_the_same_plan(spec: str) -> None:
    plan = FaultPlan.parse(spec)

    assert FaultPlan.parse(plan.describe()).describe() == plan.describe()
    assert draw(FaultPlan.parse(plan.describe()), 50) == draw(FaultPlan.parse(spec), 50)


def test_plans_load_from_toml_tables() -> None:
    config = tomllib.loads("""
        [scripted]
        script = ["ok", "500", "429(daily, 5)"]

        [random]
        seed = 7
        rates = { "500" = 0.1, timeout_after_apply = 0.05 }
    """)

    scripted = parse_fault_plan(config["scripted"], source="sandbox.faults")
    random_plan = parse_fault_plan(config["random"])

    assert scripted.describe() == "ok,500,429(daily,5)"
    assert random_plan.describe() == "500:0.1,timeout_after_apply:0.05,seed=7"
    assert draw(random_plan, 100) == draw(FaultPlan.parse(random_plan.describe()), 100)


@pytest.mark.parametrize(("spec", "problems"), [
    pytest.param("ok,5000,slow(fast)", [
        "faults: item 1: unknown fault kind '5000'",
        "faults: item 2: delay seconds must be a number, got 'fast'"], id="script-tokens"),
    pytest.param("500:0.7,429:0.6", ["faults.rates: rates sum to 1.3"], id="rates-over-one"),
    pytest.param("500:0.1,timeout", ["mix of scripted and rated faults"], id="mixed"),
    pytest.param("500:lots,seed=x", ["faults.rates.500: rate must be a number, got 'lots'",
                                     "faults.seed: must be a whole number, got 'x'"],
                 id="bad-rate-and-seed"),
    pytest.param("500:1.5", ["rate must lie between 0 and 1"], id="rate-out-of-range"),
    pytest.param("500,seed=3", ["a seed only applies to rates"], id="seed-on-script"),
    pytest.param("429(hourly)", ["unknown rate limit 'hourly'"], id="unknown-limit"),
    pytest.param("partial(0)", ["aliases are counted from 1"], id="alias-zero"),
    pytest.param("partial(1,Oops)", ["partial: unknown error code 'Oops'"], id="unknown-code"),
    pytest.param("partial(1,INTERNAL_SERVER_ERROR,loud)", ["partial: unknown form 'loud'"],
                 id="unknown-form"),
    pytest.param("no_id(2)", ["fault 'no_id' takes no arguments"], id="args-on-no_id"),
    pytest.param("idempotency=sometimes", ["faults.idempotency: must be honour or ignore"],
                 id="idempotency-setting"),
    pytest.param("500(now)", ["fault '500' takes no arguments"], id="args-on-500"),
    pytest.param({"script": ["500"], "rates": {"500": 0.1}, "colour": "red"},
                 ["faults.colour: unknown key", "give either script or rates, not both"],
                 id="table-keys"),
    pytest.param({"script": "500", "cycle": "yes"},
                 ["faults.cycle: must be true or false", "faults.script: must be a list"],
                 id="table-types"),
    pytest.param({"script": ["500", 42]}, ["faults.script[1]: must be a fault token, got 42"],
                 id="table-script-item"),
    pytest.param({"rates": {"500": 0.1}, "seed": 1.5}, ["faults.seed: must be a whole number"],
                 id="table-seed"),
])
def test_every_problem_in_a_plan_is_reported_at_once(spec: Any, problems: list[str]) -> None:
    with pytest.raises(FaultPlanError) as caught:
        parse_fault_plan(spec)

    assert isinstance(caught.value, ConfigError)  # the CLI prints it as one error, exit 1
    assert len(caught.value.problems) == len(problems)
    for found, expected in zip(caught.value.problems, problems, strict=True):
        assert expected in found


def test_programmatic_plans_refuse_bad_rates() -> None:
    with pytest.raises(ValueError, match="sum to at most 1"):
        FaultPlan.random({"500": 0.6, "502": 0.6})
    with pytest.raises(ValueError, match="counted from 1"):
        Fault.partial(0)
    with pytest.raises(ValueError):
        Fault.http(418)
    assert Fault.rate_limited(RateLimitCode.DAILY).token == "429(daily,3599)"
