"""CSV as Excel writes it: separators sniffed, BOM and code pages handled, decimal commas."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from conftest import ConfigFactory, fetch, layout, order_row
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.ingest.csv_text import sniff_separator
from ordersync.pipeline import run_pipeline

SEPARATORS = {"semicolon": ";", "tab": "\t", "pipe": "|", "comma": ","}
ENCODINGS = {"utf-8-bom": "utf-8-sig", "cp1252": "cp1252", "utf-8": "utf-8"}


def _csv(path: Path, separator: str, encoding: str, *, price: str, title: str = "",
         style: str = "CRÈME BRÛLÉE – 2") -> None:
    row = order_row(1, {"S": 10, "M": 20}, **{"CUSTOMER STYLE": style})
    headers = layout([row])
    values = [price if h == "FOB PRICE" else str(row.get(h, 30)) for h in headers]
    lines = ([title] if title else []) + [separator.join(headers), separator.join(values)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.mark.parametrize("encoding", list(ENCODINGS.values()), ids=list(ENCODINGS))
@pytest.mark.parametrize("separator", list(SEPARATORS.values()), ids=list(SEPARATORS))
def test_excel_csv_dialects(config: Config, db: Database, tmp_path: Path, separator: str,
                            encoding: str) -> None:
    price = "1.234,50" if separator == ";" else "1234.50"  # what Excel writes in Europe
    _csv(tmp_path / "orders" / "GRE_a.csv", separator, encoding, price=price,
         title="GREYSTONE ORDER BOOK, SS26")

    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert file.status == "staged", file.error
    (order,) = fetch(db, 'SELECT "CUSTOMER STYLE" AS style, "FOB PRICE" AS price, "S", "M" '
                         "FROM orders")
    assert (order.style, float(order.price), order.S, order.M) == (
        "CRÈME BRÛLÉE – 2", 1234.5, 10, 20)


@pytest.mark.parametrize(("price", "value"), [
    ("12,50", 12.5), ("12,50 €", 12.5), ("€ 1.234,50", 1234.5), ("-3,75", -3.75),
    ("£7", 7.0)])
def test_decimal_comma_only_in_decimal_columns_of_a_semicolon_file(
        config: Config, db: Database, tmp_path: Path, price: str, value: float) -> None:
    _csv(tmp_path / "orders" / "GRE_a.csv", ";", "utf-8-sig", price=price)

    run_pipeline(config, db)

    (order,) = fetch(db, 'SELECT "FOB PRICE" AS price FROM orders')
    assert float(order.price) == value


def _prices_csv(path: Path, prices: list[str]) -> None:
    rows = [order_row(i + 1, {"S": 10}) for i in range(len(prices))]
    headers = layout(rows)
    lines = [";".join(headers)] + [
        ";".join(price if h == "FOB PRICE" else str(row.get(h, "")) for h in headers)
        for row, price in zip(rows, prices, strict=True)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def _prices(db: Database) -> list[float]:
    return [float(r.price) for r in fetch(
        db, 'SELECT "FOB PRICE" AS price FROM orders ORDER BY "AAG ORDER NUMBER"')]


def test_a_semicolon_file_s_column_written_with_decimal_points_is_read_as_written(
        config: Config, db: Database, tmp_path: Path) -> None:
    """0.500 and 2.125 were read as thousands (500, 2125) beside 12.50 in the same column,
    in silence: a column that shows decimal points and never a decimal comma is read as it
    is written."""
    _prices_csv(tmp_path / "orders" / "GRE_a.csv", ["0.500", "2.125", "12.50", "3"])

    run_pipeline(config, db)

    assert _prices(db) == [0.5, 2.125, 12.5, 3.0]


def test_a_thousands_group_never_starts_with_zero(config: Config, db: Database,
                                                  tmp_path: Path) -> None:
    """In a column with decimal commas, 0.500 is still half: no thousands group is 0."""
    _prices_csv(tmp_path / "orders" / "GRE_a.csv", ["0.500", "1.250,75", "12,5"])

    run_pipeline(config, db)

    assert _prices(db) == [0.5, 1250.75, 12.5]


def test_thousands_dots_in_the_quantities_of_a_semicolon_file_are_thousands(
        config: Config, db: Database, tmp_path: Path) -> None:
    """Excel in a European locale writes 1.000 for a thousand pieces: a quantity is never
    read as 1 (nor refused as 2.5), and a text column keeps its dots."""
    row = order_row(1, {"S": "1.000", "M": "2.500", "L": "40"},
                    **{"CUSTOMER STYLE": "1.234", "TOTAL QTY": "3.540"})
    headers = layout([row])
    lines = [";".join(headers), ";".join(str(row.get(h, "")) for h in headers)]
    (tmp_path / "orders" / "GRE_a.csv").write_text("\r\n".join(lines) + "\r\n",
                                                    encoding="utf-8")

    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert (file.status, file.rows_staged, file.notes) == ("staged", 1, ())
    assert sorted((r.size_code, r.qty) for r in fetch(
        db, "SELECT size_code, qty FROM order_lines")) == [("L", 40), ("M", 2500), ("S", 1000)]
    (order,) = fetch(db, 'SELECT "CUSTOMER STYLE" AS style, "TOTAL QTY" AS total FROM orders')
    assert (order.style, order.total) == ("1.234", 3540)


def test_a_byte_windows_1252_leaves_undefined_is_dropped_not_the_file_read_as_latin_1(
        config: Config, db: Database, tmp_path: Path) -> None:
    """One 0x81 made the whole file Latin-1: every € ’ – … became an invisible control
    character, keys and item names included, without a word."""
    path = tmp_path / "orders" / "GRE_a.csv"
    _csv(path, ",", "cp1252", price="4.5", style="JOSÉ’S – €5…")
    dash = "–".encode("cp1252")
    path.write_bytes(path.read_bytes().replace(dash, b"\x81" + dash))

    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert file.status == "staged", file.error
    assert fetch(db, 'SELECT "CUSTOMER STYLE" AS s FROM orders')[0].s == "JOSÉ’S – €5…"
    assert len(file.notes) == 1 and "1 byte(s) that Windows-1252 does not define" in file.notes[0]


def test_profile_delimiter_and_encoding_override(make_config: ConfigFactory,
                                                 tmp_path: Path) -> None:
    config = make_config(sources={"directory": "orders", "profiles": {"GRE": {
        "customer": "GREYSTONE", "glob": "GRE*.csv", "delimiter": "|",
        "encoding": "latin-1"}}})
    db = open_database(config)
    _csv(tmp_path / "orders" / "GRE_a.csv", "|", "latin-1", price="4.5",
         style="CRÈME BRÛLÉE - 2")

    result = run_pipeline(config, db)

    assert result.ingest.files[0].status == "staged", result.ingest.files[0].error
    assert fetch(db, 'SELECT "CUSTOMER STYLE" AS s FROM orders')[0].s == "CRÈME BRÛLÉE - 2"


def test_wrong_encoding_override_is_one_clear_line(make_config: ConfigFactory,
                                                   tmp_path: Path) -> None:
    config = make_config(sources={"directory": "orders", "profiles": {"GRE": {
        "customer": "GREYSTONE", "glob": "GRE*.csv", "encoding": "utf-8"}}})
    _csv(tmp_path / "orders" / "GRE_a.csv", ",", "cp1252", price="4.5")

    error = run_pipeline(config, open_database(config)).ingest.files[0].error or ""

    assert error.startswith("GRE_a.csv: the file is not utf-8 text")
    assert "profile's `encoding`" in error and "\n" not in error


@pytest.mark.parametrize(("text", "expected"), [
    ("A;B;C\n1;2,5;3", ";"),
    ("TITLE, WITH COMMA\nA\tB\tC\tD\n", "\t"),
    ('"A;B",C,D\n', ","),
    ("A|B|C\n", "|"),
    ("A\n", ","),
    ("A,B,C,D\n1,2,3,4\n5,6,7,no; not; this; one; at; all\n8,9,1,2\n", ","),
    ("ORDER BOOK;SS26\nA,B,C\n1,2,3\n", ","),
], ids=["semicolon", "tab-under-title", "quoted", "pipe", "single-column",
        "semicolons-in-a-remark", "semicolon-in-a-title"])
def test_sniff_separator(text: str, expected: str) -> None:
    assert sniff_separator(text) == expected


def test_bom_utf16(config: Config, db: Database, tmp_path: Path) -> None:
    path = tmp_path / "orders" / "GRE_a.csv"
    _csv(path, "\t", "utf-16-le", price="4.5")
    path.write_bytes(codecs.BOM_UTF16_LE + path.read_bytes())

    assert run_pipeline(config, db).ingest.files[0].status == "staged"


def test_excel_error_text_in_a_csv_rejects_its_row(config: Config, db: Database,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "orders" / "GRE_a.csv"
    _csv(path, ";", "utf-8-sig", price="4,5")
    text = path.read_text(encoding="utf-8-sig")
    header, row = text.splitlines()[:2]
    cells = row.split(";")
    cells[header.split(";").index("S")] = "#DIV/0!"
    path.write_text(header + "\r\n" + ";".join(cells) + "\r\n", encoding="utf-8-sig")

    run_pipeline(config, db)

    rejects = [tuple(r) for r in fetch(db, 'SELECT "column", raw_value, reason FROM '
                                           "rejected_rows")]
    assert rejects == [("S", "#DIV/0!", "Excel error #DIV/0! in S")]


def test_a_stray_windows_byte_in_a_utf8_file_leaves_the_utf8_text_as_it_is(
        config: Config, db: Database, tmp_path: Path) -> None:
    """One line pasted from a Windows export into a UTF-8 file: its byte reads as
    Windows-1252 and the rest stays UTF-8 (read as Windows-1252 throughout, every accent —
    business keys included — would come out garbled); the file's report says so."""
    rows = [order_row(1, {"S": 1}, **{"CUSTOMER STYLE": "CRÈME-1"}),
            order_row(2, {"S": 2}, **{"CUSTOMER STYLE": "CAFE-2"})]
    headers = layout(rows)
    lines = [",".join(headers).encode()]
    for row in rows:
        lines.append(",".join(str(row.get(h, "")) for h in headers).encode())
    lines[2] = lines[2].replace(b"CAFE-2", "CAFÉ-2".encode("cp1252"))
    (tmp_path / "orders" / "GRE_a.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")

    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert file.status == "staged" and file.rows_staged == 2
    assert any("1 byte(s) were not UTF-8" in note for note in file.notes)
    styles = {r.style for r in fetch(db, 'SELECT "CUSTOMER STYLE" AS style FROM orders')}
    assert styles == {"CRÈME-1", "CAFÉ-2"}


def test_a_value_past_the_last_header_in_a_record_spanning_lines_is_not_dropped(
        config: Config, db: Database, tmp_path: Path) -> None:
    """A quoted remark over two lines makes its record wider than any one line: the value
    past the last header column is still read — and its row rejected for it, not cut off."""
    rows = [order_row(1, {"S": 1}), order_row(2, {"S": 2})]
    headers = layout(rows)
    cells = [[str(row.get(h, "")) for h in headers] for row in rows]
    cells[1][headers.index("CUSTOMER STYLE")] = '"LONG\nSTYLE"'
    cells[1].append("stray")
    text = "\r\n".join([",".join(headers), *(",".join(c) for c in cells)]) + "\r\n"
    (tmp_path / "orders" / "GRE_a.csv").write_text(text, encoding="utf-8")

    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert (file.status, file.rows_staged, file.rows_rejected) == ("staged", 1, 1)
    (reject,) = fetch(db, "SELECT raw_value, reason FROM rejected_rows")
    assert (reject.raw_value, reject.reason) == ("stray", "value in a column with no header")


def test_a_us_customer_s_month_first_dates_read_by_its_profile_s_formats(
        make_config: ConfigFactory, tmp_path: Path) -> None:
    """One batch, two customers: the US one writes 3/5/2025 for March 5 (its profile says
    so), the other 3/5/2025 for May 3 (columns.date_formats); neither is read the other's
    way, and 3/15/2025 is a date for the first."""
    config = make_config(sources={"directory": "orders", "profiles": {
        "GRE": {"customer": "GREYSTONE", "glob": "GRE*.csv"},
        "BLU": {"customer": "BLUEWAVE", "glob": "BLU*.csv", "date_formats": ["%m/%d/%Y"]}}})
    db = open_database(config)
    for name, eta in (("GRE_a.csv", "3/5/2025"), ("BLU_a.csv", "3/5/2025"),
                      ("BLU_b.csv", "3/15/2025")):
        row = order_row(int(name[4] == "b") + (10 if name.startswith("BLU") else 1), {"S": 1},
                        ETA=eta)
        headers = layout([row])
        (tmp_path / "orders" / name).write_text(
            ",".join(headers) + "\n" + ",".join(str(row.get(h, "")) for h in headers) + "\n",
            encoding="utf-8")

    result = run_pipeline(config, db)

    assert {f.path: (f.status, f.rows_rejected) for f in result.ingest.files} == {
        "GRE_a.csv": ("staged", 0), "BLU_a.csv": ("staged", 0), "BLU_b.csv": ("staged", 0)}
    etas = {r.profile: sorted(str(e.eta) for e in fetch(
        db, 'SELECT "ETA" AS eta FROM orders WHERE profile = :p', p=r.profile))
        for r in fetch(db, "SELECT DISTINCT profile FROM orders")}
    assert etas == {"GRE": ["2025-05-03"], "BLU": ["2025-03-05", "2025-03-15"]}
    db.dispose()


def _rows_csv(path: Path, rows: list[dict[str, object]], *, end: str = "\r\n") -> None:
    headers = layout(rows)
    lines = [",".join(headers)] + [",".join(str(r.get(h, "")) for h in headers) for r in rows]
    path.write_bytes((end.join(lines) + end).encode("utf-8"))


@pytest.mark.parametrize("ends", ["\r", "mixed"])
def test_lines_ended_by_cr_alone_or_a_mix_read_as_lines(
        config: Config, db: Database, tmp_path: Path, ends: str) -> None:
    """An old Mac export (CR alone), or lines pasted from one into a Windows file, failed
    the file with the reader's "universal-newline mode" or "n_extra" message."""
    path = tmp_path / "orders" / "GRE_a.csv"
    _rows_csv(path, [order_row(n) for n in (1, 2, 3)], end="\r")
    if ends == "mixed":
        path.write_bytes(path.read_bytes().replace(b"\r", b"\r\n", 2))

    result = run_pipeline(config, db)

    (file,) = result.ingest.files
    assert (file.status, file.rows_staged) == ("staged", 3), file.error
    assert sorted(r.n for r in fetch(db, 'SELECT "AAG ORDER NUMBER" AS n FROM orders')) == [
        "GRE-00001", "GRE-00002", "GRE-00003"]


@pytest.mark.parametrize(("data", "error"), [
    (codecs.BOM_UTF8, "the file is empty (nothing but a byte-order mark and blank space)"),
    (codecs.BOM_UTF16_LE + "\r\n".encode("utf-16-le"),
     "the file is empty (nothing but a byte-order mark and blank space)"),
    (codecs.BOM_UTF16_LE + "AAG ORDER NUMBER,S\r\n".encode("utf-16-le")[:-1],
     "the file starts as UTF-16 text but is not UTF-16 at byte 40 (truncated data): it is "
     "cut short or damaged — ask the customer to send the file again"),
], ids=["utf-8-bom-only", "utf-16-bom-only", "utf-16-cut-short"])
def test_an_empty_or_damaged_text_file_says_what_it_is(
        config: Config, db: Database, tmp_path: Path, data: bytes, error: str) -> None:
    """They failed as "unexpected error (ValueError: max() arg is an empty sequence) —
    please report it"."""
    (tmp_path / "orders" / "GRE_a.csv").write_bytes(data)

    (file,) = run_pipeline(config, db).ingest.files

    assert file.status == "failed" and file.error == f"GRE_a.csv: {error}"


def test_excel_s_text_formula_keeps_its_text(config: Config, db: Database,
                                             tmp_path: Path) -> None:
    """="000123" (how exports keep leading zeros where Excel opens a CSV) was stored as
    written, so the order never matched the same order from the customer's workbook."""
    _rows_csv(tmp_path / "orders" / "GRE_a.csv",
              [order_row(1, {"S": '="12"'}, **{"AAG ORDER NUMBER": '="000123"',
                                               "CUSTOMER STYLE": '="5"" SHORT"'})])

    run_pipeline(config, db)

    (order,) = fetch(db, 'SELECT "AAG ORDER NUMBER" AS n, "CUSTOMER STYLE" AS style, "S" '
                         "FROM orders")
    assert (order.n, order.style, order.S) == ("000123", '5" SHORT', 12)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf_16_without_its_byte_order_mark_is_read(config: Config, db: Database,
                                                    tmp_path: Path, encoding: str) -> None:
    """It was refused as "not a text file (binary data in a .csv)"."""
    path = tmp_path / "orders" / "GRE_a.csv"
    _rows_csv(path, [order_row(1, style="CRÈME")])
    path.write_bytes(path.read_bytes().decode("utf-8").encode(encoding))

    (file,) = run_pipeline(config, db).ingest.files

    assert (file.status, file.rows_staged) == ("staged", 1), file.error
    assert fetch(db, 'SELECT "CUSTOMER STYLE" AS s FROM orders')[0].s == "CRÈME"


def test_exports_joined_into_one_file_repeat_their_header_once_each(
        config: Config, db: Database, tmp_path: Path) -> None:
    """The second export's byte-order mark, mid-file, hid its header row: six "not a
    number / not a date" rejects instead of one "the header row again"."""
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    _rows_csv(first, [order_row(1)])
    _rows_csv(second, [order_row(2)])
    (tmp_path / "orders" / "GRE_a.csv").write_bytes(
        codecs.BOM_UTF8 + first.read_bytes() + codecs.BOM_UTF8 + second.read_bytes())

    (file,) = run_pipeline(config, db).ingest.files

    assert (file.rows_staged, file.rows_rejected) == (2, 1)
    (reject,) = fetch(db, "SELECT reason FROM rejected_rows")
    assert reject.reason.startswith("the header row again")


def test_a_utf_8_file_under_a_profile_saying_cp1252_says_so(
        make_config: ConfigFactory, tmp_path: Path) -> None:
    """Its header read as "ï»¿AAG ORDER NUMBER", and the advice was to add an alias."""
    config = make_config(sources={"directory": "orders", "profiles": {"GRE": {
        "customer": "GREYSTONE", "glob": "GRE*.csv", "encoding": "cp1252"}}})
    path = tmp_path / "orders" / "GRE_a.csv"
    _rows_csv(path, [order_row(1)])
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())

    (file,) = run_pipeline(config, open_database(config)).ingest.files

    assert file.status == "failed" and file.error == (
        "GRE_a.csv: the file is UTF-8 (it starts with UTF-8's byte-order mark), but the "
        "profile's encoding says cp1252 — remove `encoding` from the profile: the file says "
        "what it is")


@pytest.mark.parametrize("styles", [["JOSÉ’S TEE", "CAFÉ™"], ["JOSÉ’S TEE", "RÉSUMÉ®", "CAFé"]],
                         ids=["all-pairs", "mixed"])
def test_windows_1252_that_happens_to_be_valid_utf_8_reads_as_windows_1252(
        config: Config, db: Database, tmp_path: Path, styles: list[str]) -> None:
    """An accented capital followed by ’ ™ ® makes valid UTF-8 (JOSÉ’S read JOSɒS, CAFÉ™
    read CAFə), keys included: UTF-8 that makes IPA symbols does not count as UTF-8."""
    rows = [order_row(n, style=style) for n, style in enumerate(styles, 1)]
    headers = layout(rows)
    lines = [",".join(headers)] + [",".join(str(r.get(h, "")) for h in headers) for r in rows]
    (tmp_path / "orders" / "GRE_a.csv").write_bytes(("\r\n".join(lines) + "\r\n")
                                                    .encode("cp1252"))

    run_pipeline(config, db)

    assert sorted(r.s for r in fetch(db, 'SELECT "CUSTOMER STYLE" AS s FROM orders')) == \
        sorted(styles)


def test_utf_8_with_accents_stays_utf_8(config: Config, db: Database, tmp_path: Path) -> None:
    styles = ["JOSÉ’S TEE", "CRÈME – №5", "ŁÓDŹ ĦÄ"]
    rows = [order_row(n, style=style) for n, style in enumerate(styles, 1)]
    _rows_csv(tmp_path / "orders" / "GRE_a.csv", rows)

    (file,) = run_pipeline(config, db).ingest.files

    assert file.notes == ()
    assert sorted(r.s for r in fetch(db, 'SELECT "CUSTOMER STYLE" AS s FROM orders')) == \
        sorted(styles)
