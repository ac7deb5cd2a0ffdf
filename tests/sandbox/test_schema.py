"""The sandbox schema is a faithful subset of monday's, and bad documents fail like monday's.

Three promises, each something a user of the sandbox would notice if broken:
the subset never drifts from monday's real 2026-07 schema (a document that works
against the sandbox works against api.monday.com); every GraphQL document that
ordersync ships validates against both; and a broken document is rejected with
every problem reported, in monday's error format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    print_ast,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from ordersync.sandbox.errors import MondayError, response_body
from ordersync.sandbox.schema import (
    PARSE_FAILED,
    SCHEMA_RESOURCE,
    VALIDATION_FAILED,
    ValidationFailed,
    load_schema,
    operation_kind,
    parse_and_validate,
    root_fields,
)

HERE = Path(__file__).resolve()
REPO = HERE.parents[2]
SUBSET_PATH = REPO / "src" / "ordersync" / "sandbox" / SCHEMA_RESOURCE
REAL_SCHEMA_PATH = HERE.parents[3] / "shared" / "monday" / "schema.graphql"


@pytest.fixture(scope="module")
def real_schema() -> GraphQLSchema:
    if not REAL_SCHEMA_PATH.is_file():
        pytest.skip(f"monday's real schema is not at {REAL_SCHEMA_PATH}; "
                    "the subset cannot be checked against it here")
    return build_schema(REAL_SCHEMA_PATH.read_text(encoding="utf-8"))


# --- the consistency checker --------------------------------------------------------------

def subset_problems(subset: GraphQLSchema, real: GraphQLSchema) -> list[str]:
    """Every way ``subset`` is not a faithful subset of ``real`` (empty when it is)."""
    problems = _root_problems(subset, real)
    for name, subset_type in sorted(subset.type_map.items()):
        if name.startswith("__"):
            continue
        real_type = real.type_map.get(name)
        if real_type is None:
            problems.append(f"{name}: type not in the real schema")
        elif type(real_type) is not type(subset_type):
            problems.append(f"{name}: {type(subset_type).__name__} here, "
                            f"{type(real_type).__name__} in the real schema")
        else:
            problems += _type_problems(name, subset_type, real_type)
    return problems


def _root_problems(subset: GraphQLSchema, real: GraphQLSchema) -> list[str]:
    roots = [("query", subset.query_type, real.query_type),
             ("mutation", subset.mutation_type, real.mutation_type),
             ("subscription", subset.subscription_type, None)]
    return [f"schema: {kind} root is {mine.name}, real schema has "
            f"{theirs.name if theirs else 'none'}"
            for kind, mine, theirs in roots
            if mine is not None and (theirs is None or mine.name != theirs.name)]


def _type_problems(name: str, mine: GraphQLNamedType, real: GraphQLNamedType) -> list[str]:
    if isinstance(mine, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(real, GraphQLObjectType | GraphQLInterfaceType)
        problems = [f"{name}: implements {i.name}, the real type does not"
                    for i in mine.interfaces if i.name not in {r.name for r in real.interfaces}]
        for field_name, field in mine.fields.items():
            problems += _field_problems(f"{name}.{field_name}", field,
                                        real.fields.get(field_name))
        return problems
    if isinstance(mine, GraphQLInputObjectType):
        assert isinstance(real, GraphQLInputObjectType)
        return _input_values_problems(name, mine.fields, real.fields, "input field")
    if isinstance(mine, GraphQLEnumType):
        assert isinstance(real, GraphQLEnumType)
        return _names_problems(name, set(mine.values), set(real.values), "enum value")
    if isinstance(mine, GraphQLUnionType):
        assert isinstance(real, GraphQLUnionType)
        return [f"{name}: member {t.name} not in the real union" for t in mine.types
                if t.name not in {r.name for r in real.types}]
    return []  # scalars: existing under the same name is all there is to check


def _field_problems(where: str, mine: GraphQLField, real: GraphQLField | None) -> list[str]:
    if real is None:
        return [f"{where}: field not in the real schema"]
    problems = []
    if str(mine.type) != str(real.type):
        problems.append(f"{where}: type {mine.type} here, {real.type} in the real schema")
    if mine.deprecation_reason != real.deprecation_reason:
        problems.append(f"{where}: deprecation {mine.deprecation_reason!r} here, "
                        f"{real.deprecation_reason!r} in the real schema")
    return problems + _input_values_problems(where, mine.args, real.args, "argument")


def _input_values_problems(where: str, mine: dict[str, GraphQLArgument] |
                           dict[str, GraphQLInputField],
                           real: dict[str, GraphQLArgument] | dict[str, GraphQLInputField],
                           what: str) -> list[str]:
    """Arguments and input fields must be complete and identical: a document valid
    against one schema must be valid against the other."""
    problems = _names_problems(where, set(mine), set(real), what)
    for name in sorted(set(mine) & set(real)):
        ours, theirs = mine[name], real[name]
        if str(ours.type) != str(theirs.type):
            problems.append(f"{where}({name}:): type {ours.type} here, "
                            f"{theirs.type} in the real schema")
        if _default(ours) != _default(theirs):
            problems.append(f"{where}({name}:): default {_default(ours)} here, "
                            f"{_default(theirs)} in the real schema")
    return problems


def _names_problems(where: str, mine: set[str], real: set[str], what: str) -> list[str]:
    return ([f"{where}: {what} {n!r} not in the real schema" for n in sorted(mine - real)]
            + [f"{where}: {what} {n!r} missing (the real schema has it)"
               for n in sorted(real - mine)])


def _default(value: GraphQLArgument | GraphQLInputField) -> str | None:
    """The default as written in the SDL (compared as text, so `25` ≠ `"25"`)."""
    node = value.ast_node
    return print_ast(node.default_value) if node and node.default_value else None


# --- the subset against the real schema ---------------------------------------------------

def test_packaged_subset_is_consistent_with_the_real_schema(real_schema: GraphQLSchema) -> None:
    assert subset_problems(load_schema(), real_schema) == []


def test_subset_serves_exactly_the_root_fields_ordersync_uses() -> None:
    schema = load_schema()
    assert schema.query_type is not None and schema.mutation_type is not None

    assert set(schema.query_type.fields) == {
        "boards", "items", "items_page_by_column_values", "next_items_page",
        "complexity", "me", "version"}
    assert set(schema.mutation_type.fields) == {
        "create_group", "create_item", "create_subitem", "change_multiple_column_values",
        "change_simple_column_value", "archive_item", "delete_item", "move_item_to_group",
        "complexity", "change_column_value", "duplicate_item", "archive_group", "delete_group",
        "duplicate_board", "move_item_to_board"}


ALTERATIONS = [  # (text in the subset SDL, its replacement, what the checker must report)
    pytest.param("cursor: String!", "cursor: String",
                 "Query.next_items_page(cursor:): type String here, String! in the real",
                 id="argument-loses-non-null"),
    pytest.param("column_values: [String]!", "column_values: [String!]!",
                 "ItemsPageByColumnValuesQuery(column_values:): type [String!]! here",
                 id="input-field-list-item-made-non-null"),
    pytest.param('"A list of items unique identifiers."\n    ids: [ID!]',
                 '"A list of items unique identifiers."\n    ids: [ID]',
                 "Query.items(ids:): type [ID] here, [ID!] in the real", id="list-item-nullable"),
    pytest.param("state: State = active", "state: State = all",
                 "Query.boards(state:): default all here, active in the real",
                 id="argument-default-changed"),
    pytest.param("operator: ItemsQueryRuleOperator = any_of", "operator: ItemsQueryRuleOperator",
                 "ItemsQueryRule(operator:): default None here, any_of in the real",
                 id="input-default-dropped"),
    pytest.param('    "The item to set the position next to."\n    relative_to: ID\n', "",
                 "Mutation.create_item: argument 'relative_to' missing",
                 id="argument-dropped"),
    pytest.param("  compare_attribute: String\n", "",
                 "ItemsQueryRule: input field 'compare_attribute' missing",
                 id="input-field-dropped"),
    pytest.param("type Board {\n", "type Board {\n  pos: String\n",
                 "Board.pos: field not in the real schema", id="invented-field"),
    pytest.param("items_count: Int", "items_count: String",
                 "Board.items_count: type String here, Int in the real", id="field-type-changed"),
    pytest.param("enum State {\n", "enum State {\n  bogus\n",
                 "State: enum value 'bogus' not in the real schema", id="invented-enum-value"),
    pytest.param('  "Logical OR"\n  or\n', "",
                 "ItemsQueryOperator: enum value 'or' missing", id="enum-value-dropped"),
    pytest.param(' @deprecated(reason: "From version 2025-10, use settings instead. '
                 'Will be removed in a future version.")', "",
                 "Column.settings_str: deprecation None here", id="deprecation-dropped"),
    pytest.param("scalar JSON\n", "scalar JSON\n\nscalar Bogus\n",
                 "Bogus: type not in the real schema", id="invented-type"),
    pytest.param("scalar CompareValue", "enum CompareValue {\n  x\n}",
                 "CompareValue: GraphQLEnumType here, GraphQLScalarType in the real",
                 id="scalar-made-enum"),
]


@pytest.mark.parametrize(("original", "altered", "reported"), ALTERATIONS)
def test_checker_reports_an_altered_subset(real_schema: GraphQLSchema, original: str,
                                           altered: str, reported: str) -> None:
    sdl = SUBSET_PATH.read_text(encoding="utf-8")
    assert sdl.count(original) == 1, "the alteration must hit exactly one place in the SDL"

    problems = subset_problems(build_schema(sdl.replace(original, altered)), real_schema)

    assert any(reported in problem for problem in problems), problems


# --- documents the sandbox must accept ----------------------------------------------------

HANDWRITTEN = {
    "boards-with-groups-columns-items-page": """
        query Board($board: ID!, $limit: Int!) {
          boards(ids: [$board], state: active, limit: 1) {
            id name state board_kind items_count
            groups { id title position color archived deleted }
            columns(types: [text, numbers, status, subtasks]) {
              id title type settings settings_str
            }
            items_page(limit: $limit, query_params: {
                rules: [{column_id: "order_key", compare_value: ["PO-1"], operator: any_of}],
                operator: and, order_by: [{column_id: "date4", direction: desc}]}) {
              cursor
              items { id name group { id } }
            }
          }
        }""",
    "next-items-page": """
        query NextPage($cursor: String!) {
          next_items_page(cursor: $cursor, limit: 500) {
            cursor
            items { id name state created_at updated_at }
          }
        }""",
    "items-page-by-column-values": """
        query FindByKey($board: ID!, $keys: [String]!) {
          items_page_by_column_values(board_id: $board, limit: 50,
                                      columns: [{column_id: "order_key", column_values: $keys}]) {
            cursor
            items { id name }
          }
        }""",
    "items-with-column-values-subitems-parent": """
        query Items($ids: [ID!]) {
          items(ids: $ids, limit: 100, exclude_nonactive: false) {
            id name state created_at updated_at
            board { id }
            group { id title }
            column_values(ids: ["status", "qty", "date4"]) {
              id type text value
              column { id title type }
              ... on StatusValue { index label is_done }
              ... on NumbersValue { number symbol }
              ... on DateValue { date time }
              ... on DropdownValue { values { id label } }
              ... on SubtasksValue { subitems_ids }
            }
            subitems { id name column_values { id text value } }
            parent_item { id board { id } }
          }
        }""",
    "complexity": "query { complexity { before query after reset_in_x_seconds } }",
    "me": "query { me { id name email } }",
    "version": "query { version { kind value display_name } }",
    "aliased-mutations-with-variables": """
        mutation Batch($board: ID!, $group: String!, $values: JSON, $changes: JSON!,
                       $item: ID!, $parent: ID!, $sizes: JSON) {
          g1: create_group(board_id: $board, group_name: "ACME SS26", group_color: "#ff642e",
                           position_relative_method: before_at) { id title }
          i1: create_item(board_id: $board, group_id: $group, item_name: "PO-1",
                          column_values: $values, create_labels_if_missing: true) { id name }
          i2: create_item(board_id: $board, group_id: $group, item_name: "PO-2",
                          column_values: $values) { id }
          s1: create_subitem(parent_item_id: $parent, item_name: "S",
                             column_values: $sizes) { id board { id } }
          s2: create_subitem(parent_item_id: $parent, item_name: "M") { id }
          u1: change_multiple_column_values(board_id: $board, item_id: $item,
                                            column_values: $changes,
                                            create_labels_if_missing: true) { id }
          u2: change_simple_column_value(board_id: $board, item_id: $item, column_id: "qty",
                                         value: "0") { id }
          a1: archive_item(item_id: $item) { id state }
          d1: delete_item(item_id: $item) { id }
          complexity { before query after reset_in_x_seconds }
        }""",
}


def _shipped_documents() -> Iterator[object]:
    """Every .graphql file under src/ except schemas, then the hand-written documents."""
    for path in sorted((REPO / "src").rglob("*.graphql")):
        if path.name != SCHEMA_RESOURCE:
            yield pytest.param(path.read_text(encoding="utf-8"),
                               id=str(path.relative_to(REPO / "src")))
    for name, document in HANDWRITTEN.items():
        yield pytest.param(document, id=f"handwritten:{name}")


DOCUMENTS = list(_shipped_documents())


@pytest.mark.parametrize("document", DOCUMENTS)
def test_document_validates_against_the_real_schema(real_schema: GraphQLSchema,
                                                    document: str) -> None:
    parse_and_validate(document, real_schema)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_document_validates_against_the_sandbox_subset(document: str) -> None:
    parse_and_validate(document)


# --- rejected documents -------------------------------------------------------------------

REJECTED = [  # (document, code, words the message must contain)
    pytest.param("{ boards { id }", PARSE_FAILED, ["end of document"], id="syntax-unclosed"),
    pytest.param("{ boards(ids: 1 { id } }", PARSE_FAILED, ['Parse error on "{"', "[1, 17]"],
                 id="syntax-stray-brace"),
    pytest.param("{ boards { id pos } }", VALIDATION_FAILED, ["'pos'", "'Board'"],
                 id="unknown-field"),
    pytest.param("{ boards(name: \"x\") { id } }", VALIDATION_FAILED, ["'name'", "Query.boards"],
                 id="unknown-argument"),
    pytest.param("{ next_items_page { cursor } }", VALIDATION_FAILED,
                 ["cursor", "String!", "required"], id="missing-required-argument"),
    pytest.param('mutation { create_item(item_name: "PO-1") { id } }', VALIDATION_FAILED,
                 ["board_id", "ID!", "required"], id="missing-required-mutation-argument"),
    pytest.param('{ boards(limit: "ten") { id } }', VALIDATION_FAILED, ["Int", '"ten"'],
                 id="wrong-literal-type"),
    pytest.param("{ boards(state: open) { id } }", VALIDATION_FAILED, ["State", "open"],
                 id="unknown-enum-value"),
    pytest.param("query($ids: [String!]) { boards(ids: $ids) { id } }", VALIDATION_FAILED,
                 ["'$ids'", "[String!]", "[ID!]"], id="variable-of-wrong-type"),
    pytest.param("query($ids: [Id!]) { boards(ids: $ids) { id } }", VALIDATION_FAILED,
                 ["Unknown type", "'Id'"], id="variable-of-unknown-type"),
    pytest.param("{ boards }", VALIDATION_FAILED, ["'boards'", "selection"],
                 id="object-without-selection"),
]


@pytest.mark.parametrize(("document", "code", "words"), REJECTED)
def test_bad_document_is_rejected_with_a_message_naming_the_problem(
        document: str, code: str, words: list[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_and_validate(document)

    rejected = caught.value
    assert isinstance(rejected, MondayError)
    assert (rejected.code, rejected.http_status, len(rejected.errors)) == (code, 200, 1)
    error = rejected.errors[0]
    assert error.code == code and error.locations
    for word in words:
        assert word in error.message


def test_every_problem_in_a_document_is_reported_in_order() -> None:
    document = """query($limit: String) {
      boards(limit: $limit, colour: red) { id pos }
      next_items_page { cursor }
    }"""

    with pytest.raises(ValidationFailed) as caught:
        parse_and_validate(document)

    body = response_body("req-1", errors=caught.value.errors, include_data=False)
    messages = [e["message"] for e in body["errors"]]
    assert len(messages) == 4, messages
    for message, word in zip(messages, ["$limit", "colour", "pos", "cursor"], strict=True):
        assert word in message
    assert all(e["extensions"] == {"code": VALIDATION_FAILED} for e in body["errors"])
    pos_column = document.splitlines()[1].index("pos") + 1
    assert body["errors"][2]["locations"] == [{"line": 2, "column": pos_column}]
    assert list(body["errors"][2]) == ["message", "locations", "extensions"]
    assert "colour" in caught.value.message and "pos" in caught.value.message


def test_empty_selection_set_is_a_syntax_error_as_at_monday() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_and_validate("{ boards { } }")

    assert caught.value.code == PARSE_FAILED


# --- operations and root fields -----------------------------------------------------------

def test_operation_kind_tells_queries_from_mutations() -> None:
    assert operation_kind(parse_and_validate(HANDWRITTEN["me"])) == "query"
    mutation = parse_and_validate(HANDWRITTEN["aliased-mutations-with-variables"])
    assert operation_kind(mutation) == "mutation"


@pytest.mark.parametrize(("document", "operation_name", "words"), [
    pytest.param("query A { me { id } } query B { version { value } }", None,
                 "operation name", id="several-operations-no-name"),
    pytest.param("query A { me { id } }", "B", "'B'", id="unknown-operation-name"),
])
def test_operation_that_cannot_be_chosen_is_rejected(document: str, operation_name: str | None,
                                                     words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        operation_kind(parse_and_validate(document), operation_name)

    assert caught.value.code == VALIDATION_FAILED and words in caught.value.message


def test_root_fields_lists_each_alias_once_in_document_order() -> None:
    document = parse_and_validate(HANDWRITTEN["aliased-mutations-with-variables"])

    fields = root_fields(document)

    assert [(f.response_key, f.name) for f in fields] == [
        ("g1", "create_group"), ("i1", "create_item"), ("i2", "create_item"),
        ("s1", "create_subitem"), ("s2", "create_subitem"),
        ("u1", "change_multiple_column_values"), ("u2", "change_simple_column_value"),
        ("a1", "archive_item"), ("d1", "delete_item"), ("complexity", "complexity")]


def test_root_fields_flattens_fragments_and_applies_skip_and_include() -> None:
    document = parse_and_validate("""
        query Q($withMe: Boolean = true, $noVersion: Boolean!) {
          ... on Query { c: complexity { query } }
          ...Rest
          me @include(if: $withMe) { id }
          version @skip(if: $noVersion) { value }
          c: complexity { before }
        }
        fragment Rest on Query { b: boards(ids: [1]) { id } }""")

    defaults = root_fields(document, variables={"noVersion": True})
    overridden = root_fields(document, "Q", {"withMe": False, "noVersion": False})

    assert [(f.response_key, len(f.nodes)) for f in defaults] == [("c", 2), ("b", 1), ("me", 1)]
    assert [f.response_key for f in overridden] == ["c", "b", "version"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["i1", "i2", "i3", "s1", "g1"]), min_size=1, max_size=12))
def test_root_fields_never_drops_or_duplicates_an_alias(aliases: list[str]) -> None:
    document = parse_and_validate("mutation { " + " ".join(
        f'{alias}: create_item(board_id: 1, item_name: "x") {{ id }}' for alias in aliases) + " }")

    fields = root_fields(document)

    assert [f.response_key for f in fields] == list(dict.fromkeys(aliases))
    assert sum(len(f.nodes) for f in fields) == len(aliases)
