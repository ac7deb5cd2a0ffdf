"""Self-healing: records whose item, subitem or group is gone from the board.

People delete and archive items and delete groups by hand.  When monday answers a
mutation with "not found" (``records.is_gone``) for something the database believes is
on the board, the record is not failed:

- a group gone: it leaves the registry, so the group pass finds it by title or makes it
  again, and its orders are sent again;
- an item gone: the order's item is looked up by identity first (never a duplicate);
  found → its id is taken and every value sent again; not found → the order is created
  again in its group, and its lines forget their subitems (created again under the new
  item);
- a subitem gone: looked up under its item by size; found → adopted and sent again;
  not found → created again.

Healed records go to another round of the same run (``Context.again``); the report counts
the items re-created (``items_recreated``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ordersync.sync import store, transitions
from ordersync.sync.columns import identity_text
from ordersync.sync.context import Context
from ordersync.sync.reconcile import find_items, find_subitems

logger = logging.getLogger(__name__)


def forget_groups(ctx: Context, group_ids: Sequence[str]) -> None:
    """Groups gone from the board: out of the registry (made again by the next round)."""
    logger.info("%d group(s) gone from board %s: making them again", len(set(group_ids)),
                ctx.board_id)
    with ctx.db.begin() as conn:
        store.forget_groups(conn, ctx.db, ctx.board_id, group_ids)
    ctx.report.add("groups_gone", len(set(group_ids)))


def items_gone(ctx: Context, orders: Sequence[tuple[str, str]], reason: str) -> None:
    """(record_uuid, business key) of orders whose item monday says is gone."""
    identity = ctx.columns.items.identity
    assert identity is not None and ctx.client is not None
    by_identity = {identity_text(key): uuid for uuid, key in orders}
    found = find_items(ctx.client, ctx.board_id, identity.column_id, list(by_identity))
    located = {by_identity[text]: items[0] for text, items in found.items()
               if text in by_identity}
    subitems = find_subitems(ctx.client, [item for item, _ in located.values()]) \
        if located else {}
    lines = [(uuid, size, sub) for uuid, (item, _) in located.items()
             for (parent, size), sub in subitems.items() if parent == item]
    with ctx.db.begin() as conn:
        transitions.orders_gone(conn, ctx.db, [
            (uuid, *located.get(uuid, (None, None)),
             f"its item was gone from the board ({reason}): "
             + ("found by identity" if uuid in located else "created again"))
            for uuid, _ in orders])
        transitions.lines_gone(conn, ctx.db, lines)
    missing = [uuid for uuid, _ in orders if uuid not in located]
    logger.info("%d item(s) gone from board %s: %d found by identity, %d to create again",
                len(orders), ctx.board_id, len(located), len(missing))
    ctx.recreated.update(missing)
    ctx.again.update(uuid for uuid, _ in orders)


def subitems_gone(ctx: Context, lines: Sequence[store.LineRow]) -> None:
    """Lines whose subitem monday says is gone: looked up under their item by size."""
    assert ctx.client is not None
    parents = sorted({line.item_id for line in lines if line.item_id is not None})
    found = find_subitems(ctx.client, parents) if parents else {}
    with ctx.db.begin() as conn:
        transitions.lines_gone(conn, ctx.db, [
            (line.record_uuid, line.size_code,
             found.get((line.item_id or "", line.size_code))) for line in lines])
    ctx.report.add("subitems_gone", len(lines))
    ctx.again.update(line.record_uuid for line in lines)


def parents_gone(ctx: Context, lines: Sequence[store.LineRow], reason: str) -> None:
    """Lines whose parent item monday says is gone: their orders are healed."""
    uuids = sorted({line.record_uuid for line in lines})
    items_gone(ctx, list(store.business_keys(ctx.db, uuids).items()), reason)
