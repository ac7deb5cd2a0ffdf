"""A routed board deleted (or archived) on monday.com: its orders wait with the reason and
the two ways out, every other board syncs and verifies, and ``sync --new-board ROUTE``
gives the route a new board with its orders — never a second board or item on its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import httpx
import pytest
from rich.console import Console

from conftest import WorkbookFactory, fetch, order_row
from ordersync import render
from ordersync.errors import ConfigError
from ordersync.sync import SyncReport, make_client, run_sync
from ordersync.verify import Kind, VerifyOptions, run_verify
from sync.conftest import TOKEN, Harness

FALL, SPRING = "FALL 2025", "SPRING 2026"


def _rows(qty: int = 1, moved: int | None = None) -> list[dict[str, Any]]:
    return [order_row(n, {"S": qty * n}, **{"CUSTOMER SEASON": SPRING if n > 2 or n == moved
                                            else FALL}) for n in range(1, 5)]


def _items(h: Harness, board_id: str) -> list[dict[str, Any]]:
    return [item for group in h.sandbox.board(board_id)["groups"] for item in group["items"]]


def _mutations(h: Harness, since: int) -> list[dict[str, Any]]:
    return [b for b in h.sent[since:] if b["query"].lstrip().startswith("mutation")]


@pytest.fixture
def routed(harness_factory: Callable[..., Harness],
           write_workbook: WorkbookFactory) -> tuple[Harness, dict[str, str]]:
    """Orders 1–2 on the FALL board, 3–4 on the SPRING board (both made from the
    template); route → board id."""
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}",
                                 "board_name": "Schedule {CUSTOMER SEASON}"})
    write_workbook("GRE_a.xlsx", _rows())
    h.pipeline()
    assert not h.sync().incomplete
    return h, {r.route_value: r.board_id for r in fetch(
        h.db, "SELECT route_value, board_id FROM monday_boards")}


def _printed(report: SyncReport) -> str:
    out = StringIO()
    render.print_sync(Console(file=out, width=400), report)
    return out.getvalue()


def test_a_deleted_board_s_orders_wait_and_the_other_boards_sync(
        routed: tuple[Harness, dict[str, str]], write_workbook: WorkbookFactory) -> None:
    h, boards = routed
    h.sandbox.store.delete_board(boards[FALL])
    write_workbook("GRE_a.xlsx", _rows(qty=2))  # every order changed
    h.pipeline()
    before = len(h.sent)

    report = h.sync()

    assert report.stopped is None and report.incomplete  # exit 3, not 1
    assert report.counts["items_updated"] == 2 and report.counts["items_created"] == 0
    assert {i["values"][h.ids.quantity] for i in _items(h, boards[SPRING])} == {"6", "8"}
    assert not [m for m in _mutations(h, before) if boards[FALL] in json.dumps(m)]
    (gone,) = report.boards_gone
    assert gone.what == f"board {boards[FALL]} ('Schedule FALL 2025'): 2 order(s) wait"
    assert f"route '{FALL}'" in gone.reason and "restore the board" in gone.reason
    assert f"`ordersync sync --new-board '{FALL}'`" in gone.reason
    assert report.unsent == 0  # not "the next sync sends them": they wait for the board
    assert "gone from monday.com" in _printed(report)
    (run,) = fetch(h.db, "SELECT status, error FROM sync_runs ORDER BY id DESC LIMIT 1")
    assert run.status == "partial" and boards[FALL] in run.error
    again = h.sync()  # no loop, nothing made in the gone board's place
    assert len(again.boards_gone) == 1 and again.mutations == 0
    assert len(fetch(h.db, "SELECT board_id FROM monday_boards")) == 2


def test_an_order_whose_item_is_on_a_deleted_board_waits_instead_of_being_made_again(
        routed: tuple[Harness, dict[str, str]], write_workbook: WorkbookFactory) -> None:
    h, boards = routed
    h.sandbox.store.delete_board(boards[FALL])
    write_workbook("GRE_a.xlsx", _rows(moved=2))  # order 2 moves to SPRING
    h.pipeline()

    report = h.sync()

    assert report.counts["items_created"] == 0 and report.counts["items_recreated"] == 0
    assert len(_items(h, boards[SPRING])) == 2
    (gone,) = report.boards_gone
    assert gone.what.endswith("1 order(s) wait")


def test_a_board_deleted_during_the_run_stops_only_its_own_orders(
        routed: tuple[Harness, dict[str, str]], write_workbook: WorkbookFactory) -> None:
    """Read before the run, deleted before its first write: monday answers
    InvalidBoardIdException, a read confirms the board is gone, the other board goes on."""
    h, boards = routed
    write_workbook("GRE_a.xlsx", _rows(qty=3))
    h.pipeline()
    inner = h.transport()

    def board_alive() -> bool:
        return any(b.id == boards[FALL] and b.active for b in h.sandbox.store.boards())

    class Deleting(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent = json.loads(request.read())
            if sent["query"].lstrip().startswith("mutation") and \
                    boards[FALL] in json.dumps(sent["variables"]) and board_alive():
                h.sandbox.store.delete_board(boards[FALL])
            return inner.handle_request(request)

    with make_client(h.config, TOKEN, transport=Deleting(), sleep=h.clock.advance,
                     clock=h.clock.now) as client:
        report = run_sync(h.config, h.db, client, clock=h.clock.now, sleep=h.clock.advance)

    assert report.stopped is None and not board_alive()
    assert [f.what for f in report.boards_gone] == [
        f"board {boards[FALL]} ('Schedule FALL 2025'): 2 order(s) wait"]
    assert {i["values"][h.ids.quantity] for i in _items(h, boards[SPRING])} == {"9", "12"}
    assert not fetch(h.db, "SELECT record_uuid FROM orders WHERE sync_state = 'SENDING'")


def test_new_board_gives_the_route_a_new_board_with_its_orders_once(
        routed: tuple[Harness, dict[str, str]], write_workbook: WorkbookFactory) -> None:
    h, boards = routed
    h.sandbox.store.delete_board(boards[FALL])
    h.sync()

    report = h.sync(new_boards=(FALL,))

    assert not report.incomplete and report.boards_gone == []
    assert report.boards_replaced == [
        f"board {boards[FALL]} ('Schedule FALL 2025', route '{FALL}') forgotten: its 2 "
        "order(s) go to a new board"]
    (new,) = [r.board_id for r in fetch(h.db, "SELECT route_value, board_id FROM "
                                              "monday_boards") if r.route_value == FALL]
    assert new != boards[FALL] and report.counts["boards_created"] == 1
    items = _items(h, new)
    assert sorted(i["name"][:9] for i in items) == ["GRE-00001", "GRE-00002"]
    assert sorted(len(i["subitems"]) for i in items) == [1, 1]
    assert h.sync().mutations == 0
    with h.client() as client:
        assert run_verify(h.config, h.db, client, options=VerifyOptions(),
                          clock=h.clock.now, sleep=h.clock.advance).found.equal


def test_new_board_refuses_a_board_monday_still_shows_and_an_unknown_route(
        routed: tuple[Harness, dict[str, str]]) -> None:
    h, boards = routed

    with pytest.raises(ConfigError) as caught:
        h.sync(new_boards=(FALL, "WINTER"))

    message = str(caught.value)
    assert f"--new-board '{FALL}': its board(s) {boards[FALL]} are on monday.com" in message
    assert f"--new-board 'WINTER': no board is recorded for that route (routes with a " \
           f"board: '{FALL}', '{SPRING}')" in message
    assert len(fetch(h.db, "SELECT board_id FROM monday_boards")) == 2


def test_verify_names_the_deleted_board_and_compares_the_others(
        routed: tuple[Harness, dict[str, str]]) -> None:
    h, boards = routed
    h.sandbox.store.delete_board(boards[FALL])

    with h.client() as client:
        found = run_verify(h.config, h.db, client, options=VerifyOptions(),
                           clock=h.clock.now, sleep=h.clock.advance).found

    gone, spring = found.boards
    assert (gone.board_id, gone.counts[Kind.BOARD_GONE], gone.differences) == (
        boards[FALL], 1, 1)
    (finding,) = gone.examples[Kind.BOARD_GONE]
    assert "2 order(s) not compared" in (finding.detail or "")
    assert f"--new-board '{FALL}'" in (finding.detail or "")
    assert spring.equal and spring.orders == 2
    (row,) = fetch(h.db, "SELECT status, board_gone FROM verify_runs WHERE board_id = "
                         f"'{boards[FALL]}'")
    assert (row.status, row.board_gone) == ("differs", 1)
