"""Routing without I/O: route values, board names, and the overflow rule's determinism."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordersync.names import parse_template
from ordersync.routing.routes import Placement, assign, part_name, render


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("{AAG SEASON}", {"AAG SEASON": "FALL 2025"}, "FALL 2025"),
        ("{CUSTOMER} {AAG SEASON}", {"CUSTOMER": " GREYSTONE ", "AAG SEASON": "AW25"},
         "GREYSTONE AW25"),
        ("{CUSTOMER SEASON|AAG SEASON}", {"CUSTOMER SEASON": None, "AAG SEASON": "AW25"},
         "AW25"),
        ("{CUSTOMER SEASON|AAG SEASON}", {"CUSTOMER SEASON": "", "AAG SEASON": "AW25"}, "AW25"),
        ("Schedule {ETA}", {"ETA": date(2025, 3, 5)}, "Schedule 2025-03-05"),
        ("Year {YEAR}", {"YEAR": 2025.0}, "Year 2025"),
        ("{AAG SEASON}", {"AAG SEASON": None}, None),
        ("{A}  {B}", {"A": "x", "B": None}, "x"),
    ],
    ids=["one-column", "two-columns", "fallback-null", "fallback-blank", "date", "whole-float",
         "blank", "whitespace-collapsed"],
)
def test_route_values_render_like_names(template: str, values: dict[str, object],
                                        expected: str | None) -> None:
    assert render(parse_template(template), values) == expected


def test_overflow_boards_are_numbered_after_the_first() -> None:
    assert [part_name("Schedule FALL", p) for p in (1, 2, 3)] == [
        "Schedule FALL", "Schedule FALL (2)", "Schedule FALL (3)"]


def _order(n: int, route: str | None, *, board: str | None = None, subitems: int = 3,
           on_board: bool = True) -> Placement:
    return Placement(f"u{n}", f"K{n:04d}", route, board, on_board,
                     subitems if board else 0, subitems)


def test_every_route_gets_its_own_board_and_the_fill_counts_items_and_subitems() -> None:
    orders = [_order(1, "FALL"), _order(2, "FALL"), _order(3, "SPRING", subitems=5),
              _order(4, "SPRING", on_board=False)]

    result = assign(orders, {}, {"FALL": "Sched FALL", "SPRING": "Sched SPRING"},
                    limit=10, overflow="stop")

    assert result.targets == {"u1": ("FALL", 1), "u2": ("FALL", 1), "u3": ("SPRING", 1)}
    fall, spring = result.boards["FALL", 1], result.boards["SPRING", 1]
    assert (fall.name, fall.board_id, fall.items_after, fall.subitems_after) == (
        "Sched FALL", None, 2, 6)
    assert (spring.items_after, spring.subitems_after) == (1, 5)
    assert result.over_limit(10) == [] and result.moves == []


def test_a_full_route_splits_into_a_second_board_in_business_key_order() -> None:
    orders = [_order(n, "FALL", subitems=2) for n in (5, 1, 4, 2, 3)]

    result = assign(orders, {}, {"FALL": "Sched"}, limit=6, overflow="split")

    # 6 subitems per board: three orders of 2 each, lowest keys first.
    assert {u: k[1] for u, k in result.targets.items()} == {
        "u1": 1, "u2": 1, "u3": 1, "u4": 2, "u5": 2}
    assert result.boards["FALL", 2].name == "Sched (2)"
    assert result.over_limit(6) == []


def test_stop_puts_the_route_over_its_limit_for_the_plan_to_refuse() -> None:
    orders = [_order(n, "FALL", subitems=2) for n in range(1, 6)]

    result = assign(orders, {}, {"FALL": "Sched"}, limit=6, overflow="stop")

    (over,) = result.over_limit(6)
    assert (over.route, over.part, over.items_after, over.subitems_after) == ("FALL", 1, 5, 10)


def test_orders_already_on_a_board_of_their_route_stay_there() -> None:
    known = {("FALL", 1): "100", ("FALL", 2): "200"}
    orders = [_order(1, "FALL", board="200"), _order(2, "FALL", board="100"), _order(3, "FALL")]

    result = assign(orders, known, {"FALL": "Sched"}, limit=10, overflow="split")

    assert result.targets == {"u1": ("FALL", 2), "u2": ("FALL", 1), "u3": ("FALL", 1)}
    assert (result.boards["FALL", 2].items_now, result.boards["FALL", 2].subitems_now) == (1, 3)


def test_an_order_whose_route_changed_moves_and_frees_its_old_board() -> None:
    known = {("FALL", 1): "100", ("SPRING", 1): "300"}
    orders = [_order(1, "SPRING", board="100"), _order(2, "FALL", board="100")]

    result = assign(orders, known, {}, limit=10, overflow="stop")

    assert result.moves == ["u1"]
    assert result.targets["u1"] == ("SPRING", 1)
    fall = result.boards["FALL", 1]
    assert (fall.items_now, fall.items_after) == (2, 1)


def test_orders_with_a_blank_route_are_reported() -> None:
    result = assign([_order(1, None), _order(2, None, on_board=False)], {}, {}, limit=10,
                    overflow="stop")
    assert result.unrouted == ["K0001"] and result.targets == {}


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 6)),
                min_size=1, max_size=60), st.integers(0, 10_000))
def test_assignment_is_deterministic_whatever_the_row_order(
        orders: list[tuple[str, int]], seed: int) -> None:
    placements = [Placement(f"u{i}", f"K{i:04d}", route, None, True, 0, subitems)
                  for i, (route, subitems) in enumerate(orders)]
    shuffled = list(placements)
    random.Random(seed).shuffle(shuffled)

    first = assign(placements, {}, {}, limit=12, overflow="split")
    again = assign(shuffled, {}, {}, limit=12, overflow="split")

    assert first.targets == again.targets
    assert set(first.targets) == {p.record_uuid for p in placements}  # none dropped
    assert first.over_limit(12) == []


@given(st.lists(st.integers(0, 5), min_size=1, max_size=40))
def test_a_re_run_after_the_sync_keeps_every_order_on_its_board(subitems: list[int]) -> None:
    placements = [Placement(f"u{i}", f"K{i:04d}", "A", None, True, 0, n)
                  for i, n in enumerate(subitems)]
    first = assign(placements, {}, {}, limit=8, overflow="split")
    ids = {key: f"b{key[1]}" for key in first.boards}  # the sync created one board per part
    synced = [Placement(p.record_uuid, p.business_key, "A", ids[first.targets[p.record_uuid]],
                        True, p.subitems_after, p.subitems_after) for p in placements]

    again = assign(synced, ids, {}, limit=8, overflow="split")

    assert again.targets == first.targets and again.moves == []


def test_with_split_an_order_that_grew_past_its_board_s_room_moves_on() -> None:
    known = {("A", 1): "100"}
    orders = [Placement("u1", "K1", "A", "100", True, 3, 3),
              Placement("u2", "K2", "A", "100", True, 3, 5)]  # gained two sizes

    split = assign(orders, known, {}, limit=6, overflow="split")
    stop = assign(orders, known, {}, limit=6, overflow="stop")

    assert split.targets == {"u1": ("A", 1), "u2": ("A", 2)} and split.moves == ["u2"]
    assert split.over_limit(6) == []
    assert [f.board_id for f in stop.over_limit(6)] == ["100"]  # reported, not moved
