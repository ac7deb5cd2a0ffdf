"""The sync with [monday.routing]: orders routed by season onto their boards, each board's
mapping resolved and checked, exactly once, re-runs sending nothing (issue #10)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from io import StringIO
from typing import Any

import httpx
import pytest
from rich.console import Console

from conftest import WorkbookFactory, fetch, order_row
from ordersync import render
from ordersync.errors import BoardMismatch
from ordersync.sandbox import OrderBoard
from ordersync.sync import make_client, run_sync
from sync.conftest import TOKEN, Harness

SPRING = {"CUSTOMER SEASON": "SPRING 2026"}


def _orders() -> list[dict[str, Any]]:
    return [order_row(1, {"S": 1, "M": 2}), order_row(2, {"S": 3}),
            order_row(3, {"S": 1, "M": 1, "L": 1}, **SPRING), order_row(4, {"XL": 5}, **SPRING),
            order_row(5, {"S": 2}, order_type="CANCELLED", **SPRING)]


def _items(h: Harness, board_id: str) -> list[dict[str, Any]]:
    return [item for group in h.sandbox.board(board_id)["groups"] for item in group["items"]]


def _routed(harness_factory: Callable[..., Harness]) -> tuple[Harness, OrderBoard, OrderBoard]:
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}",
                                 "board_name": "Schedule {CUSTOMER SEASON}"})
    fall = h.sandbox.create_order_board("Schedule FALL 2025")
    spring = h.sandbox.create_order_board("Spring board")
    pins = {"FALL 2025": fall.board_id, "SPRING 2026": spring.board_id}
    h.config = h.config.model_copy(update={"monday": h.config.monday.model_copy(update={
        "routing": h.config.monday.routing.model_copy(update={"boards": pins})})})
    return h, fall, spring


def test_orders_go_to_their_season_s_board_with_their_subitems_and_a_re_run_sends_nothing(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h, fall, spring = _routed(harness_factory)
    write_workbook("GRE_a.xlsx", _orders())
    h.pipeline()

    report = h.sync()

    assert report.counts["failed"] == 0 and report.stopped is None
    out = StringIO()
    render.print_sync(Console(file=out, width=200), report)
    assert f"sync — boards routed from template board {h.ids.board_id}" in out.getvalue()
    on_fall, on_spring = _items(h, fall.board_id), _items(h, spring.board_id)
    assert sorted(i["name"] for i in on_fall) == ["GRE-00001 GR-1-TEE SEA",
                                                  "GRE-00002 GR-2-TEE SEA"]
    assert sorted(i["name"] for i in on_spring) == ["GRE-00003 GR-3-TEE SEA",
                                                    "GRE-00004 GR-4-TEE SEA"]
    assert _items(h, h.ids.board_id) == []  # the template board holds nothing
    sizes = {i["name"]: sorted(s["name"] for s in i["subitems"]) for i in on_fall + on_spring}
    assert sizes["GRE-00003 GR-3-TEE SEA"] == ["L", "M", "S"]
    assert sizes["GRE-00001 GR-1-TEE SEA"] == ["M", "S"]
    boards = {r.business_key.split("\x1f")[0]: r.monday_board_id for r in fetch(
        h.db, "SELECT business_key, monday_board_id FROM orders WHERE monday_item_id "
              "IS NOT NULL")}
    assert boards == {"GRE-00001": fall.board_id, "GRE-00002": fall.board_id,
                      "GRE-00003": spring.board_id, "GRE-00004": spring.board_id}
    registry = fetch(h.db, "SELECT route_value, part, board_id, subitems_board_id, origin "
                           "FROM monday_boards ORDER BY route_value")
    assert [tuple(r) for r in registry] == [
        ("FALL 2025", 1, fall.board_id, fall.subitems_board_id, "pinned"),
        ("SPRING 2026", 1, spring.board_id, spring.subitems_board_id, "pinned")]
    # No duplicate anywhere: one item per key on every board, one subitem per size.
    names = Counter(i["name"] for i in on_fall + on_spring)
    assert max(names.values()) == 1

    from ordersync.status import read_status

    assert read_status(h.db)["boards"] == [
        {"board_id": fall.board_id, "name": "Schedule FALL 2025", "route": "FALL 2025",
         "orders": 2, "lines": 3},
        {"board_id": spring.board_id, "name": "Schedule SPRING 2026", "route": "SPRING 2026",
         "orders": 2, "lines": 4}]

    sent = len(h.sent)
    again = h.sync()
    assert again.mutations == 0
    assert not [b for b in h.sent[sent:] if b["query"].lstrip().startswith("mutation")]


def test_the_report_shows_every_routed_board_and_its_groups_by_board(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    """The report titled its board chart with the template board (which holds nothing),
    summed groups over the boards, and named no routed board."""
    from ordersync.report import read_report_data
    from ordersync.report.page import render_page

    h, fall, spring = _routed(harness_factory)
    write_workbook("GRE_a.xlsx", _orders())
    h.pipeline()
    h.sync()

    data = read_report_data(h.config, h.db)
    page = render_page(data)

    assert [(b.board_id, b.name, b.items, b.subitems) for b in data.boards] == [
        (fall.board_id, "Schedule FALL 2025", 2, 3),
        (spring.board_id, "Schedule SPRING 2026", 2, 4)]
    assert [(g.board, g.group, g.items) for g in data.groups] == [
        ("Schedule FALL 2025", "GREYSTONE FALL 2025", 2),
        ("Schedule SPRING 2026", "GREYSTONE SPRING 2026", 2)]
    assert "<h2>Boards (2)</h2>" in page and fall.board_id in page
    assert "Schedule SPRING 2026 · GREYSTONE SPRING 2026" in page
    assert f"Board {h.ids.board_id}" not in page
    from ordersync.status import read_status

    shown = StringIO()
    render.print_status(Console(file=shown, width=200), read_status(h.db))
    assert (f"to the 2 routed board(s) above (template board {h.ids.board_id})"
            in shown.getvalue())


def test_a_board_without_a_mapped_column_is_refused_before_anything_is_written(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}"})
    from ordersync.sandbox.column_defs import ColumnDef, ColumnKind

    odd = h.sandbox.store.create_board("Odd", [ColumnDef("order_key", "Order Key",
                                                         ColumnKind.TEXT)], [])
    h.config = h.config.model_copy(update={"monday": h.config.monday.model_copy(update={
        "routing": h.config.monday.routing.model_copy(update={
            "boards": {"FALL 2025": odd.id}})})})
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1})])
    h.pipeline()

    with pytest.raises(BoardMismatch) as caught:
        h.sync()

    message = str(caught.value)
    assert f"monday.columns.status: board {odd.id} ('FALL 2025', route 'FALL 2025') has no " \
           "column 'status' and none titled 'Status' (the template's)" in message
    assert not [b for b in h.sent if b["query"].lstrip().startswith("mutation")]


def test_columns_with_new_ids_are_found_by_the_template_s_titles(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    from ordersync.sandbox.column_defs import ColumnDef, ColumnKind

    h = harness_factory(routing={"key": "{CUSTOMER SEASON}"})
    renamed = h.sandbox.store.create_board("Renamed", [
        ColumnDef("text_new1", "Order Key", ColumnKind.TEXT),
        ColumnDef("text_new2", "Customer", ColumnKind.TEXT),
        ColumnDef("numbers_new", "Total Qty", ColumnKind.NUMBERS),
        ColumnDef("date_new", "ETA", ColumnKind.DATE),
        ColumnDef.status("status_new", "Status"),
        ColumnDef.dropdown("dropdown_new", "Delivery Method", ["SEA", "AIR"]),
    ], [
        ColumnDef.dropdown("size_new", "Size", ["S", "M"]),
        ColumnDef("qty_new", "Order Qty", ColumnKind.NUMBERS),
        ColumnDef.status("line_new", "Status"),
    ])
    h.config = h.config.model_copy(update={"monday": h.config.monday.model_copy(update={
        "routing": h.config.monday.routing.model_copy(update={
            "boards": {"FALL 2025": renamed.id}})})})
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 4})])
    h.pipeline()

    report = h.sync()

    assert report.counts["failed"] == 0
    (item,) = _items(h, renamed.id)
    assert item["values"]["text_new1"] == "GRE-00001 | SEA | GR-1-TEE"
    assert item["values"]["numbers_new"] == "5"
    assert {s["name"]: s["values"]["qty_new"] for s in item["subitems"]} == {"S": "1", "M": "4"}
    assert h.sync().mutations == 0


# --- boards created from the template ----------------------------------------------------------

def _season_routing(h: Harness, **extra: Any) -> None:
    h.config = h.config.model_copy(update={"monday": h.config.monday.model_copy(update={
        "routing": h.config.monday.routing.model_copy(update=extra)})})


@pytest.mark.parametrize("new_ids", [False, True], ids=["ids-kept", "new-ids"])
def test_new_boards_are_duplicated_from_the_template_once_per_season(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory,
        new_ids: bool) -> None:
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}",
                                 "board_name": "Schedule {CUSTOMER SEASON}"})
    h.sandbox.store.new_column_ids = new_ids
    write_workbook("GRE_a.xlsx", _orders())
    h.pipeline()

    report = h.sync()

    assert report.counts["failed"] == 0 and report.counts["boards_created"] == 2
    registry = fetch(h.db, "SELECT route_value, board_name, board_id, subitems_board_id, "
                           "origin FROM monday_boards ORDER BY route_value")
    assert [(r.route_value, r.board_name, r.origin) for r in registry] == [
        ("FALL 2025", "Schedule FALL 2025", "created"),
        ("SPRING 2026", "Schedule SPRING 2026", "created")]
    boards = {r.board_id for r in registry}
    subitems = {r.subitems_board_id for r in registry}
    assert len(boards) == 2 and len(subitems) == 2 and None not in subitems
    assert not boards & {h.ids.board_id} and not subitems & {h.ids.subitems_board_id}
    fall, spring = (r.board_id for r in registry)
    assert len(_items(h, fall)) == 2 and len(_items(h, spring)) == 2
    (item,) = [i for i in _items(h, spring) if i["name"].startswith("GRE-00003")]
    assert sorted(s["name"] for s in item["subitems"]) == ["L", "M", "S"]
    assert "GRE-00003 | SEA | GR-3-TEE" in item["values"].values()  # the identity column
    quantities = {s["name"]: sorted(v for v in s["values"].values() if v.isdigit())
                  for s in item["subitems"]}
    assert quantities == {"S": ["1"], "M": ["1"], "L": ["1"]}  # the quantity column
    assert _items(h, h.ids.board_id) == []

    again = h.sync()
    assert again.mutations == 0 and again.counts["boards_created"] == 0
    assert len(fetch(h.db, "SELECT board_id FROM monday_boards")) == 2


class LoseDuplicateResponses(httpx.BaseTransport):
    """Forwards every request; the responses of the first ``n`` duplicate_board requests
    are lost after monday applied them (a crash or a dropped connection)."""

    def __init__(self, inner: httpx.BaseTransport, n: int) -> None:
        self.inner, self.left = inner, n

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.left and b"duplicate_board" in request.read():
            self.left -= 1
            raise httpx.ReadTimeout("response lost", request=request)
        return response


@pytest.mark.parametrize("attempts", [1, 5])
def test_a_board_whose_creation_was_not_recorded_is_adopted_never_made_twice(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory,
        attempts: int) -> None:
    """The answer to duplicate_board is lost: the board is looked up by name, not copied
    again (a server that ignores the Idempotency-Key would make a second one)."""
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}"}, retry={"max_attempts": attempts})
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1})])
    h.pipeline()
    lossy = LoseDuplicateResponses(h.sandbox.mock_transport(), 1)

    with make_client(h.config, TOKEN, transport=lossy, sleep=h.clock.advance,
                     clock=h.clock.now) as client:
        first = run_sync(h.config, h.db, client, clock=h.clock.now, sleep=h.clock.advance)

    assert first.stopped is None and first.counts["boards_adopted"] == 1
    made = [b for b in h.sandbox.store.boards() if b.name == "FALL 2025"]
    assert len(made) == 1
    (row,) = fetch(h.db, "SELECT board_id, origin FROM monday_boards")
    assert row.board_id == made[0].id and row.origin == "adopted"
    assert len(_items(h, made[0].id)) == 1 and h.sync().mutations == 0


def test_an_order_whose_season_changed_moves_to_its_new_board_with_its_subitems(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}"})
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2}), order_row(2, {"S": 3},
                                                                           **SPRING)])
    h.pipeline()
    h.sync()
    boards = {r.route_value: r.board_id for r in fetch(
        h.db, "SELECT route_value, board_id FROM monday_boards")}
    (before,) = _items(h, boards["FALL 2025"])

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 5}, **SPRING),
                                  order_row(2, {"S": 3}, **SPRING)])
    h.pipeline()
    report = h.sync()

    assert report.counts["failed"] == 0 and report.counts["items_moved_board"] == 1
    assert _items(h, boards["FALL 2025"]) == []  # nothing left behind
    moved = [i for i in _items(h, boards["SPRING 2026"]) if i["id"] == before["id"]]
    assert len(moved) == 1  # the same item, not a copy
    quantities = {s["name"]: [v for v in s["values"].values() if v.isdigit()]
                  for s in moved[0]["subitems"]}
    assert quantities == {"S": ["1"], "M": ["5"]}
    assert len(_items(h, boards["SPRING 2026"])) == 2
    (row,) = fetch(h.db, "SELECT monday_board_id FROM orders WHERE business_key LIKE "
                         "'GRE-00001%'")
    assert row.monday_board_id == boards["SPRING 2026"]
    assert h.sync().mutations == 0


def test_more_boards_than_monday_creates_a_minute_wait_for_the_limit(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(routing={"key": "{AAG ORDER NUMBER}"})
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1}) for n in range(1, 43)])
    h.pipeline()

    report = h.sync()

    assert report.counts["failed"] == 0 and report.counts["boards_created"] == 42
    refusals = [b for b in h.sent if "duplicate_board" in b["query"]]
    assert len(refusals) > 42  # the 41st was refused (429) and sent again after the wait
    assert h.clock.now() >= 60


def test_a_route_past_the_limit_is_refused_before_any_board_is_made_or_item_sent(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    from ordersync.errors import CapacityExceeded

    h = harness_factory(routing={"key": "{CUSTOMER SEASON}"}, limits={"items_per_board": 2})
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1}) for n in range(1, 4)])
    h.pipeline()

    with pytest.raises(CapacityExceeded, match='overflow = "split"'):
        h.sync()

    assert not [b for b in h.sent if b["query"].lstrip().startswith("mutation")]
    assert [b.name for b in h.sandbox.store.boards() if b.name.startswith("FALL")] == []


def test_overflow_split_opens_numbered_boards_and_a_re_run_keeps_every_order_where_it_is(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}", "overflow": "split"},
                        limits={"items_per_board": 2})
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 1}) for n in range(1, 6)])
    h.pipeline()

    assert h.sync().counts["failed"] == 0

    rows = fetch(h.db, "SELECT board_name, board_id FROM monday_boards ORDER BY part")
    assert [r.board_name for r in rows] == ["FALL 2025", "FALL 2025 (2)", "FALL 2025 (3)"]
    held = {r.board_name: sorted(i["name"][:9] for i in _items(h, r.board_id)) for r in rows}
    assert held == {"FALL 2025": ["GRE-00001", "GRE-00002"],
                    "FALL 2025 (2)": ["GRE-00003", "GRE-00004"], "FALL 2025 (3)": ["GRE-00005"]}
    placed = {r.record_uuid: r.monday_board_id for r in fetch(
        h.db, "SELECT record_uuid, monday_board_id FROM orders")}

    write_workbook("GRE_a.xlsx", [order_row(n, {"S": 2}) for n in range(1, 7)])  # 6 is new
    h.pipeline()
    assert h.sync().counts["items_moved_board"] == 0
    after = {r.record_uuid: r.monday_board_id for r in fetch(
        h.db, "SELECT record_uuid, monday_board_id FROM orders")}
    assert {u: b for u, b in after.items() if u in placed} == placed  # nobody moved
    assert sorted(i["name"][:9] for i in _items(h, rows[2].board_id)) == ["GRE-00005",
                                                                         "GRE-00006"]
    assert h.sync().mutations == 0
