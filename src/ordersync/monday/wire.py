"""monday.com's responses, translated: results, classified errors, and the exceptions they raise.

Owns the wire side of the client: ``parse_response`` turns one HTTP response
(status, headers, body) into a ``GraphQLResult`` whose ``errors`` are
``WireError``\\s, each classified by ``classify`` into one ``ErrorKind``; a
transport failure (timeout, refused connection) becomes a ``WireError`` through
``transport_error``.  Sources: ``shared/monday/API_NOTES.md`` §1, §2.8, §5.

How an error is classified (first rule that matches wins):

1. HTTP 429                                  → RATE_LIMIT  (wait, not an attempt)
2. HTTP 409 / IDEMPOTENCY_CONFLICT           → FAULT       (back off, an attempt)
3. HTTP 401/403, extensions.status_code 401/403, InvalidBoardIdException,
   missingRequiredPermissions, InvalidVersionException, … → FATAL (stop the run)
4. a ``path`` (the alias) in an HTTP 200 body → RECORD    (fail that record only; the
   others were applied, so the document is never resent — even a field-level
   limit stays with its record, ``retry_in_seconds`` kept)
5. ``retry_in_seconds`` or ``status_code: 429`` in extensions, a known limit code in any
   spelling (``rateLimitExceeded`` = ``RATE_LIMIT_EXCEEDED``), or a limit's message
   ("Rate Limit Exceeded", "Minute limit rate exceeded", "Complexity budget
   exhausted", "Too many concurrent requests", …)  → RATE_LIMIT —
   API_NOTES §2.8: key on the status and ``retry_in_seconds``, not only the code
6. HTTP 5xx, 423, 408 (of the response or in ``extensions.status_code``), a transport
   failure, a server-fault code, or a 200 without a GraphQL result → FAULT
7. anything else (parse/validation errors, the per-request complexity cap, a
   malformed body)                           → REQUEST     (the document itself is wrong)

Exceptions (the tree of ``ordersync.errors``, with monday's context added):

    FatalSyncError
    ├── MondayFatalError         a FATAL error: names the board or MONDAY_API_TOKEN
    └── MondayRequestRejected    a REQUEST error: retrying the same document cannot help
    RetriableSyncError
    ├── MondayRetriesExhausted   FAULTs beyond the policy's bound, with the last reason
    │   └── MondayResponseLost   no answer to a mutation request that went out (a timeout,
    │                            a dropped connection): it may have been applied — raised
    │                            at once for a caller that looks its records up first
    └── MondayLimitTooLong       a rate limit longer than the policy waits (the daily cap)
    RecordSyncError
    └── MondayRecordError        one alias's error, for the caller that maps it to a record

No message ever holds the token: errors are built from response bodies only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

import httpx

from ordersync.errors import FatalSyncError, RecordSyncError, RetriableSyncError

TOKEN_ENV = "MONDAY_API_TOKEN"


class ErrorKind(StrEnum):
    """What the client does about an error."""

    RATE_LIMIT = "rate_limit"  # wait retry_in_seconds, then send again (not an attempt)
    FAULT = "fault"  # back off with jitter, then send again (an attempt)
    FATAL = "fatal"  # stop the run
    RECORD = "record"  # fail the record behind this alias; the others go on
    REQUEST = "request"  # the document was rejected as a whole


RATE_LIMIT_CODES = frozenset({
    "COMPLEXITY_BUDGET_EXHAUSTED", "MINUTE_RATE_LIMIT_EXCEEDED", "MAX_CONCURRENCY_EXCEEDED",
    "DAILY_LIMIT_EXCEEDED", "IP_RATE_LIMIT_EXCEEDED", "FIELD_LIMIT_EXCEEDED",
    "tooManyRequests", "maxConcurrencyExceeded", "complexityBudgetExhausted",
    "rateLimitExceeded", "minuteLimitExceeded", "concurrencyLimitExceeded",
})
"""monday's limit codes as seen on the wire and in its docs and SDKs (API_NOTES §2.8);
compared in any case, with or without underscores."""
_RATE_LIMIT_KEYS = frozenset(re.sub(r"[^a-z]", "", c.lower()) for c in RATE_LIMIT_CODES)
_RATE_LIMIT_TEXT = re.compile(
    r"\brate[ _-]?limit|\blimit rate exceeded|\bbudget exhausted|\btoo many (?:concurrent )?"
    r"requests|\bconcurrency limit|\bcall limit exceeded|\bdaily limit exceeded",
    re.IGNORECASE)
"""The messages of monday's limits (§2.3–2.8: "Rate Limit Exceeded", "Minute limit rate
exceeded", "Complexity budget exhausted", "Too many concurrent requests", "Call limit
exceeded for CreateBoard", …) — not "exceeded the limit of 10,000 items" (a full board)
nor "exceeds max complexity" (one request too complex: split)."""


def is_rate_limit(code: str, message: str = "") -> bool:
    """Whether an error is one of monday's throttles, by its code in any spelling or its
    message: the codes differ between the docs, the SDKs and the wire (§2.8)."""
    return (re.sub(r"[^a-z]", "", code.lower()) in _RATE_LIMIT_KEYS
            or bool(_RATE_LIMIT_TEXT.search(message)))
FATAL_CODES = frozenset({
    "InvalidBoardIdException", "missingRequiredPermissions", "InvalidVersionException",
    "Unauthorized", "UserUnauthorizedException", "USER_ACCESS_DENIED",
})
INCOMPLETE_RESPONSE = "INCOMPLETE_RESPONSE"
FAULT_CODES = frozenset({
    "INTERNAL_SERVER_ERROR", "BAD_GATEWAY", "SERVICE_UNAVAILABLE", "GATEWAY_TIMEOUT",
    "RESOURCE_LOCKED", "API_TEMPORARILY_BLOCKED", "IDEMPOTENCY_CONFLICT", "TIMEOUT",
    "CONNECTION_ERROR", INCOMPLETE_RESPONSE,
})


@dataclass(frozen=True)
class WireError:
    """One error as monday reported it, with what the client should do about it."""

    kind: ErrorKind
    code: str
    message: str
    request_id: str | None = None
    alias: str | None = None
    retry_in_seconds: float | None = None
    http_status: int = 200
    error_data: Mapping[str, Any] | None = None
    status_code: int | None = None
    """``extensions.status_code`` (monday's HTTP-like status inside a 200 body)."""
    fate_unknown: bool = False
    """The mutation this error stands for may or may not have been applied (no data came
    back for it, in a request whose other mutations ran): it is looked up, never failed or
    blindly sent again."""

    @property
    def is_rate_limit(self) -> bool:
        """A throttle, whatever it is called, and whether or not it names a time."""
        return (self.retry_in_seconds is not None or self.status_code == 429
                or self.http_status == 429 or is_rate_limit(self.code, self.message))

    @property
    def is_server_fault(self) -> bool:
        """A fault of monday's side, whatever the HTTP status of the response that carried
        it: a 5xx, 408 or 423 status (of the response or in ``extensions.status_code``),
        a timeout, or a server-fault code — sending again may well succeed."""
        statuses = [s for s in (self.http_status, self.status_code) if s]
        return (self.code in FAULT_CODES or self.http_status == 0
                or any(s >= 500 or s in (408, 423) for s in statuses))

    def __str__(self) -> str:
        where = f"alias {self.alias!r}: " if self.alias else ""
        status = f"HTTP {self.http_status} " if self.http_status not in (0, 200) else ""
        request = f" (request id {self.request_id})" if self.request_id else ""
        return f"{where}{status}{self.code}: {self.message}{request}"


@dataclass(frozen=True)
class Complexity:
    """The ``complexity`` field of a response: budget before/after, this query's cost."""

    before: int | None
    query: int | None
    after: int | None
    reset_in_x_seconds: int | None


@dataclass(frozen=True)
class GraphQLResult:
    """One response: ``data`` (possibly partial), its errors, and where it came from."""

    data: dict[str, Any] | None
    errors: list[WireError] = field(default_factory=list)
    request_id: str | None = None
    complexity: Complexity | None = None
    http_status: int = 200
    replayed: bool = False
    """``Idempotency-Replayed: true``: the cached response of an earlier, applied request."""
    attempts: int = 1
    """Sends counted against the retry bound (set by the client)."""
    rate_limit_waits: int = 0
    """Rate-limit waits before this response (set by the client; never counted as attempts)."""

    @property
    def applied(self) -> bool:
        """Whether any field (a mutation's alias, as a rule) came back with data: that part of
        the document ran, whatever the errors say about the rest."""
        return any(value is not None for key, value in (self.data or {}).items()
                   if key != "complexity")

    def of_kind(self, kind: ErrorKind) -> list[WireError]:
        return [e for e in self.errors if e.kind is kind]

    def as_read(self) -> GraphQLResult:
        """This result as the answer to a query: no error in a read belongs to one record
        (a field monday left null for a limit, an expired cursor, a failed lookup), and
        taking the rest of the data as the whole truth would show items or groups as
        missing — and a repair would create them again.  So an error with a path becomes
        a rate-limit wait, a server fault, or the rejection of the read."""
        def of_the_read(error: WireError) -> bool:  # not the budget figures beside it
            return error.kind is ErrorKind.RECORD and error.alias != "complexity"

        if not any(of_the_read(e) for e in self.errors):
            return self
        return replace(self, errors=[replace(e, kind=_read_kind(e)) if of_the_read(e) else e
                                     for e in self.errors])

    @property
    def record_errors(self) -> dict[str, WireError]:
        """alias → its error, for the caller to map back to its record."""
        return {e.alias: e for e in self.errors if e.kind is ErrorKind.RECORD and e.alias}


def _read_kind(error: WireError) -> ErrorKind:
    """An error of a read classified as if it named no alias (rules 5–7)."""
    return classify(http_status=error.http_status, code=error.code,
                    retry_in_seconds=error.retry_in_seconds, status_code=error.status_code,
                    has_path=False, message=error.message)


# --- exceptions -----------------------------------------------------------------------------


class MondayFatalError(FatalSyncError):
    """monday refused in a way no retry fixes: the token, the board, the permissions."""

    def __init__(self, error: WireError, *, api_version: str | None = None,
                 url: str | None = None, result: GraphQLResult | None = None) -> None:
        self.error = error
        self.code = error.code
        self.request_id = error.request_id
        self.result = result
        """The response, when monday applied some aliases of a mutation before refusing."""
        board = (error.error_data or {}).get("board_id")
        self.board_id = str(board) if board is not None else None
        super().__init__(_fatal_message(error, self.board_id, api_version, url))


UNREACHABLE = "UNREACHABLE"
"""The code of a connection refused or a host not found before any response came."""


def _fatal_message(error: WireError, board_id: str | None, api_version: str | None,
                   url: str | None = None) -> str:
    what = f"monday.com stopped the sync: {error}"
    if error.code == UNREACHABLE:
        parsed = httpx.URL(url) if url else None
        host = parsed.host if parsed else ""
        local = host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")
        port = parsed.port if parsed and parsed.port not in (None, 8765) else None
        sandbox = f"ordersync sandbox --port {port}" if port else "ordersync sandbox"
        hint = (f"start `{sandbox}` (it serves that address) or point monday.api_url "
                "elsewhere" if local else "check monday.api_url in the config and the network")
        return f"cannot reach monday.com at {url}: {error.message} — {hint}"
    if error.http_status == 401 or error.code == "Unauthorized":
        return (f"{what} — the API token was refused: set {TOKEN_ENV} to a valid personal "
                "API token (monday.com → Developers → My access tokens)")
    if error.code == "InvalidBoardIdException":
        board = f"board {board_id}" if board_id else "the configured board"
        return (f"{what} — {board} does not exist or this token cannot see it: check "
                f"monday.board_id in the config and that the {TOKEN_ENV} user can open it")
    if error.code == "InvalidVersionException":
        return f"{what} — check monday.api_version in the config (sent {api_version!r})"
    return (f"{what} — the {TOKEN_ENV} user lacks permission: give it access to the board "
            "or use a token with the needed scopes")


class MondayRequestRejected(FatalSyncError):
    """monday rejected the whole document (validation, the per-request complexity cap)."""

    def __init__(self, error: WireError) -> None:
        self.error = error
        self.code = error.code
        self.request_id = error.request_id
        super().__init__(f"monday.com rejected the request: {error}")


class MondayRetriesExhausted(RetriableSyncError):
    """A server fault or timeout outlasted the retry policy."""

    def __init__(self, error: WireError, attempts: int, *, message: str | None = None) -> None:
        self.error = error
        self.code = error.code
        self.request_id = error.request_id
        self.attempts = attempts
        super().__init__(message or f"monday.com request failed after {attempts} attempts; "
                                    f"last error: {error}")


class MondayResponseLost(MondayRetriesExhausted):
    """A mutation request went out and no answer came back (a timeout, a dropped connection,
    a cut-off body): monday may or may not have applied it.  Raised instead of a resend for
    a caller that asked (``execute(resend_unanswered=False)``): its records are looked up
    before anything is sent again — a server (or a proxy) that ignores ``Idempotency-Key``
    applies a resend a second time."""

    def __init__(self, error: WireError, attempts: int) -> None:
        super().__init__(error, attempts, message="no answer from monday.com to a mutation "
                         f"request (it may or may not have been applied): {error}")


class MondayLimitTooLong(RetriableSyncError):
    """monday asked to wait longer than the policy allows (typically the daily call cap)."""

    def __init__(self, error: WireError, seconds: float, *, waits: int = 0) -> None:
        self.error = error
        self.code = error.code
        self.request_id = error.request_id
        self.seconds = seconds
        self.resume_at = datetime.now(UTC) + timedelta(seconds=seconds)
        if seconds <= 300 and waits:  # the same short limit, again and again
            super().__init__(f"monday.com kept refusing the request for a rate limit after "
                             f"{waits} waits ({error}); stopping instead — the request was "
                             "not applied: run again later; the next run resumes where this "
                             "one stopped")
            return
        hours = f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"
        daily = (" (the daily call cap resets at midnight UTC)"
                 if error.code == "DAILY_LIMIT_EXCEEDED" else "")
        super().__init__(f"monday.com asks to wait {hours} ({error}); stopping instead — the "
                         "request was not applied: run again after "
                         f"{self.resume_at:%Y-%m-%d %H:%M} UTC{daily}; the next run resumes "
                         "where this one stopped")


class MondayRecordError(RecordSyncError):
    """One alias of a batch failed; ``record`` and ``operation`` name what it was for."""

    def __init__(self, error: WireError, *, record: str | None = None,
                 operation: str | None = None) -> None:
        self.error = error
        self.code = error.code
        self.request_id = error.request_id
        self.alias = error.alias
        self.record = record
        self.operation = operation
        subject = " ".join(p for p in (operation, record) if p) or f"alias {error.alias}"
        request = f" (request id {error.request_id})" if error.request_id else ""
        super().__init__(f"{subject}: monday.com {error.code}: {error.message}{request}")


# --- parsing --------------------------------------------------------------------------------


def classify(*, http_status: int, code: str, retry_in_seconds: float | None,
             status_code: int | None, has_path: bool, message: str = "") -> ErrorKind:
    """The kind of one error; the rules are in the module docstring."""
    if http_status == 429:
        return ErrorKind.RATE_LIMIT
    if http_status == 409 or code == "IDEMPOTENCY_CONFLICT":
        return ErrorKind.FAULT
    if http_status in (401, 403) or status_code in (401, 403) or code in FATAL_CODES:
        return ErrorKind.FATAL
    if has_path and http_status == 200:
        # The document ran; its other aliases were applied.  Resending it would repeat
        # them (or, under an Idempotency-Key, replay this same error forever), so even a
        # field-level limit stays with its record, ``retry_in_seconds`` kept for the caller.
        return ErrorKind.RECORD
    if retry_in_seconds is not None or status_code == 429 or is_rate_limit(code, message):
        return ErrorKind.RATE_LIMIT
    if (http_status >= 500 or http_status in (0, 408, 423) or code in FAULT_CODES
            or (status_code is not None and (status_code >= 500 or status_code in (408, 423)))):
        return ErrorKind.FAULT
    if has_path:
        return ErrorKind.RECORD
    return ErrorKind.REQUEST


def parse_response(status: int, headers: Mapping[str, str], content: bytes) -> GraphQLResult:
    """One HTTP response as a ``GraphQLResult`` (a non-JSON body becomes one error)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = parse_retry_after(lowered.get("retry-after"))
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    extensions = body.get("extensions")
    request_id = extensions.get("request_id") if isinstance(extensions, dict) else None
    request_id = str(request_id) if request_id is not None else lowered.get("x-request-id")
    raw_errors = _raw_errors(body)
    if not raw_errors and status != 200:
        raw_errors = [{"message": f"HTTP {status} without a GraphQL error",
                       "extensions": {"code": f"HTTP_{status}"}}]
    elif not raw_errors and not isinstance(body.get("data"), dict):
        # A 200 whose body is not a GraphQL result (cut off, empty, a proxy's page): what
        # happened to the request is unknown, so it is a fault — sent again under the same
        # Idempotency-Key, never taken as "nothing was done".
        raw_errors = [{"message": "HTTP 200 without a GraphQL result (an empty, cut-off or "
                                  "non-JSON body)", "extensions": {"code": INCOMPLETE_RESPONSE}}]
    errors = [_wire_error(raw, status, request_id, retry_after) for raw in raw_errors]
    errors = [replace(e, fate_unknown=True) if e.code == INCOMPLETE_RESPONSE else e
              for e in errors]  # monday answered, but what it did is unknown
    data = body.get("data")
    return GraphQLResult(
        data=data if isinstance(data, dict) else None, errors=errors, request_id=request_id,
        complexity=_complexity(data), http_status=status,
        replayed=lowered.get("idempotency-replayed", "").lower() == "true")


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
             httpx.UnsupportedProtocol, httpx.LocalProtocolError)
"""Transport failures before the request could leave: nothing can have been applied."""


def transport_error(exc: httpx.TransportError) -> WireError:
    """A timeout or connection failure: no response, so no request id; always a FAULT —
    of unknown fate unless the request never left (``_NOT_SENT``): a read timeout or a
    connection dropped after sending may follow a mutation monday applied."""
    code = "TIMEOUT" if isinstance(exc, httpx.TimeoutException) else "CONNECTION_ERROR"
    detail = str(exc) or type(exc).__name__
    return WireError(ErrorKind.FAULT, code, f"{type(exc).__name__}: {detail}", http_status=0,
                     fate_unknown=not isinstance(exc, _NOT_SENT))


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _raw_errors(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    errors = body.get("errors")
    result: list[dict[str, Any]] = []
    if isinstance(errors, list):
        for raw in errors:
            if isinstance(raw, dict):
                result.append(raw)
            elif isinstance(raw, str):  # legacy: errors as plain strings
                result.append({"message": raw})
    if "error_code" in body or "error_message" in body:  # legacy (≤2024-10) top-level form
        legacy = {"code": body.get("error_code") or "UNKNOWN",
                  "status_code": body.get("status_code"), "error_data": body.get("error_data")}
        return [{"message": body.get("error_message") or "", "extensions": legacy}]
    return result


def _wire_error(raw: Mapping[str, Any], status: int, request_id: str | None,
                retry_after: float | None) -> WireError:
    extensions = raw.get("extensions") if isinstance(raw.get("extensions"), dict) else {}
    assert isinstance(extensions, dict)
    message = str(raw.get("message") or "")
    code = str(extensions.get("code") or message or f"HTTP_{status}")
    retry_in = _number(extensions.get("retry_in_seconds"))
    if retry_in is None and (legacy := _RESET_IN.search(message)):  # "… reset in 16 seconds"
        retry_in = float(legacy.group(1))
    status_code = extensions.get("status_code")
    path = raw.get("path")
    alias = str(path[0]) if isinstance(path, Sequence) and not isinstance(path, str) and path \
        else None
    kind = classify(http_status=status, code=code, retry_in_seconds=retry_in,
                    status_code=status_code if isinstance(status_code, int) else None,
                    has_path=alias is not None, message=message)
    error_data = extensions.get("error_data")
    return WireError(kind, code, message, request_id=request_id, alias=alias,
                     retry_in_seconds=retry_in if retry_in is not None else retry_after,
                     http_status=status,
                     error_data=error_data if isinstance(error_data, dict) else None,
                     status_code=status_code if isinstance(status_code, int) else None)


_RESET_IN = re.compile(r"\breset in (\d+(?:\.\d+)?) seconds?\b", re.IGNORECASE)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _complexity(data: Any) -> Complexity | None:
    raw = data.get("complexity") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        return None

    def whole(name: str) -> int | None:
        value = raw.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return Complexity(whole("before"), whole("query"), whole("after"),
                      whole("reset_in_x_seconds"))
