"""Stage 1, ingest: customer workbooks → ``staging_orders`` + ``staging_lines`` + ``rejected_rows``.

Entry point :func:`ingest`.  The source folders (local, Azure Blob, S3: see
``ordersync.sources``) are listed and each file compared with its last ingest
(``changes``): unchanged files are skipped — objects in storage without being
downloaded.  The rest are fetched (objects in parallel) and prepared in
parallel (the Excel reader releases the GIL) batch by batch within
``sources.batch_mb``, then written: every row read is either staged or rejected
with its reason, and a bad file fails on its own with a clear message while the
other files still load.  Files no folder lists any more are reported missing.

The reading and loading modules (polars, fastexcel, SQLAlchemy, and the object
storage libraries for a local folder) are imported only once some file has to be
read: a run that finds every file unchanged is done in a fraction of the time
importing them takes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

from ordersync import timing
from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import (
    ColumnTypeConflict,
    ConfigError,
    IngestError,
    Location,
    foreign_reason,
    is_bug,
)
from ordersync.ingest.changes import Pending, fetch, list_sources, listed_names, select
from ordersync.ingest.files import (
    Discovery,
    KnownFile,
    SourceFile,
    content_hash,
    discover,
    known_files,
    record_unread,
)
from ordersync.ingest.report import FileReport, IngestReport
from ordersync.logs import log_event
from ordersync.names import look_alikes

if TYPE_CHECKING:
    import polars as pl

    from ordersync.ingest.outcome import FileOutcome
    from ordersync.ingest.prepare import PreparedBatch
    from ordersync.sources import Entry

__all__ = ["FileReport", "IngestReport", "ingest"]

logger = logging.getLogger(__name__)


def ingest(config: Config, db: Database, *, dry_run: bool = False,
           progress: Callable[[str], None] | None = None) -> IngestReport:
    """Read every changed source file into staging; see the module docstring.

    ``progress`` is called with each file's name as it starts being read.
    """
    if not config.sources.profiles:
        raise ConfigError("sources.profiles", [
            "sources.profiles: no customer profile is configured; add [sources.profiles.CODE] "
            "tables (see `ordersync init`)"])
    listings = list_sources(config)
    found = discover(config, listings)
    known = known_files(db)
    warnings = _new_schema(db) if not known else []
    warnings += [f"{name}: no profile's glob matches it; it was not read" for name in
                 found.unmatched] + _unmatched_profiles(config, found, known)
    reports = [FileReport(name, "/".join(codes), "failed", error=str(IngestError(
        Location(name), f"matches profiles {', '.join(codes)}, so it was not read",
        "make their globs exclusive"))) for name, codes in found.ambiguous]
    if not dry_run:  # failed files are recorded, for status, runs and the report to count
        record_unread(db, [(r.path, r.profile, r.error or "") for r in reports], known)
    present = {s.display for s in found.files} | {name for name, _ in found.ambiguous}
    policy = config.sources.missing_files
    missing = []
    if not present.issuperset(known):
        from ordersync.ingest.load import mark_missing

        missing = mark_missing(db, known, present, dry_run=dry_run)
    listed = listed_names(listings, config) if missing else set()
    for path, profile, live in missing:
        fate = ("flagged REMOVED by the merge" if policy == "remove"
                else "kept as they are (sources.missing_files = \"keep\")")
        where = ("no profile's glob matches it any more" if path in listed
                 else "gone from the folder")
        reports.append(FileReport(path, profile or "", "missing", reason=where, notes=(
            f"{path}: {where}; its {live} order(s) are {fate}",)))
    todo, skipped = select(config, found.files, known, db)
    reports += skipped
    timing.lap("scan")
    if not todo:
        reports.sort(key=lambda r: r.path)
        return IngestReport(tuple(reports), (), found.unmatched, tuple(warnings), dry_run)

    # Only what reading needs: the first files are read while the rest (SQLAlchemy above
    # all, for the loading) is imported.
    import polars as pl

    from ordersync.ingest.headers import detect_layout
    from ordersync.ingest.outcome import FileOutcome
    from ordersync.ingest.prepare import SheetInput
    from ordersync.ingest.reader import read_fitting

    def read(pending: Pending, download: Future[bytes | IngestError]) -> FileOutcome:
        data = download.result()
        source, fingerprint = pending.file, pending.fingerprint
        digest = pending.digest or (content_hash(data) if isinstance(data, bytes) else "")
        outcome = FileOutcome(source, digest, fingerprint, None, reason=pending.reason)
        try:
            if isinstance(data, IngestError):
                raise data
            previous = known.get(source.display)
            if (pending.digest is None and not pending.forced and previous
                    and previous.unchanged(digest, fingerprint)):
                return outcome  # same bytes under a new etag: recorded, not staged again
            sheet, layout, notes = read_fitting(
                source.path, source.display, data, source.profile,
                lambda sheet: detect_layout(sheet, config, source.profile))
        except IngestError as exc:
            return outcome.failed(str(exc))
        except BaseException as exc:  # a reader bug must fail the file, not the run
            if not is_bug(exc):
                raise
            return outcome.failed(_unexpected(source, exc))
        return replace(outcome, input=SheetInput(sheet, layout, source.profile),
                       notes=notes + layout.notes)

    def download(pending: Pending) -> bytes | IngestError:
        try:
            return fetch(pending, progress)
        except IngestError as exc:
            return exc

    new_columns: dict[str, None] = {}
    names: list[pl.DataFrame] = []
    seen: set[str] = set()  # the labels of the columns read
    stamps: list[tuple[int, Entry]] = []
    # Files go in batches of bounded size, so memory stays flat however many there are.
    # While one batch is written (on one writer thread) the next is prepared and the one
    # after downloaded and read (the reader releases the GIL), and the first is read while
    # the database is opened: at most three batches are in memory at once.
    batches = list(_batches(todo, config.sources.batch_mb << 20, config.sources.threads))
    writing: Future[list[tuple[list[FileOutcome], PreparedBatch | None, tuple[str, ...]]]] | None
    writing = None

    def written() -> None:
        """Wait for the batch being written; take its reports and new columns."""
        nonlocal writing, reports
        if writing is None:
            return
        with timing.step("load"):
            for outcomes, batch, added in writing.result():
                new_columns.update(dict.fromkeys(added))
                reports += _reports(outcomes, batch)
        writing = None

    with ThreadPoolExecutor(max_workers=config.sources.threads) as pool, \
            ThreadPoolExecutor(max_workers=config.sources.connections) as downloads, \
            ThreadPoolExecutor(max_workers=1) as writer:

        def submit(batch: list[Pending]) -> list[Future[FileOutcome]]:
            fetched = [downloads.submit(download, pending) for pending in batch]
            return [pool.submit(read, pending, data)
                    for pending, data in zip(batch, fetched, strict=True)]

        reading = submit(batches[0])
        from ordersync.ingest.load import (
            analyze_staging,
            pending_columns,
            record_stamps,
            start_loading,
        )

        if not dry_run:
            with timing.step("load"):
                start_loading(db)
        for number in range(len(batches)):
            with timing.step("read"):
                read_all = [future.result() for future in reading]
            if number + 1 < len(batches):
                reading = submit(batches[number + 1])
            rest = []
            for outcome in read_all:
                if outcome.input is None and outcome.error is None:
                    reports.append(FileReport(outcome.source.display, outcome.source.profile_code,
                                              "skipped", reason="unchanged (same bytes)"))
                    stamps.append((known[outcome.source.display].id, outcome.source.entry))
                else:
                    rest.append(outcome)
            outcomes, batch = _prepare(rest, config)
            del read_all, rest
            if batch is not None:
                names.append(batch.names)
                seen.update(request.label for request in batch.columns)
            if dry_run:
                new_columns.update(dict.fromkeys(pending_columns(db, batch)))
                reports += _reports(outcomes, batch)
            else:
                # One batch is written (on one writer thread: the database sees one writer,
                # in batch order) while the next is prepared; the database is touched by
                # nothing else meanwhile.
                written()
                writing = writer.submit(_write_all, db, config, outcomes, batch)
            # Drop the batch here: the writer holds it until it is written.
            del outcomes, batch
        written()
    if not dry_run:
        with timing.step("load"):
            record_stamps(db, stamps)
            analyze_staging(db)
    reports.sort(key=lambda r: r.path)
    warnings += [f"{r.path}: it holds no orders (a header and no rows): any orders it held "
                 "are flagged REMOVED — if it was sent by mistake, put the full file back"
                 for r in reports
                 if r.status == "staged" and not r.rows_read and r.path in known]
    alike = look_alikes(pl.concat(names).unique().iter_rows()) if names else ()
    warnings += _unknown_merge_columns(config, db, seen)
    return IngestReport(tuple(reports), tuple(new_columns), found.unmatched, tuple(warnings),
                        dry_run, tuple(str(a) for a in alike))


def _new_schema(db: Database) -> list[str]:
    """PostgreSQL: the warning for an ingest into a schema that does not exist yet while
    other schemas of the database hold ordersync's tables — a mistyped database.schema starts
    a new, empty order list, and its sync would put every order on the board again."""
    if db.is_sqlite or db.schema_exists():
        return []
    others = db.schemas_with_tables()
    if not others:
        return []
    listed = ", ".join(repr(o) for o in others[:5]) + (
        f" and {len(others) - 5} more" if len(others) > 5 else "")
    warning = (f"database.schema {db.schema!r} does not exist in {db.display_url}: ordersync "
               "creates it as it first writes there, with a new, empty order list, while "
               f"schema(s) {listed} of this database hold ordersync's tables — if the schema "
               "is misspelled, fix database.schema before the next sync (the board would get "
               "every order again)")
    log_event(logger, "new_schema", warning, level=logging.WARNING, schema=db.schema,
              other_schemas=others)
    return [warning]


def _unmatched_profiles(config: Config, found: Discovery,
                        known: dict[str, KnownFile]) -> list[str]:
    """Profiles no file has ever matched (a glob that misses its files, as a rule); an
    empty folder is said once.  A profile matching a file another profile matches too
    matches it (that file fails, saying so)."""
    if not found.files and not found.ambiguous and not known:
        return ["no file in the source folder matches a profile's glob: nothing was read "
                "(check sources.directory and the profiles' globs)"]
    matched = ({f.profile_code for f in found.files} | {k.profile for k in known.values()}
               | {code for _, codes in found.ambiguous for code in codes})
    return [f"profile {code}: no file matches its glob {', '.join(map(repr, profile.glob))} "
            "(check it against the files' names)"
            for code, profile in config.sources.profiles.items() if code not in matched]


def _unknown_merge_columns(config: Config, db: Database, seen: set[str]) -> list[str]:
    """The merge settings naming a column no file has (a typo, as a rule): said, since
    they would otherwise change nothing in silence."""
    named: dict[str, tuple[tuple[str, ...], str]] = {
        f"merge.hash_columns: {label!r}": ((label,), "its changes are not seen")
        for label in config.merge.hash_columns}
    if config.merge.cancel.column:
        named[f"merge.cancel.column {config.merge.cancel.column!r}"] = (
            (config.merge.cancel.column,), "no order is read as cancelled")
    for setting, template in (("names.group", config.names.group_template),
                              ("names.item", config.names.item_template)):
        for part in template.parts:
            if not isinstance(part, str) and config.columns.customer not in part.columns:
                named[f"{setting}: {{{'|'.join(part.columns)}}}"] = (
                    part.columns, "every row without it is rejected")
    if not seen:  # no file was read: nothing to say about their columns
        return []
    known = seen
    # The database only when the files read do not settle it (they do, as a rule).
    if any(not known.intersection(labels) for labels, _ in named.values()) \
            and db.has_table("order_columns"):
        from ordersync.db.schema import registered_columns

        with db.begin() as conn:
            known = seen | {c.label for c in registered_columns(db, conn)}
    return [f"{what} is a column of no file read: {effect} — check its spelling against the "
            "files' headers" for what, (labels, effect) in named.items()
            if not known.intersection(labels)]


def _reports(outcomes: list[FileOutcome], batch: PreparedBatch | None) -> list[FileReport]:
    from ordersync.ingest.totals import total_warnings

    stats = iter(batch.stats if batch else ())
    warnings = total_warnings(batch)
    reports = []
    for index, outcome in enumerate(o for o in outcomes):
        report = outcome.report(next(stats) if outcome.input else None)
        if outcome.input is not None and index in warnings:
            report = replace(report, notes=report.notes + warnings[index])
        if report.rows_read - report.rows_blank >= 2 and report.rows_staged == 0:
            report = replace(report, notes=(*report.notes, _all_rejected(report)))
        reports.append(report)
    return reports


def _all_rejected(report: FileReport) -> str:
    """A file none of whose rows could be taken: as a rule its layout, not its data."""
    return (f"{report.path}: every one of its {report.rows_read - report.rows_blank:,} rows "
            "was rejected — most likely the file is laid out otherwise than ordersync reads "
            "it (the header row, a header over two rows such as a SIZES band above the "
            "sizes, the size marker columns): `ordersync rejects --file "
            f"'{report.path}'` lists why")


def _write_all(db: Database, config: Config, outcomes: list[FileOutcome],
               batch: PreparedBatch | None
               ) -> list[tuple[list[FileOutcome], PreparedBatch | None, tuple[str, ...]]]:
    return list(_write(db, config, outcomes, batch))


def _write(db: Database, config: Config, outcomes: list[FileOutcome],
           batch: PreparedBatch | None
           ) -> Iterator[tuple[list[FileOutcome], PreparedBatch | None, tuple[str, ...]]]:
    """Write a batch; if the database refuses it, write its files one by one, and fail only
    the file it refuses (with the reason), so no file is left loading."""
    from ordersync.ingest.load import write_outcomes

    try:
        yield outcomes, batch, write_outcomes(db, outcomes, batch)
        return
    except ColumnTypeConflict as exc:
        # A file making a column another type than the database holds fails alone, with
        # what to check; the others load (after a config change every file says so).
        problem, hint = exc.problems[0], None
    except ConfigError:
        raise
    except BaseException as exc:
        if not is_bug(exc):
            raise
        problem = f"the database refused the file's rows ({foreign_reason(exc)})"
        hint = "please report it with the file"
        if _TOO_MANY_COLUMNS.search(str(exc)):
            problem = ("the order list would pass the database's limit on columns in a table "
                       "(SQLite 2,000, PostgreSQL 1,600 — ordersync's own columns and every "
                       "column any file ever brought count); this batch brings "
                       f"{len(batch.columns) if batch else 0:,} of its own")
            hint = ("delete the file's empty and unneeded columns, or map them onto existing "
                    "ones with the profile's aliases")
    if sum(1 for o in outcomes if o.input) <= 1:
        failed = [o.failed(str(IngestError(Location(o.source.display), problem, hint)))
                  if o.input else o for o in outcomes]
        yield failed, None, write_outcomes(db, failed, None)
        return
    for outcome in outcomes:
        alone, single = _prepare([outcome], config)
        yield from _write(db, config, alone, single)


def _prepare(outcomes: list[FileOutcome], config: Config
             ) -> tuple[list[FileOutcome], PreparedBatch | None]:
    """Prepare the readable files in one batch; isolate any file the batch cannot take."""
    from ordersync.ingest.prepare import column_conflicts, prepare_batch

    conflicts = column_conflicts([o.input for o in outcomes if o.input])
    readable = iter(range(len(outcomes)))
    checked = []
    for outcome in outcomes:
        if outcome.input is None:
            checked.append(outcome)
            continue
        index = next(readable)
        if index in conflicts:
            location = Location(outcome.source.display, outcome.input.sheet.sheet)
            outcome = outcome.failed(str(IngestError(location, conflicts[index])))
        checked.append(outcome)
    inputs = [o.input for o in checked if o.input]
    if not inputs:
        return checked, None
    try:
        return checked, prepare_batch(inputs, config)
    except BaseException as exc:
        if not is_bug(exc):  # else a bug on some file's data: find it, fail it alone
            raise
    isolated = []
    for outcome in checked:
        if outcome.input is not None:
            try:
                prepare_batch([outcome.input], config)
            except BaseException as exc:
                if not is_bug(exc):
                    raise
                outcome = outcome.failed(_unexpected(outcome.source, exc))
        isolated.append(outcome)
    inputs = [o.input for o in isolated if o.input]
    return isolated, prepare_batch(inputs, config) if inputs else None


def _batches(todo: list[Pending], limit: int, least: int = 1) -> Iterator[list[Pending]]:
    """Consecutive groups of files whose sizes add up to at most ``limit`` bytes, with at
    least ``least`` files each (one per reader thread: files larger than a batch would
    otherwise be read one at a time)."""
    batch: list[Pending] = []
    size = 0
    for item in todo:
        weight = item.size // 4 if item.file.path.suffix.lower() == ".csv" else item.size
        if len(batch) >= least and size + weight > limit:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += weight
    if batch:
        yield batch


_TOO_MANY_COLUMNS = re.compile(r"too many columns|tables can have at most \d+ columns", re.I)
"""SQLite's and PostgreSQL's refusal of one more column."""


def _unexpected(source: SourceFile, exc: BaseException) -> str:
    return str(IngestError(Location(source.display),
                           f"unexpected error ({type(exc).__name__}: {foreign_reason(exc)})",
                           "please report it with the file"))
