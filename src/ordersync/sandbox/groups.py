"""Group operations of the store: create, update, archive and delete groups.

An archived or deleted group leaves ``Board.groups`` and takes its items (and their
subitems) with it, as monday does; a board keeps at least one active group
(``DeleteLastGroupException``).  A group's ``position`` is a number in board order, as
monday's ``Group.position`` is: a new group between two others gets their mean.
"""

from __future__ import annotations

from dataclasses import replace

from ordersync.sandbox import refusals
from ordersync.sandbox.model import Group, ItemState
from ordersync.sandbox.store_base import GROUP_COLORS, ID, StoreBase

__all__ = ["GroupOps"]

_STEP = 65536.0


class GroupOps(StoreBase):
    """``create_group``, ``update_group``, ``archive_group``, ``delete_group``."""

    def create_group(self, board_id: ID, name: str, *, color: str | None = None,
                     relative_to: str | None = None,
                     position_relative_method: str | None = None) -> Group:
        """A group: below ``relative_to`` (above with ``before_at``); without it, at the
        top (``before_at``: the bottom).  Top as the default is UNCERTAIN."""
        board = self.board(board_id)
        refusals.check_group_name(name)
        groups = list(board.groups)
        if relative_to is not None:
            anchor = self._group(board, relative_to)
            at = groups.index(anchor) + (0 if position_relative_method == "before_at" else 1)
        else:
            at = len(groups) if position_relative_method == "before_at" else 0
        group = Group(f"group_mk{self._next_group:04x}", name,
                      color or GROUP_COLORS[self._next_group % len(GROUP_COLORS)],
                      position=_position_at(groups, at), board_id=board.id)
        self._next_group += 1
        groups.insert(at, group)
        self._boards[board.id] = replace(board, groups=tuple(groups))
        return group

    def update_group(self, board_id: ID, group_id: str, attribute: str,
                     new_value: str) -> Group:
        """``title``, ``color``, or a move (``relative_position_after``/``_before``
        another group, or ``position``: a number in board order)."""
        board = self.board(board_id)
        group = self._group(board, group_id)
        others = [g for g in board.groups if g.id != group.id]
        if attribute == "title":
            refusals.check_group_name(new_value)
            group = replace(group, title=new_value)
            at = board.groups.index(board.group(group_id) or group)
        elif attribute == "color":
            group = replace(group, color=new_value)
            at = board.groups.index(board.group(group_id) or group)
        elif attribute in ("relative_position_after", "relative_position_before"):
            anchor = self._group(board, new_value)
            at = others.index(anchor) + (attribute == "relative_position_after")
            group = replace(group, position=_position_at(others, at))
        else:  # position
            try:
                position = float(new_value)
            except ValueError:  # code and text UNCERTAIN
                raise refusals.bad_group_position(new_value) from None
            at = sum(g.position < position for g in others)
            group = replace(group, position=position)
        if attribute in ("title", "color"):
            groups = [group if g.id == group.id else g for g in board.groups]
        else:
            groups = [*others[:at], group, *others[at:]]
        self._boards[board.id] = replace(board, groups=tuple(groups))
        return group

    def archive_group(self, board_id: ID, group_id: str) -> Group:
        """Archive a group and every item in it (with their subitems)."""
        return self._end_group(board_id, group_id, ItemState.ARCHIVED)

    def delete_group(self, board_id: ID, group_id: str) -> Group:
        """Delete a group (active or archived) and every item in it."""
        return self._end_group(board_id, group_id, ItemState.DELETED)

    def _end_group(self, board_id: ID, group_id: str, state: ItemState) -> Group:
        board = self.board(board_id)
        group = board.group(group_id)
        if group is None or group.state is ItemState.DELETED:
            raise refusals.not_found("Group", group_id)
        if group.state is state:  # archiving an archived group changes nothing (UNCERTAIN)
            return group
        if group.active and len(board.active_groups) == 1:
            raise refusals.last_group(board.id, group_id)
        for item_id in self._order[board.id]:
            item = self._items[item_id]
            if item.group_id == group.id and item.state is not ItemState.DELETED:
                self._set_state(item, state)
        ended = replace(group, state=state)
        self._boards[board.id] = replace(board, groups=tuple(
            ended if g.id == group.id else g for g in board.groups))
        return ended


def _position_at(groups: list[Group], at: int) -> float:
    """A position for a group put at index ``at`` of ``groups`` (between its neighbours)."""
    before = groups[at - 1].position if at > 0 else None
    after = groups[at].position if at < len(groups) else None
    if before is not None and after is not None:
        return (before + after) / 2
    if after is not None:
        return after - _STEP
    return (before or 0.0) + _STEP
