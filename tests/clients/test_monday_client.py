"""``monday-client`` 0.1.75 (async, aiohttp; installs the package ``monday``) against a sandbox.

Each call a user makes is a test (``asyncio.run`` per call, no plugin needed).  The
client takes the API URL as ``url=``.  ``boards.query`` and ``items.query`` page until a
page comes back empty, so a sandbox that ignored ``page`` with ``ids`` made them loop
until the daily limit (issue #14): ``test_boards_query_by_ids_ends`` and
``test_items_query_pages_ids_until_an_empty_page`` prove they end.

Documented client bugs, where the sandbox answers as monday does:
- ``items.change_column_values`` selects its default ``ColumnFields.BASIC``
  (``id text value``) on the ``Item`` that ``change_multiple_column_values`` returns;
  monday's schema has no ``Item.text``, so the document is refused (validation error)
  unless the caller passes ``fields="id"``.
- ``boards.query(fields=BoardFields.ITEMS)`` moves the items to a key its ``Board``
  dataclass drops, so they are lost client-side; a custom ``items_page`` selection works.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest

from conftest import SandboxServer

monday = pytest.importorskip("monday")
if not hasattr(monday, "BoardFields"):  # the other library that installs ``monday``
    pytest.skip("monday-client is not installed here", allow_module_level=True)
from monday import BoardFields, QueryParams, QueryRule  # noqa: E402
from monday.exceptions import MondayAPIError  # noqa: E402

T = TypeVar("T")


def run(call: Awaitable[T]) -> T:
    return asyncio.run(call)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client(server: SandboxServer) -> Any:
    return monday.MondayClient("sandbox-token", url=server.url, version="2026-07")


@pytest.fixture(scope="module")
def board(server: SandboxServer) -> dict[str, Any]:
    return server.board


def simple_values(board: dict[str, Any]) -> dict[str, Any]:
    c = board["columns"]
    return {c["identity"]: "PO-1", c["customer"]: "ACME", c["notes"]: "long text",
            c["quantity"]: 12, c["eta"]: "2026-03-01", c["status"]: "Done",
            c["delivery"]: "SEA"}


def create(client: Any, board: dict[str, Any], name: str = "PO-1",
           group: str | None = None) -> str:
    item = run(client.items.create(board["board_id"], name, simple_values(board),
                                   group_id=group))
    return str(item.id)


def cells(client: Any, item_id: str) -> dict[str, str]:
    values = run(client.items.get_column_values(item_id))
    return {v.id: v.text for v in values}


def test_boards_query_with_default_fields(client: Any, board: dict[str, Any]) -> None:
    found = run(client.boards.query(board_ids=board["board_id"]))
    assert [(b.id, b.name) for b in found] == [(board["board_id"], "Orders")]


def test_boards_query_by_ids_ends(client: Any, board: dict[str, Any]) -> None:
    ids = [board["board_id"], board["subitems_board_id"]]
    found = run(client.boards.query(board_ids=ids, boards_limit=1))
    assert sorted(b.id for b in found) == sorted(ids)


def test_boards_query_detailed_groups_and_users_fields(client: Any,
                                                       board: dict[str, Any]) -> None:
    for fields in (BoardFields.DETAILED, BoardFields.GROUPS, BoardFields.USERS):
        [found] = run(client.boards.query(board_ids=board["board_id"], fields=fields))
        assert found.id == board["board_id"]


def test_boards_query_pages_items_with_cursors(client: Any, board: dict[str, Any]) -> None:
    made = {create(client, board, f"page {n}") for n in range(3)}
    [found] = run(client.boards.query(
        board_ids=board["board_id"], items_page_limit=2,
        fields="id items_page (limit: 2) { cursor items { id } }"))
    assert made <= {i.id for i in found.items_page.items}


def test_boards_get_items_with_query_params(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board, "filtered")
    c = board["columns"]
    run(client.items.change_column_values(item_id, {c["customer"]: "Filtered Co"}, fields="id"))
    params = QueryParams(rules=[QueryRule(column_id=c["customer"],
                                          compare_value=["Filtered Co"])])
    [found] = run(client.boards.get_items(board["board_id"], query_params=params))
    assert [i.id for i in found.items] == [item_id]


def test_boards_get_items_by_column_values(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board, "by value")
    c = board["columns"]
    run(client.items.change_column_values(item_id, {c["identity"]: "MC-5"}, fields="id"))
    found = run(client.boards.get_items_by_column_values(
        board["board_id"], [{"column_id": c["identity"], "column_values": ["MC-5"]}]))
    assert [i.id for i in found] == [item_id]


def test_boards_get_column_values(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    c = board["columns"]
    found = run(client.boards.get_column_values(board["board_id"], [c["status"]]))
    mine = next(i for i in found if i.id == item_id)
    assert [(v.id, v.text) for v in mine.column_values] == [(c["status"], "Done")]


def test_groups_query_create_update(client: Any, board: dict[str, Any]) -> None:
    group = run(client.groups.create(board["board_id"], "MC group", group_color="#00c875"))
    renamed = run(client.groups.update(board["board_id"], group.id, "title", "MC renamed"))
    assert renamed.title == "MC renamed"
    [listed] = run(client.groups.query(board["board_id"]))
    assert ("MC renamed" in [g.title for g in listed.groups])


def test_items_create_with_every_mapped_column_type(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    c = board["columns"]
    found = cells(client, item_id)
    assert (found[c["notes"]], found[c["quantity"]], found[c["eta"]], found[c["status"]],
            found[c["delivery"]]) == ("long text", "12", "2026-03-01", "Done", "SEA")


def test_items_query_pages_ids_until_an_empty_page(client: Any, board: dict[str, Any]) -> None:
    ids = [create(client, board, f"ids {n}") for n in range(3)]
    assert [i.id for i in run(client.items.query(ids, limit=2))] == ids
    assert [i.id for i in run(client.items.query(ids, limit=2, page=2))] == ids[2:]


def test_subitems_create_and_query(client: Any, board: dict[str, Any]) -> None:
    parent = create(client, board)
    s = board["subitem_columns"]
    sub = run(client.subitems.create(parent, "XL", {s["size"]: "XL", s["order_qty"]: 2}))
    [found] = run(client.subitems.query(parent))
    assert [i.id for i in found.subitems] == [sub.id]


def test_items_change_column_values(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    c = board["columns"]
    run(client.items.change_column_values(item_id, {c["status"]: "Stuck", c["quantity"]: 3},
                                          fields="id"))
    found = cells(client, item_id)
    assert (found[c["status"]], found[c["quantity"]]) == ("Stuck", "3")


def test_items_change_column_values_default_fields_are_refused_as_by_monday(
        client: Any, board: dict[str, Any]) -> None:
    """Client bug: the default fields select Item.text/Item.value, which monday lacks."""
    item_id = create(client, board)
    with pytest.raises(MondayAPIError) as caught:
        run(client.items.change_column_values(item_id, {board["columns"]["status"]: "Stuck"}))
    assert "Cannot query field 'text' on type 'Item'" in str(caught.value)
    assert cells(client, item_id)[board["columns"]["status"]] == "Done"  # nothing written


def test_items_get_name_and_id(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board, "named uniquely")
    assert run(client.items.get_name(item_id)) == "named uniquely"
    assert [str(i) for i in run(client.items.get_id(board["board_id"], "named uniquely"))] == [
        item_id]


def test_items_duplicate(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board, "original")
    copy = run(client.items.duplicate(item_id, board["board_id"]))
    assert copy.id != item_id and run(client.items.get_name(copy.id)) == "original"


def test_items_move_to_group(client: Any, board: dict[str, Any]) -> None:
    item_id = create(client, board)
    group = run(client.groups.create(board["board_id"], "MC moved"))
    run(client.items.move_to_group(item_id, group.id))
    found = run(client.groups.get_items_by_name(board["board_id"], group.id, "PO-1"))
    assert [i.id for i in found] == [item_id]


def test_items_archive_and_delete(client: Any, board: dict[str, Any]) -> None:
    archived, deleted = create(client, board), create(client, board)
    assert run(client.items.archive(archived)).id == archived
    assert run(client.items.delete(deleted)).id == deleted
    found = run(client.items.query([archived, deleted], exclude_nonactive=True))
    assert found == []


def test_groups_archive_and_delete(client: Any, board: dict[str, Any]) -> None:
    a = run(client.groups.create(board["board_id"], "MC A"))
    b = run(client.groups.create(board["board_id"], "MC B"))
    run(client.groups.archive(board["board_id"], a.id))
    run(client.groups.delete(board["board_id"], b.id))
    [listed] = run(client.groups.query(board["board_id"]))
    assert {a.id, b.id}.isdisjoint(g.id for g in listed.groups)


def test_users_query(client: Any) -> None:
    [user] = run(client.users.query())
    assert user.email == "sandbox@example.com"


def test_the_current_version_is_fetched_when_none_is_given(server: SandboxServer,
                                                           board: dict[str, Any]) -> None:
    unversioned = monday.MondayClient("sandbox-token", url=server.url)
    assert run(unversioned.boards.query(board_ids=board["board_id"]))


def test_an_unmodelled_mutation_is_monday_s_error_naming_it(client: Any,
                                                            board: dict[str, Any]) -> None:
    with pytest.raises(MondayAPIError) as caught:
        run(client.boards.update(board["board_id"], "description", "x"))
    assert "update_board" in str(caught.value)


def test_boards_create_and_duplicate_then_move_an_item_there(client: Any,
                                                             board: dict[str, Any]) -> None:
    created = run(client.boards.create("MC board", board_kind="private"))
    assert created.id and created.name == "MC board"
    copy = run(client.boards.duplicate(board["board_id"], board_name="MC copy"))
    assert copy.id not in (board["board_id"], created.id)
    item_id = create(client, board, "moving")
    moved = run(client.items.move_to_board(item_id, copy.id, "topics"))
    assert moved.id == item_id
    [found] = run(client.boards.get_items(copy.id))
    assert [i.id for i in found.items] == [item_id]
