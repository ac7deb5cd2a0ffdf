"""Which board each order goes to: route values, board names, and the overflow rule.

Pure functions, no I/O; ``plan`` and ``sync`` both call :func:`assign` on the same
rows, so the plan shows the boards the sync will fill.

- An order's **route value** is ``[monday.routing] key`` rendered over its columns
  (``{A|B}`` falls back to B when A is blank; whitespace collapsed), e.g. ``"FALL 2025"``.
- A route's **board name** is ``board_name`` rendered the same way (default: the route
  value); its overflow boards are ``"<name> (2)"``, ``"<name> (3)"``… (*parts*).
- **Assignment** (deterministic, so a re-run puts each order on the same board): an
  order whose item is on a board of its route stays there; every other order of the
  route — new, or whose route changed — goes, in business-key order, to the lowest part
  with room for its item and its subitems under ``items_per_board``.  With
  ``overflow = "split"`` a route with no room left opens its next part, and an order whose
  board has no room left for the sizes it gained moves on (the staying orders keep their
  board in business-key order); with ``"stop"`` the order goes to part 1 anyway and the
  board is reported over its limit, so the plan and the sync refuse before anything is
  sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ordersync.names import NameTemplate, TemplateField

_WHITESPACE = re.compile(r"\s+")

RouteKey = tuple[str, int]
"""(route value, part): one board."""


def render(template: NameTemplate, values: Mapping[str, object]) -> str | None:
    """``template`` over one order's ``values`` (label → value); None when it renders blank."""
    parts: list[str] = []
    for part in template.parts:
        if isinstance(part, TemplateField):
            parts.append(next((text for text in (_text(values.get(c)) for c in part.columns)
                               if text), ""))
        else:
            parts.append(part)
    text = _WHITESPACE.sub(" ", "".join(parts)).strip()
    return text or None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, float | Decimal) and value == int(value):
        return str(int(value))
    return str(value).strip()


def part_name(name: str, part: int) -> str:
    """The board name of a route's ``part`` (1: the name itself)."""
    return name if part == 1 else f"{name} ({part})"


@dataclass(frozen=True)
class Placement:
    """One order as routing sees it."""

    record_uuid: str
    business_key: str
    route: str | None
    """Its route value (None: the key renders blank for it)."""
    board_id: str | None
    """The board its item is on (or its create was sent to); None: not on a board yet."""
    on_board: bool
    """Whether the order has, or will have, an item (a cancelled order never sent has not)."""
    subitems_now: int
    """Its subitems on the board now."""
    subitems_after: int
    """Its subitems once the sync has run."""
    has_item: bool = True
    """Whether its item exists (False: only its create was sent to ``board_id``)."""
    in_scope: bool = True
    """False: this run leaves the order alone (``--customer`` / ``--limit``): it stays on the
    board it is on, or off the boards."""


@dataclass
class BoardFill:
    """One board of a route: what it holds now and after this sync."""

    route: str
    part: int
    name: str
    board_id: str | None
    """None: the board does not exist yet (the sync creates it)."""
    items_now: int = 0
    subitems_now: int = 0
    items_after: int = 0
    subitems_after: int = 0

    def over(self, limit: int) -> bool:
        return self.items_after > limit or self.subitems_after > limit


@dataclass
class Assignment:
    """Where every order goes (see the module docstring)."""

    targets: dict[str, RouteKey] = field(default_factory=dict)
    """record_uuid → (route value, part), for each order that has or will have an item."""
    boards: dict[RouteKey, BoardFill] = field(default_factory=dict)
    moves: list[str] = field(default_factory=list)
    """Orders whose item is on another board than its target (their route changed, or
    their board has no room left): ``move_item_to_board``."""
    unrouted: list[str] = field(default_factory=list)
    """Business keys of orders whose route value is blank."""
    placed: dict[str, str] = field(default_factory=dict)
    """record_uuid → the board the order is on now (or its create was sent to)."""

    def over_limit(self, limit: int) -> list[BoardFill]:
        return [fill for _, fill in sorted(self.boards.items()) if fill.over(limit)]


def assign(placements: Iterable[Placement], known: Mapping[RouteKey, str],
           names: Mapping[str, str], *, limit: int,
           overflow: Literal["stop", "split"]) -> Assignment:
    """Place every order on a board of its route (see the module docstring).

    ``known``: the registered boards, (route, part) → board id; ``names``: route value →
    its board name (part 1).
    """
    result = Assignment()
    by_id = {board_id: key for key, board_id in known.items()}
    for key, board_id in known.items():
        result.boards[key] = BoardFill(key[0], key[1], part_name(names.get(key[0], key[0]),
                                                                 key[1]), board_id)
    waiting: list[Placement] = []
    staying: list[tuple[Placement, RouteKey]] = []
    for p in placements:
        if p.board_id is not None:
            result.placed[p.record_uuid] = p.board_id
        current = by_id.get(p.board_id) if p.board_id is not None else None
        if current is not None:
            fill = result.boards[current]
            fill.items_now += 1
            fill.subitems_now += p.subitems_now
        if not p.in_scope:
            if current is not None:
                _place(result, p, current)
            continue
        if not p.on_board:
            continue
        if p.route is None:
            result.unrouted.append(p.business_key)
            continue
        if current is not None and current[0] == p.route:
            staying.append((p, current))
        else:
            waiting.append(p)
    for p, current in sorted(staying, key=lambda pc: pc[0].business_key):
        fill = result.boards[current]
        if overflow == "split" and (fill.items_after + 1 > limit
                                    or fill.subitems_after + p.subitems_after > limit):
            waiting.append(p)  # its board has no room left for what it grew to: it moves on
        else:
            _place(result, p, current)
    for p in sorted(waiting, key=lambda p: (p.route or "", p.business_key)):
        assert p.route is not None
        target = _first_fit(result, p, names, limit=limit, overflow=overflow)
        _place(result, p, target)
        if p.board_id is not None and p.has_item:
            result.moves.append(p.record_uuid)
    return result


def _place(result: Assignment, p: Placement, key: RouteKey) -> None:
    fill = result.boards[key]
    fill.items_after += 1
    fill.subitems_after += p.subitems_after
    result.targets[p.record_uuid] = key


def _first_fit(result: Assignment, p: Placement, names: Mapping[str, str], *, limit: int,
               overflow: Literal["stop", "split"]) -> RouteKey:
    route = p.route
    assert route is not None
    parts = sorted(part for r, part in result.boards if r == route)
    for part in parts:
        fill = result.boards[route, part]
        if fill.items_after + 1 <= limit and fill.subitems_after + p.subitems_after <= limit:
            return route, part
    part = 1 if not parts else (parts[-1] + 1 if overflow == "split" else parts[0])
    key = (route, part)
    if key not in result.boards:
        result.boards[key] = BoardFill(route, part, part_name(names.get(route, route), part),
                                       None)
    return key

