"""The subitem pass: one subitem per size line, under its order's item.

For each PENDING line of the run's orders whose item exists:

- no subitem yet and a quantity to show: ``create_subitem`` named after the size;
- a subitem: ``change_multiple_column_values`` on the subitems board with the
  columns that changed (quantity, status) — a cancelled or removed size is
  zeroed with the cancelled/removed status label, or deleted when
  ``monday.removed_lines = "delete"``;
- no subitem and nothing to show (a size cancelled or removed before it reached
  the board, a size of an order cancelled before it did): nothing to send.

Lines whose order has no item yet (its create failed or is still pending) wait.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ordersync.errors import RecordSyncError
from ordersync.monday.encoders import diff_encoded, encode_all
from ordersync.monday.operations import Call
from ordersync.monday.wire import WireError
from ordersync.states import SyncAction, SyncEvent, SyncState
from ordersync.sync import heal, store, transitions
from ordersync.sync.context import Context
from ordersync.sync.items import send_token
from ordersync.sync.reconcile import find_subitems
from ordersync.sync.records import RecordHandler
from ordersync.sync.sender import Job, Outcome

CREATE, CHANGE, DELETE = "create_subitem", "change_multiple_column_values", "delete_item"
_GONE = (SyncAction.CANCEL.value, SyncAction.REMOVE.value)
_DELETED_CODES = ("ResourceNotFoundException", "InvalidItemIdException",
                  "ItemNotFoundException")  # deleting what is already gone: done


@dataclass(frozen=True)
class LineSend:
    line: store.LineRow
    values: dict[str, Any]
    kind: str  # created / updated / zeroed / deleted

    @property
    def what(self) -> str:
        return f"order {self.line.item_name} size {self.line.size_code}"

    @property
    def sent(self) -> dict[str, Any]:
        """What ``sent_values`` holds: the values, and the quantity and action they show."""
        return {"values": self.values, "qty": self.line.qty, "action": self.line.action}


def is_gone(line: store.LineRow) -> bool:
    return line.action in _GONE or line.order_cancelled


def line_record(ctx: Context, line: store.LineRow) -> dict[str, Any]:
    labels = ctx.config.monday.status_labels
    if line.order_cancelled or line.action == SyncAction.CANCEL:
        status = labels.cancelled
    elif line.action == SyncAction.REMOVE:
        status = labels.removed
    else:
        status = labels.active
    return {"size": line.size_code, "qty": line.qty, "line_status": status}


def synced_values_of(line: store.LineRow) -> dict[str, Any] | None:
    wrapped = line.synced_values
    return None if wrapped is None else dict(wrapped.get("values") or {})


def sync_subitems(ctx: Context, lines: Sequence[store.LineRow]) -> None:
    """Send the subitem work of ``lines`` (PENDING rows) and record every outcome."""
    mapping = ctx.columns.subitems
    delete_gone = ctx.config.monday.removed_lines == "delete"
    jobs: list[Job] = []
    settled: list[store.LineRow] = []
    refused: list[tuple[store.LineRow, str]] = []
    for line in lines:
        parent = line.item_id or ctx.new_items.get(line.record_uuid)
        if parent is None:
            if line.order_state == store.SYNCED:  # an order cancelled before the board saw it
                settled.append(line)
            continue  # its item does not exist yet: the line waits for it
        try:
            encoded = encode_all(mapping.columns, line_record(ctx, line))
        except RecordSyncError as exc:
            refused.append((line, str(exc)))
            continue
        if line.subitem_id is None:
            if is_gone(line) or line.qty == 0:
                settled.append(line)
                continue
            call = Call(CREATE, {
                "parent_item_id": parent, "item_name": line.size_code,
                "column_values": json.dumps({k: v for k, v in encoded.items() if v is not None},
                                            ensure_ascii=False),
                "create_labels_if_missing": mapping.create_labels_if_missing or None})
            kind = "created"
        elif delete_gone and is_gone(line):
            call, kind = Call(DELETE, {"item_id": line.subitem_id}), "deleted"
        else:
            changed = diff_encoded(encoded, synced_values_of(line))
            if not changed:
                settled.append(line)
                continue
            call = Call(CHANGE, {
                "board_id": ctx.subitems_board_id, "item_id": line.subitem_id,
                "column_values": json.dumps(changed, ensure_ascii=False),
                "create_labels_if_missing": mapping.create_labels_if_missing or None})
            kind = "zeroed" if is_gone(line) else "updated"
        jobs.append(Job(call, LineSend(line, encoded, kind),
                        token=send_token(ctx, line.record_uuid, line.size_code, line.action,
                                         line.version, line.attempts)))
    ctx.report.add("unchanged", len(settled))
    for line, reason in refused:
        ctx.report.fail(f"order {line.item_name} size {line.size_code}", reason)
    if not ctx.dry_run:
        with ctx.db.begin() as conn:
            transitions.lines_settle(conn, ctx.db, settled)
            transitions.lines_release(conn, ctx.db, refused, SyncEvent.RECORD_ERROR,
                                      state=SyncState.PENDING)
            ctx.events(conn, [store.Event(line.record_uuid, line.size_code, "encode",
                                          "failed", "INVALID_VALUE", r)
                              for line, r in refused])
    if jobs:
        ctx.sender.send(jobs, RecordHandler(ctx, SubitemRecords(ctx)))


class SubitemRecords:
    """Size lines' subitems for the shared record pass."""

    kind = "subitems"
    marks_sending = True

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.board_id: str | None = ctx.subitems_board_id

    def key(self, send: LineSend) -> tuple[str, str]:
        return send.line.record_uuid, send.line.size_code

    def event_key(self, send: LineSend) -> tuple[str, str | None]:
        return send.line.record_uuid, send.line.size_code

    def attempts(self, send: LineSend) -> int:
        return self.ctx.runs(self.kind, self.key(send), send.line.attempts)

    def what(self, send: LineSend) -> str:
        return send.what

    def is_create(self, send: LineSend) -> bool:
        return send.kind == "created"

    def already_done(self, send: LineSend, error: WireError) -> bool:
        """Deleting a subitem that is already gone is done."""
        return send.kind == "deleted" and error.code in _DELETED_CODES

    def mark_sending(self, conn: Any, sends: Sequence[tuple[LineSend, bool]]) -> None:
        transitions.lines_sending(conn, self.ctx.db,
                                  [(s.line, s.sent, first) for s, first in sends])

    def confirm(self, conn: Any, done: Sequence[tuple[LineSend, Outcome]]) -> list[store.Event]:
        ctx, rows, events = self.ctx, [], []
        for send, outcome in done:
            line = send.line
            sub_id = None if send.kind == "deleted" else str((outcome.data or {})["id"])
            rows.append((line, sub_id, line.qty, line.action))
            ctx.report.add(f"subitems_{send.kind}")
            events.append(store.Event(line.record_uuid, line.size_code,
                                      {"created": CREATE, "deleted": DELETE}.get(send.kind,
                                                                                 CHANGE),
                                      send.kind, request_id=outcome.request_id,
                                      monday_id=sub_id or line.subitem_id,
                                      attempt=self.attempts(send)))
        transitions.lines_confirm(conn, ctx.db, rows)
        return events

    def release(self, conn: Any, rows: Sequence[tuple[LineSend, str | None]],
                event: SyncEvent) -> None:
        transitions.lines_release(conn, self.ctx.db, [(s.line, r) for s, r in rows], event)

    def find(self, creates: Sequence[LineSend]) -> dict[tuple[str, str], str]:
        return find_created_subitems(self.ctx, [s.line for s in creates])

    def adopt(self, conn: Any, found: Sequence[tuple[LineSend, str]]) -> list[store.Event]:
        return adopt_subitems(self.ctx, conn, [(s.line, sub, s.sent) for s, sub in found])

    def gone(self, sends: Sequence[tuple[LineSend, WireError]]) -> None:
        parents = [s.line for s, _ in sends if s.kind == "created"]
        if parents:  # create_subitem: the parent item is gone
            heal.parents_gone(self.ctx, parents, sends[0][1].code)
        subitems = [s.line for s, _ in sends if s.kind != "created"]
        if subitems:
            heal.subitems_gone(self.ctx, subitems)


def find_created_subitems(ctx: Context,
                          lines: Sequence[store.LineRow]) -> dict[tuple[str, str], str]:
    """(record_uuid, size) → the id of the subitem of that size under the line's item."""
    assert ctx.client is not None
    parents = {line.item_id for line in lines if line.item_id is not None}
    found = find_subitems(ctx.client, sorted(parents))
    return {(line.record_uuid, line.size_code): found[line.item_id, line.size_code]
            for line in lines
            if line.item_id is not None and (line.item_id, line.size_code) in found}


def adopt_subitems(ctx: Context, conn: Any,
                   adopted: Sequence[tuple[store.LineRow, str, dict[str, Any] | None]]
                   ) -> list[store.Event]:
    """Subitems found under their items for in-doubt lines: confirmed as what was sent."""
    rows = []
    for line, sub_id, sent in adopted:
        qty = int(sent["qty"]) if sent and sent.get("qty") is not None else line.qty
        action = sent.get("action") if sent else line.action
        rows.append((line, sub_id, qty, action))
    transitions.lines_confirm(conn, ctx.db, rows, event=SyncEvent.ADOPTED)
    ctx.report.add("subitems_adopted", len(rows))
    return [store.Event(line.record_uuid, line.size_code, "reconcile", "adopted",
                        monday_id=sub_id) for line, sub_id, _ in adopted]
