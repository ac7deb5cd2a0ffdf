"""Reading one sheet of one workbook into a frame of text cells.

Excel files (.xlsx, .xlsm, .xls) are read with fastexcel (calamine, Rust);
CSV with polars.  Every cell comes back as text (or null) and every row of the
sheet is kept, so frame row ``i`` is spreadsheet row ``i + 1`` and typing is
done in one place (``values``).  Reader failures become :class:`FileRejected`
with a message saying what is wrong with the file and what to do.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from ordersync.errors import FileRejected, Location
from ordersync.ingest.files import CSV_SUFFIXES, EXCEL_SUFFIXES

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # compound file: .xls, or an encrypted .xlsx
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RawSheet:
    """A sheet as read: all cells as text; ``cells`` row i is spreadsheet row i + 1."""

    file: str
    sheet: str
    cells: pl.DataFrame


def read_sheet(path: Path, display: str, data: bytes, sheet: str | None) -> RawSheet:
    """Read ``sheet`` (default: the first) of the file whose bytes are ``data``."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return RawSheet(display, path.stem, _read_csv(display, data))
    if suffix not in EXCEL_SUFFIXES:
        raise FileRejected(Location(display), f"unsupported file type {suffix!r}",
                           "save it as .xlsx, .xlsm, .xls or .csv")
    _check_container(display, suffix, data)
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:
        raise FileRejected(Location(display), f"cannot open workbook ({_reason(exc)})",
                           "open it in Excel and save it again as .xlsx") from exc
    names = list(reader.sheet_names)
    if not names:
        raise FileRejected(Location(display), "the workbook has no sheets")
    if sheet is None:
        chosen = names[0]
    else:
        matches = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        if not matches:
            raise FileRejected(
                Location(display), f"sheet {sheet!r} not found (sheets: {', '.join(names)})",
                "fix the profile's `sheet` in ordersync.toml or rename the sheet")
        chosen = matches[0]
    try:
        loaded = reader.load_sheet(chosen, header_row=None, skip_rows=0, dtypes="string")
        # Through Arrow: measured 15% faster here than fastexcel's own to_polars().
        cells = pl.from_arrow(loaded.to_arrow())
        assert isinstance(cells, pl.DataFrame)
    except Exception as exc:
        raise FileRejected(Location(display, chosen), f"cannot read sheet ({_reason(exc)})",
                           "open it in Excel and save it again as .xlsx") from exc
    return RawSheet(display, chosen, _as_text(cells))


def _check_container(display: str, suffix: str, data: bytes) -> None:
    if not data:
        raise FileRejected(Location(display), "the file is empty")
    if suffix in {".xlsx", ".xlsm"} and data.startswith(_OLE_MAGIC):
        raise FileRejected(Location(display), "the workbook is password-protected (encrypted)",
                           "remove the password in Excel (File › Info › Protect Workbook) "
                           "and save it again")
    if suffix in {".xlsx", ".xlsm"} and not data.startswith(_ZIP_MAGIC):
        raise FileRejected(Location(display), "not a valid .xlsx file (corrupt or renamed)",
                           "ask the customer to send the file again")
    if suffix == ".xls" and not data.startswith(_OLE_MAGIC):
        raise FileRejected(Location(display), "not a valid .xls file (corrupt or renamed)",
                           "ask the customer to send the file again")


def _read_csv(display: str, data: bytes) -> pl.DataFrame:
    if not data.strip():
        raise FileRejected(Location(display), "the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows writes the ANSI code page.
        if not _is_cp1252(data):
            raise FileRejected(Location(display), "the CSV is neither UTF-8 nor Windows-1252 text",
                               "save it from Excel as 'CSV UTF-8'") from None
        text = data.decode("cp1252")
    try:
        cells = pl.read_csv(io.StringIO(text), has_header=False, infer_schema=False,
                            truncate_ragged_lines=True)
    except Exception as exc:
        raise FileRejected(Location(display), f"cannot parse CSV ({_reason(exc)})") from exc
    return _as_text(cells)


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _as_text(cells: pl.DataFrame) -> pl.DataFrame:
    """Positional column names c0, c1, … and every column as text."""
    return cells.select(
        pl.col(name).cast(pl.String).alias(f"c{i}") for i, name in enumerate(cells.columns)
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
