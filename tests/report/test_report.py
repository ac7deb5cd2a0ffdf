"""The report page: self-contained, under 2 MB, and checked in a real headless Chromium.

The browser test opens the page from disk with playwright driving Debian's
``chromium`` (never a downloaded browser; ``.ci/run`` installs the package), keeps
a screenshot as a test artifact (``test-artifacts/report-page.png``), and asserts
no console error and that every chart drew bars carrying data.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import WorkbookFactory, order_row
from ordersync.report import read_report_data, write_report
from sync.conftest import Harness

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def report_page(harness_factory: Callable[..., Harness], write_workbook: WorkbookFactory,
                tmp_path: Path) -> tuple[Harness, Path]:
    """A board with two syncs, one refused record, and rejected rows."""
    h = harness_factory(columns={"identity": "order_key", "status": "status",
                                 "quantity": {"id": "total_qty", "type": "numbers",
                                              "source": "CUSTOMER STYLE"}})
    write_workbook("GRE_a.xlsx", [order_row(n, {"S": n, "M": 2}, style=str(40 + n))
                                  for n in range(1, 9)]
                   + [order_row(20, {"S": "12 pcs"}), order_row(21, ETA="31/02/2025")])
    h.pipeline()
    h.sync()
    write_workbook("GRE_b.xlsx", [order_row(30, style="NOT-A-NUMBER"),
                                  order_row(31, {"S": 4}, style="77")])
    h.pipeline()
    h.sync()
    return h, write_report(h.config, h.db, tmp_path / "report.html")


def test_the_page_is_self_contained_small_and_tells_the_tables_story(
        report_page: tuple[Harness, Path]) -> None:
    h, page = report_page
    html = page.read_text(encoding="utf-8")

    assert page.stat().st_size < 2 * 1024 * 1024
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched
    assert "<script>" in html and "<style>" in html
    data = read_report_data(h.config, h.db)
    (greystone,) = data.customers
    assert (greystone.customer, greystone.orders) == ("GREYSTONE", 10)
    assert greystone.rows_rejected == 2 and greystone.files == 2
    assert greystone.orders_by_state == {"SYNCED": 9, "FAILED": 1}
    assert [r.kind for r in data.runs].count("sync") == 2
    assert len(data.failures) == 1 and "NOT-A-NUMBER" in html
    assert {r.raw_value for r in data.rejects} == {"12 pcs", "31/02/2025"}
    assert sum(g.items for g in data.groups) == 9


def test_the_page_renders_in_headless_chromium_without_errors_and_every_chart_has_data(
        report_page: tuple[Harness, Path]) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is absent: `apt-get install -y chromium` (.ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e .[dev])")
    _, page_path = report_page
    errors: list[str] = []
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            charts = page.evaluate("""() => [...document.querySelectorAll('figure.chart')].map(
                f => ({id: f.id, empty: f.classList.contains('empty'),
                       bars: [...f.querySelectorAll('rect.bar')].filter(r => {
                           const box = r.getBoundingClientRect();
                           return box.width > 0 && box.height > 0
                               && Number(r.dataset.value) > 0; }).length}))""")
            rows = page.evaluate("() => document.querySelectorAll('#rejects tbody tr').length")
            page.fill("#rejects-filters input", "12 pcs")
            shown = page.evaluate(
                "() => [...document.querySelectorAll('#rejects tbody tr')]"
                ".filter(r => !r.hidden).length")
            ARTIFACTS.mkdir(exist_ok=True)
            page.fill("#rejects-filters input", "")
            page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
        finally:
            browser.close()

    assert errors == []
    assert len(charts) == 7
    assert [c["id"] for c in charts if c["empty"] or c["bars"] == 0] == []
    assert rows == 2 and shown == 1
    assert (ARTIFACTS / "report-page.png").stat().st_size > 10_000
    shutil.copy(ARTIFACTS / "report-page.png", page_path.with_suffix(".png"))


def test_failed_and_missing_files_are_on_the_page_with_why(
        report_page: tuple[Harness, Path], tmp_path: Path) -> None:
    """They showed nowhere but in a run's stop reason, which ages out of the history."""
    h, _ = report_page
    (tmp_path / "orders" / "GRE_b.xlsx").unlink()
    (tmp_path / "orders" / "GRE_c.xlsx").write_bytes(b"PK\x03\x04 cut short")
    h.pipeline()

    data = read_report_data(h.config, h.db)
    html = write_report(h.config, h.db, tmp_path / "again.html").read_text(encoding="utf-8")

    assert [(f.path, f.status) for f in data.problem_files] == [
        ("GRE_c.xlsx", "failed"), ("GRE_b.xlsx", "missing")]
    assert data.totals()["files_failed"] == data.totals()["files_missing"] == 1
    assert "Files needing attention (2)" in html
    assert "gone from the folder" in html and "GRE_c.xlsx" in html
    (failed,) = [f for f in data.problem_files if f.status == "failed"]
    assert failed.error and failed.error.split(":")[0] in html
