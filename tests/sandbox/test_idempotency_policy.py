"""What monday leaves undocumented about Idempotency-Key is a sandbox setting, tested both ways.

``replay_errors``: is a response with errors kept for replay?  ``key_reuse``: what does
a key sent again with another body get?  Both are chosen in the faults spec (``--faults
"replay_errors=no,key_reuse=replay"``) or a faults table, alone or beside faults.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from ordersync.sandbox import FakeClock, Sandbox
from ordersync.sandbox.faults import FaultPlan, FaultPlanError
from ordersync.sandbox.idempotency import IdempotencyPolicy, KeyReuse
from ordersync.sandbox.server import SandboxOptions, SandboxStartError, build_sandbox

AUTH = {"Authorization": "test-token", "API-Version": "2026-07"}
BATCH = """mutation ($b: ID!, $good: String!, $bad: JSON) {
  ok: create_item(board_id: $b, item_name: $good) { id }
  refused: create_item(board_id: $b, item_name: "bad", column_values: $bad) { id }
}"""


def post(sandbox: Sandbox, query: str, variables: dict[str, Any], key: str) -> httpx.Response:
    with httpx.Client(transport=sandbox.mock_transport(), base_url="https://api.monday.com",
                      headers={**AUTH, "Idempotency-Key": key}) as client:
        return client.post("/v2", json={"query": query, "variables": variables})


def item_names(sandbox: Sandbox, board_id: str) -> list[str]:
    return [i["name"] for g in sandbox.board(board_id)["groups"] for i in g["items"]]


@pytest.mark.parametrize(("spec", "replayed", "names"), [
    (None, True, ["PO-1"]),
    ("replay_errors=yes", True, ["PO-1"]),
    ("replay_errors=no", False, ["PO-1", "PO-1"]),
    ({"replay_errors": False, "script": ["ok"]}, False, ["PO-1", "PO-1"]),
], ids=["default", "yes", "no", "table"])
def test_a_partly_failed_batch_is_replayed_or_run_again(spec: Any, replayed: bool,
                                                        names: list[str]) -> None:
    sandbox = Sandbox(clock=FakeClock(), faults=FaultPlan.parse(spec))
    board = sandbox.create_order_board().board_id
    variables = {"b": board, "good": "PO-1", "bad": json.dumps({"nope": "x"})}
    first = post(sandbox, BATCH, variables, "k-1")
    again = post(sandbox, BATCH, variables, "k-1")
    assert first.json()["errors"][0]["path"] == ["refused"]
    assert (again.headers.get("Idempotency-Replayed") == "true") is replayed
    assert item_names(sandbox, board) == names


def test_a_response_without_errors_is_replayed_either_way() -> None:
    sandbox = Sandbox(clock=FakeClock(), faults="replay_errors=no")
    board = sandbox.create_order_board().board_id
    query = 'mutation ($b: ID!) { create_item(board_id: $b, item_name: "PO-1") { id } }'
    first = post(sandbox, query, {"b": board}, "k")
    again = post(sandbox, query, {"b": board}, "k")
    assert again.headers["Idempotency-Replayed"] == "true" and again.json() == first.json()
    assert item_names(sandbox, board) == ["PO-1"]


@pytest.mark.parametrize(("spec", "status", "names"), [
    (None, 422, ["PO-1"]),
    ("key_reuse=reject", 422, ["PO-1"]),
    ("key_reuse=replay", 200, ["PO-1"]),
    ("ok,key_reuse=replay,ok", 200, ["PO-1"]),
], ids=["default", "reject", "replay", "beside-a-script"])
def test_a_key_reused_with_another_body(spec: str | None, status: int,
                                        names: list[str]) -> None:
    sandbox = Sandbox(clock=FakeClock(), faults=spec)
    board = sandbox.create_order_board().board_id
    query = 'mutation ($b: ID!, $n: String!) { create_item(board_id: $b, item_name: $n) { id } }'
    first = post(sandbox, query, {"b": board, "n": "PO-1"}, "k")
    reused = post(sandbox, query, {"b": board, "n": "PO-2"}, "k")
    assert reused.status_code == status
    if status == 422:
        assert reused.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    else:
        assert reused.json() == first.json()
    assert item_names(sandbox, board) == names


@pytest.mark.parametrize(("spec", "names"), [
    (None, ["PO-1"]), ("idempotency=honour", ["PO-1"]),
    ("idempotency=ignore", ["PO-1", "PO-1"]), ({"idempotency": "ignore"}, ["PO-1", "PO-1"]),
], ids=["default", "honour", "ignore", "table"])
def test_a_server_that_ignores_the_key_executes_a_retry_again(spec: Any,
                                                              names: list[str]) -> None:
    sandbox = Sandbox(clock=FakeClock(), faults=FaultPlan.parse(spec))
    board = sandbox.create_order_board().board_id
    query = 'mutation ($b: ID!) { create_item(board_id: $b, item_name: "PO-1") { id } }'
    first = post(sandbox, query, {"b": board}, "k")
    again = post(sandbox, query, {"b": board}, "k")
    assert (again.headers.get("Idempotency-Replayed") == "true") is (len(names) == 1)
    assert (again.json() == first.json()) is (len(names) == 1)
    assert item_names(sandbox, board) == names


def test_the_settings_reach_the_cli_sandbox_and_bad_values_are_named() -> None:
    box = build_sandbox(SandboxOptions(faults="replay_errors=no,key_reuse=replay,ok"))
    assert (box.idempotency.replay_errors, box.idempotency.on_key_reuse) == (
        False, KeyReuse.REPLAY)
    with pytest.raises(SandboxStartError) as caught:
        build_sandbox(SandboxOptions(faults="replay_errors=maybe,key_reuse=sometimes,bogus"))
    message = str(caught.value)
    assert "replay_errors" in message and "key_reuse" in message and "'bogus'" in message


def test_an_explicit_policy_wins_over_the_faults_spec() -> None:
    sandbox = Sandbox(clock=FakeClock(), faults="replay_errors=no",
                      idempotency=IdempotencyPolicy(replay_errors=True))
    assert sandbox.idempotency.replay_errors is True
    with pytest.raises(FaultPlanError):
        FaultPlan.parse({"key_reuse": "never"})
