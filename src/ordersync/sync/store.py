"""The sync's side of the database: what to send, and every outcome written back.

Reads: the orders in scope with work to do (``select_work``), their rows with the
columns the mapping reads (``load_orders``), their pending lines (``load_lines``),
records left in doubt (``in_doubt_orders`` / ``in_doubt_lines``), the group registry.
Writes (each in the caller's transaction): SENDING before a request, and after it
SYNCED / FAILED / PENDING per record, ``sync_events`` rows, ``sync_runs``.

An order confirmed while the merge changed it in between (``row_hash`` no longer
the hash that was sent) goes back to PENDING at once; so does a line whose
quantity or action changed.  Every value is bound; identifiers are quoted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import column_name, registered_columns
from ordersync.states import SyncState

PENDING, SENDING, SYNCED, FAILED = (SyncState.PENDING.value, SyncState.SENDING.value,
                                    SyncState.SYNCED.value, SyncState.FAILED.value)


def dumps(values: Mapping[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True, ensure_ascii=False,
                                                  default=str)


def loads(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


@dataclass(frozen=True)
class OrderRow:
    """One order as the sync needs it."""

    record_uuid: str
    business_key: str
    group_name: str | None
    item_name: str | None
    is_cancelled: bool
    state: str
    action: str | None
    item_id: str | None
    group_id: str | None
    """The group the board has the item in (as ordersync last put it there)."""
    row_hash: str
    synced_values: dict[str, Any] | None
    sent_values: dict[str, Any] | None
    sent_hash: str | None
    attempts: int
    version: str
    values: dict[str, Any]
    """Order column label → value, for the columns the mapping reads."""


@dataclass(frozen=True)
class LineRow:
    """One size line as the sync needs it, with its order's item."""

    record_uuid: str
    size_code: str
    qty: int
    state: str
    action: str | None
    subitem_id: str | None
    synced_values: dict[str, Any] | None
    sent_values: dict[str, Any] | None
    attempts: int
    version: str
    item_id: str | None
    order_state: str
    order_cancelled: bool
    item_name: str | None


@dataclass(frozen=True)
class Scope:
    """Which orders a run may touch: ``--customer`` names (empty: all)."""

    customers: tuple[str, ...] = ()

    def sql(self, db: Database, conn: Connection, config: Config) -> tuple[str, dict[str, Any]]:
        """An ``AND …`` condition on orders ``o``, and its parameters."""
        if not self.customers:
            return "", {}
        wanted = [c.strip().upper() for c in self.customers]
        profiles = [code for code, p in config.sources.profiles.items()
                    if code.upper() in wanted or p.customer.upper() in wanted]
        params: dict[str, Any] = {f"cust{i}": c for i, c in enumerate(wanted)}
        params |= {f"prof{i}": p for i, p in enumerate(profiles)}
        tests = []
        column = column_name(db, conn, config.columns.customer)
        if column is not None:
            tests.append(f"UPPER(o.{db.quote(column)}) IN "
                         f"({', '.join(':cust' + str(i) for i in range(len(wanted)))})")
        if profiles:
            listed = ", ".join(f":prof{i}" for i in range(len(profiles)))
            tests.append(f"o.profile IN ({listed})")
        if not tests:
            return " AND 1 = 0", {}
        return f" AND ({' OR '.join(tests)})", params


def _many(conn: Connection, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """One statement for each of ``rows`` (nothing for none)."""
    if rows:
        conn.execute(sa.text(sql), list(rows))


def _expanding(sql: str, *names: str) -> sa.TextClause:
    return sa.text(sql).bindparams(*(sa.bindparam(n, expanding=True) for n in names))


# --- runs and events ------------------------------------------------------------------------


def start_run(db: Database, board_id: str) -> int:
    """A new ``sync_runs`` row; runs of this board left ``running`` by a killed process
    are marked ``interrupted`` (the caller holds the board's writer lock)."""
    runs = db.table("sync_runs")
    with db.begin() as conn:
        conn.execute(sa.text(f"UPDATE {runs} SET status = 'interrupted', finished_at = "
                             "CURRENT_TIMESTAMP WHERE board_id = :b AND status = 'running'"),
                     {"b": board_id})
        conn.execute(sa.text(f"INSERT INTO {runs} (board_id, status, started_at) VALUES "
                             "(:b, 'running', :t)"), {"b": board_id, "t": db.timestamp()})
        return int(conn.execute(sa.text(f"SELECT MAX(id) FROM {runs} WHERE board_id = :b"),
                                {"b": board_id}).scalar_one())


def finish_run(db: Database, run_id: int, *, status: str, requests: int, complexity: int,
               succeeded: int, failed: int, error: str | None) -> None:
    with db.begin() as conn:
        conn.execute(sa.text(
            f"UPDATE {db.table('sync_runs')} SET status = :status, finished_at = "
            "CURRENT_TIMESTAMP, requests = :requests, complexity = :complexity, succeeded = "
            ":succeeded, failed = :failed, error = :error WHERE id = :id"),
            {"status": status, "requests": requests, "complexity": complexity,
             "succeeded": succeeded, "failed": failed, "error": error, "id": run_id})


@dataclass(frozen=True)
class Event:
    """One record's attempt, for ``sync_events``."""

    record_uuid: str | None
    size_code: str | None
    operation: str
    outcome: str
    error_code: str | None = None
    error_message: str | None = None
    request_id: str | None = None
    monday_id: str | None = None
    attempt: int | None = None


def write_events(conn: Connection, db: Database, run_id: int, events: Iterable[Event]) -> None:
    rows = [{"run_id": run_id, **e.__dict__} for e in events]
    if rows:
        conn.execute(sa.text(
            f"INSERT INTO {db.table('sync_events')} (run_id, record_uuid, size_code, operation, "
            "outcome, error_code, error_message, request_id, monday_id, attempt) VALUES "
            "(:run_id, :record_uuid, :size_code, :operation, :outcome, :error_code, "
            ":error_message, :request_id, :monday_id, :attempt)"), rows)


# --- groups ---------------------------------------------------------------------------------


def registered_groups(db: Database, board_id: str) -> dict[str, str]:
    with db.begin() as conn:
        rows = conn.execute(sa.text(f"SELECT group_name, group_id FROM "
                                    f"{db.table('monday_groups')} WHERE board_id = :b"),
                            {"b": board_id}).all()
    return {r.group_name: r.group_id for r in rows}


def register_groups(conn: Connection, db: Database, board_id: str,
                    groups: Mapping[str, str]) -> None:
    if groups:
        conn.execute(sa.text(
            f"INSERT INTO {db.table('monday_groups')} (board_id, group_name, group_id) "
            "VALUES (:b, :name, :id) ON CONFLICT DO NOTHING"),
            [{"b": board_id, "name": n, "id": i} for n, i in groups.items()])


# --- selecting work -------------------------------------------------------------------------


def retry_failed(db: Database, config: Config, scope: Scope) -> tuple[int, int]:
    """FAILED orders and lines in scope back to PENDING (``--retry-failed``)."""
    orders, lines = db.table("orders"), db.table("order_lines")
    with db.begin() as conn:
        where, params = scope.sql(db, conn, config)
        params |= {"failed": FAILED, "pending": PENDING}
        n_orders = conn.execute(sa.text(
            f"UPDATE {orders} SET sync_state = :pending, attempts = 0 WHERE sync_state = "
            f":failed AND record_uuid IN (SELECT o.record_uuid FROM {orders} o WHERE 1 = 1"
            f"{where})"), params).rowcount
        n_lines = conn.execute(sa.text(
            f"UPDATE {lines} SET sync_state = :pending, attempts = 0 WHERE sync_state = "
            f":failed AND record_uuid IN (SELECT o.record_uuid FROM {orders} o WHERE 1 = 1"
            f"{where})"), params).rowcount
    return n_orders, n_lines


def select_work(db: Database, config: Config, scope: Scope, limit: int | None) -> list[str]:
    """The orders in scope with a pending order or line, in board order; at most ``limit``."""
    orders, lines = db.table("orders"), db.table("order_lines")
    with db.begin() as conn:
        where, params = scope.sql(db, conn, config)
        params |= {"pending": PENDING}
        sql = (f"SELECT o.record_uuid FROM {orders} o WHERE (o.sync_state = :pending OR EXISTS "
               f"(SELECT 1 FROM {lines} l WHERE l.record_uuid = o.record_uuid AND "
               f"l.sync_state = :pending)){where} ORDER BY o.group_name, o.item_name, "
               "o.record_uuid")
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        return [str(u) for u in conn.execute(sa.text(sql), params).scalars()]


_ORDER_FIELDS = ("record_uuid, business_key, group_name, item_name, is_cancelled, sync_state, "
                 "sync_action, monday_item_id, monday_group_id, row_hash, synced_values, "
                 "sent_values, sent_hash, attempts, changed_at")


def load_orders(db: Database, uuids: Sequence[str], labels: Iterable[str], *,
                state: str = PENDING) -> list[OrderRow]:
    """The orders ``uuids`` in ``state``, with the values of the order columns ``labels``."""
    if not uuids:
        return []
    with db.begin() as conn:
        names = {c.label: c.name for c in registered_columns(db, conn)}
        wanted = [label for label in sorted(set(labels)) if label in names]
        extra = "".join(f", {db.quote(names[label])} AS c{i}" for i, label in enumerate(wanted))
        rows = conn.execute(_expanding(
            f"SELECT {_ORDER_FIELDS}{extra} FROM {db.table('orders')} WHERE sync_state = "
            ":state AND record_uuid IN :uuids ORDER BY group_name, item_name, record_uuid",
            "uuids"), {"state": state, "uuids": list(uuids)}).all()
    return [OrderRow(
        record_uuid=r.record_uuid, business_key=r.business_key, group_name=r.group_name,
        item_name=r.item_name, is_cancelled=bool(r.is_cancelled), state=r.sync_state,
        action=r.sync_action, item_id=r.monday_item_id, group_id=r.monday_group_id,
        row_hash=r.row_hash,
        synced_values=loads(r.synced_values), sent_values=loads(r.sent_values),
        sent_hash=r.sent_hash, attempts=int(r.attempts or 0), version=str(r.changed_at),
        values={label: r._mapping[f"c{i}"] for i, label in enumerate(wanted)}) for r in rows]


_LINE_SELECT = (
    "SELECT l.record_uuid, l.size_code, l.qty, l.sync_state, l.sync_action, "
    "l.monday_subitem_id, l.synced_values, l.sent_values, l.attempts, l.changed_at, "
    "o.monday_item_id, o.sync_state AS order_state, o.is_cancelled, o.item_name "
    "FROM {lines} l JOIN {orders} o ON o.record_uuid = l.record_uuid ")


def _line_rows(rows: Iterable[Any]) -> list[LineRow]:
    return [LineRow(
        record_uuid=r.record_uuid, size_code=r.size_code, qty=int(r.qty), state=r.sync_state,
        action=r.sync_action, subitem_id=r.monday_subitem_id,
        synced_values=loads(r.synced_values), sent_values=loads(r.sent_values),
        attempts=int(r.attempts or 0), version=str(r.changed_at), item_id=r.monday_item_id,
        order_state=r.order_state, order_cancelled=bool(r.is_cancelled),
        item_name=r.item_name) for r in rows]


def load_lines(db: Database, uuids: Sequence[str], *, state: str = PENDING) -> list[LineRow]:
    """The lines in ``state`` of the orders ``uuids``, with their orders' items."""
    if not uuids:
        return []
    sql = _LINE_SELECT.format(lines=db.table("order_lines"), orders=db.table("orders"))
    with db.begin() as conn:
        rows = conn.execute(_expanding(
            sql + "WHERE l.sync_state = :state AND l.record_uuid IN :uuids "
            "ORDER BY o.group_name, o.item_name, l.record_uuid, l.size_code", "uuids"),
            {"state": state, "uuids": list(uuids)}).all()
    return _line_rows(rows)


def in_doubt_orders(db: Database, labels: Iterable[str]) -> list[OrderRow]:
    """Orders left SENDING by an earlier run (any scope: in doubt is in doubt)."""
    with db.begin() as conn:
        uuids = list(conn.execute(sa.text(
            f"SELECT record_uuid FROM {db.table('orders')} WHERE sync_state = :s"),
            {"s": SENDING}).scalars())
    return load_orders(db, uuids, labels, state=SENDING)


def in_doubt_lines(db: Database) -> list[LineRow]:
    sql = _LINE_SELECT.format(lines=db.table("order_lines"), orders=db.table("orders"))
    with db.begin() as conn:
        rows = conn.execute(sa.text(sql + "WHERE l.sync_state = :s ORDER BY l.record_uuid, "
                                    "l.size_code"), {"s": SENDING}).all()
    return _line_rows(rows)


# --- writing outcomes -----------------------------------------------------------------------


def mark_orders_sending(conn: Connection, db: Database,
                        rows: Sequence[tuple[OrderRow, Mapping[str, Any]]]) -> None:
    """SENDING, with what is being sent (adopted as synced if the send is found later)."""
    _many(conn, (
        f"UPDATE {db.table('orders')} SET sync_state = :s, sent_values = :v, sent_hash = :h, "
        "attempts = attempts + 1 WHERE record_uuid = :u"),
        [{"s": SENDING, "v": dumps(values), "h": o.row_hash, "u": o.record_uuid}
         for o, values in rows])


def confirm_orders(conn: Connection, db: Database,
                   rows: Sequence[tuple[str, str, str | None]]) -> None:
    """(record_uuid, item id, group id or None if unchanged): the board has what was sent.
    Still the sent data → SYNCED; changed by a merge meanwhile → PENDING for an update."""
    _many(conn, (
        f"UPDATE {db.table('orders')} SET monday_item_id = :item, "
        "monday_group_id = COALESCE(CAST(:group_id AS TEXT), monday_group_id), "
        "synced_values = COALESCE(sent_values, synced_values), synced_hash = sent_hash, "
        "sync_state = CASE WHEN row_hash = sent_hash THEN :synced ELSE :pending END, "
        "sync_action = CASE WHEN row_hash = sent_hash THEN sync_action "
        "WHEN is_cancelled = 1 THEN 'CANCEL' ELSE 'UPDATE' END, "
        "sent_values = NULL, sent_hash = NULL, attempts = 0, last_error = NULL "
        "WHERE record_uuid = :u"),
        [{"item": item, "group_id": group, "u": u, "synced": SYNCED, "pending": PENDING}
         for u, item, group in rows])


def moved_orders(conn: Connection, db: Database, rows: Sequence[tuple[str, str]]) -> None:
    """(record_uuid, group id): the item is in that group now."""
    _many(conn, f"UPDATE {db.table('orders')} SET monday_group_id = :g WHERE record_uuid = :u",
          [{"g": group, "u": u} for u, group in rows])


def settle_orders(conn: Connection, db: Database, uuids: Sequence[str]) -> None:
    """Orders with nothing to send (cancelled before they reached the board, or already
    equal to the board): SYNCED as they are."""
    if uuids:
        _many(conn, (
            f"UPDATE {db.table('orders')} SET sync_state = :s, synced_hash = row_hash, "
            "attempts = 0, last_error = NULL WHERE record_uuid = :u"),
            [{"s": SYNCED, "u": u} for u in uuids])


def release_orders(conn: Connection, db: Database, rows: Sequence[tuple[str, str | None]], *,
                   state: str = PENDING) -> None:
    """(record_uuid, reason): back to ``state`` (PENDING: retried; FAILED: given up)."""
    _many(conn, (
        f"UPDATE {db.table('orders')} SET sync_state = :s, sent_values = NULL, "
        "sent_hash = NULL, last_error = :e WHERE record_uuid = :u"),
        [{"s": state, "e": reason, "u": u} for u, reason in rows])


def mark_lines_sending(conn: Connection, db: Database,
                       rows: Sequence[tuple[LineRow, Mapping[str, Any]]]) -> None:
    _many(conn, (
        f"UPDATE {db.table('order_lines')} SET sync_state = :s, sent_values = :v, "
        "attempts = attempts + 1 WHERE record_uuid = :u AND size_code = :c"),
        [{"s": SENDING, "v": dumps(values), "u": line.record_uuid, "c": line.size_code}
         for line, values in rows])


def confirm_lines(conn: Connection, db: Database,
                  rows: Sequence[tuple[LineRow, str | None, int, str | None]]) -> None:
    """(line, subitem id or None if deleted, qty sent, action sent)."""
    _many(conn, (
        f"UPDATE {db.table('order_lines')} SET monday_subitem_id = :sub, synced_qty = :qty, "
        "synced_values = CASE WHEN CAST(:sub AS TEXT) IS NULL THEN NULL "
        "ELSE COALESCE(sent_values, synced_values) END, "
        "sync_state = CASE WHEN qty = :qty AND COALESCE(sync_action, '') = :action "
        "THEN :synced ELSE :pending END, "
        # A created line keeps CREATE once synced (as orders do); one that changed while
        # in flight goes back to PENDING as an UPDATE of the subitem it now has.
        "sync_action = CASE WHEN sync_action = 'CREATE' AND CAST(:sub AS TEXT) IS NOT NULL "
        "AND NOT (qty = :qty AND COALESCE(sync_action, '') = :action) "
        "THEN 'UPDATE' ELSE sync_action END, "
        "sent_values = NULL, attempts = 0, last_error = NULL "
        "WHERE record_uuid = :u AND size_code = :c"),
        [{"sub": sub, "qty": qty, "action": action or "", "synced": SYNCED,
          "pending": PENDING, "u": line.record_uuid, "c": line.size_code}
         for line, sub, qty, action in rows])


def settle_lines(conn: Connection, db: Database, lines: Sequence[LineRow]) -> None:
    if lines:
        _many(conn, (
            f"UPDATE {db.table('order_lines')} SET sync_state = :s, synced_qty = qty, "
            "attempts = 0, last_error = NULL WHERE record_uuid = :u AND size_code = :c"),
            [{"s": SYNCED, "u": line.record_uuid, "c": line.size_code} for line in lines])


def release_lines(conn: Connection, db: Database,
                  rows: Sequence[tuple[LineRow, str | None]], *, state: str = PENDING) -> None:
    _many(conn, (
        f"UPDATE {db.table('order_lines')} SET sync_state = :s, sent_values = NULL, "
        "last_error = :e WHERE record_uuid = :u AND size_code = :c"),
        [{"s": state, "e": reason, "u": line.record_uuid, "c": line.size_code}
         for line, reason in rows])
