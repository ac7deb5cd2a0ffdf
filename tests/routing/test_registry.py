"""Routing over the database, both engines: every order's route from its columns, each
board's fill now and after, the registry, and a re-run that changes nothing."""

from __future__ import annotations

from conftest import ConfigFactory, WorkbookFactory, execute, order_row
from ordersync.db import open_database
from ordersync.db.schema import create_tables
from ordersync.pipeline import run_pipeline
from ordersync.routing import RegisteredBoard, register_board, registered_boards, route_orders

ROUTING = {"key": "{CUSTOMER SEASON}", "board_name": "Schedule {CUSTOMER SEASON}",
           "template_board_id": "900"}


def _orders() -> list[dict[str, object]]:
    spring = {"CUSTOMER SEASON": "SPRING 2026"}
    return [order_row(1, {"S": 1, "M": 2}), order_row(2, {"S": 3}),
            order_row(3, {"S": 1, "M": 1, "L": 1}, **spring),
            order_row(4, {"S": 5}, order_type="CANCELLED", **spring),
            order_row(5, {"XL": 2}, **{"CUSTOMER SEASON": None, "AAG SEASON": "AW25"})]


def test_orders_are_routed_by_season_with_each_board_s_fill(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": "900", "routing": ROUTING})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", _orders())
    run_pipeline(config, db)

    result = route_orders(config, db)

    fills = {key: (f.name, f.board_id, f.items_now, f.items_after, f.subitems_after)
             for key, f in result.boards.items()}
    # The cancelled order never sent needs no item; the order with no customer season has a
    # blank route and is reported, not dropped.
    assert fills == {("FALL 2025", 1): ("Schedule FALL 2025", None, 0, 2, 3),
                     ("SPRING 2026", 1): ("Schedule SPRING 2026", None, 0, 1, 3)}
    assert result.unrouted == ["GRE-00005\x1fSEA\x1fGR-5-TEE"]
    db.dispose()


def test_pinned_and_registered_boards_are_used_and_the_split_is_stable(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={
        "board_id": "900", "limits": {"items_per_board": 2},
        "routing": {**ROUTING, "overflow": "split", "boards": {"SPRING 2026": "700"}}})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1}) for n in range(1, 6)])
    run_pipeline(config, db)
    create_tables(db)
    with db.begin() as conn:
        register_board(conn, db, RegisteredBoard("FALL 2025", 1, "Schedule FALL 2025", "801",
                                                 "802", "created"))
        register_board(conn, db, RegisteredBoard("FALL 2025", 1, "another", "999", None,
                                                 "adopted"))  # recorded once: ignored

    first = route_orders(config, db)

    assert registered_boards(db)[("FALL 2025", 1)].board_id == "801"
    parts = {uuid: key[1] for uuid, key in first.targets.items()}
    assert sorted(parts.values()) == [1, 1, 2, 2, 3]
    assert first.boards["FALL 2025", 1].board_id == "801"
    assert first.boards["FALL 2025", 3].name == "Schedule FALL 2025 (3)"
    assert route_orders(config, db).targets == first.targets  # a re-run: the same boards

    # The sync put the first two orders on board 801: they stay whatever the key order says.
    execute(db, "UPDATE orders SET monday_item_id = 'i' || business_key, "
                "monday_board_id = '801' WHERE business_key > 'GRE-00004'")
    moved = route_orders(config, db)
    on_801 = {u for u, key in moved.targets.items() if key == ("FALL 2025", 1)}
    assert len(on_801) == 2 and moved.moves == []
    assert moved.boards["FALL 2025", 1].items_now == 2
    db.dispose()


def test_without_a_key_every_order_is_on_the_one_board(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(monday={"board_id": "900", "limits": {"items_per_board": 3}})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", _orders())
    run_pipeline(config, db)

    result = route_orders(config, db)

    (fill,) = result.boards.values()
    assert (fill.board_id, fill.items_after, fill.subitems_after) == ("900", 4, 7)
    assert result.over_limit(3) == [fill]
    db.dispose()
