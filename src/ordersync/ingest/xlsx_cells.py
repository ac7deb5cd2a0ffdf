"""What the Excel reader cannot say about an .xlsx sheet, read from the sheet's XML.

Two things: formula cells saved without a calculated value (files written by
scripts rather than by Excel: the reader sees them as empty), and error cells
of the kinds newer Excel versions write (``#SPILL!``, ``#CALC!`` …), which the
reader refuses outright — the sheet is then re-packed with its error cells
emptied so it can be read, and every error cell is reported from the XML instead.

The scan runs only on the chosen sheet, and the cell-by-cell part only when the
XML holds a formula (a substring test on the decompressed XML otherwise).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from posixpath import dirname, join, normpath

_CELL_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d+)["']""")
_TYPE = re.compile(rb"""\bt=["']([a-zA-Z]+)["']""")
_PREFIX = re.compile(rb"<(\w+:)?sheetData\b")
_ERROR_TYPES = (b't="e"', b"t='e'")  # a cell's type attribute "error", as writers quote it
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


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


@dataclass(frozen=True)
class XmlCell:
    """A cell the XML says is an error or an uncalculated formula."""

    row: int  # 1-based
    column: int  # 0-based absolute column index
    error: str  # "#SPILL!", or "uncalculated formula =SUM(A1:A3)"


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def sheet_xml(data: bytes, sheet: str) -> tuple[str, bytes] | None:
    """The part name and XML of ``sheet`` in the .xlsx ``data``; None if it cannot be found."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, sheet)
            return (part, archive.read(part)) if part else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None


def scan_cells(xml: bytes, *, error_cells: bool) -> list[XmlCell]:
    """Uncalculated formula cells, and (with ``error_cells``) every cell of type error."""
    found: list[XmlCell] = []
    markup = _Markup.of(xml)
    if markup.formula.search(xml) is not None:
        for match in markup.formula.finditer(xml):
            start = xml.rfind(markup.cell, 0, match.start())
            end = xml.find(markup.cell_end, match.end())
            if start < 0 or end < 0:
                continue
            cell = xml[start:end]
            value = markup.value.search(cell)
            kind = _TYPE.search(cell[: cell.find(b">")])
            blank_text = kind is not None and kind.group(1) in (b"str", b"inlineStr")
            if (value is not None and value.group(1)) or (value is not None and blank_text):
                continue
            ref = _CELL_REF.search(cell)
            if ref is None:
                continue
            text = (match.group(1) or b"").decode("utf-8", "replace")
            found.append(XmlCell(int(ref.group(2)), column_index(ref.group(1).decode()),
                                 f"uncalculated formula ={_unescape(text)}" if text
                                 else "uncalculated formula"))
    if error_cells and any(kind in xml for kind in _ERROR_TYPES):
        for match in markup.error_cell.finditer(xml):
            cell = match.group(0)
            ref, value = _CELL_REF.search(cell), markup.value.search(cell)
            if ref is None or value is None or not value.group(1):
                continue
            found.append(XmlCell(int(ref.group(2)), column_index(ref.group(1).decode()),
                                 value.group(1).decode("utf-8", "replace")))
    return found


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


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets.update({rid: target for target, rid in _REL_REVERSED.findall(rels)})
    for name, rid in _SHEET.findall(workbook):
        if _unescape(name.decode("utf-8")) == sheet and rid in targets:
            target = targets[rid].decode("utf-8")
            return target.lstrip("/") if target.startswith("/") else normpath(
                join(dirname("xl/workbook.xml"), target))
    return None


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))
