"""What one sync run did: counts per operation, failures with reasons, cost and time."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

_LOCK = threading.Lock()  # requests in flight at once report from their own threads

COUNTERS = (
    "boards_created", "boards_adopted", "groups_created", "groups_adopted",
    "items_created", "items_updated", "items_cancelled", "items_moved",
    "items_moved_board", "items_adopted", "items_found",
    "subitems_created", "subitems_updated", "subitems_zeroed", "subitems_deleted",
    "subitems_adopted", "subitems_found", "items_recreated", "groups_gone", "subitems_gone",
    "unchanged", "requeued", "failed", "groups_failed",
)
NOT_DONE = ("failed", "requeued", "unchanged", "groups_gone", "subitems_gone", "groups_failed")
"""Counters of records the board did not (yet) take; the rest count as succeeded."""
HOW = ("items_recreated", "items_found", "subitems_found")
"""Counters of how records were sent (re-created, or found on the board and then updated):
their sends are counted already."""


@dataclass(frozen=True)
class Failure:
    """One record monday refused (or ordersync could not encode), and why."""

    what: str
    """The order (item name) or line (item name / size) or group."""
    reason: str


@dataclass
class SyncReport:
    """Counts of what the run did to the board; ``to_json`` for machines."""

    board_id: str | None = None
    """The board synced; with routing, the template the routed boards were made from."""
    routed: bool = False
    run_id: int | None = None
    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    failures: list[Failure] = field(default_factory=list)
    """Records monday refused (or ordersync could not encode): kept FAILED."""
    group_failures: list[Failure] = field(default_factory=list)
    """Groups monday would not make this run: their orders wait (PENDING), and the next
    sync tries again — not FAILED records, so not counted with them."""
    boards_gone: list[Failure] = field(default_factory=list)
    """Routed boards monday no longer shows: their orders wait (not FAILED, not sent);
    each reason names the board, its route and the ways out (``errors.BoardGone``)."""
    boards_replaced: list[str] = field(default_factory=list)
    """``--new-board``: the gone boards forgotten this run, their orders sent to new ones."""
    requests: int = 0
    mutations: int = 0
    complexity: int = 0
    budget_waits: int = 0
    waited_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    stopped: str | None = None
    """Why the run ended early (monday unavailable, a fatal error, a signal), if it did."""
    failed_orders: int = 0
    failed_lines: int = 0
    """FAILED orders and lines in the database after the run (this run's and earlier
    runs'): while any is, the sync does not report success."""
    unsent: int = 0
    """Orders in scope still waiting to be sent when the run ended without stopping early
    (re-queued beyond the run's rounds: faults on their own alias, limits on one field):
    the next run sends them; until then the sync does not report success either."""

    board_differs: int = 0
    """What the newest verify found differing on the board that a repair puts right (items
    people deleted, values they changed): the sync sends what changed in the database, not
    that, so while the pass stands the sync does not report success either."""
    board_differs_since: str | None = None
    """When that verify ended."""

    def add(self, counter: str, n: int = 1) -> None:
        with _LOCK:
            self.counts[counter] += n

    def fail(self, what: str, reason: str) -> None:
        with _LOCK:
            self.counts["failed"] += 1
            self.failures.append(Failure(what, reason))

    def then(self, later: SyncReport) -> SyncReport:
        """This run and a ``later`` one as one report (``verify --repair``'s rounds): work
        and cost summed, failures listed; how it ended (stopped, FAILED and unsent left,
        the run id) from the later run."""
        combined = replace(later, failures=[*self.failures, *later.failures],
                           group_failures=[*self.group_failures, *later.group_failures],
                           boards_replaced=[*self.boards_replaced, *later.boards_replaced],
                           counts={k: self.counts.get(k, 0) + later.counts.get(k, 0)
                                   for k in later.counts})
        for name in ("requests", "mutations", "complexity", "budget_waits", "waited_seconds",
                     "elapsed_seconds"):
            setattr(combined, name, getattr(self, name) + getattr(later, name))
        return combined

    def group_failed(self, group: str, reason: str) -> None:
        with _LOCK:
            self.counts["groups_failed"] += 1
            self.group_failures.append(Failure(f"group {group!r} (its orders wait)", reason))

    @property
    def sent_nothing(self) -> bool:
        return self.mutations == 0

    @property
    def succeeded(self) -> int:
        return sum(v for k, v in self.counts.items() if k not in NOT_DONE and k not in HOW)

    @property
    def failed_total(self) -> int:
        return self.failed_orders + self.failed_lines

    @property
    def incomplete(self) -> bool:
        """Records FAILED, still to send, or waiting for a group monday would not make or a
        board monday no longer shows: the board is not what the database says."""
        return bool(self.failed_total or self.unsent or self.group_failures
                    or self.boards_gone)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["mutations_per_request"] = (round(self.mutations / self.requests, 1)
                                         if self.requests else 0)
        return data
