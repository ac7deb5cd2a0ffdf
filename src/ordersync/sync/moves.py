"""The move pass: an item whose order now belongs to another group (a changed season)
moves there, before the item pass updates it.

The order stays PENDING until its update is confirmed, so a crash between the move and
the update re-moves the item next run (a move to the group it is in changes nothing)
rather than forgetting it.  A refused move fails the order (FAILED, with the reason) and
holds back its update this run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ordersync.monday.operations import Call
from ordersync.sync import store
from ordersync.sync.context import Context, error_event_fields, error_text
from ordersync.sync.sender import Job, Outcome

MOVE = "move_item_to_group"


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
                        (order, target), token=f"{order.record_uuid}/move/{order.version}"))
    if jobs:
        ctx.sender.send(jobs, MoveHandler(ctx))


class MoveHandler:
    """Records each item's new group; a refused move holds the order back as FAILED."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def sending(self, batch: Sequence[Job]) -> None:
        """Nothing to mark: the order is PENDING until its update, and a move repeats safely."""

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None:
        ctx = self.ctx
        moved, failed, events = [], [], []
        for job, outcome in zip(batch, outcomes, strict=True):
            order, target = job.record
            if outcome.ok:
                moved.append((order.record_uuid, target))
                events.append(store.Event(order.record_uuid, None, MOVE, "moved",
                                          request_id=outcome.request_id, monday_id=target))
                continue
            assert outcome.error is not None
            reason = f"moving its item to group {order.group_name!r}: " \
                     f"{error_text(outcome.error)}"
            failed.append((order.record_uuid, reason))
            ctx.held.add(order.record_uuid)
            ctx.report.fail(f"order {order.item_name}", reason)
            events.append(store.Event(order.record_uuid, None, MOVE, "failed",
                                      **error_event_fields(outcome.error)))
        with ctx.db.begin() as conn:
            store.moved_orders(conn, ctx.db, moved)
            store.release_orders(conn, ctx.db, failed, state=store.FAILED)
            ctx.events(conn, events)
        ctx.report.add("items_moved", len(moved))

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> None:
        """The orders are still PENDING: the next run moves them again."""

    def unsent(self, batch: Sequence[Job], error: Exception) -> None:
        """Nothing was marked."""
