"""Boards through the API: create_board, duplicate_board, move_item_to_board, the limits.

What routing onto several boards needs from the sandbox (issue #10): a template's
structure copied onto a new board with its own subitems board (column ids kept, or new
under ``column_ids=new``), items moved between boards with their subitems, the
10,000-item limit per board and per subitems board, and monday's 40 board creations a
minute.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sandbox_api import Api

from ordersync.sandbox import FakeClock, OrderBoard, Sandbox
from ordersync.sandbox.store import Store

DUPLICATE = """mutation ($b: ID!, $t: DuplicateBoardType!, $n: String, $w: ID, $f: ID) {
  duplicate_board(board_id: $b, duplicate_type: $t, board_name: $n, workspace_id: $w,
                  folder_id: $f) {
    is_async
    board { id name created_from_board_id workspace_id board_folder_id
            columns { id title type settings_str } groups { id title } }
  }
}"""
CREATE_BOARD = """mutation ($n: String!, $k: BoardKind!, $w: ID, $f: ID, $t: ID) {
  create_board(board_name: $n, board_kind: $k, workspace_id: $w, folder_id: $f,
               template_id: $t) { id name board_kind columns { id type } groups { id } }
}"""
MOVE = """mutation ($b: ID!, $g: ID!, $i: ID!, $m: [ColumnMappingInput!],
                 $sm: [ColumnMappingInput!]) {
  move_item_to_board(board_id: $b, group_id: $g, item_id: $i, columns_mapping: $m,
                     subitems_columns_mapping: $sm) { id board { id } group { id } }
}"""
SUBITEMS_BOARD = "query ($b: [ID!]) { boards(ids: $b) { columns { id type settings_str } } }"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


@pytest.fixture
def board(sandbox: Sandbox) -> OrderBoard:
    return sandbox.create_order_board("Template")


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox)


def subitems_board_id(api: Api, board_id: str) -> str:
    columns = api.data(SUBITEMS_BOARD, b=[board_id])["boards"][0]["columns"]
    subtasks = next(c for c in columns if c["type"] == "subtasks")
    return str(json.loads(subtasks["settings_str"])["boardIds"][0])


def duplicate(api: Api, board_id: str, kind: str = "duplicate_board_with_structure",
              **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = api.data(DUPLICATE, b=board_id, t=kind, **extra)["duplicate_board"]
    return found


@pytest.mark.parametrize("new_ids", [False, True], ids=["ids-kept", "new-ids"])
def test_duplicate_board_copies_the_structure_with_its_own_subitems_board(
        clock: FakeClock, new_ids: bool) -> None:
    sandbox = Sandbox(clock=clock, faults="column_ids=new" if new_ids else None)
    template = sandbox.create_order_board("Template")
    api = Api(sandbox)
    spring = api.group(template, "Spring")
    api.create(template, "not copied", values={template.customer: "ACME"})
    copy = duplicate(api, template.board_id, n="Orders SS26")
    new = copy["board"]
    assert copy["is_async"] is False
    assert (new["name"], new["created_from_board_id"]) == ("Orders SS26", template.board_id)
    columns = [(c["title"], c["type"]) for c in new["columns"]]
    assert columns == [(c["title"], c["type"]) for c in api.page(template)["columns"]]
    old_ids = {c["id"] for c in api.page(template)["columns"]}
    new_ids_found = {c["id"] for c in new["columns"]} - {"name"}
    assert new_ids_found.isdisjoint(old_ids) if new_ids else new_ids_found <= old_ids
    assert [g["title"] for g in new["groups"]] == ["Spring", "Group Title"]
    assert (spring in [g["id"] for g in new["groups"]]) is not new_ids
    assert sandbox.board(new["id"])["groups"][0]["items"] == []  # structure only
    sub = subitems_board_id(api, new["id"])
    assert sub not in (template.subitems_board_id, new["id"])
    sub_columns = api.data(SUBITEMS_BOARD, b=[sub])["boards"][0]["columns"]
    old_sub = api.data(SUBITEMS_BOARD, b=[template.subitems_board_id])["boards"][0]["columns"]
    assert [c["type"] for c in sub_columns] == [c["type"] for c in old_sub]


def test_subitems_of_a_duplicated_board_land_on_its_own_subitems_board(
        api: Api, board: OrderBoard) -> None:
    new = duplicate(api, board.board_id)["board"]
    item = api.data("""mutation ($b: ID!) { create_item(board_id: $b, item_name: "PO") { id } }""",
                    b=new["id"])["create_item"]["id"]
    sub = api.data("""mutation ($p: ID!, $v: JSON) { create_subitem(parent_item_id: $p,
        item_name: "S", column_values: $v) { board { id } } }""", p=item,
                   v=json.dumps({board.size: {"labels": ["S"]}}))["create_subitem"]
    assert sub["board"]["id"] == subitems_board_id(api, new["id"]) != board.subitems_board_id


@pytest.mark.parametrize("new_ids", [False, True], ids=["ids-kept", "new-ids"])
def test_duplicate_board_with_pulses_copies_active_items_and_subitems(
        clock: FakeClock, new_ids: bool) -> None:
    sandbox = Sandbox(clock=clock, faults="column_ids=new" if new_ids else None)
    board = sandbox.create_order_board()
    api = Api(sandbox)
    kept = api.create(board, "kept", values={board.customer: "ACME"})
    sub = api.subitem(kept, "M")
    api.data("mutation ($b: ID!, $i: ID, $v: JSON!) { change_multiple_column_values("
             "board_id: $b, item_id: $i, column_values: $v) { id } }",
             b=board.subitems_board_id, i=sub, v=json.dumps({board.order_qty: "4"}))
    gone = api.create(board, "archived")
    api.data("mutation ($i: ID) { archive_item(item_id: $i) { id } }", i=gone)
    new = duplicate(api, board.board_id, "duplicate_board_with_pulses")["board"]
    [group] = [g for g in sandbox.board(new["id"])["groups"] if g["items"]]
    [item] = group["items"]
    by_title = {c["title"]: c["id"] for c in new["columns"]}
    assert (item["name"], item["values"][by_title["Customer"]]) == ("kept", "ACME")
    [copied] = item["subitems"]
    assert copied["name"] == "M" and item["id"] != kept and copied["id"] != sub
    assert "4" in copied["values"].values()


def test_duplicate_board_defaults_its_name_and_checks_the_workspace(api: Api,
                                                                   board: OrderBoard) -> None:
    workspace = api.data("query { workspaces { id } folders { id } }")
    w, f = workspace["workspaces"][0]["id"], workspace["folders"][0]["id"]
    new = duplicate(api, board.board_id, w=w, f=f)["board"]
    assert (new["name"], new["workspace_id"], new["board_folder_id"]) == (
        "Duplicate of Template", w, f)
    body = api.gql(DUPLICATE, b=board.board_id, t="duplicate_board_with_structure", w="42")
    assert body["errors"][0]["extensions"]["code"] == "ResourceNotFoundException"
    body = api.gql(DUPLICATE, b=board.subitems_board_id, t="duplicate_board_with_structure")
    assert body["errors"][0]["extensions"]["code"] == "InvalidArgumentException"


def test_create_board_empty_or_from_a_template(api: Api, board: OrderBoard) -> None:
    empty = api.data(CREATE_BOARD, n="Scratch", k="private")["create_board"]
    assert (empty["board_kind"], [c["id"] for c in empty["columns"]]) == ("private", ["name"])
    assert [g["id"] for g in empty["groups"]] == ["topics"]
    item = api.data("""mutation ($b: ID!) { create_item(board_id: $b, item_name: "x") { id } }""",
                    b=empty["id"])["create_item"]["id"]
    api.subitem(item, "first subitem makes the subitems board")
    assert subitems_board_id(api, empty["id"]) not in (empty["id"], board.subitems_board_id)
    templated = api.data(CREATE_BOARD, n="From template", k="public",
                         t=board.board_id)["create_board"]
    assert {c["id"] for c in templated["columns"]} >= {board.customer, board.status}
    body = api.gql(CREATE_BOARD, n="Bad", k="public", t="123")
    assert body["errors"][0]["extensions"]["code"] == "CreateBoardException"


def test_move_item_to_board_takes_its_subitems_and_maps_columns(api: Api, sandbox: Sandbox,
                                                                board: OrderBoard) -> None:
    new = duplicate(api, board.board_id)["board"]
    item = api.create(board, "PO-1", values={board.customer: "ACME", board.status:
                                             {"label": "Done"}, board.delivery: {"labels":
                                                                                 ["AIR"]}})
    subs = [api.subitem(item, size) for size in ("S", "M")]
    moved = api.data(MOVE, b=new["id"], g="topics", i=item, m=[
        {"source": board.customer, "target": board.notes},
        {"source": board.delivery, "target": None}])["move_item_to_board"]
    assert moved == {"id": item, "board": {"id": new["id"]}, "group": {"id": "topics"}}
    assert sandbox.board(board.board_id)["groups"][0]["items"] == []
    [found] = sandbox.board(new["id"])["groups"][0]["items"]
    assert (found["values"][board.notes], found["values"][board.customer],
            found["values"][board.status], found["values"][board.delivery]) == (
        "ACME", "", "Done", "")
    assert [s["id"] for s in found["subitems"]] == subs
    states = api.data("query ($i: [ID!]) { items(ids: $i) { id board { id } } }", i=subs)
    assert {s["board"]["id"] for s in states["items"]} == {subitems_board_id(api, new["id"])}


def test_move_item_to_board_maps_by_title_when_ids_differ(clock: FakeClock) -> None:
    sandbox = Sandbox(clock=clock, faults="column_ids=new")
    board = sandbox.create_order_board()
    api = Api(sandbox)
    new = duplicate(api, board.board_id)["board"]
    item = api.create(board, "PO-1", values={board.quantity: "5", board.status:
                                             {"label": "Stuck"}})
    api.data(MOVE, b=new["id"], g=new["groups"][0]["id"], i=item)
    [found] = sandbox.board(new["id"])["groups"][0]["items"]
    ids = {c["title"]: c["id"] for c in new["columns"]}
    assert (found["values"][ids["Total Qty"]], found["values"][ids["Status"]]) == ("5", "Stuck")


def test_move_item_to_board_refusals(api: Api, board: OrderBoard) -> None:
    new = duplicate(api, board.board_id)["board"]
    item = api.create(board, "x")
    for variables, code in [
            ({"b": new["id"], "g": "nope", "i": item}, "ResourceNotFoundException"),
            ({"b": "1", "g": "topics", "i": item}, "InvalidBoardIdException"),
            ({"b": new["id"], "g": "topics", "i": item,
              "m": [{"source": "nope", "target": None}]}, "InvalidColumnIdException")]:
        assert api.error_code(MOVE, **variables) == code


@pytest.mark.parametrize("on_subitems", [False, True], ids=["board", "subitems-board"])
def test_a_full_board_refuses_moves_and_creates(clock: FakeClock, on_subitems: bool) -> None:
    store = Store(clock=clock, items_limit=2)
    sandbox = Sandbox(clock=clock, store=store)
    board = sandbox.create_order_board()
    api = Api(sandbox)
    target = duplicate(api, board.board_id)["board"]
    parent = api.data("""mutation ($b: ID!) { create_item(board_id: $b, item_name: "p") { id } }""",
                      b=target["id"])["create_item"]["id"]
    if on_subitems:
        api.subitem(parent, "1")
        api.subitem(parent, "2")
        assert api.error_code("""mutation ($p: ID!) { create_subitem(parent_item_id: $p,
            item_name: "3") { id } }""", p=parent) == "ItemsLimitationException"
        mover = api.create(board, "with subitem")
        api.subitem(mover, "S")
    else:
        api.data("""mutation ($b: ID!) { create_item(board_id: $b, item_name: "q") { id } }""",
                 b=target["id"])
        mover = api.create(board, "mover")
    assert api.error_code(MOVE, b=target["id"], g="topics", i=mover) == (
        "ItemsLimitationException")
    assert api.names(board) == [("with subitem" if on_subitems else "mover")]


@pytest.mark.parametrize(("mutation", "label"), [
    ("create_board", "CreateBoard"), ("duplicate_board", "DuplicateBoard")])
def test_forty_board_creations_a_minute_then_429(api: Api, sandbox: Sandbox, clock: FakeClock,
                                                 board: OrderBoard, mutation: str,
                                                 label: str) -> None:
    def call() -> Any:
        if mutation == "create_board":
            return api.client.post("/v2", json={"query": CREATE_BOARD, "variables": {
                "n": "B", "k": "public"}})
        return api.client.post("/v2", json={"query": DUPLICATE, "variables": {
            "b": board.board_id, "t": "duplicate_board_with_structure"}})

    for _ in range(40):
        assert "errors" not in call().json()
        clock.advance(0.5)
    refused = call()
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["message"] == f"Call limit exceeded for {label}"
    assert int(refused.headers["Retry-After"]) == error["extensions"]["retry_in_seconds"] == 40
    boards = len(sandbox.store.boards())
    clock.advance(40)
    assert "errors" not in call().json() and len(sandbox.store.boards()) > boards


def test_boards_groups_and_moves_survive_the_state_file(clock: FakeClock, tmp_path: Any) -> None:
    state = tmp_path / "sandbox.json"
    sandbox = Sandbox(clock=clock, state_path=state)
    board = sandbox.create_order_board()
    api = Api(sandbox)
    spring = api.group(board, "Spring")
    api.create(board, "archived with its group", group=spring)
    api.data("mutation ($b: ID!, $g: String!) { archive_group(board_id: $b, group_id: $g) "
             "{ id } }", b=board.board_id, g=spring)
    new = duplicate(api, board.board_id, w=api.data("query { workspaces { id } }")
                    ["workspaces"][0]["id"])["board"]
    item = api.create(board, "moved")
    api.subitem(item, "S")
    api.data(MOVE, b=new["id"], g="topics", i=item)
    before = json.loads(state.read_text())

    reloaded = Sandbox(clock=clock, state_path=state)
    assert reloaded.store.to_json() == before
    assert reloaded.board(new["id"]) == sandbox.board(new["id"])
    again = Api(reloaded)
    groups = again.data("query ($b: [ID!]) { boards(ids: $b) { groups { id } "
                        "created_from_board_id workspace_id } }", b=[board.board_id, new["id"]])
    assert [g["id"] for g in groups["boards"][0]["groups"]] == ["topics"]
    assert groups["boards"][1]["created_from_board_id"] == board.board_id
    assert again.states(item) == {item: "active"}
