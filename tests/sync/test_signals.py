"""Issue #8: runs end — a signal ends `ordersync sync` cleanly, with its real counts.

A real `ordersync sync` process against a sandbox server process (slow responses, so
the run lasts a few seconds) gets SIGTERM, SIGHUP or SIGINT (Ctrl-C) mid-run: the
request in flight finishes, the run is recorded ``interrupted`` with what it really did,
one line says what to run next, and the next run completes the board.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ConfigFactory, WorkbookFactory, execute, fetch, order_row, write_config
from ordersync.db import open_database
from ordersync.pipeline import run_pipeline
from ordersync.sync import make_client, run_sync
from sync.conftest import TOKEN, monday_table, truth_problems
from sync.server import running_server

SOURCE = Path(__file__).resolve().parents[2] / "src"
WAIT_SECONDS = 30.0


def _events(db: object) -> int:
    return int(fetch(db, "SELECT COUNT(*) AS n FROM sync_events")[0].n)  # type: ignore[arg-type]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_ends_the_sync_between_requests_recorded_with_its_real_counts(
        sig: signal.Signals, engine: str, make_config: ConfigFactory,
        write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    if engine == "postgresql" and sig is not signal.SIGTERM:
        pytest.skip("the signal path does not depend on the engine: SIGTERM covers it")
    rows = [order_row(n, {"S": n, "M": n + 1}) for n in range(1, 9)]
    write_workbook("GRE_a.csv", rows)
    with running_server(tmp_path, faults="slow(0.15),cycle") as server:
        config = make_config(monday=monday_table(
            server.ids, api_url=server.url, limits={"max_mutations_per_request": 2}))
        path = write_config(config, tmp_path)
        db = open_database(config)
        run_pipeline(config, db)
        env = {**os.environ, "PYTHONPATH": str(SOURCE), "MONDAY_API_TOKEN": TOKEN}
        process = subprocess.Popen(
            [sys.executable, "-c", "from ordersync.cli import main; main()", "sync",
             "--config", str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while db.has_table("sync_events") is False or _events(db) < 4:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the sync sent nothing"
                time.sleep(0.05)
            process.send_signal(sig)
            _, stderr = process.communicate(timeout=WAIT_SECONDS)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        message = stderr.decode()

        assert process.returncode == 1, message
        assert f"stopped by {sig.name}" in message and "ordersync sync" in message
        assert "Traceback" not in message
        (run,) = fetch(db, "SELECT status, succeeded, requests, error FROM sync_runs")
        done = fetch(db, "SELECT COUNT(*) AS n FROM sync_events WHERE outcome IN "
                         "('created', 'updated')")[0].n
        assert run.status == "interrupted" and sig.name in run.error
        assert run.succeeded == done > 0 and run.requests > 0
        states = {r.sync_state for r in fetch(db, "SELECT sync_state FROM orders UNION "
                                                  "SELECT sync_state FROM order_lines")}
        assert "SENDING" not in states and "PENDING" in states  # stopped early, in step

        with make_client(config, TOKEN) as client:  # the next run completes the board
            again = run_sync(config, db, client)
        assert again.stopped is None and again.failed_total == 0
        h = server.board(config, db)
        assert truth_problems(h, rows) == []
        db.dispose()


def test_a_run_left_running_by_a_killed_process_is_closed_by_the_next_run(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    from ordersync.sandbox import FakeClock, Sandbox

    clock = FakeClock()
    sandbox = Sandbox(plan="enterprise", clock=clock)
    ids = sandbox.create_order_board()
    config = make_config(monday=monday_table(ids))
    write_workbook("GRE_a.csv", [order_row(1, {"S": 1})])
    db = open_database(config)
    run_pipeline(config, db)
    execute(db, "INSERT INTO sync_runs (board_id, status) VALUES (:b, 'running')", b=ids.board_id)

    with make_client(config, TOKEN, transport=sandbox.mock_transport(), sleep=clock.advance,
                     clock=clock.now) as client:
        run_sync(config, db, client, clock=clock.now, sleep=clock.advance)

    runs = fetch(db, "SELECT status, error FROM sync_runs ORDER BY id")
    assert [r.status for r in runs] == ["interrupted", "ok"]
    assert "the process ended before the run did" in runs[0].error
    db.dispose()


def test_a_stop_ends_a_wait_at_once_and_names_the_signal() -> None:
    import threading

    from ordersync.sync.stop import Stop, SyncStopped

    stop = Stop()
    stop.sleep(0)  # nothing asked: a wait just waits
    threading.Timer(0.05, stop.request, ["SIGTERM"]).start()

    with pytest.raises(SyncStopped, match=r"stopped by SIGTERM.*ordersync sync"):
        stop.sleep(60)  # a budget wait or a back-off: ends when the stop is asked


def test_a_signal_during_the_ingest_of_a_run_stops_it_once_the_merge_is_done(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    """`ordersync run` with no board: a signal during the ingest used to be swallowed (the
    run went on and exited 0); now the stages finish, and the run stops before the next."""
    from ordersync.pipeline import run_all
    from ordersync.sync.stop import Stop, SyncStopped

    config = make_config()
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    stop = Stop()
    stop.request("SIGINT")  # as if it came while the workbooks were read

    with pytest.raises(SyncStopped, match=r"stopped by SIGINT after the ingest and merge"):
        run_all(config, db, stop=stop)

    assert [r.status for r in fetch(db, "SELECT status FROM ingest_files")] == ["merged"]
    db.dispose()
