"""The sandbox over HTTP: hand-written GraphQL through httpx's in-process ASGI transport."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync.sandbox.app import ResponseDropped, Sandbox
from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.store import OrderBoard

AUTH = {"Authorization": "test-token", "API-Version": "2026-07"}


class Api:
    """A tiny synchronous facade over ``httpx.AsyncClient`` + ``Sandbox.transport()``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def post(self, query: str | None = None, variables: Any = None, *,
             headers: dict[str, str] | None = None, body: Any = None) -> httpx.Response:
        payload = body if body is not None else {"query": query, "variables": variables}

        async def send() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.sandbox.transport(),
                                         base_url="https://api.monday.com") as client:
                return await client.post("/v2", json=payload,
                                         headers=AUTH if headers is None else headers)
        return asyncio.run(send())

    def gql(self, query: str, variables: Any = None, **kwargs: Any) -> dict[str, Any]:
        response = self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        uuid.UUID(body["extensions"]["request_id"])
        return body


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def sandbox(clock: FakeClock, sleeps: Sleeps) -> Sandbox:
    return Sandbox(clock=clock, sleep=sleeps)


@pytest.fixture
def ids(sandbox: Sandbox) -> OrderBoard:
    return sandbox.create_order_board()


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox)


CREATE = """mutation ($board: ID!, $name: String!, $values: JSON) {
  create_item(board_id: $board, item_name: $name, column_values: $values) { id name }
}"""


def create(api: Api, ids: OrderBoard, name: str = "PO-1", **values: Any) -> str:
    body = api.gql(CREATE, {"board": ids.board_id, "name": name,
                            "values": json.dumps(values)})
    assert "errors" not in body, body
    return str(body["data"]["create_item"]["id"])


# --- queries -------------------------------------------------------------------------------


def test_boards_query_returns_groups_columns_and_a_page_of_items(api: Api,
                                                                 ids: OrderBoard) -> None:
    first = create(api, ids, "A", status={"label": "Done"}, total_qty=5)
    create(api, ids, "B")
    body = api.gql("""query ($ids: [ID!]) { boards(ids: $ids) { id name groups { id title }
        columns { id title type settings settings_str }
        items_page(limit: 1) { cursor items { id name state group { id title } board { id }
          column_values { id text value type ... on StatusValue { label index } } } } } }""",
                   {"ids": [ids.board_id]})
    board = body["data"]["boards"][0]
    assert board["id"] == ids.board_id and board["name"] == "Orders"
    assert board["groups"] == [{"id": "topics", "title": "Group Title"}]
    status = next(c for c in board["columns"] if c["id"] == "status")
    assert status["type"] == "status" and status["settings"]["labels"]["1"] == "Done"
    assert json.loads(status["settings_str"]) == status["settings"]
    page = board["items_page"]
    assert page["cursor"] and [i["id"] for i in page["items"]] == [first]
    item = page["items"][0]
    assert item["state"] == "active" and item["board"] == {"id": ids.board_id}
    cells = {c["id"]: c for c in item["column_values"]}
    assert cells["status"] == {"id": "status", "text": "Done", "type": "status", "label": "Done",
                               "index": 1, "value": '{"index":1,"post_id":null}'}
    assert cells["total_qty"]["text"] == "5"
    following = api.gql("query ($c: String!) { next_items_page(cursor: $c, limit: 5) "
                        "{ cursor items { name } } }", {"c": page["cursor"]})
    assert following["data"]["next_items_page"] == {"cursor": None, "items": [{"name": "B"}]}


def test_items_by_id_with_subitems_and_parent(api: Api, ids: OrderBoard) -> None:
    parent = create(api, ids, "PO-1", order_key="K1")
    sub = api.gql("""mutation ($p: ID!) { create_subitem(parent_item_id: $p, item_name: "M",
        column_values: "{\\"size\\": \\"M\\", \\"order_qty\\": 3}") { id board { id } } }""",
                  {"p": parent})["data"]["create_subitem"]
    assert sub["board"] == {"id": ids.subitems_board_id}
    body = api.gql("""query ($ids: [ID!]) { items(ids: $ids) { id name parent_item { id }
        subitems { id name column_values(ids: ["size", "order_qty"]) { id text } } } }""",
                   {"ids": [parent, sub["id"]]})
    parent_row, sub_row = body["data"]["items"]
    assert parent_row["parent_item"] is None
    assert parent_row["subitems"] == [{"id": sub["id"], "name": "M", "column_values": [
        {"id": "size", "text": "M"}, {"id": "order_qty", "text": "3"}]}]
    assert sub_row["parent_item"] == {"id": parent}


def test_items_page_by_column_values(api: Api, ids: OrderBoard) -> None:
    wanted = create(api, ids, "A", order_key="K-7")
    create(api, ids, "B", order_key="K-8")
    body = api.gql("""query ($b: ID!) { items_page_by_column_values(board_id: $b,
        columns: [{column_id: "order_key", column_values: ["k-7"]}], limit: 10)
        { cursor items { id } } }""", {"b": ids.board_id})
    assert body["data"]["items_page_by_column_values"] == {"cursor": None,
                                                           "items": [{"id": wanted}]}


def test_me_version_and_complexity(api: Api) -> None:
    body = api.gql("{ me { id name email } version { kind value display_name } "
                   "complexity { before query after reset_in_x_seconds } }")
    data = body["data"]
    assert set(data["me"]) == {"id", "name", "email"}
    assert data["version"] == {"kind": "current", "value": "2026-07", "display_name": "2026-07"}
    cost = data["complexity"]["query"]
    assert data["complexity"] == {"before": 10_000_000, "query": cost,
                                  "after": 10_000_000 - cost, "reset_in_x_seconds": 60}
    again = api.gql("{ complexity { before after } }")["data"]["complexity"]
    assert again["before"] == 10_000_000 - cost


# --- mutations -----------------------------------------------------------------------------


def test_mutations_change_archive_delete_and_group(api: Api, sandbox: Sandbox,
                                                   ids: OrderBoard) -> None:
    item = create(api, ids, "PO-1", order_key="K1")
    body = api.gql("""mutation ($b: ID!, $i: ID!) {
      multi: change_multiple_column_values(board_id: $b, item_id: $i,
        column_values: "{\\"customer\\": \\"ACME\\", \\"status\\": {\\"index\\": 2}}") { id }
      simple: change_simple_column_value(board_id: $b, item_id: $i, column_id: "total_qty",
        value: "12") { id column_values(ids: ["total_qty"]) { text } }
      group: create_group(board_id: $b, group_name: "Shipped") { id title }
      complexity { query } }""", {"b": ids.board_id, "i": item})
    assert "errors" not in body
    assert body["data"]["simple"]["column_values"] == [{"text": "12"}]
    assert body["data"]["complexity"]["query"] >= 90_000
    row = sandbox.board(ids.board_id)["groups"][1]["items"][0]
    assert row["values"]["customer"] == "ACME" and row["values"]["status"] == "Stuck"
    assert sandbox.board(ids.board_id)["groups"][0]["title"] == "Shipped"
    archived = api.gql("mutation ($i: ID) { archive_item(item_id: $i) { id state } }",
                       {"i": item})["data"]["archive_item"]
    assert archived == {"id": item, "state": "archived"}
    deleted = api.gql("mutation ($i: ID) { delete_item(item_id: $i) { state } }", {"i": item})
    assert deleted["data"]["delete_item"] == {"state": "deleted"}


def test_aliased_batch_fails_only_the_bad_alias(api: Api, sandbox: Sandbox,
                                                ids: OrderBoard) -> None:
    body = api.gql(f"""mutation {{
      a: create_item(board_id: {ids.board_id}, item_name: "A") {{ id }}
      b: create_item(board_id: {ids.board_id}, item_name: "B",
                     column_values: "{{\\"status\\": {{\\"label\\": \\"Nope\\"}}}}") {{ id }}
      c: create_item(board_id: {ids.board_id}, item_name: "C") {{ id }} }}""")
    assert body["data"]["a"] and body["data"]["b"] is None and body["data"]["c"]
    [error] = body["errors"]
    assert error["path"] == ["b"] and error["extensions"]["code"] == "ColumnValueException"
    names = [i["name"] for i in sandbox.board(ids.board_id)["groups"][0]["items"]]
    assert names == ["A", "C"]


def test_column_values_as_a_json_object_literal(api: Api, sandbox: Sandbox,
                                                ids: OrderBoard) -> None:
    body = api.gql(f'mutation {{ create_item(board_id: {ids.board_id}, item_name: "X", '
                   'column_values: {customer: "ACME"}) { id } }')
    assert "errors" not in body
    assert sandbox.board(ids.board_id)["groups"][0]["items"][0]["values"]["customer"] == "ACME"


# --- request errors ------------------------------------------------------------------------


def test_validation_error_is_http_200_without_data(api: Api) -> None:
    body = api.gql("{ boards { nope } }")
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["locations"] == [{"line": 1, "column": 12}]


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Bearer "}],
                         ids=["missing", "empty", "bearer-empty"])
def test_missing_token_is_401(api: Api, headers: dict[str, str]) -> None:
    response = api.post("{ me { id } }", headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Not Authenticated"


def test_bearer_token_is_accepted(api: Api) -> None:
    assert api.gql("{ me { id } }", headers={"Authorization": "Bearer abc"})["data"]["me"]


def test_variables_as_a_string_are_rejected(api: Api) -> None:
    response = api.post(body={"query": "query ($i: [ID!]) { items(ids: $i) { id } }",
                              "variables": '{"i": [1]}'})
    assert response.status_code == 400
    assert "variables must be a JSON object" in response.json()["errors"][0]["message"]


# --- limits --------------------------------------------------------------------------------


def _small(sandbox: Sandbox, **changes: Any) -> None:
    limits = replace(sandbox.limits, **changes)
    sandbox.limits = limits
    sandbox.limiter = type(sandbox.limiter)(limits, sandbox.clock)


def test_complexity_budget_exhausted_then_recovers(api: Api, sandbox: Sandbox,
                                                   clock: FakeClock, ids: OrderBoard) -> None:
    _small(sandbox, complexity_per_minute=70_000)
    create(api, ids, "A")
    create(api, ids, "B")
    clock.advance(20)
    response = api.post(CREATE, {"board": ids.board_id, "name": "C"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "40"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": 40}
    clock.advance(60)
    assert api.post(CREATE, {"board": ids.board_id, "name": "C"}).status_code == 200


def test_minute_rate_limit(api: Api, sandbox: Sandbox, clock: FakeClock) -> None:
    _small(sandbox, requests_per_minute=2)
    api.gql("{ me { id } }")
    api.gql("{ me { id } }")
    response = api.post("{ me { id } }")
    assert response.status_code == 429
    assert response.json()["errors"][0]["extensions"]["code"] == "MINUTE_RATE_LIMIT_EXCEEDED"
    assert response.headers["Retry-After"] == "60"
    clock.advance(60)
    assert api.post("{ me { id } }").status_code == 200


def test_per_request_complexity_cap(api: Api, sandbox: Sandbox) -> None:
    _small(sandbox, complexity_per_request=1_000)
    body = api.gql("{ boards(limit: 500) { id items_page(limit: 500) { items { id } } } }")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "ComplexityException"
    assert "exceeds max complexity of 1000" in error["message"]


# --- idempotency ---------------------------------------------------------------------------


def test_idempotency_key_replays_without_applying_twice(api: Api, sandbox: Sandbox,
                                                        ids: OrderBoard) -> None:
    headers = {**AUTH, "Idempotency-Key": "k-1"}
    variables = {"board": ids.board_id, "name": "PO-1"}
    first = api.post(CREATE, variables, headers=headers)
    second = api.post(CREATE, variables, headers=headers)
    assert "Idempotency-Replayed" not in first.headers
    assert second.headers["Idempotency-Replayed"] == "true"
    assert second.json() == first.json()
    assert len(sandbox.board(ids.board_id)["groups"][0]["items"]) == 1


# --- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "status", "code"), [
    ("500", 500, "INTERNAL_SERVER_ERROR"), ("502", 502, "BAD_GATEWAY"),
    ("503", 503, "SERVICE_UNAVAILABLE"), ("423", 423, "RESOURCE_LOCKED"),
    ("429(minute,7)", 429, "MINUTE_RATE_LIMIT_EXCEEDED"),
])
def test_injected_http_faults(clock: FakeClock, token: str, status: int, code: str) -> None:
    sandbox = Sandbox(clock=clock, faults=token)
    ids = sandbox.create_order_board()
    response = Api(sandbox).post(CREATE, {"board": ids.board_id, "name": "X"})
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert sandbox.board(ids.board_id)["groups"][0]["items"] == []
    if status == 429:
        assert response.headers["Retry-After"] == "7"


def test_timeout_after_apply_then_retry_gets_the_cached_response(clock: FakeClock) -> None:
    sleeps = Sleeps()
    sandbox = Sandbox(clock=clock, sleep=sleeps, faults="timeout_after_apply")
    ids = sandbox.create_order_board()
    api = Api(sandbox)
    headers = {**AUTH, "Idempotency-Key": "order-PO-1"}
    variables = {"board": ids.board_id, "name": "PO-1"}
    with pytest.raises(httpx.TimeoutException) as caught:
        api.post(CREATE, variables, headers=headers)
    assert isinstance(caught.value, ResponseDropped)
    assert sleeps.calls == [sandbox.drop_seconds]
    retry = api.post(CREATE, variables, headers=headers)
    assert retry.status_code == 200 and retry.headers["Idempotency-Replayed"] == "true"
    items = sandbox.board(ids.board_id)["groups"][0]["items"]
    assert [i["name"] for i in items] == ["PO-1"]
    assert retry.json()["data"]["create_item"]["id"] == items[0]["id"]


def test_slow_fault_delays_through_the_injected_sleep(clock: FakeClock) -> None:
    sleeps = Sleeps()
    sandbox = Sandbox(clock=clock, sleep=sleeps, faults="slow(7)")
    assert Api(sandbox).gql("{ me { id } }")["data"]["me"]
    assert sleeps.calls == [7.0]


def test_partial_fault_fails_the_kth_alias(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, faults="partial(2)")
    ids = sandbox.create_order_board()
    body = Api(sandbox).gql(f"""mutation {{
      a: create_item(board_id: {ids.board_id}, item_name: "A") {{ id }}
      b: create_item(board_id: {ids.board_id}, item_name: "B") {{ id }} }}""")
    assert body["data"]["a"] and body["data"]["b"] is None
    assert body["errors"][0]["path"] == ["b"]
    assert [i["name"] for i in sandbox.board(ids.board_id)["groups"][0]["items"]] == ["A"]


@pytest.mark.parametrize(("form", "data", "path"), [
    ("path", {"a": True, "b": False}, ["b"]),
    ("no_path", {"a": True, "b": False}, None),
    ("null_data", None, ["b"]),
])
def test_partial_fault_forms_say_it_differently_and_apply_the_same(
        clock: FakeClock, form: str, data: dict[str, Any] | None, path: list[str] | None
) -> None:
    sandbox = Sandbox(clock=clock, faults=f"partial(2,INTERNAL_SERVER_ERROR,{form})")
    ids = sandbox.create_order_board()
    body = Api(sandbox).gql(f"""mutation {{
      a: create_item(board_id: {ids.board_id}, item_name: "A") {{ id }}
      b: create_item(board_id: {ids.board_id}, item_name: "B") {{ id }} }}""")
    shown = None if body["data"] is None else {k: bool(v) for k, v in body["data"].items()}
    assert shown == data
    (error,) = body["errors"]
    assert error.get("path") == path
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "status_code": 500}
    assert [i["name"] for i in sandbox.board(ids.board_id)["groups"][0]["items"]] == ["A"]


def test_no_id_fault_applies_the_mutations_and_answers_without_their_ids(
        clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, faults="no_id")
    ids = sandbox.create_order_board()
    body = Api(sandbox).gql(f"""mutation {{
      a: create_item(board_id: {ids.board_id}, item_name: "A") {{ id name }} }}""")
    assert body["data"] == {"a": {"name": "A"}} and "errors" not in body
    assert [i["name"] for i in sandbox.board(ids.board_id)["groups"][0]["items"]] == ["A"]


def test_throttle_200_fault_is_a_throttle_in_a_200_body_without_a_retry_time(
        clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, faults="throttle_200")
    ids = sandbox.create_order_board()
    response = Api(sandbox).post(CREATE, {"board": ids.board_id, "name": "X"})
    assert response.status_code == 200 and "Retry-After" not in response.headers
    assert response.json()["errors"] == [{"message": "Rate Limit Exceeded",
                                          "extensions": {"code": "rateLimitExceeded"}}]
    assert "data" not in response.json()
    assert sandbox.board(ids.board_id)["groups"][0]["items"] == []


# --- state and the sync transport ----------------------------------------------------------


def test_state_file_round_trip(tmp_path: Path, clock: FakeClock) -> None:
    state = tmp_path / "state.json"
    first = Sandbox(clock=clock, state_path=state)
    ids = first.create_order_board()
    create(Api(first), ids, "PO-1", order_key="K1")
    second = Sandbox(clock=clock, state_path=state)
    assert second.board(ids.board_id) == first.board(ids.board_id)
    assert second.board(ids.board_id)["groups"][0]["items"][0]["values"]["order_key"] == "K1"
    assert not list(tmp_path.glob(".sandbox-*"))


def test_mock_transport_serves_a_sync_client(sandbox: Sandbox, ids: OrderBoard) -> None:
    with httpx.Client(transport=sandbox.mock_transport(),
                      base_url="https://api.monday.com") as client:
        response = client.post("/v2", headers=AUTH,
                               json={"query": "query ($b: [ID!]) { boards(ids: $b) { name } }",
                                     "variables": {"b": [ids.board_id]}})
    assert response.json()["data"] == {"boards": [{"name": "Orders"}]}


@pytest.mark.parametrize(("version", "accepted"), [
    ("2026-07", True), ("2025-04", True), ("dev", True),
    ("2026-05", False), ("latest", False), ("26-07", False),
], ids=lambda v: str(v))
def test_api_version_header(api: Api, version: str, accepted: bool) -> None:
    body = api.gql("{ version { value } }", headers={**AUTH, "API-Version": version})

    if accepted:
        assert body["data"]["version"]["value"] == version
    else:
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "InvalidVersionException"
