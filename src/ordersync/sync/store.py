"""The sync's side of the database: what to send, and every outcome written back.

Reads: the orders in scope with work to do (``select_work``), their rows with the
columns the mapping reads (``load_orders``), their pending lines (``load_lines``),
records left in doubt (``in_doubt_orders`` / ``in_doubt_lines``), the group registry,
FAILED records (``failed_records``).  Writes: ``sync_events`` rows, ``sync_runs``, the
group registry.  Every write of ``sync_state`` is in ``sync.moves`` (through the state
table).  The SQL is in ``db/sql/sync_*.sql``; every value is bound, identifiers quoted.
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
    are closed as ``interrupted`` (the caller holds the board's writer lock)."""
    runs = db.table("sync_runs")
    with db.begin() as conn:
        conn.execute(sa.text(db.sql("sync_runs_close_stale")), {"board_id": board_id})
        conn.execute(sa.text(f"INSERT INTO {runs} (board_id, status, started_at) VALUES "
                             "(:b, 'running', :t)"), {"b": board_id, "t": db.timestamp()})
        return int(conn.execute(sa.text(f"SELECT MAX(id) FROM {runs} WHERE board_id = :b"),
                                {"b": board_id}).scalar_one())


def finish_run(db: Database, run_id: int, *, status: str, requests: int, complexity: int,
               succeeded: int, failed: int, error: str | None) -> None:
    with db.begin() as conn:
        conn.execute(sa.text(db.sql("sync_runs_finish")), {
            "status": status, "requests": requests, "complexity": complexity,
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
    _many(conn, db.sql("sync_events_insert"), [{"run_id": run_id, **e.__dict__} for e in events])


@dataclass(frozen=True)
class Failed:
    """FAILED records: how many, and the first few with their reasons."""

    orders: int
    lines: int
    examples: list[tuple[str | None, str | None, str | None]]
    """(item name, size or None for the order, last error)."""

    @property
    def total(self) -> int:
        return self.orders + self.lines


def failed_records(db: Database, examples: int = 10) -> Failed:
    """The FAILED orders and lines of the whole database (any run, any scope)."""
    if not db.has_table("orders"):
        return Failed(0, 0, [])
    params = {"failed": FAILED, "limit": examples}
    with db.begin() as conn:
        counts = conn.execute(sa.text(db.sql("sync_failed_counts")), params).one()
        rows = conn.execute(sa.text(db.sql("sync_failed")), params).all() if any(counts) \
            else []
    return Failed(int(counts.orders), int(counts.lines),
                  [(r.item_name, r.size_code, r.last_error) for r in rows])


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
        conn.execute(sa.text(db.sql("sync_groups_register")),
                     [{"b": board_id, "name": n, "id": i} for n, i in groups.items()])


def moved_orders(conn: Connection, db: Database, rows: Sequence[tuple[str, str]]) -> None:
    """(record_uuid, group id): the item is in that group now (no state change)."""
    _many(conn, f"UPDATE {db.table('orders')} SET monday_group_id = :g WHERE record_uuid = :u",
          [{"g": group, "u": u} for u, group in rows])


def forget_groups(conn: Connection, db: Database, board_id: str, group_ids: Iterable[str]) -> None:
    """Groups gone from the board: out of the registry, so the group pass finds or makes
    them again."""
    _many(conn, f"DELETE FROM {db.table('monday_groups')} WHERE board_id = :b AND group_id = :g",
          [{"b": board_id, "g": g} for g in sorted(set(group_ids))])


# --- selecting work -------------------------------------------------------------------------


def select_work(db: Database, config: Config, scope: Scope, limit: int | None) -> list[str]:
    """The orders in scope with a pending order or line, in board order; at most ``limit``."""
    with db.begin() as conn:
        where, params = scope.sql(db, conn, config)
        params |= {"pending": PENDING}
        if limit is not None:
            params["limit"] = limit
        sql = db.sql("sync_select_work", scope=where,
                     limit=" LIMIT :limit" if limit is not None else "")
        return [str(u) for u in conn.execute(sa.text(sql), params).scalars()]


def board_drift(db: Database) -> tuple[int, str | None]:
    """The differences the newest verify pass found that a repair puts right, and when it
    ended (0 and None when it found none, or no verify ever ran)."""
    from ordersync.verify.report import Kind

    if not db.has_table("verify_runs"):
        return 0, None
    repairable = " + ".join(db.quote(k.value) for k in Kind if not k.is_extra)
    with db.begin() as conn:
        row = conn.execute(sa.text(db.sql("sync_board_drift", repairable=repairable))).one()
    differences = int(row.differences)
    return differences, (str(row.finished_at)[:16] if differences else None)


CHUNK = 1_000
"""Orders per statement where a list of them is bound."""


def unsent(db: Database, config: Config, scope: Scope, *,
           among: Sequence[str] | None = None) -> int:
    """Orders in scope still to send (not FAILED): what a finished run leaves undone;
    ``among``: of those orders only."""
    with db.begin() as conn:
        where, params = scope.sql(db, conn, config)
        params |= {"pending": PENDING, "failed": FAILED}
        if among is None:
            return int(conn.execute(sa.text(db.sql("sync_unsent", scope=where)),
                                    params).scalar_one())
        statement = _expanding(db.sql("sync_unsent", scope=f"{where} AND o.record_uuid IN "
                                                              ":uuids"), "uuids")
        return sum(int(conn.execute(statement, params | {"uuids": list(among[i:i + CHUNK])})
                       .scalar_one()) for i in range(0, len(among), CHUNK))


def load_orders(db: Database, uuids: Sequence[str], labels: Iterable[str], *,
                state: str = PENDING) -> list[OrderRow]:
    """The orders ``uuids`` in ``state``, with the values of the order columns ``labels``."""
    if not uuids:
        return []
    with db.begin() as conn:
        names = {c.label: c.name for c in registered_columns(db, conn)}
        wanted = [label for label in sorted(set(labels)) if label in names]
        extra = "".join(f", {db.quote(names[label])} AS c{i}" for i, label in enumerate(wanted))
        rows = conn.execute(_expanding(db.sql("sync_load_orders", extra=extra), "uuids"),
                            {"state": state, "uuids": list(uuids)}).all()
    return [OrderRow(
        record_uuid=r.record_uuid, business_key=r.business_key, group_name=r.group_name,
        item_name=r.item_name, is_cancelled=bool(r.is_cancelled), state=r.sync_state,
        action=r.sync_action, item_id=r.monday_item_id, group_id=r.monday_group_id,
        row_hash=r.row_hash,
        synced_values=loads(r.synced_values), sent_values=loads(r.sent_values),
        sent_hash=r.sent_hash, attempts=int(r.attempts or 0), version=str(r.changed_at),
        values={label: r._mapping[f"c{i}"] for i, label in enumerate(wanted)}) for r in rows]


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
    sql = db.sql("sync_load_lines", where="l.sync_state = :state AND l.record_uuid IN :uuids")
    with db.begin() as conn:
        rows = conn.execute(_expanding(sql, "uuids"),
                            {"state": state, "uuids": list(uuids)}).all()
    return _line_rows(rows)


def held_back(db: Database, uuids: Sequence[str]) -> set[str]:
    """Of ``uuids``, the orders gone from their file that are not on the board (see
    ``sync_held_back.sql``)."""
    if not uuids:
        return set()
    with db.begin() as conn:
        return {str(u) for u in conn.execute(_expanding(db.sql("sync_held_back"), "uuids"),
                                             {"uuids": list(uuids), "pending": PENDING})
                .scalars()}


def business_keys(db: Database, uuids: Sequence[str]) -> dict[str, str]:
    """record_uuid → business key, for the orders ``uuids``."""
    with db.begin() as conn:
        rows = conn.execute(_expanding(
            f"SELECT record_uuid, business_key FROM {db.table('orders')} "
            "WHERE record_uuid IN :uuids", "uuids"), {"uuids": list(uuids)}).all()
    return {r.record_uuid: r.business_key for r in rows}


def in_doubt_orders(db: Database, labels: Iterable[str]) -> list[OrderRow]:
    """Orders left SENDING by an earlier run (any scope: in doubt is in doubt)."""
    with db.begin() as conn:
        uuids = list(conn.execute(sa.text(
            f"SELECT record_uuid FROM {db.table('orders')} WHERE sync_state = :s"),
            {"s": SENDING}).scalars())
    return load_orders(db, uuids, labels, state=SENDING)


def in_doubt_lines(db: Database) -> list[LineRow]:
    with db.begin() as conn:
        rows = conn.execute(sa.text(db.sql("sync_load_lines", where="l.sync_state = :s")),
                            {"s": SENDING}).all()
    return _line_rows(rows)
