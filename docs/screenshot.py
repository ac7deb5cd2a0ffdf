"""Render a report page to a PNG with Debian's chromium (how docs/report.png is made).

    .venv/bin/python docs/screenshot.py demo-work/report.html docs/report.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main(page_path: str, png: str) -> None:
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1500})
        page.goto(Path(page_path).resolve().as_uri())
        page.screenshot(path=png, full_page=False)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
