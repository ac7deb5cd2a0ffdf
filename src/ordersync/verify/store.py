"""The database side of verify: what the board should hold, the repairs, the verify runs.

Reads every order and size line in scope (``verify_orders.sql`` / ``verify_lines.sql``)
and the group registry; writes a ``verify_runs`` row per pass; and applies a repair plan
as state changes the sync then acts on (``verify_recreate_*`` / ``verify_resync_*``):
records go back to PENDING with the action that makes the board right, never SENDING
ones (the sync reconciles those first).  Every value is bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import VERIFY_KINDS, registered_columns
from ordersync.routing import moved_to_board
from ordersync.sync.store import PENDING, LineRow, OrderRow, Scope, dumps, loads
from ordersync.sync.transitions import apply_statement
from ordersync.verify.report import VerifyReport


@dataclass(frozen=True)
class Expected:
    """The orders and lines in scope, and the board's registered groups (name → id)."""

    orders: list[OrderRow]
    lines: dict[str, list[LineRow]]
    groups: dict[str, str]
    boards: dict[str, str | None] = field(default_factory=dict)
    """record_uuid → the board its order is placed on (``orders.monday_board_id``; an item
    recorded before routing is on ``monday.board_id``); None: on no board yet."""

    def on_board(self, board_id: str | None, groups: dict[str, str]) -> Expected:
        """The orders placed on ``board_id``, their lines, and that board's ``groups``."""
        orders = [o for o in self.orders if self.boards.get(o.record_uuid) == board_id]
        return Expected(orders, {o.record_uuid: self.lines[o.record_uuid] for o in orders
                                 if o.record_uuid in self.lines}, groups)


@dataclass
class RepairPlan:
    """State changes that make the next sync put the board right (see ``compare``)."""

    recreate_orders: dict[str, str] = field(default_factory=dict)
    """record_uuid → why: the item is gone; create it again (with its lines)."""
    resync_orders: dict[str, tuple[str, str | None, dict[str, Any]]] = field(
        default_factory=dict)
    """record_uuid → (item id, group id, the values the board shows)."""
    recreate_lines: dict[tuple[str, str], str] = field(default_factory=dict)
    resync_lines: dict[tuple[str, str], tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """(record_uuid, size) → (subitem id, the values it shows)."""
    forget_groups: set[str] = field(default_factory=set)
    move_back: dict[str, tuple[str, str]] = field(default_factory=dict)
    """record_uuid → (item id, the routed board it is on): recorded there, so the routed
    sync moves it back to its order's board (``move_item_to_board``) and updates it."""
    extras: list[str] = field(default_factory=list)
    """Item and subitem ids a person or another tool added (deleted with --delete-extras)."""
    renames: dict[str, tuple[str, str]] = field(default_factory=dict)
    """subitem id → (its board, the name it should have): subitems renamed on the board."""

    @property
    def records(self) -> int:
        return (len(self.recreate_orders) + len(self.resync_orders) + len(self.recreate_lines)
                + len(self.resync_lines) + len(self.forget_groups) + len(self.move_back)
                + len(self.renames))


def load_expected(db: Database, config: Config, scope: Scope, labels: Iterable[str]) -> Expected:
    """Every order and line in ``scope`` with the values of the order columns ``labels``
    (and the groups of ``monday.board_id``)."""
    if not db.has_table("orders"):
        return Expected([], {}, {})
    board_id = config.monday.board_id
    with db.begin() as conn:
        names = {c.label: c.name for c in registered_columns(db, conn)}
        wanted = [label for label in sorted(set(labels)) if label in names]
        extra = "".join(f", o.{db.quote(names[label])} AS c{i}" for i, label in enumerate(wanted))
        where, params = scope.sql(db, conn, config)
        params = {**params, "pending": PENDING}
        rows = conn.execute(sa.text(db.sql("verify_orders", extra=extra, scope=where)),
                            params).all()
        line_rows = conn.execute(sa.text(db.sql("verify_lines", scope=where)), params).all()
        groups = board_groups(db, conn, board_id)
    orders = [OrderRow(
        record_uuid=r.record_uuid, business_key=r.business_key, group_name=r.group_name,
        item_name=r.item_name, is_cancelled=bool(r.is_cancelled), state=r.sync_state,
        action=r.sync_action, item_id=r.monday_item_id, group_id=r.monday_group_id,
        row_hash=r.row_hash, synced_values=loads(r.synced_values),
        sent_values=loads(r.sent_values), sent_hash=r.sent_hash, attempts=int(r.attempts or 0),
        version=str(r.changed_at),
        values={label: r._mapping[f"c{i}"] for i, label in enumerate(wanted)}) for r in rows]
    boards = {r.record_uuid: r.monday_board_id or (board_id if r.monday_item_id else None)
              for r in rows}
    lines: dict[str, list[LineRow]] = {}
    for r in line_rows:
        lines.setdefault(r.record_uuid, []).append(LineRow(
            record_uuid=r.record_uuid, size_code=r.size_code, qty=int(r.qty),
            state=r.sync_state, action=r.sync_action, subitem_id=r.monday_subitem_id,
            synced_values=loads(r.synced_values), sent_values=loads(r.sent_values),
            attempts=int(r.attempts or 0), version=str(r.changed_at), item_id=r.monday_item_id,
            order_state=r.order_state, order_cancelled=bool(r.is_cancelled),
            item_name=r.item_name))
    return Expected(orders, lines, groups, boards)


def board_groups(db: Database, conn: Connection, board_id: str | None) -> dict[str, str]:
    """The registered groups of ``board_id``: name → group id."""
    return {r.group_name: r.group_id for r in conn.execute(sa.text(
        f"SELECT group_name, group_id FROM {db.table('monday_groups')} WHERE board_id = :b"),
        {"b": board_id})}


def apply_repair(db: Database, board_id: str, plan: RepairPlan) -> None:
    """Put the plan's records back to PENDING with the right action, in one transaction
    (``DRIFTED`` moves of the state table; SENDING records are left to the sync)."""
    with db.begin() as conn:
        apply_statement(conn, db, "verify_recreate_order",
                        [{"u": u, "reason": f"verify: {why}; created again"}
                         for u, why in plan.recreate_orders.items()])
        apply_statement(conn, db, "verify_recreate_lines",
                        [{"u": u, "c": None, "reason": "verify: its item is created again"}
                         for u in plan.recreate_orders]
                        + [{"u": u, "c": c, "reason": f"verify: {why}; created again"}
                           for (u, c), why in plan.recreate_lines.items()])
        apply_statement(conn, db, "verify_resync_order",
                        [{"u": u, "item": item, "group_id": group, "shown": dumps(shown),
                          "reason": "verify: the board differs; sent again"}
                         for u, (item, group, shown) in plan.resync_orders.items()])
        apply_statement(conn, db, "verify_resync_line",
                        [{"u": u, "c": c, "sub": sub, "shown": dumps({"values": shown}),
                          "reason": "verify: the board differs; sent again"}
                         for (u, c), (sub, shown) in plan.resync_lines.items()])
        apply_statement(conn, db, "verify_resync_order",
                        [{"u": u, "item": item, "group_id": None, "shown": dumps({}),
                          "reason": f"verify: the item is on board {board}; moved back"}
                         for u, (item, board) in plan.move_back.items()])
        moved_to_board(conn, db, [(u, board, None) for u, (_, board) in plan.move_back.items()])
        if plan.forget_groups:
            conn.execute(sa.text(f"DELETE FROM {db.table('monday_groups')} WHERE board_id = :b "
                                 "AND group_id = :g"),
                         [{"b": board_id, "g": g} for g in plan.forget_groups])


def record_run(db: Database, report: VerifyReport, started: datetime) -> int:
    """A ``verify_runs`` row for one pass; its id."""
    runs = db.table("verify_runs")
    params: dict[str, Any] = {
        "board_id": report.board_id, "status": "equal" if report.equal else "differs",
        "repaired": int(report.repaired), "started_at": started, "orders": report.orders,
        "items_read": report.items_read, "subitems_read": report.subitems_read,
        "requests": report.requests, "complexity": report.complexity,
        "differences": report.differences}
    params |= {f"k_{kind}": report.counts.get(kind, 0) for kind in VERIFY_KINDS}
    sql = db.sql("verify_run_insert", kinds=", ".join(db.quote(k) for k in VERIFY_KINDS),
                 kind_params=", ".join(f":k_{k}" for k in VERIFY_KINDS))
    with db.begin() as conn:
        conn.execute(sa.text(sql), params)
        return int(conn.execute(sa.text(f"SELECT MAX(id) FROM {runs} WHERE board_id = :b"),
                                {"b": report.board_id}).scalar_one())


def now() -> datetime:
    return datetime.now(UTC)

