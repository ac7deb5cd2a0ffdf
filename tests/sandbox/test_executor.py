"""The executor on its own: what a document costs, and how it runs against a Store."""

from __future__ import annotations

import pytest

from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.executor import Executor
from ordersync.sandbox.schema import ValidationFailed
from ordersync.sandbox.store import Store


@pytest.fixture
def executor() -> Executor:
    return Executor(Store(clock=FakeClock()))


@pytest.mark.parametrize(("query", "cost"), [
    ('mutation { create_item(board_id: 1, item_name: "x") { id } }', 30_001),
    ('mutation { a: create_item(board_id: 1, item_name: "x") { id } '
     'b: create_item(board_id: 1, item_name: "y") { id } '
     'c: create_item(board_id: 1, item_name: "z") { id } }', 90_003),
    ("{ boards(ids: [1]) { id name } }", 12),
    ("{ boards { id } }", 25 * 11),
    ("{ boards(ids: [1, 2]) { items_page(limit: 100) { cursor items { id } } } }",
     2 * (10 + 100 * (10 + 1 + 10 + 1))),
    ("{ items(ids: [1, 2, 3]) { id column_values { id ... on StatusValue { label } } } }",
     3 * (10 + 1 + 10 + 1 + 1)),
    ("{ complexity { query } }", 11),
    ('mutation { complexity { query } create_group(board_id: 1, group_name: "g") { id } }',
     11 + 30_001),
], ids=["mutation", "three-aliases", "board-by-id", "boards-default-limit", "items-page",
        "items-by-ids", "complexity-only", "mutation-complexity"])
def test_cost_follows_the_cost_model(executor: Executor, query: str, cost: int) -> None:
    assert executor.prepare(query).cost == cost


def test_cost_uses_variables(executor: Executor) -> None:
    prepared = executor.prepare("query ($ids: [ID!], $n: Int!) { boards(ids: $ids) "
                                "{ items_page(limit: $n) { cursor } } }",
                                {"ids": ["1", "2", "3"], "n": 4})
    assert prepared.cost == 3 * (10 + 4 * (10 + 1))


def test_mutation_keys_and_complexity_only(executor: Executor) -> None:
    prepared = executor.prepare('mutation { complexity { query } '
                                'b: archive_item(item_id: 1) { id } '
                                'a: delete_item(item_id: 1) { id } }')
    assert prepared.kind == "mutation" and prepared.mutation_keys == ("b", "a")
    assert not prepared.complexity_only
    assert executor.prepare("{ complexity { before } }").complexity_only


def test_bad_variables_are_rejected_before_execution(executor: Executor) -> None:
    with pytest.raises(ValidationFailed) as rejected:
        executor.prepare("query ($n: Int!) { boards(limit: $n) { id } }", {"n": "many"})
    assert "$n" in rejected.value.errors[0].message


def test_mutations_run_in_document_order_and_fail_alone(executor: Executor) -> None:
    board = executor.store.create_order_board()
    prepared = executor.prepare(f"""mutation {{
      g: create_group(board_id: {board.board_id}, group_name: "Late") {{ id }}
      i: create_item(board_id: {board.board_id}, item_name: "A", group_id: "nope") {{ id }}
      j: create_item(board_id: {board.board_id}, item_name: "B",
                     column_values: "not json") {{ id }}
      k: create_item(board_id: {board.board_id}, item_name: "C") {{ id group {{ id }} }} }}""")
    outcome = executor.execute(prepared)
    assert outcome.data is not None
    assert outcome.data["i"] is None and outcome.data["j"] is None
    # g ran first: the new group is the board's first, where k then landed
    assert outcome.data["k"]["group"] == {"id": outcome.data["g"]["id"]}
    assert [(e.path, e.code) for e in outcome.errors] == [
        (("i",), "ResourceNotFoundException"), (("j",), "InvalidArgumentException")]


def test_fail_alias_leaves_the_store_untouched(executor: Executor) -> None:
    board = executor.store.create_order_board()
    prepared = executor.prepare(
        f'mutation {{ a: create_item(board_id: {board.board_id}, item_name: "A") {{ id }} }}')
    injected = MondayError("ColumnValueException", "boom", status_code=200)
    outcome = executor.execute(prepared, fail_alias=("a", injected))
    assert outcome.data == {"a": None}
    assert outcome.errors == (injected.at(["a"]),)
    assert executor.store.snapshot(board.board_id)["groups"][0]["items"] == []
