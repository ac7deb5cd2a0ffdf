"""Entry points: generate a sample data set, mutate some of its files in place.

This module owns the orchestration: spreading orders over customers, choosing
the size vocabulary, building every customer's files (rows, then their
placeholders and typos), computing the counts and the list of typo cells, and
the deterministic in-place mutation used by incremental-ingest benchmarks.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from .dataset import (
    BadCell,
    GenerationRecord,
    Key,
    SampleDataSet,
    count_rows,
    profile_spec,
)
from .flaws import add_flaws
from .layout import CustomerPlan, plan_customers
from .orders import FileContent, generate_customer_files
from .sizes import BUILTIN_FAMILIES, classify_size_labels
from .workbook import first_data_row, write_file


def spread(total: int, parts: int) -> tuple[int, ...]:
    """``total`` split into ``parts`` near-equal shares, remainder to the first."""
    base, extra = divmod(total, parts)
    return tuple(base + (1 if i < extra else 0) for i in range(parts))


def customer_files(plan: CustomerPlan, orders: int, seed: int) -> tuple[FileContent, ...]:
    """One customer's files as written: rows, then placeholders and typos."""
    return add_flaws(plan, generate_customer_files(plan, orders, seed), seed)


def _build(
    plan: CustomerPlan, orders: int, seed: int, directory: Path
) -> list[tuple[Path, FileContent]]:
    contents = customer_files(plan, orders, seed)
    return [(write_file(plan, content, directory), content) for content in contents]


def bad_cells(plan: CustomerPlan, content: FileContent) -> list[BadCell]:
    """The typo cells of one file: (file name, 1-based sheet row, column, raw text)."""
    first = first_data_row(plan, content.file_index)
    return [
        (content.name, first + index, *entry.typo)
        for index, entry in enumerate(content.entries)
        if entry is not None and entry.typo is not None
    ]


def generate_sample_data(
    directory: Path,
    *,
    customers: int = 40,
    orders: int = 5000,
    seed: int = 0,
    size_labels: Sequence[str] | None = None,
    all_sizes: bool = False,
    quirks: bool = True,
    csv_customers: int | None = None,
) -> SampleDataSet:
    """Write realistic customer order lists into ``directory``.

    ``orders`` distinct business keys are spread evenly over ``customers``
    (remainder to the first ones).  Same arguments, same files.  With
    ``quirks=False`` the files are clean (header on row 1, one sheet,
    canonical headers, real date cells, no blank rows or duplicates, xlsx only
    unless ``csv_customers`` asks for CSV).  ``all_sizes`` gives every file
    every size label as a column.  ``size_labels`` replaces the built-in size
    vocabulary.  Existing files are overwritten, never deleted; a warning names
    files matching the customers' globs that this run did not write.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    if orders < 0:
        raise ValueError("orders must not be negative")
    if size_labels is not None:
        labels = tuple(size_labels)
        families = classify_size_labels(labels)
    else:
        families = BUILTIN_FAMILIES
        labels = tuple(label for family in families for label in family.labels)
    plans = plan_customers(
        customers,
        seed=seed,
        quirks=quirks,
        csv_customers=csv_customers,
        families=families,
        all_labels=labels,
        all_sizes=all_sizes,
    )
    shares = spread(orders, customers)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    built: list[tuple[Path, FileContent]] = []
    typos: list[BadCell] = []
    groups: set[tuple[str, str]] = set()
    seasons: dict[str, set[str]] = {}
    for plan, share in zip(plans, shares, strict=True):
        files = _build(plan, share, seed, directory)
        built.extend(files)
        for _, content in files:
            typos.extend(bad_cells(plan, content))
            for row in content.rows:
                season = str(row.values["AAG SEASON"])
                written = row.values.get("CUSTOMER SEASON")
                if written:
                    seasons.setdefault(season, set()).add(str(written))
                if row.typo is None:
                    groups.add((plan.identity.name, season))
    _warn_about_strays(directory, plans, {path.name for path, _ in built})
    counts = count_rows(built)
    record = GenerationRecord(
        seed=seed,
        plans=plans,
        orders=shares,
        data_rows={path.name: len(content.rows) for path, content in built},
    )
    return SampleDataSet(
        directory=directory,
        customers=tuple(profile_spec(plan) for plan in plans),
        files=tuple(sorted(path for path, _ in built)),
        data_rows=counts.data_rows,
        orders=counts.orders,
        blank_rows=counts.blank_rows,
        duplicate_rows=counts.duplicate_rows,
        cancelled_orders=counts.cancelled_orders,
        lines=counts.lines,
        bad_rows=counts.bad_rows,
        bad_cells=tuple(sorted(typos)),
        groups=frozenset(groups),
        season_names={s: tuple(sorted(names)) for s, names in sorted(seasons.items())},
        generation=record,
    )


def _warn_about_strays(directory: Path, plans: Sequence[CustomerPlan], written: set[str]) -> None:
    """Files left from an earlier run would be read by ingest too: say so."""
    strays = sorted(
        p.name for plan in plans for p in directory.glob(plan.glob) if p.name not in written
    )
    if strays:
        warnings.warn(
            f"{directory} also holds {len(strays)} file(s) matching the sample customers' "
            f"globs that this run did not write (e.g. {strays[0]!r}); ingest would read them "
            "too — generate into an empty directory",
            stacklevel=3,
        )


def _apply(content: FileContent, changes: Sequence[tuple[int, str, int]]) -> FileContent:
    entries = list(content.entries)
    for index, label, quantity in changes:
        row = entries[index]
        assert row is not None
        sizes = tuple((lab, quantity if lab == label else q) for lab, q in row.sizes)
        entries[index] = replace(row, sizes=sizes)
    return replace(content, entries=tuple(entries))


def _choose_changes(
    content: FileContent, fraction: float, rng: random.Random
) -> list[tuple[int, str, int]]:
    """Pick rows (last occurrence of their key only, never a typo row) and a new size
    quantity for each."""
    last: dict[Key, int] = {}
    for index, entry in enumerate(content.entries):
        if entry is not None:
            last[entry.key] = index
    for key, index in list(last.items()):
        entry = content.entries[index]
        if entry is not None and entry.typo is not None:
            del last[key]
    effective = sorted(last.values())
    wanted = min(len(effective), max(1, round(fraction * len(content.rows))))
    changes = []
    for index in sorted(rng.sample(effective, wanted)):
        row = content.entries[index]
        assert row is not None
        label, quantity = row.sizes[rng.randrange(len(row.sizes))]
        delta = rng.randint(1, max(1, quantity // 4))
        new = quantity - delta if quantity - delta > 0 and rng.random() < 0.5 else quantity + delta
        changes.append((index, label, new))
    return changes


def mutate_sample_data(
    dataset: SampleDataSet, *, files: int = 4, fraction: float = 0.01, seed: int = 1
) -> list[tuple[str, str, str]]:
    """Change one size quantity in ``fraction`` of the data rows of ``files`` files.

    The chosen files are rewritten in place with the same rows in the same
    order and the same rendering (placeholders and typos included); every other
    file is left untouched.  Only rows that are the last occurrence of their
    business key are changed, so each change is visible after de-duplication;
    typo rows (``SampleDataSet.bad_cells``) never are.  Returns the business keys
    (AAG ORDER NUMBER, PLANNED DELIVERY METHOD, CUSTOMER STYLE) of the changed
    rows, by file path then row order.  Repeated calls accumulate.
    """
    record = dataset.generation
    if record is None:
        raise ValueError("dataset was not produced by generate_sample_data")
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    candidates = [p for p in dataset.files if record.data_rows.get(p.name, 0) > 0]
    if not 0 <= files <= len(candidates):
        raise ValueError(f"files must be between 0 and {len(candidates)}")
    rng = random.Random(f"ordersync-sample:mutate:{seed}")
    keys: list[tuple[str, str, str]] = []
    for path in sorted(rng.sample(candidates, files)):
        plan, file_index = record.plan_of(path.name)
        content = customer_files(plan, record.orders[plan.index], record.seed)[file_index]
        history = record.mutations.setdefault(path.name, [])
        content = _apply(content, history)
        changes = _choose_changes(content, fraction, rng)
        content = _apply(content, changes)
        write_file(plan, content, path.parent)
        history.extend(changes)
        for index, _, _ in changes:
            row = content.entries[index]
            assert row is not None
            keys.append(row.key)
    return keys
