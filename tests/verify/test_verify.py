"""`ordersync verify` (issue #8): the board read back, every kind of drift named, repaired once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, execute, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.verify import Kind, VerifyOptions, VerifyResult, run_verify
from sync import drift
from sync.conftest import Harness, board_problems
from sync.test_crash import duplicates

HarnessFactory = Callable[..., Harness]


def verify(h: Harness, **options: Any) -> VerifyResult:
    with h.client() as client:
        return run_verify(h.config, h.db, client, options=VerifyOptions(**options),
                          clock=h.clock.now, sleep=h.clock.advance)


def _item(h: Harness, number: int) -> dict[str, Any]:
    (item,) = [i for i in h.items() if i["name"].startswith(f"GRE-{number:05d}")]
    return item


def _group_of(h: Harness, title: str) -> str:
    (group,) = [g["id"] for g in h.board()["groups"] if g["title"] == title]
    return str(group)


ORDERS = [order_row(n, {"S": n, "M": 2 * n, "L": 3 * n},
                    **{"CUSTOMER SEASON": "FALL 2025" if n <= 6 else "SPRING 2026"})
          for n in range(1, 10)]


@pytest.fixture
def synced(harness: Harness, write_workbook: WorkbookFactory) -> Harness:
    write_workbook("GRE_a.xlsx", ORDERS)
    harness.pipeline()
    report = harness.sync()
    assert report.counts["failed"] == 0 and board_problems(harness) == []
    return harness


def test_an_unchanged_board_equals_the_database_and_verify_sends_no_mutation(
        synced: Harness) -> None:
    before = len(synced.sent)

    result = verify(synced)

    assert result.found.equal and result.found.differences == 0
    assert result.found.items_read == 9 and result.found.subitems_read == 27
    reads = synced.sent[before:]
    assert reads and not any(b["query"].lstrip().startswith("mutation") for b in reads)
    assert result.found.requests == 1  # 9 items with their subitems: one page
    (run,) = fetch(synced.db, "SELECT status, items_read, differences, requests FROM verify_runs")
    assert (run.status, run.items_read, run.differences, run.requests) == ("equal", 9, 0, 1)


def test_drift_is_named_by_kind_and_repair_makes_the_board_equal_exactly_once(
        synced: Harness) -> None:
    h = synced
    ids = h.ids
    spring = _group_of(h, "GREYSTONE SPRING 2026")
    fall = _group_of(h, "GREYSTONE FALL 2025")
    with h.client() as client:
        drift.delete_item(client, _item(h, 1)["id"])
        drift.archive_item(client, _item(h, 2)["id"])
        drift.delete_item(client, next(s["id"] for s in _item(h, 3)["subitems"]
                                       if s["name"] == "M"))
        drift.move_item(client, _item(h, 7)["id"], fall)
        drift.change_values(client, ids.board_id, _item(h, 5)["id"],
                            {ids.quantity: "999", ids.status: {"label": "Stuck"}})
        drift.change_values(client, ids.subitems_board_id, next(
            s["id"] for s in _item(h, 6)["subitems"] if s["name"] == "L"), {ids.order_qty: "1"})
        drift.delete_group(client, ids.board_id, spring)  # with the items of orders 8 and 9

    found = verify(h).found

    counts = {k: v for k, v in found.counts.items() if v}
    assert counts == {Kind.ITEM_GONE: 4, Kind.GROUP_GONE: 1, Kind.MISSING_SUBITEM: 1,
                      Kind.VALUE_DIFFERS: 2, Kind.SUBITEM_DIFFERS: 1, Kind.WRONG_GROUP: 1}
    gone = {f.key.split()[0]: f.detail for f in found.examples[Kind.ITEM_GONE]}
    assert gone["GRE-00001"] == "deleted" and gone["GRE-00002"] == "archived"
    assert gone["GRE-00008"] == gone["GRE-00009"] == "gone with its deleted group"
    (moved,) = found.examples[Kind.WRONG_GROUP]
    assert moved.key.startswith("GRE-00007") and moved.board == "GREYSTONE FALL 2025"
    (value, status) = sorted(found.examples[Kind.VALUE_DIFFERS], key=lambda f: f.column or "")
    assert (value.column, value.board, value.database) == (ids.status, "Stuck", "Working on it")
    assert (status.column, status.board, status.database) == (ids.quantity, "999", "30")
    (qty,) = found.examples[Kind.SUBITEM_DIFFERS]
    assert qty.key.endswith("size L") and (qty.board, qty.database) == ("1", "18")
    (missing,) = found.examples[Kind.MISSING_SUBITEM]
    assert missing.key.endswith("size M") and "deleted" in (missing.detail or "")

    repaired = verify(h, repair=True)

    assert repaired.sync is not None and repaired.sync.counts["failed"] == 0
    assert repaired.sync.counts["items_created"] == 4
    assert repaired.sync.counts["groups_created"] == 1
    assert repaired.sync.counts["items_moved"] == 1
    assert repaired.after is not None and repaired.after.equal, repaired.after.counts
    assert board_problems(h) == [] and duplicates(h) == []
    again = verify(h)
    assert again.found.equal and again.found.mutations == 0
    runs = [(r.status, r.repaired, r.item_gone, r.group_gone) for r in fetch(
        h.db, "SELECT status, repaired, item_gone, group_gone FROM verify_runs ORDER BY id")]
    assert runs == [("differs", 0, 4, 1), ("differs", 0, 4, 1), ("equal", 1, 0, 0),
                    ("equal", 0, 0, 0)]


def test_a_moved_item_goes_back_and_an_edited_value_is_sent_again(synced: Harness) -> None:
    h = synced
    spring = _group_of(h, "GREYSTONE SPRING 2026")
    with h.client() as client:
        drift.move_item(client, _item(h, 4)["id"], spring)

    found = verify(h).found
    (moved,) = found.examples[Kind.WRONG_GROUP]
    assert (moved.board, moved.database) == ("GREYSTONE SPRING 2026", "GREYSTONE FALL 2025")

    result = verify(h, repair=True)

    assert result.sync is not None and result.sync.counts["items_moved"] == 1
    assert result.sync.mutations == 1 and result.final.equal
    assert board_problems(h) == []


def test_a_dropdown_label_holding_a_comma_equals_itself_and_its_change_is_drift(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    # the cell's text joins labels with ", ": split, "SEA, THEN AIR" read as two labels
    # and the board differed for ever, --repair never ending equal
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1}, method="SEA, THEN AIR"),
                                  order_row(2, {"S": 2}, method="AIR")])
    harness.pipeline()
    assert harness.sync().counts["failed"] == 0

    assert verify(harness).found.equal

    with harness.client() as client:  # both labels on the other order's cell, by hand
        drift.change_values(client, harness.ids.board_id, _item(harness, 2)["id"],
                            {harness.ids.delivery: {"labels": ["AIR", "SEA, THEN AIR"]}})
    found = verify(harness).found
    (differs,) = found.examples[Kind.VALUE_DIFFERS]
    assert (differs.board, differs.database) == ("AIR, SEA, THEN AIR", "AIR")
    assert verify(harness, repair=True).final.equal


def test_duplicates_and_orphans_are_reported_and_deleted_only_when_asked(
        synced: Harness) -> None:
    h = synced
    ids = h.ids
    with h.client() as client:
        copy = drift.duplicate_item(client, ids.board_id, _item(h, 2)["id"])
        orphan = drift.create_item(client, ids.board_id, "HAND MADE", {ids.identity: "NO-SUCH"})
        extra_sub = drift.create_subitem(client, _item(h, 3)["id"], "S", {ids.order_qty: "3"})

    kept = verify(h, repair=True)

    for kind, item_id in ((Kind.DUPLICATE_ITEMS, copy), (Kind.EXTRA_ITEM, orphan),
                          (Kind.DUPLICATE_SUBITEMS, extra_sub)):
        assert kept.found.counts[kind] == 1 and kept.found.examples[kind][0].item_id == item_id
        assert kept.final.counts[kind] == 1  # still there: never deleted unasked
    assert not kept.final.equal and kept.found.deleted == 0

    deleted = verify(h, repair=True, delete_extras=True)

    assert deleted.found.deleted == 3 and deleted.final.equal
    assert board_problems(h) == [] and duplicates(h) == []


def test_an_emptied_board_is_refilled_exactly_once_by_sync_repair(
        synced: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    h = synced
    fresh = h.sandbox.create_order_board("Orders, again")  # same columns, new ids
    monday = h.config.monday.model_copy(update={
        "board_id": fresh.board_id, "subitems_board_id": fresh.subitems_board_id})
    h.config = h.config.model_copy(update={"monday": monday})
    h.ids = fresh
    monkeypatch.setenv("MONDAY_API_TOKEN", "x")
    h.serve_cli(monkeypatch)
    path = write_config(h.config, tmp_path)

    plain = CliRunner().invoke(cli, ["sync", "--config", str(path)])
    assert plain.exit_code == 0 and h.items() == []  # the database believes it is all there
    found = CliRunner().invoke(cli, ["verify", "--config", str(path)])
    assert found.exit_code == 4, found.stderr
    assert "items gone" in found.stderr and "is on another board" in found.stderr

    result = CliRunner().invoke(cli, ["sync", "--repair", "--config", str(path)])

    assert result.exit_code == 0, result.stderr
    assert len(h.items()) == 9 and board_problems(h) == [] and duplicates(h) == []
    assert CliRunner().invoke(cli, ["verify", "--config", str(path)]).exit_code == 0
    assert CliRunner().invoke(cli, ["sync", "--repair", "--config", str(path)]).exit_code == 0
    assert len(h.items()) == 9


def test_sync_does_not_report_success_while_the_last_verify_found_the_board_differing(
        synced: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A person deleted items; verify said so (exit 4); the next sync and run sent nothing
    (nothing changed in the database) and exited 0, "ok", with the items still missing.
    Extras people made (their own items) are only reported and do not hold it back."""
    h = synced
    with h.client() as client:
        drift.delete_item(client, _item(h, 1)["id"])
    monkeypatch.setenv("MONDAY_API_TOKEN", "x")
    h.serve_cli(monkeypatch)
    path = write_config(h.config, tmp_path)
    assert CliRunner().invoke(cli, ["sync", "--config", str(path)]).exit_code == 0  # unknown
    assert CliRunner().invoke(cli, ["verify", "--config", str(path)]).exit_code == 4

    synced_after = CliRunner().invoke(cli, ["sync", "--config", str(path)])
    run_after = CliRunner().invoke(cli, ["run", "--json", "--config", str(path)])

    assert synced_after.exit_code == 4, synced_after.stderr
    assert "found 1 difference(s) people made on the board" in synced_after.stderr
    assert "ordersync verify --repair" in synced_after.stderr
    assert run_after.exit_code == 4
    import json

    assert json.loads(run_after.stdout)["sync"]["board_differs"] == 1
    assert CliRunner().invoke(cli, ["verify", "--repair", "--config", str(path)]).exit_code == 0
    assert CliRunner().invoke(cli, ["sync", "--config", str(path)]).exit_code == 0
    with h.client() as client:
        drift.create_item(client, h.ids.board_id, "a planner's own item", {})
    assert CliRunner().invoke(cli, ["verify", "--config", str(path)]).exit_code == 4
    assert CliRunner().invoke(cli, ["sync", "--config", str(path)]).exit_code == 0


def test_verify_json_and_customer_scope(synced: Harness, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    h = synced
    with h.client() as client:
        drift.delete_item(client, _item(h, 1)["id"])
    monkeypatch.setenv("MONDAY_API_TOKEN", "x")
    h.serve_cli(monkeypatch)
    path = write_config(h.config, tmp_path)

    result = CliRunner().invoke(cli, ["verify", "--json", "--customer", "GREYSTONE",
                                      "--config", str(path)])
    other = CliRunner().invoke(cli, ["verify", "--customer", "NOBODY", "--config", str(path)])

    assert result.exit_code == 4, result.stderr
    data = json.loads(result.stdout)
    assert data["found"]["counts"]["item_gone"] == 1 and data["found"]["orders"] == 9
    assert data["found"]["examples"]["item_gone"][0]["key"].startswith("GRE-00001")
    # a name no order or profile has is an error naming the known ones, as for sync
    assert other.exit_code == 1 and "NOBODY" in other.stderr and "GREYSTONE" in other.stderr
    shown = CliRunner().invoke(cli, ["status", "--config", str(path)])
    first = shown.stderr.splitlines()[0]
    assert first.startswith(f"last verify: board {h.ids.board_id}, differs (1 difference(s)")


def test_an_item_the_read_missed_while_the_board_changed_is_not_made_again(
        synced: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """An item that moved between pages while they were read is missing from the read, yet
    monday says it is active on this board: reported, never re-created (a duplicate)."""
    from ordersync.verify import passes
    from ordersync.verify.board import read_board

    def missing_one(*args: Any, **kwargs: Any) -> Any:
        read = read_board(*args, **kwargs)
        read.items = read.items[1:]
        return read

    monkeypatch.setattr(passes, "read_board", missing_one)

    result = verify(synced, repair=True)

    assert {k: n for k, n in result.found.counts.items() if n} == {Kind.ITEM_NOT_READ: 1}
    assert len(synced.items()) == 9 and duplicates(synced) == []


def test_an_order_key_edited_on_its_own_item_is_sent_back_not_made_again(
        synced: Harness) -> None:
    """A planner overwrote the key column of an order's item: it is still the order's item
    (the database recorded its id) — its key differs and goes back; no second item, and
    --delete-extras never takes it for an extra."""
    h = synced
    item = _item(h, 3)
    with h.client() as client:
        drift.change_values(client, h.ids.board_id, item["id"], {h.ids.identity: "typo"})

    found = verify(h).found
    assert {k for k, n in found.counts.items() if n} == {Kind.VALUE_DIFFERS}

    result = verify(h, repair=True, delete_extras=True)

    assert result.final.equal and len(h.items()) == 9 and duplicates(h) == []
    assert _item(h, 3)["id"] == item["id"]


def test_another_orders_key_pasted_on_an_orders_item_never_makes_it_a_copy(
        synced: Harness) -> None:
    """A planner pasted order 4's key into order 3's key cell: item 3 is still order 3's
    (the database records its id) — its key differs and goes back.  It is not a copy of
    item 4, and --delete-extras never deletes it (order 3 was then made again)."""
    h = synced
    item, other = _item(h, 3), _item(h, 4)
    with h.client() as client:
        drift.change_values(client, h.ids.board_id, item["id"],
                            {h.ids.identity: other["values"][h.ids.identity]})

    found = verify(h).found
    assert {k for k, n in found.counts.items() if n} == {Kind.VALUE_DIFFERS}
    (differs,) = found.examples[Kind.VALUE_DIFFERS]
    assert (differs.item_id, differs.column) == (item["id"], h.ids.identity)

    result = verify(h, repair=True, delete_extras=True)

    assert result.found.deleted == 0 and result.final.equal
    assert result.sync is not None and result.sync.counts["items_recreated"] == 0
    assert (_item(h, 3)["id"], _item(h, 4)["id"]) == (item["id"], other["id"])
    assert len(h.items()) == 9 and duplicates(h) == [] and board_problems(h) == []


def test_a_subitem_renamed_on_the_board_is_not_made_a_second_time(synced: Harness) -> None:
    h = synced
    item = _item(h, 2)
    with h.client() as client:
        sub = item["subitems"][0]
        drift._run(client, "mutation ($b: ID!, $i: ID!, $v: JSON!) { "
                           "change_multiple_column_values(board_id: $b, item_id: $i, "
                           "column_values: $v) { id } }", b=h.ids.subitems_board_id,
                   i=sub["id"], v='{"name": "renamed"}')

    result = verify(h, repair=True)

    assert {k for k, n in result.found.counts.items() if n} == {Kind.SUBITEM_DIFFERS}
    assert len(_item(h, 2)["subitems"]) == len(item["subitems"])  # none made again
    assert result.final.equal  # its name given back
    assert sorted(s["name"] for s in _item(h, 2)["subitems"]) == sorted(
        s["name"] for s in item["subitems"])


def test_a_group_a_planner_renamed_still_holds_its_orders(synced: Harness) -> None:
    """Its items are where they belong (the registered group): not 'in the wrong group' on
    every verify, which no repair could ever change."""
    h = synced
    fall = _group_of(h, "GREYSTONE FALL 2025")
    with h.client() as client:
        drift._run(client, "mutation ($b: ID!, $g: String!) { update_group(board_id: $b, "
                           "group_id: $g, group_attribute: title, new_value: \"GRE AUTUMN\") "
                           "{ id } }", b=h.ids.board_id, g=fall)

    found = verify(h).found

    assert found.equal, found.counts


def test_repair_reports_the_work_of_every_sync_it_ran_not_the_last_one(
        synced: Harness) -> None:
    """The in-doubt sync and each repair round are runs of their own: the report printed
    (and --json) showed only the last, so a re-created item vanished from it."""
    h = synced
    with h.client() as client:
        drift.delete_item(client, _item(h, 1)["id"])
    execute(h.db, "UPDATE orders SET sync_state = 'SENDING' WHERE business_key LIKE 'GRE-00002%'")

    repaired = verify(h, repair=True)

    assert repaired.sync is not None
    runs = fetch(h.db, "SELECT id, requests FROM sync_runs ORDER BY id")[-2:]
    assert len(runs) == 2  # the in-doubt sync, then the repair's
    assert repaired.sync.run_id == runs[-1].id
    assert repaired.sync.requests == sum(r.requests for r in runs)
    assert repaired.sync.counts["items_created"] == 1
    # the in-doubt order's reconciliation, in the first run (it was left out)
    assert repaired.sync.counts["unchanged"] + repaired.sync.counts["requeued"] >= 1
    assert repaired.after is not None and repaired.after.equal
