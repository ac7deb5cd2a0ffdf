"""Planning against monday.com's limits: one piece of code for ``plan`` and ``sync``.

``planner_for`` is the ``BatchPlanner`` both use (the per-request complexity cap,
``max_mutations_per_request``, the ``complexity`` selection every request carries);
``operation_cost`` counts how N calls of one template batch under it, as the
sync's sender will cut them.  ``plan`` adds these up into its estimate; the sync
sends with the same planner, so the estimate is what the run does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ordersync.config import Config
from ordersync.monday.batching import BatchPlanner, call_cost


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
