"""The listings as people read them: rich tables on stderr (machines get ``--json``)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from rich.console import Console
from rich.table import Table

from ordersync.listings.failures import FailedRecord, next_steps
from ordersync.listings.rejects import RejectedRow
from ordersync.listings.runs import RunRecord
from ordersync.render import literal


def _text(value: object) -> str:
    """A cell of user data, printed as written (rich would read ``[x]`` as markup)."""
    return "" if value is None else literal(value)


def print_rejects(console: Console, rows: Sequence[RejectedRow]) -> None:
    """One section per file and kind of reason, every rejected cell a row."""
    distinct = len({(r.file, r.sheet, r.row) for r in rows})
    files = len({r.file for r in rows})
    console.print(f"[bold]rejected rows[/]: {distinct:,} row(s) in {files:,} file(s), "
                  f"{len(rows):,} refused cell(s) or key(s)", highlight=False)
    if not rows:
        return
    table = Table(show_edge=False, pad_edge=False)
    for header in ("file", "sheet", "row", "column", "value", "reason", "customer",
                   "business key"):
        table.add_column(header, justify="right" if header == "row" else "left",
                         overflow="fold")
    ordered = sorted(rows, key=lambda r: (r.file, r.reason_kind, r.sheet or "", r.row or 0))
    for index, (_, group) in enumerate(groupby(ordered, key=lambda r: (r.file, r.reason_kind))):
        members = list(group)
        if index:
            table.add_section()
        for position, r in enumerate(members):
            first = position == 0
            table.add_row(_text(r.file) if first else "", _text(r.sheet), _text(r.row),
                          _text(r.column), _text(r.raw_value), _text(r.reason),
                          _text(r.customer), _text(r.business_key))
    console.print(table)


def print_failures(console: Console, records: Sequence[FailedRecord],
                   config_arg: str = "") -> None:
    failed = sum(not r.in_doubt for r in records)
    doubt = len(records) - failed
    console.print(f"[bold]failures[/]: {failed:,} record(s) FAILED, {doubt:,} in doubt",
                  highlight=False)
    if not records:
        console.print("nothing FAILED or in doubt.  Orders still waiting to be sent (PENDING: "
                      "`ordersync status` counts them) are not failures — the next `ordersync "
                      "sync` sends them; `ordersync verify` compares the board with the "
                      "database")
        return
    table = Table(show_edge=False, pad_edge=False)
    for header in ("order key", "customer", "size", "state", "action", "code", "message",
                   "attempts", "last tried"):
        table.add_column(header, justify="right" if header == "attempts" else "left",
                         overflow="fold")
    for r in records:
        table.add_row(_text(r.order_key), _text(r.customer), _text(r.size),
                      "in doubt" if r.in_doubt else "FAILED", _text(r.action), _text(r.code),
                      _text(r.message), str(r.attempts), _text(r.last_tried))
    console.print(table)
    for step in next_steps(list(records), config_arg):
        console.print(f"next: {literal(step)}", highlight=False, soft_wrap=True)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def run_counts(run: RunRecord) -> str:
    c = run.counts
    if run.kind == "ingest":
        text = (f"{c.get('files_read', 0)} files read, {c.get('files_skipped', 0)} skipped, "
                f"{c.get('files_failed', 0)} failed; {c.get('rows_read', 0):,} rows → "
                f"{c.get('rows_staged', 0):,} staged, {c.get('rows_rejected', 0):,} rejected")
        if "orders_written" in c:
            text += (f"; {c['orders_written']:,} orders, {c.get('lines_written', 0):,} "
                     "lines written")
        return text
    return f"{c.get('succeeded', 0):,} done, {c.get('failed', 0):,} failed"


def print_runs(console: Console, runs: Sequence[RunRecord]) -> None:
    if not runs:
        console.print("no runs yet: `ordersync run` ingests and merges, `ordersync sync` "
                      "sends to the board")
        return
    table = Table(show_edge=False, pad_edge=False, title="runs, newest first")
    for header in ("run", "started (UTC)", "duration", "outcome", "counts", "requests",
                   "complexity", "budget waits", "stop reason"):
        table.add_column(header, overflow="fold",
                         justify="right" if header in ("requests", "complexity") else "left")
    for run in runs:
        sync = run.kind == "sync"
        waits = (f"{run.budget_waits} ({duration(run.waited_seconds)})"
                 if sync and run.budget_waits else "")
        table.add_row(f"{run.kind} {run.id}",
                      run.started_at.strftime("%Y-%m-%d %H:%M:%S") if run.started_at else "",
                      duration(run.seconds), _text(run.status), run_counts(run),
                      f"{run.requests:,}" if sync else "", f"{run.complexity:,}" if sync else "",
                      waits, _text(run.error))
    console.print(table)
