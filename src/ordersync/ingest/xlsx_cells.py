"""What the Excel reader cannot say about an .xlsx sheet, read from the sheet's XML.

Five things: formula cells saved without a calculated value (files written by
scripts rather than by Excel: the reader sees them as empty), or with one the
workbook says not to trust (it asks Excel to recalculate on opening, as xlsxwriter,
saving 0 for every formula, does); error cells of the kinds newer Excel versions
write (``#SPILL!``, ``#CALC!`` …), which the reader refuses outright — the sheet is
then re-packed with its error cells emptied so it can be read, and every error cell
is reported from the XML instead; values far outside the data (a stray space in row
1,048,576): the reader holds every cell of the rectangle from A1 to the farthest
value in memory, 10 GB for that one space, and a failed allocation ends the process
— so such a sheet is refused first, judged from the cells its XML holds (never from
the range the writer records, which can be wrong); the merged cells, whose value the
reader gives only to the first cell of each; and the hidden rows and columns, which
it reads like the others.  The sheet's part is found as the reader finds it (names
decoded as XML decodes them, part names in any case); workbook.xml gives the date
system and whether formula values are to be trusted.

The scan runs only on the chosen sheet, and the cell-by-cell part only when the
XML holds a formula (a substring test on the decompressed XML otherwise).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from posixpath import dirname, join, normpath
from xml.etree import ElementTree

_CELL_REF = re.compile(rb"""\br=["']([A-Za-z]{1,3})(\d+)["']""")  # the reader takes a1 too
_TYPE = re.compile(rb"""\bt=["']([a-zA-Z]+)["']""")
_PREFIX = re.compile(rb"<(\w+:)?sheetData\b")
_ERROR_TYPES = (b't="e"', b"t='e'")  # a cell's type attribute "error", as writers quote it
# Elements of workbook.xml and its relationships, however the writer spelled them: with a
# namespace prefix (``<x:sheet>``, as .NET's OpenXML SDK writes), attributes in any order,
# either quote, and any prefix on the relationship id (``r:id``, ``ns1:id``).
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""([\w.-]+(?::[\w.-]+)?)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class _Markup:
    """The sheet's element names, with the namespace prefix some writers use (``<x:c>``)."""

    cell: bytes
    cell_end: bytes
    formula: re.Pattern[bytes]
    value: re.Pattern[bytes]
    error_cell: re.Pattern[bytes]

    @classmethod
    def of(cls, xml: bytes) -> _Markup:
        found = _PREFIX.search(xml)
        prefix = re.escape(found.group(1)) if found and found.group(1) else b""
        name = found.group(1) if found and found.group(1) else b""
        return cls(
            b"<" + name + b"c ", b"</" + name + b"c>",
            re.compile(rb"<" + prefix + rb"f\b[^>]*?(?:/>|>([^<]*)</" + prefix + rb"f>)"),
            re.compile(rb"<" + prefix + rb"v>([^<]*)</" + prefix + rb"v>"),
            re.compile(rb"<" + prefix + rb"""c\b[^>]*\bt=["']e["'][^>]*>.*?</""" + prefix
                       + rb"c>",
                       re.DOTALL))


# A cell holding something (a value, an inline string or a formula): the reader keeps these;
# a cell with a style alone (``<c r="A9" s="1"/>``), as formatting a whole column writes,
# it does not.  (The reader takes a reference in lower case too.)
_FILLED_CELL = re.compile(rb"""<(?:[\w.-]+:)?c\b[^>]*?\br=["']([A-Za-z]{1,3})(\d+)["'][^>]*?"""
                          rb"""(?<!/)>\s*<(?:[\w.-]+:)?(?:v|is|f)\b""")

CELL_BUDGET = 20_000_000
"""Cells (rows × columns from A1 to the farthest value) a sheet may make the reader hold
when most of them are empty: about 1 GB.  A sheet whose every row is data reads whatever
its size."""

# What the reader holds is judged from the cells the XML holds, never from the range the
# writer records (<dimension>, which can be wrong): that range only proposes a rectangle,
# which one search over the cell elements confirms.
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\b[^>]*?\bref=["'](?:[A-Za-z]*\d*:)?"""
                        rb"""([A-Za-z]{1,3})(\d{1,7})["']""")
_NEAR = "ZZ9999"  # proposed when the recorded range is absent or wrong: 702 × 9,999 cells
# Otherwise, the cells and rows one by one (placing those without a reference by position).
_CELL_OR_ROW = re.compile(rb"<(?:[\w.-]+:)?(c|row)(?=[\s/>])([^>]*)>")
_REF_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]*)(\d*)\s*["']""")
_CONTENT = re.compile(rb"\s*<(?:[\w.-]+:)?(?:v|is|f)\b")


@dataclass(frozen=True)
class _Rectangle:
    """A1 to ``last`` rounded up (the rest of the first letter's columns, the rest of the
    first digit's rows: ``KS1251`` → KZ1999), so that one regular expression, which never
    backtracks, tells whether a cell reference lies inside."""

    columns: int
    rows: int
    outside: re.Pattern[bytes]  # a cell element not written `<c r="…"` inside

    @property
    def cells(self) -> int:
        return self.columns * self.rows

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def of(last: str, prefix: bytes) -> _Rectangle:
        found = re.fullmatch(r"([A-Z]{1,3})([1-9]\d{0,6})", last)
        assert found is not None, last
        letters, digits = found.groups()
        first, width, length, top = letters[0], len(letters), len(digits), int(digits[0])
        column = (rf"[A-Za-z]{{1,{width}}}+" if first == "Z" else
                  rf"[A-{first}a-{first.lower()}]" if width == 1 else
                  rf"(?:[A-{first}a-{first.lower()}][A-Za-z]{{0,{width - 1}}}+"
                  rf"|[{chr(ord(first) + 1)}-Z{chr(ord(first) + 33)}-z][A-Za-z]{{0,{width - 2}}}+)")
        row = (rf"\d{{1,{length}}}+" if top == 9 else rf"[0-{top}]" if length == 1 else
               rf"(?:[0-{top}]\d{{0,{length - 1}}}+|[{top + 1}-9]\d{{0,{length - 2}}}+)")
        inside = rf' r="{column}{row}"'.encode()
        return _Rectangle(column_index(first + "Z" * (width - 1)) + 1,
                          (top + 1) * 10 ** (length - 1) - 1,
                          re.compile(b"<" + re.escape(prefix) + b"c(?!" + inside + b")"))


@dataclass(frozen=True)
class _CellSearches:
    """Searches over the cell elements of a sheet whose elements carry ``prefix``."""

    foreign: re.Pattern[bytes]  # a cell element under another namespace prefix
    plain: re.Pattern[bytes]  # a cell element not written `<c r="…"` (or another c… element)
    letters: re.Pattern[bytes]  # every cell's column letters, when all are written plainly
    numbers: re.Pattern[bytes]  # every cell's row number, likewise

    @staticmethod
    @functools.cache
    def of(prefix: bytes) -> _CellSearches:
        start = b"<" + re.escape(prefix) + b"c"
        own = rb"(?<!<" + re.escape(prefix) + rb"c)" if prefix else b""
        return _CellSearches(
            re.compile(rb":c" + own + rb"[\s/>]"),
            re.compile(start + rb"""(?! r="[A-Za-z]+\d+")"""),
            re.compile(start + rb""" r="([A-Za-z]+)\d"""),
            re.compile(start + rb""" r="[A-Za-z]+(\d+)\""""))


@dataclass(frozen=True)
class Extent:
    """The rectangle the reader would hold, and how much of it holds anything."""

    rows: int
    columns: int
    filled: int  # cells with a value or a formula
    last_row: str  # the reference of a cell in the farthest row (A1 style)
    last_column: str  # the reference of a cell in the farthest column

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def oversized(xml: bytes, budget: int = CELL_BUDGET) -> Extent | None:
    """The sheet's extent when reading it would hold more than ``budget`` cells, most of
    them empty (values far outside the data); None when it reads as it is.

    Judged from the cells the XML holds: the range the writer records (``<dimension>``)
    only proposes a rectangle, which one search over the cell elements confirms — that
    settles nearly every sheet.  A sheet with a cell outside has its cell references'
    farthest row and column found, and only one whose cells reach beyond the budget
    (formatting down to row 1,048,576 does that) has its filled cells counted.
    """
    found = _PREFIX.search(xml)
    start, end = found.start() if found else 0, xml.rfind(b"sheetData>")
    end = end if end > start else len(xml)
    prefix = (found.group(1) or b"") if found else b""
    searches = _CellSearches.of(prefix)
    if searches.foreign.search(xml, start, end) is not None:
        extent = _extent_by_position(xml, start, end)
    elif any(rectangle.cells <= budget and rectangle.outside.search(xml, start, end) is None
             for rectangle in _proposed(xml, prefix)):
        return None
    elif searches.plain.search(xml, start, end) is None:
        letters = set(searches.letters.findall(xml, start, end))
        numbers = set(searches.numbers.findall(xml, start, end))
        columns = max((column_index(c.decode().upper()) + 1 for c in letters), default=0)
        if max((int(n) for n in numbers), default=0) * columns <= budget:
            return None
        extent = _filled_extent(xml, start, end)
    else:
        extent = _extent_by_position(xml, start, end)
    return extent if extent.cells > budget and extent.filled * 10 < extent.cells else None


def _proposed(xml: bytes, prefix: bytes) -> list[_Rectangle]:
    """The rectangles to try: the recorded range, when A1:ZZ9999 would not hold it, then
    A1:ZZ9999."""
    near = _Rectangle.of(_NEAR, prefix)
    recorded = _DIMENSION.search(xml, 0, 4096)
    if recorded is None or not recorded.group(2).strip(b"0"):
        return [near]
    claimed = _Rectangle.of(recorded.group(1).decode().upper()
                            + recorded.group(2).lstrip(b"0").decode(), prefix)
    return [claimed, near] if claimed.columns > near.columns or claimed.rows > near.rows \
        else [near]


def _filled_extent(xml: bytes, start: int, end: int) -> Extent:
    rows = columns = filled = 0
    last_row = last_column = ""
    for match in _FILLED_CELL.finditer(xml, start, end):
        letters, number = match.group(1).decode().upper(), int(match.group(2))
        column = column_index(letters) + 1
        filled += 1
        if number > rows:
            rows, last_row = number, f"{letters}{number}"
        if column > columns:
            columns, last_column = column, f"{letters}{number}"
    return Extent(rows, columns, filled, last_row, last_column)


def _extent_by_position(xml: bytes, start: int, end: int) -> Extent:
    """The extent of the filled cells, each cell and row read in order: one without its
    reference follows the one before it, as the reader places it (slower; few writers
    leave references out or write them unusually)."""
    row = column = rows = columns = filled = 0
    last_row = last_column = ""
    for match in _CELL_OR_ROW.finditer(xml, start, end):
        name, attributes = match.group(1), match.group(2)
        ref = _REF_ATTRIBUTE.search(attributes)
        if name == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            column = 0
            continue
        letters = ref.group(1).decode().upper() if ref else ""
        column = column_index(letters) + 1 if letters else column + 1
        number = int(ref.group(2)) if ref and ref.group(2) else row
        if attributes.endswith(b"/") or _CONTENT.match(xml, match.end()) is None:
            continue
        filled += 1
        if number > rows:
            rows, last_row = number, f"{column_letter(column - 1)}{number}"
        if column > columns:
            columns, last_column = column, f"{column_letter(column - 1)}{number}"
    return Extent(rows, columns, filled, last_row, last_column)


@dataclass(frozen=True)
class XmlCell:
    """A cell the XML says is an error or an uncalculated formula."""

    row: int  # 1-based
    column: int  # 0-based absolute column index
    error: str  # "#SPILL!", or "uncalculated formula =SUM(A1:A3)"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26 (a → 0: the reader takes lower-case references too)."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


XML_LIMIT = 1 << 30
"""Bytes a sheet's XML may take once decompressed: about half a million rows of 300
columns, whose cells the reader could not hold anyway.  A few kilobytes of workbook can
unpack to gigabytes (a "zip bomb")."""


class SheetTooLarge(Exception):
    """The sheet's XML would decompress to more than :data:`XML_LIMIT` bytes."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size:,} bytes")
        self.size = size


def largest_part(data: bytes, *, besides: str = "xl/worksheets/") -> tuple[str, int] | None:
    """The largest part of the .xlsx ``data`` by the size its archive records, (name,
    bytes), leaving out the parts under ``besides`` (sheets are checked as they are read:
    :func:`sheet_xml`); None when there is none, or the archive cannot be listed (the
    reader then says what is wrong)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [(i.filename, i.file_size) for i in archive.infolist()
                     if not i.filename.startswith(besides)]
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return max(parts, key=lambda part: part[1]) if parts else None


_DATE_1904 = re.compile(rb"""<(?:[\w.-]+:)?workbookPr\b[^>]*?\bdate1904\s*=\s*["'](?:1|true)["']""")
_FULL_CALCULATION = re.compile(rb"""<(?:[\w.-]+:)?calcPr\b[^>]*?\bfullCalcOnLoad\s*=\s*["']"""
                               rb"""(?:1|true)["']""")


@dataclass(frozen=True)
class WorkbookSettings:
    """What workbook.xml says about reading every sheet."""

    dates_from_1904: bool = False
    """``<workbookPr date1904="1">``, as Excel for Mac once wrote: a date written as a
    plain number is 1,462 days later than the same number in a workbook counting from
    1900."""
    recalculated_on_load: bool = False
    """``<calcPr fullCalcOnLoad="1">``: the writer asks Excel to recalculate every formula
    when it opens the file, so the values saved with the formulas are not theirs to trust
    (xlsxwriter saves 0 for each; openpyxl saves none).  Excel does not write it."""


def workbook_settings(data: bytes) -> WorkbookSettings:
    """The settings of the .xlsx ``data`` (the defaults when workbook.xml cannot be read:
    the reader then says what is wrong)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error):
        return WorkbookSettings()
    return WorkbookSettings(_DATE_1904.search(workbook) is not None,
                            _FULL_CALCULATION.search(workbook) is not None)


def sheet_xml(data: bytes, sheet: str, limit: int) -> tuple[str, bytes] | None:
    """The part name and XML of ``sheet`` in the .xlsx ``data``; None if it cannot be found
    or read (a damaged part).

    Raises :class:`SheetTooLarge` before decompressing more than ``limit`` bytes (the
    size the archive records; a part that holds more than it records fails its CRC).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, sheet)
            if part is None:
                return None
            size = archive.getinfo(part).file_size
            if size > limit:
                raise SheetTooLarge(size)
            return part, archive.read(part)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error):
        return None


def scan_cells(xml: bytes, *, error_cells: bool, saved_values: bool = True
               ) -> list[XmlCell]:
    """Uncalculated formula cells, and (with ``error_cells``) every cell of type error.

    Without ``saved_values`` (the workbook asks for a recalculation on opening), a formula's
    saved value is not its result: every formula cell counts as uncalculated, but for one
    saved with an error (the reader, or ``error_cells``, reports that error)."""
    found: list[XmlCell] = []
    markup = _Markup.of(xml)
    formulas = markup.formula.search(xml) is not None
    errors = error_cells and any(kind in xml for kind in _ERROR_TYPES)
    if (formulas or errors) and _CELL_WITHOUT_REF.search(xml) is not None:
        return _scan_by_position(xml, error_cells=error_cells, saved_values=saved_values)
    if formulas:
        for match in markup.formula.finditer(xml):
            start = xml.rfind(markup.cell, 0, match.start())
            end = xml.find(markup.cell_end, match.end())
            if start < 0 or end < 0:
                continue
            cell = xml[start:end]
            value = markup.value.search(cell)
            kind = _TYPE.search(cell[: cell.find(b">")])
            if _calculated(value.group(1).decode("utf-8", "replace") if value else None,
                           kind.group(1).decode() if kind else None, saved_values):
                continue
            ref = _CELL_REF.search(cell)
            if ref is None:
                continue
            text = (match.group(1) or b"").decode("utf-8", "replace")
            found.append(XmlCell(int(ref.group(2)), column_index(ref.group(1).decode()),
                                 _uncalculated(_unescape(text))))
    if errors:
        for match in markup.error_cell.finditer(xml):
            cell = match.group(0)
            ref, value = _CELL_REF.search(cell), markup.value.search(cell)
            if ref is None or value is None or not value.group(1):
                continue
            found.append(XmlCell(int(ref.group(2)), column_index(ref.group(1).decode()),
                                 value.group(1).decode("utf-8", "replace")))
    return found


def _calculated(value: str | None, kind: str | None, saved_values: bool) -> bool:
    """Whether a formula cell was saved with its result: a value (``value`` is its text,
    None without a ``<v>``), or an empty one of a text formula (``t="str"``).  When saved
    values are not sure to be results (the workbook asks for a recalculation on opening),
    a ``0`` or an empty value is the placeholder such writers save (xlsxwriter saves 0 for
    every formula it is given no result for): not a result; any other value was written
    on purpose (an export handing its writer the results), and an error is reported as
    such."""
    saved = value is not None and (bool(value) or kind in ("str", "inlineStr"))
    if saved_values or kind == "e":
        return saved
    return saved and value not in ("0", "")


def _uncalculated(formula: str) -> str:
    return f"uncalculated formula ={formula}" if formula else "uncalculated formula"


# A cell without its reference (the format allows it: the cell then follows the one before
# it), which the search by reference above cannot place.
_CELL_WITHOUT_REF = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])(?![^>]*\br=)")


def _scan_by_position(xml: bytes, *, error_cells: bool, saved_values: bool
                      ) -> list[XmlCell]:
    """``scan_cells`` for a sheet whose cells may lack their reference: the XML parsed in
    order, each cell placed after the one before it in its row (slower; such writers are
    few)."""
    found: list[XmlCell] = []
    row, column = 0, -1
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = element.tag.rsplit("}", 1)[-1]
        if event == "start" and name == "row":
            number = element.get("r")
            row, column = (int(number) if number and number.isdigit() else row + 1), -1
        elif event == "end" and name == "c":
            ref = _REF.match(element.get("r") or "")
            column = column_index(ref.group(1)) if ref else column + 1
            parts = {child.tag.rsplit("}", 1)[-1]: child for child in element}
            kind, formula, value = element.get("t"), parts.get("f"), parts.get("v")
            if formula is not None and not _calculated(
                    None if value is None else value.text or "", kind, saved_values):
                found.append(XmlCell(row, column, _uncalculated(formula.text or "")))
            if error_cells and kind == "e" and value is not None and value.text:
                found.append(XmlCell(row, column, value.text))
            element.clear()
    return found


_REF = re.compile(r"([A-Za-z]{1,3})\d+$")


Merged = tuple[int, int, int, int]
"""A merged range: (first row, first column, last row, last column), rows from 1 and
columns from 0."""

_MERGE_CELL = re.compile(rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref=["']"""
                         rb"""([A-Za-z]{1,3})(\d+)(?::([A-Za-z]{1,3})(\d+))?["']""")


def merged_ranges(xml: bytes) -> tuple[Merged, ...]:
    """The sheet's merged cells, each once: (first row, first column, last row, last
    column), rows from 1 and columns from 0 as in :class:`XmlCell`.  They follow the cells
    in the XML, so only what comes after the cells is searched."""
    # (an empty sheet writes <sheetData/>: searched only when there is no </sheetData>, as
    # a search for what is not there runs through the whole XML, 40 ms for 50,000 rows)
    end = xml.rfind(b"sheetData>")
    end = max(end if end >= 0 else xml.rfind(b"sheetData/>"), 0)
    found = []
    for match in _MERGE_CELL.finditer(xml, end):
        first, row = column_index(match.group(1).decode()), int(match.group(2))
        last = column_index(match.group(3).decode()) if match.group(3) else first
        last_row = int(match.group(4)) if match.group(4) else row
        found.append((min(row, last_row), min(first, last), max(row, last_row),
                      max(first, last)))
    return tuple(dict.fromkeys(found))  # a range listed twice (some writers do) is one



def overlapping(ranges: tuple[Merged, ...]) -> tuple[Merged, Merged] | None:
    """Two merged ranges that share a cell (no writer should write them: Excel finds such
    a file damaged), the first pair in row order; None when none do."""
    covering: list[Merged] = []  # ranges reaching the row being looked at
    for merged in sorted(set(ranges)):
        covering = [other for other in covering if other[2] >= merged[0]]
        for other in covering:
            if other[1] <= merged[3] and merged[1] <= other[3]:
                return other, merged
        covering.append(merged)
    return None


def range_reference(merged: Merged) -> str:
    """(2, 4, 4, 4) → E2:E4."""
    first_row, first_column, last_row, last_column = merged
    return (f"{column_letter(first_column)}{first_row}:"
            f"{column_letter(last_column)}{last_row}")


_COLUMN = re.compile(rb"<(?:[\w.-]+:)?col\b([^>]*)>")
_ROW_START = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*)>")
_TRUE = (b"1", b"true")
_HIDDEN = re.compile(rb"""hidden\s*=\s*["'](?:1|true)["']""")


def hidden_columns(xml: bytes) -> tuple[tuple[int, int], ...]:
    """The sheet's hidden columns (``<col hidden="1">``) as (first, last) ranges, from 0.
    The reader reads them like any other; they come before the cells."""
    found = _PREFIX.search(xml)
    head = xml[: found.start() if found else len(xml)]
    ranges = []
    for match in _COLUMN.finditer(head):
        attributes = _attributes(match.group(1))
        first, last = attributes.get(b"min", b""), attributes.get(b"max", b"")
        if attributes.get(b"hidden") in _TRUE and first.isdigit() and last.isdigit():
            ranges.append((int(first) - 1, int(last) - 1))
    return tuple(ranges)


def hidden_rows(xml: bytes) -> tuple[int, ...]:
    """The sheet's hidden rows (``<row hidden="1">``: hidden by hand, or by a filter), from
    1.  The reader reads them like any other."""
    found = _PREFIX.search(xml)
    start = found.start() if found else 0
    if _HIDDEN.search(xml, start) is None:  # as a rule: no row element is looked at
        return ()
    rows, number = [], 0
    for match in _ROW_START.finditer(xml, start):
        attributes = _attributes(match.group(1))
        ref = attributes.get(b"r", b"")
        number = int(ref) if ref.isdigit() else number + 1
        if attributes.get(b"hidden") in _TRUE:
            rows.append(number)
    return tuple(rows)


def without_error_cells(data: bytes, part: str, xml: bytes) -> bytes:
    """The workbook with every error cell of ``part`` emptied (they are reported from
    :func:`scan_cells` instead)."""
    def emptied(match: re.Match[bytes]) -> bytes:
        cell = match.group(0)
        head = cell[: cell.find(b">")]
        for kind in _ERROR_TYPES:
            head = head.replace(b" " + kind, b"")
        head = head.rstrip(b"/")
        return head + b"/>"

    patched = _Markup.of(xml).error_cell.sub(emptied, xml)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, patched if info.filename == part else source.read(info))
    return out.getvalue()


def _attributes(element: bytes) -> dict[bytes, bytes]:
    """An element's attributes by name (``r:id`` also under ``:id``, whatever its prefix)."""
    found: dict[bytes, bytes] = {}
    for name, double, single in _ATTRIBUTE.findall(element):
        value = double or single
        found[name] = value
        if b":" in name:
            found[b":" + name.split(b":", 1)[1]] = value
    return found


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The archive's name for the part holding ``sheet``, found as the reader finds it."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for element in _REL.findall(rels):
        attributes = _attributes(element)
        if b"Id" in attributes and b"Target" in attributes:
            targets[attributes[b"Id"]] = attributes[b"Target"]
    for element in _SHEET.findall(workbook):
        attributes = _attributes(element)
        name, rid = attributes.get(b"name"), attributes.get(b":id", attributes.get(b"id"))
        if name is not None and _unescape(name.decode("utf-8")) == sheet and rid in targets:
            target = _unescape(targets[rid].decode("utf-8"))
            part = target.lstrip("/") if target.startswith("/") else normpath(
                join(dirname("xl/workbook.xml"), target))
            # Part names are case-insensitive (Sheet1.xml relates worksheets/sheet1.xml)
            names = archive.namelist()
            return part if part in names else next(
                (n for n in names if n.casefold() == part.casefold()), None)
    return None


# XML's five entities and its character references, decimal and hexadecimal (``&#x`` in
# lower case alone, as XML has it and as the reader reads it).
_REFERENCE = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(lt|gt|amp|quot|apos));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    """An attribute's value as an XML parser reads it, in one pass (``&#38;lt;`` is the
    text ``&lt;``).  Neither ``html.unescape`` (HTML's entities, ``&amp`` without its
    semicolon, ``&#128;`` as the euro) nor ``xml.sax.saxutils.unescape`` (no character
    references) reads XML; and the XML parser itself would turn a tab written as such into
    a space, which the reader does not."""
    return _REFERENCE.sub(_referenced, text)


def _referenced(match: re.Match[str]) -> str:
    if match.group(3):
        return _ENTITIES[match.group(3)]
    code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    return chr(code) if 0 < code <= 0x10FFFF else match.group(0)
