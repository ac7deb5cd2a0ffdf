"""``MondayClient``: send one GraphQL document to monday.com, applying the retry policy.

Synchronous (``httpx.Client``) on purpose: the sync writes one request at a time
— monday warns that concurrent mutations on one board can corrupt it
(API_NOTES §2.6) — so an event loop would buy nothing but complexity.  The
``transport=`` seam takes any ``httpx.BaseTransport`` (the sandbox's
``mock_transport()`` in tests); ``sleep`` and ``clock`` are injected so waits
take no wall time in tests.

``execute`` sends ``{"query", "variables"}`` — values always as variables,
never spliced into the text — with ``Authorization``, ``API-Version`` and, when
given, ``Idempotency-Key`` (the same key on every retry, so a create whose
response was lost is replayed, not repeated).  Then, per ``wire.classify``:
FATAL raises ``MondayFatalError``; RATE_LIMIT waits and resends (not counted,
each wait logged); FAULT backs off and resends up to ``policy.max_attempts``
sends, then raises ``MondayRetriesExhausted``; REQUEST raises
``MondayRequestRejected``; RECORD errors are returned in the result, by alias.
A mutation request with no answer (a timeout, a dropped connection) goes out again
under the same key, unless the caller asks otherwise (``resend_unanswered``: the
sender looks its records up first, for servers that do not honour the key).
A mutation document some of whose aliases came back with data is never resent,
whatever the other errors say: the result is returned, and the aliases without
data are of unknown fate (the sender's ``outcomes``).
A query (a read) has no records: an error anywhere in its answer is a wait, a
fault or a rejection (``GraphQLResult.as_read``), never a partial answer taken
as the whole board.

The token lives in one private attribute and is sent only as a header: it is
never in ``repr``, an exception or a log record.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import httpx

from ordersync.errors import FatalSyncError
from ordersync.monday.retry import RetryPolicy
from ordersync.monday.wire import (
    TOKEN_ENV,
    UNREACHABLE,
    ErrorKind,
    GraphQLResult,
    MondayFatalError,
    MondayLimitTooLong,
    MondayRequestRejected,
    MondayResponseLost,
    MondayRetriesExhausted,
    WireError,
    parse_response,
    transport_error,
)

__all__ = ["DEFAULT_API_URL", "DEFAULT_API_VERSION", "MondayClient", "token_from_env"]

DEFAULT_API_URL = "https://api.monday.com/v2"
DEFAULT_API_VERSION = "2026-07"
REQUEST_TIMEOUT = 65.0  # monday ends every call at 60 s (API_NOTES §1); a little slack

logger = logging.getLogger(__name__)


def token_from_env(name: str = TOKEN_ENV, environ: Mapping[str, str] | None = None) -> str:
    """The API token from the environment, or a ``FatalSyncError`` saying how to set it."""
    token = (os.environ if environ is None else environ).get(name, "").strip()
    if not token:
        raise FatalSyncError(
            f"{name} is not set: create a personal API token in monday.com (avatar → "
            f"Developers → My access tokens) and run `export {name}=<token>`")
    if not token.isascii() or not token.isprintable():
        raise FatalSyncError(
            f"{name} holds characters an API token never has (quotes pasted with it, "
            f"say): copy the token again from monday.com and run `export {name}=<token>`")
    return token


class MondayClient:
    """One monday.com account's GraphQL endpoint, with retries; use as a context manager."""

    def __init__(self, token: str, *, url: str = DEFAULT_API_URL,
                 api_version: str = DEFAULT_API_VERSION,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 policy: RetryPolicy | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 timeout: float = REQUEST_TIMEOUT) -> None:
        self._token = token
        self.url = url
        self.api_version = api_version
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.Client(transport=transport, timeout=timeout)
        self._reached = False  # whether any response came back from self.url
        self._refused = False  # whether the last send found no one listening
        self.observers: list[Callable[[GraphQLResult], None]] = []
        """Called with every result ``execute`` returns (budget tracking, request counts)."""
        self.limit_waits = 0
        """Waits for a rate limit monday.com reported (429, a budget or call limit): a run's
        report counts them with its own budget waits."""
        self.limit_waited = 0.0
        self._waits_lock = threading.Lock()  # requests in flight at once wait on their own

    def __repr__(self) -> str:
        return f"MondayClient(url={self.url!r}, api_version={self.api_version!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MondayClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def execute(self, query: str, variables: Mapping[str, Any] | None = None, *,
                idempotency_key: str | None = None,
                resend_unanswered: bool = True) -> GraphQLResult:
        """Send ``query`` with ``variables`` until it succeeds, fails for good, or runs out.

        ``resend_unanswered=False``: a mutation request that got no answer (it may have been
        applied) raises ``MondayResponseLost`` at once instead of going out again under its
        ``Idempotency-Key`` — for a caller that looks its records up first."""
        payload = {"query": query, "variables": dict(variables or {})}
        headers = {"Authorization": self._token, "API-Version": self.api_version,
                   "Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        attempt, limit_waits = 1, 0
        reading = _is_read(query)
        while True:
            result = self._send(payload, headers)
            if reading:
                result = result.as_read()
            for error in result.of_kind(ErrorKind.FATAL):
                raise MondayFatalError(error, api_version=self.api_version,
                                       result=result if result.applied else None)
            blocking = result.of_kind(ErrorKind.RATE_LIMIT) or result.of_kind(ErrorKind.FAULT)
            if blocking and not reading and result.applied:
                # Some mutations came back with data: they ran, and resending the document
                # would run them again (a server that keeps no answer with an error for
                # replay creates their items twice).  The result goes back; the error stands
                # for the aliases without data, whose fate is unknown (``outcomes``).
                logger.warning("monday.com applied part of a mutation request and answered "
                               "%s for the rest: not sent again; the rest is looked up",
                               blocking[0])
                blocking = []
            if not blocking:
                for observer in self.observers:
                    observer(result)
                for error in result.of_kind(ErrorKind.REQUEST):
                    if not reading and result.applied:
                        # Part of the mutation ran: resending it would repeat that part, so
                        # the result goes back, the error standing for the aliases without
                        # data (``outcomes`` in the sender).
                        break
                    raise MondayRequestRejected(error)
                return dataclasses.replace(result, attempts=attempt,
                                           rate_limit_waits=limit_waits)
            error = blocking[0]
            if error.fate_unknown and not reading and not resend_unanswered:
                raise MondayResponseLost(error, attempt)
            wait = self.policy.wait_for(error, attempt, limit_waits=limit_waits)
            assert wait is not None  # RATE_LIMIT and FAULT always get a wait
            if wait.counted:
                if not self.policy.may_retry(attempt):
                    if self._refused and not self._reached:
                        # Nothing ever answered here, however often asked: a wrong api_url
                        # or a sandbox not started (a refusal once it answered is a fault).
                        raise MondayFatalError(
                            dataclasses.replace(error, kind=ErrorKind.FATAL, code=UNREACHABLE),
                            api_version=self.api_version, url=self.url)
                    raise MondayRetriesExhausted(error, attempt)
                attempt += 1
                logger.warning("monday.com fault, retry %d of %d in %.2f s: %s",
                               attempt - 1, self.policy.max_attempts - 1, wait.seconds, error)
            else:
                if (wait.seconds > self.policy.max_limit_wait
                        or limit_waits >= self.policy.max_limit_waits):
                    raise MondayLimitTooLong(error, wait.seconds, waits=limit_waits)
                limit_waits += 1
                logger.warning("monday.com rate limit, waiting %.0f s (wait %d): %s",
                               wait.seconds, limit_waits, error)
                with self._waits_lock:
                    self.limit_waits += 1
                    self.limit_waited += wait.seconds
            self._sleep(wait.seconds)

    def back_off(self, error: WireError, attempt: int) -> None:
        """Wait as after the ``attempt``-th fault of one request (a caller's own resend)."""
        wait = self.policy.wait_for(error, attempt)
        if wait is not None:
            logger.warning("monday.com fault, sending again in %.2f s: %s", wait.seconds, error)
            self._sleep(wait.seconds)

    def _send(self, payload: dict[str, Any], headers: dict[str, str]) -> GraphQLResult:
        started = self._clock()
        try:
            response = self._http.post(self.url, json=payload, headers=headers)
        except httpx.TransportError as exc:
            error = transport_error(exc)
            self._refused = isinstance(exc, httpx.ConnectError)
            logger.info("monday.com request got no response after %.1f s: %s",
                        self._clock() - started, error)
            return GraphQLResult(data=None, errors=[error], http_status=0)
        except httpx.HTTPError as exc:  # not a network failure: retrying cannot help
            raise FatalSyncError(f"monday.com request to {self.url} failed: "
                                 f"{type(exc).__name__}: {exc}") from exc
        self._reached, self._refused = True, False
        result = parse_response(response.status_code, response.headers, response.content)
        seconds = self._clock() - started
        logger.info("monday.com HTTP %d in %.1f s (request id %s, %d error(s))",
                    result.http_status, seconds, result.request_id, len(result.errors),
                    extra={"event": "request", "http_status": result.http_status,
                           "seconds": round(seconds, 3), "request_id": result.request_id,
                           "errors": [f"{e.code}: {e.message}" for e in result.errors][:5],
                           "complexity": (result.complexity.query if result.complexity
                                          else None),
                           "replayed": result.replayed})
        return result


_LEADING = re.compile(r"(?:\s+|#[^\n]*)*")


def _is_read(query: str) -> bool:
    """Whether ``query`` is a query (read) document rather than a mutation."""
    return not query[_LEADING.match(query).end():].startswith("mutation")  # type: ignore[union-attr]
