"""Per-customer file layout: columns, header spellings, sizes, sheets, file names.

This module owns ``CustomerPlan``, the complete description of how one
customer's files look (everything except the order rows themselves), and
``plan_customers`` which derives the plans deterministically from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from .columns import (
    HEADER_VARIANTS,
    LEADING_COLUMNS,
    REQUIRED_COLUMNS,
    SIZES_AFTER,
    TRAILING_COLUMNS,
    normalise_header,
)
from .customers import (
    CustomerIdentity,
    CustomerQuirks,
    assign_quirks,
    customer_identities,
    name_spellings,
)
from .sizes import SizeFamily, choose_families, family_window

REPORT_DATE_TEXT = "14/11/2025"
SEASONS: tuple[str, ...] = ("AW25", "SS26", "AW26")
DATA_SHEET = "MASTER"

#: Header spellings the first header-variant customer always uses.
EXAMPLE_HEADERS: dict[str, str] = {
    "AAG ORDER NUMBER": "AAG  ORDER NUMBER ",
    "PO NUMBER": "PO #",
    "CUSTOMER STYLE": "Customer Style",
    "EX FACTORY DATE": "EX FACTORY\nDATE",
    "CUSTOMER SEASON": "CUSTOMER\u00a0SEASON",
}

_DATE_FORMATS = ("dd/mm/yyyy", "d-mmm-yy", "yyyy-mm-dd", "dd-mmm-yyyy", "dd.mm.yyyy")


@dataclass(frozen=True)
class CustomerPlan:
    """Everything about one customer's files except the order rows."""

    index: int
    identity: CustomerIdentity
    quirks: CustomerQuirks
    file_seasons: tuple[tuple[str, ...], ...]  # AAG seasons held by each file
    file_names: tuple[str, ...]
    leading: tuple[str, ...]  # canonical columns before the sizes, in file order
    trailing: tuple[str, ...]  # canonical columns after the sizes, in file order
    headers: dict[str, str]  # canonical column -> header as written
    families: tuple[SizeFamily, ...]  # size runs orders draw from (first = main)
    sizes: tuple[str, ...]  # size columns, in file order
    sheet_name: str
    sheets_before: tuple[str, ...]
    sheets_after: tuple[str, ...]
    date_format: str
    spellings: tuple[str, ...]  # values written in the CUSTOMER column
    currency: str
    unit: str

    @property
    def code(self) -> str:
        return self.identity.code

    @property
    def seasons(self) -> tuple[str, ...]:
        return tuple(s for file in self.file_seasons for s in file)

    @property
    def extension(self) -> str:
        return "csv" if self.quirks.csv else "xlsx"

    @property
    def glob(self) -> str:
        return f"{self.code}_*.{self.extension}"

    @property
    def columns(self) -> tuple[str, ...]:
        """All header cells as written, including trailing blank columns."""
        return (
            tuple(self.headers[c] for c in self.leading)
            + self.sizes
            + tuple(self.headers[c] for c in self.trailing)
            + (" ",) * self.quirks.trailing_blank_columns
        )

    def rows_above_header(self, file_index: int) -> tuple[str | None, ...]:
        """Title/blank rows written above the header (``None`` = blank row)."""
        seasons = " / ".join(self.file_seasons[file_index])
        title = f"{self.identity.brand} ORDER BOOK – {seasons}"
        subtitle = f"Report date: {REPORT_DATE_TEXT}   Currency: {self.currency}"
        return {
            "none": (),
            "title": (title,),
            "title_blank": (title, None),
            "title_subtitle_blank": (title, subtitle, None),
            "blank_title_blank": (None, title, None),
        }[self.quirks.title_layout]


def _title_case(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))


def _trivial_variant(name: str, rng: random.Random) -> str:
    """A spelling equal to ``name`` after normalisation (case, spaces, newline, NBSP)."""
    words = name.split(" ")
    choices = ["title", "lower", "padded"]
    if len(words) > 1:
        choices += ["double", "newline", "nbsp"]
    how = rng.choice(choices)
    if how == "title":
        return _title_case(name)
    if how == "lower":
        return name.lower()
    if how == "padded":
        return f" {name} "
    cut = rng.randrange(1, len(words))
    joiner = {"double": "  ", "newline": "\n", "nbsp": "\u00a0"}[how]
    return " ".join(words[:cut]) + joiner + " ".join(words[cut:])


def _headers(columns: Sequence[str], quirks: CustomerQuirks, rng: random.Random) -> dict[str, str]:
    headers = {c: c for c in columns}
    if not quirks.header_variants:
        return headers
    with_aliases = [c for c in columns if c in HEADER_VARIANTS]
    for column in rng.sample(with_aliases, min(len(with_aliases), rng.randint(3, 7))):
        headers[column] = rng.choice(HEADER_VARIANTS[column])
    plain = [c for c in columns if headers[c] == c]
    for column in rng.sample(plain, min(len(plain), rng.randint(2, 6))):
        headers[column] = _trivial_variant(column, rng)
    if quirks.header_examples:
        headers.update({c: h for c, h in EXAMPLE_HEADERS.items() if c in headers})
    return headers


def _leading_columns(quirks: CustomerQuirks, rng: random.Random) -> list[str]:
    columns = [c.name for c in LEADING_COLUMNS]
    if quirks.missing_columns:
        optional = [c for c in columns if c not in REQUIRED_COLUMNS]
        for column in rng.sample(optional, rng.randint(2, 8)):
            columns.remove(column)
    if quirks.column_order:
        for _ in range(rng.randint(2, 4)):
            moved = columns.pop(rng.randrange(len(columns) - 1))
            columns.insert(rng.randrange(len(columns)), moved)
        columns.remove(SIZES_AFTER)
        columns.append(SIZES_AFTER)
    return columns


def _trailing_columns(quirks: CustomerQuirks, rng: random.Random) -> list[str]:
    columns = [c.name for c in TRAILING_COLUMNS]
    if quirks.missing_columns:
        optional = [c for c in columns if c not in REQUIRED_COLUMNS]
        for column in rng.sample(optional, rng.randint(0, 2)):
            columns.remove(column)
    return columns


def _file_names(
    code: str, quirks: CustomerQuirks, file_seasons: Sequence[tuple[str, ...]], rng: random.Random
) -> tuple[str, ...]:
    ext = "csv" if quirks.csv else "xlsx"
    if len(file_seasons) > 1:
        pattern = rng.choice(("{code}_ORDER BOOK {season}", "{code}_orders_{season}"))
        return tuple(pattern.format(code=code, season=s[0]) + f".{ext}" for s in file_seasons)
    season = "-".join(file_seasons[0])
    pattern = rng.choice(
        (
            "{code}_ORDER BOOK {season}",
            "{code}_Open_Orders_20251114",
            "{code}_order_status",
            "{code}_WIP REPORT {season}",
        )
    )
    return (pattern.format(code=code, season=season) + f".{ext}",)


def plan_customer(
    index: int,
    identity: CustomerIdentity,
    quirks: CustomerQuirks,
    *,
    seed: int,
    families: Sequence[SizeFamily],
    all_labels: Sequence[str],
    all_sizes: bool,
) -> CustomerPlan:
    """Derive one customer's layout from the seed (independent of other customers)."""
    rng = random.Random(f"ordersync-sample:{seed}:layout:{identity.code}")
    if quirks.two_files:
        file_seasons: tuple[tuple[str, ...], ...] = (("AW25",), ("SS26",))
    else:
        file_seasons = (rng.choice((("AW25",), ("AW25", "SS26"), ("SS26",), ("SS26", "AW26"))),)
    leading = _leading_columns(quirks, rng)
    trailing = _trailing_columns(quirks, rng)
    headers = _headers(leading + trailing, quirks, rng)
    chosen = choose_families(families, identity.category, rng, 2 if rng.random() < 0.3 else 1)
    if all_sizes:
        windows = chosen
        sizes = tuple(all_labels)
    else:
        windows = tuple(SizeFamily(f.name, family_window(f, rng)) for f in chosen)
        carried = {label for f in windows for label in f.labels}
        sizes = tuple(label for label in all_labels if label in carried)
    before: tuple[str, ...]
    after: tuple[str, ...]
    if quirks.multi_sheet:
        before = rng.choice(
            (("NOTES",), ("SUMMARY",), ("NOTES", "SUMMARY"), ("READ ME", "SUMMARY"))
        )
        after = rng.choice(((), ("LISTS",)))
        sheet = DATA_SHEET
    else:
        before, after = (), ()
        sheet = rng.choice(
            ("Sheet1", "Order Book", "ORDERS", "Export", f"{file_seasons[0][0]} ORDERS")
        )
    plan = CustomerPlan(
        index=index,
        identity=identity,
        quirks=quirks,
        file_seasons=file_seasons,
        file_names=_file_names(identity.code, quirks, file_seasons, rng),
        leading=tuple(leading),
        trailing=tuple(trailing),
        headers=headers,
        families=windows,
        sizes=sizes,
        sheet_name=sheet,
        sheets_before=before,
        sheets_after=after,
        date_format=rng.choice(_DATE_FORMATS),
        spellings=name_spellings(identity, quirks.name_variants),
        currency=rng.choice(("USD", "USD", "USD", "EUR", "GBP")),
        unit=rng.choice(("PCS", "PCS", "PCS", "UNITS", "PC")),
    )
    _check_unique_headers(plan)
    return plan


def _check_unique_headers(plan: CustomerPlan) -> None:
    seen: set[str] = set()
    for header in plan.columns[: len(plan.columns) - plan.quirks.trailing_blank_columns]:
        key = normalise_header(header)
        if key in seen:
            raise ValueError(f"{plan.code}: header {header!r} is not unique after normalisation")
        seen.add(key)


def plan_customers(
    count: int,
    *,
    seed: int,
    quirks: bool,
    csv_customers: int | None,
    families: Sequence[SizeFamily],
    all_labels: Sequence[str],
    all_sizes: bool,
) -> tuple[CustomerPlan, ...]:
    """Plans for the first ``count`` customers, quirks spread deterministically."""
    identities = customer_identities(count)
    assigned = assign_quirks(count, seed=seed, quirks=quirks, csv_customers=csv_customers)
    return tuple(
        plan_customer(
            i,
            identity,
            customer_quirks,
            seed=seed,
            families=families,
            all_labels=all_labels,
            all_sizes=all_sizes,
        )
        for i, (identity, customer_quirks) in enumerate(zip(identities, assigned, strict=True))
    )
