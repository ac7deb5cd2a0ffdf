"""``ordersync report``: one self-contained HTML page of where every customer stands.

    data.py    what the page shows, read from the database (read-only)
    charts.py  inline SVG bar charts
    page.py    the page: tables with filters, charts, styles and script inline

``write_report(config, db, path)`` writes the page; ``write_report_dir`` writes a
timestamped page and ``report.html`` (the latest) into ``[report] dir``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ordersync.config import Config
from ordersync.db import Database
from ordersync.report.data import ReportData, read_report_data
from ordersync.report.page import render_page

__all__ = ["ReportData", "read_report_data", "render_page", "write_report", "write_report_dir"]

LATEST = "report.html"


def write_report(config: Config, db: Database, path: Path) -> Path:
    """The page for the database's current state, written to ``path``."""
    html = render_page(read_report_data(config, db))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def write_report_dir(config: Config, db: Database, folder: Path) -> Path:
    """A page named for this moment in ``folder``, copied to ``report.html``; its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    page = write_report(config, db, folder / f"report-{stamp}.html")
    (folder / LATEST).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    return page
