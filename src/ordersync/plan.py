"""Stage 4, plan: what the next sync would do to the board, and what it will cost.

Entry point :func:`plan_sync`.  Read-only: it never writes, and on a database
without ordersync's tables it returns an empty plan rather than creating them.
Set-based SQL (``db/sql/plan_*.sql``) counts, per customer and group:

- items: PENDING orders with CREATE → create; UPDATE → update (changed columns);
  CANCEL with a monday item id → cancel (status column set); CANCEL without one
  never reached the board → nothing to do;
- subitems: PENDING lines with CREATE (of an order not cancelled) → create;
  UPDATE → update; CANCEL / REMOVE with a monday subitem id → zero; without one
  (or a CREATE line of a cancelled order) → nothing to do;
- groups to create: the group names of PENDING orders with work to do that are
  neither in the group registry (``monday_groups``) for ``monday.board_id`` nor
  among ``board_groups`` (the board's own group titles, when a token is set).

FAILED records wait for ``--retry-failed`` and SENDING ones are in doubt (the sync
reconciles them first): both are counted apart and are not planned.

Boards (issue #10): every order's board (``ordersync.routing``) with each board's items
and subitems now and after this sync, and any board that would pass
``items_per_board`` — reported with its fix; the sync refuses to start while one does.

Cost: each operation's calls are batched as the sync's own planner
(:func:`ordersync.limits.planner_for`) cuts them under ``monday.limits`` (the
per-request complexity cap, the optional ``max_mutations_per_request``, and the
``complexity`` selection every request of the sync carries), one operation per
request; the time is the longest under each limit in force — complexity and requests
per minute, calls per day (``ordersync.limits.estimate_time``), which says which binds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import column_name
from ordersync.limits import (
    OperationCost,
    TimeEstimate,
    capacity_problems,
    describe_time,
    estimate_time,
    operation_cost,
    planner_for,
)
from ordersync.monday.boards import find_groups
from ordersync.monday.client import MondayClient
from ordersync.monday.connect import make_client
from ordersync.names import look_alikes, season_fields
from ordersync.routing import BoardFill, route_orders
from ordersync.states import SyncState

CREATE_GROUP = "create_group"
CREATE_ITEM = "create_item"
CREATE_SUBITEM = "create_subitem"
CHANGE_COLUMNS = "change_multiple_column_values"
DUPLICATE_BOARD = "duplicate_board"
MOVE_TO_BOARD = "move_item_to_board"

_STATES = {"pending": SyncState.PENDING.value, "failed": SyncState.FAILED.value,
           "sending": SyncState.SENDING.value}


@dataclass(frozen=True)
class GroupPlan:
    """The board work for one customer's group (``group_name`` None: the board's default)."""

    customer: str
    group_name: str | None
    create_group: bool = False
    items_create: int = 0
    items_update: int = 0
    items_cancel: int = 0
    subitems_create: int = 0
    subitems_update: int = 0
    subitems_zero: int = 0
    nothing_to_do: int = 0
    """Pending records with no board effect (cancelled or removed before they were sent)."""
    failed: int = 0
    """Orders and lines in FAILED, waiting for ``--retry-failed`` (not planned)."""
    in_doubt: int = 0
    """Orders and lines in SENDING: the sync reconciles them with the board first."""

    @property
    def mutations(self) -> int:
        return (self.items_create + self.items_update + self.items_cancel
                + self.subitems_create + self.subitems_update + self.subitems_zero)


@dataclass(frozen=True)
class SyncPlan:
    """What the next sync would do (see the module docstring); ``to_json`` for machines."""

    board_id: str | None
    groups: tuple[GroupPlan, ...]
    groups_to_create: tuple[str, ...]
    operations: tuple[OperationCost, ...]
    complexity_per_minute: int
    requests_per_minute: int
    board_groups_checked: bool = False
    """Whether the board's own groups were consulted (a token was set)."""
    totals: dict[str, int] = field(default_factory=dict)
    boards: tuple[BoardFill, ...] = ()
    """Every board the orders go to: items and subitems now and after this sync."""
    items_per_board: int = 10_000
    capacity_problems: tuple[str, ...] = ()
    """Boards this sync would fill past items_per_board (and orders with no route): the sync
    refuses to start while there are any."""
    time: TimeEstimate | None = None
    time_text: str = ""
    """Which limit binds the sync and how long it takes (``limits.describe_time``)."""
    look_alikes: tuple[str, ...] = ()
    """Groups that look like one customer's one season, with the config lines to merge them."""

    @property
    def requests(self) -> int:
        return sum(op.requests for op in self.operations)

    @property
    def complexity(self) -> int:
        return sum(op.complexity for op in self.operations)

    @property
    def seconds(self) -> float:
        """Time the plan takes under the binding limit (network time not included)."""
        return self.time.seconds if self.time is not None else 0.0

    @property
    def is_empty(self) -> bool:
        return not self.operations or self.requests == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "board_id": self.board_id,
            "board_groups_checked": self.board_groups_checked,
            "groups_to_create": list(self.groups_to_create),
            "groups": [{**asdict(g), "mutations": g.mutations} for g in self.groups],
            "totals": dict(self.totals),
            "look_alikes": list(self.look_alikes),
            "cost": {
                "requests": self.requests,
                "complexity": self.complexity,
                "seconds": self.seconds,
                "limits": {"complexity_per_minute": self.complexity_per_minute,
                           "requests_per_minute": self.requests_per_minute},
                "operations": [asdict(op) for op in self.operations],
                "bound_by": self.time.binding.limit if self.time is not None else None,
                "days": self.time.days if self.time is not None else 1,
                "by_limit": [asdict(use) for use in self.time.uses] if self.time else [],
                "summary": self.time_text,
            },
            "boards": [{**asdict(b), "over_limit": b.over(self.items_per_board)}
                       for b in self.boards],
            "items_per_board": self.items_per_board,
            "capacity_problems": list(self.capacity_problems),
        }


Preflight = Callable[[Config, MondayClient, Database | None], object]
"""Checks the boards' columns against the config before anything reads or writes them."""

_COUNTS = ("items_create", "items_update", "items_cancel", "subitems_create",
           "subitems_update", "subitems_zero", "nothing_to_do", "failed", "in_doubt")


def plan_sync(config: Config, db: Database, *,
              board_groups: Collection[str] | None = None) -> SyncPlan:
    """What the next sync would do; reads the database only (see the module docstring)."""
    board_id = config.monday.board_id
    known = set(board_groups or ())
    rows: dict[tuple[str, str | None], dict[str, int]] = {}
    to_create: list[str] = []
    alike: tuple[str, ...] = ()
    if db.has_table("orders") and db.has_table("order_lines"):
        registry = db.has_table("monday_groups")  # before the transaction: SQLite locks
        with db.transaction(dry_run=True) as conn:
            customer = _customer_expression(config, db, conn)
            params = {**_STATES, "board_id": board_id}
            for sql_name in ("plan_items", "plan_subitems"):
                for row in conn.execute(sa.text(db.sql(sql_name, customer=customer)), params):
                    key = (_customer_name(config, row.customer, row.profile), row.group_name)
                    counts = rows.setdefault(key, dict.fromkeys(_COUNTS, 0))
                    for name in _COUNTS:
                        if name in row._fields:
                            counts[name] += int(getattr(row, name) or 0)
            names = conn.execute(sa.text(db.sql(
                "plan_groups", registered="AND NOT EXISTS (SELECT 1 FROM {monday_groups} g "
                "WHERE g.board_id = :board_id AND g.group_name = o.group_name)".format(
                    monday_groups=db.table("monday_groups")) if registry else "")),
                params).scalars().all()
            to_create = sorted(str(n) for n in names if n not in known)
            alike = _look_alikes(config, db, conn, customer)
    creating = set(to_create)
    groups = tuple(
        GroupPlan(customer=c, group_name=g, create_group=g in creating, **counts)
        for (c, g), counts in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")))
    totals = {name: sum(getattr(g, name) for g in groups) for name in _COUNTS}
    totals["groups_create"] = len(to_create)
    calls = {
        CREATE_GROUP: len(to_create),
        CREATE_ITEM: totals["items_create"],
        CHANGE_COLUMNS: (totals["items_update"] + totals["items_cancel"]
                         + totals["subitems_update"] + totals["subitems_zero"]),
        CREATE_SUBITEM: totals["subitems_create"],
    }
    limits = config.monday.limits
    planner = planner_for(config)
    routed = route_orders(config, db)
    totals["boards_create"] = sum(1 for b in routed.boards.values() if b.board_id is None)
    totals["items_move"] = len(routed.moves)
    calls[DUPLICATE_BOARD] = totals["boards_create"]
    calls[MOVE_TO_BOARD] = totals["items_move"]
    operations = tuple(operation_cost(planner, op, n) for op, n in calls.items() if n)
    time = estimate_time(config, requests=sum(op.requests for op in operations),
                         complexity=sum(op.complexity for op in operations))
    return SyncPlan(
        board_id=board_id, groups=groups, groups_to_create=tuple(to_create),
        operations=operations, complexity_per_minute=limits.complexity_per_minute,
        requests_per_minute=limits.requests_per_minute,
        board_groups_checked=board_groups is not None, totals=totals,
        boards=tuple(fill for _, fill in sorted(routed.boards.items())),
        items_per_board=limits.items_per_board,
        capacity_problems=tuple(capacity_problems(config, routed)), time=time,
        time_text=describe_time(config, time), look_alikes=alike)


def fetch_board_groups(config: Config, token: str,
                       transport: httpx.BaseTransport | None = None,
                       db: Database | None = None, preflight: Preflight | None = None) -> set[str]:
    """The titles of the configured board's groups, read from monday.com, after the
    ``preflight`` check of the boards' columns (the caller's: the sync's ``check_boards``,
    which raises ``BoardMismatch`` when they do not fit)."""
    if config.monday.board_id is None:
        return set()
    with make_client(config, token, transport=transport) as client:
        if preflight is not None:
            preflight(config, client, db)
        return set(find_groups(client, config.monday.board_id))


def _customer_expression(config: Config, db: Database, conn: Connection) -> str:
    """The orders' customer column (always filled at ingest), or NULL if never seen."""
    name = column_name(db, conn, config.columns.customer)
    return f"o.{db.quote(name)}" if name is not None else "CAST(NULL AS TEXT)"


def _look_alikes(config: Config, db: Database, conn: Connection, customer: str
                 ) -> tuple[str, ...]:
    """Groups of live orders that look like one customer's one season (see names.look_alikes)."""
    fields = []
    for columns in season_fields(config.names.group_template, config.columns.customer):
        names = [n for c in columns if (n := column_name(db, conn, c)) is not None]
        if names:
            fields.append("COALESCE(" + ", ".join(f"CAST(o.{db.quote(n)} AS TEXT)"
                                                  for n in names) + ", '')")
    season = " || ' ' || ".join(fields) if fields else "''"
    rows = conn.execute(sa.text(db.sql("plan_lookalikes", customer=customer, season=season)))
    return tuple(str(a) for a in look_alikes(
        (r.customer, (r.season or "").strip(), r.group_name) for r in rows))


def _customer_name(config: Config, value: str | None, profile: str | None) -> str:
    if value:
        return str(value)
    profiles = config.sources.profiles
    if profile and profile in profiles:
        return profiles[profile].customer
    return profile or "(unknown)"
