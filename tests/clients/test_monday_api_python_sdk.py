"""monday's own SDK, ``monday-api-python-sdk`` 1.6.8 (``monday_sdk``), against a sandbox process.

Each call a user makes is a test.  The SDK has no setting for the API URL: its one
GraphQL client's ``endpoint`` is pointed at the sandbox.  Its main read path,
``boards.fetch_all_items_by_board_id``, selects ``complexity`` and full item fields
(``updates``, ``assets``, …) that only the full published schema accepts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import SandboxServer

monday_sdk = pytest.importorskip("monday_sdk")


@pytest.fixture(scope="module")
def client(server: SandboxServer) -> Any:
    found = monday_sdk.MondayClient("sandbox-token")
    found._graphql_client.endpoint = server.url
    return found


@pytest.fixture(scope="module")
def board(server: SandboxServer) -> dict[str, Any]:
    return server.board


def values(board: dict[str, Any]) -> dict[str, Any]:
    c = board["columns"]
    return {c["identity"]: "PO-1", c["customer"]: "ACME", c["notes"]: {"text": "long"},
            c["quantity"]: "12", c["eta"]: {"date": "2026-03-01"},
            c["status"]: {"label": "Working on it"}, c["delivery"]: {"labels": ["AIR"]}}


def create(client: Any, board: dict[str, Any], name: str = "PO-1",
           group: str = "topics") -> str:
    response = client.items.create_item(board["board_id"], group, name, values(board))
    return str(response.data.create_item.id)


def cells(client: Any, item_id: str) -> dict[str, str | None]:
    [item] = client.items.fetch_items_by_id([item_id])
    return {c.column.id: c.text for c in item.column_values}


def test_fetch_boards(client: Any, board: dict[str, Any]) -> None:
    boards = client.boards.fetch_boards().data.boards
    assert board["board_id"] in [str(b.id) for b in boards]


def test_fetch_boards_pages(client: Any) -> None:
    everything = [str(b.id) for b in client.boards.fetch_boards().data.boards]
    second = client.boards.fetch_boards(limit=1, page=2).data.boards
    assert [str(b.id) for b in second] == everything[1:2]


def test_fetch_boards_by_id(client: Any, board: dict[str, Any]) -> None:
    [found] = client.boards.fetch_boards_by_id(board["board_id"]).data.boards
    assert str(found.id) == board["board_id"]


def test_fetch_columns_by_board_id(client: Any, board: dict[str, Any]) -> None:
    [found] = client.boards.fetch_columns_by_board_id(board["board_id"]).data.boards
    assert set(board["columns"].values()) <= {c.id for c in found.columns}


def test_create_item_with_every_mapped_column_type(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    c = board["columns"]
    found = cells(client, item_id)
    assert (found[c["notes"]], found[c["quantity"]], found[c["eta"]], found[c["status"]],
            found[c["delivery"]]) == ("long", "12", "2026-03-01", "Working on it", "AIR")


def test_create_subitem(client: Any, board: dict[str, Any]) -> None:
    parent = create(client, board)
    s = board["subitem_columns"]
    client.items.create_subitem(parent, "L", {s["size"]: {"labels": ["L"]},
                                              s["line_status"]: {"label": "Done"}})
    [item] = client.items.fetch_items_by_id([parent])
    assert item.subitems and item.subitems[0].name == "L"


def test_change_simple_status_date_and_custom_values(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    c, b = board["columns"], board["board_id"]
    client.items.change_simple_column_value(b, item_id, c["customer"], "Globex")
    client.items.change_status_column_value(b, item_id, c["status"], "Stuck")
    client.items.change_date_column_value(b, item_id, c["eta"], dt.datetime(2026, 5, 1, 8, 30))
    client.items.change_custom_column_value(b, item_id, c["delivery"], {"labels": ["SEA"]})
    found = cells(client, item_id)
    assert (found[c["customer"]], found[c["status"]], found[c["delivery"]]) == (
        "Globex", "Stuck", "SEA")
    assert found[c["eta"]].startswith("2026-05-01")


def test_change_multiple_column_values(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    c = board["columns"]
    client.items.change_multiple_column_values(board["board_id"], item_id,
                                               {c["quantity"]: "7", c["notes"]: {"text": "x"}})
    found = cells(client, item_id)
    assert (found[c["quantity"]], found[c["notes"]]) == ("7", "x")


def test_fetch_all_items_by_board_id_follows_cursors(client: Any, board: dict[str, Any]) -> None:
    made = {create(client, board, f"all {n}") for n in range(3)}
    found = client.boards.fetch_all_items_by_board_id(board["board_id"], limit=2)
    assert made <= {str(i.id) for i in found}


def test_fetch_all_items_with_query_params(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board, "params")
    c = board["columns"]
    client.items.change_simple_column_value(board["board_id"], item_id, c["identity"], "SDK-7")
    found = client.boards.fetch_all_items_by_board_id(board["board_id"], query_params={
        "rules": [{"column_id": c["identity"], "compare_value": ["SDK-7"]}]})
    assert [str(i.id) for i in found] == [item_id]


def test_fetch_items_by_column_value(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board, "by value")
    c = board["columns"]
    client.items.change_simple_column_value(board["board_id"], item_id, c["identity"], "SDK-9")
    page = client.items.fetch_items_by_column_value(board["board_id"], c["identity"], "SDK-9")
    assert [str(i.id) for i in page.data.items_page_by_column_values.items] == [item_id]


def test_fetch_items_by_id_asks_for_as_many_as_it_names(client: Any,
                                                        board: dict[str, Any]) -> None:
    ids = [create(client, board, f"id {n}") for n in range(3)]
    assert [str(i.id) for i in client.items.fetch_items_by_id(ids)] == ids


def test_move_archive_and_delete(client: Any, board: dict[str, Any]) -> None:
    moved, archived, deleted = (create(client, board) for _ in range(3))
    group = client.custom.execute_custom_query(
        f'mutation {{ create_group(board_id: {board["board_id"]}, group_name: "SDK") '
        "{ id } }").response_data["data"]["create_group"]["id"]
    client.items.move_item_to_group(moved, group)
    client.items.archive_item_by_id(archived)
    client.items.delete_item_by_id(deleted)
    states = {str(i.id): i.state for i in client.items.fetch_items_by_id([archived, deleted])}
    assert states == {archived: "archived", deleted: "deleted"}
    everything = {str(i.id) for i in client.boards.fetch_all_items_by_board_id(
        board["board_id"])}
    assert moved in everything and {archived, deleted}.isdisjoint(everything)


def test_updates_and_activity_logs_are_empty(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    response = client.updates.fetch_updates_for_item(item_id)
    assert response.response_data["data"]["items"][0]["updates"] == []
    logs = client.activity_logs.fetch_all_activity_logs_from_board(board["board_id"])
    assert logs == []


def test_creating_an_update_is_not_supported_and_says_so(client: Any,
                                                         board: dict[str, Any]) -> None:
    """The SDK retries any error response (4 attempts), then raises a plain Exception
    carrying the last message: the sandbox's names the mutation."""
    item_id = create(client, board)
    with pytest.raises(Exception) as caught:
        client.updates.create_update(item_id, "hello")
    assert "does not model the mutation create_update" in str(caught.value)
