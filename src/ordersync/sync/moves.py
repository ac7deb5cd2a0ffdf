"""The move pass: an item whose order now belongs to another group (a changed season)
moves there, before the item pass updates it.

The order stays PENDING until its update is confirmed (a move is not marked SENDING: it
repeats safely), so a crash between the move and the update re-moves the item next run (a
move to the group it is in changes nothing) rather than forgetting it.  Outcomes follow the
shared record pass (``sync.records``): a refused move fails the order (FAILED, with the
reason); a limit or a fault holds its update back this round (it moves again next round
or run); an item or group gone from the board is healed (``sync.heal``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ordersync.monday.boards import item_states
from ordersync.monday.operations import Call
from ordersync.monday.wire import WireError
from ordersync.states import SyncEvent, SyncState
from ordersync.sync import heal, store, transitions
from ordersync.sync.context import Context
from ordersync.sync.groups import groups_gone
from ordersync.sync.items import send_token
from ordersync.sync.records import RecordHandler, gone_group_id
from ordersync.sync.sender import Job, Outcome

MOVE = "move_item_to_group"


@dataclass(frozen=True)
class MoveSend:
    """An item to move to a group: of its board (``move_item_to_group``), or of another
    board (``sync.board_moves``)."""

    order: store.OrderRow
    group_id: str


def move_items(ctx: Context, orders: Sequence[store.OrderRow],
               group_ids: Mapping[str, str]) -> None:
    """Send a move for each order of ``orders`` whose item is not in its group."""
    jobs = []
    for order in orders:
        target = group_ids.get(order.group_name or "")
        if order.item_id is None or order.group_name is None or target is None \
                or target == order.group_id:
            continue
        jobs.append(Job(Call(MOVE, {"item_id": order.item_id, "group_id": target}),
                        MoveSend(order, target),
                        token=send_token(ctx, order.record_uuid, "move", order.version,
                                         order.attempts)))
    if jobs:
        ctx.sender.send(jobs, RecordHandler(ctx, MoveRecords(ctx)))


class ItemMoveRecords:
    """What item moves share in the record pass: the order stays PENDING throughout (see
    the module docstring), a move is not an attempt at the record (its update is), and
    nothing is created, so nothing is looked up or adopted."""

    kind = "moves"
    marks_sending = False

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.board_id: str | None = ctx.board_id

    def key(self, send: MoveSend) -> str:
        return send.order.record_uuid

    def event_key(self, send: MoveSend) -> tuple[str, str | None]:
        return send.order.record_uuid, None

    def attempts(self, send: MoveSend) -> int:
        return 0

    def what(self, send: MoveSend) -> str:
        return f"order {send.order.item_name}"

    def is_create(self, send: MoveSend) -> bool:
        return False

    def already_done(self, send: MoveSend, error: WireError) -> bool:
        return False

    def mark_sending(self, conn: Any, sends: Sequence[tuple[MoveSend, bool]]) -> None:
        """Nothing to mark: see the module docstring."""

    def destination(self, send: MoveSend) -> str:
        """Where the item was to go, for a refused move's reason."""
        return f"group {send.order.group_name!r}"

    def release(self, conn: Any, rows: Sequence[tuple[MoveSend, str | None]],
                event: SyncEvent) -> None:
        """The update waits this round; a refused move fails the order."""
        self.ctx.held.update(s.order.record_uuid for s, _ in rows)
        if event is SyncEvent.RECORD_ERROR:
            transitions.orders_release(conn, self.ctx.db, [
                (s.order.record_uuid, f"moving its item to {self.destination(s)}: {r}")
                for s, r in rows], event, state=SyncState.PENDING)

    def find(self, creates: Sequence[MoveSend]) -> dict[str, Any]:
        return {}

    def adopt(self, conn: Any, found: Sequence[tuple[MoveSend, Any]]) -> list[store.Event]:
        return []


class MoveRecords(ItemMoveRecords):
    """Moves to another group of the board."""

    def confirm(self, conn: Any, done: Sequence[tuple[MoveSend, Outcome]]) -> list[store.Event]:
        store.moved_orders(conn, self.ctx.db, [(s.order.record_uuid, s.group_id)
                                               for s, _ in done])
        self.ctx.report.add("items_moved", len(done))
        return [store.Event(s.order.record_uuid, None, MOVE, "moved",
                            request_id=outcome.request_id, monday_id=s.group_id)
                for s, outcome in done]

    def gone(self, sends: Sequence[tuple[MoveSend, WireError]]) -> None:
        """The group the item was to go to, or the item, is not found: monday's error need
        not say which, the board does (``groups_gone``).  A group gone is made again and
        the move sent again next round; an item gone is healed (``items_gone``)."""
        self.ctx.held.update(s.order.record_uuid for s, _ in sends)
        dead = groups_gone(self.ctx, [gone_group_id(e) or s.group_id for s, e in sends])
        self.ctx.again.update(s.order.record_uuid for s, e in sends
                              if (gone_group_id(e) or s.group_id) in dead)
        items_gone(self.ctx, [s for s, e in sends
                              if (gone_group_id(e) or s.group_id) not in dead],
                   sends[0][1].code)


def items_gone(ctx: Context, sends: Sequence[MoveSend], reason: str) -> None:
    """Moves monday answered "not found" whose group is there: the items monday no longer
    has active are healed (looked up by identity, else created again).  An item active on
    another board is not gone — a board move applied but not yet recorded, or held back —
    and is never made a second time: it waits, PENDING, for its board move."""
    states, _ = item_states(ctx.client, [s.order.item_id for s in sends
                                         if s.order.item_id is not None]) \
        if ctx.client is not None and sends else ({}, 0)
    gone = [s for s in sends if states.get(s.order.item_id or "", ("", ""))[0] != "active"]
    if gone:
        heal.items_gone(ctx, [(s.order.record_uuid, s.order.business_key) for s in gone],
                        reason)
