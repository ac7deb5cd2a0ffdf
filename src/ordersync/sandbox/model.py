"""The sandbox's records: boards, groups, items and their states, an order board's ids.

This module owns the immutable values the store keeps (``Board``, ``Group``, ``Item``,
``ItemState``) and ``OrderBoard``, the column ids of a board made by
``Store.create_order_board``.  ``store.py`` keeps them (and re-exports them);
``paging.py`` reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ordersync.sandbox.columns import ColumnDef, StoredValue

__all__ = ["Board", "Group", "Item", "ItemState", "OrderBoard"]


class ItemState(StrEnum):
    """``Item.state`` (and a group's or a board's state) values the sandbox uses."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    DELETED = "deleted"


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    color: str
    state: ItemState = ItemState.ACTIVE  # archive_group / delete_group; its items follow
    position: float = 65536.0  # Group.position: board order, as monday numbers it
    board_id: str = ""  # group ids repeat across boards ("topics")

    @property
    def active(self) -> bool:
        return self.state is ItemState.ACTIVE


@dataclass(frozen=True)
class Board:
    id: str
    name: str
    columns: tuple[ColumnDef, ...]
    groups: tuple[Group, ...]
    subitems_board_id: str | None = None  # on a parent board
    parent_board_id: str | None = None  # on a subitems board
    workspace_id: str | None = None  # None: the account's main workspace
    folder_id: str | None = None
    kind: str = "public"  # BoardKind
    description: str | None = None
    created_from_board_id: str | None = None  # duplicate_board / a template
    state: ItemState = ItemState.ACTIVE  # archive_board / delete_board

    @property
    def active(self) -> bool:
        return self.state is ItemState.ACTIVE
    def column(self, column_id: str) -> ColumnDef | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def group(self, group_id: str) -> Group | None:
        """A group in any state (an archived item still names its group)."""
        return next((g for g in self.groups if g.id == group_id), None)

    @property
    def active_groups(self) -> tuple[Group, ...]:
        """The board's visible groups (``Board.groups``), in board order."""
        return tuple(g for g in self.groups if g.active)


@dataclass(frozen=True)
class Item:
    id: str
    board_id: str
    group_id: str
    name: str
    state: ItemState
    values: Mapping[str, StoredValue]  # by column id; an empty cell has no entry
    created_at: datetime
    updated_at: datetime
    parent_id: str | None = None  # set on a subitem


@dataclass(frozen=True)
class OrderBoard:
    """The ids of a board made by ``create_order_board``."""

    board_id: str
    subitems_board_id: str
    identity: str = "order_key"  # text: the order's business key
    customer: str = "customer"
    notes: str = "notes"
    quantity: str = "total_qty"
    eta: str = "eta"
    status: str = "status"
    delivery: str = "delivery"
    subitems: str = "subitems"
    size: str = "size"  # subitems board from here on
    order_qty: str = "order_qty"
    line_status: str = "line_status"

