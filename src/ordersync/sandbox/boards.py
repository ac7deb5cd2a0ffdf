"""Board operations of the store: create boards (with their subitems boards).

Every board owns a subitems board, named in its ``subitems`` (subtasks) column's
settings; both get a ``name`` column and one group, ``topics``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ordersync.sandbox.columns import ColumnDef, ColumnKind
from ordersync.sandbox.model import Board, Group, OrderBoard
from ordersync.sandbox.store_base import GROUP_COLORS, StoreBase, with_name

__all__ = ["BoardOps"]


class BoardOps(StoreBase):
    """``create_board``, ``create_order_board``."""

    def create_board(self, name: str, columns: Sequence[ColumnDef],
                     subitem_columns: Sequence[ColumnDef] = ()) -> Board:
        """A board and its subitems board; both get a ``name`` column and one group."""
        board_id, sub_id = self._new_id(), self._new_id()
        self._add_board(Board(sub_id, f"Subitems of {name}", with_name(subitem_columns),
                              (Group("topics", "Subitems", GROUP_COLORS[0], board_id=sub_id),),
                              parent_board_id=board_id))
        subtasks = ColumnDef.subtasks("subitems", "Subitems", sub_id)
        return self._add_board(Board(board_id, name, (*with_name(columns), subtasks),
                                     (Group("topics", "Group Title", GROUP_COLORS[0],
                                             board_id=board_id),),
                                     subitems_board_id=sub_id))

    def create_order_board(self, name: str = "Orders") -> OrderBoard:
        """A board with the columns an order board has (ids in ``OrderBoard``)."""
        ids = OrderBoard("", "")
        board = self.create_board(name, [
            ColumnDef(ids.identity, "Order Key", ColumnKind.TEXT),
            ColumnDef(ids.customer, "Customer", ColumnKind.TEXT),
            ColumnDef(ids.notes, "Notes", ColumnKind.LONG_TEXT),
            ColumnDef(ids.quantity, "Total Qty", ColumnKind.NUMBERS),
            ColumnDef(ids.eta, "ETA", ColumnKind.DATE),
            ColumnDef.status(ids.status, "Status"),
            ColumnDef.dropdown(ids.delivery, "Delivery Method", ["SEA", "AIR"]),
        ], [
            ColumnDef.dropdown(ids.size, "Size", ["XS", "S", "M", "L", "XL", "XXL"]),
            ColumnDef(ids.order_qty, "Order Qty", ColumnKind.NUMBERS),
            ColumnDef.status(ids.line_status, "Status"),
        ])
        assert board.subitems_board_id is not None
        return replace(ids, board_id=board.id, subitems_board_id=board.subitems_board_id)
