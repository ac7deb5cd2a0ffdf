"""Issue #8: faults are faults, a retry is a new request, failure is never success.

- A server fault on one alias (``INTERNAL_SERVER_ERROR``, status_code 500, inside an HTTP
  200) is retried like a request fault, within ``retry.record_attempts`` sends: plain
  ``sync`` runs converge to a board equal to the files.
- Every later send of a record carries a new ``Idempotency-Key``, so ``--retry-failed``
  really sends again (the sandbox replays a stored failure for a reused key).
- While any record is FAILED, ``sync`` says so and exits 3, and ``status`` lists them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.sandbox.faults import PARTIAL_ERRORS, Fault, FaultPlan
from ordersync.status import read_status
from sync.conftest import Harness, board_problems, truth_problems
from sync.test_faults import record_exchanges

HarnessFactory = Callable[..., Harness]
SERVER_FAULT = PARTIAL_ERRORS["INTERNAL_SERVER_ERROR"]


def alias_faults(rate: float, per_request: int, seed: int) -> FaultPlan:
    """One alias of a request fails with a 500 inside an HTTP 200, so that about ``rate``
    of all mutations fail (requests hold ``per_request`` mutations)."""
    share = rate  # per alias position: a request faults one alias with rate × per_request
    return FaultPlan.random([(Fault.partial(k, SERVER_FAULT), share)
                             for k in range(1, per_request + 1)], seed=seed)


def unsynced(h: Harness) -> int:
    return int(fetch(h.db, "SELECT (SELECT COUNT(*) FROM orders WHERE sync_state <> 'SYNCED') "
                           "+ (SELECT COUNT(*) FROM order_lines WHERE sync_state <> 'SYNCED') "
                           "AS n")[0].n)


def rows_for(n: int) -> list[dict[str, Any]]:
    sizes = ("XS", "S", "M", "L", "XL")
    return [order_row(i, {s: (i * 7 + j) % 40 + 1 for j, s in enumerate(sizes[i % 3:i % 3 + 3])},
                      **{"CUSTOMER SEASON": f"DROP {i % 3 + 1}"}) for i in range(1, n + 1)]


@pytest.mark.parametrize("seed", [1, 2])
def test_alias_level_server_faults_are_retried_and_plain_runs_converge_to_the_files(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory, seed: int) -> None:
    per_request = 8
    h = harness_factory(faults=alias_faults(0.05, per_request, seed),
                        limits={"max_mutations_per_request": per_request})
    rows = rows_for(60)
    write_workbook("GRE_a.csv", rows)
    h.pipeline()

    reports = [h.sync()]
    while unsynced(h) and len(reports) < 4:  # plain runs only, no --retry-failed
        reports.append(h.sync())

    faults = fetch(h.db, "SELECT record_uuid, size_code, outcome, attempt FROM sync_events "
                         "WHERE error_code = 'INTERNAL_SERVER_ERROR'")
    assert len(faults) >= 5, "the fault plan must really fault aliases"
    assert {f.outcome for f in faults} == {"requeued"}
    assert all(r.counts["failed"] == 0 and r.failed_total == 0 for r in reports)
    assert truth_problems(h, rows) == []
    assert board_problems(h) == []
    # each faulted record got through on a later send of the same run (another round)
    assert len(reports) == 1
    final = fetch(h.db, "SELECT sync_state, COUNT(*) AS n FROM orders GROUP BY sync_state")
    assert [(r.sync_state, r.n) for r in final] == [("SYNCED", 60)]


def test_a_record_faulted_in_record_attempts_runs_is_failed_and_sync_exits_3_until_retried(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # order 1's create faults on every send: twice in each run (retry.max_attempts sends of
    # a record a run, as the client tries a request), in two runs (record_attempts).
    # Run 1: the preflight read, groups lookup, create_group, items ✗, lookup of the
    # faulted create, subitems, items ✗, lookup; run 2: the preflight read, the lookup of
    # the order to create (the board is not empty), items ✗, lookup, items ✗, lookup.
    fault = Fault.partial(1, SERVER_FAULT)
    h = harness_factory(faults=FaultPlan.scripted([None, None, None, fault, None, None, fault,
                                                   None, None, None, fault, None, fault, None]),
                        retry={"max_attempts": 2, "record_attempts": 2})
    rows = [order_row(1, {"S": 1}), order_row(2, {"S": 2})]
    write_workbook("GRE_a.csv", rows)
    h.pipeline()
    seen = record_exchanges(h)

    first = h.sync()
    assert first.counts["failed"] == 0 and first.failed_total == 0
    # not FAILED yet (a record has record_attempts runs), but not on the board either: the
    # run does not report success
    assert first.unsent == 1 and first.incomplete
    report = h.sync()

    assert report.counts["failed"] == 1 and report.failed_orders == 1
    (row,) = fetch(h.db, "SELECT sync_state, attempts, last_error FROM orders "
                         "WHERE item_name LIKE 'GRE-00001 %'")
    assert row.sync_state == "FAILED" and row.attempts == 2
    assert "INTERNAL_SERVER_ERROR" in row.last_error
    outcomes = [(e.outcome, e.attempt) for e in fetch(
        h.db, "SELECT outcome, attempt FROM sync_events WHERE error_code = "
              "'INTERNAL_SERVER_ERROR' ORDER BY id")]
    assert outcomes == [("requeued", 1), ("requeued", 1), ("requeued", 2), ("failed", 2)]
    keys = [x.headers["idempotency-key"] for x in seen if "create_item(" in x.body["query"]]
    assert len(keys) == len(set(keys)) == 4  # each send a new request, none replayed
    assert [r.status for r in fetch(h.db, "SELECT status FROM sync_runs ORDER BY id")] == [
        "partial", "partial"]

    # a later plain run has nothing to send — and still does not report success
    monkeypatch.setenv("MONDAY_API_TOKEN", "x")
    h.serve_cli(monkeypatch)
    path = write_config(h.config, tmp_path)
    result = CliRunner().invoke(cli, ["sync", "--config", str(path)])
    assert result.exit_code == 3, result.stderr
    assert "1 order(s) and 0 line(s) FAILED" in result.stderr
    assert "ordersync sync --retry-failed" in result.stderr
    as_json = CliRunner().invoke(cli, ["sync", "--json", "--config", str(path)])
    assert as_json.exit_code == 3
    assert json.loads(as_json.stdout)["failed_orders"] == 1

    status = CliRunner().invoke(cli, ["status", "--config", str(path)])
    assert status.exit_code == 0
    first = status.stderr.splitlines()[0]
    assert "1 order(s) and 0 line(s) FAILED" in first and "--retry-failed" in first
    assert "GRE-00001" in status.stderr and "INTERNAL_SERVER_ERROR" in status.stderr

    retried = h.sync(retry_failed=True)
    assert retried.counts["items_created"] == 1 and retried.failed_total == 0
    assert truth_problems(h, rows) == []


def test_a_missing_label_fails_until_added_on_the_board_then_retry_failed_sends_again(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory) -> None:
    # A label the data brings (a delivery method), on a column that may not create labels:
    # the preflight checks only the status labels ordersync itself writes (a missing one
    # stops the run before anything is written, tests/sync/test_preflight.py), so a value
    # like this fails its own order.
    h = harness_factory(columns={"identity": "order_key", "customer": "customer",
                                 "eta": "eta", "quantity": "total_qty",
                                 "status": {"id": "status", "type": "status",
                                            "source": "order_status",
                                            "create_labels_if_missing": False},
                                 "delivery": {"id": "delivery", "type": "dropdown",
                                              "source": "PLANNED DELIVERY METHOD",
                                              "create_labels_if_missing": False}})
    rows = [order_row(1, {"S": 1}), order_row(2, {"S": 2}, method="RAIL"),
            order_row(3, {"S": 3})]
    write_workbook("GRE_a.csv", rows)  # order 2 goes by rail: the board has no "RAIL"
    h.pipeline()
    seen = record_exchanges(h)

    failed = h.sync()

    assert failed.counts["failed"] == 1 and failed.failed_orders == 1
    assert "label does not exist" in failed.failures[0].reason
    first_key = next(x.headers["idempotency-key"] for x in seen
                     if "create_item(" in x.body["query"])
    status = read_status(h.db)
    assert status["failed"]["orders"] == 1
    assert "label does not exist" in status["failed"]["examples"][0]["error"]

    # a planner adds the label on the board (through an item's column, then puts it back)
    item = h.items()[0]
    store = h.sandbox.store
    store.change_simple_column_value(item["id"], h.ids.board_id, "delivery", "RAIL",
                                     create_labels_if_missing=True)
    store.change_simple_column_value(item["id"], h.ids.board_id, "delivery", "SEA")
    seen.clear()

    retried = h.sync(retry_failed=True)

    assert retried.counts["failed"] == 0 and retried.counts["items_created"] == 1
    assert retried.failed_total == 0
    assert sorted(i["values"]["delivery"] for i in h.items()) == ["RAIL", "SEA", "SEA"]
    again = [x for x in seen if "create_item(" in x.body["query"]]
    assert again and again[0].headers["idempotency-key"] != first_key
    assert again[0].response.headers.get("Idempotency-Replayed") != "true"
    assert truth_problems(h, rows) == []
    assert board_problems(h) == []


def test_network_retries_of_one_send_keep_its_key_and_a_later_send_gets_a_new_one(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory) -> None:
    h = harness_factory(faults="ok,ok,ok,503")  # the preflight read, groups, create_group
    write_workbook("GRE_a.csv", [order_row(1, {"S": 1})])
    h.pipeline()
    seen = record_exchanges(h)

    h.sync()

    creates = [x for x in seen if "create_item(" in x.body["query"]]
    assert [x.response.status for x in creates] == [503, 200]
    assert creates[0].headers["idempotency-key"] == creates[1].headers["idempotency-key"]
    write_workbook("GRE_a.csv", [order_row(1, {"S": 1}, ETA="2025-06-01")])
    h.pipeline()
    h.sync()
    keys = [x.headers.get("idempotency-key") for x in seen if "mutation" in x.body["query"]]
    assert len(keys) == len(set(keys)) + 1  # only the network retry repeated its key


def test_a_server_fault_on_a_group_create_is_looked_up_and_sent_again_not_failed(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory) -> None:
    # the groups lookup, then create_group with its alias faulted, the lookup by title,
    # create_group again
    h = harness_factory(faults=FaultPlan.scripted([None, Fault.partial(1, SERVER_FAULT)]))
    rows = [order_row(1, {"S": 1})]
    write_workbook("GRE_a.csv", rows)
    h.pipeline()

    report = h.sync()

    assert report.counts["failed"] == 0 and report.counts["groups_created"] == 1
    assert [g["title"] for g in h.board()["groups"]].count("GREYSTONE FALL 2025") == 1
    assert truth_problems(h, rows) == []


def test_alias_level_server_faults_against_a_sandbox_server_process_converge_in_plain_runs(
        make_config: Any, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    from ordersync.db import open_database
    from ordersync.pipeline import run_pipeline
    from ordersync.sync import make_client, run_sync
    from sync.conftest import TOKEN, monday_table
    from sync.server import running_server

    per_request = 6
    spec = ",".join(f"partial({k},INTERNAL_SERVER_ERROR):0.05" for k in range(1, per_request + 1))
    rows = rows_for(40)
    write_workbook("GRE_a.csv", rows)
    with running_server(tmp_path, faults=f"{spec},seed=5") as server:
        config = make_config(monday=monday_table(
            server.ids, api_url=server.url,
            limits={"max_mutations_per_request": per_request}))
        db = open_database(config)
        run_pipeline(config, db)
        reports = []
        for _ in range(3):  # plain runs only
            with make_client(config, TOKEN) as client:
                reports.append(run_sync(config, db, client))
            if reports[-1].mutations == 0:
                break
        faulted = fetch(db, "SELECT COUNT(*) AS n FROM sync_events "
                            "WHERE error_code = 'INTERNAL_SERVER_ERROR'")[0].n
        h = server.board(config, db)

        assert faulted >= 3
        assert all(r.failed_total == 0 and r.stopped is None for r in reports)
        assert truth_problems(h, rows) == []
        assert board_problems(h) == []
        db.dispose()
