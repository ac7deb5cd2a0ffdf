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

Cost: each operation's calls are batched as :class:`~ordersync.monday.batching.BatchPlanner`
cuts them under ``monday.limits`` (the per-request complexity cap, the optional
``max_mutations_per_request``, and the ``complexity`` selection every request of the
sync carries), one operation per request; the time is the longer of the complexity
and the request counts over their per-minute limits.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import column_name
from ordersync.monday.batching import BatchPlanner, call_cost
from ordersync.names import look_alikes, season_fields
from ordersync.states import SyncState

CREATE_GROUP = "create_group"
CREATE_ITEM = "create_item"
CREATE_SUBITEM = "create_subitem"
CHANGE_COLUMNS = "change_multiple_column_values"

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
class OperationCost:
    """The calls of one mutation template and how they batch."""

    operation: str
    calls: int
    cost_per_call: int
    per_request: int
    requests: int
    complexity: int


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
        """Time the plan takes under the per-minute limits (network time not included)."""
        minutes = max(self.complexity / self.complexity_per_minute,
                      self.requests / self.requests_per_minute)
        return round(minutes * 60, 1)

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
            },
        }


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
    planner = BatchPlanner(per_request_cap=limits.complexity_per_request,
                           mutation_cost=limits.mutation_cost,
                           max_per_request=limits.max_mutations_per_request,
                           with_complexity=True)
    return SyncPlan(
        board_id=board_id, groups=groups, groups_to_create=tuple(to_create),
        operations=tuple(operation_cost(planner, op, n) for op, n in calls.items() if n),
        complexity_per_minute=limits.complexity_per_minute,
        requests_per_minute=limits.requests_per_minute,
        board_groups_checked=board_groups is not None, totals=totals, look_alikes=alike)


def operation_cost(planner: BatchPlanner, operation: str, calls: int) -> OperationCost:
    """``calls`` calls of one template, batched as ``planner.plan`` would cut them.

    Counted, not enumerated: all calls of one template cost the same, so every
    request but the last holds ``batch_size`` of them.
    """
    cost = call_cost(operation, planner.mutation_cost)
    per_request = planner.batch_size(cost)
    if per_request < 1:
        raise ValueError(f"a {operation} call costs {cost:,}, more than one request may "
                         f"({planner.per_request_cap:,})")
    requests = math.ceil(calls / per_request)
    return OperationCost(operation, calls, cost, per_request, requests,
                         calls * cost + requests * planner.overhead)


def fetch_board_groups(config: Config, token: str,
                       transport: httpx.BaseTransport | None = None,
                       db: Database | None = None) -> set[str]:
    """The titles of the configured board's groups, read from monday.com, after the
    preflight check of the boards' columns (``BoardMismatch`` when they do not fit)."""
    from ordersync.sync.engine import make_client
    from ordersync.sync.preflight import check_boards
    from ordersync.sync.reconcile import find_groups

    if config.monday.board_id is None:
        return set()
    with make_client(config, token, transport=transport) as client:
        check_boards(config, client, db)
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
