"""The item pass: one item per order — created, updated (changed columns only), cancelled.

For each PENDING order in the run:

- no item yet: ``create_item`` in its group with every mapped column that has a
  value (the identity column carries the business key); a cancelled order that
  never reached the board needs nothing;
- an item: ``change_multiple_column_values`` with only the columns whose encoded
  value differs from what the board last confirmed (``synced_values``); a cancelled
  order's status column gets ``status_labels.cancelled`` this way; nothing changed →
  nothing sent.

A value its column cannot take fails that order before anything is sent.  The
handler keeps the database in step with every request (see ``sync.sender``); when
a request's fate is unknown after all retries, the created items are looked up by
identity and adopted, the rest re-queued.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ordersync.errors import RecordSyncError
from ordersync.monday.encoders import diff_encoded, encode_all
from ordersync.monday.operations import Call
from ordersync.sync import store
from ordersync.sync.columns import identity_text
from ordersync.sync.context import (
    Context,
    check_board_full,
    error_event_fields,
    error_text,
    refused,
    unresolved,
)
from ordersync.sync.reconcile import find_items
from ordersync.sync.sender import Job, Outcome

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
    settled: list[str] = []
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
            if order.is_cancelled:
                settled.append(order.record_uuid)  # cancelled before it reached the board
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
                settled.append(order.record_uuid)
                continue
            call = Call(CHANGE, {
                "board_id": ctx.board_id, "item_id": order.item_id,
                "column_values": json.dumps(changed, ensure_ascii=False),
                "create_labels_if_missing": mapping.create_labels_if_missing or None})
            kind, group_id = ("cancelled" if order.is_cancelled else "updated"), None
        jobs.append(Job(call, ItemSend(order, encoded, kind,
                                       str(group_id) if group_id is not None else None),
                        token=f"{order.record_uuid}/{order.action}/{order.version}"))
    ctx.report.add("unchanged", len(settled))
    for order, reason in refused:
        ctx.report.fail(f"order {order.item_name}", reason)
    if not ctx.dry_run:
        with ctx.db.begin() as conn:
            store.settle_orders(conn, ctx.db, settled)
            if refused:
                store.release_orders(conn, ctx.db, [(o.record_uuid, r) for o, r in refused],
                                     state=store.FAILED)
                ctx.events(conn, [store.Event(o.record_uuid, None, "encode", "failed",
                                              "INVALID_VALUE", r) for o, r in refused])
    if jobs:
        ctx.sender.send(jobs, ItemHandler(ctx))


class ItemHandler:
    """Keeps ``orders`` in step with each request of the item pass."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def sending(self, batch: Sequence[Job]) -> None:
        with self.ctx.db.begin() as conn:
            store.mark_orders_sending(conn, self.ctx.db,
                                      [(j.record.order, j.record.values) for j in batch])

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None:
        ctx = self.ctx
        confirmed: list[tuple[str, str, str | None]] = []
        requeued: list[tuple[str, str | None]] = []
        failed: list[tuple[str, str | None]] = []
        events: list[store.Event] = []
        for job, outcome in zip(batch, outcomes, strict=True):
            send: ItemSend = job.record
            order = send.order
            if outcome.ok:
                assert outcome.data is not None
                item_id = str(outcome.data["id"])
                confirmed.append((order.record_uuid, item_id, send.group_id))
                ctx.report.add(f"items_{send.kind}")
                events.append(store.Event(order.record_uuid, None, job.call.operation, send.kind,
                                          request_id=outcome.request_id, monday_id=item_id,
                                          attempt=order.attempts + 1))
                continue
            assert outcome.error is not None
            outcome_name, reason = refused(ctx, outcome.error, send.what)
            (requeued if outcome_name == "requeued" else failed).append(
                (order.record_uuid, reason))
            events.append(store.Event(order.record_uuid, None, job.call.operation, outcome_name,
                                      attempt=order.attempts + 1,
                                      **error_event_fields(outcome.error)))
        with ctx.db.begin() as conn:
            store.confirm_orders(conn, ctx.db, confirmed)
            store.release_orders(conn, ctx.db, requeued)
            store.release_orders(conn, ctx.db, failed, state=store.FAILED)
            ctx.events(conn, events)
        check_board_full(outcomes, ctx.board_id)

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> None:
        """The request may or may not have been applied: look the new items up."""
        creates = [j.record.order for j in batch if j.call.operation == CREATE]
        adopted = find_created_items(self.ctx, creates) if creates else {}
        reason = error_text(error)
        rest = [j.record for j in batch if j.record.order.record_uuid not in adopted]
        fates = [unresolved(self.ctx, s.order.attempts + 1, s.what, reason) for s in rest]
        with self.ctx.db.begin() as conn:
            adopt_items(self.ctx, conn, adopted)
            for fate, state in (("requeued", store.PENDING), ("failed", store.FAILED)):
                store.release_orders(conn, self.ctx.db, [
                    (s.order.record_uuid, reason) for s, f in zip(rest, fates, strict=True)
                    if f == fate], state=state)
            self.ctx.events(conn, [store.Event(s.order.record_uuid, None, "send", fate,
                                               **error_event_fields(error))
                                   for s, fate in zip(rest, fates, strict=True)])

    def unsent(self, batch: Sequence[Job], error: Exception) -> None:
        with self.ctx.db.begin() as conn:
            store.release_orders(conn, self.ctx.db,
                                 [(j.record.order.record_uuid, None) for j in batch])


def find_created_items(ctx: Context,
                       orders: Sequence[store.OrderRow]) -> dict[str, tuple[str, str | None]]:
    """record_uuid → (item id, group id) on the board, for the orders found there."""
    identity = ctx.columns.items.identity
    assert identity is not None and ctx.client is not None
    by_identity = {identity_text(o.business_key): o.record_uuid for o in orders}
    found = find_items(ctx.client, ctx.board_id, identity.column_id, list(by_identity))
    return {by_identity[text]: ids[0] for text, ids in found.items() if text in by_identity}


def adopt_items(ctx: Context, conn: Any, adopted: Mapping[str, tuple[str, str | None]]) -> None:
    """Items found on the board for in-doubt orders: take them over as confirmed."""
    store.confirm_orders(conn, ctx.db, [(u, i, g) for u, (i, g) in adopted.items()])
    ctx.report.add("items_adopted", len(adopted))
    ctx.events(conn, [store.Event(u, None, "reconcile", "adopted", monday_id=i)
                      for u, (i, _) in adopted.items()])
