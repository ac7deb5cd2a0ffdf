"""Every record the board does not have as it should: FAILED, or in doubt (SENDING).

A FAILED order or line was refused by monday.com (its code and message are in
its latest ``sync_events`` row) or met faults in ``monday.retry.record_attempts``
runs; it waits for ``ordersync sync --retry-failed``.  A SENDING one was in a
request whose answer never came; the next ``ordersync sync`` looks it up on the
board first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from ordersync.db import Database
from ordersync.states import SyncState
from ordersync.sync.columns import identity_text

RETRY_COMMAND = "ordersync sync --retry-failed"
RECONCILE_COMMAND = "ordersync sync"


@dataclass(frozen=True)
class FailedRecord:
    """One order (``size`` None) or one of its size lines."""

    kind: str  # "order" or "line"
    record_uuid: str
    order_key: str
    item_name: str | None
    customer: str | None
    size: str | None
    state: str  # FAILED or SENDING
    action: str | None
    attempts: int
    """Requests that carried the record (0: it failed before sending, e.g. a value its
    column cannot take)."""
    code: str | None
    message: str | None
    operation: str | None
    request_id: str | None
    last_tried: str | None

    @property
    def in_doubt(self) -> bool:
        return self.state == SyncState.SENDING.value

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def list_failures(db: Database) -> list[FailedRecord]:
    """FAILED and in-doubt orders and lines, by customer and order key."""
    if not (db.has_table("orders") and db.has_table("sync_events")):
        return []
    with db.begin() as conn:
        rows = conn.execute(sa.text(db.sql("failures_list")),
                            {"failed": SyncState.FAILED.value,
                             "sending": SyncState.SENDING.value}).all()
    return [FailedRecord(
        kind=r.kind, record_uuid=r.record_uuid, order_key=identity_text(r.business_key),
        item_name=r.item_name, customer=r.customer, size=r.size_code, state=r.sync_state,
        action=r.sync_action, attempts=int(r.attempts or 0), code=r.error_code,
        message=r.error_message or r.last_error, operation=r.operation,
        request_id=r.request_id,
        last_tried=str(r.occurred_at) if r.occurred_at is not None else None)
        for r in rows]


def next_steps(records: list[FailedRecord], config_arg: str = "") -> list[str]:
    """The commands that deal with ``records``: retry the failed, reconcile the in-doubt."""
    steps = []
    if any(not r.in_doubt for r in records):
        steps.append(f"{RETRY_COMMAND}{config_arg}   (after fixing the data or the board: "
                     "sends the FAILED records again)")
    if any(r.in_doubt for r in records):
        steps.append(f"{RECONCILE_COMMAND}{config_arg}   (looks the in-doubt records up on "
                     "the board first, then sends what is missing)")
    return steps


def failures_json(records: list[FailedRecord], config_arg: str = "") -> dict[str, Any]:
    return {"failed": sum(not r.in_doubt for r in records),
            "in_doubt": sum(r.in_doubt for r in records),
            "records": [r.to_json() for r in records],
            "next_steps": [s.split("   ")[0] for s in next_steps(records, config_arg)]}
