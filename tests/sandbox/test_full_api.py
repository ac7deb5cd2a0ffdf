"""Every document monday's published schema accepts runs on the sandbox.

Fields the sandbox models answer with real data; the rest answer with their documented
shape (null, empty lists, the account's fixed user, workspace and folder); a mutation
it does not model answers with monday's error shape and NOT_SUPPORTED_BY_SANDBOX.
"""

from __future__ import annotations

import json

import pytest
from sandbox_api import Api

from ordersync.sandbox import FakeClock, OrderBoard, Sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=FakeClock())


@pytest.fixture
def board(sandbox: Sandbox) -> OrderBoard:
    return sandbox.create_order_board()


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox)


# The documents the issue found refused by the old cut-down schema, as clients send them.
UNMODELLED_READS = {
    "user-account": "query { me { id name account { id name slug tier } } }",
    "board-extras": """query ($b: [ID!]) { boards(ids: $b) {
        id permissions description updated_at created_at url type items_count
        tags { id name } activity_logs { id event } owners { id } creator { id }
        workspace { id name } workspace_id board_folder_id top_group { id }
        subscribers { id email } views { id } } }""",
    "group-items-page": """query ($b: [ID!]) { boards(ids: $b) { groups {
        id position items_page(limit: 5) { cursor items { id name } } } } }""",
    "item-updates": """query ($b: [ID!]) { boards(ids: $b) { items_page { items {
        id updates { id body } assets { id } creator { id } creator_id url email
        subscribers { id } } } } }""",
    "versions": "query { versions { kind value display_name } }",
    "users": "query { users(limit: 10) { id name email is_admin account { id } } }",
    "workspaces": "query { workspaces { id name kind is_default_workspace } }",
    "folders": "query { folders { id name workspace { id } children { id } } }",
    "column-value-fragments": """query ($b: [ID!]) { boards(ids: $b) { items_page { items {
        column_values { id type text value is_leaf
          ... on MirrorValue { display_value mirrored_items { linked_board_id } }
          ... on BoardRelationValue { linked_item_ids display_value }
          ... on DependencyValue { linked_item_ids display_value }
          ... on StatusValue { index label label_style { color } is_done }
          ... on SubtasksValue { display_value subitems_ids subitems { id } } } } } } }""",
    "account-and-tags": "query { account { id name first_day_of_the_week } tags { id } }",
}


@pytest.mark.parametrize("document", UNMODELLED_READS.values(), ids=UNMODELLED_READS.keys())
def test_documents_of_the_published_schema_run_without_errors(api: Api, board: OrderBoard,
                                                              document: str) -> None:
    item = api.create(board, "x", values={board.status: {"label": "Done"}})
    api.subitem(item, "S")
    variables = {"b": [board.board_id]} if "$b" in document else {}
    body = api.gql(document, **variables)
    assert "errors" not in body, body.get("errors")
    assert body["data"]


def test_unmodelled_fields_have_their_documented_shape(api: Api, board: OrderBoard) -> None:
    api.create(board, "x")
    found = api.data(UNMODELLED_READS["board-extras"], b=[board.board_id])["boards"][0]
    me = api.data("query { me { id } }")["me"]
    assert found["permissions"] == "everyone" and found["description"] is None
    assert found["tags"] == [] and found["activity_logs"] == [] and found["views"] == []
    assert found["owners"] == [me] and found["creator"] == me
    assert found["items_count"] == 1 and found["type"] == "board"
    assert found["top_group"] == {"id": "topics"}
    workspace = api.data("query { workspaces { id name } }")["workspaces"]
    assert found["workspace"] == workspace[0] and found["workspace_id"] == workspace[0]["id"]


def test_me_and_users_are_the_one_account_user(api: Api) -> None:
    me = api.data("query { me { id email account { id } } }")["me"]
    assert api.data("query { users { id email account { id } } }")["users"] == [me]
    assert api.data("query ($i: [ID!]) { users(ids: $i) { id } }", i=["1"])["users"] == []


@pytest.mark.parametrize("root", ["users", "workspaces", "boards"])
@pytest.mark.parametrize("with_ids", [False, True], ids=["all", "by-ids"])
def test_page_and_limit_page_the_root_lists(api: Api, board: OrderBoard, root: str,
                                            with_ids: bool) -> None:
    everything = api.data(f"query {{ {root} {{ id }} }}")[root]
    ids = [entry["id"] for entry in everything]
    declared, argument = ("$i: [ID!], ", "ids: $i, ") if with_ids else ("", "")
    pages = [api.data(f"query ({declared}$p: Int) {{ {root}({argument}limit: 1, page: $p) "
                      f"{{ id }} }}", **({"i": ids} if with_ids else {}), p=page)[root]
             for page in range(1, len(ids) + 2)]
    assert [p[0]["id"] for p in pages[:-1]] == ids
    assert pages[-1] == []


def test_versions_lists_the_current_version(api: Api) -> None:
    versions = api.data("query { versions { kind value } }")["versions"]
    assert {"kind": "current", "value": "2026-07"} in versions


@pytest.mark.parametrize("mutation", [
    'create_workspace(name: "W", kind: open) { id }',
    'create_webhook(board_id: 1, url: "https://x", event: create_item) { id }',
    "delete_folder(folder_id: 1) { id }",
    'create_update(item_id: 1, body: "hi") { id }',
])
def test_an_unmodelled_mutation_names_itself_in_monday_s_error_shape(api: Api,
                                                                     mutation: str) -> None:
    name = mutation.split("(")[0]
    body = api.gql(f"mutation {{ {mutation} }}")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_SUPPORTED_BY_SANDBOX"
    assert error["extensions"]["error_data"] == {"mutation": name}
    assert name in error["message"] and error["path"] == [name]
    assert body["data"] == {name: None}


def test_an_unmodelled_mutation_in_a_batch_fails_alone(api: Api, board: OrderBoard) -> None:
    body = api.gql("""mutation ($b: ID!) {
        a: create_item(board_id: $b, item_name: "kept") { id }
        b: create_doc(location: {workspace: {workspace_id: 1, name: "d", kind: private}}) { id }
    }""", b=board.board_id)
    assert body["data"]["a"]["id"] and body["data"]["b"] is None
    assert [e["path"] for e in body["errors"]] == [["b"]]
    assert api.names(board) == ["kept"]


def test_update_group_renames_recolours_and_moves(api: Api, board: OrderBoard) -> None:
    spring = api.group(board, "Spring")  # on top
    update = """mutation ($b: ID!, $g: String!, $a: GroupAttributes!, $v: String!) {
        update_group(board_id: $b, group_id: $g, group_attribute: $a, new_value: $v)
        { id title color } }"""
    api.data(update, b=board.board_id, g=spring, a="title", v="Spring 26")
    api.data(update, b=board.board_id, g=spring, a="color", v="#037f4c")
    api.data(update, b=board.board_id, g=spring, a="relative_position_after", v="topics")
    groups = api.data("query ($b: [ID!]) { boards(ids: $b) { groups { id title color "
                      "position } } }", b=[board.board_id])["boards"][0]["groups"]
    assert [(g["id"], g["title"]) for g in groups] == [("topics", "Group Title"),
                                                       (spring, "Spring 26")]
    assert groups[1]["color"] == "#037f4c"
    assert float(groups[0]["position"]) < float(groups[1]["position"])


def test_group_items_page_shows_that_group_s_items(api: Api, board: OrderBoard) -> None:
    spring = api.group(board, "Spring")
    api.create(board, "in topics", group="topics")
    api.create(board, "in spring", group=spring)
    groups = api.data("""query ($b: [ID!]) { boards(ids: $b) { groups { id
        items_page { items { name } } } } }""", b=[board.board_id])["boards"][0]["groups"]
    assert {g["id"]: [i["name"] for i in g["items_page"]["items"]] for g in groups} == {
        spring: ["in spring"], "topics": ["in topics"]}


def test_column_value_fields_the_sandbox_keeps_nothing_for_are_null(
        api: Api, board: OrderBoard) -> None:
    api.create(board, "x", values={board.quantity: "3"})
    [item] = api.data("""query ($b: [ID!]) { boards(ids: $b) { items_page { items {
        column_values(ids: ["total_qty"]) { is_leaf ... on NumbersValue { number symbol
        direction } } } } } }""", b=[board.board_id])["boards"][0]["items_page"]["items"]
    assert item["column_values"] == [{"is_leaf": True, "number": 3.0, "symbol": None,
                                      "direction": None}]
    assert json.dumps(item)  # plain JSON all the way down


def _selection(type_name: str) -> str:
    """Every field of a type that needs no argument: leaves by name, the rest by __typename."""
    from graphql import GraphQLNonNull, Undefined, get_named_type, is_leaf_type

    from ordersync.sandbox.schema import load_schema

    found = load_schema().get_type(type_name)
    assert found is not None and hasattr(found, "fields")
    parts = []
    for name, field in found.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
               for a in field.args.values()):
            continue
        parts.append(name if is_leaf_type(get_named_type(field.type)) else
                     f"{name} {{ __typename }}")
    return " ".join(parts)


@pytest.mark.parametrize(("path", "type_name"), [
    ("query ($b: [ID!]) { boards(ids: $b) { %s } }", "Board"),
    ("query ($b: [ID!]) { boards(ids: $b) { groups { %s } } }", "Group"),
    ("query ($b: [ID!]) { boards(ids: $b) { columns { %s } } }", "Column"),
    ("query ($i: [ID!]) { items(ids: $i) { %s } }", "Item"),
    ("query ($i: [ID!]) { items(ids: $i) { column_values { %s } } }", "ColumnValue"),
    ("query { me { %s } }", "User"),
    ("query { account { %s } }", "Account"),
    ("query { workspaces { %s } }", "Workspace"),
    ("query { folders { %s } }", "Folder"),
    ("query { %s }", "Query"),
], ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_every_field_without_required_arguments_answers_without_error(
        api: Api, board: OrderBoard, path: str, type_name: str) -> None:
    item = api.create(board, "x", values={board.status: {"label": "Done"}})
    api.subitem(item, "S")
    document = path % _selection(type_name)
    variables = {k: v for k, v in {"b": [board.board_id], "i": [item]}.items()
                 if f"${k}" in document}
    body = api.gql(document, **variables)
    assert "errors" not in body, body.get("errors")


def test_items_without_ids_are_the_account_s_active_items_paged(api: Api,
                                                                board: OrderBoard) -> None:
    made = [api.create(board, f"i{n}") for n in range(3)]
    api.data("mutation ($i: ID) { archive_item(item_id: $i) { id } }", i=made[1])
    assert [i["id"] for i in api.data("query { items { id } }")["items"]] == [made[0], made[2]]
    newest = api.data("query { items(limit: 1, newest_first: true) { id } }")["items"]
    assert [i["id"] for i in newest] == [made[2]]
    refused = api.gql("query { items(limit: 1, page: 0) { id } }")
    assert refused["errors"][0]["extensions"]["code"] == "InvalidArgumentException"
