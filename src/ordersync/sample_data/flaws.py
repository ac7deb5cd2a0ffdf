"""Cell-level flaws of hand-kept order books: placeholders to ignore, typos to reject.

This module owns the two per-customer cell quirks laid over generated rows
(``CustomerQuirks.placeholders`` and ``CustomerQuirks.typos``):

- placeholders: ``TBC`` / ``TBA`` in optional date cells that are blank or still
  in the future, ``-`` in optional text cells, in about 5 % of the data rows.
  The product reads them as "no value" (they are among its null words), so
  these rows stay valid orders and no count changes.
- typos: one bad cell in about 0.3 % of the data rows (at least one row), as
  typed by hand into Excel: a size quantity ``12 pcs`` / ``1O`` / ``7.5``, an
  impossible date ``31/02/2025`` / ``32/01/2025``, a FOB price ``4,5O``.  Only
  in rows that are not cancelled and whose business key occurs once (no
  duplicate row, no split-shipment sibling), never in a key column.  The row
  keeps its intended values, so TOTAL QTY and the line counts are unchanged;
  the product must reject the row.

Each customer draws its flaws from random streams of its own, after its rows
are made: regenerating a customer gives the same flaws, and the rows do not
depend on them.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from .columns import DATE_COLUMNS
from .layout import CustomerPlan
from .orders import REPORT_DATE, FileContent, OrderRow, Value

PLACEHOLDER_RATE = 0.05
TYPO_RATE = 0.003

#: Optional columns that may hold a placeholder instead of a value.
DATE_PLACEHOLDER_COLUMNS: tuple[str, ...] = (
    "FABRIC BOOKING DATE",
    "PP SAMPLE APPROVAL DATE",
    "TOP SAMPLE DATE",
    "ORIGINAL EX FACTORY DATE",
    "EX FACTORY DATE",
    "ETD",
    "ETA",
    "IN DC DATE",
)
TEXT_PLACEHOLDER_COLUMNS: tuple[str, ...] = (
    "PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)",
    "LABEL TYPE",
    "PACKING METHOD",
    "REMARKS",
)
PLACEHOLDER_COLUMNS: tuple[str, ...] = DATE_PLACEHOLDER_COLUMNS + TEXT_PLACEHOLDER_COLUMNS
DATE_PLACEHOLDERS: tuple[str, ...] = ("TBC", "TBC", "TBA")
TEXT_PLACEHOLDER = "-"
PLACEHOLDERS: frozenset[str] = frozenset((*DATE_PLACEHOLDERS, TEXT_PLACEHOLDER))

#: How a typo cell is written (examples for the values 12, 10, 8, 2025-03-05,
#: 2025-01-05, 4.57); the typo customers take them in turn, so that a few
#: customers already show sizes, dates and prices.
TYPO_KINDS: tuple[str, ...] = (
    "size_pcs",  # "12 pcs"
    "date_feb_31",  # "31/02/2025" in a date column
    "price_comma_o",  # "4,5O" in FOB PRICE
    "size_letter_o",  # "1O"
    "date_day_32",  # "32/01/2025" in a date column
    "size_decimal",  # "7.5"
)


def add_flaws(
    plan: CustomerPlan, contents: tuple[FileContent, ...], seed: int
) -> tuple[FileContent, ...]:
    """``contents`` (all files of one customer) with the customer's typos and placeholders."""
    if plan.quirks.typos:
        rng = random.Random(f"ordersync-sample:{seed}:typos:{plan.code}")
        contents = _add_typos(plan, contents, rng)
    if plan.quirks.placeholders:
        rng = random.Random(f"ordersync-sample:{seed}:placeholders:{plan.code}")
        contents = _add_placeholders(plan, contents, rng)
    return contents


def _columns(plan: CustomerPlan) -> set[str]:
    return set(plan.leading) | set(plan.trailing)


def _rebuilt(
    contents: Sequence[FileContent], entries: Sequence[list[OrderRow | None]]
) -> tuple[FileContent, ...]:
    return tuple(replace(c, entries=tuple(e)) for c, e in zip(contents, entries, strict=True))


# --------------------------------------------------------------------------- typos


def _add_typos(
    plan: CustomerPlan, contents: tuple[FileContent, ...], rng: random.Random
) -> tuple[FileContent, ...]:
    keys: Counter[tuple[str, str, str]] = Counter()
    orders: Counter[tuple[str, str]] = Counter()  # split shipments share order and style
    for content in contents:
        for row in content.rows:
            keys[row.key] += 1
            orders[(row.key[0], row.key[2])] += 1
    candidates = [
        (file, index)
        for file, content in enumerate(contents)
        for index, row in enumerate(content.entries)
        if row is not None
        and not row.cancelled
        and keys[row.key] == 1
        and orders[(row.key[0], row.key[2])] == 1
    ]
    data_rows = sum(len(content.rows) for content in contents)
    wanted = min(len(candidates), max(1, round(TYPO_RATE * data_rows)))
    entries = [list(content.entries) for content in contents]
    for number, (file, index) in enumerate(sorted(rng.sample(candidates, wanted))):
        target = entries[file][index]
        assert target is not None
        kind = TYPO_KINDS[(plan.quirks.typo_rank + number) % len(TYPO_KINDS)]
        entries[file][index] = replace(target, typo=make_typo(plan, target, kind, rng))
    return _rebuilt(contents, entries)


def make_typo(plan: CustomerPlan, row: OrderRow, kind: str, rng: random.Random) -> tuple[str, str]:
    """(column or size label, text as typed) of one bad cell of ``row``.

    Falls back to ``size_pcs`` when the row has no cell for ``kind`` (no size
    quantity with a zero digit, no FOB PRICE column).
    """
    columns = _columns(plan)
    if kind == "size_letter_o":
        with_zero = [(label, q) for label, q in row.sizes if "0" in str(q)]
        if with_zero:
            label, quantity = rng.choice(with_zero)
            head, _, tail = str(quantity).rpartition("0")
            return label, f"{head}O{tail}"
    if kind == "size_decimal":
        label, quantity = rng.choice(row.sizes)
        return label, f"{quantity - 1}.5"
    if kind in ("date_feb_31", "date_day_32"):
        dated = [c for c in DATE_COLUMNS if c in columns and isinstance(row.values.get(c), date)]
        if dated:
            column = rng.choice(dated)
            value = row.values[column]
            assert isinstance(value, date)
            if kind == "date_feb_31":
                return column, f"31/02/{value.year}"
            return column, f"32/{value.month:02d}/{value.year}"
    if kind == "price_comma_o":
        fob = row.values.get("FOB PRICE")
        if "FOB PRICE" in columns and isinstance(fob, float):
            whole, fraction = f"{fob:.2f}".split(".")
            return "FOB PRICE", f"{whole},{fraction[0]}O"
    label, quantity = rng.choice(row.sizes)
    return label, f"{quantity} pcs"


# --------------------------------------------------------------------------- placeholders


def _add_placeholders(
    plan: CustomerPlan, contents: tuple[FileContent, ...], rng: random.Random
) -> tuple[FileContent, ...]:
    columns = _columns(plan)
    dates = [c for c in DATE_PLACEHOLDER_COLUMNS if c in columns]
    texts = [c for c in TEXT_PLACEHOLDER_COLUMNS if c in columns]
    entries = [list(content.entries) for content in contents]
    eligible: list[tuple[int, int]] = []
    chosen: list[tuple[int, int]] = []
    for file, rows in enumerate(entries):
        for index, row in enumerate(rows):
            if row is None or row.typo is not None:
                continue
            eligible.append((file, index))
            if rng.random() < PLACEHOLDER_RATE:
                chosen.append((file, index))
    if not chosen and eligible:
        chosen.append(rng.choice(eligible))
    for file, index in chosen:
        row = entries[file][index]
        assert row is not None
        entries[file][index] = _with_placeholders(row, dates, texts, rng)
    return _rebuilt(contents, entries)


def _with_placeholders(
    row: OrderRow, dates: Sequence[str], texts: Sequence[str], rng: random.Random
) -> OrderRow:
    """``row`` with one or two optional cells holding a placeholder.

    Dates only where they are not known yet (blank or after the report date),
    so a shipped order never gets an ex-factory date "to be confirmed".
    """
    unknown = [c for c in dates if not _known_date(row.values.get(c))]
    cells = unknown + list(texts)
    if not cells:
        return row
    count = 1 if rng.random() < 0.7 else 2
    values = dict(row.values)
    for column in rng.sample(cells, min(count, len(cells))):
        values[column] = rng.choice(DATE_PLACEHOLDERS) if column in dates else TEXT_PLACEHOLDER
    return replace(row, values=values)


def _known_date(value: Value) -> bool:
    return isinstance(value, date) and value <= REPORT_DATE
