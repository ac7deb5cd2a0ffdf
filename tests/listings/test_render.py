"""The listings' tables print file, sheet, customer and error texts exactly as written."""

from __future__ import annotations

from datetime import datetime

from conftest import printed
from ordersync.listings.failures import FailedRecord
from ordersync.listings.rejects import RejectedRow
from ordersync.listings.render import print_failures, print_rejects, print_runs
from ordersync.listings.runs import RunRecord


def test_rejects_print_bracketed_files_sheets_and_values_verbatim() -> None:
    rows = [RejectedRow("orders [v2].xlsx", "[Sheet1]", 4, "qty [S]", "[/]",
                        "not a number [/]", "ACME [EU]", "K[/]1")]

    out = printed(lambda c: print_rejects(c, rows))

    for text in ("orders [v2].xlsx", "[Sheet1]", "qty [S]", "[/]", "not a number [/]",
                 "ACME [EU]", "K[/]1"):
        assert text in out


def test_failures_print_bracketed_keys_customers_and_messages_verbatim() -> None:
    records = [FailedRecord("order", "u1", "K[/]1", None, "ACME [EU]", "[S]", "FAILED",
                            "CREATE", 1, "[code]", "column [status]: label [Done] unknown",
                            None, None, None)]

    out = printed(lambda c: print_failures(c, records))

    for text in ("K[/]1", "ACME [EU]", "[S]", "[code]", "column [status]: label [Done] unknown"):
        assert text in out


def test_runs_print_the_stop_reason_verbatim() -> None:
    run = RunRecord("sync", 3, "stopped [x]", datetime(2026, 1, 2, 3, 4, 5), None,
                    error="monday said [/] [ComplexityException]")

    out = printed(lambda c: print_runs(c, [run]))

    assert "stopped [x]" in out and "monday said [/] [ComplexityException]" in out
