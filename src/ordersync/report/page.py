"""The report as one self-contained HTML page: styles, script and SVG charts inline.

Nothing is fetched when the page opens (no CDN, no fonts, no images), so it
works offline and as an e-mail attachment; tables are capped at
``MAX_TABLE_ROWS`` rows so the page stays well under 2 MB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from importlib import resources
from typing import Any

from ordersync.listings.render import duration, run_counts
from ordersync.report.charts import column_chart, stacked_bars
from ordersync.report.data import BOARD_ITEM_LIMIT, MAX_TABLE_ROWS, ReportData
from ordersync.states import FileStatus


def _asset(name: str) -> str:
    return resources.files("ordersync.report").joinpath(name).read_text("utf-8")


def _cell(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>'
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
           filters: Sequence[int] = (), total: int | None = None) -> str:
    """A table; with ``filters`` (column indexes) it gets a text box and one select each."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>"
                   for row in rows[:MAX_TABLE_ROWS])
    more = total if total is not None else len(rows)
    note = (f'<p class="note">showing the first {MAX_TABLE_ROWS:,} of {more:,} rows; '
            "the command line lists them all</p>" if more > MAX_TABLE_ROWS else "")
    controls = ""
    if filters:
        selects = []
        for column in filters:
            values = sorted({str(r[column]) for r in rows[:MAX_TABLE_ROWS]
                             if r[column] is not None})
            options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>'
                              for v in values)
            selects.append(f'<select data-column="{column}" aria-label="{escape(headers[column])}">'
                           f'<option value="">every {escape(headers[column])}</option>'
                           f"{options}</select>")
        controls = (f'<div class="filters" id="{table_id}-filters"><input type="search" '
                    f'placeholder="filter…" aria-label="filter {table_id}">'
                    + "".join(selects) + '<span class="shown"></span></div>')
    attributes = ' data-filterable="1"' if filters else ""
    return (controls + f'<div class="scroll"><table id="{table_id}"{attributes}><thead><tr>'
            f"{head}</tr></thead><tbody>{body}</tbody></table></div>{note}")


def _cards(data: ReportData) -> str:
    t = data.totals()
    cards = [("customers", t["customers"], False), ("files", t["files"], False),
             ("failed files", t["files_failed"], t["files_failed"] > 0),
             ("files gone", t["files_missing"], t["files_missing"] > 0),
             ("orders", t["orders"], False), ("size lines", t["lines"], False),
             ("items on the board", t["items_on_board"], False),
             ("rejected rows", t["rejected"], t["rejected"] > 0),
             ("failed records", t["failed"], t["failed"] > 0),
             ("in doubt", t["in_doubt"], t["in_doubt"] > 0)]
    return '<div class="cards">' + "".join(
        f'<div class="card{" bad" if bad else ""}"><b>{value:,}</b>{escape(label)}</div>'
        for label, value, bad in cards) + "</div>"


def _run_label(run: Any) -> str:
    return f"#{run.id}"


def _charts(data: ReportData) -> str:
    runs = data.sync_runs
    labels = [_run_label(r) for r in runs]

    def per_run(value: Callable[[Any], float]) -> list[float]:
        return [float(value(r)) for r in runs]

    synced = per_run(lambda r: sum(r.counts.get(k, 0) for k in (
        "items_created", "items_updated", "items_cancelled", "items_adopted")))
    no_runs = "no sync run yet: `ordersync sync` sends the order list to the board"
    charts = [
        stacked_bars("chart-orders", "Orders per customer, by sync state",
                     [(c.customer, c.orders_by_state) for c in data.customers],
                     empty_note="no orders yet: run `ordersync run`"),
        stacked_bars("chart-rows", "Rows per customer: staged and rejected",
                     [(c.customer, {"staged": c.rows_staged, "rejected": c.rows_rejected})
                      for c in data.customers], empty_note="no file read yet"),
        _board_chart(data),
        column_chart("chart-synced", "Orders synced per run", labels, synced,
                     empty_note=no_runs),
        column_chart("chart-requests", "Requests per run", labels,
                     per_run(lambda r: r.requests), empty_note=no_runs),
        column_chart("chart-complexity", "Complexity per run", labels,
                     per_run(lambda r: r.complexity), empty_note=no_runs,
                     colour_value="#7f5fd0"),
        column_chart("chart-failures", "Failed records per run", labels,
                     per_run(lambda r: r.counts.get("failed", 0)), empty_note=no_runs,
                     colour_value="#d9534f"),
    ]
    return '<div class="charts">' + "".join(charts) + "</div>"


def _board_chart(data: ReportData) -> str:
    """Items and subitems per group: of the configured board, or of every routed board (a
    group split over "SS26" and "SS26 (2)" shows as the two it is)."""
    limit = f"a board holds {BOARD_ITEM_LIMIT:,} items, its subitems board as many subitems"
    if data.boards or len({g.board for g in data.groups}) > 1:
        title = f"Boards: items and subitems per board and group ({limit})"
        bars = [(f"{g.board or '(no board recorded)'} · {g.group}",
                 {"items": g.items, "subitems": g.subitems}) for g in data.groups]
    else:
        title = f"Board {data.board_id or '(not set)'}: items and subitems per group ({limit})"
        bars = [(g.group, {"items": g.items, "subitems": g.subitems}) for g in data.groups]
    return stacked_bars("chart-board", title, bars, empty_note="nothing on the board yet")


def _boards_section(data: ReportData) -> list[str]:
    """The routed boards, each with its fill against monday's limit."""
    if not data.boards:
        return []
    rows = [(b.name or "", b.board_id, b.route or "", b.items, b.subitems,
             f"{max(b.items, b.subitems) / BOARD_ITEM_LIMIT:.0%}"
             + (" — full"
                if max(b.items, b.subitems) >= BOARD_ITEM_LIMIT else ""))
            for b in data.boards]
    return [f"<h2>Boards ({len(rows):,})</h2>",
            '<p class="note">Orders are routed by <code>[monday.routing]</code>; each board '
            f"holds {BOARD_ITEM_LIMIT:,} items and its subitems board as many subitems.</p>",
            _table("boards", ("board", "id", "route", "items", "subitems", "fill"), rows,
                   filters=(2,))]


def render_page(data: ReportData) -> str:
    customers = [(c.customer, c.files, c.files_failed, c.rows_read, c.rows_staged,
                  c.rows_rejected,
                  ", ".join(f"{k} {v}" for k, v in sorted(c.rejects_by_reason.items())),
                  ", ".join(f"{k} {v}" for k, v in sorted(c.orders_by_state.items())),
                  ", ".join(f"{k} {v}" for k, v in sorted(c.orders_by_action.items())),
                  c.orders, c.lines,
                  c.last_change.strftime("%Y-%m-%d %H:%M") if c.last_change else "")
                 for c in data.customers]
    runs = [(f"{r.kind} {r.id}", r.started_at.strftime("%Y-%m-%d %H:%M:%S")
             if r.started_at else "", duration(r.seconds), r.status, run_counts(r),
             r.requests if r.kind == "sync" else "", r.complexity if r.kind == "sync" else "",
             r.budget_waits if r.kind == "sync" else "", r.error) for r in data.runs]
    problem_files = [(f.path, f.customer, f.status,
                      f.error if f.status == FileStatus.FAILED else "gone from the folder")
                     for f in data.problem_files]
    failures = [(f.order_key, f.customer, f.size, "in doubt" if f.in_doubt else "FAILED",
                 f.action, f.code, f.message, f.attempts, f.last_tried) for f in data.failures]
    rejects = [(r.customer, r.file, r.sheet, r.row, r.column, r.raw_value, r.reason_kind,
                r.reason, r.business_key) for r in data.rejects]
    sections = [
        "<h2>Where each customer stands</h2>",
        _table("customers", ("customer", "files", "failed files", "rows read", "staged",
                             "rejected",
                             "rejected by reason", "orders by state", "orders by action",
                             "orders", "lines", "last change (UTC)"), customers,
               filters=(0,)),
        f"<h2>Files needing attention ({len(problem_files):,})</h2>",
        '<p class="note">A failed file\'s orders stay as its last good read until it is sent '
        "again; a file gone from the folder keeps its orders unless "
        "<code>sources.missing_files = \"remove\"</code>.</p>",
        _table("files", ("file", "customer", "status", "why"), problem_files,
               filters=(1, 2)),
        *_boards_section(data),
        "<h2>Charts</h2>", _charts(data),
        f"<h2>Failures ({len(failures):,})</h2>",
        '<p class="note">FAILED records wait for <code>ordersync sync --retry-failed</code>; '
        "in-doubt ones are looked up on the board by the next <code>ordersync sync</code>.</p>",
        _table("failures", ("order key", "customer", "size", "state", "action", "code",
                            "message", "attempts", "last tried"), failures, filters=(1, 3, 5)),
        f"<h2>Rejected rows ({len(rejects):,} refused cells or keys)</h2>",
        '<p class="note"><code>ordersync rejects --csv FILE</code> writes them for the '
        "customer.</p>",
        _table("rejects", ("customer", "file", "sheet", "row", "column", "value", "reason",
                           "detail", "business key"), rejects, filters=(0, 1, 6)),
        "<h2>Runs, newest first</h2>",
        _table("runs", ("run", "started (UTC)", "duration", "outcome", "counts", "requests",
                        "complexity", "budget waits", "stop reason"), runs, filters=(3,)),
    ]
    title = "ordersync report"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_asset('page.css')}</style></head><body>"
        f"<h1>{title}</h1><div class=\"meta\">generated "
        f"{data.generated_at.strftime('%Y-%m-%d %H:%M:%S')} UTC from "
        f"{escape(data.database)}</div>{_cards(data)}" + "".join(sections)
        + f"<script>{_asset('page.js')}</script></body></html>")
