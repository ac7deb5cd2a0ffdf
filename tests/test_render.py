"""The printed reports: names, errors and hints reach the terminal exactly as written.

rich reads ``[...]`` in a printed string as markup: unescaped, ``[seasons]`` vanished from
the look-alike hint, ``orders [v2].xlsx`` showed as ``orders .xlsx`` and a ``[/]`` in a file
name or an error message raised ``MarkupError`` instead of printing the report.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import printed
from ordersync import render
from ordersync.ingest.report import FileReport, IngestReport
from ordersync.names import look_alikes
from ordersync.plan import GroupPlan, SyncPlan
from ordersync.routing import BoardFill
from ordersync.sync.report import SyncReport
from ordersync.verify.report import Finding, Kind, VerifyReport


@pytest.mark.parametrize("value", [
    "orders [v2].xlsx", "a[/]b.xlsx", "[sources.profiles.ACC]", "[bold]not bold",
    r"C:\orders\[v2]", "C:\\orders\\", "[]", "plain text",
], ids=["tag-like", "closing-tag", "toml-table", "style-name", "backslash-before-bracket",
        "trailing-backslash", "empty-brackets", "plain"])
def test_literal_prints_the_value_as_written_between_our_own_markup(value: str) -> None:
    out = printed(lambda c: c.print(f"[red]✗[/] {render.literal(value)} [bold]end[/]"))

    assert out == f"✗ {value} end\n"


def test_control_characters_from_a_workbook_print_as_escapes_not_as_terminal_codes() -> None:
    name = "orders \x1b[2J\x1b]0;PWNED\x07 \x9b31m.xlsx"
    out = printed(lambda c: c.print(f"[red]✗[/] {render.literal(name)}"))

    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert out == "✗ orders \\x1b[2J\\x1b]0;PWNED\\x07 \\x9b31m.xlsx\n"
    assert render.printable("a\tb\nc\rd") == "a\tb\nc\\x0dd"  # tab and line feed stay


def _alike_hints() -> list[str]:
    hints = [str(a) for a in look_alikes([("ACME", "SS26", "ACME SS26"),
                                          ("ACME", "SP26", "ACME SP26")])]
    assert hints and 'add under [seasons]: "SS26" = ["SP26"]' in hints[0]
    return hints


def test_ingest_report_prints_file_names_errors_and_hints_verbatim() -> None:
    error = ("orders [v2].xlsx: [sources.profiles.ACC] has no sheet 'Orders [/] 2026' "
             "(sheets: [Sheet1])")
    report = IngestReport(
        files=(FileReport("orders [v2].xlsx", "ACC", "failed", error=error,
                          notes=("hidden sheet [old] skipped",), reason="new [x]"),
               FileReport("a[/]b.xlsx", "ACC [eu]", "staged", rows_read=3, rows_staged=3)),
        new_columns=("colour [en]",),
        warnings=("profile [sources.profiles.GRE] matched no file",),
        look_alikes=tuple(_alike_hints()))

    out = printed(lambda c: render.print_ingest(c, report, verbose=True))

    for text in ("orders [v2].xlsx", "a[/]b.xlsx", "ACC [eu]", "new [x]", error,
                 "hidden sheet [old] skipped", "colour [en]",
                 "profile [sources.profiles.GRE] matched no file",
                 'to merge them add under [seasons]: "SS26" = ["SP26"]'):
        assert text in out
    assert "ingest: 1 files read" in out  # our own markup still styles, it does not print


def test_ingest_dry_run_keeps_its_bracketed_prefix() -> None:
    report = IngestReport(files=(FileReport("[x].xlsx", "ACC", "staged"),), dry_run=True)

    out = printed(lambda c: render.print_ingest(c, report))

    assert "[dry run] would ingest:" in out and "[x].xlsx" in out and "would read" in out


def _plan(**fields: Any) -> SyncPlan:
    totals = dict.fromkeys(("items_create", "items_update", "items_cancel", "subitems_create",
                            "subitems_update", "subitems_zero", "nothing_to_do", "failed",
                            "in_doubt"), 0)
    return SyncPlan(**{"board_id": "[board]", "groups": (), "groups_to_create": (),
                       "operations": (), "complexity_per_minute": 10_000_000,
                       "requests_per_minute": 5_000, "totals": totals, **fields})


def test_plan_prints_customers_groups_boards_and_hints_verbatim() -> None:
    plan = _plan(groups=(GroupPlan("ACME [EU]", "ACME [/] SS26", create_group=True,
                                   items_create=2),),
                 boards=(BoardFill("SS26", 1, "Orders [SS26] [/]", None, items_after=2),),
                 capacity_problems=("board 'Orders [SS26]' would hold [/] too many items",),
                 look_alikes=tuple(_alike_hints()),
                 time_text="over a day: raise [monday.limits] daily_calls = 1000")

    out = printed(lambda c: render.print_plan(c, plan))

    for text in ("plan for board [board]", "ACME [EU]", "ACME [/] SS26", "Orders [SS26] [/]",
                 "board 'Orders [SS26]' would hold [/] too many items",
                 'to merge them add under [seasons]: "SS26" = ["SP26"]',
                 "time: over a day: raise [monday.limits] daily_calls = 1000"):
        assert text in out


def test_status_prints_names_and_errors_verbatim() -> None:
    status = {
        "database": "sqlite:///orders [v2].db",
        "files": {"total": 2, "failed": 1, "by_status": {"merged": 1, "failed": 1},
                  "failed_files": [{"path": "x.xlsx", "error": "x\x1b[2J [v2].xlsx: cut"}]},
        "staged_rows": 0, "rejected_rows": 0, "rejections": 0,
        "orders": {"total": 1, "by_state": {"FAILED": 1}, "by_action": {}, "by_change": {}},
        "lines": {"total": 0, "by_state": {}, "by_action": {}},
        "failed": {"orders": 1, "lines": 0,
                   "examples": [{"order": "K[/]1", "size": None, "error": "bad [x]"}]},
        "boards": [{"board_id": "7", "name": "Orders [SS26]", "route": "[/]",
                    "orders": 1, "lines": 0}],
        "last_sync": {"id": 3, "board_id": "7", "status": "stopped", "started_at": "today",
                      "succeeded": 0, "failed": 1, "requests": 1,
                      "error": "monday said [/] [ColumnValueException]"},
        "last_verify": {"board_id": "7", "status": "differs [x]", "differences": 1,
                        "finished_at": "now"},
    }

    out = printed(lambda c: render.print_status(c, status))

    assert "\x1b" not in out  # a failed file's name shows its control characters as text
    for text in ("database: sqlite:///orders [v2].db", "K[/]1: bad [x]",
                 "failed: x\\x1b[2J [v2].xlsx: cut",
                 "board 7 'Orders [SS26]' (route '[/]')",
                 "monday said [/] [ColumnValueException]", "differs [x]"):
        assert text in out


def test_sync_prints_failed_records_and_the_stop_reason_verbatim() -> None:
    report = SyncReport(board_id="7", stopped="monday said [/] [ComplexityException]")
    report.fail("K[/]1 (ACME [EU])", "column [status]: label [Done] not found")

    out = printed(lambda c: render.print_sync(c, report))

    for text in ("K[/]1 (ACME [EU])", "column [status]: label [Done] not found",
                 "stopped early: monday said [/] [ComplexityException]"):
        assert text in out


def test_verify_prints_board_names_and_examples_verbatim() -> None:
    report = VerifyReport("7", board_name="Orders [SS26] [/]")
    report.add(Finding(Kind.VALUE_DIFFERS, "K[/]1", item_id="9", column="[qty]",
                       board="[x]", database="3"))

    out = printed(lambda c: render.print_verify(c, report))

    assert "verify (Orders [SS26] [/]): board 7 differs" in out
    assert "K[/]1, item 9, column [qty]: board '[x]', database '3'" in out
