"""Finding the header row and deciding what each column of a sheet is.

The header row is the profile's ``header_row`` or, by default, the first row
within ``sources.header_search_rows`` whose normalised, alias-mapped cells name
every business-key column.  Each column then gets a label (its canonical
header), a kind (size or descriptive) and a value type.  Size columns are the
ones between the two marker columns (default ``UNIT OF MEASURE`` … ``TOTAL
QTY``) and the headers listed in ``sizes.labels`` (all a file without markers
has: a note says so when whole-number columns beside them are left as text).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import polars as pl

from ordersync.config import Config, ProfileConfig
from ordersync.db.kinds import ColumnKind, ValueType
from ordersync.errors import FileRejected, Location
from ordersync.ingest.reader import RawSheet
from ordersync.ingest.xlsx_cells import column_letter
from ordersync.names import normalize_header


@dataclass(frozen=True)
class SheetColumn:
    """One column of the sheet that carries a header."""

    source: str  # positional name in RawSheet.cells (c0, c1, …)
    header: str  # as written in the file
    label: str  # canonical header after normalisation and aliases
    kind: ColumnKind
    value_type: ValueType


@dataclass(frozen=True)
class SheetLayout:
    """Where the header is and what every column means."""

    header_row: int  # 1-based spreadsheet row
    columns: tuple[SheetColumn, ...]
    unnamed: tuple[str, ...]  # positional names of header-less columns
    notes: tuple[str, ...] = ()  # what the file's report should say about its header


def map_header(raw: str, config: Config, profile: ProfileConfig) -> str:
    label = normalize_header(raw)
    label = profile.aliases.get(label, label)
    return config.columns.aliases.get(label, label)


def detect_layout(sheet: RawSheet, config: Config, profile: ProfileConfig) -> SheetLayout:
    """Find the header row and classify the columns; raise FileRejected if impossible."""
    key = config.merge.key
    if profile.header_row is not None:
        index = profile.header_row - 1
        if index >= sheet.cells.height:
            raise FileRejected(Location(sheet.file, sheet.sheet),
                               f"header_row {profile.header_row} is past the last row "
                               f"({sheet.cells.height})",
                               "correct the profile's header_row in the config, or remove it "
                               "to let ordersync find the header row")
    else:
        index = _find_header_row(sheet, config, profile)
    headers = list(sheet.cells.row(index)) if sheet.cells.height else []
    band = _band_below(sheet, index, headers)
    if band:  # a header over two rows: the labels under the band, the data below them
        headers = [band.get(i, h) for i, h in enumerate(headers)]
        index += 1
    # The key columns first: when they are missing, the row is most likely not the header,
    # and whatever else is wrong with it is noise.
    labels = {map_header(h or "", config, profile) for h in headers}
    missing = [k for k in key if k not in labels]
    if missing:
        hint = ("add the column to the file, or map its spelling with an alias in "
                "the config")
        if profile.header_row is not None:
            hint = (f"the profile fixes header_row = {profile.header_row}: correct it, or "
                    "remove it to let ordersync find the header row; or " + hint)
        raise FileRejected(Location(sheet.file, sheet.sheet, index + 1),
                           f"missing key column(s) {', '.join(missing)} in the header row", hint)
    return _classify(sheet, index, headers, config, profile)


def _band_below(sheet: RawSheet, index: int, headers: list[str | None]) -> dict[int, str]:
    """A header over two rows, as order books often have: a cell merged across columns
    (``SIZES`` over S, M, L) with the labels in the row below, every other header merged
    down over both rows (or blank below).  The labels under the band, by column position;
    empty when the header is one row."""
    if index + 1 >= sheet.cells.height:
        return {}
    positions = {name: i for i, name in enumerate(sheet.cells.columns)}
    under: set[int] = set()
    for first_row, first, last_row, last in sheet.merged:
        if first_row == last_row == index + 1 and last > first:
            under.update(positions[f"c{c}"] for c in range(first, last + 1)
                         if f"c{c}" in positions)
    if len(under) < 2:
        return {}
    below = [None if v is None or not str(v).strip() else str(v)
             for v in sheet.cells.row(index + 1)]
    if any(below[i] is None for i in under) or any(
            below[i] is not None for i, h in enumerate(headers) if i not in under and h):
        return {}  # the row below is not labels under a band only: it is data
    return {i: str(below[i]) for i in under}


def _find_header_row(sheet: RawSheet, config: Config, profile: ProfileConfig) -> int:
    key = config.merge.key
    if not sheet.cells.height or not sheet.cells.width:
        raise FileRejected(Location(sheet.file, sheet.sheet), "the sheet is empty",
                           "check that the customer sent the order list itself; set the "
                           "profile's sheet if the orders are on another sheet")
    limit = min(sheet.cells.height, config.sources.header_search_rows)
    best: tuple[int, int, list[str]] | None = None  # (matches, row index, names found)
    for index in range(limit):
        labels = {map_header(c, config, profile) for c in sheet.cells.row(index) if c}
        named = [k for k in key if k in labels]
        if len(named) == len(key):
            return index
        if named and (best is None or len(named) > best[0]):
            best = (len(named), index, named)
    if best is not None:
        missing = [k for k in key if k not in best[2]]
        raise FileRejected(
            Location(sheet.file, sheet.sheet, best[1] + 1),
            f"no header row found: row {best[1] + 1} names {_and(best[2])} but not "
            f"{_and(missing)}",
            f"add an alias for the file's spelling of {_and(missing)} (columns.aliases or the "
            "profile's aliases), or add the column to the file")
    raise FileRejected(
        Location(sheet.file, sheet.sheet),
        f"no header row found in the first {limit} rows: no row names any of the key "
        f"columns ({', '.join(key)})",
        "check that this is an order list; set the profile's sheet if the orders are on "
        "another sheet, or its header_row, or add aliases for the key columns' spelling")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _classify(sheet: RawSheet, index: int, headers: list[str | None], config: Config,
              profile: ProfileConfig) -> SheetLayout:
    named: list[tuple[str, str, str]] = []  # (source, header, label)
    unnamed: list[str] = []
    seen: dict[str, str] = {}
    # The frame's own column names: cN is spreadsheet column N, and a sheet whose first
    # columns are empty (a margin in column A) starts at c1 or later.
    for source, header in zip(sheet.cells.columns, headers, strict=True):
        label = map_header(header or "", config, profile)
        if not label:
            unnamed.append(source)
            continue
        if label in seen:
            raise FileRejected(
                Location(sheet.file, sheet.sheet, index + 1, label),
                f"two columns map to {label!r} (headers {seen[label]!r} and {header!r})",
                "rename one of them or fix the aliases in the config")
        seen[label] = header or ""
        named.append((source, header or "", label))

    labels = [label for _, _, label in named]
    size_labels, between_markers = _size_labels(labels, config)
    if not size_labels:
        raise FileRejected(
            Location(sheet.file, sheet.sheet, index + 1),
            f"no size columns found between {config.sizes.start_after!r} and "
            f"{config.sizes.end_before!r}, and none of sizes.labels is present",
            "check the two marker columns' spelling, or list the sizes in sizes.labels")
    columns = tuple(
        SheetColumn(source, header, label, *_kind_and_type(label, size_labels, config))
        for source, header, label in named
    )
    # A size typed as 2/3 or 3-4 that Excel took for a date reads as that date: its
    # quantities would go under "2025-03-02 00:00:00" without a word.
    notes = tuple(
        f"{sheet.file}: the header of column {column_letter(int(c.source[1:]))} is a date "
        f"({c.header}) — Excel turns a size typed as 2/3 or 3-4 into a date; its quantities "
        f"are stored under {c.label!r}: type the header as text in the file ('2/3), or map "
        f"it with an alias in the config, e.g. \"{c.label}\" = \"2/3\""
        for c in columns if c.kind == "size" and _EXCEL_DATE_HEADER.match(c.header))
    if not between_markers:
        notes += _unmarked_sizes(sheet, index, columns, config)
    return SheetLayout(index + 1, columns, tuple(unnamed),
                       notes + _missing_named_columns(sheet.file, columns, config))


def _unmarked_sizes(sheet: RawSheet, index: int, columns: tuple[SheetColumn, ...],
                    config: Config) -> tuple[str, ...]:
    """A sheet whose sizes were not found between the markers takes only the sizes listed
    in ``sizes.labels``: a misspelled marker (``TOTAL`` for ``TOTAL QTY``) turned the other
    sizes beside them (2XL, 28, 30…) into text columns, and their quantities never became
    lines — said, with the marker's likely spelling and the columns concerned."""
    start, end = config.sizes.start_after, config.sizes.end_before
    present = [c.label for c in columns]
    why, misspelled = [], set()
    for marker in (start, end):
        if marker in present:
            continue
        alike = difflib.get_close_matches(marker, present, n=1, cutoff=0.6)
        misspelled.update(alike)
        why.append(f"no column {marker!r}" + (
            f" (is {alike[0]!r} it? then add an alias \"{alike[0]}\" = \"{marker}\" under "
            "[columns.aliases])" if alike else ""))
    if not why:
        why.append(f"{start!r} stands after {end!r}")
    configured = {*config.merge.key, *config.columns.dates, *config.columns.decimals,
                  *config.columns.integers, *config.columns.text, config.columns.customer,
                  config.merge.cancel.column, config.sizes.total_column, start, end,
                  *misspelled}
    # Whole-number columns right beside the sizes found: most likely sizes too.
    rows = sheet.cells.slice(index + 1)
    whole = re.compile(r"^\s*\d+(\.0+)?\s*$")

    def numeric(column: SheetColumn) -> bool:
        if column.kind == "size" or column.label in configured or column.value_type != "text":
            return False
        values = rows.get_column(column.source).drop_nulls()
        values = values.filter(values.str.strip_chars() != "")
        return bool(values.len()) and bool(values.str.contains(whole.pattern).all())

    sizes = [i for i, c in enumerate(columns) if c.kind == "size"]
    suspects: list[str] = []
    for step, edge in ((-1, min(sizes)), (1, max(sizes))):
        at = edge + step
        while 0 <= at < len(columns) and numeric(columns[at]):
            suspects.append(columns[at].label)
            at += step
    if not suspects and not misspelled:
        return ()  # a file without markers, its sizes all listed: as configured
    found = ", ".join(columns[i].label for i in sizes)
    note = (f"{sheet.file}: sizes not found between markers ({'; '.join(why)}): the size "
            f"columns are those listed in sizes.labels ({found})")
    if suspects:
        note += (f"; {_and(sorted(suspects, key=present.index))} beside them hold only whole "
                 "numbers but are read as text, so their quantities are not order lines: "
                 "fix the marker's spelling, or add them to sizes.labels")
    return (note,)


def _missing_named_columns(file: str, columns: tuple[SheetColumn, ...], config: Config
                           ) -> tuple[str, ...]:
    """What a file lacking a column the config names means, said: a misspelled header
    (ORDER TYP) otherwise un-cancels the file's orders, or leaves their dates blank, in
    silence — its values go to a column of their own."""
    named = {label: "columns.dates" for label in config.columns.dates}
    named |= {label: "columns.decimals" for label in config.columns.decimals}
    if config.merge.cancel.column:
        named[config.merge.cancel.column] = "merge.cancel.column"
    present = {c.label for c in columns}
    strangers = [c for c in columns if c.label not in named and c.kind != "size"]
    notes = []
    for label, setting in named.items():
        if label in present:
            continue
        alike = difflib.get_close_matches(label, [c.label for c in strangers], n=1, cutoff=0.8)
        alike = alike or [c.label for c in strangers  # ETA DATE for ETA, say
                          if set(label.split()) <= set(c.label.split())][:1]
        if alike:
            notes.append(f"{file}: no column {label!r} ({setting}) — is {alike[0]!r} it, "
                         f"misspelled? Then add an alias: \"{alike[0]}\" = \"{label}\" under "
                         "[columns.aliases]")
        elif setting == "merge.cancel.column":
            notes.append(f"{file}: no column {label!r} (merge.cancel.column): none of its "
                         "orders can be read as cancelled")
    return tuple(notes)


_EXCEL_DATE_HEADER = re.compile(r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$")


def _size_labels(labels: list[str], config: Config) -> tuple[set[str], bool]:
    """The sheet's size labels, and whether the two markers bounded them.  A header listed
    in ``sizes.labels`` is a size wherever it stands (an XXL added after TOTAL QTY)."""
    start, end = config.sizes.start_after, config.sizes.end_before
    listed = {label for label in labels if label in set(config.sizes.labels)}
    if start in labels and end in labels and labels.index(start) < labels.index(end):
        return set(labels[labels.index(start) + 1 : labels.index(end)]) | listed, True
    return listed, False


_DATE_WORD = re.compile(r"\bDATES?\b")
_MONEY_WORD = re.compile(r"\b(PRICE|COST)\b")


def _kind_and_type(label: str, sizes: set[str], config: Config) -> tuple[ColumnKind, ValueType]:
    if label in sizes:
        return "size", "integer"
    columns = config.columns
    if label == config.sizes.total_column or label in columns.integers:
        return "descriptive", "integer"
    if label in columns.dates:
        return "descriptive", "date"
    if label in columns.decimals:
        return "descriptive", "decimal"
    if label not in columns.text and _DATE_WORD.search(label):
        return "descriptive", "date"  # "EX FACTORY DATE": a date unless listed otherwise
    if label not in columns.text and _MONEY_WORD.search(label):
        return "descriptive", "decimal"  # "UNIT PRICE": a number unless listed otherwise
    return "descriptive", "text"


def data_rows(sheet: RawSheet, layout: SheetLayout) -> pl.DataFrame:
    """The rows below the header, with their 1-based spreadsheet row number in ``_row``.

    A cell merged down over several rows (a season written once beside its orders) gives
    its value to every row it covers, as it shows in Excel — in the columns that describe
    an order, and in rows holding something of their own.  A size merged down counts once,
    in its first row: repeating a quantity would multiply it.
    """
    # Frame operations rather than expressions: a sheet costs the same whatever its width
    # (a batch of 400 small workbooks spent seconds on per-column expressions).
    rows = sheet.cells.slice(layout.header_row)
    rows.insert_column(0, pl.int_range(layout.header_row + 1, sheet.cells.height + 1,
                                       dtype=pl.Int64, eager=True).alias("_row"))
    fill = {c.source for c in layout.columns if c.kind != "size"}
    spans: dict[str, list[tuple[int, int]]] = {}
    for first_row, column, last_row, _ in sheet.merged:
        if last_row > first_row and first_row > layout.header_row and f"c{column}" in fill:
            spans.setdefault(f"c{column}", []).append((first_row, last_row))
    # A row holding nothing but what a merged cell gives it (a note merged down past the
    # last order) stays blank: it is no order.
    held = set(rows.filter(
        pl.col("_row").is_in([row for merged in spans.values() for first, last in merged
                              for row in range(first + 1, last + 1)])
        & pl.any_horizontal(pl.exclude("_row").is_not_null()))["_row"].to_list()) \
        if spans else set()
    for source, merged in spans.items():
        tops = dict(rows.filter(pl.col("_row").is_in([first for first, _ in merged]))
                    .select("_row", source).iter_rows())
        covered = [(row, tops[first]) for first, last in merged if tops.get(first) is not None
                   for row in range(first + 1, last + 1) if row in held]
        if covered:
            values = pl.DataFrame(covered, schema={"_row": pl.Int64, "_merged": pl.String},
                                  orient="row")
            rows = (rows.join(values, on="_row", how="left", maintain_order="left")
                    .with_columns(pl.coalesce(source, "_merged").alias(source))
                    .drop("_merged"))
    return rows
