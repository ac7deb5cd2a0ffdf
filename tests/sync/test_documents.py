"""Every document the sync sends is valid against monday.com's real schema, and no value is
ever spliced into a query's text.

One scenario drives every operation the sync has — the group lookup and create_group,
create_item and create_subitem, change_multiple_column_values for an item update, a
cancel and a zeroed size, delete_item (``monday.removed_lines = "delete"``), and the
reconciliation lookups of in-doubt orders and lines — and every request body the client
sent is checked against ``../shared/monday/schema.graphql`` with graphql-core.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from graphql import (
    BooleanValueNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    GraphQLSchema,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    StringValueNode,
    Visitor,
    build_schema,
    parse,
    validate,
    visit,
)
from graphql.execution.values import get_variable_values

from conftest import SHARED, WorkbookFactory, execute, fetch, order_row
from sync.conftest import Harness, board_problems

SCHEMA_PATH = SHARED / "monday" / "schema.graphql"

OPERATIONS = {
    "board_groups": "boards", "create_group": "create_group", "create_item": "create_item",
    "create_subitem": "create_subitem", "change_multiple_column_values":
    "change_multiple_column_values", "delete_item": "delete_item",
    "items_by_identity": "items_page_by_column_values", "subitems_of": "items",
}
"""Each operation the sync performs → the root field its document selects."""

QUOTED_STYLE = 'ST "9" \\ {x}'
"""A style whose quotes, backslash and braces would break a document built by splicing."""


@pytest.fixture(scope="module")
def monday_schema() -> GraphQLSchema:
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"monday's real schema is not at {SCHEMA_PATH} (it lives in ../shared); "
                    "the documents cannot be validated against it here")
    return build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


class _Literals(Visitor):
    """Collects literal values (anything that is not a variable) used as arguments."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter(self, node: Any, *_: Any) -> None:
        if isinstance(node, StringValueNode | IntValueNode | FloatValueNode | BooleanValueNode
                      | EnumValueNode | NullValueNode):
            self.found.append(f"{node.kind} {getattr(node, 'value', None)!r}")


def document_problems(schema: GraphQLSchema, body: dict[str, Any]) -> list[str]:
    """What is wrong with one request body: schema errors, bad variables, spliced values."""
    problems: list[str] = []
    if set(body) != {"query", "variables"}:
        problems.append(f"body keys {sorted(body)}")
    variables = body.get("variables")
    if not isinstance(variables, dict):
        return [*problems, f"variables is a {type(variables).__name__}, not a JSON object"]
    document = parse(body["query"])
    problems += [f"invalid: {error.message}" for error in validate(schema, document)]
    for operation in document.definitions:
        assert isinstance(operation, OperationDefinitionNode)
        declared = {d.variable.name.value for d in operation.variable_definitions or ()}
        problems += [f"variable ${name} is not declared" for name in set(variables) - declared]
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            problems += [f"variables: {error.message}" for error in coerced]
        literals = _Literals()
        visit(operation.selection_set, literals)  # defaults of variables are not values
        problems += [f"literal in the query text: {found}" for found in literals.found]
    return problems


def root_fields(query: str) -> set[str]:
    return {selection.name.value for operation in parse(query).definitions
            if isinstance(operation, OperationDefinitionNode)
            for selection in operation.selection_set.selections
            if isinstance(selection, FieldNode)}


def calls(h: Harness, field: str) -> list[dict[str, Any]]:
    """The variables of each call of root field ``field``, unprefixed (m3_item_id → item_id)."""
    found = []
    for body in h.sent:
        for operation in parse(body["query"]).definitions:
            assert isinstance(operation, OperationDefinitionNode)
            for selection in operation.selection_set.selections:
                if not isinstance(selection, FieldNode) or selection.name.value != field:
                    continue
                alias = selection.alias.value if selection.alias else None
                prefix = f"{alias}_" if alias else ""
                found.append({name[len(prefix):]: value
                              for name, value in body["variables"].items()
                              if name.startswith(prefix)})
    return found


def run_every_operation(h: Harness, write_workbook: WorkbookFactory) -> None:
    """Three runs that between them send every operation the sync has."""
    # 1: the group (looked up on the board, then created), items, subitems
    write_workbook("GRE_a.csv", [order_row(1, {"S": 10, "M": 20}, style=QUOTED_STYLE),
                                 order_row(2, {"S": 1, "M": 2}),
                                 order_row(3, {"S": 5, "M": 6})])
    h.pipeline()
    h.sync()
    assert board_problems(h) == []

    # 2: an item and a size updated, an order cancelled (its sizes zeroed), a size removed
    # (zeroed) and one added; a new order and the new size left in doubt by a "crash"
    write_workbook("GRE_a.csv", [
        order_row(1, {"S": 10, "M": 25}, style=QUOTED_STYLE, ETA="2025-04-01"),
        order_row(2, {"S": 1, "M": 2}, order_type="CANCELLED"),
        order_row(3, {"S": 5, "L": 1}),
        order_row(4, {"S": 7}, style="O'Q \"4\"")])
    h.pipeline()
    execute(h.db, "UPDATE orders SET sync_state = 'SENDING' WHERE monday_item_id IS NULL")
    execute(h.db, "UPDATE order_lines SET sync_state = 'SENDING' WHERE monday_subitem_id IS "
                  "NULL AND record_uuid IN (SELECT record_uuid FROM orders WHERE "
                  "monday_item_id IS NOT NULL)")
    second = h.sync()
    assert second.counts["requeued"] == 2
    assert board_problems(h) == []

    # 3: a size removed with removed_lines = "delete"
    h.config = h.config.model_copy(update={"monday": h.config.monday.model_copy(
        update={"removed_lines": "delete"})})
    write_workbook("GRE_a.csv", [
        order_row(1, {"M": 25}, style=QUOTED_STYLE, ETA="2025-04-01"),
        order_row(2, {"S": 1, "M": 2}, order_type="CANCELLED"),
        order_row(3, {"S": 5, "L": 1}),
        order_row(4, {"S": 7}, style="O'Q \"4\"")])
    h.pipeline()
    third = h.sync()
    assert third.counts["subitems_deleted"] == 1
    assert board_problems(h) == []


def test_every_document_the_sync_sends_validates_against_mondays_schema(
        monday_schema: GraphQLSchema, harness_factory: Callable[..., Harness],
        write_workbook: WorkbookFactory) -> None:
    h = harness_factory()

    run_every_operation(h, write_workbook)

    # every body: valid against the schema, variables a JSON object of declared names
    assert h.sent
    problems = {i: document_problems(monday_schema, body) for i, body in enumerate(h.sent)}
    assert {i: p for i, p in problems.items() if p} == {}
    # every operation the sync has was among them
    seen = set().union(*(root_fields(body["query"]) for body in h.sent))
    missing = {op for op, field in OPERATIONS.items() if field not in seen}
    assert missing == set(), f"the scenario never sent {sorted(missing)}"
    assert seen - set(OPERATIONS.values()) == {"complexity"}  # what each batch also asks

    # change_multiple_column_values on both boards: an update, a cancel, zeroed sizes
    ids = h.ids
    changes = [(c["board_id"], json.loads(c["column_values"]))
               for c in calls(h, "change_multiple_column_values")]
    on_items = [values for board, values in changes if board == ids.board_id]
    on_subitems = [values for board, values in changes if board == ids.subitems_board_id]
    assert len(on_items) + len(on_subitems) == len(changes)
    assert {ids.eta: {"date": "2025-04-01"}, ids.quantity: "35"} in on_items
    assert any(v.get(ids.status) == {"label": "Cancelled"} for v in on_items)
    assert {ids.order_qty: "25"} in on_subitems
    zeroed = [v for v in on_subitems if v.get(ids.order_qty) == "0"]
    assert sorted(json.dumps(v[ids.line_status]) for v in zeroed) == [
        json.dumps({"label": "Cancelled"})] * 2 + [json.dumps({"label": "Removed"})]
    (deleted,) = calls(h, "delete_item")
    assert deleted["item_id"] not in {s["id"] for i in h.items() for s in i["subitems"]}
    (lookup,) = calls(h, "items_page_by_column_values")
    assert lookup["identities"] == ['GRE-00004 | SEA | O\'Q "4"']
    (subitems_of,) = calls(h, "items")
    assert len(subitems_of["item_ids"]) == 1

    # values travel only as variables: names with quotes and backslashes included
    quoted = [r.item_name for r in fetch(h.db, "SELECT item_name FROM orders")
              if '"' in r.item_name]
    assert len(quoted) == 2 and any("\\" in name for name in quoted)
    variables = [json.dumps(body["variables"], ensure_ascii=False) for body in h.sent]
    for name in quoted:
        assert any(json.dumps(name, ensure_ascii=False) in v for v in variables)
        assert not any(name in body["query"] for body in h.sent)
    assert not any("GRE-0000" in body["query"] for body in h.sent)
