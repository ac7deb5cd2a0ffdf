"""Planning against monday.com's limits: one piece of code for ``plan`` and ``sync``.

``planner_for`` is the ``BatchPlanner`` both use (the per-request complexity cap,
``max_mutations_per_request``, the ``complexity`` selection every request carries);
``operation_cost`` counts how N calls of one template batch under it, as the
sync's sender will cut them.  ``plan`` adds these up into its estimate; the sync
sends with the same planner, so the estimate is what the run does.

``estimate_time`` weighs the requests and complexity against every limit in force —
complexity per minute, requests per minute, calls per day — and names the one that
binds; ``capacity_problems`` checks every board's fill against items per board (both
``plan``, which shows them, and ``sync``, which refuses to start, call it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ordersync.config import Config
from ordersync.monday.batching import BatchPlanner, call_cost
from ordersync.routing.routes import Assignment, part_name


def planner_for(config: Config) -> BatchPlanner:
    """The batch planner for ``config``'s ``[monday.limits]`` (every request selects
    ``complexity``)."""
    limits = config.monday.limits
    return BatchPlanner(per_request_cap=limits.complexity_per_request,
                        mutation_cost=limits.mutation_cost,
                        max_per_request=limits.max_mutations_per_request, with_complexity=True)


@dataclass(frozen=True)
class OperationCost:
    """The calls of one mutation template and how they batch."""

    operation: str
    calls: int
    cost_per_call: int
    per_request: int
    requests: int
    complexity: int


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


@dataclass(frozen=True)
class LimitUse:
    """What a sync needs of one monday limit, and how long that limit alone makes it take."""

    limit: str
    """"complexity per minute", "requests per minute", "calls per day", "items per board"."""
    allowed: int
    needed: int
    seconds: float


@dataclass(frozen=True)
class TimeEstimate:
    """A sync's duration under every limit in force, and the one that binds it."""

    uses: tuple[LimitUse, ...]
    days: int
    """Days the daily call cap spreads the sync over (1: it fits today)."""

    @property
    def binding(self) -> LimitUse:
        return max(self.uses, key=lambda use: use.seconds)

    @property
    def seconds(self) -> float:
        return self.binding.seconds


DAY_SECONDS = 86_400


def estimate_time(config: Config, *, requests: int, complexity: int) -> TimeEstimate:
    """How long ``requests`` requests costing ``complexity`` take under ``[monday.limits]``.

    Per-minute limits give minutes; the daily cap, when the requests pass it, gives whole
    days (it resets at midnight UTC, and a run stopped by it resumes the next day).
    """
    limits = config.monday.limits
    daily = limits.daily_call_limit
    days = max(1, math.ceil(requests / daily)) if requests else 1
    uses = (
        LimitUse("complexity per minute", limits.complexity_per_minute, complexity,
                 round(complexity / limits.complexity_per_minute * 60, 1)),
        LimitUse("requests per minute", limits.requests_per_minute, requests,
                 round(requests / limits.requests_per_minute * 60, 1)),
        LimitUse("calls per day", daily, requests, float((days - 1) * DAY_SECONDS)),
    )
    return TimeEstimate(uses, days)


def describe_time(config: Config, estimate: TimeEstimate) -> str:
    """One line: which limit binds and how long the sync takes, e.g. "needs 2,900 calls:
    3 days on the standard plan's 1,000 calls a day"."""
    limits = config.monday.limits
    binding = estimate.binding
    if binding.limit == "calls per day" and estimate.days > 1:
        plan = (f"the {limits.plan} plan's" if limits.daily_calls is None
                else "[monday.limits] daily_calls =")
        return (f"needs {binding.needed:,} calls: {estimate.days} days on {plan} "
                f"{binding.allowed:,} calls a day")
    return (f"about {_duration(binding.seconds)}, bound by {binding.limit} "
            f"({binding.needed:,} needed, {binding.allowed:,} allowed)")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def capacity_problems(config: Config, assignment: Assignment) -> list[str]:
    """Each board the sync would fill past ``items_per_board``, with the fix; and the orders
    no route takes.  Empty: everything fits.  ``plan`` shows these and ``sync`` refuses to
    start while there are any, so no budget goes to creates monday would refuse."""
    limit = config.monday.limits.items_per_board
    routing = config.monday.routing
    problems = []
    for fill in assignment.over_limit(limit):
        holds = (f"{fill.items_after:,} items and {fill.subitems_after:,} subitems after this "
                 f"sync, past [monday.limits] items_per_board = {limit:,}")
        if routing.key is None:
            fix = ("route the orders to several boards: set [monday.routing] key (e.g. "
                   '"{AAG SEASON}") and template_board_id')
        elif routing.overflow == "split":
            fix = ("one order has more sizes than a board holds: raise items_per_board if "
                   "monday allows your account more")
        else:
            fix = (f'set [monday.routing] overflow = "split" (opens '
                   f'"{part_name(fill.name.removesuffix(f" ({fill.part})"), fill.part + 1)}" '
                   f'for the route\'s next orders) or a finer key than "{routing.key}"')
        where = (f"board {fill.board_id}" if routing.key is None and fill.board_id
                 else f'board "{fill.name}" (route "{fill.route}")')
        problems.append(f"{where} would hold {holds}: {fix}")
    if assignment.unrouted:
        shown = ", ".join(k.replace("\x1f", " | ") for k in assignment.unrouted[:3])
        more = f" and {len(assignment.unrouted) - 3:,} more" if len(assignment.unrouted) > 3 \
            else ""
        problems.append(f"{len(assignment.unrouted):,} order(s) have no route: "
                        f'[monday.routing] key "{routing.key}" is blank for {shown}{more}; '
                        "fill the column in their files or add a fallback ({A|B})")
    return problems
