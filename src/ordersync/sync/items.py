"""The item pass: one item per order — created, updated (changed columns only), cancelled.

For each PENDING order in the run:

- no item recorded: first looked up on the board by identity (``adopt_unrecorded``,
  the lookup the in-doubt path uses; skipped when the run found the board empty) —
  an item found there (an earlier database synced the order, a backup older than the
  last sync was restored, a planner made it) is taken over with its subitems by size
  and updated, never made a second time; else ``create_item`` in its group with every
  mapped column that has a value (the identity column carries the business key); a
  cancelled order that never reached the board needs nothing;
- an item: ``change_multiple_column_values`` with only the columns whose encoded
  value differs from what the board last confirmed (``synced_values``); a cancelled
  order's status column gets ``status_labels.cancelled`` this way; nothing changed →
  nothing sent.

A value its column cannot take fails that order before anything is sent.  Outcomes
follow the shared record pass (``sync.records``); ``ItemRecords`` says how orders are
written down, and an item or group gone from the board is healed (``sync.heal``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ordersync.errors import RecordSyncError
from ordersync.monday.cells import board_form
from ordersync.monday.encoders import ColumnMapping, diff_encoded, encode_all
from ordersync.monday.operations import Call
from ordersync.monday.wire import WireError
from ordersync.states import SyncEvent, SyncState
from ordersync.sync import heal, store, transitions
from ordersync.sync.columns import identity_text
from ordersync.sync.context import Context, error_text
from ordersync.sync.groups import groups_gone
from ordersync.sync.reconcile import Cells, find_items, read_shown
from ordersync.sync.records import RecordHandler, gone_group_id
from ordersync.sync.sender import Job, Outcome

logger = logging.getLogger(__name__)

CREATE, CHANGE = "create_item", "change_multiple_column_values"


@dataclass(frozen=True)
class ItemSend:
    order: store.OrderRow
    values: dict[str, Any]
    """Every mapped column's encoded value after this send (what the board will show)."""
    kind: str
    """created / updated / cancelled."""
    group_id: str | None = None
    """The group a created item goes to."""

    @property
    def what(self) -> str:
        return f"order {self.order.item_name or identity_text(self.order.business_key)}"


def order_record(ctx: Context, order: store.OrderRow) -> dict[str, Any]:
    labels = ctx.config.monday.status_labels
    return {**order.values, "business_key": identity_text(order.business_key),
            "order_status": labels.cancelled if order.is_cancelled else labels.active,
            "item_name": order.item_name, "group_name": order.group_name}


def sync_items(ctx: Context, orders: Sequence[store.OrderRow],
               group_ids: Mapping[str, str]) -> None:
    """Send the item work of ``orders`` (PENDING rows) and record every outcome."""
    mapping = ctx.columns.items
    jobs: list[Job] = []
    settled: list[tuple[str, str]] = []
    refused: list[tuple[store.OrderRow, str]] = []
    for order in orders:
        if order.record_uuid in ctx.held:
            continue  # its move to another group failed: it waits with the reason
        try:
            encoded = encode_all(mapping.columns, order_record(ctx, order))
        except RecordSyncError as exc:
            refused.append((order, str(exc)))
            continue
        if order.item_id is None:
            if order.is_cancelled:  # cancelled before it reached the board
                settled.append((order.record_uuid, order.row_hash))
                continue
            if order.group_name is not None and order.group_name not in group_ids:
                continue  # its group could not be made; reported by the group pass
            values = {k: v for k, v in encoded.items() if v is not None}
            call = Call(CREATE, {
                "board_id": ctx.board_id, "group_id": group_ids.get(order.group_name or ""),
                "item_name": order.item_name or identity_text(order.business_key),
                "column_values": json.dumps(values, ensure_ascii=False),
                "create_labels_if_missing": mapping.create_labels_if_missing or None})
            kind, group_id = "created", call.variables["group_id"]
            if ctx.dry_run:
                ctx.new_items[order.record_uuid] = f"<id of new item {call.variables['item_name']}>"
        else:
            changed = diff_encoded(encoded, order.synced_values)
            if not changed:
                settled.append((order.record_uuid, order.row_hash))
                continue
            call = Call(CHANGE, {
                "board_id": ctx.board_id, "item_id": order.item_id,
                "column_values": json.dumps(changed, ensure_ascii=False),
                "create_labels_if_missing": mapping.create_labels_if_missing or None})
            kind, group_id = ("cancelled" if order.is_cancelled else "updated"), None
        jobs.append(Job(call, ItemSend(order, encoded, kind,
                                       str(group_id) if group_id is not None else None),
                        token=send_token(ctx, order.record_uuid, order.action, order.version,
                                         order.attempts)))
    ctx.report.add("unchanged", len(settled))
    for order, reason in refused:
        ctx.report.fail(f"order {order.item_name}", reason)
    if not ctx.dry_run:
        with ctx.db.begin() as conn:
            transitions.orders_settle(conn, ctx.db, settled)
            transitions.orders_release(conn, ctx.db, [(o.record_uuid, r) for o, r in refused],
                                       SyncEvent.RECORD_ERROR, state=SyncState.PENDING)
            ctx.events(conn, [store.Event(o.record_uuid, None, "encode", "failed",
                                          "INVALID_VALUE", r) for o, r in refused])
    if jobs:
        ctx.sender.send(jobs, RecordHandler(ctx, ItemRecords(ctx)))


def send_token(ctx: Context, *parts: object) -> str:
    """What makes one send of a record unique — the record, its action, its data version,
    the sends it had before and the run — so a network retry of the same request carries
    the same ``Idempotency-Key`` (monday replays it) and any later send — another round,
    another run — a new one (monday applies it: ``--retry-failed`` really sends again)."""
    return "/".join(str(p) for p in (*parts, f"run {ctx.run_id}", f"round {ctx.round}"))


class ItemRecords:
    """Orders' items for the shared record pass."""

    kind = "items"
    marks_sending = True

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.board_id: str | None = ctx.board_id

    def key(self, send: ItemSend) -> str:
        return send.order.record_uuid

    def event_key(self, send: ItemSend) -> tuple[str, str | None]:
        return send.order.record_uuid, None

    def attempts(self, send: ItemSend) -> int:
        return self.ctx.runs(self.kind, self.key(send), send.order.attempts)

    def what(self, send: ItemSend) -> str:
        return send.what

    def is_create(self, send: ItemSend) -> bool:
        return send.kind == "created"

    def already_done(self, send: ItemSend, error: WireError) -> bool:
        return False

    def mark_sending(self, conn: Any, sends: Sequence[tuple[ItemSend, bool]]) -> None:
        self.ctx.not_on_board.difference_update((self.ctx.board_id, s.order.record_uuid)
                                                for s, _ in sends)
        transitions.orders_sending(conn, self.ctx.db, [
            (s.order.record_uuid, s.values, first, s.order.row_hash) for s, first in sends])

    def confirm(self, conn: Any, done: Sequence[tuple[ItemSend, Outcome]]) -> list[store.Event]:
        ctx, rows, events = self.ctx, [], []
        for send, outcome in done:
            item_id = str((outcome.data or {})["id"])
            rows.append((send.order.record_uuid, item_id, send.group_id))
            ctx.report.add(f"items_{send.kind}")
            if send.kind == "created" and send.order.record_uuid in ctx.recreated:
                ctx.report.add("items_recreated")
            events.append(store.Event(send.order.record_uuid, None, CREATE if send.kind ==
                                      "created" else CHANGE, send.kind,
                                      request_id=outcome.request_id, monday_id=item_id,
                                      attempt=self.attempts(send)))
        transitions.orders_confirm(conn, ctx.db, rows)
        return events

    def release(self, conn: Any, rows: Sequence[tuple[ItemSend, str | None]],
                event: SyncEvent) -> None:
        transitions.orders_release(conn, self.ctx.db,
                                   [(s.order.record_uuid, r) for s, r in rows], event)

    def find(self, creates: Sequence[ItemSend]) -> dict[str, tuple[str, str | None]]:
        return find_created_items(self.ctx, [s.order for s in creates])

    def adopt(self, conn: Any, found: Sequence[tuple[ItemSend, tuple[str, str | None]]]
              ) -> list[store.Event]:
        return adopt_items(self.ctx, conn, {s.order.record_uuid: ids for s, ids in found})

    def gone(self, sends: Sequence[tuple[ItemSend, WireError]]) -> None:
        # a create names no item: what monday did not find is its group, which monday's
        # error does not name — the board says (``groups_gone``)
        group_of = {s.order.record_uuid: gone_group_id(e) or
                    (s.group_id if s.kind == "created" else None) for s, e in sends}
        dead = groups_gone(self.ctx, group_of.values())
        groups = [(s, e) for s, e in sends if group_of[s.order.record_uuid] in dead]
        stuck = [(s, e) for s, e in sends if s.kind == "created" and
                 group_of[s.order.record_uuid] not in dead]
        for send, error in stuck:  # never re-created into the same answer: failed, said why
            self.ctx.report.fail(send.what, _not_found_on_create(send, error))
        with self.ctx.db.begin() as conn:
            self.release(conn, [(s, "its group was gone from the board: made again")
                                for s, _ in groups], SyncEvent.REQUEUED)
            self.release(conn, [(s, _not_found_on_create(s, e)) for s, e in stuck],
                         SyncEvent.RECORD_ERROR)
        self.ctx.again.update(s.order.record_uuid for s, _ in groups)
        items = [(s, e) for s, e in sends if s.kind != "created" and
                 group_of[s.order.record_uuid] not in dead]
        if items:
            heal.items_gone(self.ctx, [(s.order.record_uuid, s.order.business_key)
                                       for s, _ in items], items[0][1].code)


def _not_found_on_create(send: ItemSend, error: WireError) -> str:
    return (f"monday.com did not find what creating its item names, yet the board has its "
            f"group {send.order.group_name!r} ({error_text(error)}); check the board, then "
            "`ordersync sync --retry-failed`")


def find_created_items(ctx: Context,
                       orders: Sequence[store.OrderRow]) -> dict[str, tuple[str, str | None]]:
    """record_uuid → (item id, group id) on the board, for the orders found there; the
    others are noted as not on the board (``Context.not_on_board``)."""
    identity = ctx.columns.items.identity
    assert identity is not None and ctx.client is not None
    by_identity = {identity_text(o.business_key): o.record_uuid for o in orders}
    found = find_items(ctx.client, ctx.board_id, identity.column_id, list(by_identity))
    located = {by_identity[text]: ids[0] for text, ids in found.items() if text in by_identity}
    ctx.not_on_board.update((ctx.board_id, o.record_uuid) for o in orders
                            if o.record_uuid not in located)
    return located


def adopt_items(ctx: Context, conn: Any,
                adopted: Mapping[str, tuple[str, str | None]]) -> list[store.Event]:
    """Items found on the board for in-doubt orders: take them over as confirmed."""
    transitions.orders_confirm(conn, ctx.db, [(u, i, g) for u, (i, g) in adopted.items()],
                               event=SyncEvent.ADOPTED)
    ctx.report.add("items_adopted", len(adopted))
    return [store.Event(u, None, "reconcile", "adopted", monday_id=i)
            for u, (i, _) in adopted.items()]


def adopt_unrecorded(ctx: Context, orders: Sequence[store.OrderRow]) -> list[store.OrderRow]:
    """``orders`` (PENDING rows), with the items the board already has for those without a
    recorded item taken over: looked up by identity (``find_created_items``, as for an
    in-doubt create), their ids, their subitems' ids by size and what they all show
    recorded (the ``FOUND`` move), so that the passes send only what differs instead of
    creating them a second time.  Nothing is read when the run found the board empty
    before its first create (``Context.may_hold_unrecorded``): a first sync costs no
    lookup."""
    if ctx.dry_run or ctx.client is None or not ctx.may_hold_unrecorded():
        return list(orders)
    wanted = [o for o in orders if o.item_id is None and o.record_uuid not in ctx.held
              and (ctx.board_id, o.record_uuid) not in ctx.not_on_board
              and _encodes(ctx, o)]  # one whose value is refused is not sent either
    if not wanted:
        return list(orders)
    found = find_created_items(ctx, wanted)
    if not found:
        return list(orders)
    items, subitems = ctx.columns.items.columns, ctx.columns.subitems.columns
    shown = read_shown(ctx.client, [item for item, _ in found.values()],
                       [c.column_id for c in items], [c.column_id for c in subitems])
    rows, lines = [], []
    for uuid, (item, group) in found.items():
        board = shown.get(item)
        rows.append((uuid, item, group, _board_values(items, board.cells) if board else None))
        for size, (sub, cells) in (board.subitems.items() if board else ()):
            lines.append((uuid, size, sub, _board_values(subitems, cells)))
    with ctx.db.begin() as conn:
        transitions.orders_found(conn, ctx.db, rows)
        transitions.lines_found(conn, ctx.db, lines)
        ctx.events(conn, [store.Event(u, None, "lookup", "found", monday_id=i)
                          for u, i, _, _ in rows]
                   + [store.Event(u, size, "lookup", "found", monday_id=sub)
                      for u, size, sub, _ in lines])
    ctx.report.add("items_found", len(found))
    ctx.report.add("subitems_found", len(lines))
    logger.info("%d order(s) without a recorded item were found on board %s by identity: "
                "taken over (with %d subitem(s)) and updated, not created again",
                len(found), ctx.board_id, len(lines))
    return store.load_orders(ctx.db, [o.record_uuid for o in orders],
                             ctx.columns.order_sources)


def _board_values(mapping: Sequence[ColumnMapping], cells: Cells) -> dict[str, object]:
    """What a found item's (or subitem's) cells show, in the form the sync sends."""
    return {c.column_id: board_form(c, *cells.get(c.column_id, (None, None)))
            for c in mapping}


def _encodes(ctx: Context, order: store.OrderRow) -> bool:
    try:
        encode_all(ctx.columns.items.columns, order_record(ctx, order))
    except RecordSyncError:
        return False
    return True
