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
from ordersync.sync import store
from ordersync.sync.context import (
    Context,
    check_board_full,
    error_event_fields,
    error_text,
    refused,
    unresolved,
)
from ordersync.sync.reconcile import find_subitems
from ordersync.sync.sender import Job, Outcome

CREATE, CHANGE, DELETE = "create_subitem", "change_multiple_column_values", "delete_item"
_GONE = ("CANCEL", "REMOVE")
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
    if line.order_cancelled or line.action == "CANCEL":
        status = labels.cancelled
    elif line.action == "REMOVE":
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
                        token=f"{line.record_uuid}/{line.size_code}/{line.action}/{line.version}"))
    ctx.report.add("unchanged", len(settled))
    for line, reason in refused:
        ctx.report.fail(f"order {line.item_name} size {line.size_code}", reason)
    if not ctx.dry_run:
        with ctx.db.begin() as conn:
            store.settle_lines(conn, ctx.db, settled)
            if refused:
                store.release_lines(conn, ctx.db, refused, state=store.FAILED)
                ctx.events(conn, [store.Event(line.record_uuid, line.size_code, "encode",
                                              "failed", "INVALID_VALUE", r)
                                  for line, r in refused])
    if jobs:
        ctx.sender.send(jobs, SubitemHandler(ctx))


class SubitemHandler:
    """Keeps ``order_lines`` in step with each request of the subitem pass."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def sending(self, batch: Sequence[Job]) -> None:
        with self.ctx.db.begin() as conn:
            store.mark_lines_sending(conn, self.ctx.db,
                                     [(j.record.line, j.record.sent) for j in batch])

    def finished(self, batch: Sequence[Job], outcomes: Sequence[Outcome]) -> None:
        ctx = self.ctx
        confirmed: list[tuple[store.LineRow, str | None, int, str | None]] = []
        requeued: list[tuple[store.LineRow, str | None]] = []
        failed: list[tuple[store.LineRow, str | None]] = []
        events: list[store.Event] = []
        for job, outcome in zip(batch, outcomes, strict=True):
            send: LineSend = job.record
            line = send.line
            deleted_already = (send.kind == "deleted" and outcome.error is not None
                               and outcome.error.code in _DELETED_CODES)
            if outcome.ok or deleted_already:
                sub_id = None if send.kind == "deleted" else str((outcome.data or {})["id"])
                confirmed.append((line, sub_id, line.qty, line.action))
                ctx.report.add(f"subitems_{send.kind}")
                events.append(store.Event(line.record_uuid, line.size_code, job.call.operation,
                                          send.kind, request_id=outcome.request_id,
                                          monday_id=sub_id or line.subitem_id,
                                          attempt=line.attempts + 1))
                continue
            assert outcome.error is not None
            name, reason = refused(ctx, outcome.error, send.what)
            (requeued if name == "requeued" else failed).append((line, reason))
            events.append(store.Event(line.record_uuid, line.size_code, job.call.operation, name,
                                      attempt=line.attempts + 1,
                                      **error_event_fields(outcome.error)))
        with ctx.db.begin() as conn:
            store.confirm_lines(conn, ctx.db, confirmed)
            store.release_lines(conn, ctx.db, requeued)
            store.release_lines(conn, ctx.db, failed, state=store.FAILED)
            ctx.events(conn, events)
        check_board_full(outcomes, ctx.subitems_board_id)

    def in_doubt(self, batch: Sequence[Job], error: Exception) -> None:
        creates = [j.record.line for j in batch if j.call.operation == CREATE]
        sent = {(j.record.line.record_uuid, j.record.line.size_code): j.record.sent
                for j in batch}
        adopted = find_created_subitems(self.ctx, creates) if creates else {}
        reason = error_text(error)
        rest = [j.record for j in batch
                if (j.record.line.record_uuid, j.record.line.size_code) not in adopted]
        fates = [unresolved(self.ctx, s.line.attempts + 1, s.what, reason) for s in rest]
        with self.ctx.db.begin() as conn:
            adopt_subitems(self.ctx, conn, [(line, adopted[line.record_uuid, line.size_code],
                                             sent[line.record_uuid, line.size_code])
                                            for line in creates
                                            if (line.record_uuid, line.size_code) in adopted])
            for fate, state in (("requeued", store.PENDING), ("failed", store.FAILED)):
                store.release_lines(conn, self.ctx.db, [
                    (s.line, reason) for s, f in zip(rest, fates, strict=True) if f == fate],
                    state=state)
            self.ctx.events(conn, [store.Event(s.line.record_uuid, s.line.size_code, "send",
                                               fate, **error_event_fields(error))
                                   for s, fate in zip(rest, fates, strict=True)])

    def unsent(self, batch: Sequence[Job], error: Exception) -> None:
        with self.ctx.db.begin() as conn:
            store.release_lines(conn, self.ctx.db, [(j.record.line, None) for j in batch])


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
                   adopted: Sequence[tuple[store.LineRow, str, dict[str, Any] | None]]) -> None:
    """Subitems found under their items for in-doubt lines: confirmed as what was sent."""
    rows = []
    for line, sub_id, sent in adopted:
        qty = int(sent["qty"]) if sent and sent.get("qty") is not None else line.qty
        action = sent.get("action") if sent else line.action
        rows.append((line, sub_id, qty, action))
    store.confirm_lines(conn, ctx.db, rows)
    ctx.report.add("subitems_adopted", len(rows))
    ctx.events(conn, [store.Event(line.record_uuid, line.size_code, "reconcile", "adopted",
                                  monday_id=sub_id) for line, sub_id, _ in adopted])
