"""`ordersync verify` with [monday.routing] (issue #10): every routed board read and compared
with the orders placed on it, drift named by board and kind, repaired through the routed
sync, and each board checked against the generator's orders."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.verify import Kind, VerifyOptions, VerifyResult, run_verify
from sync import drift
from sync.conftest import Harness

SEASONS = {"FALL 2025": range(1, 5), "SPRING 2026": range(5, 9)}
ORDERS = [order_row(n, {"S": n, "M": 2 * n, "L": 3 * n}, **{"CUSTOMER SEASON": season})
          for season, numbers in SEASONS.items() for n in numbers]


def verify(h: Harness, **options: Any) -> VerifyResult:
    with h.client() as client:
        return run_verify(h.config, h.db, client, options=VerifyOptions(**options),
                          clock=h.clock.now, sleep=h.clock.advance)


def _items(h: Harness, board_id: str) -> list[dict[str, Any]]:
    return [item for group in h.sandbox.board(board_id)["groups"] for item in group["items"]]


def _item(h: Harness, board_id: str, number: int) -> dict[str, Any]:
    (item,) = [i for i in _items(h, board_id) if i["name"].startswith(f"GRE-{number:05d}")]
    return item


@pytest.fixture
def routed(harness_factory: Callable[..., Harness],
           write_workbook: WorkbookFactory) -> tuple[Harness, dict[str, str]]:
    """Two seasons routed onto two boards the sync created from the template (as the demo
    does); route → board id."""
    h = harness_factory(routing={"key": "{CUSTOMER SEASON}",
                                 "board_name": "Schedule {CUSTOMER SEASON}"})
    write_workbook("GRE_a.xlsx", ORDERS)
    h.pipeline()
    report = h.sync()
    assert report.counts["failed"] == 0 and report.stopped is None
    boards = {r.route_value: r.board_id for r in fetch(
        h.db, "SELECT route_value, board_id FROM monday_boards")}
    assert sorted(boards) == sorted(SEASONS) and h.ids.board_id not in boards.values()
    return h, boards


def _as_generated(h: Harness, boards: dict[str, str]) -> None:
    """Each board holds exactly its season's orders from the generator's rows — one item
    per order, one subitem per size with its quantity — and nothing else."""
    ids = h.ids
    for season, numbers in SEASONS.items():
        items = _items(h, boards[season])
        names = Counter(i["name"][:9] for i in items)
        assert names == Counter(f"GRE-{n:05d}" for n in numbers), (season, names)
        for item in items:
            n = int(item["name"][4:9])
            sizes = {s["name"]: s["values"][ids.order_qty] for s in item["subitems"]}
            assert sizes == {"S": str(n), "M": str(2 * n), "L": str(3 * n)}, (n, sizes)
            assert item["values"][ids.quantity] == str(6 * n)
    assert _items(h, h.ids.board_id) == []


def test_routed_boards_equal_the_database_and_verify_reads_every_board(
        routed: tuple[Harness, dict[str, str]]) -> None:
    h, boards = routed
    before = len(h.sent)

    result = verify(h)

    found = result.found
    assert found.equal
    assert [b.board_id for b in found.boards] == [boards[s] for s in sorted(boards)]
    assert {b.board_name: (b.orders, b.items_read, b.subitems_read) for b in found.boards} == {
        "Schedule FALL 2025": (4, 4, 12), "Schedule SPRING 2026": (4, 4, 12)}
    assert (found.orders, found.items_read, found.subitems_read) == (8, 8, 24)
    assert not any(b["query"].lstrip().startswith("mutation") for b in h.sent[before:])
    runs = {r.board_id: r.status for r in fetch(h.db, "SELECT board_id, status FROM verify_runs")}
    assert runs == {board: "equal" for board in boards.values()}
    _as_generated(h, boards)


def test_drift_on_each_routed_board_is_named_by_board_and_kind_and_repaired_once(
        routed: tuple[Harness, dict[str, str]]) -> None:
    h, boards = routed
    ids = h.ids
    fall, spring = boards["FALL 2025"], boards["SPRING 2026"]
    with h.client() as client:
        drift.delete_item(client, _item(h, fall, 1)["id"])
        drift.change_values(client, fall, _item(h, fall, 2)["id"], {ids.quantity: "999"})
        drift.delete_item(client, next(s["id"] for s in _item(h, fall, 3)["subitems"]
                                       if s["name"] == "M"))
        drift.delete_item(client, _item(h, spring, 5)["id"])
        drift.change_values(client, spring, _item(h, spring, 6)["id"],
                            {ids.status: {"label": "Stuck"}})
        moved = _item(h, spring, 7)["id"]  # a planner drags an order onto the other season
        drift.move_to_board(client, moved, fall, h.sandbox.board(fall)["groups"][0]["id"])

    found = verify(h).found

    per_board = {b.board_id: {k: v for k, v in b.counts.items() if v} for b in found.boards}
    assert per_board == {
        fall: {Kind.ITEM_GONE: 1, Kind.VALUE_DIFFERS: 1, Kind.MISSING_SUBITEM: 1},
        spring: {Kind.ITEM_GONE: 1, Kind.VALUE_DIFFERS: 1, Kind.ITEM_ON_ANOTHER_BOARD: 1}}
    assert found.differences == 6 and not found.equal
    (elsewhere,) = found.examples[Kind.ITEM_ON_ANOTHER_BOARD]
    assert elsewhere.key.startswith("GRE-00007") and elsewhere.item_id == moved
    assert (elsewhere.board, elsewhere.database) == (fall, spring)
    runs = {r.board_id: (r.status, r.item_gone, r.item_on_another_board) for r in fetch(
        h.db, "SELECT board_id, status, item_gone, item_on_another_board FROM verify_runs")}
    assert runs == {fall: ("differs", 1, 0), spring: ("differs", 1, 1)}

    repaired = verify(h, repair=True)

    assert repaired.sync is not None and repaired.sync.counts["failed"] == 0
    assert repaired.sync.counts["items_created"] == 2
    assert repaired.sync.counts["items_moved_board"] == 1
    assert repaired.after is not None and repaired.after.equal, [
        (b.board_id, {k: v for k, v in b.counts.items() if v}) for b in repaired.after.boards]
    assert _item(h, spring, 7)["id"] == moved  # moved back, not made again
    _as_generated(h, boards)
    sent = len(h.sent)
    again = verify(h)
    assert again.found.equal
    assert not any(b["query"].lstrip().startswith("mutation") for b in h.sent[sent:])
    assert h.sync().mutations == 0


def test_routed_verify_on_the_command_line_names_each_board_and_exits_4_then_0(
        routed: tuple[Harness, dict[str, str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    h, boards = routed
    fall, spring = boards["FALL 2025"], boards["SPRING 2026"]
    with h.client() as client:
        drift.delete_item(client, _item(h, spring, 8)["id"])
    monkeypatch.setenv("MONDAY_API_TOKEN", "x")
    h.serve_cli(monkeypatch)
    path = write_config(h.config, tmp_path)

    shown = CliRunner().invoke(cli, ["verify", "--config", str(path)])
    as_json = CliRunner().invoke(cli, ["verify", "--json", "--config", str(path)])

    assert shown.exit_code == 4, shown.stderr
    assert f"verify (Schedule SPRING 2026): board {spring} differs" in shown.stderr
    assert f"verify (Schedule FALL 2025): board {fall} equals the database" in shown.stderr
    assert "2 board(s), 1 differing — 1 difference(s) in all" in shown.stderr
    assert as_json.exit_code == 4, as_json.stderr
    data = json.loads(as_json.stdout)["found"]
    assert data["counts"]["item_gone"] == 1 and data["orders"] == 8
    assert {b["board_id"]: b["counts"]["item_gone"] for b in data["boards"]} == {
        fall: 0, spring: 1}
    status = CliRunner().invoke(cli, ["status", "--config", str(path)])
    assert status.stderr.splitlines()[0].startswith(
        f"last verify: board {fall}, {spring}, differs (1 difference(s)")

    fixed = CliRunner().invoke(cli, ["sync", "--repair", "--config", str(path)])
    after = CliRunner().invoke(cli, ["verify", "--config", str(path)])

    assert fixed.exit_code == 0, fixed.stderr
    assert after.exit_code == 0, after.stderr
    _as_generated(h, boards)
