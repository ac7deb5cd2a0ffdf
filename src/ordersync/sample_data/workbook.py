"""Writers for generated order lists: xlsx (xlsxwriter) and CSV (UTF-8).

This module owns the physical files: sheet order (``MASTER`` data sheet with
notes / summary / lists sheets around it), title rows above the header, header
formatting, blank rows, trailing header-less columns, formula totals, and the
CSV dialect (comma, CRLF, UTF-8 with or without BOM).  Output is byte-for-byte
deterministic: document properties carry a fixed creation time.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from .layout import CustomerPlan
from .orders import CANCELLED, DELIVERY_METHODS, ORDER_TYPES, FileContent
from .render import DATE, FORMULA, NUMBER, STRING, RowRenderer, summary_rows

FIXED_CREATED = datetime(2025, 11, 14, 9, 30, 0)
#: Files with more rows than this are streamed (``constant_memory``, inline
#: strings); smaller ones are built in memory (faster, shared strings).
STREAMING_ROWS = 20_000


def first_data_row(plan: CustomerPlan, file_index: int) -> int:
    """1-based sheet row of the first entry below the header (CSV: line number)."""
    above = 0 if plan.quirks.csv else len(plan.rows_above_header(file_index))
    return above + 2


def write_file(plan: CustomerPlan, content: FileContent, directory: Path) -> Path:
    """Write one file of ``plan`` into ``directory`` and return its path."""
    path = directory / content.name
    if plan.quirks.csv:
        write_csv(plan, content, path)
    else:
        write_xlsx(plan, content, path)
    return path


def write_csv(plan: CustomerPlan, content: FileContent, path: Path) -> None:
    renderer = RowRenderer(plan)
    encoding = "utf-8-sig" if plan.quirks.csv_bom else "utf-8"
    header = [h if h.strip() else "" for h in renderer.header]
    blank = [""] * renderer.width
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for entry in content.entries:
            writer.writerow(blank if entry is None else renderer.dense_text(entry))


def _write_notes(sheet: Any, plan: CustomerPlan, bold: Any) -> None:
    lines = (
        f"{plan.identity.brand} ORDER BOOK – maintained by AAG merchandising",
        "Data is on the MASTER sheet. Do not insert columns between UNIT OF MEASURE and TOTAL QTY.",
        "Sizes are one column each; blank = 0.",
        "Cancelled orders are kept for reference – ORDER TYPE = CANCELLED.",
        "Questions: merchandising@aag.example",
    )
    sheet.write_string(0, 0, "NOTES", bold)
    for i, line in enumerate(lines, start=2):
        sheet.write_string(i, 0, line)
    sheet.set_column(0, 0, 90)


def _write_summary(sheet: Any, content: FileContent, bold: Any) -> None:
    sheet.write_string(0, 0, "ORDER SUMMARY (count of orders)", bold)
    for col, text in enumerate(("AAG SEASON", "ORDER TYPE", "ORDERS", "STYLES")):
        sheet.write_string(2, col, text, bold)
    row = 3
    total_orders = total_styles = 0
    for season, order_type, orders, styles in summary_rows(content.rows):
        sheet.write_string(row, 0, season)
        sheet.write_string(row, 1, order_type)
        sheet.write_number(row, 2, orders)
        sheet.write_number(row, 3, styles)
        total_orders += orders
        total_styles += styles
        row += 1
    sheet.write_string(row, 0, "Grand Total", bold)
    sheet.write_number(row, 2, total_orders, bold)
    sheet.write_number(row, 3, total_styles, bold)


def _write_lists(sheet: Any, bold: Any) -> None:
    sheet.write_string(0, 0, "ORDER TYPE", bold)
    sheet.write_string(0, 1, "DELIVERY METHOD", bold)
    for i, value in enumerate(ORDER_TYPES, start=1):
        sheet.write_string(i, 0, value if value != CANCELLED else "CANCELLED")
    for i, value in enumerate(DELIVERY_METHODS, start=1):
        sheet.write_string(i, 1, value)


def _write_extra(
    name: str, sheet: Any, plan: CustomerPlan, content: FileContent, bold: Any
) -> None:
    if name == "SUMMARY":
        _write_summary(sheet, content, bold)
    elif name == "LISTS":
        _write_lists(sheet, bold)
    else:
        _write_notes(sheet, plan, bold)


def _write_data_sheet(
    workbook: Any, sheet: Any, plan: CustomerPlan, content: FileContent, above: Sequence[str | None]
) -> None:
    renderer = RowRenderer(plan)
    title = workbook.add_format({"bold": True, "font_size": 14})
    subtitle = workbook.add_format({"italic": True})
    head = workbook.add_format(
        {"bold": True, "text_wrap": True, "bg_color": "#DDEBF7", "border": 1}
    )
    date_format = workbook.add_format({"num_format": plan.date_format})
    empty = workbook.add_format({"bg_color": "#FFFFFF"})
    width = renderer.width
    blank_columns = plan.quirks.trailing_blank_columns
    first_blank = width - blank_columns
    sheet.set_column(0, max(width - 1, 0), 14)
    row_index = 0
    for position, text in enumerate(above):
        if text is not None:
            if position == 0 or above[position - 1] is None:
                sheet.merge_range(row_index, 0, row_index, min(8, width - 1), text, title)
            else:
                sheet.write_string(row_index, 0, text, subtitle)
        row_index += 1
    header_row = row_index
    for column, text in enumerate(renderer.header):
        if column == first_blank:
            sheet.write_string(header_row, column, text)  # a lone space: "header-less"
        elif column > first_blank:
            sheet.write_blank(header_row, column, None, empty)
        else:
            sheet.write_string(header_row, column, text, head)
    sheet.freeze_panes(header_row + 1, 0)
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime, write_formula, write_blank = (
        sheet.write_datetime,
        sheet.write_formula,
        sheet.write_blank,
    )
    for entry in content.entries:
        row_index += 1
        if entry is None:
            continue
        for column, kind, value in renderer.cells(entry, row_index + 1):
            if kind == STRING:
                write_string(row_index, column, value)
            elif kind == NUMBER:
                write_number(row_index, column, value)
            elif kind == DATE:
                write_datetime(row_index, column, value, date_format)
            elif kind == FORMULA:
                assert isinstance(value, tuple)
                write_formula(row_index, column, value[0], None, value[1])
        for column in range(first_blank, width):
            write_blank(row_index, column, None, empty)
    if content.entries:
        sheet.autofilter(header_row, 0, row_index, max(first_blank - 1, 0))


def write_xlsx(plan: CustomerPlan, content: FileContent, path: Path) -> None:
    options = {
        "constant_memory": len(content.entries) > STREAMING_ROWS,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(str(path), options)
    # Saved as Excel saves a workbook: the formula totals carry their values, and the file
    # does not ask Excel to recalculate on opening (xlsxwriter's default), which tells a
    # reader the saved values are not to be trusted.
    workbook.calc_on_load = False
    workbook.set_properties(
        {
            "title": f"{plan.identity.name} order book",
            "author": "AAG Merchandising",
            "company": "AAG",
            "created": FIXED_CREATED,
        }
    )
    bold = workbook.add_format({"bold": True})
    above = plan.rows_above_header(content.file_index)
    for name in plan.sheets_before:
        _write_extra(name, workbook.add_worksheet(name), plan, content, bold)
    data_sheet = workbook.add_worksheet(plan.sheet_name)
    _write_data_sheet(workbook, data_sheet, plan, content, above)
    for name in plan.sheets_after:
        _write_extra(name, workbook.add_worksheet(name), plan, content, bold)
    if plan.sheets_before:
        data_sheet.activate()
    workbook.close()
