"""Read generated sample data back (fastexcel / polars / raw xlsx XML) and check it."""

from __future__ import annotations

import math
import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import fastexcel
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordersync.sample_data import (
    DATE_COLUMNS,
    CustomerProfileSpec,
    SampleDataSet,
    generate_sample_data,
    mutate_sample_data,
    normalise_header,
)
from ordersync.sample_data.columns import COLUMN_KINDS, KEY_COLUMNS
from ordersync.sample_data.dataset import Counts
from ordersync.sample_data.flaws import (
    DATE_PLACEHOLDER_COLUMNS,
    PLACEHOLDER_COLUMNS,
    TEXT_PLACEHOLDER_COLUMNS,
)
from ordersync.sample_data.sizes import classify_size_labels

REAL_SIZES = Path(__file__).resolve().parents[3] / "shared" / "data" / "size_columns.txt"
DERIVED = ("TOTAL QTY", "CARTON QTY", "TOTAL FOB VALUE", "SHIPPED QTY")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

Key = tuple[str, str, str]
BadCell = tuple[str, int, str, str]

#: The product's default null words: cells it reads as "no value".
NULL_WORDS = frozenset({"nan", "none", "null", "n/a", "tbc", "tba", "-"})
_DATE_READINGS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y")


# --------------------------------------------------------------------------- reading back


@dataclass
class Parsed:
    """One generated file as a reader sees it."""

    path: Path
    spec: CustomerProfileSpec
    sheet_names: list[str]
    above: list[tuple[str | None, ...]]  # rows above the header, as read
    raw_header: list[str | None]
    columns: list[str | None]  # canonical descriptive column, size label, or None (blank)
    entries: list[dict[str, str] | None] = field(default_factory=list)  # None = blank row
    numbers: list[int] = field(default_factory=list)  # 1-based sheet row of each entry
    #: cells a careful reader refuses (see ``invalid``): sheet row -> [(column, text)]
    invalid: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict[str, str]]:
        return [e for e in self.entries if e is not None]

    def numbered(self) -> list[tuple[int, dict[str, str]]]:
        return [(n, e) for n, e in zip(self.numbers, self.entries, strict=True) if e is not None]

    @property
    def good_rows(self) -> list[dict[str, str]]:
        """Data rows without an invalid cell (typo rows left out)."""
        return [e for n, e in self.numbered() if n not in self.invalid]

    @property
    def bad_cells(self) -> list[BadCell]:
        return [(self.path.name, n, c, t) for n, cells in self.invalid.items() for c, t in cells]

    def sizes(self, row: dict[str, str]) -> dict[str, int]:
        return {s: int(float(row[s])) for s in self.spec.sizes if s in row}

    def intended_sizes(self, number: int, row: dict[str, str]) -> dict[str, int]:
        """Size quantities; a typo size cell's quantity is what TOTAL QTY leaves for it."""
        typo = {c for c, _ in self.invalid.get(number, []) if c in self.spec.sizes}
        sizes = {s: int(float(row[s])) for s in self.spec.sizes if s in row and s not in typo}
        for label in typo:
            sizes[label] = int(float(row["TOTAL QTY"])) - sum(sizes.values())
        return sizes


def invalid(column: str, text: str, sizes: tuple[str, ...]) -> bool:
    """Whether a careful reader refuses ``text`` (as read, null words aside) in ``column``."""
    if text.strip().lower() in NULL_WORDS:
        return False
    kind = "integer" if column in sizes else COLUMN_KINDS[column]
    if kind == "integer":
        return re.fullmatch(r"\d+(\.0+)?", text) is None
    if kind == "decimal":
        return re.fullmatch(r"-?\d+(\.\d+)?", text) is None
    if kind == "date":
        if re.fullmatch(r"4\d{4}", text):  # an Excel serial number
            return False
        for fmt in _DATE_READINGS:
            try:
                datetime.strptime(text, fmt)
            except ValueError:
                continue
            return False
        return True
    return False


def key_of(row: dict[str, str]) -> Key:
    return (row[KEY_COLUMNS[0]], row[KEY_COLUMNS[1]], row[KEY_COLUMNS[2]])


def spec_for(dataset: SampleDataSet, path: Path) -> CustomerProfileSpec:
    matches = [c for c in dataset.customers if path.match(c.glob)]
    assert len(matches) == 1, (path, [c.code for c in matches])
    return matches[0]


def read_grid(path: Path, sheet: str | None) -> tuple[list[str], list[tuple[str | None, ...]]]:
    if path.suffix == ".csv":
        frame = pl.read_csv(path, has_header=False, infer_schema=False)
        rows = [tuple(None if v == "" else v for v in r) for r in frame.rows()]
        return [], rows
    reader = fastexcel.read_excel(str(path))
    name = sheet if sheet is not None else reader.sheet_names[0]
    # skip_rows=0 keeps leading blank rows: frame row i is sheet row i + 1
    frame = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_polars()
    return list(reader.sheet_names), [tuple(r) for r in frame.rows()]


def canonical(spec: CustomerProfileSpec, header: str | None) -> str | None:
    if header is None or not header.strip():
        return None
    if header in spec.sizes:
        return header
    name = normalise_header(header)
    return spec.aliases.get(name, name)


def parse(dataset: SampleDataSet, path: Path) -> Parsed:
    spec = spec_for(dataset, path)
    sheet_names, grid = read_grid(path, spec.sheet)
    header_index = next(
        i for i, r in enumerate(grid) if any(canonical(spec, c) == "AAG ORDER NUMBER" for c in r)
    )
    raw_header = list(grid[header_index])
    columns = [canonical(spec, h) for h in raw_header]
    parsed = Parsed(path, spec, sheet_names, grid[:header_index], raw_header, columns)
    for index, raw in enumerate(grid[header_index + 1 :], start=header_index + 2):
        cells = {
            c: v
            for c, v in zip(columns, raw, strict=True)
            if c is not None and v is not None and v != ""
        }
        blank_columns_empty = all(v is None for c, v in zip(columns, raw, strict=True) if c is None)
        assert blank_columns_empty, f"{path.name}: data in a header-less column"
        parsed.entries.append(cells or None)
        parsed.numbers.append(index)
        refused = [(c, v) for c, v in cells.items() if invalid(c, v, spec.sizes)]
        if refused:
            parsed.invalid[index] = refused
    return parsed


@dataclass
class XmlCell:
    text: str | None
    is_string: bool
    formula: bool


def xlsx_cells(path: Path, sheet: str) -> dict[int, dict[int, XmlCell]]:
    """Typed cells of a sheet straight from the xlsx XML: row number -> column -> cell."""

    def col_index(ref: str) -> int:
        letters = re.match(r"[A-Z]+", ref)
        assert letters
        n = 0
        for ch in letters.group():
            n = n * 26 + ord(ch) - 64
        return n - 1

    with zipfile.ZipFile(path) as archive:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        rid = next(s.get(f"{_REL}id") for s in book.iter(f"{_MAIN}sheet") if s.get("name") == sheet)
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        assert target
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = ET.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = [
                "".join(t.text or "" for t in si.iter(f"{_MAIN}t"))
                for si in strings.iter(f"{_MAIN}si")
            ]
        root = ET.fromstring(archive.read("xl/" + target.removeprefix("/xl/")))
    out: dict[int, dict[int, XmlCell]] = {}
    for row in root.iter(f"{_MAIN}row"):
        cells: dict[int, XmlCell] = {}
        for c in row.iter(f"{_MAIN}c"):
            kind = c.get("t", "n")
            value = c.find(f"{_MAIN}v")
            if kind == "s":
                assert value is not None and value.text is not None
                text: str | None = shared[int(value.text)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{_MAIN}t"))
            else:
                text = value.text if value is not None else None
            cells[col_index(c.get("r", ""))] = XmlCell(
                text, kind in ("s", "inlineStr"), c.find(f"{_MAIN}f") is not None
            )
        out[int(row.get("r", "0"))] = cells
    return out


# Counted independently from the files, compared field by field with the generator's own.
Counted = Counts


def count(files: list[Parsed]) -> Counted:
    data = blank = duplicates = 0
    last: dict[Key, tuple[Parsed, int, dict[str, str]]] = {}
    for parsed in sorted(files, key=lambda p: p.path):
        seen: set[Key] = set()
        for number, entry in zip(parsed.numbers, parsed.entries, strict=True):
            if entry is None:
                blank += 1
                continue
            data += 1
            key = key_of(entry)
            duplicates += key in seen
            seen.add(key)
            last[key] = (parsed, number, entry)
    return Counted(
        data_rows=data,
        orders=len(last),
        blank_rows=blank,
        duplicate_rows=duplicates,
        cancelled_orders=sum(r["ORDER TYPE"].upper() == "CANCELLED" for _, _, r in last.values()),
        lines=sum(sum(q > 0 for q in p.intended_sizes(n, r).values()) for p, n, r in last.values()),
        bad_rows=sum(len(p.invalid) for p in files),
    )


def dataset_counts(ds: SampleDataSet) -> Counted:
    return Counted(
        ds.data_rows,
        ds.orders,
        ds.blank_rows,
        ds.duplicate_rows,
        ds.cancelled_orders,
        ds.lines,
        ds.bad_rows,
    )


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> SampleDataSet:
    return generate_sample_data(tmp_path_factory.mktemp("big"), customers=40, orders=4000, seed=11)


@pytest.fixture(scope="module")
def big_files(big: SampleDataSet) -> list[Parsed]:
    return [parse(big, path) for path in big.files]


# --------------------------------------------------------------------------- counts and layout


def test_counts_match_files(big: SampleDataSet, big_files: list[Parsed]) -> None:
    assert count(big_files) == dataset_counts(big)
    assert big.orders == 4000
    assert big.data_rows == big.orders + big.duplicate_rows
    assert 0 < big.duplicate_rows < 0.05 * big.data_rows
    assert 0 < big.blank_rows < 0.05 * big.data_rows
    assert 0.03 * big.orders < big.cancelled_orders < 0.12 * big.orders


def test_files_globs_and_orders_per_customer(big: SampleDataSet, big_files: list[Parsed]) -> None:
    on_disk = sorted(p for p in big.directory.iterdir())
    assert on_disk == sorted(big.files)
    per_glob = Counter(spec_for(big, p).code for p in big.files)
    assert set(per_glob) == {c.code for c in big.customers}
    assert 1 <= sum(n == 2 for n in per_glob.values()) <= 2
    assert max(per_glob.values()) == 2
    keys: dict[str, set[Key]] = {}
    for parsed in big_files:
        keys.setdefault(parsed.spec.code, set()).update(key_of(r) for r in parsed.rows)
    assert {code: len(k) for code, k in keys.items()} == {c.code: 100 for c in big.customers}


def test_order_numbers_keys_and_customer_names(big_files: list[Parsed]) -> None:
    split = 0
    for parsed in big_files:
        pattern = re.compile(rf"^{parsed.spec.code}-\d{{5}}$")
        methods: dict[tuple[str, str], set[str]] = {}
        for row in parsed.rows:
            number, method, style = key_of(row)
            assert pattern.match(number), number
            assert method in {"SEA", "AIR", "SEA/AIR"}
            assert style.strip() and style == style.strip()
            assert row["ORDER TYPE"].upper() in {"BULK", "REPEAT", "SMS", "CANCELLED"}
            assert re.match(r"^(AW|SS)\d\d$", row["AAG SEASON"])
            assert parsed.spec.customer_names[normalise_header(row["CUSTOMER"])] == parsed.spec.name
            methods.setdefault((number, style), set()).add(method)
        split += sum(len(m) > 1 for m in methods.values())
    assert split > 0, "no order number appears with two delivery methods"


def test_sizes_sit_between_uom_and_total(big_files: list[Parsed]) -> None:
    for parsed in big_files:
        cols = parsed.columns
        uom, total = cols.index("UNIT OF MEASURE"), cols.index("TOTAL QTY")
        assert tuple(cols[uom + 1 : total]) == parsed.spec.sizes
        assert tuple(parsed.raw_header[uom + 1 : total]) == parsed.spec.sizes  # exactly as listed
        described = [c for c in cols if c is not None and c not in parsed.spec.sizes]
        assert all(c in COLUMN_KINDS for c in described), described
        assert len(described) == len(set(described))
        for number, row in parsed.numbered():
            sizes = parsed.intended_sizes(number, row)
            assert sizes and all(q > 0 for q in sizes.values()), "zero sizes must be blank cells"
            assert int(float(row["TOTAL QTY"])) == sum(sizes.values())


def test_headers_resolve_through_aliases(big: SampleDataSet, big_files: list[Parsed]) -> None:
    used: set[tuple[str, str]] = set()
    for parsed in big_files:
        for raw in parsed.raw_header:
            if raw is not None and raw.strip() and raw not in parsed.spec.sizes:
                used.add((parsed.spec.code, normalise_header(raw)))
    for spec in big.customers:
        for written, target in spec.aliases.items():
            assert written != target and target in COLUMN_KINDS
            assert (spec.code, written) in used, f"{spec.code}: alias {written!r} not in any header"


# --------------------------------------------------------------------------- quirks


_DATE_PATTERNS = {
    "date_cell": re.compile(r"^\d{4}-\d{2}-\d{2} 00:00:00$"),
    "date_serial": re.compile(r"^4\d{4}$"),
    "date_text_dmy": re.compile(r"^\d{2}/\d{2}/\d{4}$"),
    "date_text_iso": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "date_text_dmony": re.compile(r"^\d{1,2}-[A-Z][a-z]{2}-\d{4}$"),
}


def _xml_evidence(parsed: Parsed, found: set[str]) -> None:
    sheet = parsed.spec.sheet or parsed.sheet_names[0]
    grid = xlsx_cells(parsed.path, sheet)
    numbers = sorted(grid)
    header_row = next(
        n
        for n in numbers
        if any(canonical(parsed.spec, c.text) == "AAG ORDER NUMBER" for c in grid[n].values())
    )
    if numbers[0] > 1 and header_row > numbers[0]:
        found.add("blank_above_title")
    column = {name: i for i, name in enumerate(parsed.columns) if name is not None}
    sizes = {column[s] for s in parsed.spec.sizes}
    for n in numbers:
        if n <= header_row:
            continue
        for index, cell in grid[n].items():
            if cell.is_string and index in sizes and cell.text and cell.text.isdigit():
                found.add("size_as_text")
            if (
                cell.is_string
                and index == column.get("FOB PRICE")
                and re.match(r"^\d+\.\d\d$", cell.text or "")
            ):
                found.add("price_as_text")
            if cell.formula and index == column["TOTAL QTY"]:
                found.add("total_formula")
            if not cell.is_string and index == column.get("PO NUMBER"):
                found.add("po_number_as_number")


def evidence(dataset: SampleDataSet, files: list[Parsed]) -> set[str]:
    found: set[str] = set()
    placeholder_customers: set[str] = set()
    typo_customers: set[str] = set()
    for spec in dataset.customers:
        if sum(path.match(spec.glob) for path in dataset.files) == 2:
            found.add("two_files")
        if spec.aliases:
            found.add("header_alias")
    for parsed in files:
        header = parsed.raw_header
        if parsed.above and any("ORDER BOOK" in (c or "") for r in parsed.above for c in r):
            found.add("title_row")
        if (
            parsed.spec.sheet == "MASTER"
            and len(parsed.sheet_names) > 1
            and parsed.sheet_names[0] != "MASTER"
        ):
            found.add("master_sheet_not_first")
        for text, quirk in (
            ("PO #", "header_po_hash"),
            ("Customer Style", "header_mixed_case"),
            ("AAG  ORDER NUMBER ", "header_extra_spaces"),
        ):
            if text in header:
                found.add(quirk)
        if any(h and "\n" in h for h in header):
            found.add("header_newline")
        if any(h and "\u00a0" in h for h in header):
            found.add("header_nbsp")
        data_positions = [i for i, e in enumerate(parsed.entries) if e is not None]
        if any(e is None for e in parsed.entries[data_positions[0] : data_positions[-1]]):
            found.add("blank_rows")
        if parsed.columns[-1] is None:
            found.add("trailing_blank_column")
        seen: dict[Key, dict[str, int]] = {}
        numbers: dict[str, set[str]] = {}
        for row in parsed.rows:
            for name, value in row.items():
                if value in ("TBC", "TBA") and name in DATE_COLUMNS:
                    found.add("placeholder_in_date")
                    placeholder_customers.add(parsed.spec.code)
                if value == "-" and COLUMN_KINDS.get(name) == "text":
                    found.add("placeholder_in_text")
                    placeholder_customers.add(parsed.spec.code)
        if parsed.invalid:
            typo_customers.add(parsed.spec.code)
        for row in parsed.good_rows:
            for name in DATE_COLUMNS:
                for quirk, pattern in _DATE_PATTERNS.items():
                    if name in row and pattern.match(row[name]):
                        found.add(quirk)
            order_type = row["ORDER TYPE"]
            if order_type == "CANCELLED":
                found.add("cancelled_upper")
            if order_type == "Cancelled":
                found.add("cancelled_mixed_case")
            key = key_of(row)
            if key in seen and seen[key] != parsed.sizes(row):
                found.add("duplicate_key_new_quantities")
            seen[key] = parsed.sizes(row)
            numbers.setdefault(key[0], set()).add(key[1])
            if "CUSTOMER SEASON" not in row:
                found.add("customer_season_blank")
            if normalise_header(row["CUSTOMER"]) != normalise_header(parsed.spec.name):
                found.add("customer_name_variant")
            if "’" in row["CUSTOMER"]:
                found.add("curly_apostrophe")
            if "CRÈME BRÛLÉE" in row.get("CUSTOMER COLOUR DESCRIPTION", "") + row.get(
                "PRODUCT DESCRIPTION", ""
            ):
                found.add("creme_brulee")
        if any(len(methods) > 1 for methods in numbers.values()):
            found.add("split_shipment")
        if parsed.spec.name in ("B'HOOD", "LÖWE & CO"):
            found.add(parsed.spec.name)
        if parsed.path.suffix == ".csv":
            found.add("csv")
            if parsed.path.read_bytes().startswith(b"\xef\xbb\xbf"):
                found.add("csv_bom")
        else:
            _xml_evidence(parsed, found)
    if len(placeholder_customers) >= 2:
        found.add("placeholders_of_several_customers")
    if len(typo_customers) >= 2:
        found.add("typos_of_several_customers")
    return found


QUIRKS = (
    "title_row",
    "blank_above_title",
    "master_sheet_not_first",
    "header_po_hash",
    "header_mixed_case",
    "header_extra_spaces",
    "header_newline",
    "header_nbsp",
    "header_alias",
    "blank_rows",
    "trailing_blank_column",
    "date_cell",
    "date_serial",
    "date_text_dmy",
    "date_text_iso",
    "date_text_dmony",
    "size_as_text",
    "price_as_text",
    "total_formula",
    "po_number_as_number",
    "cancelled_upper",
    "cancelled_mixed_case",
    "duplicate_key_new_quantities",
    "split_shipment",
    "customer_season_blank",
    "customer_name_variant",
    "curly_apostrophe",
    "creme_brulee",
    "B'HOOD",
    "LÖWE & CO",
    "csv",
    "csv_bom",
    "two_files",
    "placeholder_in_date",
    "placeholder_in_text",
    "placeholders_of_several_customers",
    "typos_of_several_customers",
)


@pytest.fixture(scope="module")
def big_evidence(big: SampleDataSet, big_files: list[Parsed]) -> set[str]:
    return evidence(big, big_files)


@pytest.mark.parametrize("quirk", QUIRKS)
def test_every_quirk_is_present(big_evidence: set[str], quirk: str) -> None:
    assert quirk in big_evidence


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_quirk_is_present_with_eight_customers(tmp_path: Path, seed: int) -> None:
    ds = generate_sample_data(tmp_path, customers=8, orders=800, seed=seed)
    files = [parse(ds, p) for p in ds.files]
    assert count(files) == dataset_counts(ds)
    missing = set(QUIRKS) - evidence(ds, files)
    # "two_files" needs ≥ 1 xlsx customer and holds for 8; the names are in the first 3 customers.
    assert not missing
    check_bad_cells(ds, files)
    check_placeholders(files)


@pytest.mark.parametrize(
    ("column", "low", "high"),
    [
        ("REMARKS", 0.6, 0.8),
        ("ETD", 0.5, 0.7),
        ("IN DC DATE", 0.5, 0.7),
        ("FABRIC BOOKING DATE", 0.5, 0.7),
    ],
)
def test_optional_cells_are_often_blank(
    big_files: list[Parsed], column: str, low: float, high: float
) -> None:
    rows = [r for p in big_files if column in p.columns for r in p.rows]
    blank = sum(column not in r for r in rows) / len(rows)
    assert low <= blank <= high


# --------------------------------------------------------------------------- placeholders and typos


def read_cell(path: Path, sheet: str | None, row: int, column: int) -> str | None:
    """One cell's text, read afresh: ``row`` 1-based, ``column`` 0-based."""
    if path.suffix == ".csv":
        frame = pl.read_csv(path, has_header=False, infer_schema=False)
    else:
        reader = fastexcel.read_excel(str(path))
        name = sheet if sheet is not None else reader.sheet_names[0]
        frame = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string").to_polars()
    value = frame.row(row - 1)[column]
    return None if value is None else str(value)


def intended_quantity(text: str) -> int:
    """The quantity a size typo stands for: "12 pcs" 12, "1O" 10, "7.5" 8."""
    if text.endswith(" pcs"):
        return int(text.removesuffix(" pcs"))
    if "O" in text:
        return int(text.replace("O", "0"))
    return math.ceil(float(text))


def check_bad_cells(ds: SampleDataSet, files: list[Parsed]) -> None:
    """``bad_cells`` are exactly the refused cells of the files, one per unique-key row."""
    cells = ds.bad_cells
    assert cells == tuple(sorted(cells))
    rows = {(name, row) for name, row, _, _ in cells}
    assert ds.bad_rows == len(rows) == len(cells) > 0  # exactly one bad cell per typo row
    assert sorted(c for parsed in files for c in parsed.bad_cells) == list(cells)
    by_name = {parsed.path.name: parsed for parsed in files}
    keys = Counter(key_of(r) for parsed in files for r in parsed.rows)
    for name, number, column, text in cells:
        parsed = by_name[name]
        assert column not in KEY_COLUMNS
        assert read_cell(parsed.path, parsed.spec.sheet, number, parsed.columns.index(column)) == (
            text
        )
        row = parsed.entries[parsed.numbers.index(number)]
        assert row is not None and row[column] == text
        assert keys[key_of(row)] == 1, "a typo row's key occurs once in the data set"
        assert row["ORDER TYPE"].upper() != "CANCELLED"
        if column in parsed.spec.sizes:
            intended = parsed.intended_sizes(number, row)[column]
            assert intended > 0 and intended == intended_quantity(text), (text, intended)
            assert re.fullmatch(r"\d+ pcs|\d*O\d*|\d+\.5", text), text
        elif column == "FOB PRICE":
            assert re.fullmatch(r"\d+,\dO", text), text
        else:
            assert column in DATE_COLUMNS
            assert re.fullmatch(r"31/02/\d{4}|32/\d\d/\d{4}", text), text
    assert ds.generation is not None
    typo_customers = {p.code for p in ds.generation.plans if p.quirks.typos}
    assert {name[:3] for name, _ in rows} == typo_customers


def check_placeholders(files: list[Parsed]) -> None:
    """Placeholders stand only in optional columns, in about 5 % of their customers' rows."""
    rows_with: Counter[str] = Counter()
    rows_of: Counter[str] = Counter()
    for parsed in files:
        for row in parsed.rows:
            rows_of[parsed.spec.code] += 1
            found = {c: v for c, v in row.items() if v.strip().lower() in NULL_WORDS}
            for column, value in found.items():
                assert column in PLACEHOLDER_COLUMNS, (parsed.path.name, column, value)
                if column in DATE_PLACEHOLDER_COLUMNS:
                    assert value in ("TBC", "TBA")
                else:
                    assert column in TEXT_PLACEHOLDER_COLUMNS and value == "-"
            if found:
                rows_with[parsed.spec.code] += 1
    assert len(rows_with) >= 2
    for code, n in rows_with.items():
        if rows_of[code] >= 100:
            assert 0.01 <= n / rows_of[code] <= 0.12, (code, n, rows_of[code])


def test_typos_in_the_big_data_set(big: SampleDataSet, big_files: list[Parsed]) -> None:
    check_bad_cells(big, big_files)
    assert big.generation is not None
    typo_customers = sum(p.quirks.typos for p in big.generation.plans)
    assert typo_customers == 10  # 1 in 4
    assert typo_customers <= big.bad_rows <= 0.01 * big.data_rows
    columns = {column for _, _, column, _ in big.bad_cells}
    sizes = {s for spec in big.customers for s in spec.sizes}
    assert columns & sizes and columns & set(DATE_COLUMNS) and "FOB PRICE" in columns


def test_placeholders_in_the_big_data_set(big_files: list[Parsed]) -> None:
    check_placeholders(big_files)


# --------------------------------------------------------------------------- modes


def test_clean_files_when_quirks_off(tmp_path: Path) -> None:
    ds = generate_sample_data(tmp_path, customers=8, orders=400, seed=4, quirks=False)
    assert ds.blank_rows == 0 and ds.duplicate_rows == 0
    assert all(p.suffix == ".xlsx" for p in ds.files) and len(ds.files) == 8
    files = [parse(ds, p) for p in ds.files]
    assert count(files) == dataset_counts(ds)
    assert ds.bad_rows == 0 and ds.bad_cells == ()
    for parsed in files:
        assert parsed.invalid == {}
        assert not any(v.strip().lower() in NULL_WORDS for r in parsed.rows for v in r.values())
        assert len(parsed.sheet_names) == 1 and parsed.spec.sheet is None
        assert parsed.above == [] and parsed.spec.aliases == {}
        assert min(xlsx_cells(parsed.path, parsed.sheet_names[0])) == 1
        assert [h for h in parsed.raw_header if h not in parsed.spec.sizes] == [
            c for c in parsed.columns if c not in parsed.spec.sizes
        ]
        for row in parsed.rows:
            assert row["ORDER TYPE"] in {"BULK", "REPEAT", "SMS", "CANCELLED"}
            assert row["CUSTOMER"] == parsed.spec.name
            for name in DATE_COLUMNS:
                if name in row:
                    assert _DATE_PATTERNS["date_cell"].match(row[name]), (name, row[name])


def test_csv_customers_parameter(tmp_path: Path) -> None:
    ds = generate_sample_data(tmp_path, customers=5, orders=50, seed=2, csv_customers=5)
    assert all(p.suffix == ".csv" for p in ds.files)
    assert all(c.glob.endswith(".csv") and c.sheet is None for c in ds.customers)
    assert count([parse(ds, p) for p in ds.files]) == dataset_counts(ds)


def test_orders_spread_evenly_with_remainder_first(tmp_path: Path) -> None:
    ds = generate_sample_data(tmp_path, customers=3, orders=10, seed=1, quirks=False)
    per = Counter(
        spec_for(ds, p).code
        for f in [parse(ds, p) for p in ds.files]
        for p in [f.path]
        for _ in f.rows
    )
    assert [per[c.code] for c in ds.customers] == [4, 3, 3]


def test_warns_about_stray_files(tmp_path: Path) -> None:
    (tmp_path / "GRE_old order book.xlsx").write_bytes(b"")
    with pytest.warns(UserWarning, match="GRE_old order book.xlsx"):
        generate_sample_data(tmp_path, customers=2, orders=10, seed=1, quirks=False)


def test_zero_orders_and_synthetic_customers(tmp_path: Path) -> None:
    ds = generate_sample_data(tmp_path / "a", customers=2, orders=0, seed=1)
    assert ds.data_rows == ds.orders == ds.lines == 0 and ds.files
    many = generate_sample_data(tmp_path / "b", customers=52, orders=104, seed=1, quirks=False)
    codes = [c.code for c in many.customers]
    assert len(set(codes)) == 52 and "ZAA" in codes and many.orders == 104


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    first = generate_sample_data(tmp_path / "a", customers=8, orders=300, seed=3)
    second = generate_sample_data(tmp_path / "b", customers=8, orders=300, seed=3)
    assert [p.name for p in first.files] == [p.name for p in second.files]
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert first.customers == second.customers
    assert dataset_counts(first) == dataset_counts(second)
    assert first.bad_cells == second.bad_cells and first.bad_cells
    other = generate_sample_data(tmp_path / "c", customers=8, orders=300, seed=4)

    def keys(ds: SampleDataSet) -> list[Key]:
        return [key_of(r) for p in ds.files for r in parse(ds, p).rows]

    assert keys(first) != keys(other)


@pytest.mark.skipif(not REAL_SIZES.exists(), reason=f"real size list not found at {REAL_SIZES}")
def test_all_sizes_with_real_size_list(tmp_path: Path) -> None:
    labels = REAL_SIZES.read_text(encoding="utf-8").splitlines()
    ds = generate_sample_data(
        tmp_path, customers=4, orders=120, seed=5, size_labels=labels, all_sizes=True, quirks=False
    )
    family_of = {
        label: (f.name, i) for f in classify_size_labels(labels) for i, label in enumerate(f.labels)
    }
    files = [parse(ds, p) for p in ds.files]
    assert count(files) == dataset_counts(ds)
    for parsed in files:
        assert len(parsed.raw_header) >= 300
        assert parsed.spec.sizes == tuple(labels)
        for row in parsed.rows:
            filled = parsed.sizes(row)
            families = {family_of[s][0] for s in filled}
            positions = [family_of[s][1] for s in filled]
            assert len(families) == 1, filled
            assert max(positions) - min(positions) < 12


def test_size_labels_parameter_is_used(tmp_path: Path) -> None:
    labels = ["XS", "S", "M", "L", "XL", "One_Size", "0w", "2w", "4w"]
    ds = generate_sample_data(tmp_path, customers=3, orders=30, seed=1, size_labels=labels)
    for spec in ds.customers:
        assert spec.sizes and set(spec.sizes) <= set(labels)
        assert list(spec.sizes) == [s for s in labels if s in spec.sizes]


# --------------------------------------------------------------------------- mutation


def test_mutate_changes_exactly_the_reported_rows(tmp_path: Path) -> None:
    ds = generate_sample_data(tmp_path, customers=8, orders=800, seed=5)
    before = {p: parse(ds, p) for p in ds.files}
    stat = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in ds.files}
    keys = mutate_sample_data(ds, files=3, fraction=0.05, seed=9)
    changed_files = [p for p in ds.files if p.read_bytes() != stat[p][0]]
    assert len(changed_files) == 3
    for p in ds.files:
        if p not in changed_files:
            assert p.stat().st_mtime_ns == stat[p][1]
    changed_keys: list[Key] = []
    for p in changed_files:
        old, new = before[p], parse(ds, p)
        assert old.raw_header == new.raw_header and old.above == new.above
        assert len(old.entries) == len(new.entries)
        diffs = 0
        for a, b in zip(old.entries, new.entries, strict=True):
            assert (a is None) == (b is None)
            if a is None or b is None or a == b:
                continue
            diffs += 1
            changed_keys.append(key_of(b))
            differing = {c for c in set(a) | set(b) if a.get(c) != b.get(c)}
            assert differing <= set(DERIVED) | set(new.spec.sizes), differing
            assert sum(new.sizes(b).values()) == int(float(b["TOTAL QTY"]))
        assert diffs == max(1, round(0.05 * len(old.rows)))
    assert changed_keys == keys
    # same mutation on a fresh copy gives the same keys; a second call accumulates
    again = generate_sample_data(tmp_path / "again", customers=8, orders=800, seed=5)
    assert mutate_sample_data(again, files=3, fraction=0.05, seed=9) == keys
    more = mutate_sample_data(again, files=2, fraction=0.02, seed=10)
    assert more and all(isinstance(k, tuple) and len(k) == 3 for k in more)


def test_mutate_never_touches_a_typo_row(tmp_path: Path) -> None:
    ds = generate_sample_data(tmp_path, customers=8, orders=400, seed=6)
    before = {p: parse(ds, p) for p in ds.files}
    typo_keys = {
        key_of(row)
        for parsed in before.values()
        for number, row in parsed.numbered()
        if number in parsed.invalid
    }
    assert len(typo_keys) == ds.bad_rows > 0
    keys = mutate_sample_data(ds, files=len(ds.files), fraction=1.0, seed=3)  # every other row
    assert keys and not typo_keys & set(keys)
    changed = 0
    for path, old in before.items():
        new = parse(ds, path)
        assert new.bad_cells == old.bad_cells
        for (number, a), (_, b) in zip(old.numbered(), new.numbered(), strict=True):
            if number in old.invalid:
                assert a == b
            changed += a != b
    assert changed == len(keys)
    check_bad_cells(ds, [parse(ds, p) for p in ds.files])


def test_mutate_rejects_bad_arguments(tmp_path: Path) -> None:
    ds = generate_sample_data(tmp_path, customers=2, orders=20, seed=1)
    with pytest.raises(ValueError):
        mutate_sample_data(ds, files=10)
    with pytest.raises(ValueError):
        mutate_sample_data(ds, fraction=0)


# --------------------------------------------------------------------------- property


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    customers=st.integers(min_value=1, max_value=9),
    orders=st.integers(min_value=0, max_value=60),
    seed=st.integers(min_value=0, max_value=10_000),
    quirks=st.booleans(),
)
def test_counts_match_files_for_any_arguments(
    customers: int, orders: int, seed: int, quirks: bool
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        ds = generate_sample_data(
            Path(directory), customers=customers, orders=orders, seed=seed, quirks=quirks
        )
        assert count([parse(ds, p) for p in ds.files]) == dataset_counts(ds)
        assert ds.orders == orders
