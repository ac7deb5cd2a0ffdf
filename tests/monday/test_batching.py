"""Batches are sized to monday's complexity limits and never lose, repeat or reorder a call.

What a user would notice: a sync that sends 5 mutations per request (slow) or 200
(rejected), one that stalls instead of waiting for the budget, a record silently
skipped or created twice, or an estimate that disagrees with what monday charges
(the sandbox prices as monday does, API_NOTES §3).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from itertools import chain
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema
from hypothesis import given, settings
from hypothesis import strategies as st

from ordersync.errors import RetriableSyncError
from ordersync.monday.batching import (
    COMPLEXITY_SELECTION_COST,
    BatchPlanner,
    BudgetExhausted,
    call_cost,
    split,
)
from ordersync.monday.operations import MUTATIONS, Call, build_mixed_batch
from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.executor import Executor
from ordersync.sandbox.schema import parse_and_validate
from ordersync.sandbox.store import Store

REAL_SCHEMA_PATH = Path(__file__).resolve().parents[3] / "shared" / "monday" / "schema.graphql"


@cache
def real_schema() -> GraphQLSchema | None:
    if not REAL_SCHEMA_PATH.is_file():
        return None
    return build_schema(REAL_SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def executor() -> Executor:
    """Only ``prepare`` (validate + price) is used: nothing touches the store."""
    return Executor(Store(clock=FakeClock()))


def item(n: int) -> Call:
    return Call("create_item", {"board_id": "1", "item_name": f"PO-{n}"})


def items(count: int) -> list[Call]:
    return [item(n) for n in range(count)]


def sizes(batches: Iterator[list[Call]]) -> list[int]:
    return [len(batch) for batch in batches]


# --- costs -------------------------------------------------------------------------------

@pytest.mark.parametrize(("operation", "cost"), [
    ("create_item", 30_001), ("create_subitem", 30_012),
    ("change_multiple_column_values", 30_001), ("create_group", 30_002),
    ("archive_item", 30_001), ("delete_item", 30_001),
    ("move_item_to_group", 30_001)])
def test_call_cost_is_30000_plus_the_selection(operation: str, cost: int) -> None:
    assert call_cost(operation) == cost
    assert call_cost(operation, mutation_cost=50_000) == cost + 20_000


# --- sizes for monday's default numbers ----------------------------------------------------

def test_create_item_fits_166_per_request_under_5m() -> None:
    assert sizes(BatchPlanner().plan(items(400))) == [166, 166, 68]
    assert BatchPlanner().batch_size(30_001) == 166


def test_a_10m_minute_budget_pays_for_at_most_333_create_items() -> None:
    ledger = {"remaining": 10_000_000}
    planner = BatchPlanner(budget_provider=lambda: ledger["remaining"])
    sent: list[Call] = []

    with pytest.raises(BudgetExhausted) as exhausted:
        for batch in planner.plan(items(400)):
            ledger["remaining"] -= planner.batch_cost(batch)  # what the request is charged
            sent += batch

    assert len(sent) == 333 and sizes(iter([sent[:166], sent[166:332]])) == [166, 166]
    assert ledger["remaining"] == 10_000_000 - 333 * 30_001 < 30_001
    error = exhausted.value
    assert isinstance(error, RetriableSyncError)
    assert (error.needed, error.remaining) == (30_001, ledger["remaining"])
    assert list(error.pending) == items(400)[333:]
    assert "67 call(s) wait" in str(error)

    ledger["remaining"] = 10_000_000  # the window reset: the caller plans the rest
    assert sizes(planner.plan(error.pending)) == [67]


@pytest.mark.parametrize(("budget", "expected"), [
    pytest.param(None, [166, 34], id="unknown-budget-cap-only"),
    pytest.param(5_000_000, [166, 34], id="budget-above-cap"),
    pytest.param(3_000_100, [100, 100], id="budget-below-cap"),
    pytest.param(90_003, [3, 3, 3], id="budget-for-three"),
    pytest.param(30_001, [1] * 5, id="budget-for-exactly-one"),
])
def test_the_remaining_budget_shrinks_the_batch(budget: int | None,
                                                expected: list[int]) -> None:
    planner = BatchPlanner(budget_provider=lambda: budget)
    assert sizes(planner.plan(items(sum(expected)))) == expected


def test_budget_too_small_for_one_call_says_so_before_sending_anything() -> None:
    planner = BatchPlanner(budget_provider=lambda: 30_000)
    with pytest.raises(BudgetExhausted) as exhausted:
        next(planner.plan(items(3)))
    assert (exhausted.value.needed, exhausted.value.remaining) == (30_001, 30_000)
    assert list(exhausted.value.pending) == items(3)
    assert planner.batch_size(30_001, 30_000) == 0


def test_budget_is_asked_again_before_every_batch() -> None:
    budgets = iter([60_002, 30_001, 10_000_000])
    planner = BatchPlanner(budget_provider=lambda: next(budgets))
    assert sizes(planner.plan(items(10))) == [2, 1, 7]


@pytest.mark.parametrize(("max_per_request", "expected"), [
    pytest.param(20, [20, 20, 10], id="max-below-cap"),
    pytest.param(1, [1] * 5, id="one-per-request"),
    pytest.param(500, [166, 166, 68], id="max-above-cap"),
])
def test_max_per_request_caps_the_batch(max_per_request: int, expected: list[int]) -> None:
    planner = BatchPlanner(max_per_request=max_per_request)
    assert sizes(planner.plan(items(sum(expected)))) == expected


def test_max_per_request_must_allow_one_call() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BatchPlanner(max_per_request=0)


def test_reserving_the_complexity_field_costs_its_selection() -> None:
    cap = 3 * 30_001 + COMPLEXITY_SELECTION_COST
    assert sizes(BatchPlanner(per_request_cap=cap, with_complexity=True).plan(items(3))) == [3]
    assert sizes(BatchPlanner(per_request_cap=cap - 1, with_complexity=True)
                 .plan(items(3))) == [2, 1]


def test_mixed_calls_are_packed_by_their_own_costs() -> None:
    planner = BatchPlanner(per_request_cap=30_012 + 30_001)
    calls = [Call("create_subitem", {"parent_item_id": "1", "item_name": "S"}), item(0),
             item(1), Call("create_subitem", {"parent_item_id": "1", "item_name": "M"})]
    assert sizes(planner.plan(calls)) == [2, 2]
    assert BatchPlanner(per_request_cap=30_012 + 30_000).plan(calls).__next__() == calls[:1]


def test_a_call_no_request_can_hold_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="costs 30,001, more than one request may"):
        next(BatchPlanner(per_request_cap=30_000).plan(items(2)))


# --- split ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "halves"), [(2, (1, 1)), (5, (3, 2)), (166, (83, 83))])
def test_split_halves_a_rejected_batch(size: int, halves: tuple[int, int]) -> None:
    first, second = split(items(size))
    assert (len(first), len(second)) == halves and first + second == items(size)


def test_a_single_call_cannot_be_split() -> None:
    with pytest.raises(ValueError, match="cannot be split"):
        split(items(1))


# --- properties -----------------------------------------------------------------------------

ids = st.integers(1, 10**12).map(str)
texts = st.text(max_size=20)
OPTIONAL = st.none()  # marks a variable the call may leave out

VARIABLES: dict[str, dict[str, st.SearchStrategy[object]]] = {
    "create_item": {"board_id": ids, "item_name": texts, "group_id": OPTIONAL | texts,
                    "column_values": OPTIONAL | texts,
                    "create_labels_if_missing": OPTIONAL | st.booleans()},
    "create_subitem": {"parent_item_id": ids, "item_name": texts,
                       "column_values": OPTIONAL | texts,
                       "create_labels_if_missing": OPTIONAL | st.booleans()},
    "change_multiple_column_values": {"board_id": ids, "item_id": ids, "column_values": texts,
                                      "create_labels_if_missing": OPTIONAL | st.booleans()},
    "create_group": {"board_id": ids, "group_name": texts, "group_color": OPTIONAL | texts,
                     "relative_to": OPTIONAL | texts,
                     "position_relative_method": OPTIONAL | st.sampled_from(
                         ["before_at", "after_at"])},
    "archive_item": {"item_id": ids},
    "delete_item": {"item_id": ids},
    "move_item_to_group": {"item_id": ids, "group_id": texts},
    "duplicate_board": {"board_id": ids, "board_name": texts, "workspace_id": OPTIONAL | ids,
                        "folder_id": OPTIONAL | ids},
    "move_item_to_board": {"board_id": ids, "group_id": texts, "item_id": ids,
                           "columns_mapping": OPTIONAL | st.just([{"source": "a",
                                                                   "target": "b"}]),
                           "subitems_columns_mapping": OPTIONAL | st.just([])},
}
assert set(VARIABLES) == set(MUTATIONS)


@st.composite
def calls_of(draw: st.DrawFn, operation: str) -> Call:
    drawn = draw(st.fixed_dictionaries(VARIABLES[operation]))
    return Call(operation, {k: v for k, v in drawn.items() if v is not None})


any_call = st.sampled_from(MUTATIONS).flatmap(calls_of)


def tagged(calls: Sequence[Call]) -> list[Call]:
    """Equal-looking calls made distinct, so a duplicate cannot hide behind a twin."""
    return [Call(c.operation, {**c.variables, "_n": n}) for n, c in enumerate(calls)]


def plan_to_the_end(planner: BatchPlanner, calls: Sequence[Call]) -> list[list[Call]]:
    """Plan, waiting out every BudgetExhausted as the sync would."""
    batches: list[list[Call]] = []
    pending: Sequence[Call] = calls
    while pending:
        try:
            for batch in planner.plan(pending):
                batches.append(batch)
            pending = ()
        except BudgetExhausted as exhausted:
            assert exhausted.pending and list(exhausted.pending) == list(
                calls[len(list(chain.from_iterable(batches))):])
            pending = exhausted.pending
    return batches


@settings(max_examples=150, deadline=None)
@given(calls=st.lists(st.integers(0, 3), max_size=400).map(
           lambda kinds: [item(n) if k else Call("create_group", {"board_id": "1",
                                                                  "group_name": f"G{n}"})
                          for n, k in enumerate(kinds)]),
       cap=st.integers(30_002 + COMPLEXITY_SELECTION_COST, 6_000_000),
       max_per_request=st.none() | st.integers(1, 300),
       budgets=st.lists(st.none() | st.integers(0, 12_000_000), max_size=30),
       with_complexity=st.booleans())
def test_planning_never_drops_duplicates_or_reorders_a_call(
        calls: list[Call], cap: int, max_per_request: int | None,
        budgets: list[int | None], with_complexity: bool) -> None:
    feed = chain(budgets, iter(lambda: None, object()))  # the budget is unknown after a while
    seen: list[int | None] = []

    def provider() -> int | None:
        seen.append(next(feed))
        return seen[-1]

    planner = BatchPlanner(per_request_cap=cap, max_per_request=max_per_request,
                           budget_provider=provider, with_complexity=with_complexity)
    batches = plan_to_the_end(planner, calls)

    assert list(chain.from_iterable(batches)) == calls
    for batch in batches:
        assert batch and planner.batch_cost(batch) <= cap
        assert max_per_request is None or len(batch) <= max_per_request
    # each batch fits the budget it was cut under (budgets that stopped a batch are skipped)
    fitted = iter(seen)
    for batch in batches:
        budget = next(fitted)
        while budget is not None and budget < planner.batch_cost(batch[:1]):
            budget = next(fitted)
        assert budget is None or planner.batch_cost(batch) <= budget


@settings(max_examples=100, deadline=None)
@given(calls=st.lists(any_call, min_size=2, max_size=60), choices=st.data())
def test_repeated_splitting_never_drops_duplicates_or_reorders_a_call(
        calls: list[Call], choices: st.DataObject) -> None:
    calls = tagged(calls)
    batches = [calls]
    for _ in range(choices.draw(st.integers(0, 40))):
        splittable = [i for i, b in enumerate(batches) if len(b) > 1]
        if not splittable:
            break
        at = choices.draw(st.sampled_from(splittable))
        batches[at:at + 1] = list(split(batches[at]))
    assert list(chain.from_iterable(batches)) == calls
    assert all(batches)


@settings(max_examples=60, deadline=None)
@given(calls=st.lists(any_call, min_size=1, max_size=12), with_complexity=st.booleans())
def test_a_built_batch_validates_and_costs_what_the_planner_estimates(
        calls: list[Call], with_complexity: bool) -> None:
    batch = build_mixed_batch(calls, with_complexity=with_complexity)
    planner = BatchPlanner(with_complexity=with_complexity)

    parse_and_validate(batch.query)  # the sandbox subset
    real = real_schema()
    if real is not None:
        parse_and_validate(batch.query, real)
    prepared = executor().prepare(batch.query, batch.variables)

    assert prepared.cost == planner.batch_cost(calls)
    assert list(prepared.mutation_keys) == batch.aliases


def test_monday_real_schema_is_present_for_the_validation_property() -> None:
    if real_schema() is None:
        pytest.skip(f"monday's real schema is not at {REAL_SCHEMA_PATH}; built batches were "
                    "validated against the sandbox subset only")
    assert real_schema() is not None


@pytest.mark.parametrize("operation", MUTATIONS)
def test_a_full_batch_of_each_operation_is_accepted_and_priced_exactly(operation: str) -> None:
    example = {"create_item": item(0), "archive_item": Call("archive_item", {"item_id": "1"}),
               "delete_item": Call("delete_item", {"item_id": "1"}),
               "move_item_to_group": Call("move_item_to_group", {"item_id": "1",
                                                                 "group_id": "topics"}),
               "create_subitem": Call("create_subitem", {"parent_item_id": "1",
                                                         "item_name": "S"}),
               "create_group": Call("create_group", {"board_id": "1", "group_name": "G"}),
               "change_multiple_column_values": Call("change_multiple_column_values", {
                   "board_id": "1", "item_id": "1", "column_values": "{}"}),
               "duplicate_board": Call("duplicate_board", {"board_id": "1",
                                                           "board_name": "B"}),
               "move_item_to_board": Call("move_item_to_board", {
                   "board_id": "2", "group_id": "topics", "item_id": "1"})}[operation]
    planner = BatchPlanner(with_complexity=True)
    batch = next(planner.plan([example] * 500))
    built = build_mixed_batch(batch, with_complexity=True)

    prepared = executor().prepare(built.query, built.variables)

    assert len(batch) == (5_000_000 - COMPLEXITY_SELECTION_COST) // call_cost(operation)
    assert prepared.cost == planner.batch_cost(batch) <= 5_000_000
    real = real_schema()
    if real is not None:
        parse_and_validate(built.query, real)
