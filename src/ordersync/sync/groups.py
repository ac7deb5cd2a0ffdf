"""The group pass: every group the run's new items go to exists, each created once.

Registry first (``monday_groups``: board id + group name → group id), the board
second (its groups by title, read once, adopted into the registry — the same request
says whether the board shows any item, ``Context.may_hold_unrecorded``), and only then
``create_group`` for the names neither knows — batched like every mutation, each
id written to the registry as it arrives.  A crash between a group's creation and
its registry row is harmless: the next run finds the group on the board by title.
A server fault or a limit on one group's alias is not its refusal: the board is read
again by title (the create may have been applied) and the rest sent again, within
``retry.max_attempts`` sends (as the client tries a request).

``groups_gone`` settles what a "not found" on a create or a move means.  monday answers a
mutation that names a deleted or archived group with the same ``ResourceNotFoundException``
as for a gone item, and documents no ``error_data`` saying which (API_NOTES §5): the
board's groups are read (one query), and the groups it no longer has leave the registry —
the next round finds them by title or makes them again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from ordersync.monday.boards import active_group_ids, find_groups, read_groups
from ordersync.monday.operations import Call
from ordersync.sync import heal, store
from ordersync.sync.context import Context, error_event_fields, error_text
from ordersync.sync.records import Fate, fate
from ordersync.sync.sender import Job, Outcome

CREATE = "create_group"


def ensure_groups(ctx: Context, names: Collection[str]) -> dict[str, str]:
    """group name → id for ``names`` (those that could be made; failures are reported)."""
    known = store.registered_groups(ctx.db, ctx.board_id) if not ctx.dry_run or \
        ctx.db.has_table("monday_groups") else {}
    missing = sorted(set(names) - set(known))
    if missing and ctx.client is not None:
        read = read_groups(ctx.client, ctx.board_id)
        ctx.board_items.setdefault(ctx.board_id, read.has_items)  # the run's first look
        on_board = read.groups
        adopted = {n: on_board[n] for n in missing if n in on_board}
        if adopted:
            with ctx.db.begin() as conn:
                store.register_groups(conn, ctx.db, ctx.board_id, adopted)
            ctx.report.add("groups_adopted", len(adopted))
            known |= adopted
            missing = [n for n in missing if n not in adopted]
    for attempt in range(1, ctx.sends_per_run + 1):
        if not missing:
            break
        jobs = [Job(Call(CREATE, {"board_id": ctx.board_id, "group_name": name}), name,
                    token=f"group/{ctx.board_id}/{name}/{attempt}/run {ctx.run_id}")
                for name in missing]
        handler = GroupHandler(ctx)
        ctx.sender.send(jobs, handler)
        known |= handler.created
        if ctx.dry_run:
            known |= {name: f"<id of new group {name}>" for name in missing}
            return known  # nothing was sent, so nothing failed
        missing = handler.faulted
        if missing:  # applied or not? the board says
            assert ctx.client is not None
            on_board = find_groups(ctx.client, ctx.board_id)
            adopted = {n: on_board[n] for n in missing if n in on_board}
            with ctx.db.begin() as conn:
                store.register_groups(conn, ctx.db, ctx.board_id, adopted)
            ctx.report.add("groups_adopted", len(adopted))
            known |= adopted
            missing = [n for n in missing if n not in adopted]
    for name in missing:
        ctx.report.group_failed(name, f"server faults in {ctx.sends_per_run} sends")
    return known


def groups_gone(ctx: Context, group_ids: Iterable[str | None]) -> set[str]:
    """The ones of ``group_ids`` the board no longer has (deleted or archived there),
    forgotten (see the module docstring); empty when the board has them all."""
    wanted = {g for g in group_ids if g}
    if not wanted or ctx.client is None:
        return set()
    gone = wanted - active_group_ids(ctx.client, ctx.board_id)
    if gone:
        heal.forget_groups(ctx, sorted(gone))
    return gone


class GroupHandler:
    """Registers each group id as it arrives."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.created: dict[str, str] = {}
        self.faulted: list[str] = []
        """Groups whose alias met a server fault or a limit: looked up, then sent again."""

    def sending(self, batch: Sequence[Job]) -> None:
        """Groups have no SENDING state: a lost create is found on the board by title."""

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None:
        ctx = self.ctx
        made: dict[str, str] = {}
        events = []
        for job, outcome in zip(batch, outcomes, strict=True):
            name = str(job.record)
            if outcome.ok:
                assert outcome.data is not None
                made[name] = str(outcome.data["id"])
                events.append(store.Event(None, None, CREATE, "created",
                                          request_id=outcome.request_id, monday_id=made[name]))
            else:
                assert outcome.error is not None
                if fate(outcome.error) in (Fate.FAULT, Fate.LIMITED):
                    self.faulted.append(name)
                    events.append(store.Event(None, None, CREATE, "requeued",
                                              **error_event_fields(outcome.error)))
                    continue
                ctx.report.group_failed(name, error_text(outcome.error))
                events.append(store.Event(None, None, CREATE, "failed",
                                          **error_event_fields(outcome.error)))
        with ctx.db.begin() as conn:
            store.register_groups(conn, ctx.db, ctx.board_id, made)
            ctx.events(conn, events)
        ctx.report.add("groups_created", len(made))
        self.created |= made

    def lost(self, batch: Sequence[Job], error: Exception) -> list[Job]:
        """No answer: the groups made are on the board by title (adopted); the rest to send
        again."""
        adopted = self._adopt(batch)
        self.created |= adopted
        return [j for j in batch if str(j.record) not in adopted]

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> str | None:
        """Whatever was made is on the board by title: adopt it; the rest are made by the
        next run."""
        adopted = self._adopt(batch)
        return (f"{len(adopted)} group(s) found made and kept, {len(batch) - len(adopted)} "
                "made by the next run")

    def _adopt(self, batch: Sequence[Job]) -> dict[str, str]:
        """The groups of ``batch`` the board has by title, registered: title → id."""
        assert self.ctx.client is not None
        on_board = find_groups(self.ctx.client, self.ctx.board_id)
        adopted = {str(j.record): on_board[str(j.record)] for j in batch
                   if str(j.record) in on_board}
        with self.ctx.db.begin() as conn:
            store.register_groups(conn, self.ctx.db, self.ctx.board_id, adopted)
        self.ctx.report.add("groups_adopted", len(adopted))
        return adopted

    def unsent(self, batch: Sequence[Job], error: Exception) -> None:
        """Nothing to undo."""
