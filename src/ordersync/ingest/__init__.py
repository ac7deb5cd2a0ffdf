"""Stage 1, ingest: customer workbooks → ``staging_orders`` + ``staging_lines`` + ``rejected_rows``.

Entry point :func:`ingest`.  Files whose bytes and shaping config are unchanged
since their last successful ingest are skipped.  The rest are read and
prepared in parallel (the Excel reader releases the GIL), then written: every
row read is either staged or rejected with its reason, and a bad file fails on
its own with a clear message while the other files still load.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import ConfigError, IngestError, Location
from ordersync.ingest.files import SourceFile, config_fingerprint, content_hash, discover
from ordersync.ingest.headers import detect_layout
from ordersync.ingest.load import FileOutcome, known_files, pending_columns, write_outcomes
from ordersync.ingest.prepare import prepare_sheet
from ordersync.ingest.reader import read_sheet
from ordersync.ingest.report import FileReport, IngestReport

__all__ = ["FileReport", "IngestReport", "ingest"]


def ingest(config: Config, db: Database, *, dry_run: bool = False,
           progress: Callable[[str], None] | None = None) -> IngestReport:
    """Read every changed source file into staging; see the module docstring."""
    if not config.sources.profiles:
        raise ConfigError("sources.profiles", [
            "sources.profiles: no customer profile is configured; add [sources.profiles.CODE] "
            "tables (see `ordersync init`)"])
    if not config.source_dir.is_dir():
        raise ConfigError("sources.directory", [
            f"sources.directory: folder {config.source_dir} does not exist"])
    found = discover(config)
    known = known_files(db)
    warnings = [f"{name}: matches profiles {', '.join(codes)}; make their globs exclusive"
                for name, codes in found.ambiguous]
    warnings += [f"{name}: no profile's glob matches it; it was not read" for name in
                 found.unmatched]

    todo: list[tuple[SourceFile, bytes, str, str]] = []
    reports: list[FileReport] = []
    for source in found.files:
        data = source.path.read_bytes()
        digest, fingerprint = content_hash(data), config_fingerprint(config, source.profile)
        previous = known.get(source.display)
        if previous is not None and previous.unchanged(digest, fingerprint):
            reports.append(FileReport(source.display, source.profile_code, "skipped"))
            continue
        todo.append((source, data, digest, fingerprint))

    def work(item: tuple[SourceFile, bytes, str, str]) -> FileOutcome:
        source, data, digest, fingerprint = item
        if progress:
            progress(source.display)
        try:
            sheet = read_sheet(source.path, source.display, data, source.profile.sheet)
            layout = detect_layout(sheet, config, source.profile)
            prepared = prepare_sheet(sheet, layout, config, source.profile)
        except IngestError as exc:
            return FileOutcome(source, digest, fingerprint, None, str(exc))
        except Exception as exc:  # a reader bug must fail the file, not the run
            error = IngestError(Location(source.display), f"unexpected error: {exc!r}")
            return FileOutcome(source, digest, fingerprint, None, str(error))
        return FileOutcome(source, digest, fingerprint, prepared, None)

    with ThreadPoolExecutor(max_workers=config.sources.threads) as pool:
        outcomes = list(pool.map(work, todo))

    new_columns = pending_columns(db, outcomes) if dry_run else write_outcomes(db, outcomes)
    for outcome in outcomes:
        reports.append(outcome.report())
    reports.sort(key=lambda r: r.path)
    return IngestReport(tuple(reports), new_columns, found.unmatched, tuple(warnings), dry_run)
