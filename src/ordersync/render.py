"""Turning stage reports into what people read (rich tables) and machines read (JSON).

rich is imported by the functions that draw tables, so that ``--json`` output and
``--help`` never load it.

rich reads every printed string, table cell and title as markup, so each piece of user
data (file, sheet, customer and group names, order keys, error texts, config hints such
as ``add under [seasons]``) goes through ``literal``; the ``[red]…[/]`` around it is ours.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console
    from rich.table import Table

    from ordersync.ingest import IngestReport
    from ordersync.pipeline import MergeResult
    from ordersync.plan import SyncPlan
    from ordersync.sync.report import Failure, SyncReport
    from ordersync.verify.report import VerifyReport


_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7f, 0xa0))
             if code not in (0x09, 0x0a)}
"""Control characters (a file name's or a rejected cell's) shown as ``\\x1b``: printed as
they are, an escape sequence from a workbook would drive the operator's terminal."""


def printable(value: object) -> str:
    """``value`` as text, its control characters shown as ``\\x1b``."""
    return str(value).translate(_CONTROLS)


def literal(value: object) -> str:
    """``value`` as rich markup that prints exactly as written: ``[seasons]`` stays, a
    ``[/]`` cannot end our styling (or raise ``MarkupError``), a control character shows
    as ``\\x1b``."""
    from rich.markup import escape

    text = printable(value)
    escaped = escape(text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        # escape() doubles a final backslash lest it escape a tag right after it; no tag
        # follows data here, and the doubled one would print.
        escaped = escaped[:-1]
    return escaped


def ingest_json(report: IngestReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "files": [asdict(f) for f in report.files],
        "totals": {"staged": report.count("staged"), "skipped": report.count("skipped"),
                   "failed": report.count("failed"), "missing": report.count("missing"),
                   "rows_read": report.rows_read,
                   "rows_staged": report.rows_staged, "rows_rejected": report.rows_rejected},
        "new_columns": list(report.new_columns),
        "warnings": list(report.warnings),
        "look_alikes": list(report.look_alikes),
    }


def merge_json(result: MergeResult) -> dict[str, Any]:
    return {"dry_run": result.dry_run, "orders": asdict(result.orders),
            "lines": {**asdict(result.lines), "written": result.lines.written}}


def print_ingest(console: Console, report: IngestReport, *, verbose: bool = False,
                 problems_only: bool = False) -> None:
    from rich.table import Table

    prefix = "\\[dry run] would ingest" if report.dry_run else "ingest"
    console.print(
        f"[bold]{prefix}[/]: {report.count('staged')} files read, "
        f"{report.count('skipped')} unchanged (skipped), {report.count('failed')} failed"
        + (f", {report.count('missing')} missing" if report.count("missing") else "") + "; "
        f"{report.rows_read} rows read → {report.rows_staged} staged, "
        f"{report.rows_rejected} rejected")
    # A dry run lists every file and why it would (not) be read.
    shown = [f for f in report.files if verbose or report.dry_run or f.status != "skipped"]
    if problems_only:
        shown = [f for f in shown if f.status == "failed" or f.rows_rejected]
    if shown:
        table = Table(show_edge=False, pad_edge=False)
        for header in ("file", "profile", "status", "why", "read", "staged", "rejected",
                       "blank"):
            table.add_column(header, justify="right" if header in
                             ("read", "staged", "rejected", "blank") else "left")
        for f in shown:
            status = {"failed": "[red]failed[/]", "staged": "[green]staged[/]",
                      "missing": "[yellow]missing[/]"}.get(f.status, f.status)
            if report.dry_run and f.status == "staged":
                status = "[green]would read[/]"
            table.add_row(literal(f.path), literal(f.profile), status, literal(f.reason or ""),
                          str(f.rows_read), str(f.rows_staged), str(f.rows_rejected),
                          str(f.rows_blank))
        console.print(table)
    for f in report.files:
        if f.error:  # one line each, however narrow the terminal: users grep these
            console.print(f"[red]✗[/] {literal(f.error)}", highlight=False, soft_wrap=True)
        for note in f.notes:
            console.print(f"[yellow]![/] {literal(note)}", highlight=False, soft_wrap=True)
    if report.new_columns:
        names = report.new_columns
        listed = ", ".join(literal(n) for n in names[:12]) + (
            f", … ({len(names) - 12} more)" if len(names) > 12 else "")
        console.print(f"{len(names)} new columns: {listed}", highlight=False)
    for warning in (*report.warnings, *report.look_alikes):
        console.print(f"[yellow]![/] {literal(warning)}", highlight=False, soft_wrap=True)


def print_merge(console: Console, result: MergeResult) -> None:
    from rich.table import Table

    o, lines = result.orders, result.lines
    prefix = "\\[dry run] merge would find" if result.dry_run else "merge"
    console.print(
        f"[bold]{prefix}[/]: {o.files} files, {o.rows} staged rows"
        + (f", {o.duplicates} duplicate keys rejected" if o.duplicates else "")
        + (f" ({o.displaced} of them rows of files not read again, whose orders a new row "
           "took over)" if o.displaced else ""))
    table = Table(show_edge=False, pad_edge=False, title=None)
    table.add_column("orders")
    table.add_column("count", justify="right")
    for kind, n in o.by_kind().items():
        table.add_row(str(kind), str(n))
    console.print(table)
    console.print(
        f"lines: {lines.created} created, {lines.updated} updated, "
        f"{lines.removed} removed (zeroed), {lines.dropped} dropped (never sent)")


def print_no_tables(console: Console, database: str | None = None, *,
                    schema: str | None = None, schema_exists: bool = True,
                    other_schemas: Sequence[str] = ()) -> None:
    """A database (named, unless just printed) where ordersync has no tables yet — in the
    configured PostgreSQL ``schema``, while ``other_schemas`` of the database hold them."""
    where = f"database {literal(database)}: " if database else ""
    if schema and other_schemas:
        missing = " does not exist" if not schema_exists else " holds none of them"
        others = ", ".join(repr(s) for s in other_schemas[:5]) + (
            f" and {len(other_schemas) - 5} more" if len(other_schemas) > 5 else "")
        console.print(f"{where}[yellow]no ordersync tables in schema {literal(repr(schema))}"
                      f"[/] (database.schema): it{missing}, but schema(s) {literal(others)} "
                      "of this database hold ordersync's tables — if database.schema is "
                      "misspelled, fix it; a run would start a new, empty order list in "
                      f"{literal(repr(schema))}", soft_wrap=True, highlight=False)
        return
    checks = "database.url (or ORDERSYNC_DATABASE_URL)" + (
        " and database.schema" if schema else "")
    console.print(f"{where}[yellow]no ordersync tables in it yet[/] — `ordersync run` makes "
                  f"them; if they should be there, check {checks}", soft_wrap=True,
                  highlight=False)


def print_status(console: Console, status: dict[str, Any]) -> None:
    files, orders, lines = status["files"], status["orders"], status["lines"]
    verify = status.get("last_verify")
    if verify:
        console.print(f"last verify: board {literal(verify.get('board_id'))}, "
                      f"{literal(verify.get('status'))} ({verify.get('differences', 0)} "
                      f"difference(s), finished {literal(verify.get('finished_at'))})",
                      soft_wrap=True)
    failed = status.get("failed") or {}
    if failed.get("orders") or failed.get("lines"):
        console.print(f"[red]{failed_records(failed['orders'], failed['lines'])} FAILED[/] — "
                      "fix the data or the board, then `ordersync sync --retry-failed`:",
                      soft_wrap=True)
        for example in failed["examples"]:
            what = str(example["order"]) + (f" size {example['size']}" if example["size"]
                                            else "")
            console.print(f"  {literal(what)}: {literal(example['error'])}", soft_wrap=True)
        shown = len(failed["examples"])
        if failed["orders"] + failed["lines"] > shown:
            console.print(f"  … and {failed['orders'] + failed['lines'] - shown:,} more "
                          "(sync_events has every attempt)")
    schema = status.get("schema")
    console.print(f"[bold]database[/]: {literal(status['database'])}"
                  + (f", schema {literal(repr(schema))}" if schema else ""), highlight=False)
    if not status.get("created", True):
        print_no_tables(console, schema=schema,
                        schema_exists=status.get("schema_exists", True),
                        other_schemas=status.get("other_schemas", ()))
    console.print(f"files: {files['total']} ({_pairs(files['by_status'])})")
    for failed_file in files.get("failed_files") or ():
        console.print(f"  failed: {literal(failed_file['error'] or failed_file['path'])}",
                      soft_wrap=True)
    if files.get("failed", 0) > len(files.get("failed_files") or ()):
        console.print(f"  … and {files['failed'] - len(files['failed_files']):,} more failed "
                      "file(s) (`ordersync ingest --dry-run` reads them again and says why)")
    console.print(f"staged rows waiting for merge: {status['staged_rows']}; "
                  f"rejected rows: {status['rejected_rows']} ({status['rejections']} refused cells "
                  "and reasons)")
    console.print(f"orders: {orders['total']} — state {_pairs(orders['by_state'])}; "
                  f"action {_pairs(orders['by_action'])}; change {_pairs(orders['by_change'])}")
    console.print(f"lines: {lines['total']} — state {_pairs(lines['by_state'])}; "
                  f"action {_pairs(lines['by_action'])}")
    for board in status.get("boards") or ():
        console.print(f"board {literal(board['board_id'])}"
                      + (f" {literal(repr(board['name']))} (route {literal(repr(board['route']))})"
                         if board["name"] else "")
                      + f": {board['orders']:,} orders, {board['lines']:,} lines",
                      highlight=False)
    run = status.get("last_sync")
    if run:
        to = (f"the {len(status['boards'])} routed board(s) above (template board "
              f"{literal(run['board_id'])})" if status.get("boards")
              else f"board {literal(run['board_id'])}")
        console.print(f"last sync: run {run['id']} to {to}, "
                      f"{literal(run['status'])} (started {literal(run['started_at'])}): "
                      f"{run['succeeded']} done, {run['failed']} failed, "
                      f"{run['requests']} requests"
                      + (f" — {literal(run['error'])}" if run["error"] else ""), soft_wrap=True)


def print_plan(console: Console, plan: SyncPlan) -> None:
    from rich.table import Table

    board = literal(plan.board_id) if plan.board_id else "(monday.board_id not set)"
    checked = "registry and board" if plan.board_groups_checked else "registry only"
    console.print(f"[bold]plan[/] for board {board} (groups checked against the {checked})",
                  highlight=False)
    rows = [g for g in plan.groups if g.mutations or g.create_group or g.failed or g.in_doubt
            or g.nothing_to_do]
    if rows:
        table = Table(show_edge=False, pad_edge=False,
                      caption="items, subitems: +create ~update ✗cancel ↓zero")
        numbers = ("items", "subitems", "no-op", "failed")
        for header in ("customer", "group", "new", *numbers):
            table.add_column(header, justify="right" if header in numbers else "left")
        for g in rows:
            table.add_row(literal(g.customer),
                          literal(g.group_name) if g.group_name else "(default group)",
                          "yes" if g.create_group else "",
                          f"+{g.items_create} ~{g.items_update} ✗{g.items_cancel}",
                          f"+{g.subitems_create} ~{g.subitems_update} ↓{g.subitems_zero}",
                          str(g.nothing_to_do), str(g.failed))
        console.print(table)
    t = plan.totals
    console.print(
        f"groups to create: {len(plan.groups_to_create)}; items: {t['items_create']} to create, "
        f"{t['items_update']} to update, {t['items_cancel']} to cancel; subitems: "
        f"{t['subitems_create']} to create, {t['subitems_update']} to update, "
        f"{t['subitems_zero']} to zero; {t['nothing_to_do']} pending with nothing to do")
    for alike in plan.look_alikes:
        console.print(f"[yellow]![/] {literal(alike)}", highlight=False, soft_wrap=True)
    if t["failed"]:
        console.print(f"[yellow]![/] {t['failed']} failed record(s) wait for --retry-failed "
                      "(not planned)")
    if t["in_doubt"]:
        console.print(f"[yellow]![/] {t['in_doubt']} record(s) in doubt (SENDING): the sync "
                      "reconciles them with the board first")
    if plan.boards:
        _print_boards(console, plan)
    console.print(f"cost: {plan.requests} requests, {plan.complexity:,} complexity, about "
                  f"{_duration(plan.seconds)} under the plan's limits "
                  f"({plan.complexity_per_minute:,} complexity and {plan.requests_per_minute:,} "
                  "requests a minute)", highlight=False)
    if plan.time_text:
        console.print(f"time: {literal(plan.time_text)}", highlight=False)
    for problem in plan.capacity_problems:
        console.print(f"[red]✗[/] {literal(problem)}", highlight=False, soft_wrap=True)
    if plan.capacity_problems:
        console.print("[red]the sync refuses to start until these are fixed[/]")


def _print_boards(console: Console, plan: SyncPlan) -> None:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False,
                  caption=f"limit: {plan.items_per_board:,} items and as many subitems a board")
    for header in ("board", "id", "items now", "after", "subitems now", "after", ""):
        table.add_column(header, justify="left" if header in ("board", "id", "") else "right")
    for b in plan.boards:
        table.add_row(literal(b.name), literal(b.board_id) if b.board_id else "(new)",
                      f"{b.items_now:,}", f"{b.items_after:,}",
                      f"{b.subitems_now:,}", f"{b.subitems_after:,}",
                      "[red]over the limit[/]" if b.over(plan.items_per_board) else "")
    console.print(table)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2g} s" if seconds < 1 else f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


_SYNC_ROWS = (
    ("groups", (("created", "groups_created"), ("found on the board", "groups_adopted"))),
    ("items", (("created", "items_created"), ("updated", "items_updated"),
               ("cancelled", "items_cancelled"), ("moved to their group", "items_moved"),
               ("adopted after a lost response", "items_adopted"),
               ("found on the board, not recorded (taken over)", "items_found"))),
    ("subitems", (("created", "subitems_created"), ("updated", "subitems_updated"),
                  ("zeroed", "subitems_zeroed"), ("deleted", "subitems_deleted"),
                  ("adopted after a lost response", "subitems_adopted"),
                  ("found on the board, not recorded (taken over)", "subitems_found"))),
)


def print_sync(console: Console, report: SyncReport) -> None:
    """What a sync run did: per kind of record, then failures, then cost and time."""
    from rich.table import Table

    counts = report.counts
    title = "sync (dry run: nothing sent)" if report.dry_run else "sync"
    where = (f"boards routed from template board {literal(report.board_id)}" if report.routed
             else f"board {literal(report.board_id)}")
    table = Table(title=f"{title} — {where}", show_edge=False, pad_edge=False)
    table.add_column("")
    table.add_column("done")
    for kind, names in _SYNC_ROWS:
        done = {label: counts[key] for label, key in names if counts[key]}
        table.add_row(kind, _pairs(done) if done else "—")
    table.add_row("nothing to send", f"{counts['unchanged']:,} record(s) already as the board "
                                     "needs them")
    if counts["items_recreated"] or counts["groups_gone"] or counts["subitems_gone"]:
        gone = {"items re-created": counts["items_recreated"],
                "groups made again": counts["groups_gone"],
                "subitems looked up or re-created": counts["subitems_gone"]}
        table.add_row("gone from the board", _pairs({k: v for k, v in gone.items() if v}))
    if counts["requeued"]:
        table.add_row("re-queued", f"{counts['requeued']:,} (sent again)")
    console.print(table)
    if counts["items_recreated"]:
        console.print(f"re-created {counts['items_recreated']:,} item(s) deleted or archived on "
                      "the board")
    for replaced in report.boards_replaced:
        console.print(f"new board: {literal(replaced)}", soft_wrap=True)
    for failures, title, column in (
            (report.failures, "failed (kept FAILED; fix the data or the board, then "
                              "`ordersync sync --retry-failed`)", "record"),
            (report.group_failures, "group(s) not made (their orders wait; the next "
                                    "`ordersync sync` tries again)", "group"),
            (report.boards_gone, "board(s) gone from monday.com (their orders wait; the "
                                 "other boards were synced)", "board")):
        if failures:
            console.print(_failures_table(f"{len(failures)} {title}", column, failures))
    per_request = report.mutations / report.requests if report.requests else 0
    verb = "would send" if report.dry_run else "sent"
    console.print(f"{verb} {report.mutations:,} mutation(s) in {report.requests:,} request(s) "
                  f"({per_request:.1f} per request), complexity {report.complexity:,}, "
                  f"{report.budget_waits} wait(s) for the budget or a monday.com limit "
                  f"({_duration(report.waited_seconds)}), elapsed "
                  f"{_duration(report.elapsed_seconds)}")
    if report.stopped:
        console.print(f"[yellow]stopped early:[/] {literal(report.stopped)}", soft_wrap=True)
    if report.unsent and not report.dry_run:
        console.print(f"[yellow]{report.unsent:,} order(s) still to send[/] (monday.com "
                      "refused or lost them on this run after every retry): the next "
                      "`ordersync sync` sends them", soft_wrap=True)
    if report.failed_total and not report.dry_run:
        console.print(f"[red]{failed_records(report.failed_orders, report.failed_lines)} "
                      "FAILED[/] (`ordersync status` lists them): fix the data or the board, "
                      "then run `ordersync sync --retry-failed`", soft_wrap=True)
    if report.board_differs:
        console.print(f"[yellow]the board differs from the database:[/] the last `ordersync "
                      f"verify` ({report.board_differs_since} UTC) found "
                      f"{report.board_differs:,} difference(s) people made on the board, which "
                      "a sync does not send again — `ordersync verify --repair` puts them "
                      "right", soft_wrap=True)


def _failures_table(title: str, column: str, failures: Sequence[Failure]) -> Table:
    """The first 20 failures with their reasons (the rest counted)."""
    from rich.table import Table

    table = Table(title=title, show_edge=False, pad_edge=False)
    table.add_column(column)
    table.add_column("reason")
    for failure in failures[:20]:
        table.add_row(literal(failure.what), literal(failure.reason))
    if len(failures) > 20:
        table.add_row(f"… and {len(failures) - 20} more", "see sync_events")
    return table


def failed_records(orders: int, lines: int) -> str:
    return f"{orders:,} order(s) and {lines:,} line(s)"


def sync_json(report: SyncReport) -> dict[str, Any]:
    return report.to_json()


def _kind_text(kind: str) -> str:
    from ordersync.verify.report import Kind  # the verify package loads the sync engine

    return {
        Kind.MISSING_ITEM: "orders missing from the board",
        Kind.ITEM_GONE: "items gone (deleted, archived, elsewhere)",
        Kind.GROUP_GONE: "groups gone",
        Kind.WRONG_GROUP: "items in the wrong group",
        Kind.VALUE_DIFFERS: "column values differing",
        Kind.UNRECORDED_ITEM: "items the database did not know",
        Kind.EXTRA_ITEM: "board items with no order",
        Kind.DUPLICATE_ITEMS: "duplicate items for one key",
        Kind.MISSING_SUBITEM: "subitems missing",
        Kind.SUBITEM_DIFFERS: "subitem qty / status differing",
        Kind.EXTRA_SUBITEM: "subitems with no size line",
        Kind.DUPLICATE_SUBITEMS: "duplicate subitems for one size",
        Kind.ITEM_ON_ANOTHER_BOARD: "items on another routed board",
        Kind.ITEM_NOT_READ: "items on the board the read missed (verify again)",
        Kind.BOARD_GONE: "board gone from monday.com (its orders not compared)",
    }[Kind(kind)]


def print_verify(console: Console, report: VerifyReport) -> None:
    """One verify pass: the differences per kind with examples, then what was read; with
    routed boards, board by board, then the totals."""
    from rich.table import Table

    from ordersync.verify.report import Kind

    if report.boards:
        for board in report.boards:
            print_verify(console, board)
        differing = [b for b in report.boards if not b.equal]
        console.print(f"{'after the repair' if report.repaired else 'verify'}: "
                      f"{len(report.boards)} board(s), {len(differing)} differing — "
                      f"{report.differences:,} difference(s) in all", soft_wrap=True)
        return
    when = "after the repair" if report.repaired else "verify"
    if report.board_name and report.board_name != report.board_id:
        when += f" ({literal(report.board_name)})"
    if report.equal:
        console.print(f"{when}: board {literal(report.board_id)} equals the database "
                      f"({report.orders:,} orders, {report.items_read:,} items and "
                      f"{report.subitems_read:,} subitems read)")
    else:
        table = Table(title=f"{when}: board {literal(report.board_id)} differs from the "
                            "database — "
                            f"{report.differences:,} difference(s)",
                      show_edge=False, pad_edge=False)
        table.add_column("kind")
        table.add_column("count", justify="right")
        table.add_column("examples")
        for kind, count in report.counts.items():
            if count:
                examples = "\n".join(literal(f) for f in report.examples.get(kind, []))
                table.add_row(_kind_text(kind), f"{count:,}", examples)
        console.print(table)
    notes = []
    if report.pending:
        notes.append(f"{report.pending:,} record(s) have sync work pending or FAILED")
    if report.in_doubt:
        notes.append(f"{report.in_doubt:,} order(s) in doubt after an interrupted sync were "
                     "not compared (the next sync settles them)")
    if report.deleted:
        notes.append(f"{report.deleted:,} extra item(s)/subitem(s) deleted")
    for note in notes:
        console.print(f"  {note}")
    extras = sum(n for k, n in report.counts.items() if Kind(k).is_extra)
    if report.equal:
        hint = ""
    elif report.counts.get(Kind.BOARD_GONE):
        hint = ("; a board gone from monday.com is not repaired: restore it, or give its "
                "route a new board (`ordersync sync --new-board ROUTE`, named above)")
    elif report.repaired and extras == report.differences:
        hint = "; extras stay until `ordersync verify --repair --delete-extras`"
    elif report.repaired:
        hint = "; run `ordersync verify` again, and see `ordersync status` for FAILED records"
    else:
        hint = "; `ordersync verify --repair` makes the board equal the database"
    console.print(f"read in {report.requests:,} request(s), complexity "
                  f"{report.complexity:,}{hint}", soft_wrap=True)


def verify_json(found: VerifyReport, sync: SyncReport | None,
                after: VerifyReport | None) -> dict[str, Any]:
    return {"found": found.to_json(), "sync": sync.to_json() if sync is not None else None,
            "after": after.to_json() if after is not None else None}
