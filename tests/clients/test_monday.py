"""The ``monday`` library (2.2.1, synchronous, urllib3) against a sandbox server process.

Each call a user makes is a test.  The library has no setting for the API URL: every
resource's ``client.endpoint`` is pointed at the sandbox, as a user would patch it.
Documented client bugs: ``columns.update_multiple_columns(item_id, board_id, …)`` passes
the ids to ``change_multiple_column_values`` swapped, and monday answers that with
``InvalidBoardIdException`` (the item id is no board) — so does the sandbox.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import SandboxServer

monday = pytest.importorskip("monday")
if hasattr(monday, "BoardFields"):  # monday-client, which installs ``monday`` too
    pytest.skip("the monday library is not installed here", allow_module_level=True)
from monday.exceptions import MondayQueryError  # noqa: E402


@pytest.fixture(scope="module")
def client(server: SandboxServer) -> Any:
    found = monday.MondayClient("sandbox-token")
    for resource in vars(found).values():
        if hasattr(resource, "client"):
            resource.client.endpoint = server.url
    return found


@pytest.fixture(scope="module")
def board(server: SandboxServer) -> dict[str, Any]:
    return server.board


@pytest.fixture
def group(client: Any, board: dict[str, Any]) -> str:
    created = client.groups.create_group(board["board_id"], "Client tests")
    group_id: str = created["data"]["create_group"]["id"]
    return group_id


def values(board: dict[str, Any]) -> dict[str, Any]:
    c = board["columns"]
    return {c["identity"]: "PO-1", c["customer"]: "ACME", c["notes"]: {"text": "two\nlines"},
            c["quantity"]: "12", c["eta"]: {"date": "2026-03-01"},
            c["status"]: {"label": "Done"}, c["delivery"]: {"labels": ["SEA"]}}


def create(client: Any, board: dict[str, Any], group: str, name: str = "PO-1") -> str:
    created = client.items.create_item(board["board_id"], group, name, values(board))
    item_id: str = created["data"]["create_item"]["id"]
    return item_id


def texts(client: Any, item_id: str) -> dict[str, str | None]:
    [item] = client.items.fetch_items_by_id([int(item_id)])["data"]["items"]
    return {c["id"]: c["text"] for c in item["column_values"]}


def test_fetch_boards_lists_boards_with_groups_and_columns(client: Any,
                                                           board: dict[str, Any]) -> None:
    boards = client.boards.fetch_boards(limit=50)["data"]["boards"]
    mine = next(b for b in boards if b["id"] == board["board_id"])
    assert {c["id"] for c in mine["columns"]} >= set(board["columns"].values())
    assert mine["permissions"] and mine["tags"] == []


def test_fetch_boards_pages_with_limit_and_page(client: Any) -> None:
    everything = [b["id"] for b in client.boards.fetch_boards(limit=50)["data"]["boards"]]
    pages = [client.boards.fetch_boards(limit=1, page=n)["data"]["boards"]
             for n in range(1, len(everything) + 2)]
    assert [p[0]["id"] for p in pages[:-1]] == everything and pages[-1] == []


def test_fetch_boards_by_id(client: Any, board: dict[str, Any]) -> None:
    found = client.boards.fetch_boards_by_id(board["board_id"])["data"]["boards"]
    assert [b["id"] for b in found] == [board["board_id"]]


def test_fetch_columns_by_board_id(client: Any, board: dict[str, Any]) -> None:
    [found] = client.boards.fetch_columns_by_board_id(board["board_id"])["data"]["boards"]
    types = {c["id"]: c["type"] for c in found["columns"]}
    c = board["columns"]
    assert (types[c["notes"]], types[c["eta"]], types[c["delivery"]]) == (
        "long_text", "date", "dropdown")
    subitems = next(col for col in found["columns"] if col["type"] == "subtasks")
    assert json.loads(subitems["settings_str"])["boardIds"] == [int(board["subitems_board_id"])]


def test_get_groups_by_board(client: Any, board: dict[str, Any], group: str) -> None:
    [found] = client.groups.get_groups_by_board(board["board_id"])["data"]["boards"]
    assert group in [g["id"] for g in found["groups"]]


def test_create_item_with_every_mapped_column_type(client: Any, board: dict[str, Any],
                                                   group: str) -> None:
    item_id = create(client, board, group)
    c = board["columns"]
    found = texts(client, item_id)
    assert (found[c["customer"]], found[c["notes"]], found[c["quantity"]], found[c["eta"]],
            found[c["status"]], found[c["delivery"]]) == (
        "ACME", "two\nlines", "12", "2026-03-01", "Done", "SEA")


def test_create_subitem(client: Any, board: dict[str, Any], group: str) -> None:
    parent = create(client, board, group)
    s = board["subitem_columns"]
    created = client.items.create_subitem(parent, "M", {s["size"]: {"labels": ["M"]},
                                                        s["order_qty"]: "4"})
    cells = {c["id"]: c["text"] for c in created["data"]["create_subitem"]["column_values"]}
    assert (cells[s["size"]], cells[s["order_qty"]]) == ("M", "4")


def test_change_item_value(client: Any, board: dict[str, Any], group: str) -> None:
    item_id = create(client, board, group)
    c = board["columns"]
    client.items.change_item_value(board["board_id"], item_id, c["status"], {"label": "Stuck"})
    assert texts(client, item_id)[c["status"]] == "Stuck"


def test_change_multiple_column_values(client: Any, board: dict[str, Any], group: str) -> None:
    item_id = create(client, board, group)
    c = board["columns"]
    client.items.change_multiple_column_values(board["board_id"], item_id, {
        c["quantity"]: "99", c["delivery"]: {"labels": ["AIR"]}})
    found = texts(client, item_id)
    assert (found[c["quantity"]], found[c["delivery"]]) == ("99", "AIR")


def test_update_multiple_columns_swaps_the_ids_and_gets_monday_s_board_error(
        client: Any, board: dict[str, Any], group: str) -> None:
    """Client bug: the signature is (item_id, board_id) but the query gets them swapped."""
    item_id = create(client, board, group)
    with pytest.raises(MondayQueryError) as caught:
        client.columns.update_multiple_columns(item_id, board["board_id"],
                                               {board["columns"]["quantity"]: "1"})
    assert caught.value.original_errors[0]["extensions"]["code"] == "InvalidBoardIdException"


def test_mutate_multiple_items_runs_an_aliased_batch(client: Any, board: dict[str, Any],
                                                     group: str) -> None:
    found = client.items.mutate_multiple_items([
        {"method": "create_item", "board_id": int(board["board_id"]), "group_id": group,
         "item_name": f"batch {n}"} for n in range(3)])
    assert len(found["data"]) == 3 and all(v["id"] for v in found["data"].values())


def test_fetch_items_by_board_id_then_next_items_by_cursor(client: Any, board: dict[str, Any],
                                                           group: str) -> None:
    for n in range(3):
        create(client, board, group, f"page {n}")
    first = client.boards.fetch_items_by_board_id(board["board_id"], limit=2)
    page = first["data"]["boards"][0]["items_page"]
    assert len(page["items"]) == 2 and page["cursor"]
    following = client.boards.fetch_next_items_by_cursor(page["cursor"], limit=2)
    assert following["data"]["next_items_page"]["items"]


def test_fetch_all_items_by_board_id(client: Any, board: dict[str, Any], group: str) -> None:
    item_id = create(client, board, group, "everything")
    found = client.boards.fetch_all_items_by_board_id(board["board_id"], limit=2)
    assert item_id in [i["id"] for i in found]


def test_fetch_items_by_board_id_with_query_params(client: Any, board: dict[str, Any],
                                                   group: str) -> None:
    item_id = create(client, board, group, "filtered")
    c = board["columns"]
    client.items.change_item_value(board["board_id"], item_id, c["customer"], "Filtered Co")
    found = client.boards.fetch_items_by_board_id(board["board_id"], query_params={
        "rules": [{"column_id": c["customer"], "compare_value": ["Filtered Co"]}]})
    assert [i["id"] for i in found["data"]["boards"][0]["items_page"]["items"]] == [item_id]


def test_fetch_items_by_column_value(client: Any, board: dict[str, Any], group: str) -> None:
    item_id = create(client, board, group, "by value")
    c = board["columns"]
    client.items.change_item_value(board["board_id"], item_id, c["identity"], "KEY-42")
    found = client.items.fetch_items_by_column_value(board["board_id"], c["identity"], "KEY-42")
    assert [i["id"] for i in found["data"]["items_page_by_column_values"]["items"]] == [item_id]


def test_get_items_by_group(client: Any, board: dict[str, Any], group: str) -> None:
    item_id = create(client, board, group)
    [found] = client.groups.get_items_by_group(board["board_id"], group)["data"]["boards"]
    assert [i["id"] for i in found["groups"][0]["items_page"]["items"]] == [item_id]


def test_move_item_to_group(client: Any, board: dict[str, Any], group: str) -> None:
    item_id = create(client, board, group)
    other = client.groups.create_group(board["board_id"], "Moved")["data"]["create_group"]["id"]
    client.items.move_item_to_group(item_id, other)
    [item] = client.items.fetch_items_by_id([int(item_id)])["data"]["items"]
    assert item["group"]["id"] == other


def test_archive_and_delete_items(client: Any, board: dict[str, Any], group: str) -> None:
    archived, deleted = create(client, board, group), create(client, board, group)
    client.items.archive_item_by_id(archived)
    client.items.delete_item_by_id(deleted)
    everything = client.boards.fetch_all_items_by_board_id(board["board_id"])
    assert {archived, deleted}.isdisjoint(i["id"] for i in everything)


def test_archive_and_delete_groups(client: Any, board: dict[str, Any]) -> None:
    a = client.groups.create_group(board["board_id"], "A")["data"]["create_group"]["id"]
    b = client.groups.create_group(board["board_id"], "B")["data"]["create_group"]["id"]
    assert client.groups.archive_group(board["board_id"], a)["data"]["archive_group"]["id"] == a
    assert client.groups.delete_group(board["board_id"], b)["data"]["delete_group"]["id"] == b
    [found] = client.groups.get_groups_by_board(board["board_id"])["data"]["boards"]
    assert {a, b}.isdisjoint(g["id"] for g in found["groups"])


def test_users_me_workspaces_complexity(client: Any) -> None:
    [user] = client.users.fetch_users()["data"]["users"]
    assert client.me.get_details()["data"]["me"]["id"] == user["id"]
    assert client.workspaces.get_workspaces()["data"]["workspaces"]
    assert client.complexity.get_complexity()["data"]["complexity"]["after"] > 0


def test_a_mutation_the_sandbox_does_not_model_names_itself(client: Any) -> None:
    with pytest.raises(MondayQueryError) as caught:
        client.workspaces.create_workspace("W", "open")
    error = caught.value.original_errors[0]
    assert error["extensions"]["code"] == "NOT_SUPPORTED_BY_SANDBOX"
    assert "create_workspace" in error["message"]


def test_create_board_and_duplicate_board(client: Any, board: dict[str, Any]) -> None:
    from monday.resources.types import BoardKind, DuplicateType

    created = client.boards.create_board("Client board", BoardKind.PUBLIC)
    assert created["data"]["create_board"]["id"]
    copy = client.boards.duplicate_board(int(board["board_id"]), DuplicateType.WITH_STRUCTURE,
                                         board_name="Client copy")
    new_id = copy["data"]["duplicate_board"]["board"]["id"]
    [found] = client.boards.fetch_columns_by_board_id(new_id)["data"]["boards"]
    assert set(board["columns"].values()) <= {c["id"] for c in found["columns"]}
