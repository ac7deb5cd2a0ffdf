"""The record pass the item, subitem and move passes share: one rule per outcome.

``RecordHandler`` is the sender's ``Handler`` for any kind of record; a ``Records``
object (items, subitems, moves) says how its kind is written down.  For each request:

- ``sending``: the records are marked SENDING and committed (moves are not: a move
  repeats safely and the order stays PENDING until its update);
- each alias's outcome, by ``fate``:
  DONE     confirmed (SYNCED, the id kept);
  LIMITED  a limit on that alias, or a full board: re-queued, not an attempt;
  FAULT    a server fault on that alias (5xx, 423, a timeout, INTERNAL_SERVER_ERROR), or
           no answer for it in a request whose other aliases ran (``fate_unknown``):
           handled like a request whose fate is unknown, below;
  GONE     the item, subitem or group is gone from the board: healed (looked up by
           identity, then re-created) and sent again this run;
  REFUSED  monday refused the record itself (a value, a name, a permission): FAILED;
- a request that got no answer (``lost``): creates are looked up on the board and
  adopted if found, the rest sent again by the sender;
- a request whose fate is unknown after the client's retries (``in_doubt``), and the
  FAULT aliases: creates are looked up on the board and adopted if found; a FAULT alias
  goes to another round of this run while its record has sends left
  (``retry.max_attempts`` a run, as the client tries a request); then, and after a
  request's retries, to the next run while it has runs left (``retry.record_attempts``),
  else FAILED;
- a request never sent (``unsent``): re-queued as it was.

Every outcome is a ``sync_events`` row and a count in the report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Protocol

from ordersync.monday.wire import MondayResponseLost, WireError
from ordersync.states import SyncEvent
from ordersync.sync import store
from ordersync.sync.context import (
    Context,
    check_board_full,
    error_event_fields,
    error_text,
    is_board_full,
)
from ordersync.sync.sender import Job, Outcome


class Fate(StrEnum):
    DONE = "done"
    LIMITED = "limited"
    FAULT = "fault"
    GONE = "gone"
    REFUSED = "refused"


GONE_CODES = frozenset({"ResourceNotFoundException", "InvalidItemIdException",
                        "ItemNotFoundException", "InvalidGroupIdException"})
_GONE_TEXT = re.compile(r"\b(item|group|subitem|parent)\b.*\bnot found\b|inactive item",
                        re.IGNORECASE)


_COLUMN_TEXT = re.compile(r"\bcolumns?\b", re.IGNORECASE)


def is_gone(error: WireError) -> bool:
    """monday says the item, subitem or group a mutation names does not exist (any more) —
    not a column: ``ResourceNotFoundException`` names a deleted column too, and making the
    item again cannot bring a column back (the record fails, with monday's reason)."""
    if _COLUMN_TEXT.search(error.message) and not _GONE_TEXT.search(error.message):
        return False
    return (error.code in GONE_CODES or error.status_code == 404
            or bool(_GONE_TEXT.search(error.message)))


def gone_group_id(error: WireError) -> str | None:
    """The group a not-found error names, when it is a group that is gone."""
    data = error.error_data or {}
    if "group_id" in data:
        return str(data["group_id"])
    return None


def fate(error: WireError) -> Fate:
    if error.fate_unknown:  # no answer for it: looked up, like a server fault's
        return Fate.FAULT
    if error.is_rate_limit or is_board_full(error):  # a throttle never fails a record
        return Fate.LIMITED
    if error.is_server_fault:
        return Fate.FAULT
    if is_gone(error):
        return Fate.GONE
    return Fate.REFUSED


class Records(Protocol):
    """How one kind of record is written down (``items``, ``subitems``, ``moves``)."""

    kind: str
    """``items``, ``subitems`` or ``moves``."""
    marks_sending: bool
    board_id: str | None
    """The board its mutations write to (named when it is full)."""

    def key(self, send: Any) -> Hashable: ...

    def event_key(self, send: Any) -> tuple[str, str | None]:
        """(record_uuid, size or None) for ``sync_events``."""

    def attempts(self, send: Any) -> int:
        """Runs in which this record was sent, this one included (``Context.runs``)."""

    def what(self, send: Any) -> str: ...

    def is_create(self, send: Any) -> bool: ...

    def already_done(self, send: Any, error: WireError) -> bool: ...

    def mark_sending(self, conn: Any, sends: Sequence[tuple[Any, bool]]) -> None:
        """(send, whether it is the record's first send of this run: its attempts +1)."""

    def confirm(self, conn: Any, done: Sequence[tuple[Any, Outcome]]) -> list[store.Event]: ...

    def release(self, conn: Any, rows: Sequence[tuple[Any, str | None]],
                event: SyncEvent) -> None: ...

    def find(self, creates: Sequence[Any]) -> Mapping[Any, Any]:
        """Creates of an unknown fate found on the board: key → what to adopt."""

    def adopt(self, conn: Any, found: Sequence[tuple[Any, Any]]) -> list[store.Event]: ...

    def gone(self, sends: Sequence[tuple[Any, WireError]]) -> None:
        """Heal records whose item, subitem or group is gone (lookups, then writes)."""


class RecordHandler:
    """The sender's handler for one pass (see the module docstring)."""

    def __init__(self, ctx: Context, records: Records) -> None:
        self.ctx = ctx
        self.records = records

    def sending(self, batch: Sequence[Job]) -> None:
        counts = self.ctx.run_sends
        for job in batch:
            counts[self.records.kind, self.records.key(job.record)] += 1
        if self.records.marks_sending:
            with self.ctx.db.begin() as conn:
                self.records.mark_sending(conn, [
                    (job.record, counts[self.records.kind, self.records.key(job.record)] == 1)
                    for job in batch])

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None:
        ctx, records = self.ctx, self.records
        done: list[tuple[Any, Outcome]] = []
        by_fate: dict[Fate, list[tuple[Job, WireError]]] = {f: [] for f in Fate}
        for job, outcome in zip(batch, outcomes, strict=True):
            if outcome.ok or (outcome.error is not None
                              and records.already_done(job.record, outcome.error)):
                done.append((job.record, outcome))
                continue
            assert outcome.error is not None
            by_fate[fate(outcome.error)].append((job, outcome.error))
        self._write(lambda conn: records.confirm(conn, done), by_fate[Fate.LIMITED],
                    by_fate[Fate.REFUSED], SyncEvent.RECORD_ERROR)
        if by_fate[Fate.GONE]:
            records.gone([(j.record, e) for j, e in by_fate[Fate.GONE]])
            ctx.events_now([self._event(j, "gone", e) for j, e in by_fate[Fate.GONE]])
        if by_fate[Fate.FAULT]:
            self._unresolved([(j, e) for j, e in by_fate[Fate.FAULT]], in_run=True)
        check_board_full(outcomes, records.board_id)

    def lost(self, batch: Sequence[Job], error: MondayResponseLost) -> list[Job]:
        """No answer to the request: its creates found on the board are adopted (they were
        applied); the rest — creates not there, and what repeats safely — to send again."""
        ctx, records = self.ctx, self.records
        creates = [job.record for job in batch if records.is_create(job.record)]
        found = records.find(creates) if creates else {}
        adopted = [(job.record, found[records.key(job.record)]) for job in batch
                   if records.key(job.record) in found]
        if adopted:
            with ctx.db.begin() as conn:
                ctx.events(conn, records.adopt(conn, adopted))
        return [job for job in batch if records.key(job.record) not in found]

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> str | None:
        """The request may or may not have been applied (after the client's retries)."""
        kept, later, failed = self._unresolved([(job, error) for job in batch], in_run=False)
        fates = [f"{kept} found made and kept"] if kept else []
        fates += [f"{later} retried by the next run"] if later else []
        fates += [f"{failed} FAILED, out of attempts (see `ordersync failures`; "
                  "`ordersync sync --retry-failed` tries them again)"] if failed else []
        return ", ".join(fates) or None

    def unsent(self, batch: Sequence[Job], error: Exception) -> None:
        """The request was not applied (split, or a fatal error): back as they were."""
        if not self.records.marks_sending:
            return
        with self.ctx.db.begin() as conn:
            self.records.release(conn, [(job.record, None) for job in batch],
                                 SyncEvent.REQUEUED)

    def _unresolved(self, jobs: Sequence[tuple[Job, WireError | Exception]], *,
                    in_run: bool) -> tuple[int, int, int]:
        """Records whose mutation may or may not have been applied: creates found on the
        board are adopted.  The rest go again: a fault on their own alias (``in_run``) in
        another round of this run while they have sends left (``retry.max_attempts``, as
        the client retries a request); then, or after a request's retries, in the next
        run while they have runs left (``retry.record_attempts``); else FAILED.  Returns how
        many were adopted, go again, and FAILED."""
        ctx, records = self.ctx, self.records
        creates = [job.record for job, _ in jobs if records.is_create(job.record)]
        found = records.find(creates) if creates else {}
        adopted = [(job.record, found[records.key(job.record)]) for job, _ in jobs
                   if records.key(job.record) in found]
        rest = [(job, error) for job, error in jobs if records.key(job.record) not in found]
        again: list[tuple[Job, WireError | Exception]] = []
        later: list[tuple[Job, WireError | Exception]] = []
        failed: list[tuple[Job, WireError | Exception]] = []
        for job, error in rest:
            if in_run and ctx.run_sends[records.kind, records.key(job.record)] \
                    < ctx.sends_per_run:
                again.append((job, error))
            elif records.attempts(job.record) < ctx.record_attempts:
                later.append((job, error))
            else:
                failed.append((job, error))
        self._write(lambda conn: records.adopt(conn, adopted), [*again, *later], failed,
                    SyncEvent.FAULTS_EXHAUSTED)
        ctx.again.update(records.event_key(j.record)[0] for j, _ in again)
        return len(adopted), len(again) + len(later), len(failed)

    def _write(self, first: Callable[[Any], list[store.Event]],
               requeued: Sequence[tuple[Job, WireError | Exception]],
               failed: Sequence[tuple[Job, WireError | Exception]], failure: SyncEvent) -> None:
        """One transaction: ``first`` (confirmations or adoptions), then the re-queued
        records back to PENDING and the failed ones to FAILED (by ``failure``), with
        their events; counted in the report."""
        ctx, records = self.ctx, self.records
        for job, error in failed:
            ctx.report.fail(records.what(job.record), error_text(error))
        ctx.report.add("requeued", len(requeued))
        with ctx.db.begin() as conn:
            events = first(conn)
            records.release(conn, [(j.record, error_text(e)) for j, e in requeued],
                            SyncEvent.REQUEUED)
            records.release(conn, [(j.record, error_text(e)) for j, e in failed], failure)
            events += [self._event(j, "requeued", e) for j, e in requeued]
            events += [self._event(j, "failed", e) for j, e in failed]
            ctx.events(conn, events)

    def _event(self, job: Job, outcome: str, error: WireError | Exception) -> store.Event:
        uuid, size = self.records.event_key(job.record)
        operation = job.call.operation if isinstance(error, WireError) and error.alias \
            else "send"
        return store.Event(uuid, size, operation, outcome,
                           attempt=self.records.attempts(job.record),
                           **error_event_fields(error))
