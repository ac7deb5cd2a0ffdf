"""What a request costs in monday's complexity points (API_NOTES §3).

monday publishes no per-operation table; the model follows the emulator guidance
in §3: a mutation 30,000 (configurable), an object 10, a scalar 1, lists
multiplied by their ``limit`` or number of ids.  Each field costs
``multiplier × (base + sum of its children)``, so ``create_item { id }`` is 30,001.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ordersync.sandbox.limits import Limits


class NodeKind(StrEnum):
    """What a selected field is, for pricing."""

    SCALAR = "scalar"
    OBJECT = "object"
    MUTATION = "mutation"


@dataclass(frozen=True)
class CostNode:
    """One selected field, as the executor describes it (no graphql-core types here).

    ``multiplier`` is how many results a list field may return — see
    ``list_multiplier``; 1 for anything that is not a list.
    """

    kind: NodeKind
    children: tuple[CostNode, ...] = ()
    multiplier: int = 1
    weight: int | None = None  # overrides the model's base cost (file uploads: 100,000)

    @classmethod
    def scalar(cls) -> CostNode:
        return cls(NodeKind.SCALAR)

    @classmethod
    def object(cls, *children: CostNode, multiplier: int = 1) -> CostNode:
        return cls(NodeKind.OBJECT, tuple(children), multiplier)

    @classmethod
    def mutation(cls, *children: CostNode, weight: int | None = None) -> CostNode:
        return cls(NodeKind.MUTATION, tuple(children), 1, weight)


def list_multiplier(*, ids: Iterable[object] | None = None, limit: int | None = None,
                    default: int = 25) -> int:
    """How many results a list field is charged for: the number of ``ids`` when given
    ("IDs are considered before the limit argument", §3), else ``limit``, else the
    field's default page size (25 for boards, items and items_page)."""
    if ids is not None:
        return len(list(ids))
    return limit if limit is not None else default


@dataclass(frozen=True)
class CostModel:
    """A request's complexity, after monday staff's published weights (§3).

    Each field costs ``multiplier × (base + Σ children)`` with base 1 for a
    scalar, 10 for an object and ``mutation_cost`` (30,000) for a mutation
    field.  So ``create_item(...) { id }`` costs 30,001 (the figure in monday's
    own error example), three aliased ones 90,003, and ``boards(ids: [1]) { id
    name }`` 12.  Cost is charged on the *potential* result size (limit ×
    fields), never on what the query actually returns.  Not modelled (numbers
    unpublished or unsure): the ×1000 on nested subitems, the users query's
    10×, "high complexity" surcharges.
    """

    mutation_cost: int = 30_000
    object_cost: int = 10
    scalar_cost: int = 1

    @classmethod
    def from_limits(cls, limits: Limits) -> CostModel:
        return cls(mutation_cost=limits.mutation_cost)

    def cost(self, fields: Iterable[CostNode]) -> int:
        """The cost of a whole operation: the sum over its root fields."""
        return sum(self.node_cost(node) for node in fields)

    def node_cost(self, node: CostNode) -> int:
        base = node.weight if node.weight is not None else {
            NodeKind.SCALAR: self.scalar_cost, NodeKind.OBJECT: self.object_cost,
            NodeKind.MUTATION: self.mutation_cost}[node.kind]
        return node.multiplier * (base + sum(self.node_cost(c) for c in node.children))

