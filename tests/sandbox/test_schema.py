"""The sandbox serves monday's whole published schema, and bad documents fail like monday's.

Three promises, each something a user of the sandbox would notice if broken: the
packaged schema is monday's published 2026-07 schema, byte for byte (a document that
works against the sandbox works against api.monday.com, and the other way round); every
GraphQL document that ordersync ships validates against it; and a broken document is
rejected with every problem reported, in monday's error format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema
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
PACKAGED_PATH = REPO / "src" / "ordersync" / "sandbox" / SCHEMA_RESOURCE
REAL_SCHEMA_PATH = HERE.parents[3] / "shared" / "monday" / "schema.graphql"


@pytest.fixture(scope="module")
def real_schema() -> GraphQLSchema:
    if not REAL_SCHEMA_PATH.is_file():
        pytest.skip(f"monday's published schema is not at {REAL_SCHEMA_PATH}")
    return build_schema(REAL_SCHEMA_PATH.read_text(encoding="utf-8"))


# --- the packaged schema is the published one ---------------------------------------------

def test_packaged_schema_is_the_published_one_byte_for_byte() -> None:
    if not REAL_SCHEMA_PATH.is_file():
        pytest.skip(f"monday's published schema is not at {REAL_SCHEMA_PATH}")
    assert PACKAGED_PATH.read_bytes() == REAL_SCHEMA_PATH.read_bytes()


def test_the_packaged_schema_loads_without_the_shared_folder() -> None:
    """``load_schema`` reads the package's own file: a user's install has no ../shared."""
    schema = load_schema()
    assert schema.query_type is not None and schema.mutation_type is not None
    assert len(schema.mutation_type.fields) > 150  # the whole API, not a subset
    assert {"boards", "items", "users", "workspaces", "versions"} <= set(
        schema.query_type.fields)


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
def test_document_validates_against_the_packaged_schema(document: str) -> None:
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
