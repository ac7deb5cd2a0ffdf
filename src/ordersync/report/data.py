"""What the report page shows, read from the database in one pass (read-only).

Per customer: files, rows read / staged / rejected (and rejects by reason),
orders by state and action, lines, last change; the board's fill per group;
the sync history per run; and the failures and rejects listings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ordersync.config import Config
from ordersync.customers import canonical_customer
from ordersync.db import Database
from ordersync.listings.failures import FailedRecord, list_failures
from ordersync.listings.rejects import RejectedRow, list_rejects
from ordersync.listings.runs import RunRecord, as_utc, list_runs
from ordersync.states import FileStatus

MAX_TABLE_ROWS = 5_000
"""Rows shown per table (the page stays well under 2 MB); the rest are counted."""
BOARD_ITEM_LIMIT = 10_000
"""Items one monday board holds (its subitems board as many subitems)."""


@dataclass
class CustomerRow:
    customer: str
    files: int = 0
    files_failed: int = 0
    rows_read: int = 0
    rows_staged: int = 0
    rows_rejected: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    orders_by_state: dict[str, int] = field(default_factory=dict)
    orders_by_action: dict[str, int] = field(default_factory=dict)
    orders: int = 0
    lines: int = 0
    lines_on_board: int = 0
    last_change: datetime | None = None


@dataclass(frozen=True)
class ProblemFile:
    """A file whose last ingest failed (its orders stay as last read), or one gone from the
    folder."""

    path: str
    customer: str
    status: str  # failed, missing
    error: str | None


@dataclass(frozen=True)
class GroupFill:
    board: str | None  # a routed board's name (or id); None: the one configured board
    group: str
    items: int
    subitems: int


@dataclass(frozen=True)
class BoardFill:
    """A routed board: what it holds, as the database last confirmed it."""

    board_id: str
    name: str | None
    route: str | None
    items: int
    subitems: int


@dataclass(frozen=True)
class ReportData:
    generated_at: datetime
    database: str
    board_id: str | None
    customers: list[CustomerRow]
    groups: list[GroupFill]
    runs: list[RunRecord]
    failures: list[FailedRecord]
    rejects: list[RejectedRow]
    problem_files: list[ProblemFile] = field(default_factory=list)
    boards: list[BoardFill] = field(default_factory=list)
    """The routed boards (empty when orders go to the one configured board)."""

    @property
    def sync_runs(self) -> list[RunRecord]:
        """Sync runs, oldest first (the charts' x axis)."""
        return [r for r in reversed(self.runs) if r.kind == "sync"]

    def totals(self) -> dict[str, Any]:
        states: Counter[str] = Counter()
        for c in self.customers:
            states.update(c.orders_by_state)
        return {"customers": len(self.customers), "files": sum(c.files for c in self.customers),
                "orders": sum(c.orders for c in self.customers),
                "lines": sum(c.lines for c in self.customers),
                "rejected": sum(c.rows_rejected for c in self.customers),
                "files_failed": sum(f.status == FileStatus.FAILED for f in self.problem_files),
                "files_missing": sum(f.status == FileStatus.MISSING
                                     for f in self.problem_files),
                "failed": sum(not f.in_doubt for f in self.failures),
                "in_doubt": sum(f.in_doubt for f in self.failures),
                "items_on_board": sum(g.items for g in self.groups),
                "subitems_on_board": sum(g.subitems for g in self.groups),
                "orders_by_state": dict(states)}


def read_report_data(config: Config, db: Database, *, runs: int = 50) -> ReportData:
    """Everything the page shows (see the module docstring)."""
    customers: dict[str, CustomerRow] = {}
    canonical = canonical_customer(config)  # a profile's spelling → the one customer

    def row(name: str) -> CustomerRow:
        name = canonical(name) or name
        return customers.setdefault(name, CustomerRow(name))

    groups: list[GroupFill] = []
    boards: list[BoardFill] = []
    rejects: list[RejectedRow] = []
    problems: list[ProblemFile] = []
    if db.has_table("orders"):
        with db.begin() as conn:
            for r in conn.execute(sa.text(db.sql("report_customers"))):
                c = row(r.customer)  # several profiles may spell one customer: summed
                c.files += int(r.files)
                c.files_failed += int(r.files_failed or 0)
                c.rows_read += int(r.rows_read or 0)
                c.rows_staged += int(r.rows_staged or 0)
                c.rows_rejected += int(r.rows_rejected or 0)
            for r in conn.execute(sa.text(db.sql("report_orders"))):
                c = row(r.customer)
                c.orders += int(r.orders)
                state, action = r.sync_state or "none", r.sync_action or "none"
                c.orders_by_state[state] = c.orders_by_state.get(state, 0) + int(r.orders)
                c.orders_by_action[action] = c.orders_by_action.get(action, 0) + int(r.orders)
                changed = as_utc(r.last_change)
                if changed is not None and (c.last_change is None or changed > c.last_change):
                    c.last_change = changed
            for r in conn.execute(sa.text(db.sql("report_lines"))):
                c = row(r.customer)
                c.lines += int(r.lines)
                c.lines_on_board += int(r.on_board or 0)
            groups = [GroupFill(r.board, r.group_name, int(r.items), int(r.subitems))
                      for r in conn.execute(sa.text(db.sql("report_groups")))]
            if conn.execute(sa.text(f"SELECT 1 FROM {db.table('monday_boards')} LIMIT 1")
                            ).first() is not None:
                boards = [BoardFill(r.board_id, r.board_name, r.route, int(r.orders),
                                    int(r.lines))
                          for r in conn.execute(sa.text(db.sql("status_boards")))]
            problems = [ProblemFile(r.path, canonical(r.customer) or r.customer, r.status,
                                    r.error)
                        for r in conn.execute(sa.text(db.sql("report_problem_files")), {
                            "failed": FileStatus.FAILED.value,
                            "missing": FileStatus.MISSING.value})]
        rejects = list_rejects(config, db)
        for reject in rejects:  # the duplicates a merge rejected count here too
            c = row(reject.customer or reject.profile or "(unknown)")
            kind = reject.reason_kind
            c.rejects_by_reason[kind] = c.rejects_by_reason.get(kind, 0) + 1
    return ReportData(
        generated_at=datetime.now(UTC), database=db.display_name,
        board_id=config.monday.board_id,
        customers=sorted(customers.values(), key=lambda c: c.customer.upper()),
        groups=groups, runs=list_runs(db, limit=runs), failures=list_failures(db),
        rejects=rejects, problem_files=problems, boards=boards)
