"""The row hash: what may and may not change it.

A stored hash is compared with one computed years later; if it drifts, every order
looks CHANGED and is pushed to the board again.  So: column order, blank columns and
number formatting must not move it, and any real edit must.
"""

from __future__ import annotations

import hashlib
import random
import string
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordersync.config import ColumnsConfig
from ordersync.db.schema import ValueType
from ordersync.hashing import canonical_row, row_hashes, size_texts
from ordersync.ingest.values import clean_text, type_column

VALUE_TYPES: tuple[ValueType, ...] = ("text", "integer", "decimal", "date")
DTYPES: dict[ValueType, pl.DataType] = {
    "text": pl.String(),
    "integer": pl.Int64(),
    "decimal": pl.Float64(),
    "date": pl.Date(),
}
Columns = dict[str, ValueType]

FEW = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- strategies ---------------------------------------------------------------------------

labels = st.text(alphabet=string.ascii_uppercase + string.digits + " #%/'", min_size=1, max_size=16)
# Decimals on the millionths grid the hash keeps (smaller differences are rounded away
# on purpose), small enough that n / 1e6 * 1e6 rounds back to n exactly.
MILLIONTHS = 10**12


def values_of(value_type: ValueType) -> st.SearchStrategy[Any]:
    if value_type == "text":
        return st.text(min_size=1, max_size=20)
    if value_type == "integer":
        return st.integers(-(2**53), 2**53)
    if value_type == "decimal":
        return st.integers(-MILLIONTHS, MILLIONTHS).map(lambda n: n / 1_000_000)
    return st.dates(date(1900, 1, 1), date(2200, 12, 31))


@st.composite
def tables(draw: st.DrawFn) -> tuple[pl.DataFrame, Columns]:
    """A typed frame of 1–4 rows and 1–6 business columns, with some blank cells."""
    names = draw(st.lists(labels, min_size=1, max_size=6, unique=True))
    columns: Columns = {name: draw(st.sampled_from(VALUE_TYPES)) for name in names}
    height = draw(st.integers(1, 4))
    data = {
        name: draw(st.lists(st.none() | values_of(t), min_size=height, max_size=height))
        for name, t in columns.items()
    }
    frame = pl.DataFrame(data, schema={name: DTYPES[t] for name, t in columns.items()})
    return frame, columns


def hashes(frame: pl.DataFrame, columns: Columns) -> list[str]:
    return row_hashes(frame, columns).to_list()


def with_cell(
    frame: pl.DataFrame, column: str, row: int, value: Any, dtype: pl.DataType
) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value, dtype=dtype))
        .otherwise(pl.col(column))
        .alias(column)
    )


# --- invariants ---------------------------------------------------------------------------


@FEW
@given(table=tables(), data=st.data())
def test_column_order_does_not_change_the_hash(
    table: tuple[pl.DataFrame, Columns], data: st.DataObject
) -> None:
    frame, columns = table
    order = data.draw(st.permutations(list(columns)))
    reordered = frame.select(order)
    assert hashes(reordered, {name: columns[name] for name in order}) == hashes(frame, columns)


@FEW
@given(table=tables(), name=labels, value_type=st.sampled_from(VALUE_TYPES))
def test_a_blank_column_does_not_change_the_hash(
    table: tuple[pl.DataFrame, Columns], name: str, value_type: ValueType
) -> None:
    frame, columns = table
    if name in columns:
        name += " (NEW)"
    widened = frame.with_columns(pl.lit(None, dtype=DTYPES[value_type]).alias(name))
    assert hashes(widened, {**columns, name: value_type}) == hashes(frame, columns)


def decimal_spellings(exact: Decimal, extra_places: int) -> list[str]:
    """Ways a spreadsheet or CSV export may write the same number."""
    places = 6 + extra_places
    return [
        format(exact.normalize(), "f"),  # shortest: 1, 4.5
        f"{exact:.{places}f}",  # padded: 1.000000, 4.500000000
        f"{exact:,.{places}f}",  # with thousands separators: 1,234.500000
        f"{exact:e}",  # scientific: 1.2345e+3
        f"  {exact:.6f} ",  # surrounding spaces
    ]


@FEW
@given(millionths=st.integers(-MILLIONTHS, MILLIONTHS), extra_places=st.integers(0, 3))
def test_decimal_formatting_noise_does_not_change_the_hash(
    millionths: int, extra_places: int
) -> None:
    exact = Decimal(millionths).scaleb(-6)
    spellings = decimal_spellings(exact, extra_places)
    rule = type_column("P", "decimal", "descriptive", ColumnsConfig().date_formats)
    typed = (
        pl.DataFrame({"P": spellings})
        .select(clean_text("P", []).alias("P"))
        .select(rule.value.alias("P"), rule.problem.alias("problem"))
    )
    assert typed["problem"].to_list() == [None] * len(spellings), spellings
    expected = hashes(pl.DataFrame({"P": [millionths / 1_000_000]}), {"P": "decimal"})[0]
    assert hashes(typed.select("P"), {"P": "decimal"}) == [expected] * len(spellings), spellings


@pytest.mark.parametrize(
    "spellings",
    [["1", "1.0", "1.000000", "1.0000000"], ["1234.5", "1,234.50", "1.2345e3", "001234.500"]],
    ids=["one", "thousands"],
)
def test_decimal_spellings_give_one_hash(spellings: list[str]) -> None:
    rule = type_column("P", "decimal", "descriptive", ColumnsConfig().date_formats)
    typed = pl.DataFrame({"P": spellings}).select(rule.value.alias("P"))
    assert len(set(hashes(typed, {"P": "decimal"}))) == 1


@FEW
@given(value_type=st.sampled_from(("integer", "decimal")), data=st.data())
def test_an_integer_stored_as_float_hashes_like_the_integer(
    value_type: ValueType, data: st.DataObject
) -> None:
    # Excel number cells arrive as floats (12.0); CSV cells as integers (12).
    bound = 2**53 if value_type == "integer" else MILLIONTHS // 1_000_000
    numbers = data.draw(st.lists(st.none() | st.integers(-bound, bound), min_size=1, max_size=5))
    as_int = pl.DataFrame({"N": numbers}, schema={"N": pl.Int64})
    as_float = pl.DataFrame({"N": numbers}, schema={"N": pl.Float64})
    assert hashes(as_float, {"N": value_type}) == hashes(as_int, {"N": value_type})


@FEW
@given(table=tables(), data=st.data())
def test_changing_one_value_changes_that_rows_hash_only(
    table: tuple[pl.DataFrame, Columns], data: st.DataObject
) -> None:
    """Any single change, blanking a value included, changes that row's hash and no other."""
    frame, columns = table
    column = data.draw(st.sampled_from(list(columns)))
    row = data.draw(st.integers(0, frame.height - 1))
    value_type = columns[column]
    old = data.draw(values_of(value_type), label="old")
    new = data.draw(values_of(value_type).filter(lambda v: v != old) | st.none(), label="new")
    before = hashes(with_cell(frame, column, row, old, DTYPES[value_type]), columns)
    after = hashes(with_cell(frame, column, row, new, DTYPES[value_type]), columns)
    assert after[row] != before[row]
    assert after[:row] + after[row + 1 :] == before[:row] + before[row + 1 :]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("9000000000000", id="9e12"),
        pytest.param("10000000000000", id="1e13"),
        pytest.param("1e400", id="1e400"),
    ],
)
def test_every_decimal_the_ingest_accepts_can_be_hashed(text: str) -> None:
    rule = type_column("P", "decimal", "descriptive", ColumnsConfig().date_formats)
    typed = pl.DataFrame({"P": [text]}).select(rule.value.alias("P"), rule.problem.alias("problem"))
    if typed["problem"][0] is not None:
        return  # refused cells are rejected with their reason and never hashed
    (digest,) = hashes(typed.select("P"), {"P": "decimal"})
    assert len(digest) == 64


# --- golden -------------------------------------------------------------------------------

GOLDEN_COLUMNS: Columns = {
    "AAG ORDER NUMBER": "text",
    "CUSTOMER": "text",
    "PRODUCT DESCRIPTION": "text",
    "S": "integer",
    "M": "integer",
    "FOB PRICE": "decimal",
    "ETA": "date",
}
GOLDEN_FRAME = pl.DataFrame(
    {
        "AAG ORDER NUMBER": ["GRE-00001", "BHD-00002"],
        "CUSTOMER": ["GREYSTONE", "B'HOOD"],
        "PRODUCT DESCRIPTION": ["CRÈME BRÛLÉE TEE", None],
        "S": [10, None],
        "M": [20, 1200],
        "FOB PRICE": [4.5, 1234.567891],
        "ETA": [date(2025, 3, 5), None],
    },
    schema={name: DTYPES[t] for name, t in GOLDEN_COLUMNS.items()},
)


# Pinned once and never to be edited: stored hashes are compared with ones computed
# years later, so a different value here means every existing order would be seen as
# CHANGED and pushed to the board again.  If this test fails, fix the code, not the test.
GOLDEN_CANONICAL_FIRST_ROW = (
    "AAG ORDER NUMBER\x1eGRE-00001\x1fCUSTOMER\x1eGREYSTONE\x1fETA\x1e2025-03-05"
    "\x1fFOB PRICE\x1e4500000\x1fM\x1e20\x1fPRODUCT DESCRIPTION\x1eCRÈME BRÛLÉE TEE"
    "\x1fS\x1e10"
)
GOLDEN_HASHES = [
    "e0dd74b96b0743d3768e82307be62d7c99991d3d6453220a1f631625f92c15cd",
    "39a14c0631815f7cdc0f80700fcdf9a87bbed39ef0b8af7b4c1196ac6d43755a",
]


def test_golden_row_hashes_never_change() -> None:
    first = GOLDEN_FRAME.head(1).select(canonical_row(GOLDEN_COLUMNS)).item()
    assert first == GOLDEN_CANONICAL_FIRST_ROW
    # Plain SHA-256 of that UTF-8 text, so other tools can recompute a stored hash.
    assert hashlib.sha256(first.encode("utf-8")).hexdigest() == GOLDEN_HASHES[0]
    assert hashes(GOLDEN_FRAME, GOLDEN_COLUMNS) == GOLDEN_HASHES


@FEW
@given(table=tables())
def test_each_hash_is_the_plain_sha256_of_the_rows_canonical_text(
        table: tuple[pl.DataFrame, Columns]) -> None:
    """Any tool can recompute a stored hash: SHA-256 over the UTF-8 canonical text, whatever
    computes it (a faster digest must keep this test passing) and whatever Unicode the
    cells hold."""
    frame, columns = table
    texts = frame.select(canonical_row(columns)).to_series().to_list()
    assert hashes(frame, columns) == [hashlib.sha256(t.encode("utf-8")).hexdigest()
                                      for t in texts]


# --- sizes as lines -------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["S", "M", "L", "32/30", "ONE SIZE"]),
                                st.integers(min_value=1, max_value=999), max_size=5),
                min_size=1, max_size=6),
       st.randoms(use_true_random=False))
def test_size_part_is_independent_of_line_order(quantities: list[dict[str, int]],
                                                rnd: random.Random) -> None:
    """The lines of a row may arrive in any order; the hash is the same."""
    lines = [(row, size, qty) for row, q in enumerate(quantities) for size, qty in q.items()]
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    frame = pl.DataFrame({"_row": list(range(len(quantities))), "A": ["x"] * len(quantities)})

    def hashes_for(rows: list[tuple[int, str, int]]) -> list[str]:
        lines_frame = pl.DataFrame(rows, schema={"_row": pl.Int64, "size_code": pl.String,
                                                 "qty": pl.Int64}, orient="row")
        joined = frame.join(size_texts(lines_frame, ["_row"]), on="_row", how="left",
                            maintain_order="left")
        return row_hashes(joined, {"A": "text"}, sizes="_sizes").to_list()

    assert hashes_for(lines) == hashes_for(shuffled)


def test_sizes_change_the_hash_and_no_sizes_hash_like_descriptive_only() -> None:
    frame = pl.DataFrame({"_row": [0, 1], "A": ["x", "x"]})
    lines = pl.DataFrame({"_row": [0], "size_code": ["S"], "qty": [3]})
    joined = frame.join(size_texts(lines, ["_row"]), on="_row", how="left",
                        maintain_order="left")

    with_sizes, without = row_hashes(joined, {"A": "text"}, sizes="_sizes").to_list()

    assert with_sizes != without
    assert without == row_hashes(frame, {"A": "text"})[1]
