"""The board-move pass: an item whose order's route changed (its season, say) moves to
its new board with ``move_item_to_board`` — subitems follow — before the item pass
updates it there.

Like a group move, it is not marked SENDING: the order stays PENDING until its update is
confirmed.  A crash after monday applied the move but before it was recorded sends the
move again next run; whatever monday answers then, the item is looked up (``items_state``)
and, found on the new board, recorded as moved — the item is never created twice.  A
refused move fails the order (its item stays where it is, with the reason); a limit or a
fault holds the order back this round.

Columns are mapped by id (``columns_mapping``) when the two boards' ids differ; when every
mapped column has the same id on both, no mapping is sent and monday keeps them by id.
UNCERTAIN: monday's documentation says little about moving an item to the board it is on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ordersync.config import BoardColumn as ConfigColumn
from ordersync.monday.operations import Call, operation_text
from ordersync.monday.wire import WireError
from ordersync.routing import moved_to_board
from ordersync.sync import store
from ordersync.sync.context import Context
from ordersync.sync.groups import ensure_groups, groups_gone
from ordersync.sync.items import send_token
from ordersync.sync.moves import ItemMoveRecords, MoveSend, items_gone
from ordersync.sync.records import RecordHandler
from ordersync.sync.sender import Job, Outcome

MOVE = "move_item_to_board"


def move_to_board(ctx: Context, uuids: Sequence[str], sources: Mapping[str, Context]) -> None:
    """Move the items of ``uuids`` (on the boards of ``sources``) to ``ctx``'s board."""
    orders = [o for o in store.load_orders(ctx.db, uuids, ctx.columns.order_sources)
              if o.item_id is not None and o.group_name is not None]
    if not orders:
        return
    group_ids = ensure_groups(ctx, {o.group_name for o in orders if o.group_name})
    jobs = []
    for order in orders:
        target = group_ids.get(order.group_name or "")
        if target is None:
            ctx.held.add(order.record_uuid)
            continue
        source = sources[order.record_uuid]
        assert order.item_id is not None
        jobs.append(Job(Call(MOVE, {
            "board_id": ctx.board_id, "group_id": target, "item_id": order.item_id,
            "columns_mapping": _mapping(source.config.monday.columns,
                                        ctx.config.monday.columns),
            "subitems_columns_mapping": _mapping(source.config.monday.subitem_columns,
                                                 ctx.config.monday.subitem_columns)}),
            MoveSend(order, target),
            token=send_token(ctx, order.record_uuid, "board", ctx.board_id, order.version)))
    if jobs:
        ctx.sender.send(jobs, RecordHandler(ctx, BoardMoveRecords(ctx)))


def _id(entry: str | ConfigColumn) -> str:
    return entry if isinstance(entry, str) else entry.id


def _mapping(source: Mapping[str, str | ConfigColumn],
             target: Mapping[str, str | ConfigColumn]) -> list[dict[str, str]] | None:
    pairs = [(_id(source[role]), _id(target[role])) for role in source if role in target]
    if all(a == b for a, b in pairs):
        return None
    return [{"source": a, "target": b} for a, b in pairs]


class BoardMoveRecords(ItemMoveRecords):
    """Moves to another board (and a group there): the order stays PENDING throughout."""

    kind = "board_moves"

    def already_done(self, send: MoveSend, error: WireError) -> bool:
        """A move monday refuses because an earlier, unrecorded one was applied."""
        client = self.ctx.client
        if client is None or send.order.item_id is None:
            return False
        result = client.execute(operation_text("items_state"),
                                {"item_ids": [send.order.item_id], "limit": 1})
        for item in (result.data or {}).get("items") or ():
            if item and str((item.get("board") or {}).get("id")) == self.ctx.board_id:
                return True
        return False

    def destination(self, send: MoveSend) -> str:
        return f"board {self.ctx.board_id}"

    def confirm(self, conn: Any, done: Sequence[tuple[MoveSend, Outcome]]) -> list[store.Event]:
        moved_to_board(conn, self.ctx.db, [(s.order.record_uuid, self.ctx.board_id, s.group_id)
                                           for s, _ in done])
        self.ctx.report.add("items_moved_board", len(done))
        return [store.Event(s.order.record_uuid, None, MOVE, "moved",
                            request_id=outcome.request_id, monday_id=self.ctx.board_id)
                for s, outcome in done]

    def gone(self, sends: Sequence[tuple[MoveSend, WireError]]) -> None:
        """The group on the new board is gone (``groups_gone``: made again, the move sent
        again), or else the item, when monday no longer has it active: heal it (created
        again on its new board)."""
        self.ctx.held.update(s.order.record_uuid for s, _ in sends)
        dead = groups_gone(self.ctx, [s.group_id for s, _ in sends])
        items_gone(self.ctx, [s for s, _ in sends if s.group_id not in dead],
                   sends[0][1].code)
