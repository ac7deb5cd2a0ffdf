"""A bad file fails alone, with a message naming the file and the next step."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from conftest import ConfigFactory, WorkbookFactory, fetch, order_row, write_xls
from ordersync.config import Config
from ordersync.db import Database
from ordersync.ingest import ingest


def _encrypt(plain: Path, target: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    with plain.open("rb") as fh:
        source = OOXMLFile(fh)
        out = io.BytesIO()
        source.encrypt("secret", out)
    target.write_bytes(out.getvalue())
    assert msoffcrypto


def _error_for(report, name: str) -> str:  # type: ignore[no-untyped-def]
    (found,) = [f for f in report.files if f.path == name]
    assert found.status == "failed"
    return str(found.error)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("GRE_corrupt.xlsx", b"PK\x03\x04 this is not really a zip",
         "the file is damaged or cut short"),
        ("GRE_renamed.xlsx", b"ORDER,STYLE\r\n1,A\r\n", "the file is text (CSV, say) "
                                                            "saved under a .xlsx name"),
        ("GRE_empty.xlsx", b"", "the file is empty"),
        ("GRE_bad.xls", b"\x01\x02\x03 binary pretending to be xls", "not a valid .xls file"),
        ("GRE_page.xls", b"\xef\xbb\xbf<html><body><table><tr><td>1</td></tr></table>",
         "the file is a web page (HTML) saved under a .xls name"),
        ("GRE_2003.xls", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:'
                         b'office:spreadsheet"></Workbook>', "Excel 2003 XML spreadsheet"),
        ("GRE_empty.csv", b"\n\n", "the file is empty"),
    ],
    ids=["corrupt-zip", "renamed-text", "empty", "bad-xls", "html-as-xls", "xml-2003",
         "empty-csv"],
)
def test_unreadable_file_fails_alone(config: Config, db: Database, write_workbook: WorkbookFactory,
                                     name: str, content: bytes, expected: str) -> None:
    write_workbook("GRE_good.xlsx", [order_row(1)])
    (config.source_dir / name).write_bytes(content)

    report = ingest(config, db)

    error = _error_for(report, name)
    assert name in error and expected in error
    good = next(f for f in report.files if f.path == "GRE_good.xlsx")
    assert good.status == "staged" and good.rows_staged == 1
    (row,) = fetch(db, "SELECT status, error FROM ingest_files WHERE path = :p", p=name)
    assert row.status == "failed" and expected in row.error


def _workbook_bytes(sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    if not sheets:
        book.remove(book.active)  # type: ignore[arg-type]
    else:
        book.active.append(["AAG ORDER NUMBER"])  # type: ignore[union-attr]
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _zip_of(parts: dict[str, str]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return data.getvalue()


def _without_sheets() -> bytes:
    """A workbook whose workbook part lists no sheet (openpyxl will not save one)."""
    with zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as source:
        parts = {i.filename: source.read(i).decode() for i in source.infolist()}
    parts["xl/workbook.xml"] = re.sub(r"<sheets>.*</sheets>", "<sheets/>",
                                      parts["xl/workbook.xml"])
    return _zip_of(parts)


@pytest.mark.parametrize(("content", "problem", "hint"), [
    (lambda: _workbook_bytes()[: len(_workbook_bytes()) // 2],
     "the file is damaged or cut short (not a whole .xlsx file: a download or a copy that "
     "stopped, say)", "get a fresh copy of the file: download it again, or ask the customer "
                      "to send it again"),
    (lambda: _zip_of({"hello.txt": "hi"}),
     "the file is a ZIP archive holding no Excel workbook",
     "ask the customer to send the order list again, saved from Excel as .xlsx"),
    (_without_sheets, "the workbook has no sheets (Excel cannot save one without a sheet)",
     "ask the customer to send the file again, saved from Excel"),
], ids=["cut-short", "zip-without-workbook", "no-sheets"])
def test_a_file_excel_cannot_open_either_says_what_to_do(
        config: Config, db: Database, content: Callable[[], bytes], problem: str,
        hint: str) -> None:
    """"open it in Excel and save it again" is no help for a file Excel cannot open."""
    (config.source_dir / "GRE_bad.xlsx").write_bytes(content())

    error = _error_for(ingest(config, db), "GRE_bad.xlsx")

    assert error == f"GRE_bad.xlsx: {problem} — {hint}"


def test_password_protected_workbook(config: Config, db: Database,
                                     write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    plain = write_workbook("GRE_plain.xlsx", [order_row(1)])
    _encrypt(plain, config.source_dir / "GRE_locked.xlsx")
    plain.unlink()

    error = _error_for(ingest(config, db), "GRE_locked.xlsx")

    assert "password-protected" in error and "remove the password" in error


def test_no_header_row(config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_noheader.xlsx", [], headers=["SOMETHING", "ELSE"],
                   raw_rows=[["a", "b"]] * 5)

    error = _error_for(ingest(config, db), "GRE_noheader.xlsx")

    assert "no header row found in the first" in error
    assert "AAG ORDER NUMBER" in error and "header_row" in error


def test_missing_key_column(config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    rows = [order_row(1)]
    headers = [h for h in [*rows[0], "TOTAL QTY"] if h != "CUSTOMER STYLE"]
    write_workbook("GRE_nokey.xlsx", rows, headers=headers)

    error = _error_for(ingest(config, db), "GRE_nokey.xlsx")

    assert ("no header row found: row 1 names AAG ORDER NUMBER and PLANNED DELIVERY METHOD "
            "but not CUSTOMER STYLE — add an alias") in error


def test_fixed_header_row_missing_key_column(make_config, db_settings,  # type: ignore[no-untyped-def]
                                             write_workbook: WorkbookFactory) -> None:
    config = make_config(sources={"directory": "orders", "profiles": {"GRE": {
        "customer": "GREYSTONE", "glob": "GRE*.xlsx", "header_row": 1}}})
    rows = [order_row(1)]
    write_workbook("GRE_x.xlsx", rows,
                   headers=[h for h in [*rows[0], "TOTAL QTY"] if h != "CUSTOMER STYLE"])
    from ordersync.db import open_database

    error = _error_for(ingest(config, open_database(config)), "GRE_x.xlsx")

    assert "row 1" in error and "missing key column(s) CUSTOMER STYLE" in error


def test_a_fixed_header_row_past_the_last_row_says_what_to_fix(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(sources={"directory": "orders", "profiles": {"GRE": {
        "customer": "GREYSTONE", "glob": "GRE*.xlsx", "header_row": 9}}})
    write_workbook("GRE_x.xlsx", [order_row(1)])
    from ordersync.db import open_database

    error = _error_for(ingest(config, open_database(config)), "GRE_x.xlsx")

    assert error == (
        "GRE_x.xlsx, sheet 'Sheet1': header_row 9 is past the last row (2) — correct the "
        "profile's header_row in the config, or remove it to let ordersync find the header "
        "row")


def test_sheet_not_found(make_config, write_workbook: WorkbookFactory) -> None:  # type: ignore[no-untyped-def]
    config = make_config(sources={"directory": "orders", "profiles": {"GRE": {
        "customer": "GREYSTONE", "glob": "GRE*.xlsx", "sheet": "MASTER"}}})
    write_workbook("GRE_x.xlsx", [order_row(1)], sheet="Orders", other_sheets=["Notes"])
    from ordersync.db import open_database

    error = _error_for(ingest(config, open_database(config)), "GRE_x.xlsx")

    assert "sheet 'MASTER' not found (sheets: Notes, Orders)" in error


def test_two_headers_mapping_to_one_column(config: Config, db: Database,
                                           write_workbook: WorkbookFactory) -> None:
    rows = [order_row(1, **{"PO #": "1", "PO NUMBER": "2"})]
    write_workbook("GRE_dup.xlsx", rows, headers=[*rows[0], "TOTAL QTY"])

    error = _error_for(ingest(config, db), "GRE_dup.xlsx")

    assert "two columns map to 'PO NUMBER'" in error


def test_no_size_columns(config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    rows = [order_row(1, {})]
    write_workbook("GRE_nosizes.xlsx", rows,
                   headers=[h for h in rows[0] if h != "UNIT OF MEASURE"])

    error = _error_for(ingest(config, db), "GRE_nosizes.xlsx")

    assert "no size columns found between 'UNIT OF MEASURE' and 'TOTAL QTY'" in error


def test_unmatched_and_ambiguous_files_are_reported(make_config,  # type: ignore[no-untyped-def]
                                                    write_workbook: WorkbookFactory) -> None:
    config = make_config(sources={"directory": "orders", "profiles": {
        "GRE": {"customer": "GREYSTONE", "glob": "GRE*.xlsx"},
        "ALL": {"customer": "X", "glob": "*_both.xlsx"}}})
    write_workbook("GRE_both.xlsx", [order_row(1)])
    write_workbook("ZZZ_orphan.xlsx", [order_row(2)])
    from ordersync.db import open_database

    report = ingest(config, open_database(config))

    (both,) = report.files
    assert both.status == "failed" and "GRE_both.xlsx: matches profiles" in (both.error or "")
    assert any("ZZZ_orphan.xlsx: no profile's glob matches it" in w for w in report.warnings)


def test_unreadable_file_fails_with_the_reason(config: Config, db: Database,
                                               write_workbook: WorkbookFactory,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write_workbook("GRE_locked.xlsx", [order_row(1)])
    write_workbook("GRE_good.xlsx", [order_row(2)])
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # as the OS answers for a file we may not read
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)

    report = ingest(config, db)

    error = _error_for(report, "GRE_locked.xlsx")
    assert "cannot read the file (Permission denied)" in error
    assert next(f for f in report.files if f.path == "GRE_good.xlsx").status == "staged"


def test_a_workbook_under_the_other_excel_suffix_is_read_as_what_it_is(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    # An .xls export named .xlsx (some systems do), an .xlsx renamed .xls, and a workbook
    # saved under a .csv name.
    write_xls(config.source_dir / "GRE_old.xlsx", [order_row(1), order_row(2)])
    write_workbook("GRE_new.xlsx", [order_row(3)]).rename(config.source_dir / "GRE_new.xls")
    write_workbook("GRE_book.xlsx", [order_row(4)]).rename(config.source_dir / "GRE_book.csv")

    report = ingest(config, db)

    found = {f.path: f for f in report.files}
    staged = {path: (f.status, f.rows_staged) for path, f in found.items()}
    assert staged == {"GRE_old.xlsx": ("staged", 2), "GRE_new.xls": ("staged", 1),
                      "GRE_book.csv": ("staged", 1)}
    assert ("GRE_old.xlsx: the file is an Excel workbook (.xls) although its name ends in "
            ".xlsx; it was read as .xls") in found["GRE_old.xlsx"].notes
    assert any("(.xlsx) although its name ends in .xls;" in n for n in found["GRE_new.xls"].notes)
    assert any("(.xlsx) although its name ends in .csv;" in n
               for n in found["GRE_book.csv"].notes)


def test_a_workbook_without_a_single_cell_says_the_sheet_is_empty(
        config: Config, db: Database) -> None:
    openpyxl.Workbook().save(config.source_dir / "GRE_blank.xlsx")

    error = _error_for(ingest(config, db), "GRE_blank.xlsx")

    assert "the sheet is empty" in error and "first 0 rows" not in error


def test_a_file_making_a_column_another_type_fails_alone_run_after_run(
        config: Config, db: Database, tmp_path: Path) -> None:
    """M is a size in one customer's file and a remark (after TOTAL QTY) in another's: the
    second fails alone — on the first ingest and on every later one, which used to stop
    whole runs ("the config now makes it text") though nobody changed the config."""
    head = "AAG ORDER NUMBER,PLANNED DELIVERY METHOD,CUSTOMER STYLE,UNIT OF MEASURE"
    (config.source_dir / "GRE_a.csv").write_text(
        f"{head},S,M,TOTAL QTY\nA-1,SEA,ST-1,PCS,10,20,30\n", encoding="utf-8")
    (config.source_dir / "GRE_b.csv").write_text(
        f"{head},L,TOTAL QTY,M\nB-1,AIR,ST-9,PCS,7,7,note\n", encoding="utf-8")

    first = ingest(config, db)
    assert {f.path: f.status for f in first.files} == {"GRE_a.csv": "staged",
                                                       "GRE_b.csv": "failed"}
    (config.source_dir / "GRE_c.csv").write_text(
        f"{head},S,TOTAL QTY\nC-1,SEA,ST-3,PCS,4,4\n", encoding="utf-8")

    second = ingest(config, db)

    status = {f.path: f.status for f in second.files}
    assert status == {"GRE_a.csv": "skipped", "GRE_b.csv": "failed", "GRE_c.csv": "staged"}
    error = _error_for(second, "GRE_b.csv")
    assert "column 'M' holds integer values in the database but is text here" in error


def test_a_file_passing_the_database_s_column_limit_says_so_and_fails_alone(
        config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    """It said "check database.url … that its folder exists and can be written"."""
    write_workbook("GRE_a.csv", [order_row(1)])
    write_workbook("GRE_wide.csv", [order_row(2, **{f"X{i}": None for i in range(2_100)})])

    report = ingest(config, db)

    wide = next(f for f in report.files if f.path == "GRE_wide.csv")
    assert wide.status == "failed" and wide.error
    assert "limit on columns" in wide.error and "database.url" not in wide.error
    assert "delete the file's empty and unneeded columns" in wide.error
    assert next(f for f in report.files if f.path == "GRE_a.csv").status == "staged"
