"""How many mutations go in one request: sized to monday's complexity limits, not a fixed 5.

A batch is as many calls as fit under all three limits at once (API_NOTES §2.1, §3)::

    size = min(max_per_request,
               floor(per_request_cap / cost_per_call),      # 5,000,000 per request
               floor(remaining_budget / cost_per_call))     # budget left this minute

``cost_per_call`` comes from the operation template, priced as monday (and the
sandbox's ``CostModel``) price a mutation: ``mutation_cost`` (30,000) plus its
selection — 1 per scalar, 10 + children per object — so ``create_item { id }``
is 30,001: 166 per request under 5M, 333 per minute under a 10M budget.  Mixed
batches are packed greedily by each call's own cost, which is the formula above
when all calls cost the same.

When the budget cannot pay for even the next call, ``plan`` raises
``BudgetExhausted`` carrying the calls not yet planned; the caller waits for the
window to reset (``complexity.reset_in_x_seconds``) and plans those again.  When
monday rejects a batch as too complex anyway, ``split`` halves it.  Neither ever
drops, duplicates or reorders a call (property-tested).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from graphql import (
    FieldNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from ordersync.errors import RetriableSyncError
from ordersync.monday.operations import Call, operation_text, template_field

__all__ = [
    "COMPLEXITY_SELECTION_COST",
    "DEFAULT_MUTATION_COST",
    "DEFAULT_PER_REQUEST_CAP",
    "BatchPlanner",
    "BudgetExhausted",
    "call_cost",
    "split",
]

DEFAULT_PER_REQUEST_CAP = 5_000_000
DEFAULT_MUTATION_COST = 30_000
_OBJECT_COST = 10
_SCALAR_COST = 1

T = TypeVar("T")


class BudgetExhausted(RetriableSyncError):
    """Not even the next call fits in this minute's remaining complexity budget.

    ``pending`` holds every call not yet planned, in order: wait, then plan them again.
    """

    def __init__(self, pending: Sequence[Call], needed: int, remaining: int) -> None:
        self.pending = tuple(pending)
        self.needed = needed
        self.remaining = remaining
        super().__init__(f"complexity budget exhausted: the next call needs {needed:,} points, "
                         f"{remaining:,} remain this minute; {len(self.pending)} call(s) wait "
                         "for the budget to reset")


def _selection_cost(selection_set: SelectionSetNode | None) -> int:
    """1 per scalar, 10 + children per object.  Mutation selections carry no list
    arguments (``ids``/``limit``), so no multipliers; the sandbox-equality test
    would catch a template that did."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += (_SCALAR_COST if selection.selection_set is None
                      else _OBJECT_COST + _selection_cost(selection.selection_set))
        elif isinstance(selection, InlineFragmentNode):
            total += _selection_cost(selection.selection_set)
        else:
            raise ValueError("fragment spreads are not supported in mutation templates")
    return total


@cache
def _template_selection_cost(operation: str) -> int:
    return _selection_cost(template_field(operation).selection_set)


def call_cost(operation: str, mutation_cost: int = DEFAULT_MUTATION_COST) -> int:
    """What one call of mutation template ``operation`` costs: 30,000 + its selection."""
    return mutation_cost + _template_selection_cost(operation)


@cache
def _complexity_selection_cost() -> int:
    operation = parse(operation_text("complexity"), no_location=True).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return _selection_cost(operation.selection_set)


COMPLEXITY_SELECTION_COST = _complexity_selection_cost()
"""``complexity { before query after reset_in_x_seconds }`` added to a batch: 14."""


@dataclass(frozen=True)
class BatchPlanner:
    """Cuts a sequence of calls into requests that monday will accept and can pay for.

    ``budget_provider`` returns the complexity budget left this minute (from the
    last response's ``complexity.after``), or None when unknown; it is asked again
    before every batch.  ``with_complexity`` reserves room for the ``complexity``
    selection in every request (build with ``with_complexity=True`` to match).
    """

    per_request_cap: int = DEFAULT_PER_REQUEST_CAP
    mutation_cost: int = DEFAULT_MUTATION_COST
    max_per_request: int | None = None
    budget_provider: Callable[[], int | None] | None = None
    with_complexity: bool = False

    def __post_init__(self) -> None:
        if self.max_per_request is not None and self.max_per_request < 1:
            raise ValueError(f"max_per_request must be at least 1, not {self.max_per_request}")

    @property
    def overhead(self) -> int:
        """Cost of a request beyond its calls."""
        return COMPLEXITY_SELECTION_COST if self.with_complexity else 0

    def cost(self, call: Call) -> int:
        return call_cost(call.operation, self.mutation_cost)

    def batch_cost(self, batch: Sequence[Call]) -> int:
        """The estimate for one request: what the sandbox (and monday) will charge."""
        return self.overhead + sum(self.cost(call) for call in batch)

    def batch_size(self, cost_per_call: int, remaining_budget: int | None = None) -> int:
        """How many calls of one cost fit in a request (0: wait for the budget)."""
        limits = [(self.per_request_cap - self.overhead) // cost_per_call]
        if self.max_per_request is not None:
            limits.append(self.max_per_request)
        if remaining_budget is not None:
            limits.append(max(0, remaining_budget - self.overhead) // cost_per_call)
        return max(0, min(limits))

    def plan(self, calls: Sequence[Call]) -> Iterator[list[Call]]:
        """The batches, in order, each as large as the limits allow at the time it is cut.

        Raises ``ValueError`` up front for a call that no request could hold, and
        ``BudgetExhausted`` (with the unplanned calls) when the budget runs out.
        """
        room = self.per_request_cap - self.overhead
        for call in calls:
            if self.cost(call) > room:
                raise ValueError(f"a {call.operation} call costs {self.cost(call):,}, more than "
                                 f"one request may ({self.per_request_cap:,})")
        start = 0
        while start < len(calls):
            remaining = self.budget_provider() if self.budget_provider is not None else None
            end = start + self.fits(calls[start:], remaining)
            if end == start:
                raise BudgetExhausted(calls[start:], self.batch_cost(calls[start:start + 1]),
                                      remaining if remaining is not None else 0)
            yield list(calls[start:end])
            start = end

    @property
    def max_calls(self) -> int:
        """No request holds more calls than this: a bound on how far ``fits`` must look."""
        cap = self.per_request_cap // self.mutation_cost + 1
        return min(cap, self.max_per_request or cap)

    def fits(self, calls: Sequence[Call], remaining_budget: int | None = None) -> int:
        """How many of ``calls``, from the first, one request can hold now (0: none)."""
        room = self.per_request_cap - self.overhead
        limit = room if remaining_budget is None else min(room, remaining_budget - self.overhead)
        count, spent = 0, 0
        while (count < len(calls) and spent + self.cost(calls[count]) <= limit
               and (self.max_per_request is None or count < self.max_per_request)):
            spent += self.cost(calls[count])
            count += 1
        return count


def split(batch: Sequence[T]) -> tuple[list[T], list[T]]:
    """Halve a batch monday rejected as too complex (first half the larger when odd)."""
    if len(batch) < 2:
        raise ValueError("a batch of one call cannot be split; the call itself is too complex")
    middle = (len(batch) + 1) // 2
    return list(batch[:middle]), list(batch[middle:])
