"""What to read: the source folders listed, each file compared with its last ingest.

An object in object storage whose etag, size and last-modified time equal what
the last successful ingest recorded is unchanged without being downloaded; a
local file is unchanged when its content hash is (modification times survive
copies).  A file read because its stamp changed but whose bytes hash the same
is unchanged too: its new stamp is recorded so the next run does not read it.
Files recorded before and gone are reported by ``load.mark_missing``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import ConfigError, IngestError, Location, SourceError
from ordersync.ingest.files import (
    KnownFile,
    SourceFile,
    config_fingerprint,
    content_hash,
    directory_of,
)
from ordersync.ingest.report import FileReport
from ordersync.sources import Entry, Source, SourceOptions, open_source
from ordersync.states import FileStatus

Listings = dict[str, tuple[Source, Sequence[Entry]]]


@dataclass(frozen=True)
class Pending:
    """A file that will be read, and why."""

    file: SourceFile
    fingerprint: str
    reason: str  # new | changed | config changed | failed last time | back
    digest: str | None  # known already for a local file (hashed to decide)
    size: int
    forced: bool = False  # read and staged even if its bytes are unchanged


def list_sources(config: Config) -> Listings:
    """Every configured directory's source and listing (``SourceError`` if one fails)."""
    options = SourceOptions(retries=config.sources.retries, timeout=config.sources.timeout)
    listings: Listings = {}
    for profile in config.sources.profiles.values():
        directory = directory_of(config, profile)
        if directory in listings:
            continue
        try:
            source = open_source(directory, config.base_dir, options)
        except ValueError as exc:
            raise ConfigError("sources.directory", [f"{directory}: {exc}"]) from None
        listings[directory] = (source, source.list())
    return listings


def reason_to_read(previous: KnownFile | None, fingerprint: str) -> str:
    if previous is None:
        return "new"
    if previous.status == FileStatus.MISSING:
        return "back"
    if previous.status not in (FileStatus.STAGED, FileStatus.MERGED):
        return f"{previous.status} last time"
    if previous.config_hash != fingerprint:
        return "config changed"
    return "changed"


def select(config: Config, files: Sequence[SourceFile], known: dict[str, KnownFile],
           db: Database | None = None) -> tuple[list[Pending], list[FileReport]]:
    """Split the files into those to read and those unchanged (reported as skipped).

    With ``db``, an unchanged file holding duplicates of an order whose file is read is
    read too (:func:`duplicate_holders`)."""
    todo, skipped = _select(config, files, known)
    if db is None or not todo or not known:
        return todo, skipped
    holders = duplicate_holders(db, {p.file.display for p in todo})
    if not holders:
        return todo, skipped
    # read whatever their bytes (the staging of unchanged bytes is skipped otherwise)
    todo += [Pending(file, config_fingerprint(config, file.profile), _HOLDER, None,
                     file.entry.size, forced=True) for file in files if file.display in holders]
    return (sorted(todo, key=lambda p: p.file.display),
            [report for report in skipped if report.path not in holders])


def duplicate_holders(db: Database, read: Collection[str]) -> frozenset[str]:
    """The files not in ``read`` holding a row rejected as a duplicate of an order a file
    in ``read`` holds: with them read too, the order goes to one of their rows should its
    own file have dropped it (see ``ingest_duplicate_holders.sql``)."""
    with db.peek() as peek:
        if not peek.has_table(db.tables.orders) or not peek.has_table(db.tables.rejected_rows):
            return frozenset()
        pairs = peek.rows(db.sql("ingest_duplicate_holders"))
    return frozenset(str(loser) for loser, winner in pairs
                     if winner in read and loser not in read)


def _select(config: Config, files: Sequence[SourceFile], known: dict[str, KnownFile]
            ) -> tuple[list[Pending], list[FileReport]]:
    todo: list[Pending] = []
    skipped: list[FileReport] = []
    fingerprints: dict[str, str] = {}  # per profile: the same for all of its files
    for file in files:
        if file.profile_code not in fingerprints:
            fingerprints[file.profile_code] = config_fingerprint(config, file.profile)
        fingerprint = fingerprints[file.profile_code]
        previous = known.get(file.display)
        if file.source.stamps_identify_content:
            if previous is not None and previous.same_stamp(file.entry, fingerprint):
                skipped.append(FileReport(file.display, file.profile_code, "skipped",
                                          reason="unchanged"))
                continue
            todo.append(Pending(file, fingerprint, reason_to_read(previous, fingerprint),
                                None, file.entry.size))
            continue
        try:
            data = file.source.read(file.entry)
        except IngestError:
            data = b""  # reading it again fails it with the reason
        digest = content_hash(data)
        if previous is not None and previous.unchanged(digest, fingerprint):
            skipped.append(FileReport(file.display, file.profile_code, "skipped",
                                      reason="unchanged"))
            continue
        todo.append(Pending(file, fingerprint, reason_to_read(previous, fingerprint), digest,
                            len(data)))
    return todo, skipped


_HOLDER = "holds a duplicate of an order of a file read again"


def fetch(pending: Pending, progress: Callable[[str], None] | None) -> bytes:
    """The file's bytes, checked against what was listed or hashed; IngestError if not."""
    file = pending.file
    if progress:
        progress(file.display)
    try:
        data = file.source.read(file.entry)
    except IngestError as exc:
        raise IngestError(Location(file.display), exc.problem, exc.hint) from exc
    if pending.digest is not None and content_hash(data) != pending.digest:
        raise IngestError(Location(file.display), "the file changed while being read",
                          "run the command again once it is saved")
    return data


def listed_names(listings: Listings, config: Config) -> set[str]:
    """The names of every file the folders list, as ``ingest_files`` records them."""
    listed: set[str] = set()
    for directory, (source, entries) in listings.items():
        prefix = "" if directory == config.sources.directory else \
            source.location.display.rstrip("/") + "/"
        listed.update(prefix + e.path for e in entries)
    return listed


__all__ = ["Listings", "Pending", "SourceError", "fetch", "list_sources", "listed_names",
           "select"]
