"""The operation templates load by name, and batches keep every value a variable.

What a user would notice: an item name with quotes or braces breaking a sync (the
classic string-built-query bug), a result mapped to the wrong record, or a batch
monday rejects as invalid.
"""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, OperationType, parse

from ordersync.monday.operations import (
    MUTATIONS,
    OPERATIONS,
    QUERIES,
    Call,
    build_batch,
    build_mixed_batch,
    operation_document,
    operation_text,
    template_field,
)
from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.executor import Executor
from ordersync.sandbox.schema import parse_and_validate, root_fields
from ordersync.sandbox.store import Store

HOSTILE = [
    pytest.param('PO "1" } { $board_id', id="quotes-braces-dollar"),
    pytest.param('") { id } m1: delete_item(item_id: 1) { id } #', id="injection-attempt"),
    pytest.param("line\nbreak \\ back\\slash \u00e9\u4e2d", id="newline-backslash-unicode"),
    pytest.param('{"text": "5\' 2\" {x} $m0_item_name"}', id="json-with-variable-lookalike"),
]


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_operation_loads_by_name_as_one_operation(name: str) -> None:
    definitions = operation_document(name).definitions
    assert len(definitions) == 1 and isinstance(definitions[0], OperationDefinitionNode)
    expected = OperationType.MUTATION if name in MUTATIONS else OperationType.QUERY
    assert definitions[0].operation is expected
    assert operation_text(name).strip()


def test_unknown_operation_is_named_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"create_itme.*create_item"):
        operation_text("create_itme")


@pytest.mark.parametrize("name", QUERIES)
def test_a_query_cannot_be_batched(name: str) -> None:
    with pytest.raises(ValueError, match="not a mutation"):
        template_field(name)


def test_batch_aliases_each_call_and_prefixes_its_variables() -> None:
    query, variables, aliases = build_batch("create_item", [
        {"board_id": "1", "item_name": "PO-1", "group_id": "g1"},
        {"board_id": "1", "item_name": "PO-2", "column_values": '{"qty": "3"}'},
        {"board_id": "2", "item_name": "PO-3", "create_labels_if_missing": True},
    ])

    assert aliases == ["m0", "m1", "m2"]
    assert variables == {
        "m0_board_id": "1", "m0_item_name": "PO-1", "m0_group_id": "g1",
        "m1_board_id": "1", "m1_item_name": "PO-2", "m1_column_values": '{"qty": "3"}',
        "m2_board_id": "2", "m2_item_name": "PO-3", "m2_create_labels_if_missing": True}
    document = parse_and_validate(query)
    assert [(f.response_key, f.name) for f in root_fields(document)] == [
        ("m0", "create_item"), ("m1", "create_item"), ("m2", "create_item")]
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    declared = {d.variable.name.value for d in operation.variable_definitions or ()}
    assert set(variables) <= declared
    assert all(name.split("_", 1)[0] in aliases for name in declared)


def test_mixed_batch_keeps_call_order_and_each_template_selection() -> None:
    batch = build_mixed_batch([
        Call("create_group", {"board_id": "1", "group_name": "ACME SS26"}),
        Call("create_subitem", {"parent_item_id": "7", "item_name": "S"}),
        Call("change_multiple_column_values",
             {"board_id": "1", "item_id": "7", "column_values": "{}"}),
        Call("archive_item", {"item_id": "8"}),
    ], with_complexity=True)

    assert batch.aliases == ["m0", "m1", "m2", "m3"]
    fields = root_fields(parse_and_validate(batch.query))
    assert [(f.response_key, f.name) for f in fields] == [
        ("m0", "create_group"), ("m1", "create_subitem"),
        ("m2", "change_multiple_column_values"), ("m3", "archive_item"),
        ("complexity", "complexity")]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_travels_verbatim_as_a_variable(value: str) -> None:
    query, variables, _ = build_batch("create_item", [
        {"board_id": "1", "item_name": "plain"},
        {"board_id": "1", "item_name": value, "column_values": value}])

    assert variables["m1_item_name"] == value and variables["m1_column_values"] == value
    assert value not in query
    # the document is exactly the two templated fields: nothing leaked into it
    assert [f.response_key for f in root_fields(parse(query))] == ["m0", "m1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_item_name_reaches_the_sandbox_board_unchanged(value: str) -> None:
    executor = Executor(Store(clock=FakeClock()))
    board = executor.store.create_order_board()
    query, variables, aliases = build_batch("create_item", [
        {"board_id": board.board_id, "item_name": value},
        {"board_id": board.board_id, "item_name": "next"}])

    outcome = executor.execute(executor.prepare(query, variables))

    assert outcome.errors == () and outcome.data is not None
    names = [executor.store.item(outcome.data[alias]["id"]).name for alias in aliases]
    assert names == [value, "next"]


@pytest.mark.parametrize(("call", "words"), [
    pytest.param({"board_id": "1", "item_name": "x", "itemname": "y"}, "m1 (create_item): "
                 "unknown variable(s) itemname", id="unknown-variable"),
    pytest.param({"board_id": "1"}, "m1 (create_item): required variable(s) item_name",
                 id="missing-required"),
    pytest.param({"board_id": "1", "item_name": None}, "required variable(s) item_name",
                 id="required-given-null"),
])
def test_a_bad_call_is_reported_by_its_alias(call: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError) as caught:
        build_batch("create_item", [{"board_id": "1", "item_name": "ok"}, call])
    assert words in str(caught.value)


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one call"):
        build_batch("create_item", [])
