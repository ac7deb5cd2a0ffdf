"""Unit tests of the sample-data catalogues: columns, sizes, customers, quirk assignment."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from ordersync.sample_data import (
    BUILTIN_SIZE_LABELS,
    DATE_COLUMNS,
    DECIMAL_COLUMNS,
    DESCRIPTIVE_COLUMNS,
    INTEGER_COLUMNS,
    generate_sample_data,
    mutate_sample_data,
    normalise_header,
)
from ordersync.sample_data.columns import (
    COLUMN_KINDS,
    HEADER_VARIANTS,
    LEADING_COLUMNS,
    REQUIRED_COLUMNS,
    TRAILING_COLUMNS,
)
from ordersync.sample_data.customers import (
    CATALOGUE,
    DATE_STYLES,
    assign_quirks,
    customer_identities,
    name_spellings,
)
from ordersync.sample_data.generator import spread
from ordersync.sample_data.layout import EXAMPLE_HEADERS
from ordersync.sample_data.sizes import (
    BUILTIN_FAMILIES,
    classify_size_labels,
    family_name_of,
)

REAL_SIZES = Path(__file__).resolve().parents[3] / "shared" / "data" / "size_columns.txt"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("AAG ORDER NUMBER", "text"),
        ("CUSTOMER", "text"),
        ("PO NUMBER", "text"),
        ("CUSTOMER STYLE", "text"),
        ("CUSTOMER COLOUR DESCRIPTION", "text"),
        ("CUSTOMER'S COLOUR CODE", "text"),
        ("AAG SEASON", "text"),
        ("CUSTOMER SEASON", "text"),
        ("ORDER TYPE", "text"),
        ("PLANNED DELIVERY METHOD", "text"),
        ("ETA", "date"),
        ("EX FACTORY DATE", "date"),
        ("ORIGINAL EX FACTORY DATE", "date"),
        ("PO ISSUE DATE", "date"),
        ("FOB PRICE", "decimal"),
        ("LDP PRICE", "decimal"),
        ("RETAIL PRICE", "decimal"),
        ("CARTON QTY", "integer"),
        ("PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)", "text"),
        ("REMARKS", "text"),
        ("FACTORY", "text"),
        ("PORT OF LOADING", "text"),
        ("DESTINATION", "text"),
        ("PAYMENT TERMS", "text"),
        ("DEPARTMENT", "text"),
        ("PRODUCT DESCRIPTION", "text"),
        ("FABRIC COMPOSITION", "text"),
        ("GSM", "decimal"),
        ("UNIT OF MEASURE", "text"),
        ("TOTAL QTY", "integer"),
    ],
)
def test_required_catalogue_columns(name: str, kind: str) -> None:
    assert COLUMN_KINDS[name] == kind


def test_catalogue_shape() -> None:
    names = [c.name for c in DESCRIPTIVE_COLUMNS]
    assert len(names) == len(set(names)) and 55 <= len(names) <= 65
    assert LEADING_COLUMNS[-1].name == "UNIT OF MEASURE"
    assert TRAILING_COLUMNS[0].name == "TOTAL QTY" and len(TRAILING_COLUMNS) > 1
    assert len(DATE_COLUMNS) == 10 and len(DECIMAL_COLUMNS) == 11 and len(INTEGER_COLUMNS) == 5
    assert "TOTAL QTY" in INTEGER_COLUMNS
    assert set(REQUIRED_COLUMNS) <= set(names)
    assert all(normalise_header(n) == n for n in names)


def test_header_variants_are_unambiguous() -> None:
    owner: dict[str, str] = {}
    for canonical, variants in HEADER_VARIANTS.items():
        assert canonical in COLUMN_KINDS
        for variant in variants:
            written = normalise_header(variant)
            assert written not in COLUMN_KINDS, variant
            assert owner.setdefault(written, canonical) == canonical, variant
    for canonical, written in EXAMPLE_HEADERS.items():
        assert written != canonical
        assert normalise_header(written) == canonical or written in HEADER_VARIANTS[canonical]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AAG  ORDER NUMBER ", "AAG ORDER NUMBER"),
        ("Customer Style", "CUSTOMER STYLE"),
        ("EX FACTORY\nDATE", "EX FACTORY DATE"),
        ("CUSTOMER\u00a0SEASON", "CUSTOMER SEASON"),
        (" po # ", "PO #"),
    ],
)
def test_normalise_header(raw: str, expected: str) -> None:
    assert normalise_header(raw) == expected


EXPECTED_BUILTIN_SIZES = [
    "XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "XS/S", "L/XL", "S/M", "0", "16", "30",
    "32/30", "32x30", "34DD", "32C", "3/6 MTHS", "6-12M", "2T", "3T", "ONE SIZE", "O/S",
    "One_Size", "14w",
]  # fmt: skip


@pytest.mark.parametrize("label", EXPECTED_BUILTIN_SIZES)
def test_builtin_sizes_include(label: str) -> None:
    assert label in BUILTIN_SIZE_LABELS


def test_builtin_sizes_are_unique_and_grouped() -> None:
    normalised = [normalise_header(s) for s in BUILTIN_SIZE_LABELS]
    assert len(normalised) == len(set(normalised))
    assert all(f.labels for f in BUILTIN_FAMILIES)
    assert [str(n) for n in range(0, 31, 2)] == list(
        next(f for f in BUILTIN_FAMILIES if f.name == "numeric").labels
    )


@pytest.mark.parametrize(
    ("label", "family"),
    [
        ("32x30", "waist_x"),
        ("32/30", "waist_slash"),
        ("10/11", "kids_range"),
        ("34DD", "bra"),
        ("3/6 MTHS", "baby_mths"),
        ("6-12M", "baby_m"),
        ("2T", "toddler"),
        ("One_Sz", "one_size"),
        ("O/S", "one_size"),
        ("0w", "plus_w"),
        ("XXL", "letter"),
        ("L/XL", "letter_combo"),
        ("12", "numeric"),
        ("33", "waist"),
        ("4XT", "other"),
    ],
)
def test_family_of(label: str, family: str) -> None:
    assert family_name_of(label) == family


def test_classify_keeps_every_label_once_in_order() -> None:
    labels = ["M", "32x30", "S", "One_Size", "30x30", "L"]
    families = classify_size_labels(labels)
    assert [f.name for f in families] == ["letter", "waist_x", "one_size"]
    assert families[0].labels == ("M", "S", "L")
    with pytest.raises(ValueError):
        classify_size_labels(["S", "S"])


@pytest.mark.skipif(not REAL_SIZES.exists(), reason=f"real size list not found at {REAL_SIZES}")
def test_classify_real_size_list() -> None:
    labels = REAL_SIZES.read_text(encoding="utf-8").splitlines()
    families = classify_size_labels(labels)
    flat = [label for f in families for label in f.labels]
    assert sorted(flat) == sorted(labels) and len(flat) == len(set(flat))
    assert sum(len(f.labels) for f in families if f.name == "other") <= 5


def test_customer_catalogue() -> None:
    codes = [c.code for c in CATALOGUE]
    assert len(CATALOGUE) >= 40 and len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)
    first = [c.name for c in customer_identities(3)]
    assert "B'HOOD" in first and "LÖWE & CO" in first
    owner: dict[str, str] = {}
    for identity in customer_identities(60):
        for spelling in name_spellings(identity, variants=True):
            assert "  " not in spelling.strip()
            key = normalise_header(spelling)
            assert owner.setdefault(key, identity.code) == identity.code, spelling


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("count", [8, 13, 40])
def test_every_quirk_is_assigned(seed: int, count: int) -> None:
    quirks = assign_quirks(count, seed=seed, quirks=True, csv_customers=None)
    assert quirks == assign_quirks(count, seed=seed, quirks=True, csv_customers=None)
    flags = (
        "csv", "csv_bom", "two_files", "multi_sheet", "header_variants", "header_examples",
        "blank_rows", "numbers_as_text", "cancel_mixed_case", "duplicates", "total_formula",
        "name_variants", "missing_columns", "column_order",
    )  # fmt: skip
    for flag in flags:
        assert any(getattr(q, flag) for q in quirks), flag
    assert sum(q.header_examples for q in quirks) == 1
    assert 1 <= sum(q.two_files for q in quirks) <= 2
    assert any(q.trailing_blank_columns for q in quirks)
    assert {q.title_layout for q in quirks} >= {"blank_title_blank"}
    assert {q.date_style for q in quirks} == set(DATE_STYLES)
    assert not any(q.csv and (q.multi_sheet or q.title_layout != "none") for q in quirks)
    assert not any(q.numbers_as_text and q.total_formula for q in quirks)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("count", "at_least"), [(3, 0), (4, 1), (5, 1), (7, 1), (8, 2), (13, 2), (40, 8)]
)
def test_placeholders_and_typos_are_spread(seed: int, count: int, at_least: int) -> None:
    quirks = assign_quirks(count, seed=seed, quirks=True, csv_customers=None)
    placeholders = sum(q.placeholders for q in quirks)
    typos = sum(q.typos for q in quirks)
    assert placeholders >= at_least and typos >= at_least
    if count < 4:
        assert placeholders == typos == 0
    else:
        assert typos == max(1 if count < 8 else 2, round(count / 4))  # about 1 in 4
        assert typos <= placeholders < count


def test_quirks_off_are_clean() -> None:
    quirks = assign_quirks(10, seed=1, quirks=False, csv_customers=None)
    assert not any(q.csv or q.duplicates or q.blank_rows or q.header_variants for q in quirks)
    assert not any(q.placeholders or q.typos for q in quirks)
    assert {q.date_style for q in quirks} == {"date"}


@pytest.mark.parametrize(
    ("total", "parts", "expected"),
    [(10, 3, (4, 3, 3)), (5000, 40, (125,) * 40), (1, 3, (1, 0, 0)), (0, 2, (0, 0))],
)
def test_spread(total: int, parts: int, expected: tuple[int, ...]) -> None:
    assert spread(total, parts) == expected


def test_dataset_survives_pickling_for_the_benchmark(tmp_path: Path) -> None:
    dataset = generate_sample_data(tmp_path, customers=3, orders=90, seed=2, quirks=False)
    restored = pickle.loads(pickle.dumps(dataset))
    assert restored == dataset
    assert len(mutate_sample_data(restored, files=2, fraction=0.05, seed=3)) == 4
