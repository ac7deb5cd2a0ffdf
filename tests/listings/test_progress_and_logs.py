"""Progress outside a terminal (ETA, the budget countdown, one line per 10 s at most), the
JSON log (every stage and request, never the token), and `run` composed in the library."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest

from conftest import WorkbookFactory, order_row
from ordersync.logs import configure_logging
from ordersync.monday.wire import TOKEN_ENV
from ordersync.pipeline import run_all, sync_board
from ordersync.progress import ProgressReporter
from sync.conftest import TOKEN, Harness


class Captured:
    """A non-terminal stream that records when (on the fake clock) each line came."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self.lines.append((self.clock(), line))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _orders(write_workbook: WorkbookFactory, n: int = 80) -> None:
    sizes = {"XS": 1, "S": 2, "M": 3, "L": 4, "XL": 5}
    write_workbook("GRE_a.xlsx", [order_row(i, sizes) for i in range(1, n + 1)])


def test_progress_off_a_terminal_shows_eta_and_the_budget_countdown_every_10_s_at_most(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(plan="standard")  # 10,000,000 a minute: 480 mutations need waits
    _orders(write_workbook)
    h.pipeline()
    stream = Captured(h.clock.now)
    progress = ProgressReporter(stream, clock=h.clock.now)  # type: ignore[arg-type]

    with h.client() as client, progress:
        report = sync_board(h.config, h.db, client=client, progress=progress,
                            clock=h.clock.now, sleep=h.clock.advance)

    assert report.budget_waits >= 1 and report.counts["failed"] == 0
    texts = [text for _, text in stream.lines]
    assert any("ETA" in t and "/s" in t and " / " in t for t in texts), texts
    waits = [t for t in texts if t.startswith("waiting ")
             and "for monday's complexity budget" in t]
    assert waits and any("minutes done" in t for t in waits), texts
    times = [moment for moment, _ in stream.lines]
    assert all(b - a >= 10 for a, b in itertools.pairwise(times)), times
    assert any("sync subitems" in t for t in texts)


def test_on_a_fast_clock_plain_lines_also_wait_for_real_time() -> None:
    """The demo's sandbox clock runs minutes a second: off a terminal its progress writes at
    most one line per real second, not one per 10 sandbox seconds."""
    moments = [0.0]

    def fast() -> float:
        moments[0] += 10.0  # every reading is 10 s later on this clock
        return moments[0]

    regular = StringIO()
    ProgressReporter(regular, interactive=False, clock=fast).budget_sleep(
        lambda _: None)(600)
    assert regular.getvalue().count("waiting ") == 60  # a line per 10 s on its clock

    demo = StringIO()
    progress = ProgressReporter(demo, interactive=False)
    progress.use_clock(fast)
    progress.budget_sleep(lambda _: None)(600)
    assert demo.getvalue().count("waiting ") == 1  # the rest came within a real second


def test_the_log_file_has_every_stage_and_request_as_json_and_never_the_token(
        harness: Harness, write_workbook: WorkbookFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    log = tmp_path / "logs" / "ordersync.log"
    configure_logging(log)
    try:
        _orders(write_workbook, 5)
        with harness.client() as client:
            result = run_all(harness.config, harness.db, client=client,
                             clock=harness.clock.now, sleep=harness.clock.advance)
    finally:
        configure_logging(None)

    text = log.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]
    events = [e.get("event") for e in entries]
    assert {"ingest", "merge", "sync"} <= set(events)
    requests = [e for e in entries if e.get("event") == "request"]
    assert result.sync is not None and len(requests) == result.sync.requests > 0
    assert all(e["http_status"] == 200 and e["request_id"] for e in requests)
    assert all({"ts", "level", "logger", "message"} <= set(e) for e in entries)
    assert TOKEN not in text


def test_run_all_composes_pipeline_and_sync_and_merges_exit_codes(
        harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory) -> None:
    h = harness_factory(columns={"identity": "order_key", "status": "status",
                                 "quantity": {"id": "total_qty", "type": "numbers",
                                              "source": "CUSTOMER STYLE"}})
    write_workbook("GRE_a.xlsx", [order_row(1, style="42")])
    with h.client() as client:
        first = run_all(h.config, h.db, client=client, clock=h.clock.now,
                        sleep=h.clock.advance)
    assert first.sync is not None and first.sync.counts["items_created"] == 1
    assert first.exit_code == 0

    write_workbook("GRE_b.xlsx", [order_row(2, style="NOT-A-NUMBER")])
    with h.client() as client:
        second = run_all(h.config, h.db, client=client, clock=h.clock.now,
                         sleep=h.clock.advance)
    assert second.ingest.count("staged") == 1 and second.sync is not None
    assert second.sync.counts["failed"] == 1 and second.exit_code == 3


def test_logging_and_report_dir_from_the_config_file(
        make_config: Callable[..., object], write_workbook: WorkbookFactory,
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from conftest import write_config
    from ordersync.cli import cli

    config = make_config(logging={"file": "logs/ordersync.log"}, report={"dir": "reports"})
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, {"S": "12 pcs"})])
    path = write_config(config, tmp_path)  # type: ignore[arg-type]

    try:
        result = CliRunner().invoke(cli, ["run", "--config", str(path)])
    finally:
        configure_logging(None)

    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in
               (tmp_path / "logs" / "ordersync.log").read_text().splitlines()]
    ingest = next(e for e in entries if e.get("event") == "ingest")
    assert (ingest["files_read"], ingest["rows_staged"], ingest["rows_rejected"]) == (1, 1, 1)
    pages = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert pages[-1] == "report.html" and pages[0].startswith("report-") and len(pages) == 2
    assert "12 pcs" in (tmp_path / "reports" / "report.html").read_text()
    assert f"report: {tmp_path / 'reports'}" in " ".join(result.stderr.split())


def test_in_a_terminal_the_countdown_ticks_each_second_on_one_redrawn_line() -> None:
    import io

    moments = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        moments[0] += seconds

    screen = io.StringIO()
    progress = ProgressReporter(screen, interactive=True, clock=lambda: moments[0])
    with progress:
        progress.sync_started(10, 120.0)
        progress.pass_started("items", 10)
        progress.sent(4)
        progress.budget_sleep(sleep)(3.5)

    assert slept == [1.0, 1.0, 1.0, 0.5]
    assert progress.lines == []  # redrawn in place, never appended as log lines
    assert "ETA" in progress.pass_line() and "4 / 10" in progress.pass_line()


def test_in_a_terminal_the_file_being_read_shows_as_named() -> None:
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with ProgressReporter(screen, interactive=True) as progress:
        progress.ingest_file()("orders [v2] [bold]b[/].xlsx")  # rich markup, were it read so

    assert "ingest: reading file 1 — orders [v2] [bold]b[/].xlsx" in screen.getvalue()


def test_an_escape_sequence_in_a_file_name_shows_as_text_not_as_a_terminal_code() -> None:
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    for screen, interactive in ((Terminal(), True), (StringIO(), False)):
        with ProgressReporter(screen, interactive=interactive) as progress:
            progress.ingest_file()("orders \x1b[2J\x1b]0;PWNED\x07.xlsx")

        assert "orders \\x1b[2J\\x1b]0;PWNED\\x07.xlsx" in screen.getvalue()
        assert "\x1b[2J" not in screen.getvalue() and "\x07" not in screen.getvalue()


def test_a_short_token_is_redacted_where_it_stands_not_inside_words() -> None:
    """The README's sandbox token is `x`: replaced everywhere, the log read
    "GRE.[redacted]ls[redacted]" for "GRE.xlsx" and "E[redacted]cel" for "Excel"."""
    from ordersync.logs import REDACTED, redact

    text = "GRE.xlsx failed: open it in Excel; Authorization: x, token x"
    assert redact(text, "x") == (f"GRE.xlsx failed: open it in Excel; Authorization: {REDACTED}, "
                                 f"token {REDACTED}")
    long = "eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOjF9.abc-def_1"
    assert redact(f'sent "{long}" and Bearer {long}.', long).count(REDACTED) == 2


def _entries(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_an_error_that_ends_a_command_is_in_the_log_once_and_without_the_password(
        harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --log-file (a cron job's only record) the log held "ingest done" and nothing of
    the error the command ended on."""
    from click.testing import CliRunner

    from conftest import free_port, write_config
    from ordersync.cli import cli

    path = write_config(harness.config, tmp_path)
    log = tmp_path / "ordersync.log"
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL",
                       f"postgresql://ops:s3cret-pw@127.0.0.1:{free_port()}/orders")
    try:
        result = CliRunner().invoke(cli, ["--log-file", str(log), "status", "--config",
                                          str(path)])
    finally:
        configure_logging(None)

    assert result.exit_code == 1
    (entry,) = [e for e in _entries(log) if e["level"] == "ERROR"]
    assert entry["event"] == "command_failed" and entry["command"] == "status"
    assert entry["error"] == "DatabaseError"
    assert "postgresql://ops:***@127.0.0.1" in str(entry["message"])
    assert "s3cret-pw" not in log.read_text(encoding="utf-8")
    assert " ".join(result.stderr.split()).count("check database.url") == 1  # said once


def test_a_run_whose_sync_cannot_start_logs_it_and_its_run_says_so(
        harness: Harness, write_workbook: WorkbookFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`runs` showed the newest run as "ingest ok" when its sync never started."""
    from ordersync.listings.runs import SYNC_FAILED, list_runs

    monkeypatch.delenv(TOKEN_ENV, raising=False)
    log = tmp_path / "ordersync.log"
    configure_logging(log)
    try:
        _orders(write_workbook, 2)
        result = run_all(harness.config, harness.db, clock=harness.clock.now,
                         sleep=harness.clock.advance)
    finally:
        configure_logging(None)

    assert result.sync_error is not None and result.exit_code == 1
    (entry,) = [e for e in _entries(log) if e["level"] == "ERROR"]
    assert entry["event"] == "sync_failed" and "MONDAY_API_TOKEN is not set" in str(
        entry["message"])
    newest = list_runs(harness.db)[0]
    assert (newest.kind, newest.status) == ("ingest", SYNC_FAILED)
    assert newest.error is not None and newest.error.startswith(
        "the sync could not run: MONDAY_API_TOKEN is not set")
    assert newest.counts["orders_written"] == 2  # the ingest and merge it did stay told
