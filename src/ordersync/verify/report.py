"""What a verify found: differences by kind, with examples, and what it cost to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

EXAMPLES = 5
"""Examples kept per kind for the report (every difference is counted)."""


class Kind(StrEnum):
    """A way the board can differ from the database."""

    MISSING_ITEM = "missing_item"
    """An order the board should show has no item (it never got one)."""
    ITEM_GONE = "item_gone"
    """The item the database recorded is deleted, archived or on another board."""
    GROUP_GONE = "group_gone"
    """A group the database registered is no longer on the board."""
    WRONG_GROUP = "wrong_group"
    """An item is in another group than its order's."""
    VALUE_DIFFERS = "value_differs"
    """A mapped column shows another value than the database's."""
    UNRECORDED_ITEM = "unrecorded_item"
    """The board has an item for the order that the database does not know (adopted)."""
    EXTRA_ITEM = "extra_item"
    """A board item whose identity belongs to no order."""
    DUPLICATE_ITEMS = "duplicate_items"
    """Several items show one order's key (the extras are counted)."""
    MISSING_SUBITEM = "missing_subitem"
    """A size line the board should show has no subitem (never made, or deleted)."""
    SUBITEM_DIFFERS = "subitem_differs"
    """A subitem's quantity or status differs from the database's."""
    EXTRA_SUBITEM = "extra_subitem"
    """A subitem for a size the order does not have (or should no longer show)."""
    DUPLICATE_SUBITEMS = "duplicate_subitems"
    """Several subitems for one size under one item (the extras are counted)."""
    ITEM_ON_ANOTHER_BOARD = "item_on_another_board"
    """Routed boards: the order's item is on another of the routed boards (moved back)."""
    ITEM_NOT_READ = "item_not_read"
    """The order's item is active on this board, yet the pages read did not show it (the
    board changed while it was read): not repaired — making it again would duplicate it;
    the next verify reads it again."""
    BOARD_GONE = "board_gone"
    """Routed boards: a registered board monday no longer shows (deleted, archived, not
    shared): its orders are not compared, and not repaired — restore the board, or give
    the route a new one (``ordersync sync --new-board``)."""

    @property
    def is_extra(self) -> bool:
        """Something a person or another tool added: reported, deleted only on request."""
        return self in (Kind.EXTRA_ITEM, Kind.DUPLICATE_ITEMS, Kind.EXTRA_SUBITEM,
                        Kind.DUPLICATE_SUBITEMS)


@dataclass(frozen=True)
class Finding:
    """One difference: which order (key), which board item, which column, both values."""

    kind: Kind
    key: str
    item_id: str | None = None
    column: str | None = None
    board: str | None = None
    database: str | None = None
    detail: str | None = None

    def __str__(self) -> str:
        parts = [self.key]
        if self.item_id:
            parts.append(f"item {self.item_id}")
        if self.column:
            parts.append(f"column {self.column}")
        text = ", ".join(parts)
        if self.board is not None or self.database is not None:
            text += f": board {self.board!r}, database {self.database!r}"
        if self.detail:
            text += f" ({self.detail})"
        return text


@dataclass
class VerifyReport:
    """One verify pass: counts per kind, examples, reads; ``to_json`` for machines."""

    board_id: str
    run_id: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))
    examples: dict[str, list[Finding]] = field(default_factory=dict)
    orders: int = 0
    """Orders in scope that were compared."""
    items_read: int = 0
    subitems_read: int = 0
    in_doubt: int = 0
    """Orders left SENDING by an interrupted sync: not compared (the next sync settles them)."""
    pending: int = 0
    """Orders and lines in scope the next sync has work for (PENDING or FAILED)."""
    requests: int = 0
    complexity: int = 0
    mutations: int = 0
    """Mutations sent (0 unless --delete-extras deleted something)."""
    deleted: int = 0
    repaired: bool = False
    """This pass ran after a repair."""
    board_name: str | None = None
    boards: list[VerifyReport] = field(default_factory=list)
    """Routed boards: each board's pass (this report holds their totals)."""

    def add(self, finding: Finding, n: int = 1) -> None:
        self.counts[finding.kind] += n
        shown = self.examples.setdefault(finding.kind, [])
        if len(shown) < EXAMPLES:
            shown.append(finding)

    @property
    def differences(self) -> int:
        return sum(self.counts.values())

    @property
    def equal(self) -> bool:
        return self.differences == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "board_id": self.board_id, "run_id": self.run_id, "equal": self.equal,
            "differences": self.differences, "counts": {str(k): v for k, v in self.counts.items()},
            "examples": {str(k): [{name: getattr(f, name) for name in (
                "key", "item_id", "column", "board", "database", "detail")} for f in found]
                for k, found in self.examples.items()},
            "orders": self.orders, "items_read": self.items_read,
            "subitems_read": self.subitems_read, "in_doubt": self.in_doubt,
            "pending": self.pending, "requests": self.requests, "complexity": self.complexity,
            "mutations": self.mutations, "deleted": self.deleted, "repaired": self.repaired,
            "board_name": self.board_name, "boards": [b.to_json() for b in self.boards],
        }


def totals(boards: list[VerifyReport], *, repaired: bool = False) -> VerifyReport:
    """One report summing the passes of ``boards`` (each kept in ``boards``)."""
    total = VerifyReport(", ".join(b.board_id for b in boards) or "(no board)",
                         repaired=repaired, boards=boards)
    for board in boards:
        for kind, count in board.counts.items():
            total.counts[kind] += count
        for kind, found in board.examples.items():
            total.examples.setdefault(kind, []).extend(found)
        for name in ("orders", "items_read", "subitems_read", "in_doubt", "pending",
                     "requests", "complexity", "mutations", "deleted"):
            setattr(total, name, getattr(total, name) + getattr(board, name))
    for kind in total.examples:
        total.examples[kind] = total.examples[kind][:EXAMPLES]
    return total
