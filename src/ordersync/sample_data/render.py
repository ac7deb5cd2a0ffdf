"""Rendering of logical order rows into typed cells.

This module owns the mapping from an ``OrderRow`` to the cells of one sheet
row: which column each value goes to, derived columns (TOTAL QTY, CARTON QTY,
TOTAL FOB VALUE, SHIPPED QTY), and how dates and numbers are written (real
date cells, bare serial numbers, day-first / ISO / ``5-Mar-2025`` text,
numbers as text), and the one typo cell of a typo row, written as text in
place of its value.  Writers in ``workbook`` turn the cells into xlsx or CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from xlsxwriter.utility import xl_col_to_name

from .columns import COLUMN_KINDS, ColumnKind
from .layout import CustomerPlan
from .orders import OrderRow

STRING, NUMBER, DATE, FORMULA = 0, 1, 2, 3
Cell = tuple[int, int, object]  # (column index, kind, value)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PRICE_COLUMNS = frozenset({"FOB PRICE", "LDP PRICE", "RETAIL PRICE"})
_EXCEL_EPOCH = date(1899, 12, 30)


def excel_serial(value: date) -> int:
    """Excel's serial day number of a date (1900 date system)."""
    return (value - _EXCEL_EPOCH).days


def date_text(value: date, style: str) -> str:
    """A date written as text in one of the text styles."""
    if style == "text_dmy":
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if style == "text_dmony":
        return f"{value.day}-{MONTHS[value.month - 1]}-{value.year}"
    return value.isoformat()


def number_text(value: int | float) -> str:
    """Shortest text for a number (``12``, ``4.5``), as a CSV export shows it."""
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


class RowRenderer:
    """Turns order rows of one customer's layout into sparse typed cells."""

    def __init__(self, plan: CustomerPlan) -> None:
        self.plan = plan
        self.header: tuple[str, ...] = plan.columns
        self.width = len(self.header)
        n_leading = len(plan.leading)
        self.size_column = {label: n_leading + i for i, label in enumerate(plan.sizes)}
        first_trailing = n_leading + len(plan.sizes)
        self.descriptive: list[tuple[int, str, ColumnKind]] = [
            (i, name, COLUMN_KINDS[name]) for i, name in enumerate(plan.leading)
        ] + [(first_trailing + i, name, COLUMN_KINDS[name]) for i, name in enumerate(plan.trailing)]
        #: canonical column or size label -> column index
        self.column_of: dict[str, int] = {name: i for i, name, _ in self.descriptive}
        self.column_of.update(self.size_column)
        if plan.sizes:
            self.size_span = (xl_col_to_name(n_leading), xl_col_to_name(first_trailing - 1))
        else:
            self.size_span = ("", "")

    def derived(self, row: OrderRow) -> dict[str, int | float | None]:
        total = row.total
        per_carton = row.values.get("UNITS PER CARTON")
        fob = row.values.get("FOB PRICE")
        return {
            "TOTAL QTY": total,
            "CARTON QTY": -(-total // per_carton) if isinstance(per_carton, int) else None,
            "TOTAL FOB VALUE": round(total * fob, 2) if isinstance(fob, float) else None,
            "SHIPPED QTY": total if row.shipped else None,
        }

    def cells(self, row: OrderRow, excel_row: int) -> list[Cell]:
        """Cells of ``row`` written on 1-based sheet row ``excel_row``; blanks omitted."""
        values = row.values
        derived = self.derived(row)
        style = row.date_style
        out: list[Cell] = []
        for column, name, _ in self.descriptive:
            value = derived[name] if name in derived else values.get(name)
            if value is None:
                continue
            if isinstance(value, date):
                if style == "date":
                    out.append((column, DATE, value))
                elif style == "serial":
                    out.append((column, NUMBER, excel_serial(value)))
                else:
                    out.append((column, STRING, date_text(value, style)))
            elif isinstance(value, str):
                out.append((column, STRING, value))
            elif name == "TOTAL QTY" and self.plan.quirks.total_formula and self.plan.sizes:
                first, last = self.size_span
                out.append(
                    (column, FORMULA, (f"=SUM({first}{excel_row}:{last}{excel_row})", value))
                )
            elif row.text_prices and name in PRICE_COLUMNS:
                out.append((column, STRING, f"{value:.2f}"))
            else:
                out.append((column, NUMBER, value))
        size_column = self.size_column
        if row.text_sizes:
            out.extend((size_column[label], STRING, str(q)) for label, q in row.sizes)
        else:
            out.extend((size_column[label], NUMBER, q) for label, q in row.sizes)
        if row.typo is not None:
            name, text = row.typo
            column = self.column_of[name]
            out = [cell for cell in out if cell[0] != column]
            out.append((column, STRING, text))
        return out

    def dense_text(self, row: OrderRow) -> list[str]:
        """The row as CSV fields (dates as text in the row's style, numbers plain)."""
        fields = [""] * self.width
        for column, kind, value in self.cells(row, 0):
            if kind == STRING:
                fields[column] = str(value)
            elif kind == DATE:
                assert isinstance(value, date)
                fields[column] = value.isoformat()
            elif kind == FORMULA:
                assert isinstance(value, tuple)
                fields[column] = number_text(value[1])
            else:
                assert isinstance(value, (int, float))
                fields[column] = number_text(value)
        return fields


def summary_rows(rows: Sequence[OrderRow]) -> list[tuple[str, str, int, int]]:
    """(season, order type, orders, styles) per group, for a pivot-like sheet.

    Counts distinct business keys and styles, so it does not change when
    quantities do.
    """
    groups: dict[tuple[str, str], tuple[set[tuple[str, str, str]], set[str]]] = {}
    for row in rows:
        group = (str(row.values["AAG SEASON"]), str(row.values["ORDER TYPE"]).upper())
        keys, styles = groups.setdefault(group, (set(), set()))
        keys.add(row.key)
        styles.add(str(row.values["CUSTOMER STYLE"]))
    return [(s, t, len(k), len(st)) for (s, t), (k, st) in sorted(groups.items())]
