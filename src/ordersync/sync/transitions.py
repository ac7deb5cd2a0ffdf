"""Every write of ``sync_state`` by the sync, through the state table (``ordersync.states``).

Each statement is a ``db/sql/sync_*.sql`` file whose ``-- moves:`` line declares the
(state, event) pairs it may apply; the states it writes are bound from ``TRANSITIONS``
(``bind_moves``), and its ``WHERE`` names the states it moves records from, so a record
in any other state is left alone.  A call that asks for a move its statement does not
declare, or that the table forbids, raises ``IllegalTransition`` before anything runs.

    orders                            lines
    sending    PENDING → SENDING      sending    PENDING → SENDING
    confirm    SENDING → SYNCED       confirm    SENDING → SYNCED
               (or PENDING: changed in flight; ADOPTED after a lookup)
    settle     PENDING → SYNCED       settle     PENDING → SYNCED
    release    SENDING → PENDING (re-queued) / FAILED; PENDING → FAILED (refused unsent)
    gone       SYNCED / SENDING / PENDING → PENDING, the item (or subitem) forgotten
    board_gone SYNCED / SENDING / PENDING → PENDING, item, group and board forgotten
    found      PENDING → PENDING, a create's item (or subitem) found on the board recorded
    retry      FAILED → PENDING (--retry-failed)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.database import _sql_text
from ordersync.states import (
    IllegalTransition,
    Move,
    SyncEvent,
    SyncState,
    bind_moves,
    parse_moves,
    transition,
)
from ordersync.sync.store import LineRow, Scope, dumps

SENDING, PENDING = SyncState.SENDING, SyncState.PENDING
STATEMENTS = ("sync_orders_sending", "sync_orders_confirm", "sync_orders_settle",
              "sync_orders_release", "sync_orders_gone", "sync_orders_board_gone",
              "sync_orders_found", "sync_orders_retry",
              "sync_lines_sending", "sync_lines_confirm", "sync_lines_settle",
              "sync_lines_release", "sync_lines_gone", "sync_lines_found", "sync_lines_retry")
"""The sync's statements that write ``sync_state`` (the merge's are ``merge_*``/``lines_*``)."""


@cache
def declared(name: str) -> tuple[Move, ...]:
    """The moves statement ``name`` declares (checked against the table when first read)."""
    return tuple(parse_moves(_sql_text(name)))


def _bind(name: str) -> dict[str, Any]:
    return bind_moves(list(declared(name)))


def _check(name: str, state: SyncState, event: SyncEvent) -> str:
    """The state ``event`` moves a ``state`` record to, if statement ``name`` declares it."""
    if (state, event) not in declared(name):
        raise IllegalTransition(state, event)
    return transition(state, event).value


def _run(conn: Connection, db: Database, name: str, rows: Sequence[Mapping[str, Any]],
         **identifiers: str) -> int:
    if not rows:
        return 0
    bound = _bind(name)
    froms = bound.pop("from_states")
    assert isinstance(froms, list)
    listed = ", ".join(f":from_{i}" for i in range(len(froms)))
    bound |= {f"from_{i}": state for i, state in enumerate(froms)}
    # bound one by one, not as an expanding parameter: these statements run executemany
    text = db.sql(name, **identifiers).replace(":from_states", f"({listed})")
    result = conn.execute(sa.text(text), [{**bound, **row} for row in rows])
    return int(result.rowcount or 0)


def apply_statement(conn: Connection, db: Database, name: str,
                    rows: Sequence[Mapping[str, Any]], **identifiers: str) -> int:
    """Run a ``-- moves:`` statement kept outside this module (``verify``'s repair) for
    ``rows``, its states bound from the table like the sync's own."""
    return _run(conn, db, name, rows, **identifiers)


# --- orders ------------------------------------------------------------------------------------


def orders_sending(conn: Connection, db: Database,
                   rows: Sequence[tuple[str, Mapping[str, Any], bool, str]]) -> None:
    """(record_uuid, the encoded values being sent, whether it is the order's first send
    of this run: ``attempts`` counts runs, the row hash they were made from)."""
    _run(conn, db, "sync_orders_sending",
         [{"record_uuid": u, "sent_values": dumps(v), "bump": int(first), "sent_hash": h}
          for u, v, first, h in rows])


def orders_confirm(conn: Connection, db: Database, rows: Sequence[tuple[str, str, str | None]],
                   *, event: SyncEvent = SyncEvent.CONFIRMED) -> None:
    """(record_uuid, item id, group id or None if unchanged): the board has what was sent
    (``CONFIRMED``) or was found to have it (``ADOPTED``)."""
    done = _check("sync_orders_confirm", SENDING, event)
    _run(conn, db, "sync_orders_confirm",
         [{"record_uuid": u, "item_id": i, "group_id": g, "done": done} for u, i, g in rows])


def orders_settle(conn: Connection, db: Database, rows: Sequence[tuple[str, str]]) -> None:
    """(record_uuid, the row hash as the sync read it): nothing to send."""
    _run(conn, db, "sync_orders_settle", [{"record_uuid": u, "row_hash": h} for u, h in rows])


def orders_release(conn: Connection, db: Database, rows: Sequence[tuple[str, str | None]],
                   event: SyncEvent, *, state: SyncState = SENDING) -> None:
    """(record_uuid, reason): ``event`` (REQUEUED, RECORD_ERROR, FAULTS_EXHAUSTED) from
    ``state``."""
    to = _check("sync_orders_release", state, event)
    _run(conn, db, "sync_orders_release",
         [{"record_uuid": u, "reason": r, "from_state": state.value, "to_state": to}
          for u, r in rows])


def orders_gone(conn: Connection, db: Database,
                rows: Sequence[tuple[str, str | None, str | None, str]]) -> None:
    """(record_uuid, item id found by identity or None, its group id, reason): the order's
    item is gone from the board; its lines forget their subitems too."""
    _run(conn, db, "sync_orders_gone", [{"record_uuid": u, "item_id": i, "group_id": g,
                                          "reason": r} for u, i, g, r in rows])
    lines_gone(conn, db, [(u, None, None) for u, _, _, _ in rows])


def orders_board_gone(conn: Connection, db: Database, uuids: Sequence[str],
                      reason: str) -> None:
    """The orders placed on a routed board gone from monday, its route given a new board:
    their items, groups and board forgotten, and their lines' subitems."""
    _run(conn, db, "sync_orders_board_gone",
         [{"record_uuid": u, "reason": reason} for u in uuids])
    lines_gone(conn, db, [(u, None, None) for u in uuids])


def orders_found(conn: Connection, db: Database,
                 rows: Sequence[tuple[str, str, str | None, Mapping[str, Any] | None]]
                 ) -> None:
    """(record_uuid, item id, its group id, the values it shows or None if unknown): an
    order about to be created whose item the board already has (found by identity):
    recorded, what differs sent as an update."""
    _run(conn, db, "sync_orders_found", [{"record_uuid": u, "item_id": i, "group_id": g,
                                          "shown": dumps(v)} for u, i, g, v in rows])


def retry_failed(db: Database, config: Config, scope: Scope) -> tuple[int, int]:
    """FAILED orders and lines in scope back to PENDING (``--retry-failed``)."""
    with db.begin() as conn:
        where, params = scope.sql(db, conn, config)
        return (_run(conn, db, "sync_orders_retry", [params], scope=where),
                _run(conn, db, "sync_lines_retry", [params], scope=where))


# --- lines -------------------------------------------------------------------------------------


def _line_key(line: LineRow) -> dict[str, Any]:
    return {"record_uuid": line.record_uuid, "size_code": line.size_code}


def lines_sending(conn: Connection, db: Database,
                  rows: Sequence[tuple[LineRow, Mapping[str, Any], bool]]) -> None:
    _run(conn, db, "sync_lines_sending",
         [{**_line_key(line), "sent_values": dumps(v), "bump": int(first)}
          for line, v, first in rows])


def lines_confirm(conn: Connection, db: Database,
                  rows: Sequence[tuple[LineRow, str | None, int, str | None]], *,
                  event: SyncEvent = SyncEvent.CONFIRMED) -> None:
    """(line, subitem id or None if deleted, qty sent, action sent)."""
    done = _check("sync_lines_confirm", SENDING, event)
    _run(conn, db, "sync_lines_confirm",
         [{**_line_key(line), "subitem_id": sub, "qty": qty, "action": action or "",
           "done": done} for line, sub, qty, action in rows])


def lines_settle(conn: Connection, db: Database, lines: Sequence[LineRow]) -> None:
    """Nothing to send for ``lines`` (as the sync read them)."""
    _run(conn, db, "sync_lines_settle", [{**_line_key(line), "qty": line.qty,
                                          "action": line.action or ""} for line in lines])


def lines_release(conn: Connection, db: Database, rows: Sequence[tuple[LineRow, str | None]],
                  event: SyncEvent, *, state: SyncState = SENDING) -> None:
    to = _check("sync_lines_release", state, event)
    _run(conn, db, "sync_lines_release",
         [{**_line_key(line), "reason": r, "from_state": state.value, "to_state": to}
          for line, r in rows])


def lines_gone(conn: Connection, db: Database,
               rows: Sequence[tuple[str, str | None, str | None]]) -> None:
    """(record_uuid, size or None for all the order's lines, subitem id found or None)."""
    _run(conn, db, "sync_lines_gone",
         [{"record_uuid": u, "size_code": s, "subitem_id": sub} for u, s, sub in rows])


def lines_found(conn: Connection, db: Database,
                rows: Sequence[tuple[str, str, str, Mapping[str, Any]]]) -> None:
    """(record_uuid, size, subitem id, the values it shows): the subitem of that size
    found under an order's found item (``orders_found``): recorded, what differs sent as an
    update."""
    _run(conn, db, "sync_lines_found",
         [{"record_uuid": u, "size_code": s, "subitem_id": sub, "shown": dumps({"values": v})}
          for u, s, sub, v in rows])
