"""Turning stage reports into what people read (rich tables) and machines read (JSON)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from ordersync.ingest import IngestReport
from ordersync.pipeline import MergeResult


def ingest_json(report: IngestReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "files": [asdict(f) for f in report.files],
        "totals": {"staged": report.count("staged"), "skipped": report.count("skipped"),
                   "failed": report.count("failed"), "rows_read": report.rows_read,
                   "rows_staged": report.rows_staged, "rows_rejected": report.rows_rejected},
        "new_columns": list(report.new_columns),
        "warnings": list(report.warnings),
    }


def merge_json(result: MergeResult) -> dict[str, Any]:
    return {"dry_run": result.dry_run, "orders": asdict(result.orders),
            "lines": {**asdict(result.lines), "written": result.lines.written}}


def print_ingest(console: Console, report: IngestReport, *, verbose: bool = False,
                 problems_only: bool = False) -> None:
    prefix = "\\[dry run] would ingest" if report.dry_run else "ingest"
    console.print(
        f"[bold]{prefix}[/]: {report.count('staged')} files read, "
        f"{report.count('skipped')} unchanged (skipped), {report.count('failed')} failed; "
        f"{report.rows_read} rows read → {report.rows_staged} staged, "
        f"{report.rows_rejected} rejected")
    shown = [f for f in report.files if verbose or f.status != "skipped"]
    if problems_only:
        shown = [f for f in shown if f.status == "failed" or f.rows_rejected]
    if shown:
        table = Table(show_edge=False, pad_edge=False)
        for header in ("file", "profile", "status", "read", "staged", "rejected", "blank"):
            table.add_column(header, justify="right" if header in
                             ("read", "staged", "rejected", "blank") else "left")
        for f in shown:
            status = {"failed": "[red]failed[/]", "staged": "[green]staged[/]"}.get(
                f.status, f.status)
            table.add_row(f.path, f.profile, status, str(f.rows_read), str(f.rows_staged),
                          str(f.rows_rejected), str(f.rows_blank))
        console.print(table)
    for f in report.files:
        if f.error:
            console.print(f"[red]✗[/] {f.error}", highlight=False)
    if report.new_columns:
        names = report.new_columns
        listed = ", ".join(names[:12]) + (f", … ({len(names) - 12} more)" if len(names) > 12
                                          else "")
        console.print(f"{len(names)} new columns: {listed}", highlight=False)
    for warning in report.warnings:
        console.print(f"[yellow]![/] {warning}", highlight=False)


def print_merge(console: Console, result: MergeResult) -> None:
    o, lines = result.orders, result.lines
    prefix = "\\[dry run] merge would find" if result.dry_run else "merge"
    console.print(
        f"[bold]{prefix}[/]: {o.files} files, {o.rows} staged rows"
        + (f", {o.duplicates} duplicate keys rejected" if o.duplicates else ""))
    table = Table(show_edge=False, pad_edge=False, title=None)
    table.add_column("orders")
    table.add_column("count", justify="right")
    for kind, n in o.by_kind().items():
        table.add_row(str(kind), str(n))
    console.print(table)
    console.print(
        f"lines: {lines.created} created, {lines.updated} updated, "
        f"{lines.removed} removed (zeroed), {lines.dropped} dropped (never sent)")


def print_status(console: Console, status: dict[str, Any]) -> None:
    files, orders, lines = status["files"], status["orders"], status["lines"]
    console.print(f"[bold]database[/]: {status['database']}", highlight=False)
    console.print(f"files: {files['total']} ({_pairs(files['by_status'])})")
    console.print(f"staged rows waiting for merge: {status['staged_rows']}; "
                  f"rejected rows: {status['rejected_rows']} ({status['rejections']} refused cells "
                  "and reasons)")
    console.print(f"orders: {orders['total']} — state {_pairs(orders['by_state'])}; "
                  f"action {_pairs(orders['by_action'])}; change {_pairs(orders['by_change'])}")
    console.print(f"lines: {lines['total']} — state {_pairs(lines['by_state'])}; "
                  f"action {_pairs(lines['by_action'])}")


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"
