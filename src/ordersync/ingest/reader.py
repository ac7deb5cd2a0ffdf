"""Reading the sheets of one workbook into frames of text cells, with their error cells.

Excel files (.xlsx, .xlsm, .xls) are read with fastexcel; CSV with polars (see
``csv_text``).  Every cell comes back as text (or null) and every row of the
sheet is kept, so frame row ``i`` is spreadsheet row ``i + 1``; frame column
``cN`` is spreadsheet column N (0 = A), so a column's letter can be named.

A cell holding an Excel error (``#DIV/0!``, ``#N/A`` …) or a formula saved
without its value reads as empty: those cells are listed apart in
``RawSheet.errors`` from the cell types the file records (never guessed from
text, except in a CSV, where text is all there is), and ``prepare`` rejects
their rows.  Reader failures become :class:`FileRejected` with what is wrong
with the file and what to do; so does an .xlsx sheet whose XML cannot be found
(``xlsx_cells`` checks it for what the reader cannot see: it is never read
unchecked).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Protocol, TypeVar

import fastexcel
import olefile
import polars as pl
import python_calamine

from ordersync.config import ProfileConfig
from ordersync.errors import FileRejected, Location, foreign_reason, is_bug
from ordersync.ingest import xlsx_cells
from ordersync.ingest.csv_text import read_csv
from ordersync.ingest.files import CSV_SUFFIXES, EXCEL_SUFFIXES

ERROR_CODES = ("#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
               "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!",
               "#EXTERNAL!", "#PYTHON!", "#UNKNOWN!", "#DATA!")
"""What Excel shows for an error; in a CSV these texts are the only trace of one."""

_READER_ERRORS = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!",
                  "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!",
                  "GettingData": "#GETTING_DATA"}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")
_DATE_NUMBER = re.compile(r"ExcelDateTime \{ value: (-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?),")
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # compound file: .xls, or an encrypted .xlsx
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # a stream only an encrypted .xlsx holds
ERRORS_SCHEMA = {"_row": pl.Int64, "source": pl.String, "error": pl.String}


class _Layout(Protocol):
    """What the reader needs of a sheet's layout: where the header is."""

    @property
    def header_row(self) -> int: ...  # 1-based


Fit = TypeVar("Fit", bound=_Layout)


@dataclass(frozen=True)
class RawSheet:
    """A sheet as read: cells as text (row i is spreadsheet row i + 1) and its error cells."""

    file: str
    sheet: str
    cells: pl.DataFrame
    errors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ERRORS_SCHEMA))
    """Error cells: _row (1-based), source (cN), error ("#DIV/0!", "uncalculated formula =…")."""
    decimal_comma: bool = False  # a ';' CSV: decimals are written 12,50
    merged: tuple[tuple[int, int, int, int], ...] = ()
    """Merged cells: (first row, first column, last row, last column), rows from 1,
    columns from 0; the reader gives the value to the first cell alone."""
    dates_from_1904: bool = False
    """The workbook counts dates from 1904: a date written as a plain number (General
    format) is read from that epoch (date-formatted cells the reader already converts)."""
    hidden_rows: tuple[int, ...] = ()
    """Rows hidden in the sheet (1-based; .xlsx only), read like the others."""
    hidden_columns: tuple[int, ...] = ()
    """Columns of ``cells`` hidden in the sheet (0-based; .xlsx only), read like the others."""


def read_fitting(path: PurePath, display: str, data: bytes, profile: ProfileConfig,
                 fit: Callable[[RawSheet], Fit]) -> tuple[RawSheet, Fit, tuple[str, ...]]:
    """The profile's sheet, or the first visible sheet ``fit`` accepts (it raises
    :class:`FileRejected` for a sheet it cannot use); hidden sheets are skipped, and said so."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES and not data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        text = read_csv(display, data, encoding=profile.encoding, separator=profile.delimiter)
        cells, errors = _text_errors(_as_text(text.cells))
        sheet = RawSheet(display, path.stem, cells, errors, text.decimal_comma)
        return sheet, fit(sheet), text.notes
    if suffix not in EXCEL_SUFFIXES and suffix not in CSV_SUFFIXES:
        raise FileRejected(Location(display), f"unsupported file type {suffix!r}",
                           "save it as .xlsx, .xlsm, .xls or .csv")
    actual = _check_container(display, suffix, data)
    book = _Workbook(display, data, actual)
    # Some systems export an old .xls workbook under an .xlsx name (or a workbook as .csv).
    notes: tuple[str, ...] = () if actual == suffix else (
        f"{display}: the file is an Excel workbook ({actual}) although its name ends in "
        f"{suffix}; it was read as {actual}",)
    if profile.sheet is not None:
        matches = [n for n, _ in book.sheets if n.strip().casefold()
                   == profile.sheet.strip().casefold()]
        if not matches:
            raise FileRejected(
                Location(display), f"sheet {profile.sheet!r} not found (sheets: {book.listing})",
                "fix the profile's `sheet` in the config or rename the sheet")
        sheet = book.load(matches[0])
        found = fit(sheet)
        return sheet, found, notes + book.notes(sheet, found.header_row)
    hidden = [n for n, visible in book.sheets if not visible]
    notes += tuple(f"{display}: hidden sheet {n!r} skipped (name it with the profile's `sheet` "
                   "to read it)" for n in hidden)
    visible = [n for n, shown in book.sheets if shown]
    if not visible:
        raise FileRejected(Location(display), f"every sheet is hidden ({book.listing})",
                           "unhide the order sheet, or name it with the profile's `sheet`")
    first_error: FileRejected | None = None
    for position, name in enumerate(visible):
        try:  # a sheet that cannot be read (or is too large to) is one that does not fit
            sheet = book.load(name)
            found = fit(sheet)
        except FileRejected as exc:
            first_error = first_error or exc
            continue
        # Orders on a later sheet too (a sheet per season, say) are not read: said so.
        notes += tuple(
            f"{display}: sheet {other!r} has order columns too but was not read (only the "
            f"first such sheet, {name!r}, is): give it its own file, or name the sheet to "
            "read with the profile's `sheet`"
            for other in visible[position + 1:] if _fits(book, other, fit))
        return sheet, found, notes + book.notes(sheet, found.header_row)
    assert first_error is not None
    if len(book.sheets) == 1:
        raise first_error
    raise FileRejected(
        first_error.location, f"{first_error.problem}; no other sheet fits either "
        f"(sheets: {book.listing})",
        "name the order sheet in the profile (sheet = \"<its name>\")"
        + (f", or {first_error.hint}" if first_error.hint else "")) from first_error


def _fits(book: _Workbook, name: str, fit: Callable[[RawSheet], object]) -> bool:
    try:
        fit(book.load(name))
    except FileRejected:
        return False
    return True


class _Workbook:
    """An open Excel workbook: its sheets in order with their visibility, loaded on demand."""

    def __init__(self, display: str, data: bytes, suffix: str) -> None:
        self.display, self.data, self.suffix = display, data, suffix
        # What the reader unpacks as it opens the workbook (the shared strings above all):
        # a few kilobytes can unpack to gigabytes.  Checked from the sizes the archive
        # records, before anything is decompressed; each sheet is checked as it is read.
        part = xlsx_cells.largest_part(data) if suffix != ".xls" else None
        if part is not None and part[1] > xlsx_cells.XML_LIMIT:
            raise FileRejected(Location(display), f"its part {part[0]} unpacks to "
                               f"{part[1] / 2**30:,.1f} GB (at most "
                               f"{xlsx_cells.XML_LIMIT / 2**30:,.0f} GB of a part is read): "
                               "not a workbook Excel writes",
                               "ask the customer to send the file again, saved from Excel")
        try:
            self.reader = fastexcel.read_excel(data)
            self.meta = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            shown = {m.name: m.visible == python_calamine.SheetVisibleEnum.Visible
                     for m in self.meta.sheets_metadata}
        except BaseException as exc:
            if not is_bug(exc):
                raise
            raise FileRejected(Location(display), f"cannot open workbook ({foreign_reason(exc)})",
                               "open it in Excel and save it again as .xlsx") from exc
        self.sheets = [(n, shown.get(n, True)) for n in self.reader.sheet_names]
        self.settings = (xlsx_cells.workbook_settings(data) if suffix != ".xls"
                         else xlsx_cells.WorkbookSettings(_xls_counts_dates_from_1904(data)))
        if not self.sheets:
            raise FileRejected(Location(display), "the workbook has no sheets (Excel cannot "
                               "save one without a sheet)",
                               "ask the customer to send the file again, saved from Excel")

    def notes(self, sheet: RawSheet, header_row: int) -> tuple[str, ...]:
        """What the file's report should say about how ``sheet`` was read (its header in
        ``header_row``)."""
        notes = _hidden(self.display, sheet, header_row)
        formulas = sheet.errors.filter(
            pl.col("error").str.starts_with("uncalculated formula")).height
        if self.settings.recalculated_on_load and formulas:
            notes += (f"{self.display}: the workbook asks Excel to recalculate every formula "
                      "when it opens (a program wrote it; Excel did not save it), and "
                      f"{formulas:,} formula cell{'s were' if formulas > 1 else ' was'} saved "
                      "with the 0 or blank such programs put in place of a result: read as "
                      "without a calculated value — open the file in Excel and save it, then "
                      "run again",)
        return notes

    @property
    def listing(self) -> str:
        return ", ".join(n + ("" if shown else " (hidden)") for n, shown in self.sheets)

    def load(self, name: str) -> RawSheet:
        scanned: list[xlsx_cells.XmlCell] = []
        try:
            found = (xlsx_cells.sheet_xml(self.data, name, xlsx_cells.XML_LIMIT)
                     if self.suffix != ".xls" else None)
        except xlsx_cells.SheetTooLarge as exc:
            raise FileRejected(Location(self.display, name), f"the sheet unpacks to "
                               f"{exc.size / 2**30:,.1f} GB of XML (at most "
                               f"{xlsx_cells.XML_LIMIT / 2**30:,.0f} GB is read)",
                               "split the orders over several files") from exc
        if found is None and self.suffix != ".xls":
            raise FileRejected(Location(self.display, name), "the sheet's XML cannot be found "
                               "in the workbook, so its formulas, error cells, merged cells "
                               "and far values cannot be checked",
                               "open the file in Excel and save it again as .xlsx")
        if found is not None:  # (an .xls sheet is at most 65,536 × 256 cells)
            if (far := xlsx_cells.oversized(found[1])) is not None:
                raise FileRejected(Location(self.display, name), _far_cells(far),
                                   "delete the stray cells (in Excel, Ctrl+End jumps to the "
                                   "last one) and save the file again")
            scanned = xlsx_cells.scan_cells(
                found[1], error_cells=False,
                saved_values=not self.settings.recalculated_on_load)
        try:
            try:
                cells, errors = self._load(self.reader, name)
            except BaseException as exc:
                if not is_bug(exc):
                    raise
                # Error kinds newer than the reader (#SPILL!, #CALC!…) stop it: read the
                # sheet with its error cells emptied, and take every error from the XML.
                if found is None or "error value" not in str(exc):
                    raise
                part, xml = found
                patched = fastexcel.read_excel(xlsx_cells.without_error_cells(self.data, part, xml))
                cells, _ = self._load(patched, name)
                scanned = xlsx_cells.scan_cells(
                    xml, error_cells=True,
                    saved_values=not self.settings.recalculated_on_load)
                errors = []
        except BaseException as exc:
            if not is_bug(exc):
                raise
            raise FileRejected(Location(self.display, name), f"cannot read sheet "
                               f"({foreign_reason(exc)})",
                               "open it in Excel and save it again as .xlsx") from exc
        errors += [(c.row, f"c{c.column}", c.error) for c in scanned]
        merged = xlsx_cells.merged_ranges(found[1]) if found else self._xls_merged(name)
        if (pair := xlsx_cells.overlapping(merged)) is not None:
            raise FileRejected(
                Location(self.display, name),
                f"merged cells {xlsx_cells.range_reference(pair[0])} and "
                f"{xlsx_cells.range_reference(pair[1])} overlap, so which value the rows they "
                "share take cannot be told",
                "open the file in Excel (it reports the file as damaged and repairs the merged "
                "cells), check them, and save it again")
        hidden = xlsx_cells.hidden_columns(found[1]) if found else ()
        return RawSheet(self.display, name, cells,
                        pl.DataFrame(errors, schema=ERRORS_SCHEMA, orient="row"),
                        merged=merged, dates_from_1904=self.settings.dates_from_1904,
                        hidden_rows=xlsx_cells.hidden_rows(found[1]) if found else (),
                        hidden_columns=tuple(
                            index for index in (int(c[1:]) for c in cells.columns)
                            if any(first <= index <= last for first, last in hidden)))

    def _xls_merged(self, name: str) -> tuple[tuple[int, int, int, int], ...]:
        """An .xls sheet's merged cells, as :func:`xlsx_cells.merged_ranges` gives an
        .xlsx sheet's (python-calamine reads the sheet again: .xls sheets are small)."""
        if self.suffix != ".xls":
            return ()
        ranges = self.meta.get_sheet_by_name(name).merged_cell_ranges or []
        return tuple(dict.fromkeys((first[0] + 1, first[1], last[0] + 1, last[1])
                                   for first, last in ranges))

    @staticmethod
    def _load(reader: fastexcel.ExcelReader, name: str
              ) -> tuple[pl.DataFrame, list[tuple[int, str, str]]]:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        batch, problems = sheet.to_arrow_with_errors()
        # Through pyarrow: measured 15% faster here than fastexcel's own to_polars(), and
        # taken over through the Arrow C interface (a third less per small sheet than
        # pl.from_arrow); the columns renamed in place, not by an expression each.
        cells = pl.DataFrame(batch)
        absolute = [c.absolute_index for c in sheet.available_columns()]
        cells.columns = [f"c{index}" for index in absolute]
        odd = [c for c, dtype in cells.schema.items() if dtype != pl.String]
        if odd:  # read as text already, as a rule: no expression per column
            cells = cells.with_columns(pl.col(odd).cast(pl.String))
        errors = []
        for problem in problems.errors if problems else ():
            row, column = problem.position
            if (number := _DATE_NUMBER.search(problem.detail)) is not None:
                # A number in a date-formatted cell too large to be a date (Excel shows
                # ########): no error, but the number, which the column's type judges.
                value = float(number.group(1))
                cells[row, f"c{absolute[column]}"] = (
                    f"{value:.0f}" if value.is_integer() else repr(value))
                continue
            kind = _ERROR_DETAIL.search(problem.detail)
            text = _READER_ERRORS.get(kind.group(1), f"#{kind.group(1)}") if kind else "#ERROR"
            errors.append((row + 1, f"c{absolute[column]}", text))
        return cells, errors


def _hidden(display: str, sheet: RawSheet, header_row: int) -> tuple[str, ...]:
    """Notes naming the hidden columns and rows read that hold something (the reader reads
    them like the others: Excel does not show them)."""
    notes: tuple[str, ...] = ()
    below = sheet.cells.slice(header_row - 1)
    columns = [i for i in sheet.hidden_columns if below[f"c{i}"].null_count() < below.height]
    if columns:
        named = [xlsx_cells.column_letter(i) + (f" ({header!r})" if (
            header := below[f"c{i}"][0]) is not None else "") for i in columns]
        one = len(columns) == 1
        notes += (f"{display}: hidden column{'' if one else 's'} {_listed(named)} read like "
                  f"the others (Excel does not show {'it' if one else 'them'}): delete "
                  f"{'it' if one else 'them'} from the file if {'its' if one else 'their'} "
                  "values are no part of the orders",)
    held = [row for row in sheet.hidden_rows if header_row < row <= sheet.cells.height]
    if held:
        held = (sheet.cells.with_row_index("_row", 1)
                .filter(pl.col("_row").is_in(held)
                        & pl.any_horizontal(pl.exclude("_row").is_not_null()))
                ["_row"].to_list())
    if held:
        one = len(held) == 1
        notes += (f"{display}: {len(held):,} hidden row{'' if one else 's'} "
                  f"({_listed([str(row) for row in held])}) read like the others (hidden by "
                  f"hand or by a filter, Excel does not show {'it' if one else 'them'}): "
                  f"delete {'it' if one else 'them'} from the file if "
                  f"{'it is no order' if one else 'they are no orders'}",)
    return notes


def _listed(items: Sequence[str], most: int = 10) -> str:
    """A, B and C; the first ``most`` and … when there are more."""
    if len(items) > most:
        return ", ".join(items[:most]) + " …"
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


_DATEMODE, _FILEPASS, _EOF = 0x0022, 0x002F, 0x000A  # BIFF record types


def _xls_counts_dates_from_1904(data: bytes) -> bool:
    """Whether the .xls ``data`` counts its dates from 1904: the DATEMODE record among its
    workbook's global records (the reader converts a date-formatted cell itself, but gives
    a date typed as a plain number as the number, and does not say which epoch it counts
    from).  False when the file cannot tell: the reader then says what is wrong with it."""
    try:  # (olefile reads the compound file; the standard library has no reader for it)
        with olefile.OleFileIO(io.BytesIO(data)) as compound:
            name = next((n for n in ("Workbook", "Book") if compound.exists(n)), None)
            stream = compound.openstream(name).read() if name else b""
    except Exception:  # a damaged file: the reader's error names it
        return False
    offset = 0
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        if kind == _DATEMODE:
            return size >= 2 and stream[offset + 4:offset + 6] == b"\x01\x00"
        if kind in (_FILEPASS, _EOF):  # encrypted from here on; the end of the globals
            return False
        offset += 4 + size
    return False


def _far_cells(far: xlsx_cells.Extent) -> str:
    where = (f"{far.last_row}" if far.last_row == far.last_column
             else f"{far.last_row} (the last row) and {far.last_column} (the last column)")
    return (f"values far outside the data, at {where}: reading the sheet would hold "
            f"{far.rows:,} rows × {far.columns:,} columns ({far.cells:,} cells) in memory "
            f"for {far.filled:,} filled cells, so it was not read")


def _text_errors(cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cells whose whole text is an Excel error (a CSV keeps only what Excel showed): the
    cells with those emptied, as a workbook's error cells read, and the errors."""
    codes = pl.lit(pl.Series(ERROR_CODES)).implode()
    if not cells.width:
        return cells, pl.DataFrame(schema=ERRORS_SCHEMA)
    # Only the columns with a '#' anywhere are checked cell by cell, and by one expression:
    # an expression per column (300 of them, each with its own list of codes) was two
    # thirds of the time it takes to read a CSV.
    marked = cells.select(pl.all().str.contains("#", literal=True).any()).row(0)
    candidates = [c for c, mark in zip(cells.columns, marked, strict=True) if mark]
    hit = cells.select(pl.col(candidates).str.strip_chars().is_in(codes).any()).row(0) \
        if candidates else ()
    columns = [c for c, any_error in zip(candidates, hit, strict=True) if any_error]
    if not columns:
        return cells, pl.DataFrame(schema=ERRORS_SCHEMA)
    errors = pl.concat([
        cells.with_row_index("_row", offset=1).filter(pl.col(c).str.strip_chars().is_in(codes))
        .select(pl.col("_row").cast(pl.Int64), pl.lit(c).alias("source"),
                pl.col(c).str.strip_chars().alias("error"))
        for c in columns])
    emptied = cells.with_columns(
        pl.when(pl.col(c).str.strip_chars().is_in(codes)).then(None).otherwise(pl.col(c))
        .alias(c) for c in columns)
    return emptied, errors


def _check_container(display: str, suffix: str, data: bytes) -> str:
    """The format the workbook's bytes are in, as a suffix: ``.xls`` for a compound file
    (whatever the name says, unless it is an encrypted .xlsx), else the .xlsx/.xlsm name's
    own (``.xlsx`` for an .xlsx under an .xls or .csv name)."""
    if not data:
        raise FileRejected(Location(display), "the file is empty")
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED in data:
            raise FileRejected(Location(display), "the workbook is password-protected (encrypted)",
                               "remove the password in Excel (File › Info › Protect Workbook) "
                               "and save it again")
        return ".xls"
    if data.startswith(_ZIP_MAGIC):
        actual = suffix if suffix in {".xlsx", ".xlsm"} else ".xlsx"
        try:  # (the archive's directory alone: its last bytes)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = {name.casefold() for name in archive.namelist()}
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise FileRejected(Location(display), f"the file is damaged or cut short (not a "
                               f"whole {actual} file: a download or a copy that stopped, say)",
                               "get a fresh copy of the file: download it again, or ask the "
                               "customer to send it again") from exc
        if "xl/workbook.xml" not in names:
            raise FileRejected(Location(display), "the file is a ZIP archive holding no Excel "
                               "workbook", "ask the customer to send the order list again, "
                               "saved from Excel as .xlsx")
        return actual
    start = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        raise FileRejected(Location(display), f"the file is a web page (HTML) saved under a "
                           f"{suffix} name, as some order systems export it",
                           "open it in Excel and save it as .xlsx (or export it as CSV)")
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data:
        raise FileRejected(Location(display), "the file is an Excel 2003 XML spreadsheet saved "
                           f"under a {suffix} name", "open it in Excel and save it as .xlsx")
    if b"\x00" not in data[:4096] and any(sep in data[:4096] for sep in (b",", b";", b"\t")):
        raise FileRejected(Location(display), f"the file is text (CSV, say) saved under a "
                           f"{suffix} name", "rename it to .csv, or open it in Excel and save "
                           "it as .xlsx")
    raise FileRejected(Location(display), f"not a valid {suffix} file (corrupt or renamed)",
                       "ask the customer to send the file again")


def _as_text(cells: pl.DataFrame) -> pl.DataFrame:
    """Positional column names c0, c1, … and every column as text (renamed in place, and
    cast only where a column is not text already: no expression per column)."""
    cells = cells.rename({name: f"c{i}" for i, name in enumerate(cells.columns)})
    odd = [c for c, dtype in cells.schema.items() if dtype != pl.String]
    return cells.with_columns(pl.col(odd).cast(pl.String)) if odd else cells
