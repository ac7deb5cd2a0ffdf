"""``Sandbox``: one monday.com account in a box, served as ``POST /v2`` (ASGI, Starlette).

A ``Sandbox`` owns the ``Store``, the ``Limiter`` (a plan's limits on an injectable
clock), the ``IdempotencyCache``, the ``FaultPlan`` and the ``Executor``.  Every
request goes through ``Sandbox.process`` (synchronous, no I/O), in this order:

1. auth — ``Authorization: <token>`` or ``Bearer <token>``, any non-empty token;
   else HTTP 401;
2. body — JSON ``{"query", "variables", "operationName"}``; ``variables`` must
   be an object (API_NOTES §1, 2025-04+): a string, like any malformed body, is
   HTTP 400 (GraphQL-over-HTTP's status; monday's exact answer is UNCERTAIN);
3. parse and validate — monday-style errors with HTTP 200, nothing charged;
4. limits — ``Limiter.enter()`` (held until the response is sent) and
   ``admit(cost)``; 429 bodies with ``Retry-After`` and ``RateLimit`` headers;
5. idempotency — mutations with ``Idempotency-Key`` (unless ``idempotency=ignore``): a
   replay of the cached response (``Idempotency-Replayed: true``), or 409 while the first
   is running;
   then the per-mutation call limits (``call_limits.py``: 40 create_board and 40
   duplicate_board a minute) — a 429, nothing executed;
6. faults before execution (5xx, 423, 429, ``timeout``) — nothing executed;
7. execution, ``partial(K)`` failing the K-th mutation alias (the answer shaped as the
   fault says: the error at its path, at none, or ``data`` null; ``no_id`` drops the
   mutations' ids);
8. faults after execution — the response is cached (idempotency) and the state
   saved first; ``slow`` delays the response through the injected async ``sleep``;
   ``timeout_after_apply`` and ``timeout`` drop it.

A dropped response: the ASGI app awaits ``sleep(drop_seconds)`` (65 s, past
monday's 60 s timeout, so a real client times out first) and then raises
``ResponseDropped``, an ``httpx.ReadTimeout``.  Through ``Sandbox.transport()``
(``httpx.ASGITransport``) that exception reaches the client as is, so an
in-process client sees exactly the timeout a network client would; a real server
(uvicorn) closes the connection after ``drop_seconds``.  ``mock_transport()``
does the same for synchronous ``httpx.Client``s (its delays use ``blocking_sleep``).

Every body carries ``extensions.request_id`` (uuid4); a replay carries the first
response's.  With ``state_path`` the store is loaded at start and written
(atomically) after every mutation request and at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ordersync.sandbox.call_limits import CallLimiter
from ordersync.sandbox.clock import Clock, SystemClock
from ordersync.sandbox.costs import CostModel
from ordersync.sandbox.errors import MondayError, response_body
from ordersync.sandbox.executor import DEFAULT_API_VERSION, Executor
from ordersync.sandbox.faults import FaultAction, FaultPlan, RequestInfo
from ordersync.sandbox.idempotency import (
    CachedResponse,
    IdempotencyCache,
    IdempotencyPolicy,
    request_fingerprint,
)
from ordersync.sandbox.limits import ConcurrencySlot, Limiter, Limits, Plan, retry_after_headers
from ordersync.sandbox.schema import ValidationFailed
from ordersync.sandbox.store import OrderBoard, Store

__all__ = ["DROP_SECONDS", "ResponseDropped", "Sandbox", "SandboxResponse"]

DROP_SECONDS = 65.0
# UNCERTAIN: API_NOTES §5 lists `Unauthorized` / "Not Authenticated" with HTTP 401.
NOT_AUTHENTICATED = MondayError("Unauthorized", "Not Authenticated", http_status=401)
BAD_REQUEST = "BAD_REQUEST"  # the sandbox's own code for a malformed body (UNCERTAIN)
# API_NOTES §1: versions are YYYY-01/04/07/10 or "dev"; a malformed one is refused with
# InvalidVersionException (HTTP 200).  A well-formed retired version is served (UNCERTAIN).
_API_VERSION = re.compile(r"\d{4}-(01|04|07|10)|dev")
INVALID_VERSION = MondayError("InvalidVersionException",
                              "The requested API version is invalid", status_code=400)


class ResponseDropped(httpx.ReadTimeout):
    """The sandbox dropped this response on purpose (fault injection)."""


@dataclass
class SandboxResponse:
    """What ``process`` decided: the response, and how to deliver it."""

    status: int
    headers: dict[str, str]
    body: Any
    delay_seconds: float = 0.0
    dropped: bool = False
    slot: ConcurrencySlot | None = field(default=None, repr=False)

    def close(self) -> None:
        """Free the concurrency slot (once the response is delivered or dropped)."""
        if self.slot is not None:
            self.slot.leave()


class Sandbox:
    """A local monday.com account: state, limits, idempotency, faults and the HTTP app."""

    def __init__(self, *, plan: Plan | str = Plan.STANDARD, limits: Limits | None = None,
                 clock: Clock | None = None, faults: FaultPlan | str | None = None,
                 state_path: Path | str | None = None, store: Store | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 blocking_sleep: Callable[[float], None] = time.sleep,
                 drop_seconds: float = DROP_SECONDS,
                 idempotency: IdempotencyPolicy | None = None,
                 new_column_ids: bool | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.state_path = Path(state_path) if state_path is not None else None
        if store is None and self.state_path is not None and self.state_path.exists():
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            store = Store.from_json(data, clock=self.clock)
        self.store = store or Store(clock=self.clock)
        self.limits = limits or Limits.for_plan(plan)
        self.limiter = Limiter(self.limits, self.clock)
        self.faults = faults if isinstance(faults, FaultPlan) else FaultPlan.parse(faults)
        policy = idempotency or self.faults.idempotency
        self.idempotency = IdempotencyCache(self.clock, on_key_reuse=policy.key_reuse,
                                            replay_errors=policy.replay_errors)
        self.honour_keys = policy.honour_keys
        self.store.new_column_ids = (self.faults.new_column_ids if new_column_ids is None
                                     else new_column_ids)
        self.call_limits = CallLimiter(self.clock)
        self.executor = Executor(self.store, CostModel.from_limits(self.limits))
        self.sleep = sleep
        self.blocking_sleep = blocking_sleep
        self.drop_seconds = drop_seconds
        self.app = Starlette(routes=[Route("/v2", self._endpoint, methods=["POST"])],
                             lifespan=self._lifespan)

    # --- inspection and set-up ---------------------------------------------------------------

    def board(self, board_id: str | int) -> dict[str, Any]:
        """The board as a planner sees it (``Store.snapshot``)."""
        return self.store.snapshot(board_id)

    def create_order_board(self, name: str = "Orders") -> OrderBoard:
        """An order board (and its subitems board); the state file is saved."""
        ids = self.store.create_order_board(name)
        self.save()
        return ids

    def save(self) -> None:
        """Write the store to ``state_path`` atomically (no-op without one)."""
        if self.state_path is None:
            return
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sandbox-", suffix=".json",
                                   dir=self.state_path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(self.store.to_json(), out, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.state_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # --- transports -------------------------------------------------------------------------

    def transport(self) -> httpx.ASGITransport:
        """An in-process transport for ``httpx.AsyncClient`` (no sockets)."""
        return httpx.ASGITransport(app=self.app)

    def mock_transport(self) -> httpx.MockTransport:
        """An in-process transport for ``httpx.Client`` (and ``AsyncClient``)."""

        def handle(request: httpx.Request) -> httpx.Response:
            response = self.process(_lower(request.headers.items()), request.read())
            try:
                if response.delay_seconds:
                    self.blocking_sleep(response.delay_seconds)
                if response.dropped:
                    raise ResponseDropped("sandbox fault: response dropped", request=request)
                return httpx.Response(response.status, headers=response.headers,
                                      json=response.body)
            finally:
                response.close()

        return httpx.MockTransport(handle)

    # --- the request pipeline ---------------------------------------------------------------

    def process(self, headers: Mapping[str, str], body: bytes) -> SandboxResponse:
        """Decide the response to one ``POST /v2`` (``headers`` with lower-case names)."""
        request_id = str(uuid.uuid4())
        try:
            return self._process(request_id, headers, body)
        except MondayError as error:
            extra = (self.limiter.headers(error=error) if error.http_status == 429
                     else retry_after_headers(error))
            return SandboxResponse(error.http_status, extra,
                                   response_body(request_id, errors=[error], include_data=False))

    def _process(self, request_id: str, headers: Mapping[str, str],
                 body: bytes) -> SandboxResponse:
        token = headers.get("authorization", "").strip()
        scheme, _, rest = token.partition(" ")
        if scheme.lower() == "bearer":
            token = rest.strip()
        if not token:
            raise NOT_AUTHENTICATED
        version = headers.get("api-version", "").strip()
        if version and not _API_VERSION.fullmatch(version):
            raise INVALID_VERSION
        query, variables, operation_name = _read_body(body)
        try:
            prepared = self.executor.prepare(query, variables, operation_name)
        except ValidationFailed as rejected:
            return SandboxResponse(200, {}, response_body(request_id, errors=rejected.errors,
                                                          include_data=False))
        slot = self.limiter.enter()
        try:
            admission = self.limiter.admit(prepared.cost,
                                           is_complexity_only=prepared.complexity_only)
            key = headers.get("idempotency-key", "").strip()
            key = key if key and prepared.kind == "mutation" and self.honour_keys else ""
            if key:
                cached = self.idempotency.begin(key, request_fingerprint(query, variables))
                if cached is not None:
                    return SandboxResponse(cached.status, dict(cached.headers), cached.body,
                                           slot=slot)
            try:
                if prepared.kind == "mutation":
                    self.call_limits.admit(root.name for root in prepared.roots)
                fault = self.faults.next_fault(
                    RequestInfo(len(prepared.mutation_keys), operation_name))
                action = fault.action if fault is not None else None
                if fault is not None and action is FaultAction.RESPOND_WITH_ERROR:
                    assert fault.error is not None
                    raise fault.error
                if action is FaultAction.DROP_RESPONSE:
                    if key:
                        self.idempotency.release(key)
                    return SandboxResponse(504, {}, None, dropped=True, slot=slot)
                fail = None
                if fault is not None and action is FaultAction.FAIL_ALIAS:
                    assert fault.error is not None and fault.alias_number is not None
                    fail = (prepared.mutation_keys[fault.alias_number - 1], fault.error)
                outcome = self.executor.execute(
                    prepared, complexity=admission.complexity(), fail_alias=fail,
                    api_version=headers.get("api-version") or DEFAULT_API_VERSION)
            except BaseException:
                if key:  # nothing was executed: a retry must run
                    self.idempotency.release(key)
                raise
            answer, errors = outcome.data, outcome.errors
            if fault is not None:  # partial(K,CODE,FORM) and no_id shape the answer
                answer, errors = fault.reshape(answer, errors, prepared.mutation_keys)
            data = response_body(request_id, data=answer, errors=errors)
            response = SandboxResponse(200, dict(admission.headers), data, slot=slot)
            if key:
                self.idempotency.store(key, CachedResponse(200, response.headers, data),
                                       has_errors=bool(errors))
            if prepared.kind == "mutation":
                self.save()
            if fault is not None and action is FaultAction.APPLY_THEN_DROP:
                response.dropped = True
            if fault is not None and action is FaultAction.DELAY_RESPONSE:
                response.delay_seconds = fault.delay_seconds
            return response
        except BaseException:
            slot.leave()
            raise

    # --- ASGI -------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        response = self.process(_lower(request.headers.items()), await request.body())
        try:
            if response.delay_seconds:
                await self.sleep(response.delay_seconds)
            if response.dropped:
                await self.sleep(self.drop_seconds)
                raise ResponseDropped("sandbox fault: response dropped")
            return JSONResponse(response.body, status_code=response.status,
                                headers=response.headers)
        finally:
            response.close()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        yield
        self.save()


def _lower(items: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}


def _read_body(body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
    """``query``, ``variables`` and ``operationName`` of a request body, or HTTP 400."""
    try:
        payload = json.loads(body or b"null")
    except ValueError as exc:
        raise _bad_request(f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise _bad_request("The request body must be a JSON object")
    query, variables = payload.get("query"), payload.get("variables")
    operation_name = payload.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise _bad_request("No query string was present")
    if variables is not None and not isinstance(variables, dict):
        raise _bad_request("variables must be a JSON object, not "
                           f"{'a JSON string' if isinstance(variables, str) else 'that'}"
                           " (API 2025-04 and later)")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _bad_request("operationName must be a string")
    return query, variables, operation_name


def _bad_request(message: str) -> MondayError:
    return MondayError(BAD_REQUEST, message, http_status=400)
