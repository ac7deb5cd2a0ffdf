"""Result records of the sample-data generator and the counts they carry.

This module owns the public records ``CustomerProfileSpec`` (what the product
needs to configure one customer) and ``SampleDataSet`` (what was written and
how many rows of each kind), plus the bookkeeping ``GenerationRecord`` that
lets ``mutate_sample_data`` regenerate files exactly, and the row counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .columns import normalise_header
from .layout import DATA_SHEET, CustomerPlan
from .orders import FileContent, OrderRow

Key = tuple[str, str, str]
#: (file name relative to the output dir, 1-based sheet row, canonical column, raw text)
BadCell = tuple[str, int, str, str]


@dataclass(frozen=True)
class CustomerProfileSpec:
    """How to read one customer's generated files."""

    code: str  # "GRE"
    name: str  # canonical customer name, e.g. "B'HOOD"
    glob: str  # file glob relative to the output dir, e.g. "GRE_*.xlsx"
    sheet: str | None  # data sheet when the workbook has several sheets, else None
    aliases: dict[str, str]  # normalised header as written -> canonical (non-trivial only)
    customer_names: dict[str, str]  # normalised CUSTOMER value -> canonical name
    sizes: tuple[str, ...]  # size labels this customer's files carry, in column order


@dataclass
class GenerationRecord:
    """What ``mutate_sample_data`` needs to regenerate files (internal)."""

    seed: int
    plans: tuple[CustomerPlan, ...]
    orders: tuple[int, ...]  # distinct keys per customer
    data_rows: dict[str, int]  # file name -> data rows
    mutations: dict[str, list[tuple[int, str, int]]] = field(default_factory=dict)

    def plan_of(self, file_name: str) -> tuple[CustomerPlan, int]:
        for plan in self.plans:
            if file_name in plan.file_names:
                return plan, plan.file_names.index(file_name)
        raise KeyError(file_name)


@dataclass(frozen=True)
class SampleDataSet:
    """What ``generate_sample_data`` wrote.

    Every count covers every data row written, typo rows included; a typo row
    counts with its intended values (TOTAL QTY and ``lines`` use the quantity
    meant, not the bad cell).  What the product is expected to make of these
    files: it rejects the ``bad_rows`` typo rows and stages ``orders - bad_rows``
    orders (the earlier of ``duplicate_rows`` repeated keys give way to the
    last), ``cancelled_orders`` of them cancelled (typo rows are never
    cancelled), with fewer than ``lines`` lines when ``bad_rows`` > 0 (a typo
    row's lines are not staged).  Placeholder cells (``TBC``, ``TBA``, ``-`` in
    optional columns) are "no value" to the product and change no count.
    """

    directory: Path
    customers: tuple[CustomerProfileSpec, ...]
    files: tuple[Path, ...]
    data_rows: int  # non-blank data rows written, incl. duplicates, cancelled and typo rows
    orders: int  # distinct business keys written, incl. those of typo rows
    blank_rows: int  # fully blank rows inserted between data rows
    duplicate_rows: int  # extra rows repeating a business key within the same file
    cancelled_orders: int  # distinct keys whose ORDER TYPE is a cancel value
    lines: int  # distinct (key, size) with qty > 0, last occurrence of each key
    #: Data rows carrying one typo cell the product must reject; each is the only
    #: row of its business key, so the product stages ``orders - bad_rows`` orders.
    bad_rows: int = 0
    #: The typo cells: (file name relative to ``directory``, 1-based sheet row,
    #: canonical column header or size label, raw cell text as written), sorted.
    bad_cells: tuple[BadCell, ...] = ()
    #: (canonical customer name, AAG season) of every order staged (typo rows excluded):
    #: with the seasons mapped, one board group each.
    groups: frozenset[tuple[str, str]] = frozenset()
    #: AAG season -> the spellings written in the CUSTOMER SEASON column for it.
    season_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    generation: GenerationRecord | None = field(default=None, repr=False, compare=False)


def profile_spec(plan: CustomerPlan) -> CustomerProfileSpec:
    """The product-facing description of one customer's files."""
    aliases: dict[str, str] = {}
    for column in plan.leading + plan.trailing:
        written = normalise_header(plan.headers[column])
        if written != column:
            aliases[written] = column
    return CustomerProfileSpec(
        code=plan.code,
        name=plan.identity.name,
        glob=plan.glob,
        sheet=DATA_SHEET if plan.quirks.multi_sheet else None,
        aliases=aliases,
        customer_names={normalise_header(s): plan.identity.name for s in plan.spellings},
        sizes=plan.sizes,
    )


@dataclass(frozen=True)
class Counts:
    """Row counts over a set of files."""

    data_rows: int
    orders: int
    blank_rows: int
    duplicate_rows: int
    cancelled_orders: int
    lines: int
    bad_rows: int


def count_rows(contents: Iterable[tuple[Path, FileContent]]) -> Counts:
    """Counts as defined on ``SampleDataSet``; duplicates resolve to the last row
    by file path, then row order."""
    data_rows = blank_rows = duplicate_rows = bad_rows = 0
    last: dict[Key, OrderRow] = {}
    for _, content in sorted(contents, key=lambda item: item[0]):
        seen: set[Key] = set()
        for entry in content.entries:
            if entry is None:
                blank_rows += 1
                continue
            data_rows += 1
            bad_rows += entry.typo is not None
            key = entry.key
            if key in seen:
                duplicate_rows += 1
            seen.add(key)
            last[key] = entry
    return Counts(
        data_rows=data_rows,
        orders=len(last),
        blank_rows=blank_rows,
        duplicate_rows=duplicate_rows,
        cancelled_orders=sum(1 for row in last.values() if row.cancelled),
        lines=sum(len(row.sizes) for row in last.values()),
        bad_rows=bad_rows,
    )
