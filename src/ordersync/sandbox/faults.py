"""Fault injection: which request fails, how, and what the executor must do about it.

A ``FaultPlan`` answers ``next_fault(request)`` once per request with a
``Fault`` or ``None``.  It is either a script consumed one entry per request
(``"ok,500,timeout_after_apply,ok"``; once used up, no more faults unless
``cycle``) or random draws at per-kind rates from a seeded generator, so a run
is reproducible (``"500:0.1,timeout_after_apply:0.05,seed=7"``; the seed
defaults to 0).  Tokens, with optional arguments in brackets:

    ok                    no fault
    500 502 503 504       that HTTP status, nothing executed
    423                   board locked, nothing executed
    429(LIMIT[,SECONDS])  a §2.8 rate-limit error; LIMIT is minute (default),
                          concurrency, daily, complexity or ip
    slow(SECONDS)         executed, the response held back SECONDS (default 5)
    timeout               nothing executed, no response: the client times out
    timeout_after_apply   executed and committed, then no response — the case
                          that makes a naive retry create a duplicate
    partial(K[,CODE[,FORM]])  the K-th mutation of the document (from 1) fails with
                          CODE (default ColumnValueException), the others succeed;
                          FORM is how the answer says so: ``path`` (default: the
                          error names the alias), ``no_path`` (an error naming no
                          alias beside the others' data) or ``null_data`` (``data``
                          null, as GraphQL's null propagation leaves it, though the
                          others were applied)
    no_id                 executed; each mutation's data comes back without its ``id``
    throttle_200          a throttle in an HTTP 200 body, code ``rateLimitExceeded``,
                          message "Rate Limit Exceeded", no retry time (the form of
                          monday's doc prose, API_NOTES §2.8) — nothing executed

Settings may stand among the tokens (or as keys of a table): ``replay_errors=no``
(a response with errors is not kept for ``Idempotency-Key`` replay; default ``yes``),
``key_reuse=replay`` (a key reused with another body replays the first response;
default ``reject``, HTTP 422) — monday documents neither (``idempotency.py``) —
``idempotency=ignore`` (the ``Idempotency-Key`` header is ignored: every request
executes, as on a server or proxy that does not know it; default ``honour``); and
``column_ids=new``: ``duplicate_board`` gives the copy's columns and groups new ids
(default ``keep``; monday does not document which).

Only requests that contain mutations get ``timeout_after_apply``, ``partial`` or
``no_id``: on a query they yield no fault (a script entry is still used up,
a random draw still made, so the sequence does not shift).  ``partial(K)``
beyond the last mutation hits the last one.

The plan never sleeps or touches limits; a suggested executor pipeline:
``limiter.enter()`` → ``limiter.admit()`` → fault before execution → execute
(failing alias K) → fault after execution (apply, then drop or delay the
response).  An injected 429 is the plan's, not the limiter's, and spends nothing.
Response codes for 5xx and 423 are UNCERTAIN (monday's gateway may not even send
JSON): clients must key on the HTTP status.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

from ordersync.errors import ConfigError
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.idempotency import IdempotencyPolicy
from ordersync.sandbox.limits import RateLimitCode, rate_limit_error, retry_after_headers


class FaultKind(StrEnum):
    """The faults the sandbox can inject; the values are the config tokens."""

    HTTP_500 = "500"
    HTTP_502 = "502"
    HTTP_503 = "503"
    HTTP_504 = "504"
    BOARD_LOCKED = "423"
    RATE_LIMITED = "429"
    SLOW = "slow"
    TIMEOUT = "timeout"
    TIMEOUT_AFTER_APPLY = "timeout_after_apply"
    PARTIAL_FAILURE = "partial"
    NO_ID = "no_id"
    THROTTLED_200 = "throttle_200"


class PartialForm(StrEnum):
    """How the answer to a document with one failed mutation says so."""

    PATH = "path"  # the error names the alias (``errors[].path``), the others have data
    NO_PATH = "no_path"  # the error names no alias; the others have data
    NULL_DATA = "null_data"  # the error names the alias, and ``data`` is null


class FaultTiming(StrEnum):
    """When, relative to executing the request, the fault strikes."""

    BEFORE_EXECUTE = "before_execute"
    DURING_EXECUTE = "during_execute"
    AFTER_EXECUTE = "after_execute"


class FaultAction(StrEnum):
    """What the executor must do."""

    RESPOND_WITH_ERROR = "respond_with_error"  # execute nothing; send ``error`` with its status
    DROP_RESPONSE = "drop_response"  # execute nothing; send nothing (raise a timeout)
    APPLY_THEN_DROP = "apply_then_drop"  # execute and commit (and cache); then send nothing
    DELAY_RESPONSE = "delay_response"  # execute; send the response ``delay_seconds`` late
    FAIL_ALIAS = "fail_alias"  # execute; mutation ``alias_number`` fails with ``error``
    STRIP_IDS = "strip_ids"  # execute; each mutation's data is sent without its ``id``


_HTTP_ERRORS: dict[FaultKind, MondayError] = {
    FaultKind.HTTP_500: MondayError("INTERNAL_SERVER_ERROR", "Internal server error", 500),
    FaultKind.HTTP_502: MondayError("BAD_GATEWAY", "Bad gateway", 502),
    FaultKind.HTTP_503: MondayError("SERVICE_UNAVAILABLE", "Service unavailable", 503),
    FaultKind.HTTP_504: MondayError("GATEWAY_TIMEOUT", "Gateway timeout", 504),
    FaultKind.BOARD_LOCKED: MondayError(  # message: §2.6; the code is the sandbox's own
        "RESOURCE_LOCKED", "Resource is currently locked, please try again later", 423),
}

RATE_LIMIT_NAMES: dict[str, RateLimitCode] = {
    "minute": RateLimitCode.MINUTE, "concurrency": RateLimitCode.CONCURRENCY,
    "daily": RateLimitCode.DAILY, "complexity": RateLimitCode.COMPLEXITY_BUDGET,
    "ip": RateLimitCode.IP,
}
# retry_in_seconds of an injected 429 unless given: §2.8's examples (ip: its 10 s window, §2.5)
DEFAULT_RETRY_SECONDS: dict[RateLimitCode, int] = {
    RateLimitCode.MINUTE: 58, RateLimitCode.CONCURRENCY: 15, RateLimitCode.DAILY: 3599,
    RateLimitCode.COMPLEXITY_BUDGET: 22, RateLimitCode.IP: 10,
}
# application errors ``partial(K,CODE)`` can inject into one alias (messages from §5)
PARTIAL_ERRORS: dict[str, MondayError] = {e.code: e for e in (
    MondayError("ColumnValueException", "invalid value - label does not exist in column",
                status_code=200),
    MondayError("ResourceNotFoundException", "Item not found in board", status_code=404),
    MondayError("InvalidBoardIdException",
                "The board does not exist. Please check your board ID and try again",
                status_code=200),
    MondayError("UserUnauthorizedException", "User unauthorized to perform action",
                status_code=403),
    MondayError("INTERNAL_SERVER_ERROR", "Internal server error", status_code=500),
)}
DEFAULT_SLOW_SECONDS = 5.0
THROTTLED_200 = MondayError("rateLimitExceeded", "Rate Limit Exceeded")
"""A throttle in an HTTP 200 body, without a retry time (API_NOTES §2.8: monday's doc prose
and its JS SDK name this code; the wire form is UNCERTAIN)."""


@dataclass(frozen=True)
class Fault:
    """One injected fault; build with the class methods or ``parse_fault``."""

    kind: FaultKind
    error: MondayError | None = None
    delay_seconds: float = 0.0
    alias_number: int | None = None  # PARTIAL_FAILURE: which mutation, counting from 1
    form: PartialForm = PartialForm.PATH  # PARTIAL_FAILURE: how the answer says so

    @classmethod
    def http(cls, status: int) -> Fault:
        kind = FaultKind(str(status))
        if kind not in _HTTP_ERRORS:
            raise ValueError(f"no HTTP fault for status {status}")
        return cls(kind, _HTTP_ERRORS[kind])

    @classmethod
    def rate_limited(cls, code: RateLimitCode = RateLimitCode.MINUTE,
                     retry_in_seconds: int | None = None) -> Fault:
        retry = DEFAULT_RETRY_SECONDS[code] if retry_in_seconds is None else retry_in_seconds
        return cls(FaultKind.RATE_LIMITED, rate_limit_error(code, retry))

    @classmethod
    def slow(cls, seconds: float = DEFAULT_SLOW_SECONDS) -> Fault:
        return cls(FaultKind.SLOW, delay_seconds=seconds)

    @classmethod
    def timeout(cls) -> Fault:
        return cls(FaultKind.TIMEOUT)

    @classmethod
    def timeout_after_apply(cls) -> Fault:
        return cls(FaultKind.TIMEOUT_AFTER_APPLY)

    @classmethod
    def partial(cls, alias_number: int = 1, error: MondayError | None = None,
                form: PartialForm | str = PartialForm.PATH) -> Fault:
        if alias_number < 1:
            raise ValueError("aliases are counted from 1")
        return cls(FaultKind.PARTIAL_FAILURE, error or PARTIAL_ERRORS["ColumnValueException"],
                   alias_number=alias_number, form=PartialForm(form))

    @classmethod
    def no_id(cls) -> Fault:
        return cls(FaultKind.NO_ID)

    @classmethod
    def throttled_200(cls) -> Fault:
        return cls(FaultKind.THROTTLED_200, THROTTLED_200)

    @property
    def action(self) -> FaultAction:
        return _ACTIONS.get(self.kind, FaultAction.RESPOND_WITH_ERROR)

    @property
    def timing(self) -> FaultTiming:
        if self.kind is FaultKind.PARTIAL_FAILURE:
            return FaultTiming.DURING_EXECUTE
        if self.kind in (FaultKind.SLOW, FaultKind.TIMEOUT_AFTER_APPLY, FaultKind.NO_ID):
            return FaultTiming.AFTER_EXECUTE
        return FaultTiming.BEFORE_EXECUTE

    @property
    def mutations_only(self) -> bool:
        return self.kind in (FaultKind.TIMEOUT_AFTER_APPLY, FaultKind.PARTIAL_FAILURE,
                             FaultKind.NO_ID)

    def reshape(self, data: dict[str, Any] | None, errors: Sequence[MondayError],
                mutation_keys: Sequence[str]) -> tuple[dict[str, Any] | None,
                                                      tuple[MondayError, ...]]:
        """The executed document's answer as this fault shapes it (``partial``'s form,
        ``no_id``); the store is as the execution left it."""
        if self.kind is FaultKind.NO_ID and data is not None:
            data = {key: ({k: v for k, v in value.items() if k != "id"}
                          if key in mutation_keys and isinstance(value, dict) else value)
                    for key, value in data.items()}
        if self.kind is FaultKind.PARTIAL_FAILURE and self.form is PartialForm.NO_PATH:
            errors = [replace(e, path=None) if e.path and e.path[0] in mutation_keys else e
                      for e in errors]
        if self.kind is FaultKind.PARTIAL_FAILURE and self.form is PartialForm.NULL_DATA:
            data = None
        return data, tuple(errors)

    @property
    def http_status(self) -> int | None:
        """The status of the whole response, for faults that answer with an error."""
        if self.action is FaultAction.RESPOND_WITH_ERROR and self.error is not None:
            return self.error.http_status
        return None

    def headers(self) -> dict[str, str]:
        """Headers the error response carries (``Retry-After`` on an injected 429)."""
        if self.action is FaultAction.RESPOND_WITH_ERROR and self.error is not None:
            return retry_after_headers(self.error)
        return {}

    @property
    def token(self) -> str:
        """The config token this fault parses from."""
        if self.kind is FaultKind.RATE_LIMITED and self.error is not None:
            name = next(n for n, c in RATE_LIMIT_NAMES.items() if c.value == self.error.code)
            return f"429({name},{self.error.retry_in_seconds})"
        if self.kind is FaultKind.SLOW:
            return f"slow({self.delay_seconds:g})"
        if self.kind is FaultKind.PARTIAL_FAILURE and self.error is not None:
            form = "" if self.form is PartialForm.PATH else f",{self.form.value}"
            return f"partial({self.alias_number},{self.error.code}{form})"
        return self.kind.value


_ACTIONS = {
    FaultKind.SLOW: FaultAction.DELAY_RESPONSE,
    FaultKind.TIMEOUT: FaultAction.DROP_RESPONSE,
    FaultKind.TIMEOUT_AFTER_APPLY: FaultAction.APPLY_THEN_DROP,
    FaultKind.PARTIAL_FAILURE: FaultAction.FAIL_ALIAS,
    FaultKind.NO_ID: FaultAction.STRIP_IDS,
}


@dataclass(frozen=True)
class RequestInfo:
    """What the plan needs to know about a request."""

    mutation_count: int = 0  # mutation fields (aliases) in the document; 0 for a query
    operation_name: str | None = None


class FaultPlanError(ConfigError):
    """A fault plan that cannot be parsed; lists every problem found."""


_TOKEN = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(?:\((.*)\))?\s*$")
_NO_ARGS = {"ok", *(k.value for k in _HTTP_ERRORS), FaultKind.TIMEOUT.value,
            FaultKind.TIMEOUT_AFTER_APPLY.value, FaultKind.NO_ID.value,
            FaultKind.THROTTLED_200.value}
_SIMPLE: dict[str, Fault] = {FaultKind.TIMEOUT.value: Fault.timeout(),
                             FaultKind.TIMEOUT_AFTER_APPLY.value: Fault.timeout_after_apply(),
                             FaultKind.NO_ID.value: Fault.no_id(),
                             FaultKind.THROTTLED_200.value: Fault.throttled_200()}


def parse_fault(token: str) -> Fault | None:
    """One token (``"500"``, ``"429(daily,5)"``, ``"partial(2)"`` …); ``"ok"`` → None.

    Raises ``ValueError`` with a readable reason.
    """
    match = _TOKEN.match(token)
    if not match:
        raise ValueError(f"cannot read fault {token!r}")
    name, raw = match.group(1).lower(), match.group(2)
    args = [a.strip() for a in raw.split(",")] if raw is not None and raw.strip() else []
    known = ", ".join(["ok", *(k.value for k in FaultKind)])
    if name not in _NO_ARGS and name not in {k.value for k in FaultKind}:
        raise ValueError(f"unknown fault kind {name!r} (known: {known})")
    if name in _NO_ARGS:
        if args:
            raise ValueError(f"fault {name!r} takes no arguments")
        return None if name == "ok" else _SIMPLE.get(name) or Fault.http(int(name))
    kind = FaultKind(name)
    if kind is FaultKind.RATE_LIMITED:
        if len(args) > 2:
            raise ValueError("429 takes at most (LIMIT, SECONDS)")
        limit = (args[0] if args else "minute").lower()
        if limit not in RATE_LIMIT_NAMES:
            raise ValueError(f"unknown rate limit {limit!r} (known: {', '.join(RATE_LIMIT_NAMES)})")
        seconds = _int(args[1], "retry seconds") if len(args) == 2 else None
        return Fault.rate_limited(RATE_LIMIT_NAMES[limit], seconds)
    if kind is FaultKind.SLOW:
        if len(args) > 1:
            raise ValueError("slow takes at most (SECONDS)")
        return Fault.slow(_float(args[0], "delay seconds") if args
                          else DEFAULT_SLOW_SECONDS)
    if len(args) > 3:
        raise ValueError("partial takes at most (K, CODE, FORM)")
    number = _int(args[0], "alias number") if args else 1
    if number < 1:
        raise ValueError("partial: aliases are counted from 1")
    code = args[1] if len(args) >= 2 else "ColumnValueException"
    if code not in PARTIAL_ERRORS:
        raise ValueError(f"partial: unknown error code {code!r} "
                         f"(known: {', '.join(PARTIAL_ERRORS)})")
    form = args[2].lower() if len(args) == 3 else PartialForm.PATH.value
    if form not in {f.value for f in PartialForm}:
        raise ValueError(f"partial: unknown form {form!r} "
                         f"(known: {', '.join(f.value for f in PartialForm)})")
    return Fault.partial(number, PARTIAL_ERRORS[code], form)


def _int(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{what} must be a whole number, got {text!r}") from None
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {text!r}")
    return value


def _float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number, got {text!r}") from None
    if not value >= 0:  # also refuses nan
        raise ValueError(f"{what} must not be negative, got {text!r}")
    return value


PlanMode = Literal["none", "script", "random"]


class FaultPlan:
    """The faults of one run: none, a script, or seeded random draws.  Thread-safe."""

    def __init__(self, *, script: Sequence[Fault | None] = (), cycle: bool = False,
                 rates: Sequence[tuple[Fault | None, float]] = (), seed: int = 0,
                 mode: PlanMode = "none", idempotency: IdempotencyPolicy | None = None) -> None:
        # Prefer the constructors below; this one trusts its arguments.
        self.mode = mode
        self.idempotency = idempotency or IdempotencyPolicy()
        self.new_column_ids = False  # the setting column_ids=new (fault_specs.py)
        self._script = list(script)
        self._cycle = cycle
        self._rates = list(rates)
        self.seed = seed
        self._rng = random.Random(seed)
        self._position = 0
        self._lock = threading.Lock()

    @classmethod
    def none(cls) -> FaultPlan:
        return cls()

    @classmethod
    def scripted(cls, steps: Iterable[Fault | str | None], *, cycle: bool = False) -> FaultPlan:
        """One step per request, in order; after the last, no faults (or again, if ``cycle``)."""
        return cls(script=[parse_fault(s) if isinstance(s, str) else s for s in steps],
                   cycle=cycle, mode="script")

    @classmethod
    def random(cls, rates: Mapping[str, float] | Iterable[tuple[Fault | str, float]], *,
               seed: int = 0) -> FaultPlan:
        """Each request draws one fault kind with these probabilities (summing to ≤ 1)."""
        pairs = rates.items() if isinstance(rates, Mapping) else rates
        parsed = [(parse_fault(f) if isinstance(f, str) else f, float(r)) for f, r in pairs]
        total = sum(r for _, r in parsed)
        if any(not 0 <= r <= 1 for _, r in parsed) or total > 1 + 1e-9:
            raise ValueError(f"fault rates must each lie in [0, 1] and sum to at most 1 "
                             f"(they sum to {total:g})")
        return cls(rates=parsed, seed=seed, mode="random")

    @classmethod
    def parse(cls, spec: str | Sequence[str] | Mapping[str, Any] | None, *,
              source: str = "faults") -> FaultPlan:
        """From a CLI string, a list of tokens, or a TOML table; see ``fault_specs``."""
        from ordersync.sandbox.fault_specs import parse_fault_plan  # it builds FaultPlans

        return parse_fault_plan(spec, source=source)

    def next_fault(self, request: RequestInfo) -> Fault | None:
        """The fault for the next request, or None."""
        with self._lock:
            fault = self._draw()
        if fault is None:
            return None
        if fault.mutations_only and request.mutation_count < 1:
            return None
        if fault.alias_number is not None and fault.alias_number > request.mutation_count:
            return replace(fault, alias_number=request.mutation_count)
        return fault

    def _draw(self) -> Fault | None:
        if self.mode == "script":
            if self._position >= len(self._script):
                if not (self._cycle and self._script):
                    return None
                self._position = 0
            self._position += 1
            return self._script[self._position - 1]
        if self.mode == "random":
            draw, cumulative = self._rng.random(), 0.0
            for fault, rate in self._rates:
                cumulative += rate
                if draw < cumulative:
                    return fault
        return None

    def describe(self) -> str:
        """The plan as a spec string that parses back to the same plan."""
        if self.mode == "script":
            text = ",".join("ok" if f is None else f.token for f in self._script)
            return f"{text},cycle" if self._cycle else text
        if self.mode == "random":
            rates = ",".join(f"{'ok' if f is None else f.token}:{r:g}" for f, r in self._rates)
            return f"{rates},seed={self.seed}"
        return "none"

    def __repr__(self) -> str:
        return f"FaultPlan({self.describe()!r})"
