"""What people do to a board by hand, done through the API as monday does it (drift).

A verifier finds these changes by reading the board back: archived and deleted items
and groups leave ``items_page``/``next_items_page`` and ``Board.groups``, ``items(ids:)``
still returns them with their ``state``, edits show in ``column_values``.
"""

from __future__ import annotations

import json

import pytest
from sandbox_api import Api

from ordersync.sandbox import FakeClock, OrderBoard, Sandbox

NEXT = """query ($cursor: String!, $limit: Int!) {
  next_items_page(cursor: $cursor, limit: $limit) { cursor items { id name state } }
}"""


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(clock=FakeClock())


@pytest.fixture
def board(sandbox: Sandbox) -> OrderBoard:
    return sandbox.create_order_board()


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox)


ARCHIVE = "mutation ($i: ID) { archive_item(item_id: $i) { id state } }"
DELETE = "mutation ($i: ID) { delete_item(item_id: $i) { id state } }"


@pytest.mark.parametrize(("mutation", "state"), [(ARCHIVE, "archived"), (DELETE, "deleted")],
                         ids=["archive", "delete"])
def test_an_ended_item_leaves_the_pages_but_items_by_id_returns_it_with_its_state(
        api: Api, board: OrderBoard, mutation: str, state: str) -> None:
    keep, gone = api.create(board, "keep"), api.create(board, "gone")
    sub = api.subitem(gone, "size S")
    key = "archive_item" if state == "archived" else "delete_item"
    assert api.data(mutation, i=gone)[key] == {"id": gone, "state": state}

    assert api.names(board) == ["keep"]
    assert api.states(keep, gone, sub) == {keep: "active", gone: state, sub: state}
    assert api.states(keep, gone, sub, exclude=True) == {keep: "active"}


def test_next_items_page_skips_items_ended_after_the_cursor_was_issued(
        api: Api, board: OrderBoard) -> None:
    ids = [api.create(board, f"item {n}") for n in range(5)]
    first = api.page(board, limit=2)["items_page"]
    assert [i["name"] for i in first["items"]] == ["item 0", "item 1"]
    api.data(ARCHIVE, i=ids[2])
    api.data(DELETE, i=ids[3])
    rest = api.data(NEXT, cursor=first["cursor"], limit=500)["next_items_page"]
    assert rest == {"cursor": None, "items": [{"id": ids[4], "name": "item 4",
                                               "state": "active"}]}


def test_deleting_a_subitem_by_its_id_leaves_the_parent_and_its_other_subitems(
        api: Api, board: OrderBoard) -> None:
    parent = api.create(board, "order")
    small, large = api.subitem(parent, "S"), api.subitem(parent, "L")
    api.data(DELETE, i=small)
    [item] = api.page(board)["items_page"]["items"]
    assert [s["name"] for s in item["subitems"]] == ["L"]
    subitems_cell = next(c for c in item["column_values"] if c["id"] == board.subitems)
    assert json.loads(subitems_cell["value"]) == {"linkedPulseIds": [{"linkedPulseId":
                                                                      int(large)}]}
    assert api.states(small, parent) == {small: "deleted", parent: "active"}


@pytest.mark.parametrize(("name", "state", "flag"),
                         [("archive_group", "archived", "archived"),
                          ("delete_group", "deleted", "deleted")])
def test_an_ended_group_takes_its_items_with_it(api: Api, board: OrderBoard, name: str,
                                                state: str, flag: str) -> None:
    spring = api.group(board, "Spring")
    stays = api.create(board, "stays", group="topics")
    goes = api.create(board, "goes", group=spring)
    sub = api.subitem(goes, "M")
    ended = api.data(f"""mutation ($b: ID!, $g: String!) {{
        {name}(board_id: $b, group_id: $g) {{ id archived deleted }} }}""",
                     b=board.board_id, g=spring)[name]
    assert ended == {"id": spring, "archived": flag == "archived",
                     "deleted": flag == "deleted"}

    page = api.page(board)
    assert [g["id"] for g in page["groups"]] == ["topics"]
    assert [i["name"] for i in page["items_page"]["items"]] == ["stays"]
    assert api.states(stays, goes, sub) == {stays: "active", goes: state, sub: state}
    # an ended group takes no new item
    assert api.error_code("""mutation ($b: ID!, $g: String) {
        create_item(board_id: $b, item_name: "late", group_id: $g) { id } }""",
                          b=board.board_id, g=spring) == "ResourceNotFoundException"


def test_the_last_group_cannot_be_archived_or_deleted(api: Api, board: OrderBoard) -> None:
    for name in ("archive_group", "delete_group"):
        body = api.gql(f"""mutation ($b: ID!) {{ {name}(board_id: $b, group_id: "topics")
                           {{ id }} }}""", b=board.board_id)
        assert body["data"] == {name: None}
        assert body["errors"][0]["extensions"]["code"] == "DeleteLastGroupException"
        assert body["errors"][0]["extensions"]["status_code"] == 409


def test_an_archived_group_can_still_be_deleted(api: Api, board: OrderBoard) -> None:
    spring = api.group(board, "Spring")
    item = api.create(board, "x", group=spring)
    args = {"b": board.board_id, "g": spring}
    api.data("mutation ($b: ID!, $g: String!) { archive_group(board_id: $b, group_id: $g)"
             " { id } }", **args)
    api.data("mutation ($b: ID!, $g: String!) { delete_group(board_id: $b, group_id: $g)"
             " { id } }", **args)
    assert api.states(item) == {item: "deleted"}
    assert api.error_code("mutation ($b: ID!, $g: String!) { delete_group(board_id: $b, "
                          "group_id: $g) { id } }", **args) == "ResourceNotFoundException"


def test_move_item_to_group_shows_in_the_items_group(api: Api, board: OrderBoard) -> None:
    spring = api.group(board, "Spring")
    item = api.create(board, "x")
    moved = api.data("mutation ($i: ID, $g: String!) { move_item_to_group(item_id: $i, "
                     "group_id: $g) { id group { id } } }", i=item, g=spring)
    assert moved["move_item_to_group"] == {"id": item, "group": {"id": spring}}
    assert api.page(board)["items_page"]["items"][0]["group"] == {"id": spring}


@pytest.mark.parametrize(("mutation", "value", "text"), [
    ("change_column_value", json.dumps("hello"), "hello"),
    ("change_column_value", json.dumps({"label": "Done"}), "Done"),
    ("change_simple_column_value", "Done", "Done"),
], ids=["json-text", "json-status", "simple-status"])
def test_single_column_edits_show_in_column_values(api: Api, board: OrderBoard,
                                                   mutation: str, value: str,
                                                   text: str) -> None:
    item = api.create(board, "x")
    column = board.customer if text == "hello" else board.status
    value_type = "JSON!" if mutation == "change_column_value" else "String"
    api.data(f"""mutation ($b: ID!, $i: ID, $c: String!, $v: {value_type}) {{
        {mutation}(board_id: $b, item_id: $i, column_id: $c, value: $v) {{ id }} }}""",
             b=board.board_id, i=item, c=column, v=value)
    cells = {c["id"]: c["text"] for c in api.page(board)["items_page"]["items"][0]
             ["column_values"]}
    assert cells[column] == text


def test_change_column_value_refuses_text_that_is_not_json(api: Api,
                                                           board: OrderBoard) -> None:
    item = api.create(board, "x")
    assert api.error_code("""mutation ($b: ID!, $i: ID) {
        change_column_value(board_id: $b, item_id: $i, column_id: "customer", value: "{no")
        { id } }""", b=board.board_id, i=item) == "InvalidArgumentException"


def test_change_multiple_column_values_edits_several_columns(api: Api,
                                                            board: OrderBoard) -> None:
    item = api.create(board, "x", values={board.quantity: "5"})
    api.data("""mutation ($b: ID!, $i: ID, $v: JSON!) {
        change_multiple_column_values(board_id: $b, item_id: $i, column_values: $v) { id } }""",
             b=board.board_id, i=item,
             v=json.dumps({board.quantity: "7", board.eta: {"date": "2026-03-01"}}))
    cells = {c["id"]: c["text"] for c in api.page(board)["items_page"]["items"][0]
             ["column_values"]}
    assert (cells[board.quantity], cells[board.eta]) == ("7", "2026-03-01")


def test_duplicate_item_copies_name_and_values_next_to_the_original(
        api: Api, board: OrderBoard) -> None:
    first = api.create(board, "first", values={board.identity: "K-1"})
    api.create(board, "last")
    copy = api.data("""mutation ($b: ID!, $i: ID) {
        duplicate_item(board_id: $b, item_id: $i) { id name state } }""",
                    b=board.board_id, i=first)["duplicate_item"]
    assert copy["id"] != first and (copy["name"], copy["state"]) == ("first", "active")
    items = api.page(board)["items_page"]["items"]
    assert [i["id"] for i in items][:2] == [first, copy["id"]]
    texts = [{c["id"]: c["text"] for c in i["column_values"]}[board.identity] for i in items]
    assert texts == ["K-1", "K-1", ""]


def test_an_archived_item_refuses_edits_and_moves(api: Api, board: OrderBoard) -> None:
    item = api.create(board, "x")
    api.data(ARCHIVE, i=item)
    assert api.error_code("""mutation ($b: ID!, $i: ID) {
        change_simple_column_value(board_id: $b, item_id: $i, column_id: "customer",
                                   value: "y") { id } }""",
                          b=board.board_id, i=item) == "InvalidArgumentException"


@pytest.mark.parametrize(("limit", "page", "expected"), [
    (1, 1, [0]), (1, 2, [1]), (2, 2, [2]), (25, 1, [0, 1, 2]), (2, 3, []),
], ids=["first", "second", "partial-last", "all", "past-end"])
def test_items_by_ids_honour_page_and_limit(api: Api, board: OrderBoard, limit: int,
                                            page: int, expected: list[int]) -> None:
    ids = [api.create(board, f"i{n}") for n in range(3)]
    found = api.data("query ($ids: [ID!], $l: Int, $p: Int) { items(ids: $ids, limit: $l, "
                     "page: $p) { id } }", ids=ids, l=limit, p=page)["items"]
    assert [i["id"] for i in found] == [ids[n] for n in expected]


def test_boards_by_ids_honour_page_and_limit(api: Api, sandbox: Sandbox,
                                             board: OrderBoard) -> None:
    other = sandbox.create_order_board("Other")
    ids = [board.board_id, other.board_id]
    pages = [[b["id"] for b in api.data(
        "query ($ids: [ID!], $p: Int) { boards(ids: $ids, limit: 1, page: $p) { id } }",
        ids=ids, p=page)["boards"]] for page in (1, 2, 3)]
    assert pages == [[board.board_id], [other.board_id], []]


@pytest.mark.parametrize("how", ["multiple", "simple", "column_value"])
def test_an_item_is_renamed_through_its_name_column(api: Api, board: OrderBoard,
                                                    how: str) -> None:
    item = api.create(board, "old name")
    documents = {
        "multiple": ("mutation ($b: ID!, $i: ID, $v: JSON!) { change_multiple_column_values("
                     "board_id: $b, item_id: $i, column_values: $v) { name } }",
                     json.dumps({"name": "new name"})),
        "simple": ('mutation ($b: ID!, $i: ID, $v: String) { change_simple_column_value('
                   'board_id: $b, item_id: $i, column_id: "name", value: $v) { name } }',
                   "new name"),
        "column_value": ('mutation ($b: ID!, $i: ID, $v: JSON!) { change_column_value('
                         'board_id: $b, item_id: $i, column_id: "name", value: $v) { name } }',
                         json.dumps("new name")),
    }
    document, value = documents[how]
    assert api.data(document, b=board.board_id, i=item, v=value)
    assert api.names(board) == ["new name"]
    refused = api.gql(documents["multiple"][0], b=board.board_id, i=item,
                      v=json.dumps({"name": ""}))
    assert refused["errors"][0]["extensions"]["code"] == "InvalidItemNameException"


COLUMNS = "query ($b: [ID!]) { boards(ids: $b) { columns { id title type settings_str } } }"


def test_create_rename_and_delete_columns(api: Api, board: OrderBoard) -> None:
    created = api.data("""mutation ($b: ID!, $d: JSON) {
        a: create_column(board_id: $b, title: "Priority", column_type: status,
                         id: "priority", after_column_id: "name", defaults: $d) { id type }
        b: create_column(board_id: $b, title: "Notes 2", column_type: long_text) { id }
    }""", b=board.board_id, d=json.dumps({"labels": {"0": "Low", "1": "High"}}))
    assert created["a"] == {"id": "priority", "type": "status"}
    assert created["b"]["id"].startswith("long_text_mk")
    columns = api.data(COLUMNS, b=[board.board_id])["boards"][0]["columns"]
    assert [c["id"] for c in columns][:2] == ["name", "priority"]
    labels = json.loads(columns[1]["settings_str"])["labels"]
    assert (labels["0"], labels["1"]) == ("Low", "High")

    item = api.create(board, "x", values={board.customer: "ACME", "priority": {"label": "High"}})
    api.data("""mutation ($b: ID!) { change_column_title(board_id: $b, column_id: "customer",
                title: "Client") { title } }""", b=board.board_id)
    api.data("""mutation ($b: ID!) { delete_column(board_id: $b, column_id: "customer")
                { id } }""", b=board.board_id)
    columns = api.data(COLUMNS, b=[board.board_id])["boards"][0]["columns"]
    assert board.customer not in [c["id"] for c in columns]
    [found] = api.page(board)["items_page"]["items"]
    assert board.customer not in [c["id"] for c in found["column_values"]]
    assert {c["id"]: c["text"] for c in found["column_values"]}["priority"] == "High"
    assert api.states(item) == {item: "active"}


@pytest.mark.parametrize(("document", "code"), [
    ('create_column(board_id: $b, title: "P", column_type: people) { id }',
     "NOT_SUPPORTED_BY_SANDBOX"),
    ('create_column(board_id: $b, title: "T", column_type: text, id: "customer") { id }',
     "InvalidArgumentException"),
    ('delete_column(board_id: $b, column_id: "name") { id }', "InvalidArgumentException"),
    ('delete_column(board_id: $b, column_id: "nope") { id }', "InvalidColumnIdException"),
    ('change_column_title(board_id: $b, column_id: "status", title: "") { id }',
     "InvalidArgumentException"),
], ids=["unmodelled-type", "existing-id", "name-column", "unknown-column", "empty-title"])
def test_column_refusals(api: Api, board: OrderBoard, document: str, code: str) -> None:
    assert api.error_code(f"mutation ($b: ID!) {{ {document} }}", b=board.board_id) == code
