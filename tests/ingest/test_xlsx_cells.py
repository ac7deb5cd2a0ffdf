"""What the sheet's XML says that the reader cannot: judged from the cells the XML really
holds, never from what the writer says about them."""

from __future__ import annotations

import io
import re
import zipfile

import fastexcel
import openpyxl
import pytest
import xlsxwriter

from ordersync.ingest.xlsx_cells import (
    CELL_BUDGET,
    Extent,
    XmlCell,
    hidden_columns,
    hidden_rows,
    merged_ranges,
    overlapping,
    oversized,
    range_reference,
    scan_cells,
    sheet_xml,
    workbook_settings,
)

HEAD = '<worksheet xmlns="urn:main">{dimension}<sheetData>'
TAIL = "</sheetData></worksheet>"
FAR = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _rows(count: int, columns: str = "ABC") -> list[str]:
    return [f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in columns)
            + "</row>" for r in range(1, count + 1)]


def _sheet(rows: list[str], dimension: str = "") -> bytes:
    return (HEAD.format(dimension=dimension) + "".join(rows) + TAIL).encode()


@pytest.mark.parametrize(("dimension", "rows"), [
    # right about the rows, not about the columns: the stray cell is in the last row
    ('<dimension ref="A1:M1048576"/>', [*_rows(3), FAR]),
    # a range that lies, and the stray cell's row written before the last rows
    ('<dimension ref="A1:M3"/>', [*_rows(1), FAR, *_rows(3)[1:]]),
    ('<dimension ref="A1:C20000"/>', [*_rows(3), FAR]),  # a range past A1:ZZ9999
    ('<dimension ref="A1:C3"/>', [*_rows(3), FAR.replace("XFD", "xfd")]),  # the reader
    # takes a reference in lower case, a cell in a row of its own number, and attributes
    # however XML allows them to be written
    ('<dimension ref="A1:C3"/>', [*_rows(3)[:2], _rows(3)[2].replace(
        "</row>", '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')]),
    ("", [*_rows(3), FAR.replace('<c r="XFD1048576"', "<c\tr = 'XFD1048576'")]),
    ("", [*_rows(3), FAR.replace("<c ", '<y:c xmlns:y="urn:main" ').replace(
        "</c>", "</y:c>")]),
], ids=["dimension-right-about-rows-only", "rows-out-of-order", "wide-range-that-lies",
        "lower-case-reference",
        "far-cell-in-a-near-row", "odd-attribute-syntax", "other-namespace-prefix"])
def test_a_far_cell_is_found_whatever_the_recorded_range_says(dimension: str,
                                                              rows: list[str]) -> None:
    """The reader holds every cell from A1 to the farthest value, whatever <dimension>
    says: 1,048,576 × 16,384 cells for one stray value (512 GB: a failed allocation ends
    the process, and the run's other files are never read)."""
    found = oversized(_sheet(rows, dimension))

    assert found is not None
    assert (found.rows, found.columns) == (1_048_576, 16_384)
    assert found.filled == 10


def test_a_far_cell_written_without_its_reference_is_placed_by_position() -> None:
    """Cells may leave out their reference (each follows the one before it)."""
    far = '<row r="1048576">' + "<c><v>1</v></c>" * 800 + "</row>"
    found = oversized(_sheet([*_rows(3), far]), budget=1_000_000)

    assert found == Extent(1_048_576, 800, 809, "A1048576", "ADT1048576")


@pytest.mark.parametrize(("rows", "recorded", "budget"), [
    (_rows(3), "A1:XFD1048576", 4),  # a sheet whose every cell is filled reads whatever its size
    ([*_rows(3), '<row r="1048576"><c r="XFD1048576" s="3"/></row>'], "A1:XFD1048576",
     1_000),  # a far cell with a style alone: the reader does not hold it
    (_rows(1_200, "ABCDEFGHIJKL"), "A1:L1200", CELL_BUDGET),
    (_rows(10_001, "AB"), "A1:B10001", CELL_BUDGET),
    (_rows(10_001, "AB"), "A1:XFD1048576", CELL_BUDGET),  # every cell reference read
], ids=["filled", "styled-far-cell", "ordinary", "ten-thousand-rows",
        "ten-thousand-rows-whole-sheet-range"])
def test_a_sheet_the_reader_can_hold_is_read(rows: list[str], recorded: str,
                                             budget: int) -> None:
    assert oversized(_sheet(rows, f'<dimension ref="{recorded}"/>'), budget=budget) is None


def _workbook(names: list[str], *, target: str = "worksheets/sheet{}.xml",
              sheet_attributes: str = 'r:id="rId{}"') -> bytes:
    """A workbook of one-cell sheets, its workbook part written by hand: ``names`` as they
    stand in workbook.xml (references and all), each sheet related by ``target``."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kind = relations + "/worksheet"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{relations}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{i}" {sheet_attributes.format(i)}/>'
                      for i, name in enumerate(names, start=1))
            + "</sheets></workbook>"))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">' + "".join(
                f'<Relationship Id="rId{i}" Type="{kind}" Target="{target.format(i)}"/>'
                for i in range(1, len(names) + 1)) + "</Relationships>"))
        for i in range(1, len(names) + 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", (
                f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1"><v>{i}</v></c>'
                "</row></sheetData></worksheet>"))
    return data.getvalue()


@pytest.mark.parametrize(("written", "name"), [
    ("B&#x27;HOOD ORDERS", "B'HOOD ORDERS"),  # as Python's html.escape writes an apostrophe
    ("Bestellungen f&#252;r 2026", "Bestellungen für 2026"),
    ("ORDERS&#x9;", "ORDERS\t"),
    ("&#x1F4E6; BOXES", "\U0001f4e6 BOXES"),
    ("R&amp;D &quot;AW&quot; &lt;26&gt; &apos;x&apos;", "R&D \"AW\" <26> 'x'"),
    ("A&#38;lt;B", "A&lt;B"),  # decoded once: a reference's text is not decoded again
    ("A&amp;#252;B", "A&#252;B"),
], ids=["hex-apostrophe", "decimal", "tab", "astral", "entities", "once", "escaped-reference"])
def test_the_sheet_s_xml_is_found_however_its_name_is_escaped(written: str, name: str) -> None:
    """A sheet name written with character references (legal XML, which the reader
    decodes) hid the sheet's XML: its uncalculated formulas, error cells, merged cells and
    far values went unchecked, in silence."""
    data = _workbook(["Notes", written])

    assert fastexcel.read_excel(data).sheet_names == ["Notes", name]  # as the reader names it
    assert sheet_xml(data, name, 1 << 20) is not None
    assert sheet_xml(data, name, 1 << 20)[0] == "xl/worksheets/sheet2.xml"  # type: ignore[index]


@pytest.mark.parametrize(("target", "attributes"), [
    ("WORKSHEETS/Sheet{}.XML", 'r:id="rId{}"'),  # part names are case-insensitive
    ("/xl/worksheets/sheet{}.xml", 'r:id="rId{}"'),
    ("worksheets/sheet{}.xml", 'id="rId{}"'),  # the relationship id without its prefix
], ids=["target-in-another-case", "absolute-target", "unprefixed-id"])
def test_the_sheet_s_xml_is_found_wherever_the_reader_finds_it(target: str,
                                                               attributes: str) -> None:
    data = _workbook(["Orders"], target=target, sheet_attributes=attributes)

    assert fastexcel.read_excel(data).load_sheet("Orders", header_row=None).height == 1
    found = sheet_xml(data, "Orders", 1 << 20)
    assert found is not None and found[0] == "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize("references", [True, False], ids=["cells-with-references",
                                                           "cells-placed-by-position"])
def test_saved_formula_values_count_as_none_when_the_workbook_asks_to_recalculate(
        references: bool) -> None:
    xml = ('<worksheet xmlns="urn:main"><sheetData><row r="2">'
           '<c r="A2"><v>7</v></c>'
           '<c r="B2"><f>N2*12</f><v>0</v></c>'
           '<c r="C2" t="str"><f>IF(M2="X","CANCELLED","BULK")</f><v>BULK</v></c>'
           '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
           '<c r="E2" t="str"><f>A2&amp;""</f><v></v></c>'
           "</row></sheetData></worksheet>")
    if not references:
        xml = re.sub(r' r="[A-Z]+2"', "", xml)
    data = xml.encode()

    assert scan_cells(data, error_cells=False) == []
    # The 0 and the blank such writers save in place of a result are none; a value the
    # writer was handed (BULK) is the result, and an error is reported as the error.
    assert scan_cells(data, error_cells=False, saved_values=False) == [
        XmlCell(2, 1, "uncalculated formula =N2*12"),
        XmlCell(2, 4, 'uncalculated formula =A2&""')]


def _calc_pr(writer: str) -> bytes:
    data = io.BytesIO()
    if writer == "xlsxwriter":
        book = xlsxwriter.Workbook(data)
        book.add_worksheet().write_formula(0, 0, "=1+1", None, 2)
        book.close()
        return data.getvalue()
    if writer == "openpyxl":
        sheet = openpyxl.Workbook()
        sheet.active["A1"] = "=1+1"  # type: ignore[index]
        sheet.save(data)
        return data.getvalue()
    calc = {"excel": '<calcPr calcId="191029"/>',
            "prefixed-true": "<x:calcPr calcId='191029' fullCalcOnLoad='true'/>"}[writer]
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/workbook.xml", f'<x:workbook xmlns:x="urn:main">{calc}'
                                            "</x:workbook>")
    return data.getvalue()


@pytest.mark.parametrize(("writer", "recalculated"), [
    ("xlsxwriter", True), ("openpyxl", True), ("excel", False), ("prefixed-true", True)])
def test_a_workbook_asking_excel_to_recalculate_on_opening_is_told_apart(
        writer: str, recalculated: bool) -> None:
    assert workbook_settings(_calc_pr(writer)).recalculated_on_load is recalculated


def test_a_merged_range_listed_twice_is_one() -> None:
    xml = (b'<worksheet><sheetData/><mergeCells count="3"><mergeCell ref="H2:H4"/>'
           b'<mergeCell ref="A1:C1"/><mergeCell ref="H2:H4"/></mergeCells></worksheet>')

    assert merged_ranges(xml) == ((2, 7, 4, 7), (1, 0, 1, 2))


@pytest.mark.parametrize(("ranges", "pair"), [
    (["H2:H4", "H5:H9", "I2:I4", "A1:M1"], None),  # side by side, end to end
    (["H2:H4", "H3:H5"], ("H2:H4", "H3:H5")),
    (["B9:B12", "A1:C1", "A10:C10"], ("B9:B12", "A10:C10")),  # across
    (["A1:Z1", "C1:C1"], ("A1:Z1", "C1:C1")),  # one inside the other
    (["A2:A99", "D5:D6", "C3:E3", "D3:D3"], ("C3:E3", "D3:D3")),
], ids=["apart", "down", "across", "inside", "among-others"])
def test_overlapping_merged_ranges_are_found(ranges: list[str],
                                             pair: tuple[str, str] | None) -> None:
    cells = "".join(f'<mergeCell ref="{r}"/>' for r in ranges)
    merged = merged_ranges(f"<worksheet><sheetData/><mergeCells>{cells}</mergeCells>"
                           "</worksheet>".encode())

    found = overlapping(merged)

    assert (found and (range_reference(found[0]), range_reference(found[1]))) == pair


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["plain", "namespace-prefix"])
def test_hidden_rows_and_columns_are_read_from_the_sheet_s_xml(prefix: str) -> None:
    xml = ('<x:worksheet xmlns:x="urn:main"><x:cols><x:col min="2" max="2" width="9"/>'
           '<x:col hidden="1" min="11" max="12"/><x:col min="20" max="16384" hidden="true"/>'
           '</x:cols><x:sheetData><x:row r="1"/><x:row r="3" hidden="1" spans="1:3"/>'
           "<x:row hidden='true'/><x:row r=\"9\" hidden=\"0\"/><x:row r=\"12\" hidden=\"1\">"
           '<x:c r="A12"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
           ).replace("x:", prefix).replace('xmlns:="urn:main"', 'xmlns="urn:main"').encode()

    assert hidden_rows(xml) == (3, 4, 12)
    assert hidden_columns(xml) == ((10, 11), (19, 16383))


def test_a_sheet_without_hidden_rows_or_columns_has_none() -> None:
    xml = (b'<worksheet><cols><col min="1" max="3" width="20"/></cols><sheetData>'
           b'<row r="1"><c r="A1" t="inlineStr"><is><t>hidden="1"</t></is></c></row>'
           b"</sheetData></worksheet>")

    assert (hidden_rows(xml), hidden_columns(xml)) == ((), ())


def test_lower_case_cell_references_are_read_as_the_reader_reads_them() -> None:
    """The reader takes r="b2" as B2; the scan missed such a formula and merged range."""
    xml = (b'<worksheet xmlns="urn:main"><sheetData><row r="2"><c r="b2"><f>1+1</f></c>'
           b'</row></sheetData><mergeCells><mergeCell ref="c3:d5"/></mergeCells></worksheet>')

    assert scan_cells(xml, error_cells=False) == [XmlCell(2, 1, "uncalculated formula =1+1")]
    assert merged_ranges(xml) == ((3, 2, 5, 3),)
