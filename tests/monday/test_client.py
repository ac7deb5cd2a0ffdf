"""``MondayClient`` against the in-process sandbox: results, limits, faults, fatal errors."""

from __future__ import annotations

import json
import logging
import random
import uuid
from dataclasses import replace
from typing import Any

import httpx
import pytest

from ordersync.errors import FatalSyncError, RecordSyncError, RetriableSyncError, SyncError
from ordersync.monday.client import MondayClient, token_from_env
from ordersync.monday.retry import RetryPolicy
from ordersync.monday.wire import (
    ErrorKind,
    MondayFatalError,
    MondayRecordError,
    MondayRequestRejected,
    MondayResponseLost,
    MondayRetriesExhausted,
    classify,
    parse_response,
)
from ordersync.sandbox import FakeClock, OrderBoard, Sandbox
from ordersync.sandbox.limits import Limits

URL = "https://api.monday.com/v2"
TOKEN = "fake-token-SEKRIT-4711"
CREATE = """mutation ($board: ID!, $name: String!) {
  create_item(board_id: $board, item_name: $name) { id name } }"""
BATCH = """mutation ($board: ID!, $a: String!, $b: String!, $c: String!) {
  a: create_item(board_id: $board, item_name: $a) { id }
  b: create_item(board_id: $board, item_name: $b) { id }
  c: create_item(board_id: $board, item_name: $c) { id } }"""


class Sleeps:
    """A recording ``sleep`` that moves the sandbox's clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)


class Recording(httpx.BaseTransport):
    """Passes requests to ``inner`` and keeps them, to check what went on the wire."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps(clock: FakeClock) -> Sleeps:
    return Sleeps(clock)


def make(sandbox: Sandbox, sleeps: Sleeps, *, token: str = TOKEN, seed: int = 3,
         max_attempts: int = 5) -> tuple[MondayClient, Recording]:
    wire = Recording(sandbox.mock_transport())
    client = MondayClient(token, url=URL, api_version="2026-07", transport=wire, sleep=sleeps,
                          clock=sandbox.clock.now,
                          policy=RetryPolicy(max_attempts=max_attempts, rng=random.Random(seed)))
    return client, wire


def items(sandbox: Sandbox, ids: OrderBoard) -> list[str]:
    return [i["name"] for g in sandbox.board(ids.board_id)["groups"] for i in g["items"]]


def jitter(seed: int, *ceilings: float) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(0.0, c) for c in ceilings]


# --- success ---------------------------------------------------------------------------------


def test_success_sends_headers_and_variables_and_returns_the_request_id(
        clock: FakeClock, sleeps: Sleeps) -> None:
    sandbox = Sandbox(clock=clock)
    ids = sandbox.create_order_board()
    client, wire = make(sandbox, sleeps)
    name = 'PO "7" \\ {x}'  # would break a document built by splicing strings
    result = client.execute(CREATE, {"board": ids.board_id, "name": name},
                            idempotency_key="order-7")
    assert result.errors == [] and result.data is not None
    assert result.data["create_item"]["name"] == name
    uuid.UUID(str(result.request_id))
    assert (result.attempts, result.rate_limit_waits, sleeps.calls) == (1, 0, [])
    [sent] = wire.requests
    assert sent.method == "POST" and str(sent.url) == URL
    assert sent.headers["Authorization"] == TOKEN and sent.headers["API-Version"] == "2026-07"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["Idempotency-Key"] == "order-7"
    body = json.loads(sent.content)
    assert body == {"query": CREATE, "variables": {"board": ids.board_id, "name": name}}
    assert items(sandbox, ids) == [name]


def test_complexity_is_parsed_when_selected(clock: FakeClock, sleeps: Sleeps) -> None:
    client, _ = make(Sandbox(clock=clock), sleeps)
    result = client.execute("query { complexity { before query after reset_in_x_seconds } }")
    assert result.complexity is not None
    assert result.complexity.before == 10_000_000 and result.complexity.reset_in_x_seconds == 60


def test_one_bad_item_name_fails_only_its_alias(clock: FakeClock, sleeps: Sleeps) -> None:
    sandbox = Sandbox(clock=clock)
    ids = sandbox.create_order_board()
    client, _ = make(sandbox, sleeps)
    result = client.execute(BATCH, {"board": ids.board_id, "a": "A", "b": "  ", "c": "C"})
    assert result.data is not None
    assert result.data["a"]["id"] and result.data["c"]["id"] and result.data["b"] is None
    [error] = result.errors
    assert (error.kind, error.alias, error.code) == (
        ErrorKind.RECORD, "b", "InvalidItemNameException")
    assert error.message == "Item name can't be empty"
    assert error.request_id == result.request_id is not None
    assert result.record_errors == {"b": error}
    record = MondayRecordError(error, record="PO-2", operation="create item")
    assert isinstance(record, RecordSyncError)
    assert str(record) == (f"create item PO-2: monday.com InvalidItemNameException: "
                           f"Item name can't be empty (request id {result.request_id})")
    assert items(sandbox, ids) == ["A", "C"]


# --- rate limits -----------------------------------------------------------------------------


def test_complexity_budget_429_waits_retry_in_seconds_without_counting_an_attempt(
        clock: FakeClock, sleeps: Sleeps, caplog: pytest.LogCaptureFixture) -> None:
    limits = replace(Limits.for_plan("standard"), complexity_per_minute=70_000)
    sandbox = Sandbox(clock=clock, limits=limits)
    ids = sandbox.create_order_board()
    client, wire = make(sandbox, sleeps, max_attempts=1)
    client.execute(CREATE, {"board": ids.board_id, "name": "A"})
    client.execute(CREATE, {"board": ids.board_id, "name": "B"})
    clock.advance(20)
    with caplog.at_level(logging.WARNING, logger="ordersync.monday"):
        result = client.execute(CREATE, {"board": ids.board_id, "name": "C"})
    assert sleeps.calls == [40]
    assert (result.attempts, result.rate_limit_waits) == (1, 1)
    assert wire.statuses == [200, 200, 429, 200]
    assert "COMPLEXITY_BUDGET_EXHAUSTED" in caplog.text and "waiting 40 s" in caplog.text
    assert items(sandbox, ids) == ["A", "B", "C"]


def test_every_rate_limit_is_waited_and_logged_however_many(
        clock: FakeClock, sleeps: Sleeps, caplog: pytest.LogCaptureFixture) -> None:
    sandbox = Sandbox(clock=clock, faults="429(minute,7),429(concurrency,15),429(daily,299)")
    client, _ = make(sandbox, sleeps, max_attempts=1)
    with caplog.at_level(logging.WARNING, logger="ordersync.monday"):
        result = client.execute("query { me { id } }")
    assert result.data and sleeps.calls == [7, 15, 299]
    assert (result.attempts, result.rate_limit_waits) == (1, 3)
    assert len(caplog.records) == 3


def test_a_rate_limit_longer_than_the_policy_allows_is_not_waited_out(
        clock: FakeClock, sleeps: Sleeps) -> None:
    from ordersync.monday.wire import MondayLimitTooLong
    sandbox = Sandbox(clock=clock, faults="429(daily,3599)")
    client, _ = make(sandbox, sleeps)

    with pytest.raises(MondayLimitTooLong, match=r"wait 60 min .*DAILY_LIMIT_EXCEEDED"):
        client.execute("query { me { id } }")
    assert sleeps.calls == []


# --- faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["500", "502", "503", "504", "423"])
def test_server_faults_back_off_with_jitter_then_succeed(clock: FakeClock, sleeps: Sleeps,
                                                         fault: str) -> None:
    sandbox = Sandbox(clock=clock, faults=f"{fault},{fault}")
    ids = sandbox.create_order_board()
    client, _ = make(sandbox, sleeps, seed=11)
    result = client.execute(CREATE, {"board": ids.board_id, "name": "PO-1"})
    assert result.errors == [] and result.attempts == 3
    assert sleeps.calls == jitter(11, 1.0, 2.0)
    assert items(sandbox, ids) == ["PO-1"]


def test_a_fault_beyond_the_bound_raises_retriable_with_the_reason(
        clock: FakeClock, sleeps: Sleeps) -> None:
    sandbox = Sandbox(clock=clock, faults="503,503,503,ok")
    ids = sandbox.create_order_board()
    client, wire = make(sandbox, sleeps, max_attempts=3)
    with pytest.raises(MondayRetriesExhausted) as caught:
        client.execute(CREATE, {"board": ids.board_id, "name": "PO-1"})
    assert isinstance(caught.value, RetriableSyncError)
    assert caught.value.attempts == 3 and caught.value.code == "SERVICE_UNAVAILABLE"
    message = str(caught.value)
    assert "after 3 attempts" in message and "HTTP 503 SERVICE_UNAVAILABLE" in message
    assert len(wire.requests) == 3 and len(sleeps.calls) == 2
    assert items(sandbox, ids) == []


def test_a_connection_refused_on_every_try_before_any_answer_names_the_url(
        sleeps: Sleeps) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    remote = MondayClient(TOKEN, url="https://monday.example.invalid/v2",
                          transport=httpx.MockTransport(refuse), sleep=sleeps,
                          policy=RetryPolicy(max_attempts=5, rng=random.Random(0)))
    with pytest.raises(MondayFatalError, match=r"check monday\.api_url in the config"):
        remote.execute("query { me { id } }")
    assert len(sleeps.calls) == 4  # a server restarting is waited for, within the bound
    local = MondayClient(TOKEN, url="http://127.0.0.1:8765/v2",
                         transport=httpx.MockTransport(refuse), sleep=sleeps,
                         policy=RetryPolicy(max_attempts=2, rng=random.Random(0)))
    with pytest.raises(MondayFatalError, match="start `ordersync sandbox`"):
        local.execute("query { me { id } }")
    other = MondayClient(TOKEN, url="http://127.0.0.1:8799/v2",
                         transport=httpx.MockTransport(refuse), sleep=sleeps,
                         policy=RetryPolicy(max_attempts=1))
    with pytest.raises(MondayFatalError, match="start `ordersync sandbox --port 8799`"):
        other.execute("query { me { id } }")


def test_a_connection_refused_once_at_the_start_is_retried(sleeps: Sleeps) -> None:
    calls = [0]

    def refuse_once(request: httpx.Request) -> httpx.Response:
        calls[0] += 1
        if calls[0] == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"data": {"me": {"id": "1"}}})

    client = MondayClient(TOKEN, transport=httpx.MockTransport(refuse_once), sleep=sleeps,
                          policy=RetryPolicy(rng=random.Random(0)))
    assert client.execute("query { me { id } }").data == {"me": {"id": "1"}}
    assert calls[0] == 2 and len(sleeps.calls) == 1


def test_connection_errors_after_the_endpoint_answered_are_retried_then_reported(
        sleeps: Sleeps) -> None:
    calls = [0]

    def first_then_refuse(request: httpx.Request) -> httpx.Response:
        calls[0] += 1
        if calls[0] == 1:
            return httpx.Response(200, json={"data": {"me": {"id": "1"}}})
        raise httpx.ConnectError("connection refused", request=request)

    client = MondayClient(TOKEN, transport=httpx.MockTransport(first_then_refuse),
                          sleep=sleeps,
                          policy=RetryPolicy(max_attempts=2, rng=random.Random(0)))
    client.execute("query { me { id } }")
    with pytest.raises(MondayRetriesExhausted, match="CONNECTION_ERROR: ConnectError"):
        client.execute("query { me { id } }")
    assert sleeps.calls == jitter(0, 1.0)


def test_a_create_whose_response_was_lost_is_replayed_not_repeated(
        clock: FakeClock, sleeps: Sleeps) -> None:
    sandbox = Sandbox(clock=clock, faults="timeout_after_apply")
    ids = sandbox.create_order_board()
    client, wire = make(sandbox, sleeps)
    result = client.execute(CREATE, {"board": ids.board_id, "name": "PO-1"},
                            idempotency_key="order-PO-1")
    assert result.replayed and result.attempts == 2 and len(sleeps.calls) == 1
    assert [r.headers["Idempotency-Key"] for r in wire.requests] == ["order-PO-1"] * 2
    assert items(sandbox, ids) == ["PO-1"]
    [item] = sandbox.board(ids.board_id)["groups"][0]["items"]
    assert result.data is not None and result.data["create_item"]["id"] == item["id"]


@pytest.mark.parametrize(("failure", "lost"), [
    (httpx.ReadTimeout("no answer"), True),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), True),
    (httpx.ReadError("connection reset"), True),
    (httpx.ConnectError("connection refused"), False),
    (httpx.ConnectTimeout("no connection"), False),
], ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v))
def test_a_mutation_without_an_answer_is_not_sent_again_when_the_caller_looks_it_up(
        sleeps: Sleeps, failure: Exception, lost: bool) -> None:
    """The sender asks (``resend_unanswered=False``): a server that ignores the key would
    apply a blind resend a second time.  A request that never left is sent again."""
    calls = [0]

    def fail_once(request: httpx.Request) -> httpx.Response:
        calls[0] += 1
        if calls[0] == 1:
            raise type(failure)(str(failure), request=request)
        return httpx.Response(200, json={"data": {"create_item": {"id": "1"}}})

    client = MondayClient(TOKEN, transport=httpx.MockTransport(fail_once), sleep=sleeps,
                          policy=RetryPolicy(rng=random.Random(0)))
    query = 'mutation { create_item(board_id: 1, item_name: "A") { id } }'
    if lost:
        with pytest.raises(MondayResponseLost, match="may or may not have been applied") as e:
            client.execute(query, resend_unanswered=False)
        assert isinstance(e.value, MondayRetriesExhausted) and e.value.error.fate_unknown
        assert calls[0] == 1 and sleeps.calls == []
    else:
        assert client.execute(query, resend_unanswered=False).data is not None
        assert calls[0] == 2
    calls[0] = 0  # a read, or a caller that does not look up: sent again as before
    assert client.execute(query).data is not None and calls[0] == 2


@pytest.mark.parametrize("form", ["no_path", "null_data"])
def test_a_mutation_applied_in_part_is_never_sent_again_whatever_the_error(
        clock: FakeClock, sleeps: Sleeps, form: str) -> None:
    """A server fault beside the data of the aliases that ran (no_path), or beside no data
    at all though they ran (null_data: graphql's null propagation), on a server that keeps
    no answer with an error for replay: a resend created A and C a second time."""
    sandbox = Sandbox(clock=clock, faults=f"partial(2,INTERNAL_SERVER_ERROR,{form}),"
                                          "replay_errors=no")
    ids = sandbox.create_order_board()
    client, wire = make(sandbox, sleeps)

    result = client.execute(BATCH, {"board": ids.board_id, "a": "A", "b": "B", "c": "C"},
                            idempotency_key="k")

    assert len(wire.requests) == 1 and sleeps.calls == []
    assert items(sandbox, ids) == ["A", "C"]
    [error] = result.errors
    assert error.code == "INTERNAL_SERVER_ERROR"
    if form == "no_path":  # the fault: what the aliases without data came to is unknown
        assert result.data is not None and result.data["b"] is None
        assert error.kind is ErrorKind.FAULT and error.alias is None
    else:  # the alias it names failed: its own error
        assert result.data is None and error.kind is ErrorKind.RECORD and error.alias == "b"


# --- fatal errors and the token --------------------------------------------------------------


def test_an_empty_token_is_fatal_and_names_the_env_var(clock: FakeClock,
                                                       sleeps: Sleeps) -> None:
    client, wire = make(Sandbox(clock=clock), sleeps, token="")
    with pytest.raises(FatalSyncError, match="MONDAY_API_TOKEN") as caught:
        client.execute("query { me { id } }")
    assert isinstance(caught.value, MondayFatalError) and caught.value.code == "Unauthorized"
    assert "HTTP 401" in str(caught.value) and len(wire.requests) == 1 and sleeps.calls == []


def test_a_refused_token_is_fatal_without_showing_the_token(sleeps: Sleeps) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == TOKEN
        return httpx.Response(401, json={"errors": [{"message": "Not Authenticated",
                                                     "extensions": {"code": "Unauthorized"}}]})

    client = MondayClient(TOKEN, transport=httpx.MockTransport(refuse), sleep=sleeps)
    with pytest.raises(MondayFatalError, match="MONDAY_API_TOKEN") as caught:
        client.execute("query { me { id } }")
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)


def test_an_unknown_board_is_fatal_and_names_the_board(clock: FakeClock,
                                                       sleeps: Sleeps) -> None:
    sandbox = Sandbox(clock=clock)
    sandbox.create_order_board()
    client, wire = make(sandbox, sleeps)
    with pytest.raises(MondayFatalError) as caught:
        client.execute(CREATE, {"board": "999999", "name": "PO-1"})
    error = caught.value
    assert error.code == "InvalidBoardIdException" and error.board_id == "999999"
    assert "board 999999 does not exist" in str(error) and "monday.board_id" in str(error)
    assert error.request_id and error.request_id in str(error)
    assert len(wire.requests) == 1 and sleeps.calls == []


def test_a_rejected_document_is_not_retried(clock: FakeClock, sleeps: Sleeps) -> None:
    client, wire = make(Sandbox(clock=clock), sleeps)
    with pytest.raises(MondayRequestRejected, match="GRAPHQL_VALIDATION_FAILED"):
        client.execute("query { boards { nope } }")
    assert len(wire.requests) == 1 and sleeps.calls == []


def test_the_token_never_shows_in_repr_exceptions_or_logs(
        clock: FakeClock, sleeps: Sleeps, caplog: pytest.LogCaptureFixture) -> None:
    sandbox = Sandbox(clock=clock, faults="503,429(minute,5),timeout,ok,500,500,500")
    ids = sandbox.create_order_board()
    client, _ = make(sandbox, sleeps, max_attempts=3)
    seen: list[str] = [repr(client), str(client)]
    with caplog.at_level(logging.DEBUG):
        client.execute("query { me { id } }")
        for query, variables in [(CREATE, {"board": ids.board_id, "name": "X"}),
                                 (CREATE, {"board": "424242", "name": "X"}),
                                 ("query { nope }", {})]:
            with pytest.raises(SyncError) as caught:
                client.execute(query, variables)
            seen += [str(caught.value), repr(caught.value), repr(caught.value.args)]
    assert caplog.records, "the faults should have been logged"
    seen += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    assert not [text for text in seen if TOKEN in text]


def test_token_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert token_from_env(environ={"MONDAY_API_TOKEN": " abc "}) == "abc"
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    with pytest.raises(FatalSyncError, match=r"MONDAY_API_TOKEN is not set.*export"):
        token_from_env()
    with pytest.raises(FatalSyncError, match="OTHER_TOKEN"):
        token_from_env("OTHER_TOKEN", environ={"OTHER_TOKEN": ""})


# --- classification of wire errors -----------------------------------------------------------


@pytest.mark.parametrize(("http", "code", "retry_in", "status_code", "path", "kind"), [
    (429, "MINUTE_RATE_LIMIT_EXCEEDED", 58, None, False, ErrorKind.RATE_LIMIT),
    (429, "SOMETHING_NEW", None, None, False, ErrorKind.RATE_LIMIT),
    (200, "SOMETHING_NEW", 30, None, False, ErrorKind.RATE_LIMIT),
    (200, "COMPLEXITY_BUDGET_EXHAUSTED", None, None, False, ErrorKind.RATE_LIMIT),
    (409, "IDEMPOTENCY_CONFLICT", 1, None, False, ErrorKind.FAULT),
    (500, "INTERNAL_SERVER_ERROR", None, None, False, ErrorKind.FAULT),
    (423, "RESOURCE_LOCKED", None, None, False, ErrorKind.FAULT),
    (0, "TIMEOUT", None, None, False, ErrorKind.FAULT),
    (401, "Unauthorized", None, None, False, ErrorKind.FATAL),
    (403, "USER_ACCESS_DENIED", None, None, False, ErrorKind.FATAL),
    (200, "InvalidBoardIdException", None, 200, True, ErrorKind.FATAL),
    (200, "UserUnauthorizedException", None, 403, True, ErrorKind.FATAL),
    (200, "missingRequiredPermissions", None, None, False, ErrorKind.FATAL),
    (200, "InvalidVersionException", None, None, False, ErrorKind.FATAL),
    (200, "ColumnValueException", None, 200, True, ErrorKind.RECORD),
    (200, "INTERNAL_SERVER_ERROR", None, 500, True, ErrorKind.RECORD),
    (200, "SOMETHING_NEW", None, 502, False, ErrorKind.FAULT),
    (200, "FIELD_LIMIT_EXCEEDED", 15, 429, True, ErrorKind.RECORD),
    (200, "GRAPHQL_VALIDATION_FAILED", None, None, False, ErrorKind.REQUEST),
    (200, "ComplexityException", None, None, False, ErrorKind.REQUEST),
], ids=lambda v: str(v) if isinstance(v, ErrorKind) else None)
def test_classify(http: int, code: str, retry_in: float | None, status_code: int | None,
                  path: bool, kind: ErrorKind) -> None:
    assert classify(http_status=http, code=code, retry_in_seconds=retry_in,
                    status_code=status_code, has_path=path) is kind


@pytest.mark.parametrize(("code", "message", "kind"), [
    ("rateLimitExceeded", "Rate Limit Exceeded", ErrorKind.RATE_LIMIT),
    ("RATE_LIMIT_EXCEEDED", "Rate limit exceeded", ErrorKind.RATE_LIMIT),
    ("complexity_budget_exhausted", "whatever", ErrorKind.RATE_LIMIT),
    ("SomethingNew", "Minute limit rate exceeded", ErrorKind.RATE_LIMIT),
    ("SomethingNew", "Concurrency limit exceeded", ErrorKind.RATE_LIMIT),
    ("SomethingNew", "Too many concurrent requests", ErrorKind.RATE_LIMIT),
    ("SomethingNew", "Call limit exceeded for DuplicateBoard", ErrorKind.RATE_LIMIT),
    ("SomethingNew", "Rate limit already blocked for board-columns-errors",
     ErrorKind.RATE_LIMIT),
    ("ComplexityException", "Query has complexity of 1016020, which exceeds max complexity "
     "of 1000000", ErrorKind.REQUEST),
    ("ItemsLimitationException", "exceeded the limit of 10,000 items per board",
     ErrorKind.REQUEST),
], ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
def test_a_throttle_is_known_by_any_spelling_of_its_code_or_by_its_message(
        code: str, message: str, kind: ErrorKind) -> None:
    """API_NOTES §2.8: the codes differ between the docs, the SDKs and the wire — a 200 body
    saying ``rateLimitExceeded`` without a retry time was taken for a rejected document."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    [error] = parse_response(200, {}, json.dumps(body).encode()).errors
    assert error.kind is kind
    assert error.is_rate_limit is (kind is ErrorKind.RATE_LIMIT)


def test_a_throttle_naming_no_time_backs_off_and_is_not_an_attempt(
        clock: FakeClock, sleeps: Sleeps) -> None:
    sandbox = Sandbox(clock=clock, faults="throttle_200,throttle_200,throttle_200")
    ids = sandbox.create_order_board()
    client, wire = make(sandbox, sleeps, max_attempts=1)

    result = client.execute(CREATE, {"board": ids.board_id, "name": "PO-1"})

    assert result.errors == [] and result.rate_limit_waits == 3 and result.attempts == 1
    assert sleeps.calls == [2.0, 4.0, 8.0] and len(wire.requests) == 4
    assert items(sandbox, ids) == ["PO-1"]


def test_retry_after_header_fills_retry_in_seconds_and_bad_bodies_still_parse() -> None:
    result = parse_response(503, {"Retry-After": "12"}, b"<html>gateway</html>")
    [error] = result.errors
    assert (error.kind, error.code, error.retry_in_seconds) == (ErrorKind.FAULT, "HTTP_503", 12)
    legacy = parse_response(200, {}, json.dumps({
        "error_code": "ComplexityException", "status_code": 429, "error_message": "budget",
        "errors": ["budget"]}).encode())
    # legacy (≤2024-10) budget error: HTTP 200, status_code 429 in the body → still a wait
    assert [(e.code, e.kind) for e in legacy.errors] == [
        ("ComplexityException", ErrorKind.RATE_LIMIT)]


# --- reads and bodies that are not a GraphQL result -------------------------------------------


def answers(*bodies: bytes | dict[str, Any]) -> tuple[httpx.MockTransport, list[str]]:
    """A transport giving ``bodies`` in turn (HTTP 200), and the queries it received."""
    queue, seen = list(bodies), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["query"])
        body = queue.pop(0)
        return httpx.Response(200, content=body if isinstance(body, bytes)
                              else json.dumps(body).encode())

    return httpx.MockTransport(handler), seen


@pytest.mark.parametrize("body", [b"", b"<html>bad gateway</html>",
                                  b'{"data":{"m0":{"id":"1"},"m1"', b"{}", b'{"data": null}'],
                         ids=["empty", "html", "cut-off", "empty-object", "null-data"])
def test_a_200_without_a_graphql_result_is_sent_again_not_taken_as_done(
        sleeps: Sleeps, body: bytes) -> None:
    transport, seen = answers(body, {"data": {"m0": {"id": "1"}}})
    client = MondayClient(TOKEN, transport=transport, sleep=sleeps,
                          policy=RetryPolicy(rng=random.Random(0)))
    result = client.execute("mutation { m0: archive_item(item_id: 1) { id } }",
                            idempotency_key="k")
    assert result.data == {"m0": {"id": "1"}} and result.attempts == 2 and len(seen) == 2


LIMITED = {"data": {"boards": [{"id": "1", "items_page": None}]}, "errors": [{
    "message": "Field limit exceeded", "path": ["boards", 0, "items_page"],
    "extensions": {"code": "FIELD_LIMIT_EXCEEDED", "status_code": 429,
                   "retry_in_seconds": 15}}]}
FULL = {"data": {"boards": [{"id": "1", "items_page": {"cursor": None, "items": []}}]}}


def test_a_read_with_a_field_left_null_for_a_limit_waits_and_reads_again(
        sleeps: Sleeps) -> None:
    """A mutation's error with a path belongs to its alias; a read's is not a partial answer
    to use: the page would look empty, and a repair would create its items again."""
    transport, seen = answers(LIMITED, FULL)
    client = MondayClient(TOKEN, transport=transport, sleep=sleeps)
    result = client.execute("query { boards(ids: [1]) { id items_page { cursor } } }")
    assert result.data == FULL["data"] and result.errors == []
    assert sleeps.calls == [15] and len(seen) == 2


@pytest.mark.parametrize(("extensions", "expected"), [
    ({"code": "CursorExpiredError"}, MondayRequestRejected),
    ({"code": "SOMETHING_NEW", "status_code": 500}, MondayRetriesExhausted),
], ids=["rejected", "server-fault"])
def test_a_read_with_an_error_on_a_field_raises_instead_of_answering_in_part(
        sleeps: Sleeps, extensions: dict[str, Any], expected: type[Exception]) -> None:
    failed = {"data": {"next_items_page": None}, "errors": [{
        "message": "cursor expired", "path": ["next_items_page"], "extensions": extensions}]}
    transport, _ = answers(*[failed] * 5)
    client = MondayClient(TOKEN, transport=transport, sleep=sleeps,
                          policy=RetryPolicy(max_attempts=2, rng=random.Random(0)))
    with pytest.raises(expected):
        client.execute("# a comment first\nquery ($c: String!) { next_items_page(cursor: $c) "
                       "{ cursor } }", {"c": "x"})


def test_a_rate_limit_that_never_lifts_stops_after_the_policy_s_waits(sleeps: Sleeps) -> None:
    from ordersync.monday.wire import MondayLimitTooLong

    limited = {"errors": [{"message": "Complexity budget exhausted", "extensions": {
        "code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": 0}}]}
    transport, seen = answers(*[limited] * 10)
    client = MondayClient(TOKEN, transport=transport, sleep=sleeps,
                          policy=RetryPolicy(max_limit_waits=4))
    with pytest.raises(MondayLimitTooLong, match="after 4 waits"):
        client.execute("query { me { id } }")
    assert sleeps.calls == [1.0] * 4 and len(seen) == 5


def test_the_legacy_reset_in_text_sets_the_wait() -> None:
    result = parse_response(200, {}, json.dumps({"errors": [{
        "message": "Complexity budget exhausted, query cost 30001 budget remaining 100 out "
                   "of 10000000 reset in 16 seconds",
        "extensions": {"code": "ComplexityException"}}]}).encode())
    [error] = result.errors
    assert (error.kind, error.retry_in_seconds) == (ErrorKind.RATE_LIMIT, 16)


def test_an_error_on_the_complexity_figures_alone_does_not_fail_a_read(sleeps: Sleeps) -> None:
    """``complexity`` rides along for the budget; the read itself came back whole."""
    body = {"data": {"boards": [{"id": "1"}], "complexity": None}, "errors": [{
        "message": "Int cannot represent 9999999999", "path": ["complexity", "before"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "status_code": 500}}]}
    transport, seen = answers(body)
    client = MondayClient(TOKEN, transport=transport, sleep=sleeps)
    result = client.execute("query { boards(ids: [1]) { id } complexity { before } }")
    assert result.data == body["data"] and len(seen) == 1 and sleeps.calls == []


@pytest.mark.parametrize("token", ["\u201cabc\u201d", "ab\x07c"], ids=["smart-quotes", "control"])
def test_a_token_with_characters_no_token_has_is_one_clear_error(token: str) -> None:
    with pytest.raises(FatalSyncError, match="characters an API token never has") as caught:
        token_from_env(environ={"MONDAY_API_TOKEN": token})
    assert token not in str(caught.value)
