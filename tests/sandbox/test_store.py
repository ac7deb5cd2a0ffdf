"""The sandbox's boards and items: what monday accepts, what it refuses, what a planner sees."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ordersync.sandbox.clock import FakeClock
from ordersync.sandbox.columns import (
    MISSING_LABEL,
    ColumnDef,
    ColumnKind,
    DropdownValue,
    NumberValue,
    StatusValue,
    TextValue,
)
from ordersync.sandbox.errors import MondayError
from ordersync.sandbox.store import CURSOR_EXPIRED, ItemState, OrderBoard, Store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> Store:
    return Store(clock=clock)


@pytest.fixture
def order(store: Store) -> OrderBoard:
    return store.create_order_board()


def refused(call: Any, *args: Any, **kwargs: Any) -> MondayError:
    with pytest.raises(MondayError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- boards and groups ----------------------------------------------------------------------


def test_order_board_has_the_columns_and_a_subitems_board(store: Store, order: OrderBoard) -> None:
    board, sub = store.board(order.board_id), store.board(order.subitems_board_id)

    assert [(c.id, c.type) for c in board.columns] == [
        ("name", ColumnKind.NAME), (order.identity, ColumnKind.TEXT),
        (order.customer, ColumnKind.TEXT), (order.notes, ColumnKind.LONG_TEXT),
        (order.quantity, ColumnKind.NUMBERS), (order.eta, ColumnKind.DATE),
        (order.status, ColumnKind.STATUS), (order.delivery, ColumnKind.DROPDOWN),
        (order.subitems, ColumnKind.SUBTASKS)]
    assert [(c.id, c.type) for c in sub.columns] == [
        ("name", ColumnKind.NAME), (order.size, ColumnKind.DROPDOWN),
        (order.order_qty, ColumnKind.NUMBERS), (order.line_status, ColumnKind.STATUS)]
    subtasks = board.column(order.subitems)
    assert subtasks is not None
    assert subtasks.settings["boardIds"] == [int(order.subitems_board_id)]
    assert (board.subitems_board_id, sub.parent_board_id) == (sub.id, board.id)
    assert [(g.id, g.title) for g in board.groups] == [("topics", "Group Title")]


def test_unknown_board_is_invalid_board_id_exception(store: Store, order: OrderBoard) -> None:
    for error in (refused(store.board, 123), refused(store.create_item, "123", "PO-1"),
                  refused(store.items_page, 123),
                  refused(store.change_simple_column_value, "1", 123, "order_key", "x")):
        assert error.to_payload() == {
            "message": "The board does not exist. Please check your board ID and try again",
            "extensions": {"code": "InvalidBoardIdException", "status_code": 200,
                           "error_data": {"board_id": 123}}}


def test_new_groups_go_on_top_or_where_asked(store: Store, order: OrderBoard) -> None:
    top = store.create_group(order.board_id, "ACME SS26")
    bottom = store.create_group(order.board_id, "Bottom", position_relative_method="before_at")
    below_top = store.create_group(order.board_id, "Below", relative_to=top.id)
    above_bottom = store.create_group(order.board_id, "Above", relative_to=bottom.id,
                                      position_relative_method="before_at")

    titles = [g.title for g in store.board(order.board_id).groups]
    assert titles == ["ACME SS26", "Below", "Group Title", "Above", "Bottom"]
    assert len({top.id, bottom.id, below_top.id, above_bottom.id, "topics"}) == 5


@pytest.mark.parametrize(("name", "relative_to", "code"), [
    pytest.param("", None, "InvalidArgumentException", id="empty-name"),
    pytest.param("G" * 256, None, "InvalidArgumentException", id="name-256"),
    pytest.param("G", "nope", "ResourceNotFoundException", id="unknown-relative-to"),
])
def test_group_errors(store: Store, order: OrderBoard, name: str, relative_to: str | None,
                      code: str) -> None:
    error = refused(store.create_group, order.board_id, name, relative_to=relative_to)

    assert error.code == code
    assert [g.id for g in store.board(order.board_id).groups] == ["topics"]


# --- items ----------------------------------------------------------------------------------


def test_create_item_stores_values_in_the_first_group(store: Store, order: OrderBoard,
                                                      clock: FakeClock) -> None:
    item = store.create_item(order.board_id, "PO-1 ST-9 SEA", column_values={
        order.identity: "PO-1|SEA|ST-9", order.quantity: "120", order.status: {"label": "Done"},
        order.delivery: {"labels": ["SEA"]}})

    assert (item.board_id, item.group_id, item.state) == (order.board_id, "topics",
                                                          ItemState.ACTIVE)
    assert item.created_at == item.updated_at == clock.utcnow()
    assert item.values == {order.identity: TextValue("PO-1|SEA|ST-9"),
                           order.quantity: NumberValue("120"), order.status: StatusValue(1),
                           order.delivery: DropdownValue((1,))}
    assert store.item(item.id) == item


def test_ids_are_numeric_increasing_and_never_reused(store: Store, order: OrderBoard) -> None:
    first = store.create_item(order.board_id, "A")
    store.delete_item(first.id)
    second = store.create_item(order.board_id, "B")
    sub = store.create_subitem(second.id, "S")

    ids = [order.board_id, order.subitems_board_id, first.id, second.id, sub.id]
    assert all(i.isdigit() for i in ids)
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("state", [ItemState.DELETED, ItemState.ARCHIVED])
def test_a_deleted_or_archived_board_is_no_longer_found(store: Store, order: OrderBoard,
                                                        clock: FakeClock,
                                                        state: ItemState) -> None:
    item = store.create_item(order.board_id, "PO-1")
    sub = store.create_subitem(item.id, "S")
    end = store.delete_board if state is ItemState.DELETED else store.archive_board

    assert end(order.board_id).state is state

    for board_id in (order.board_id, order.subitems_board_id):
        error = refused(store.board, board_id)
        assert (error.code, error.error_data) == ("InvalidBoardIdException",
                                                  {"board_id": int(board_id)})
    assert refused(store.create_item, order.board_id, "PO-2").code == "InvalidBoardIdException"
    kept = ItemState.DELETED if state is ItemState.DELETED else ItemState.ACTIVE
    assert (store.item(item.id).state, store.item(sub.id).state) == (kept, kept)
    assert store.board_record(order.board_id).state is state  # items still name it
    loaded = Store.from_json(json.loads(json.dumps(store.to_json())), clock=clock)
    assert loaded.board_record(order.board_id).state is state


def test_create_item_in_a_named_group(store: Store, order: OrderBoard) -> None:
    group = store.create_group(order.board_id, "ACME SS26")

    assert store.create_item(order.board_id, "PO-1", group.id).group_id == group.id


def test_unknown_group_is_resource_not_found(store: Store, order: OrderBoard) -> None:
    error = refused(store.create_item, order.board_id, "PO-1", "new_group")

    # monday documents no error_data for it (API_NOTES §5): a client cannot tell a gone
    # group from a gone item by the error alone
    assert (error.code, error.status_code, error.error_data) == (
        "ResourceNotFoundException", 404, None)


@pytest.mark.parametrize(("name", "code"), [
    pytest.param("", "InvalidItemNameException", id="empty"),
    pytest.param("   ", "InvalidItemNameException", id="blank"),
    pytest.param("x" * 256, "ItemNameTooLongException", id="256-chars"),
])
def test_item_names_must_have_1_to_255_characters(store: Store, order: OrderBoard, name: str,
                                                  code: str) -> None:
    parent = store.create_item(order.board_id, "x" * 255)

    assert refused(store.create_item, order.board_id, name).code == code
    assert refused(store.create_subitem, parent.id, name).code == code
    assert [i.name for i in store.items_page(order.board_id).items] == ["x" * 255]


def test_items_cannot_be_created_on_a_subitems_board(store: Store, order: OrderBoard) -> None:
    error = refused(store.create_item, order.subitems_board_id, "S")

    assert error.code == "InvalidArgumentException"
    assert error.error_data == {"board_id": int(order.subitems_board_id)}


def test_a_board_holds_at_most_items_limit_items(clock: FakeClock) -> None:
    store = Store(clock=clock, items_limit=3)
    order = store.create_order_board()
    items = [store.create_item(order.board_id, f"PO-{n}") for n in range(3)]

    error = refused(store.create_item, order.board_id, "PO-3")

    assert (error.code, error.message) == ("ItemsLimitationException",
                                           "exceeded the limit of 3 items per board")
    store.archive_item(items[0].id)  # archived items still count
    assert refused(store.create_item, order.board_id, "PO-3").code == "ItemsLimitationException"
    store.delete_item(items[1].id)
    assert store.create_item(order.board_id, "PO-3").name == "PO-3"
    other = store.create_order_board("Other")
    assert store.create_item(other.board_id, "PO-1").board_id == other.board_id


def test_the_default_limit_is_10000_items(store: Store, order: OrderBoard) -> None:
    for n in range(10_000):
        store.create_item(order.board_id, f"PO-{n}")

    error = refused(store.create_item, order.board_id, "PO-10000")

    assert (error.code, error.message) == ("ItemsLimitationException",
                                           "exceeded the limit of 10,000 items per board")


# --- column values --------------------------------------------------------------------------


def test_change_multiple_column_values_writes_clears_and_touches(
        store: Store, order: OrderBoard, clock: FakeClock) -> None:
    item = store.create_item(order.board_id, "PO-1", column_values={
        order.customer: "ACME", order.quantity: "5"})
    clock.advance(90)

    changed = store.change_multiple_column_values(item.id, order.board_id, {
        order.customer: None, order.quantity: 7, order.eta: {"date": "2026-03-01"},
        order.status: {"label": "Shipped"}}, create_labels_if_missing=True)

    assert changed.updated_at == clock.utcnow() != changed.created_at
    assert store.snapshot(order.board_id)["groups"][0]["items"][0]["values"] == {
        order.identity: "", order.customer: "", order.notes: "", order.quantity: "7",
        order.eta: "2026-03-01", order.status: "Shipped", order.delivery: ""}
    status = store.board(order.board_id).column(order.status)
    assert status is not None and status.label_named("Shipped") is not None


def test_one_bad_value_fails_the_whole_call(store: Store, order: OrderBoard,
                                            clock: FakeClock) -> None:
    item = store.create_item(order.board_id, "PO-1", column_values={order.customer: "ACME"})
    board = store.board(order.board_id)
    clock.advance(60)

    error = refused(store.change_multiple_column_values, item.id, order.board_id, {
        order.customer: "Globex", order.status: {"label": "Shipped"},
        order.quantity: "lots"}, create_labels_if_missing=True)

    assert error.code == "ColumnValueException"
    assert store.item(item.id) == item  # neither value nor updated_at changed
    assert store.board(order.board_id) == board  # the label "Shipped" was not created


def test_create_item_with_a_bad_value_creates_nothing(store: Store, order: OrderBoard) -> None:
    error = refused(store.create_item, order.board_id, "PO-1", column_values={
        order.customer: "ACME", order.status: "Shipped"})

    assert (error.code, error.message) == ("ColumnValueException", MISSING_LABEL)
    assert store.items_page(order.board_id).items == ()


@pytest.mark.parametrize(("column_id", "value", "code"), [
    pytest.param("statuz", "Done", "InvalidColumnIdException", id="unknown-column"),
    pytest.param("name", "Renamed", "ColumnValueException", id="name-column"),
    pytest.param("subitems", {"subitems_ids": []}, "ColumnValueException", id="subtasks-column"),
    pytest.param("size", "S", "InvalidColumnIdException", id="subitems-board-column"),
])
def test_column_values_only_for_the_boards_writable_columns(
        store: Store, order: OrderBoard, column_id: str, value: Any, code: str) -> None:
    error = refused(store.create_item, order.board_id, "PO-1", column_values={column_id: value})

    assert error.code == code
    if code == "InvalidColumnIdException":
        assert error.error_data == {"column_id": column_id}


def test_column_values_must_be_an_object(store: Store, order: OrderBoard) -> None:
    error = refused(store.create_item, order.board_id, "PO-1", column_values=["x"])

    assert error.code == "InvalidArgumentException"


def test_change_simple_column_value(store: Store, order: OrderBoard) -> None:
    item = store.create_item(order.board_id, "PO-1")

    store.change_simple_column_value(item.id, order.board_id, order.status, "Stuck")
    store.change_simple_column_value(item.id, order.board_id, order.quantity, "0")
    changed = store.change_simple_column_value(item.id, order.board_id, order.delivery, "AIR")

    assert changed.values == {order.status: StatusValue(2), order.quantity: NumberValue("0"),
                              order.delivery: DropdownValue((2,))}
    cleared = store.change_simple_column_value(item.id, order.board_id, order.quantity, "")
    assert order.quantity not in cleared.values


@pytest.mark.parametrize(("column_id", "value", "code"), [
    pytest.param("statuz", "Done", "InvalidColumnIdException", id="unknown-column"),
    pytest.param("subitems", "1", "CorrectedValueException", id="subtasks-column"),
    pytest.param("status", "Shipped", "ColumnValueException", id="unknown-label"),
])
def test_change_simple_column_value_errors(store: Store, order: OrderBoard, column_id: str,
                                           value: str, code: str) -> None:
    item = store.create_item(order.board_id, "PO-1")

    assert refused(store.change_simple_column_value, item.id, order.board_id, column_id,
                   value).code == code
    assert store.item(item.id) == item


def test_item_must_exist_on_the_board_given(store: Store, order: OrderBoard) -> None:
    other = store.create_order_board("Other")
    item = store.create_item(order.board_id, "PO-1")

    missing = refused(store.change_multiple_column_values, 999, order.board_id, {})
    elsewhere = refused(store.change_multiple_column_values, item.id, other.board_id, {})

    assert (missing.code, missing.status_code, missing.error_data) == (
        "ResourceNotFoundException", 404, None)
    assert (elsewhere.code, elsewhere.message) == ("ResourceNotFoundException",
                                                   "Item not found in board")
    assert refused(store.item, "999").code == "ResourceNotFoundException"


def test_values_of_archived_or_deleted_items_cannot_change(store: Store,
                                                           order: OrderBoard) -> None:
    archived = store.archive_item(store.create_item(order.board_id, "A").id)
    deleted = store.delete_item(store.create_item(order.board_id, "D").id)

    for item in (archived, deleted):
        error = refused(store.change_simple_column_value, item.id, order.board_id,
                        order.customer, "x")
        assert (error.code, error.message) == ("InvalidArgumentException",
                                               "Cannot change column value for inactive items")


# --- subitems -------------------------------------------------------------------------------


def test_subitems_live_on_the_subitems_board(store: Store, order: OrderBoard) -> None:
    parent = store.create_item(order.board_id, "PO-1")

    sub = store.create_subitem(parent.id, "M", {order.size: "M", order.order_qty: "40"})

    assert (sub.board_id, sub.group_id, sub.parent_id) == (order.subitems_board_id, "topics",
                                                           parent.id)
    assert store.subitems(parent.id) == (sub,)
    assert refused(store.create_subitem, parent.id, "L",
                   {order.identity: "x"}).code == "InvalidColumnIdException"


def test_subitem_parents_must_be_active_top_level_items(store: Store, order: OrderBoard) -> None:
    parent = store.create_item(order.board_id, "PO-1")
    sub = store.create_subitem(parent.id, "S")
    gone = store.delete_item(store.create_item(order.board_id, "PO-2").id)

    assert refused(store.create_subitem, sub.id, "S").code == "InvalidArgumentException"
    assert refused(store.create_subitem, gone.id, "S").code == "ResourceNotFoundException"
    assert refused(store.create_subitem, 999, "S").code == "ResourceNotFoundException"


def test_archive_and_delete_take_the_subitems_along(store: Store, order: OrderBoard,
                                                    clock: FakeClock) -> None:
    first, second = (store.create_item(order.board_id, n) for n in ("PO-1", "PO-2"))
    subs = [store.create_subitem(first.id, "S"), store.create_subitem(second.id, "S")]
    clock.advance(5)

    archived = store.archive_item(first.id)
    deleted = store.delete_item(second.id)

    assert (archived.state, deleted.state) == (ItemState.ARCHIVED, ItemState.DELETED)
    assert [store.item(s.id).state for s in subs] == [ItemState.ARCHIVED, ItemState.DELETED]
    assert archived.updated_at == clock.utcnow()
    assert store.items_page(order.board_id).items == ()
    assert store.items_page(order.subitems_board_id).items == ()
    assert store.snapshot(order.board_id)["groups"][0]["items"] == []
    assert store.archive_item(first.id) == archived  # again: nothing changes
    assert store.delete_item(second.id) == deleted
    assert refused(store.archive_item, second.id).code == "ResourceNotFoundException"


def test_move_item_to_group_moves_an_item_within_its_board(store: Store,
                                                           order: OrderBoard) -> None:
    other = store.create_group(order.board_id, "SPRING 2026")
    item = store.create_item(order.board_id, "PO-1")
    sub = store.create_subitem(item.id, "S")

    moved = store.move_item_to_group(item.id, other.id)

    assert moved.group_id == other.id
    groups = {g["title"]: [i["name"] for i in g["items"]]
              for g in store.snapshot(order.board_id)["groups"]}
    assert groups == {"SPRING 2026": ["PO-1"], "Group Title": []}
    assert store.move_item_to_group(item.id, other.id) == moved  # again: nothing changes
    assert refused(store.move_item_to_group, item.id, "nope").code == "ResourceNotFoundException"
    assert refused(store.move_item_to_group, sub.id, other.id).code == \
        "ResourceNotFoundException"


# --- items_page and cursors -----------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, 501], ids=["limit-0", "limit-501"])
def test_page_size_is_1_to_500(store: Store, order: OrderBoard, limit: int) -> None:
    for call in (store.items_page, lambda b, limit: store.items_by_column_values(
            b, order.identity, ["x"], limit=limit)):
        error = refused(call, order.board_id, limit=limit)
        assert (error.code, error.error_data) == ("InvalidArgumentException", {"limit": limit})


def test_paging_through_1234_items_in_pages_of_500(store: Store, order: OrderBoard) -> None:
    created = [store.create_item(order.board_id, f"PO-{n}").id for n in range(1234)]

    page = store.items_page(order.board_id, limit=500)
    pages = [page]
    while page.cursor is not None:
        page = store.next_items_page(page.cursor, limit=500)
        pages.append(page)

    assert [len(p.items) for p in pages] == [500, 500, 234]
    assert [i.id for p in pages for i in p.items] == created
    assert store.items_page(order.board_id).cursor is not None  # default page: 25 items


def test_cursor_expires_60_minutes_after_the_first_page(store: Store, order: OrderBoard,
                                                        clock: FakeClock) -> None:
    for n in range(4):
        store.create_item(order.board_id, f"PO-{n}")
    first = store.items_page(order.board_id, limit=1)
    assert first.cursor is not None
    clock.advance(30 * 60)
    second = store.next_items_page(first.cursor, limit=1)  # a new cursor, same deadline
    assert second.cursor is not None
    clock.advance(30 * 60 - 1)
    assert len(store.next_items_page(second.cursor, limit=1).items) == 1
    clock.advance(1)

    error = refused(store.next_items_page, second.cursor, limit=1)

    assert error.to_payload() == {"message": CURSOR_EXPIRED, "extensions": {
        "code": "CursorException", "status_code": 200}}
    assert refused(store.next_items_page, "not-a-cursor").code == "CursorException"


def test_items_page_shows_active_items_only(store: Store, order: OrderBoard) -> None:
    a, b, c, d = (store.create_item(order.board_id, n).id for n in "abcd")
    store.archive_item(b)
    first = store.items_page(order.board_id, limit=1)
    store.delete_item(c)  # while paging
    assert first.cursor is not None

    rest = store.next_items_page(first.cursor, limit=10)

    assert [i.id for i in first.items + rest.items] == [a, d]
    assert rest.cursor is None


def test_items_page_of_one_group(store: Store, order: OrderBoard) -> None:
    group = store.create_group(order.board_id, "ACME SS26")
    elsewhere = store.create_item(order.board_id, "elsewhere", "topics")
    inside = store.create_item(order.board_id, "inside")  # no group: the top group

    assert store.items_page(order.board_id, group_id=group.id).items == (inside,)
    assert store.items_page(order.board_id, group_id="topics").items == (elsewhere,)


def test_items_by_column_values_matches_whole_texts(store: Store, order: OrderBoard) -> None:
    po1 = store.create_item(order.board_id, "PO-1", column_values={order.identity: "PO-1|SEA"})
    po2 = store.create_item(order.board_id, "PO-2", column_values={order.identity: "po-2|air"})
    empty = store.create_item(order.board_id, "PO-3")
    store.delete_item(store.create_item(order.board_id, "PO-4",
                                        column_values={order.identity: "PO-4|SEA"}).id)

    def found(values: list[str | None], column: str = order.identity) -> list[str]:
        return [i.id for i in store.items_by_column_values(order.board_id, column,
                                                           values).items]

    assert found(["PO-1|SEA", "PO-2|AIR"]) == [po1.id, po2.id]
    assert found(["PO-1"]) == []  # whole value only
    assert found(["PO-4|SEA"]) == []  # deleted
    assert found([""]) == found([None]) == [empty.id]
    assert found(["po-2"], "name") == [po2.id]


def test_items_by_column_values_pages_and_refuses_unknown_columns(store: Store,
                                                                  order: OrderBoard) -> None:
    ids = [store.create_item(order.board_id, f"PO-{n}",
                             column_values={order.customer: "ACME"}).id for n in range(3)]
    store.create_item(order.board_id, "other", column_values={order.customer: "Globex"})

    first = store.items_by_column_values(order.board_id, order.customer, ["acme"], limit=2)
    assert first.cursor is not None
    rest = store.next_items_page(first.cursor, limit=2)

    assert [i.id for i in first.items + rest.items] == ids
    assert rest.cursor is None
    error = refused(store.items_by_column_values, order.board_id, "statuz", ["x"])
    assert (error.code, error.error_data) == ("InvalidColumnIdException", {"column_id": "statuz"})


# --- persistence and inspection -------------------------------------------------------------


def test_state_survives_json(store: Store, order: OrderBoard, clock: FakeClock) -> None:
    group = store.create_group(order.board_id, "ACME SS26")
    item = store.create_item(order.board_id, "PO-1", group.id, {
        order.identity: "PO-1", order.notes: {"text": "rush"}, order.quantity: "1.5",
        order.eta: {"date": "2026-03-01", "time": "08:00:00"}, order.status: "Shipped",
        order.delivery: {"labels": ["SEA", "RAIL"]}}, create_labels_if_missing=True)
    store.create_subitem(item.id, "XL", {order.size: "XL"}, create_labels_if_missing=True)
    store.archive_item(store.create_item(order.board_id, "PO-2").id)
    store.delete_item(store.create_item(order.board_id, "PO-3").id)

    data = json.loads(json.dumps(store.to_json()))
    loaded = Store.from_json(data, clock=clock)

    assert loaded.to_json() == data
    assert loaded.boards() == store.boards()
    assert loaded.snapshot(order.board_id) == store.snapshot(order.board_id)
    assert loaded.item(item.id) == item
    assert int(loaded.create_item(order.board_id, "PO-4").id) > max(
        int(i["id"]) for i in data["items"])


def test_snapshot_is_what_a_planner_sees(store: Store, order: OrderBoard) -> None:
    group = store.create_group(order.board_id, "ACME SS26")
    item = store.create_item(order.board_id, "PO-1 ST-9 SEA", group.id, {
        order.identity: "PO-1|SEA|ST-9", order.quantity: "120", order.eta: "2026-03-01",
        order.status: "Working on it", order.delivery: "SEA"})
    small = store.create_subitem(item.id, "S", {order.size: "S", order.order_qty: "70"})
    store.delete_item(store.create_subitem(item.id, "M").id)

    assert store.snapshot(order.board_id) == {
        "id": order.board_id, "name": "Orders", "groups": [
            {"id": group.id, "title": "ACME SS26", "items": [
                {"id": item.id, "name": "PO-1 ST-9 SEA",
                 "values": {order.identity: "PO-1|SEA|ST-9", order.customer: "",
                            order.notes: "", order.quantity: "120", order.eta: "2026-03-01",
                            order.status: "Working on it", order.delivery: "SEA"},
                 "subitems": [{"id": small.id, "name": "S", "values": {
                     order.size: "S", order.order_qty: "70", order.line_status: ""}}]}]},
            {"id": "topics", "title": "Group Title", "items": []}]}


def test_create_board_with_custom_columns(store: Store) -> None:
    board = store.create_board("Plain", [ColumnDef("text", "Text", ColumnKind.TEXT)])

    assert [c.id for c in board.columns] == ["name", "text", "subitems"]
    with pytest.raises(ValueError, match="duplicate column ids"):
        store.create_board("Twice", [ColumnDef("a", "A", ColumnKind.TEXT)] * 2)
