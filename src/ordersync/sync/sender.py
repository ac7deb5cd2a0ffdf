"""Send jobs to monday.com in budget-sized batches; hand each job's outcome to its owner.

A *job* is one mutation for one record (an item, a subitem, a group).  ``Sender.send``
cuts the jobs into requests as ``BatchPlanner`` sizes them against the budget this
minute (``Budget``), and for each request:

1. ``handler.sending(batch)`` — the owner marks the records SENDING and commits,
   *before* the request leaves (a crash from here on leaves them in doubt, and
   the next run reconciles them);
2. the request goes out as one document of aliased mutations, every value a
   variable, with an ``Idempotency-Key`` derived from the records and the body
   (a retry of the same request is replayed by monday, not applied twice);
3. ``handler.finished(batch, outcomes)`` — each alias's data or error, mapped to
   its own job (one bad record never fails its neighbours).

A request monday rejects as a whole (too complex, invalid) is split in halves
and each half sent again; a single job rejected so is a failed record.  A request
that got no answer (a timeout, a dropped connection: it may have been applied) is
not simply sent again — a server that ignores ``Idempotency-Key`` would apply it
twice: ``handler.lost`` settles what the board shows (creates looked up and
adopted) and the rest goes out again as a new request, after a back-off, up to the
client's ``max_attempts`` sends.  When server faults outlast the retry policy,
``handler.in_doubt`` gets the batch (the mutations may or may not have been
applied) and ``SyncInterrupted`` stops the run.  A fatal error (token, board) gives
``handler.unsent`` the batch and stops the run.  When the budget left this minute
cannot hold a reasonable batch, the sender waits for the window to reset rather than
send a sliver: requests per order count against monday's daily call cap.
``concurrency`` (default 1: monday warns against concurrent mutations on one board)
bounds the requests in flight.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from ordersync.errors import RetriableSyncError
from ordersync.monday.batching import BatchPlanner, split
from ordersync.monday.client import MondayClient
from ordersync.monday.operations import Call, build_mixed_batch
from ordersync.monday.wire import (
    ErrorKind,
    GraphQLResult,
    MondayFatalError,
    MondayLimitTooLong,
    MondayRequestRejected,
    MondayResponseLost,
    MondayRetriesExhausted,
    WireError,
)
from ordersync.sync.budget import Budget
from ordersync.sync.stop import Stop

logger = logging.getLogger(__name__)

NO_DATA = "NO_DATA"
"""The code of an alias that came back with neither data nor an error."""
NO_ID = "NO_ID"
"""The code of an alias whose data came back without the ``id`` every mutation selects."""
MIN_FILL = 0.5
"""Wait for the budget to reset rather than send a request under half its full size."""


@dataclass(frozen=True)
class Job:
    """One mutation for one record."""

    call: Call
    record: Any
    """The owner's record (an order, a line, a group name)."""
    token: str
    """What makes this send unique: record, action and the data version it sends."""


@dataclass(frozen=True)
class Outcome:
    """What monday said about one job: its data, or its error."""

    data: Mapping[str, Any] | None
    error: WireError | None
    request_id: str | None

    @property
    def ok(self) -> bool:
        return self.error is None and self.data is not None


class Handler(Protocol):
    """The owner of a pass's records: keeps the database in step with each request."""

    def sending(self, batch: Sequence[Job]) -> None: ...

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None: ...

    def lost(self, batch: Sequence[Job], error: MondayResponseLost) -> Sequence[Job]:
        """A request got no answer and may have been applied: settle what the board shows
        (creates found there are adopted); the jobs to send again."""

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> str | None:
        """Settle a request that may or may not have been applied; say what became of its
        records (None: nothing to say)."""

    def unsent(self, batch: Sequence[Job], error: Exception) -> None: ...


class SyncInterrupted(RetriableSyncError):
    """monday.com kept failing: the run stopped; what was not confirmed is retried next run."""


@dataclass
class SendStats:
    requests: int = 0
    """Requests that got a response, reads included."""
    mutations: int = 0
    splits: int = 0
    batch_sizes: list[int] = field(default_factory=list)


@dataclass
class Sender:
    """Batches jobs within the limits and sends them through one client."""

    client: MondayClient
    planner: BatchPlanner
    budget: Budget
    stats: SendStats = field(default_factory=SendStats)
    on_request: Callable[[int], None] | None = None
    """Called with the number of mutations after each request (progress)."""
    on_send: Callable[[Sequence[Job]], None] | None = None
    """Called with each pass's jobs as they are handed over (progress)."""

    concurrency: int = 1
    """Requests in flight at once (``monday.limits.concurrency``)."""
    stop: Stop | None = None
    """Asked before each request whether a signal asked the run to stop (``sync.stop``)."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.client.observers.append(self._observe)

    def close(self) -> None:
        """Stop observing the client (it may serve another run)."""
        if self._observe in self.client.observers:
            self.client.observers.remove(self._observe)

    def _observe(self, result: GraphQLResult) -> None:
        """Every response, reads included: the budget it reports, and the request count."""
        with self._lock:
            self.stats.requests += 1
            self.budget.observe(result.complexity)

    def send(self, jobs: Sequence[Job], handler: Handler) -> None:
        """Send every job; with ``concurrency`` > 1, up to that many requests at once, each
        cut so that together they fit the budget left this minute."""
        if self.on_send is not None:
            self.on_send(jobs)
        pending = list(jobs)
        while pending:
            if self.stop is not None:
                self.stop.check()
            round_: list[list[Job]] = []
            remaining = self.budget.remaining()
            while pending and len(round_) < self.concurrency:
                window = [job.call for job in pending[:self.planner.max_calls]]
                full = self.planner.fits(window)
                if full == 0:
                    raise ValueError(f"a {pending[0].call.operation} call is more complex "
                                     "than one request may be")
                take = self.planner.fits(window, remaining)
                if take == 0 or (take < full and take < MIN_FILL * full):
                    break
                batch, pending = pending[:take], pending[take:]
                round_.append(batch)
                if remaining is not None:
                    remaining -= self.planner.batch_cost([job.call for job in batch])
            if not round_:
                logger.info("complexity budget low (%s left): waiting for the minute to reset",
                            self.budget.remaining())
                self.budget.wait_for_reset()
                continue
            if len(round_) == 1:
                self._send_batch(round_[0], handler)
                continue
            with ThreadPoolExecutor(max_workers=len(round_)) as pool:
                futures = [pool.submit(self._send_batch, batch, handler) for batch in round_]
            for future in futures:  # every request has ended; the first failure wins
                future.result()

    def _send_batch(self, batch: list[Job], handler: Handler, *, lost: int = 0) -> None:
        """Send one request; ``lost``: how many sends of these records got no answer (they
        are SENDING already)."""
        document = build_mixed_batch([job.call for job in batch],
                                     with_complexity=self.planner.with_complexity)
        if not lost:
            handler.sending(batch)
        try:
            result = self.client.execute(document.query, document.variables,
                                         idempotency_key=idempotency_key(document.query,
                                                                         document.variables,
                                                                         batch),
                                         resend_unanswered=False)
        except MondayResponseLost as exc:
            lost += 1
            if lost < self.client.policy.max_attempts:
                again = list(handler.lost(batch, exc))
                if again:
                    self.client.back_off(exc.error, lost)
                    self._send_batch(again, handler, lost=lost)
                return
            fate = handler.in_doubt(batch, exc)
            raise SyncInterrupted(f"stopped: {exc}, {lost} time(s); the records of that "
                                  "request were checked against the board"
                                  + (f": {fate}" if fate else "")) from exc
        except MondayRequestRejected as exc:
            if len(batch) == 1:
                handler.finished(batch, [Outcome(None, exc.error, exc.request_id)])
                return
            logger.warning("monday.com rejected a request of %d mutations (%s): splitting it",
                           len(batch), exc.code)
            self.stats.splits += 1
            handler.unsent(batch, exc)
            first, second = split(batch)
            self._send_batch(first, handler)
            self._send_batch(second, handler)
            return
        except MondayRetriesExhausted as exc:
            fate = handler.in_doubt(batch, exc)
            raise SyncInterrupted(f"stopped: {exc}; the records of that request were checked "
                                  "against the board" + (f": {fate}" if fate else "")) from exc
        except MondayLimitTooLong as exc:  # a 429: nothing was applied
            handler.unsent(batch, exc)
            raise SyncInterrupted(f"stopped: {exc}") from exc
        except MondayFatalError as exc:
            if exc.result is not None:  # some aliases ran before the refusal: record them
                found = outcomes(exc.result, document.aliases)
                ran = [i for i, outcome in enumerate(found) if outcome.ok]
                handler.finished([batch[i] for i in ran], [found[i] for i in ran])
                batch = [job for job, outcome in zip(batch, found, strict=True)
                         if not outcome.ok]
            if batch:
                handler.unsent(batch, exc)
            raise
        with self._lock:
            self.stats.mutations += len(batch)
            self.stats.batch_sizes.append(len(batch))
        handler.finished(batch, outcomes(result, document.aliases))
        if self.on_request is not None:
            self.on_request(len(batch))


def outcomes(result: GraphQLResult, aliases: Sequence[str]) -> list[Outcome]:
    """Each alias's data or error, in call order."""
    errors = result.record_errors
    data = result.data or {}
    # An error naming no alias in a response that applied others stands for each alias that
    # came back without data: a refusal of the document's content (a bad value) is theirs;
    # a server fault or a limit says nothing of whether they ran — unknown fate.
    refusals = result.of_kind(ErrorKind.REQUEST)
    unplaced = result.of_kind(ErrorKind.FAULT) + result.of_kind(ErrorKind.RATE_LIMIT)
    found: list[Outcome] = []
    for alias in aliases:
        error = errors.get(alias)
        value = data.get(alias)
        if error is None and not isinstance(value, Mapping) and refusals:
            error = replace(refusals[0], kind=ErrorKind.RECORD, alias=alias)
        elif error is None and not isinstance(value, Mapping) and unplaced:
            error = replace(unplaced[0], kind=ErrorKind.RECORD, alias=alias, fate_unknown=True)
        elif error is None and not isinstance(value, Mapping):
            # ``data`` null after a neighbour's error (GraphQL's null propagation), or this
            # alias left out: monday may well have applied it — not a refusal.
            error = WireError(kind=ErrorKind.RECORD, code=NO_DATA,
                              message="monday.com returned no data and no error for this "
                                      "mutation: it may or may not have been applied",
                              request_id=result.request_id, alias=alias, fate_unknown=True)
        if error is None and isinstance(value, Mapping) and value.get("id") is None:
            # Applied (data came back), but which item it made is unknown: looked up, as
            # any mutation of unknown fate, rather than recorded without an id.
            logger.warning("monday.com answered mutation %s without its id (request id %s): "
                           "what it made is looked up", alias, result.request_id)
            error = WireError(kind=ErrorKind.RECORD, code=NO_ID,
                              message="monday.com answered this mutation without its id: "
                                      "applied, but what it made is unknown",
                              request_id=result.request_id, alias=alias, fate_unknown=True)
            value = None
        found.append(Outcome(value if isinstance(value, Mapping) else None, error,
                             result.request_id))
    return found


def idempotency_key(query: str, variables: Mapping[str, object], batch: Sequence[Job]) -> str:
    """The same request for the same data versions → the same key (monday replays it);
    anything else → another key (no 422 for a reused key with another body)."""
    payload = json.dumps({"q": query, "v": variables, "t": [job.token for job in batch]},
                         sort_keys=True, default=str, ensure_ascii=False)
    return "ordersync-" + hashlib.sha256(payload.encode()).hexdigest()[:40]
