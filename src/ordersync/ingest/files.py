"""Which files to read: matching the source folder against the customer profiles.

Every supported file in ``sources.directory`` is matched against the profiles'
globs.  A file matched by no profile, or by two, is reported — never silently
skipped and never read twice.  Excel's own lock files (``~$name.xlsx``) are
ignored.  The config fingerprint covers every setting that shapes staged rows,
so changing one re-reads files whose bytes did not change.  What each file held at
its last ingest (:func:`known_files`) decides which files are read again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ordersync.config import Config, ProfileConfig
from ordersync.db import Database
from ordersync.states import FileStatus

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
CSV_SUFFIXES = frozenset({".csv"})
SUPPORTED_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES


@dataclass(frozen=True)
class SourceFile:
    """A file to ingest and the profile that reads it."""

    path: Path
    display: str  # path relative to the source folder, with forward slashes
    profile_code: str
    profile: ProfileConfig


@dataclass(frozen=True)
class Discovery:
    files: tuple[SourceFile, ...]
    unmatched: tuple[str, ...]  # supported files no profile claims
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...]  # (file, profiles) claimed twice


def discover(config: Config) -> Discovery:
    root = config.source_dir
    claims: dict[Path, list[str]] = {}
    for code, profile in config.sources.profiles.items():
        for pattern in profile.glob:
            for path in root.glob(pattern):
                if path.is_file() and not path.name.startswith("~$"):
                    claims.setdefault(path, [])
                    if code not in claims[path]:
                        claims[path].append(code)
    files, ambiguous = [], []
    for path in sorted(claims):
        display = path.relative_to(root).as_posix()
        codes = claims[path]
        if len(codes) > 1:
            ambiguous.append((display, tuple(codes)))
            continue
        files.append(SourceFile(path, display, codes[0], config.sources.profiles[codes[0]]))
    unmatched = tuple(
        p.relative_to(root).as_posix()
        for p in sorted(root.rglob("*")) if root.is_dir()
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not p.name.startswith("~$") and p not in claims
    ) if root.is_dir() else ()
    return Discovery(tuple(files), unmatched, tuple(ambiguous))


def config_fingerprint(config: Config, profile: ProfileConfig) -> str:
    """Hash of every setting that changes what a file stages."""
    shaping = {
        "profile": profile.model_dump(mode="json"),
        "columns": config.columns.model_dump(mode="json"),
        "sizes": config.sizes.model_dump(mode="json"),
        "merge": config.merge.model_dump(mode="json"),
        "names": config.names.model_dump(mode="json"),
        "customers": config.customers,
        "seasons": config.seasons,
        # Every profile's customer is a canonical name a row may carry.
        "known_customers": sorted({p.customer for p in config.sources.profiles.values()}),
        "header_search_rows": config.sources.header_search_rows,
    }
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class KnownFile:
    """A file as the last ingest left it."""

    id: int
    profile: str | None
    status: str
    content_hash: str | None
    config_hash: str | None

    def unchanged(self, content_hash: str, fingerprint: str) -> bool:
        return (self.status in (FileStatus.STAGED, FileStatus.MERGED)
                and self.content_hash == content_hash and self.config_hash == fingerprint)


def known_files(db: Database) -> dict[str, KnownFile]:
    """Every file an earlier ingest saw, by display path (a peek: no SQLAlchemy needed)."""
    with db.peek() as peek:
        if not peek.has_table(db.tables.ingest_files):
            return {}
        rows = peek.rows("SELECT id, path, profile, status, content_hash, config_hash "
                         f"FROM {db.quote_raw(db.tables.ingest_files)}")
    return {path: KnownFile(id_, profile, status, content, config)
            for id_, path, profile, status, content, config in rows}
