"""Reading workbooks: Excel error cells and uncalculated formulas reject their row (read from
the file's cell types), the first visible sheet with the key columns is read, and nothing a
workbook holds takes the other files down."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import ConfigFactory, WorkbookFactory, fetch, layout, order_row
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.ingest import ingest
from ordersync.pipeline import run_pipeline
from ordersync.states import FileStatus

ERRORS = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
          "#CALC!", "#GETTING_DATA"]
FORMULAS = ["=1/0", "=NA()", "=SUM(A1:A3)"]
COLUMNS = {"size": "S", "date": "ETA", "total": "TOTAL QTY", "text": "CUSTOMER SEASON"}


def write_openpyxl(path: Path, rows: Sequence[dict[str, Any]], *, errors: dict[tuple[int, str],
                   str] = {}, cached: dict[tuple[int, str], str] = {}) -> Path:  # noqa: B006
    """Rows as an .xlsx written by openpyxl.  ``errors``: (row index, header) → error cell
    (a cached error value, type e); a formula value (``=…``) is written uncalculated, and
    ``cached`` gives such a formula a cached error value instead."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Orders"
    headers = layout(rows)
    sheet.append(headers)
    for index, row in enumerate(rows):
        values = [row.get(h) if h != "TOTAL QTY" else row.get(h, 30) for h in headers]
        sheet.append(values)
        for (at, header), error in errors.items():
            if at == index:
                cell = sheet.cell(row=index + 2, column=headers.index(header) + 1)
                cell.value = error
                if not error.startswith("="):
                    cell.data_type = "e"
    book.save(path)
    if cached:
        _cache_formula_errors(path, headers, cached)
    return path


def _cache_formula_errors(path: Path, headers: list[str],
                          cached: dict[tuple[int, str], str]) -> None:
    """Give formula cells a cached error value, as Excel saves them."""
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for (index, header), error in cached.items():
        ref = f"{openpyxl.utils.get_column_letter(headers.index(header) + 1)}{index + 2}"
        xml, done = re.subn(rf'<c r="{ref}"([^>]*)><f>([^<]*)</f><v\s*/>',
                            rf'<c r="{ref}"\1 t="e"><f>\2</f><v>{error}</v>', xml)
        assert done == 1, f"no formula cell {ref} to give a cached value"
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _rejects(db: Database) -> list[tuple[int, str, str, str]]:
    return [(r.row, r.column, r.raw_value, r.reason) for r in fetch(
        db, 'SELECT "row", "column", raw_value, reason FROM rejected_rows ORDER BY "row"')]


@pytest.mark.parametrize("written", ["error-cell", "formula-with-cached-error"])
@pytest.mark.parametrize("column", list(COLUMNS.values()), ids=list(COLUMNS))
def test_every_excel_error_kind_rejects_its_row(config: Config, db: Database, tmp_path: Path,
                                                column: str, written: str) -> None:
    rows = [order_row(n, {"S": 10, "M": 20}) for n in range(1, len(ERRORS) + 2)]
    if written == "error-cell":
        write_openpyxl(tmp_path / "orders" / "GRE_errors.xlsx", rows,
                       errors={(i, column): error for i, error in enumerate(ERRORS)})
    else:  # as Excel saves a formula whose result is an error
        write_openpyxl(tmp_path / "orders" / "GRE_errors.xlsx", rows,
                       errors={(i, column): "=A1/0" for i in range(len(ERRORS))},
                       cached={(i, column): error for i, error in enumerate(ERRORS)})

    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert (file.status, file.rows_staged, file.rows_rejected) == ("staged", 1, len(ERRORS))
    assert _rejects(db) == [(i + 2, column, error, f"Excel error {error} in {column}")
                            for i, error in enumerate(ERRORS)]
    assert [r.AAG_ORDER_NUMBER for r in fetch(
        db, 'SELECT "AAG ORDER NUMBER" AS "AAG_ORDER_NUMBER" FROM orders')] == [
        f"GRE-{len(ERRORS) + 1:05d}"]


@pytest.mark.parametrize("column", list(COLUMNS.values()), ids=list(COLUMNS))
def test_formulas_with_cached_errors_and_uncalculated_formulas(
        config: Config, db: Database, tmp_path: Path, column: str) -> None:
    rows = [order_row(n, {"S": 10, "M": 20}) for n in range(1, 7)]
    write_openpyxl(tmp_path / "orders" / "GRE_formulas.xlsx", rows,
                   errors={**{(i, column): f for i, f in enumerate(FORMULAS)},
                           (3, column): "=1/0", (4, column): "=NA()"},
                   cached={(3, column): "#DIV/0!", (4, column): "#N/A"})

    run_pipeline(config, db)

    uncalculated = "formula without a calculated value in {} (open the file in Excel and save it)"
    assert _rejects(db) == [
        (2, column, "=1/0", uncalculated.format(column)),
        (3, column, "=NA()", uncalculated.format(column)),
        (4, column, "=SUM(A1:A3)", uncalculated.format(column)),
        (5, column, "#DIV/0!", f"Excel error #DIV/0! in {column}"),
        (6, column, "#N/A", f"Excel error #N/A in {column}"),
    ]
    assert len(fetch(db, "SELECT 1 FROM orders")) == 1


RECALCULATE = ("GRE_export.xlsx: the workbook asks Excel to recalculate every formula when "
               "it opens (a program wrote it; Excel did not save it), and 2 formula cells "
               "were saved with the 0 or blank such programs put in place of a result: read "
               "as without a calculated value — open the file in Excel and save it, then run "
               "again")


def test_formulas_of_a_workbook_that_asks_to_be_recalculated_are_not_trusted(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """xlsxwriter saves 0 as every formula's value and asks Excel to recalculate on opening
    (fullCalcOnLoad): read as saved, a size =N2*12 was no quantity and an ORDER TYPE
    =IF(…,"CANCELLED","BULK") was '0' — a cancelled order went out as active."""
    rows = [order_row(1, {"S": 10, "M": "=2*12"}, order_type='=IF(1=1,"CANCELLED","BULK")'),
            order_row(2)]
    write_workbook("GRE_export.xlsx", rows)  # xlsxwriter writes "=…" as a formula

    report = ingest(config, db)

    (found,) = report.files
    assert (found.status, found.rows_staged, found.rows_rejected) == ("staged", 1, 1)
    uncalculated = "formula without a calculated value in {} (open the file in Excel and save it)"
    assert sorted(_rejects(db)) == [
        (2, "M", "=2*12", uncalculated.format("M")),
        (2, "ORDER TYPE", '=IF(1=1,"CANCELLED","BULK")', uncalculated.format("ORDER TYPE"))]
    assert RECALCULATE in found.notes


def test_formula_results_a_program_saved_on_purpose_are_read(
        config: Config, db: Database, tmp_path: Path) -> None:
    """An export handing xlsxwriter its formulas' results still asks Excel to recalculate
    on opening: the results it saved are read (rejecting them would hold back every order
    whose total is a formula); only the 0 put in place of a missing result is not."""
    import xlsxwriter

    headers = [*order_row(1), "TOTAL QTY"]
    book = xlsxwriter.Workbook(str(tmp_path / "orders" / "GRE_export.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for row, number in ((1, 1), (2, 2)):
        values = order_row(number)
        sheet.write_row(row, 0, [values[h] for h in headers[:-1]])
        total = headers.index("TOTAL QTY")
        sheet.write_formula(row, total, f"=SUM(K{row + 1}:L{row + 1})", None,
                            30 if number == 1 else 0)  # the second: no result handed over
    book.close()

    report = ingest(config, db)

    (found,) = report.files
    assert (found.rows_staged, found.rows_rejected) == (1, 1)
    (total,) = fetch(db, 'SELECT "TOTAL QTY" AS total FROM staging_orders')
    assert total.total == 30


def test_formula_values_excel_saved_are_read(config: Config, db: Database,
                                             write_workbook: WorkbookFactory) -> None:
    """The same formulas saved with their values by Excel (which does not ask for a
    recalculation on opening) are read as saved, and no note is made."""
    rows = [order_row(1, {"S": 10, "M": "=2*12"}, order_type='=IF(1=1,"CANCELLED","BULK")')]
    path = write_workbook("GRE_export.xlsx", rows)
    _edit_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        "><f>2*12</f><v>0</v>", "><f>2*12</f><v>24</v>").replace(
        '><f>IF(1=1,"CANCELLED","BULK")</f><v>0</v>',
        ' t="str"><f>IF(1=1,"CANCELLED","BULK")</f><v>CANCELLED</v>'))
    _edit_part(path, "xl/workbook.xml", lambda xml: xml.replace(' fullCalcOnLoad="1"', ""))

    report = ingest(config, db)

    (found,) = report.files
    assert (found.rows_staged, found.rows_rejected) == (1, 0)
    assert not any("recalculate" in note for note in found.notes)
    ((order_type, quantity),) = fetch(db, 'SELECT o."ORDER TYPE", l.qty FROM staging_orders o '
                                          "JOIN staging_lines l USING (_file_id, _row) "
                                          "WHERE l.size_code = 'M'")
    assert (order_type, quantity) == ("CANCELLED", 24)


def test_na_text_is_not_a_null_value(config: Config, db: Database,
                                     write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_na.xlsx", [order_row(1, {"S": "#N/A", "M": 2}), order_row(2)])

    run_pipeline(config, db)

    assert _rejects(db) == [(2, "S", "#N/A", "not a number")]


def test_an_error_in_a_column_without_header_and_a_row_of_only_errors(
        config: Config, db: Database, tmp_path: Path) -> None:
    rows = [order_row(1), order_row(2)]
    path = write_openpyxl(tmp_path / "orders" / "GRE_stray.xlsx", rows)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=2, column=20).value = "#REF!"
    sheet.cell(row=2, column=20).data_type = "e"
    sheet.cell(row=5, column=1).value = "#VALUE!"
    sheet.cell(row=5, column=1).data_type = "e"
    book.save(path)

    report = ingest(config, db)

    assert report.files[0].rows_rejected == 2  # row 5 is not dropped as blank
    assert [r for r in _rejects(db) if r[3].startswith("Excel")] == [
        (2, "(column T, no header)", "#REF!", "Excel error #REF! in (column T, no header)"),
        (5, "AAG ORDER NUMBER", "#VALUE!", "Excel error #VALUE! in AAG ORDER NUMBER"),
    ]


def test_hidden_first_sheet_is_skipped_and_said_so(config: Config, db: Database,
                                                   tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    stale = book.active
    assert stale is not None
    stale.title = "OLD"
    stale.sheet_state = "hidden"
    notes = book.create_sheet("Notes")
    notes["A1"] = "read me first"
    current = book.create_sheet("Orders")
    for sheet, number in ((stale, 1), (current, 2)):
        rows = [order_row(number, {"S": number})]
        headers = layout(rows)
        sheet.append(headers)
        sheet.append([rows[0].get(h, number) for h in headers])
    book.save(tmp_path / "orders" / "GRE_hidden.xlsx")

    report = ingest(config, db)

    (file,) = report.files
    assert file.status == "staged" and file.rows_staged == 1
    assert file.notes == ("GRE_hidden.xlsx: hidden sheet 'OLD' skipped (name it with the "
                          "profile's `sheet` to read it)",)
    assert fetch(db, 'SELECT "AAG ORDER NUMBER" AS n FROM staging_orders')[0].n == "GRE-00002"
    assert fetch(db, "SELECT sheet FROM ingest_files")[0].sheet == "Orders"


def test_no_sheet_with_the_key_columns_lists_the_sheets(config: Config, db: Database,
                                                        tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Cover"
    first["A1"] = "ORDER BOOK"
    book.create_sheet("Summary")["A1"] = "totals"
    book.save(tmp_path / "orders" / "GRE_cover.xlsx")

    error = ingest(config, db).files[0].error or ""

    assert "(sheets: Cover, Summary)" in error
    assert 'sheet = "<its name>"' in error  # not the first sheet, which was just refused
    assert "calamine" not in error.lower()


def test_customer_column_absent_from_every_file_on_a_fresh_database(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    for customer_column in ("CUSTOMER", "CUSTOMER NAME"):
        config = make_config(columns={"customer": customer_column},
                             names={"group": f"{{{customer_column}}} {{AAG SEASON}}"})
        db = open_database(config)
        rows = [{k: v for k, v in order_row(n).items() if k != "CUSTOMER"} for n in (1, 2)]
        write_workbook("GRE_a.xlsx", rows[:1])
        write_workbook("GRE_b.csv", rows[1:])

        result = run_pipeline(config, db)

        assert [f.status for f in result.ingest.files] == ["staged", "staged"]
        statuses = {r.status for r in fetch(db, "SELECT status FROM ingest_files")}
        assert statuses == {FileStatus.MERGED.value}
        assert [tuple(r) for r in fetch(
            db, f'SELECT "{customer_column}", group_name FROM orders')] == [
            ("GREYSTONE", "GREYSTONE AW25")] * 2
        db.dispose()
        for name in ("GRE_a.xlsx", "GRE_b.csv"):
            (config.source_dir / name).unlink()
        if db.is_sqlite:
            Path(db.engine.url.database or "").unlink()


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["plain", "namespace-prefix"])
def test_scan_finds_uncalculated_formulas_and_error_cells(prefix: str) -> None:
    from ordersync.ingest.xlsx_cells import XmlCell, scan_cells

    xml = ('<x:worksheet><x:sheetData><x:row r="2">'
           '<x:c r="B2"><x:f>1/0</x:f><x:v/></x:c>'
           '<x:c r="C2" t="e"><x:v>#SPILL!</x:v></x:c>'
           '<x:c r="D2"><x:f>SUM(A1)</x:f><x:v>3</x:v></x:c>'
           '<x:c r="E2" t="str"><x:f>""</x:f><x:v></x:v></x:c>'
           '<x:c r="AA2"><x:f t="shared" si="0"/></x:c>'
           "</x:row></x:sheetData></x:worksheet>").replace("x:", prefix).encode()

    assert scan_cells(xml, error_cells=True) == [
        XmlCell(2, 1, "uncalculated formula =1/0"),
        XmlCell(2, 26, "uncalculated formula"),
        XmlCell(2, 2, "#SPILL!"),
    ]


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["plain", "namespace-prefix"])
def test_scan_places_cells_written_without_their_reference(prefix: str) -> None:
    """The format lets a writer leave out a cell's reference (it follows the cell before
    it): such cells are placed by position, not passed over."""
    from ordersync.ingest.xlsx_cells import XmlCell, scan_cells

    xml = ('<x:worksheet xmlns:x="urn:main"><x:sheetData><x:row r="2">'
           '<x:c><x:v>1</x:v></x:c>'
           '<x:c><x:f>1/0</x:f><x:v/></x:c>'
           '<x:c t="e"><x:v>#SPILL!</x:v></x:c>'
           '<x:c r="E2"><x:f>SUM(A1)</x:f><x:v>3</x:v></x:c>'
           '<x:c><x:f>A1&amp;"x"</x:f></x:c>'
           '</x:row><x:row><x:c><x:f t="shared" si="0"/></x:c></x:row>'
           "</x:sheetData></x:worksheet>").replace("x:", prefix).replace(
               'xmlns:="urn:main"', 'xmlns="urn:main"').encode()

    assert scan_cells(xml, error_cells=True) == [
        XmlCell(2, 1, "uncalculated formula =1/0"),
        XmlCell(2, 2, "#SPILL!"),
        XmlCell(2, 5, 'uncalculated formula =A1&"x"'),
        XmlCell(3, 0, "uncalculated formula"),
    ]


@pytest.mark.parametrize("cells", ['<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>',
                                   "<sheetData/>", '<x:sheetData></x:sheetData>'],
                         ids=["rows", "empty", "prefixed"])
def test_merged_ranges_are_read_after_the_cells(cells: str) -> None:
    from ordersync.ingest.xlsx_cells import merged_ranges

    xml = (f'<worksheet><dimension ref="A1:C9"/>{cells}<mergeCells count="2">'
           '<mergeCell ref="B2:B4"/><mergeCell ref="C9"/></mergeCells></worksheet>').encode()

    assert merged_ranges(xml) == ((2, 1, 4, 1), (9, 2, 9, 2))


def test_scan_finds_error_cells_whatever_quotes_the_writer_used() -> None:
    """Error cells of kinds the reader refuses come from the XML: a writer quoting its
    attributes with ' must not hide them (nor their cell references and types)."""
    from ordersync.ingest.xlsx_cells import XmlCell, scan_cells

    xml = (b"<worksheet><sheetData><row r='3'>"
           b"<c r='B3' t='e'><f>1/0</f><v>#DIV/0!</v></c>"
           b"<c r='C3' t='n'><v>4</v></c>"
           b"</row></sheetData></worksheet>")

    assert scan_cells(xml, error_cells=True) == [XmlCell(3, 1, "#DIV/0!")]


def _with_far_cell(path: Path, rows: Sequence[dict[str, Any]], row: int, column: int,
                   *, style_only: bool = False) -> Path:
    """Rows as an .xlsx (openpyxl), plus one cell far outside them: a value (a lone space,
    as a slip of the keyboard leaves), or with ``style_only`` a bold empty cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    headers = layout(rows)
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    far = sheet.cell(row=row, column=column)
    if style_only:
        far.font = openpyxl.styles.Font(bold=True)
    else:
        far.value = " "
    book.save(path)
    return path


def test_a_value_far_outside_the_data_fails_its_file_alone(config: Config, db: Database,
                                                          write_workbook: WorkbookFactory
                                                          ) -> None:
    """One space in the sheet's last row would make the reader hold 1,048,576 × 300 cells
    (10 GB; a failed allocation ends the process): the file fails, naming the cell."""
    write_workbook("GRE_good.xlsx", [order_row(1)])
    _with_far_cell(config.source_dir / "GRE_far.xlsx", [order_row(2)], 1_048_576, 300)

    report = ingest(config, db)

    (far,) = [f for f in report.files if f.path == "GRE_far.xlsx"]
    assert far.status == "failed"
    assert "values far outside the data, at KN1048576" in str(far.error)
    assert "1,048,576 rows × 300 columns" in str(far.error)
    assert "Ctrl+End" in str(far.error)
    (good,) = [f for f in report.files if f.path == "GRE_good.xlsx"]
    assert good.status == "staged" and good.rows_staged == 1


def _edit_part(path: Path, part: str, edit: Callable[[str], str]) -> Path:
    """Rewrite one part of a saved workbook, as another writer would have written it."""
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts[part] = edit(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


@pytest.mark.parametrize(("recorded", "placed"), [
    ("A1:O1048576", "after-the-rows"), ("A1:O3", "before-the-last-rows")],
    ids=["range-right-about-rows-only", "rows-out-of-order"])
def test_a_far_value_the_recorded_range_leaves_out_fails_its_file_alone(
        config: Config, db: Database, write_workbook: WorkbookFactory, recorded: str,
        placed: str) -> None:
    """The sheet's recorded range (<dimension>) is the writer's word, not the cells': one
    that leaves out a value at XFD1048576 made the reader try to hold 512 GB, and the
    failed allocation ended the run before its other files were read."""
    write_workbook("GRE_good.xlsx", [order_row(1)])
    path = write_openpyxl(config.source_dir / "GRE_far.xlsx", [order_row(2), order_row(3)])
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'

    def lie(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{recorded}"', xml)
        if placed == "after-the-rows":
            return xml.replace("</sheetData>", far + "</sheetData>")
        return xml.replace('<row r="3"', far + '<row r="3"')

    _edit_part(path, "xl/worksheets/sheet1.xml", lie)

    report = ingest(config, db)

    (failed,) = [f for f in report.files if f.path == "GRE_far.xlsx"]
    assert failed.status == "failed"
    assert "values far outside the data, at XFD1048576" in str(failed.error)
    assert "1,048,576 rows × 16,384 columns" in str(failed.error)
    (good,) = [f for f in report.files if f.path == "GRE_good.xlsx"]
    assert (good.status, good.rows_staged) == ("staged", 1)


def test_formatting_down_to_the_last_row_reads_as_usual(config: Config, db: Database) -> None:
    """A styled empty cell is not held by the reader: formatting a whole column (the
    recorded range then reaches row 1,000,000) reads the data as always."""
    _with_far_cell(config.source_dir / "GRE_styled.xlsx", [order_row(1), order_row(2)],
                   1_000_000, 300, style_only=True)

    report = ingest(config, db)

    (styled,) = report.files
    assert styled.status == "staged" and styled.rows_staged == 2


@pytest.mark.parametrize("dimension", ["", '<dimension ref="A1:XFD1048576"/>',
                                       '<dimension ref="A1:C3"/>'],
                         ids=["no-dimension", "whole-sheet-dimension", "dimension-too-small"])
def test_oversized_counts_the_filled_cells_when_the_recorded_range_cannot_tell(
        dimension: str) -> None:
    from ordersync.ingest.xlsx_cells import Extent, oversized

    cells = "".join(f'<c r="{c}{r}"><v>1</v></c>' for r in range(1, 4) for c in "ABC")
    near = f"<worksheet>{dimension}<sheetData><row r='1'>{cells}</row>"
    far = near + '<row r="900000"><c r="ZZ900000" t="inlineStr"><is><t> </t></is></c></row>'
    styled = near + '<row r="900000"><c r="ZZ900000" s="3"/></row>'
    end = "</sheetData></worksheet>"

    assert oversized((far + end).encode(), budget=1_000_000) == Extent(
        900_000, 702, 10, "ZZ900000", "ZZ900000")
    assert oversized((styled + end).encode(), budget=1_000_000) is None
    assert oversized((near + end).encode(), budget=1_000_000) is None
    # a sheet whose every cell is filled reads whatever its size
    assert oversized((near + end).encode(), budget=4) is None


def test_a_time_of_day_in_a_date_column_is_refused_not_stored_as_1899(
        config: Config, db: Database) -> None:
    """An Excel time cell (12:00, the serial 0.5) in a date column reads as a moment on
    1899-12-31: its row is rejected, never stored with that date."""
    import datetime

    rows = [order_row(1), order_row(2)]
    path = write_openpyxl(config.source_dir / "GRE_times.xlsx", rows)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=3, column=layout(rows).index("ETA") + 1).value = datetime.time(12, 0)
    book.save(path)

    report = ingest(config, db)

    (found,) = report.files
    assert (found.rows_staged, found.rows_rejected) == (1, 1)
    ((row, column, raw, reason),) = _rejects(db)
    assert (row, column) == (3, "ETA") and raw.startswith("1899-12-3")
    assert reason.startswith("not a date")


def test_a_date_formatted_cell_too_large_to_be_a_date_is_read_as_the_number(
        config: Config, db: Database) -> None:
    """1e12 in a cell formatted as a date (Excel shows ########) was rejected as "Excel
    error #ERROR in ETA", though the cell holds no error: it is a number, too large to be
    a date — rejected as such in a date column, and read as written in a text one."""
    rows = [order_row(1), order_row(2)]
    path = write_openpyxl(config.source_dir / "GRE_dates.xlsx", rows)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    headers = layout(rows)
    for row, column in ((2, "ETA"), (3, "CUSTOMER SEASON")):
        cell = sheet.cell(row=row, column=headers.index(column) + 1)
        cell.value, cell.number_format = 1e12, "yyyy-mm-dd"
    book.save(path)

    report = ingest(config, db)

    (found,) = report.files
    assert (found.rows_staged, found.rows_rejected) == (1, 1)
    ((row, column, raw, reason),) = _rejects(db)
    assert (row, column, raw) == (2, "ETA", "1000000000000")
    assert reason.startswith("not a date: a number too large to be an Excel date")
    assert fetch(db, 'SELECT "CUSTOMER SEASON" AS s FROM staging_orders')[0].s == (
        "1000000000000")


def test_thousands_set_off_by_no_break_spaces_are_read(config: Config, db: Database) -> None:
    rows = [order_row(1, {"S": "1\u00a0200", "M": "2\u202f500"})]
    write_openpyxl(config.source_dir / "GRE_spaces.xlsx", rows)

    ingest(config, db)

    assert sorted((r.size_code, r.qty) for r in fetch(
        db, "SELECT size_code, qty FROM staging_lines")) == [("M", 2500), ("S", 1200)]


def test_a_cell_merged_down_gives_its_value_to_every_row_it_covers(config: Config,
                                                                   db: Database) -> None:
    """A season written once in a cell merged beside four orders is each order's season,
    as Excel shows it; a size merged down counts once (in its first row), and a title
    merged across the top is not data."""
    rows = [order_row(i, {"S": 10, "M": 20}) for i in range(1, 5)]
    headers = layout(rows)
    column = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(headers)}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ORDER BOOK"])
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    sheet["A1"] = "ORDER BOOK"
    sheet.merge_cells(f"A1:{column['M']}1")
    for header in ("CUSTOMER SEASON", "AAG SEASON"):
        sheet[f"{column[header]}3"] = "SPRING 2026"
        sheet.merge_cells(f"{column[header]}3:{column[header]}6")
    sheet.merge_cells(f"{column['M']}3:{column['M']}4")
    book.save(config.source_dir / "GRE_merged.xlsx")

    report = ingest(config, db)

    (found,) = report.files
    assert (found.status, found.rows_staged, found.rows_rejected) == ("staged", 4, 0)
    assert {r.s for r in fetch(db, 'SELECT "CUSTOMER SEASON" AS s FROM staging_orders')} == {
        "SPRING 2026"}
    quantities = sorted((r._row, r.size_code, r.qty) for r in fetch(
        db, "SELECT _row, size_code, qty FROM staging_lines"))
    assert [(row, qty) for row, size, qty in quantities if size == "M"] == [
        (3, 20), (5, 20), (6, 20)]  # row 4's M was merged into row 3's: not repeated


def _season_merged(path: Path, seasons: Sequence[str | None], merges: Sequence[str],
                   *, footer: str | None = None) -> Path:
    """Orders with these CUSTOMER SEASON cells (column E), the sheet's merged cells written
    as ``merges`` (listed as given, as a writer may list them), and a ``footer`` in A10."""
    rows = [order_row(i, **{"CUSTOMER SEASON": season}) for i, season in enumerate(seasons, 1)]
    path = write_openpyxl(path, rows)
    if footer:
        book = openpyxl.load_workbook(path)
        assert book.active is not None
        book.active["A10"] = footer
        book.save(path)
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
    return _edit_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        "</sheetData>", f'</sheetData><mergeCells count="{len(merges)}">{cells}</mergeCells>'))


def test_a_merged_range_listed_twice_is_read_once(config: Config, db: Database) -> None:
    """It failed the file: "the database refused the file's rows (… UNIQUE constraint
    failed …) — please report it"."""
    _season_merged(config.source_dir / "GRE_twice.xlsx", ["SPRING 2026", None, None, "AW26"],
                   ["E2:E4", "E2:E4"])

    report = ingest(config, db)

    (found,) = report.files
    assert (found.status, found.rows_staged, found.rows_rejected) == ("staged", 4, 0)
    assert [r.s for r in fetch(db, 'SELECT "CUSTOMER SEASON" AS s FROM staging_orders '
                                   "ORDER BY _row")] == ["SPRING 2026"] * 3 + ["AW26"]


def test_overlapping_merged_ranges_fail_their_file_naming_them(config: Config, db: Database,
                                                                write_workbook: WorkbookFactory
                                                                ) -> None:
    """Which value covers the rows both ranges cover cannot be told (Excel finds the file
    damaged): the file fails, naming the two ranges, and the others are read."""
    write_workbook("GRE_good.xlsx", [order_row(9)])
    _season_merged(config.source_dir / "GRE_overlap.xlsx",
                   ["SPRING 2026", "AW26", None, None], ["E2:E4", "E3:E5"])

    report = ingest(config, db)

    error = {f.path: f.error for f in report.files}
    assert error["GRE_overlap.xlsx"] == (
        "GRE_overlap.xlsx, sheet 'Orders': merged cells E2:E4 and E3:E5 overlap, so which "
        "value the rows they share take cannot be told — open the file in Excel (it reports "
        "the file as damaged and repairs the merged cells), check them, and save it again")
    assert error["GRE_good.xlsx"] is None


def test_a_cell_merged_down_past_the_orders_makes_no_rows_of_its_own(
        config: Config, db: Database) -> None:
    """A note merged down below the last order: the rows under it hold nothing else, and
    are blank rows, not orders "missing business key value"."""
    _season_merged(config.source_dir / "GRE_past.xlsx", ["SPRING 2026", "AW26"], ["E3:E8"],
                   footer="Prepared by: J. Smith")

    report = ingest(config, db)

    (found,) = report.files
    assert (found.rows_staged, found.rows_blank) == (2, 6)
    assert {row for row, *_ in _rejects(db)} == {10}  # the footer, as before


@pytest.mark.parametrize("listed", [1, 2], ids=["merge-listed-once", "merge-listed-twice"])
def test_an_xls_cell_merged_down_fills_its_rows_too(config: Config, db: Database,
                                                    listed: int) -> None:
    xlwt = pytest.importorskip("xlwt")
    rows = [order_row(i) for i in range(1, 4)]
    headers = layout(rows)
    book = xlwt.Workbook()
    sheet = book.add_sheet("Orders", cell_overwrite_ok=True)
    for c, header in enumerate(headers):
        sheet.write(0, c, header)
    season = headers.index("CUSTOMER SEASON")
    for r, values in enumerate(rows, start=1):
        for c, header in enumerate(headers):
            if values.get(header) is not None and c != season:
                sheet.write(r, c, values[header])
    sheet.write_merge(1, 3, season, season, "SPRING 2026")
    for _ in range(listed - 1):
        sheet.merge(1, 3, season, season)
    book.save(str(config.source_dir / "GRE_merged.xls"))

    report = ingest(config, db)

    assert (report.files[0].rows_staged, report.files[0].rows_rejected) == (3, 0)
    assert [r.s for r in fetch(db, 'SELECT "CUSTOMER SEASON" AS s FROM staging_orders')] == [
        "SPRING 2026"] * 3


@pytest.mark.parametrize("mac", [True, False], ids=["1904-date-system", "1900-date-system"])
def test_an_xls_date_written_as_a_plain_number_counts_from_the_workbook_s_own_epoch(
        config: Config, db: Database, mac: bool) -> None:
    """An .xls workbook counting its dates from 1904 (its DATEMODE record): 44259 typed as
    a plain number was read from 1900, 2021-03-04 for 2025-03-05, in silence.  A cell
    formatted as a date the reader converts itself: it must not move."""
    import datetime

    xlwt = pytest.importorskip("xlwt")
    rows = [order_row(1, ETA=44259 if mac else 45721)]
    headers = [*layout(rows), "EX FACTORY DATE"]
    book = xlwt.Workbook()
    book.dates_1904 = mac
    sheet = book.add_sheet("Orders")
    for c, header in enumerate(headers):
        sheet.write(0, c, header)
        if rows[0].get(header) is not None:
            sheet.write(1, c, rows[0][header])
    sheet.write(1, len(headers) - 1, datetime.datetime(2025, 2, 1),
                xlwt.easyxf(num_format_str="DD/MM/YYYY"))
    book.save(str(config.source_dir / "GRE_mac.xls"))

    report = ingest(config, db)

    assert (report.files[0].rows_staged, report.files[0].rows_rejected) == (1, 0)
    ((eta, ex_factory),) = fetch(
        db, 'SELECT "ETA", "EX FACTORY DATE" FROM staging_orders')
    assert (str(eta), str(ex_factory)) == ("2025-03-05", "2025-02-01")


def test_hidden_rows_and_columns_are_read_and_said_so(config: Config, db: Database) -> None:
    """A hidden M (OLD) column added its pieces to every order, and rows hidden by hand or
    by a filter were read, without a word: they are read as before, and named."""
    rows = [order_row(i, {"S": 10, "M (OLD)": 99, "M": 20}) for i in range(1, 5)]
    headers = layout(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    old = openpyxl.utils.get_column_letter(headers.index("M (OLD)") + 1)
    sheet.column_dimensions[old].hidden = True
    sheet.column_dimensions["Z"].hidden = True  # hidden, but holding nothing
    for row in (3, 4, 7):  # row 7 is below the data: nothing to say of it
        sheet.row_dimensions[row].hidden = True
    sheet.auto_filter.ref = f"A1:{old}5"
    book.save(config.source_dir / "GRE_hidden.xlsx")

    report = ingest(config, db)

    (found,) = report.files
    assert (found.rows_staged, found.rows_rejected) == (4, 0)  # read as before
    assert sorted((r.size_code, r.qty) for r in fetch(
        db, "SELECT size_code, qty FROM staging_lines WHERE _row = 3")) == [
        ("M", 20), ("M (OLD)", 99), ("S", 10)]
    assert found.notes == (
        f"GRE_hidden.xlsx: hidden column {old} ('M (OLD)') read like the others (Excel does "
        "not show it): delete it from the file if its values are no part of the orders",
        "GRE_hidden.xlsx: 2 hidden rows (3 and 4) read like the others (hidden by hand or by "
        "a filter, Excel does not show them): delete them from the file if they are no "
        "orders")


def test_orders_on_a_second_sheet_are_not_read_in_silence(config: Config, db: Database) -> None:
    """A workbook with a sheet per season: the first sheet with the order columns is read,
    and every later one that has them too is named in a note (a notes sheet is not)."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "SS26"
    book.create_sheet("Notes")["A1"] = "read me first"
    second = book.create_sheet("AW26")
    for sheet, number in ((first, 1), (second, 2)):
        rows = [order_row(number)]
        sheet.append(layout(rows))
        sheet.append([rows[0].get(h) for h in layout(rows)])
    book.save(config.source_dir / "GRE_seasons.xlsx")

    report = ingest(config, db)

    (file,) = report.files
    assert file.status == "staged" and file.rows_staged == 1
    assert file.notes == (
        "GRE_seasons.xlsx: sheet 'AW26' has order columns too but was not read (only the "
        "first such sheet, 'SS26', is): give it its own file, or name the sheet to read "
        "with the profile's `sheet`",)


def test_a_sheet_too_large_to_read_is_passed_over_for_the_order_sheet(config: Config,
                                                                      db: Database) -> None:
    """A notes sheet first with a stray value far out is not the order sheet: the next
    visible sheet with the order columns is read."""
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes["A1"] = "read me first"
    notes.cell(row=1_048_576, column=300).value = " "
    orders = book.create_sheet("Orders")
    rows = [order_row(1), order_row(2)]
    orders.append(layout(rows))
    for values in rows:
        orders.append([values.get(h) for h in layout(rows)])
    book.save(config.source_dir / "GRE_notes_first.xlsx")

    report = ingest(config, db)

    (file,) = report.files
    assert (file.status, file.rows_staged) == ("staged", 2)


def test_a_sheet_that_unpacks_to_too_much_xml_fails_its_file_alone(
        config: Config, db: Database, write_workbook: WorkbookFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A few kilobytes of workbook can unpack to gigabytes: the recorded size is checked
    before anything is decompressed (the limit is lowered here to a workbook's size)."""
    from ordersync.ingest import xlsx_cells

    write_workbook("GRE_good.xlsx", [order_row(1)])
    big = write_workbook("GRE_big.xlsx", [order_row(i) for i in range(2, 400)])
    with zipfile.ZipFile(big) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    monkeypatch.setattr(xlsx_cells, "XML_LIMIT", size - 1)

    report = ingest(config, db)

    (failed,) = [f for f in report.files if f.path == "GRE_big.xlsx"]
    assert failed.status == "failed"
    assert "the sheet unpacks to" in str(failed.error) and "split the orders" in str(
        failed.error)
    (good,) = [f for f in report.files if f.path == "GRE_good.xlsx"]
    assert (good.status, good.rows_staged) == ("staged", 1)


def test_a_workbook_whose_shared_strings_unpack_to_too_much_fails_alone(
        config: Config, db: Database, write_workbook: WorkbookFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader unpacks the shared strings as it opens a workbook, before any sheet is
    checked: their recorded size is checked first (the limit lowered between the sheet's
    size and the strings' here)."""
    from ordersync.ingest import xlsx_cells

    write_workbook("GRE_good.xlsx", [order_row(1)])
    long_styles = [order_row(i, style=f"STYLE-{i}-" + "X" * 2_000) for i in range(2, 40)]
    big = write_workbook("GRE_strings.xlsx", long_styles)
    with zipfile.ZipFile(big) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml").file_size
        strings = archive.getinfo("xl/sharedStrings.xml").file_size
    assert sheet < strings
    monkeypatch.setattr(xlsx_cells, "XML_LIMIT", sheet + 1)

    report = ingest(config, db)

    (failed,) = [f for f in report.files if f.path == "GRE_strings.xlsx"]
    assert failed.status == "failed"
    assert "xl/sharedStrings.xml unpacks to" in str(failed.error)
    assert "send the file again" in str(failed.error)
    (good,) = [f for f in report.files if f.path == "GRE_good.xlsx"]
    assert (good.status, good.rows_staged) == ("staged", 1)


def test_a_sheet_starting_in_column_b_reads_every_column_where_it_is(config: Config,
                                                                       db: Database) -> None:
    """Column A left empty as a margin: the reader's frame starts at column B, and every
    column, value and reject is where the sheet has it."""
    rows = [order_row(1, {"S": 4, "M": 5}), order_row(2, {"S": "lots", "M": 6})]
    headers = layout(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r, values in enumerate([dict(zip(headers, headers, strict=True)), *rows], start=1):
        for c, header in enumerate(headers, start=2):
            sheet.cell(r, c, values.get(header))
    book.save(config.source_dir / "GRE_margin.xlsx")

    report = ingest(config, db)

    (found,) = report.files
    assert found.status == "staged" and (found.rows_staged, found.rows_rejected) == (1, 1)
    assert sorted((r.size_code, r.qty) for r in fetch(
        db, "SELECT size_code, qty FROM staging_lines")) == [("M", 5), ("S", 4)]
    ((row, column, raw, _),) = _rejects(db)
    assert (row, column, raw) == (3, "S", "lots")


@pytest.mark.parametrize(("workbook", "rels"), [
    ('<workbook xmlns:r="R"><sheets><sheet name="Orders" sheetId="1" r:id="rId7"/></sheets>'
     '</workbook>',
     '<Relationships><Relationship Id="rId7" Type="T" Target="worksheets/sheet9.xml"/>'
     '</Relationships>'),
    ('<x:workbook xmlns:x="M" xmlns:ns1="R"><x:sheets><x:sheet ns1:id=\'rId7\' '
     'sheetId=\'1\' name=\'Orders\'/></x:sheets></x:workbook>',
     "<Relationships><Relationship Target='/xl/worksheets/sheet9.xml' Type='T' Id='rId7'/>"
     "</Relationships>"),
], ids=["excel", "prefixed-reordered-single-quoted"])
def test_the_sheet_s_xml_is_found_however_the_workbook_part_is_written(workbook: str,
                                                                       rels: str) -> None:
    """.NET's OpenXML SDK writes ``<x:sheet>``; other writers reorder attributes or quote
    with ': the sheet's XML (for formulas without values, merged cells, far values) must be
    found all the same."""
    import io

    from ordersync.ingest.xlsx_cells import sheet_xml

    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/worksheets/sheet9.xml", "<worksheet><sheetData/></worksheet>")

    assert sheet_xml(data.getvalue(), "Orders", 1 << 20) == (
        "xl/worksheets/sheet9.xml", b"<worksheet><sheetData/></worksheet>")
    assert sheet_xml(data.getvalue(), "Other", 1 << 20) is None


@pytest.mark.parametrize(("part", "old", "new"), [
    ("xl/workbook.xml", 'name="Orders"', 'name="B&#x27;HOOD &#246;rders"'),
    ("xl/_rels/workbook.xml.rels", "worksheets/sheet1.xml", "worksheets/Sheet1.XML"),
], ids=["name-with-character-references", "target-in-another-case"])
def test_a_sheet_the_reader_finds_is_checked_however_the_workbook_names_it(
        config: Config, db: Database, part: str, old: str, new: str) -> None:
    """Written so, the sheet's XML was not found, and every check made from it (formulas
    without values, error cells, merged cells, far values) was skipped in silence."""
    rows = [order_row(1), order_row(2)]
    path = write_openpyxl(config.source_dir / "GRE_named.xlsx", rows,
                          errors={(1, "S"): "=SUM(A1:A3)"})
    _edit_part(path, part, lambda xml: xml.replace(old, new))

    report = ingest(config, db)

    (found,) = report.files
    assert (found.status, found.rows_staged, found.rows_rejected) == ("staged", 1, 1)
    assert _rejects(db) == [(3, "S", "=SUM(A1:A3)", "formula without a calculated value in S "
                                                    "(open the file in Excel and save it)")]


def test_a_sheet_whose_xml_cannot_be_found_is_not_read_unchecked(
        config: Config, db: Database, write_workbook: WorkbookFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the sheet's XML be somewhere the scan does not look, the file fails, saying so,
    rather than being read without its checks."""
    from ordersync.ingest import xlsx_cells

    write_workbook("GRE_a.xlsx", [order_row(1)])
    write_workbook("GRE_b.csv", [order_row(2)])
    monkeypatch.setattr(xlsx_cells, "sheet_xml", lambda data, sheet, limit: None)

    report = ingest(config, db)

    error = {f.path: f.error for f in report.files}
    assert error["GRE_a.xlsx"] == (
        "GRE_a.xlsx, sheet 'Sheet1': the sheet's XML cannot be found in the workbook, so its "
        "formulas, error cells, merged cells and far values cannot be checked — open the file "
        "in Excel and save it again as .xlsx")
    assert error["GRE_b.csv"] is None


def test_a_size_header_excel_took_for_a_date_is_named_in_the_file_s_report(
        config: Config, db: Database) -> None:
    """"2/3" typed as a size header becomes a date in Excel: its quantities go under the
    date's text, and the report says so with the alias that maps it back."""
    import datetime

    rows = [order_row(1, {"S": 4, "M": 5})]
    headers = layout(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([datetime.datetime(2025, 3, 2) if h == "M" else h for h in headers])
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    book.save(config.source_dir / "GRE_dates.xlsx")

    (found,) = ingest(config, db).files

    assert found.status == "staged"
    (note,) = [n for n in found.notes if "is a date" in n]
    column = openpyxl.utils.get_column_letter(headers.index("M") + 1)
    assert f"the header of column {column} is a date (2025-03-02" in note
    assert "alias" in note
