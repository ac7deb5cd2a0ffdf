"""Compare the board with the database, kind by kind, and plan the repair of each difference.

What the board should hold, from the database alone:

- an item for every order except one cancelled before it reached the board, found by its
  identity (the business key); when several items show one key, the one the database
  recorded (else the oldest) is the order's, the others are duplicates — but the item the
  database records for an order is that order's whatever key it shows (its identity cell
  differs, and is sent back), never a duplicate or an extra of another;
- that item in the group of its order's group name, every mapped column showing the
  value the sync sends (compared in that encoded form: ``monday.cells``);
- under it, one subitem per size line that should show — a live size with a quantity,
  or a cancelled / removed size the board last saw (zeroed; with ``removed_lines =
  "delete"`` it should be gone) — with its quantity and status;
- every group the registry knows on the board; no item whose identity is no order's.

Orders an interrupted sync left SENDING are skipped (the next sync reconciles them).  The
``RepairPlan`` turns each difference into what the sync must do: re-create an item or a
subitem that is gone, adopt one the database did not know, re-send what differs (the
board's values recorded as the last synced ones), move an item, forget a deleted group;
extras are listed for ``--delete-extras``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ordersync.errors import RecordSyncError
from ordersync.monday.cells import board_form, same, shown_text
from ordersync.monday.encoders import ColumnMapping, encode_all
from ordersync.sync import store
from ordersync.sync.columns import SyncColumns, identity_text
from ordersync.sync.context import Context
from ordersync.sync.items import order_record
from ordersync.sync.subitems import is_gone, line_record
from ordersync.verify.board import BoardItem, BoardRead, BoardSubitem, Cell
from ordersync.verify.report import Finding, Kind, VerifyReport
from ordersync.verify.store import Expected, RepairPlan


@dataclass(frozen=True)
class Comparison:
    """The inputs of one comparison."""

    ctx: Context
    """For the records' values as the sync encodes them (config and columns)."""
    expected: Expected
    board: BoardRead
    states: Mapping[str, tuple[str, str]]
    """item id → (state, board id) for recorded items the board's pages did not show."""
    customers: frozenset[str] = frozenset()
    """``--customer`` scope, upper case: board items of other customers are not extras."""
    routed: frozenset[str] = frozenset()
    """Routed: the other boards of the registry (an item there is moved back, not re-made)."""
    others: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Routed: identity → the item ids recorded for orders of the other boards (their
    items found here are counted on the order's own board, not as extras)."""


def compare(c: Comparison, report: VerifyReport) -> RepairPlan:
    """Count every difference into ``report``; the plan that repairs them."""
    plan = RepairPlan()
    columns = c.ctx.columns
    identity = columns.items.identity
    assert identity is not None
    by_identity: dict[str, list[BoardItem]] = {}
    for item in c.board.items:
        text = (item.cells.get(identity.column_id) or Cell(None, None)).text or ""
        by_identity.setdefault(text, []).append(item)
    for found in by_identity.values():
        found.sort(key=lambda i: int(i.id))
    by_id = {item.id: item for item in c.board.items}
    owner = {item_id: "" for ids in c.others.values() for item_id in ids}  # other boards'
    owner |= {o.item_id: o.record_uuid for o in c.expected.orders if o.item_id is not None}
    claimed: set[str] = set()  # recorded items read under another identity (edited on it)
    keys: set[str] = set()
    gone_groups = _groups(c, report, plan)
    for order in c.expected.orders:
        key = identity_text(order.business_key)
        keys.add(key)
        if order.state == store.SENDING:
            report.in_doubt += 1
            continue
        report.orders += 1
        lines = c.expected.lines.get(order.record_uuid, [])
        report.pending += (order.state in (store.PENDING, store.FAILED)) + sum(
            line.state in (store.PENDING, store.FAILED) for line in lines)
        # An item the database records for another order is that order's, whatever key
        # its identity cell shows (a planner pasted this one's): never a copy of this one
        found = [i for i in by_identity.get(key, [])
                 if owner.get(i.id, order.record_uuid) == order.record_uuid]
        own = by_id.get(order.item_id or "")
        if own is not None and own not in found:
            # The order's own item, with its key edited on the board: the same item, its
            # key column differing (sent back by the repair) — neither gone nor an extra.
            found = [own, *found]
            claimed.add(own.id)
        _order(c, order, lines, found, gone_groups, report, plan)
    customer = next((m for m in columns.items.columns if m.source == c.ctx.config.columns.customer),
                    None)
    for key, found in by_identity.items():
        if key in keys:
            continue
        for item in found:
            if item.id in claimed:
                continue  # an order's own item under an edited key: compared there
            if item.id in c.others.get(key, ()):
                continue  # another board's order, counted there (item on another board)
            shown = (item.cells.get(customer.column_id) if customer else None)
            if c.customers and (customer is None or shown is None
                                or (shown.text or "").upper() not in c.customers):
                continue  # another customer's item, out of scope
            report.add(Finding(Kind.EXTRA_ITEM, key or "(no key)", item.id,
                               detail=f"item {item.name!r} belongs to no order"))
            plan.extras.append(item.id)
    return plan


def _groups(c: Comparison, report: VerifyReport, plan: RepairPlan) -> set[str]:
    wanted = {o.group_name for o in c.expected.orders if o.group_name is not None}
    gone = set()
    for name, group_id in sorted(c.expected.groups.items()):
        if name not in wanted:
            continue
        group = c.board.groups.get(group_id)
        if group is None or group.gone:
            report.add(Finding(Kind.GROUP_GONE, name, detail=f"group {group_id} is "
                               f"{'archived or deleted' if group else 'not on the board'}"))
            plan.forget_groups.add(group_id)
            gone.add(group_id)
    return gone


def _order(c: Comparison, order: store.OrderRow, lines: Sequence[store.LineRow],
           found: Sequence[BoardItem], gone_groups: set[str], report: VerifyReport,
           plan: RepairPlan) -> None:
    key = order.item_name or identity_text(order.business_key)
    item = next((i for i in found if i.id == order.item_id), found[0] if found else None)
    for extra in found:
        if extra is not item:
            assert item is not None
            report.add(Finding(Kind.DUPLICATE_ITEMS, key, extra.id,
                               detail=f"a copy of item {item.id}"))
            plan.extras.append(extra.id)
    if item is None:
        if order.is_cancelled and order.item_id is None:
            return  # cancelled before it reached the board: nothing should show
        if order.item_id is None:
            report.add(Finding(Kind.MISSING_ITEM, key, detail="never created"
                               if order.state != store.SYNCED else "not on the board"))
            # PENDING: the next sync's anyway; FAILED: it waits for --retry-failed
            if order.state == store.SYNCED:
                plan.recreate_orders[order.record_uuid] = "not on the board"
            return
        state, board = c.states.get(order.item_id, ("not found", ""))
        if state == "active" and board in c.routed and order.group_id not in gone_groups:
            report.add(Finding(Kind.ITEM_ON_ANOTHER_BOARD, key, order.item_id,
                               board=board, database=c.ctx.board_id,
                               detail="moved back by --repair"))
            plan.move_back[order.record_uuid] = (order.item_id, board)
            return
        if (state == "active" and board in ("", c.ctx.board_id)
                and order.group_id not in gone_groups):
            report.add(Finding(Kind.ITEM_NOT_READ, key, order.item_id,
                               detail="active on this board, but not on the pages read (the "
                                      "board changed while it was read): not re-created; "
                                      "verify again"))
            return
        why = _gone_reason(c, order.item_id, order.group_id in gone_groups)
        report.add(Finding(Kind.ITEM_GONE, key, order.item_id, detail=why))
        plan.recreate_orders[order.record_uuid] = f"item {order.item_id} {why}"
        return
    shown = _shown(c.ctx.columns.items.columns, item.cells)
    resync = False
    if item.id != order.item_id:
        detail = ("the database had no item" if order.item_id is None else
                  f"the database had item {order.item_id}, "
                  f"{_gone_reason(c, order.item_id, False)}")
        report.add(Finding(Kind.UNRECORDED_ITEM, key, item.id, detail=f"{detail}; adopted"))
        resync = True
    group = c.board.groups.get(item.group_id or "")
    # In the group registered for its group name, the item is where it belongs, whatever
    # the group's title now says (a planner renamed it; new orders go there too): moving
    # it could not change anything, and the pass would never end equal.
    registered = c.expected.groups.get(order.group_name or "")
    if (order.group_name is not None and group is not None and group.title != order.group_name
            and group.id != registered):
        report.add(Finding(Kind.WRONG_GROUP, key, item.id, board=group.title,
                           database=order.group_name))
        resync = True
    try:
        wanted = encode_all(c.ctx.columns.items.columns, order_record(c.ctx, order))
    except RecordSyncError:
        wanted = None  # a value the sync cannot send: the order is FAILED with the reason
    for column in c.ctx.columns.items.columns:
        if wanted is not None and not same(column, wanted[column.column_id],
                                           shown[column.column_id]):
            report.add(Finding(Kind.VALUE_DIFFERS, key, item.id, column.column_id,
                               shown_text(shown[column.column_id]),
                               shown_text(wanted[column.column_id])))
            resync = True
    if resync:
        plan.resync_orders[order.record_uuid] = (item.id, item.group_id, shown)
    _lines(c, key, item, lines, report, plan)


def _lines(c: Comparison, key: str, item: BoardItem, lines: Sequence[store.LineRow],
           report: VerifyReport, plan: RepairPlan) -> None:
    delete_gone = c.ctx.config.monday.removed_lines == "delete"
    by_name: dict[str, list[BoardSubitem]] = {}
    for board_sub in sorted(item.subitems, key=lambda s: int(s.id)):
        by_name.setdefault(board_sub.name, []).append(board_sub)
    mapping = c.ctx.columns.subitems.columns
    by_id = {board_sub.id: board_sub for board_sub in item.subitems}
    for line in lines:
        subs = by_name.pop(line.size_code, [])
        where = f"{key} size {line.size_code}"
        own = by_id.get(line.subitem_id or "")
        if own is not None and own not in subs and own in by_name.get(own.name, ()):
            # The line's own subitem, renamed on the board: the same subitem (its name
            # differs) — neither deleted nor an extra, and never made a second time.
            by_name[own.name].remove(own)
            subs = [own, *subs]
            report.add(Finding(Kind.SUBITEM_DIFFERS, where, own.id, "name", own.name,
                               line.size_code))
            if c.ctx.subitems_board_id is not None:
                plan.renames[own.id] = (c.ctx.subitems_board_id, line.size_code)
        if line.state == store.SENDING:
            continue
        sub = next((s for s in subs if s.id == line.subitem_id), subs[0] if subs else None)
        for extra in subs:
            if extra is not sub:
                report.add(Finding(Kind.DUPLICATE_SUBITEMS, where, extra.id,
                                   detail=f"a copy of subitem {sub.id if sub else '?'}"))
                plan.extras.append(extra.id)
        gone = is_gone(line)
        should_show = (not gone and line.qty > 0) or (
            line.subitem_id is not None and not (gone and delete_gone))
        if sub is None:
            if should_show:
                detail = ("never created" if line.subitem_id is None else
                          f"subitem {line.subitem_id} deleted or archived")
                report.add(Finding(Kind.MISSING_SUBITEM, where, item.id, detail=detail))
                if line.subitem_id is not None or line.state == store.SYNCED:
                    plan.recreate_lines[line.record_uuid, line.size_code] = detail
            continue
        if not should_show:
            report.add(Finding(Kind.EXTRA_SUBITEM, where, sub.id,
                               detail="the size is cancelled or removed"))
            if line.state == store.SYNCED:
                plan.extras.append(sub.id)
            continue
        shown = _shown(mapping, sub.cells)
        resync = sub.id != line.subitem_id
        try:
            wanted = encode_all(mapping, line_record(c.ctx, line))
        except RecordSyncError:
            wanted = None
        for column in mapping:
            if wanted is not None and not same(column, wanted[column.column_id],
                                               shown[column.column_id]):
                report.add(Finding(Kind.SUBITEM_DIFFERS, where, sub.id, column.column_id,
                                   shown_text(shown[column.column_id]),
                                   shown_text(wanted[column.column_id])))
                resync = True
        if resync:
            plan.resync_lines[line.record_uuid, line.size_code] = (sub.id, shown)
    for name, left in by_name.items():
        for extra_sub in left:  # (a renamed subitem taken back by its line is no longer here)
            report.add(Finding(Kind.EXTRA_SUBITEM, f"{key} size {name}", extra_sub.id,
                               detail="the order has no such size"))
            plan.extras.append(extra_sub.id)


def _shown(mapping: Sequence[ColumnMapping], cells: Mapping[str, Cell]) -> dict[str, Any]:
    """Every mapped column's value as the board shows it, in the encoded form."""
    empty = Cell(None, None)
    return {m.column_id: board_form(m, (cell := cells.get(m.column_id) or empty).text,
                                    cell.value, cell.labels) for m in mapping}


def _gone_reason(c: Comparison, item_id: str, group_gone: bool) -> str:
    state, board = c.states.get(item_id, ("not found", ""))
    if group_gone:
        return "gone with its deleted group"
    if state == "active" and board and board != c.ctx.board_id:
        return f"is on another board ({board})"
    return {"archived": "archived", "deleted": "deleted"}.get(state, "not found")


def columns_read(columns: SyncColumns) -> tuple[list[str], list[str]]:
    """The column ids a board read must select, on the order board and the subitems board."""
    return ([m.column_id for m in columns.items.columns],
            [m.column_id for m in columns.subitems.columns])
