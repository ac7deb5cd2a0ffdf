"""Bar charts as inline SVG, drawn here so the page needs no script library and no network.

Each chart is a ``<figure class="chart">`` whose bars are ``<rect class="bar">``
elements carrying ``data-value``; a ``<title>`` on each bar is its tooltip.  A
chart with nothing to show says so in words instead of drawing empty axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#2f6fdf", "#23a26d", "#e0a526", "#d9534f", "#7f5fd0", "#4bb3c7", "#9a9a9a")
STATE_COLOURS = {"SYNCED": "#23a26d", "PENDING": "#e0a526", "SENDING": "#7f5fd0",
                 "FAILED": "#d9534f"}


def colour(name: str, index: int) -> str:
    return STATE_COLOURS.get(name, PALETTE[index % len(PALETTE)])


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def _empty(title: str, note: str, chart_id: str) -> str:
    return (f'<figure class="chart empty" id="{chart_id}"><figcaption>{escape(title)}'
            f'</figcaption><p class="note">{escape(note)}</p></figure>')


def column_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float],
                 *, unit: str = "", empty_note: str = "nothing yet",
                 colour_value: str = PALETTE[0]) -> str:
    """Vertical bars, one per label (e.g. one per run)."""
    if not labels:
        return _empty(title, empty_note, chart_id)
    width, height, left, bottom, top = 640, 220, 64, 36, 12
    step = (width - left - 8) / len(labels)
    peak = max(max(values), 1)
    plot = height - bottom - top
    parts = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" '
             f'y2="{height - bottom}" class="axis"/>',
             f'<text x="{left - 6}" y="{top + 4}" class="tick" text-anchor="end">'
             f'{_number(peak)}</text>',
             f'<text x="{left - 6}" y="{height - bottom}" class="tick" text-anchor="end">0</text>']
    every = max(1, len(labels) // 12)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot * value / peak
        x = left + i * step + step * 0.15
        y = height - bottom - h
        parts.append(f'<rect class="bar" data-value="{value}" x="{x:.1f}" y="{y:.1f}" '
                     f'width="{step * 0.7:.1f}" height="{max(h, 0.5 if value else 0):.1f}" '
                     f'fill="{colour_value}"><title>{escape(label)}: {_number(value)}{unit}'
                     f'</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 14}" '
                         f'class="tick" text-anchor="middle">{escape(label)}</text>')
    return (f'<figure class="chart" id="{chart_id}"><figcaption>{escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
            + "".join(parts) + "</svg></figure>")


def stacked_bars(chart_id: str, title: str, rows: Sequence[tuple[str, dict[str, int]]],
                 *, empty_note: str = "nothing yet") -> str:
    """Horizontal stacked bars: one row per label, one segment per key (with a legend)."""
    rows = [(label, parts) for label, parts in rows if sum(parts.values())]
    if not rows:
        return _empty(title, empty_note, chart_id)
    keys: list[str] = []
    for _, parts in rows:
        keys += [k for k in parts if k not in keys]
    label_width, bar_width, row_height = 200, 420, 20
    height = row_height * len(rows) + 34
    peak = max(sum(parts.values()) for _, parts in rows)
    svg = []
    for r, (label, parts) in enumerate(rows):
        y = 4 + r * row_height
        svg.append(f'<text x="{label_width - 6}" y="{y + 13}" class="tick" text-anchor="end">'
                   f'{escape(label[:32])}</text>')
        x = float(label_width)
        for k, key in enumerate(keys):
            value = parts.get(key, 0)
            if not value:
                continue
            w = bar_width * value / peak
            svg.append(f'<rect class="bar" data-value="{value}" x="{x:.1f}" y="{y}" '
                       f'width="{max(w, 0.5):.1f}" height="{row_height - 5}" '
                       f'fill="{colour(key, k)}"><title>{escape(label)} — {escape(key)}: '
                       f'{value:,}</title></rect>')
            x += w
        svg.append(f'<text x="{x + 4:.1f}" y="{y + 13}" class="tick">'
                   f'{sum(parts.values()):,}</text>')
    legend_y = height - 12
    x = float(label_width)
    for k, key in enumerate(keys):
        svg.append(f'<rect x="{x:.1f}" y="{legend_y - 9}" width="10" height="10" '
                   f'fill="{colour(key, k)}"/><text x="{x + 14:.1f}" y="{legend_y}" '
                   f'class="tick">{escape(key)}</text>')
        x += 24 + 7 * len(key)
    return (f'<figure class="chart" id="{chart_id}"><figcaption>{escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {label_width + bar_width + 80} {height}" role="img" '
            f'aria-label="{escape(title)}">' + "".join(svg) + "</svg></figure>")
