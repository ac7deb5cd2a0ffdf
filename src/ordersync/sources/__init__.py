"""Where the workbooks come from: a local folder or object storage, behind one interface.

A :class:`Source` lists the files under its folder as :class:`Entry` rows
(relative path, size, and for object storage the etag and last-modified time)
and reads one file's bytes.  Ingest decides from the entries what to read:
object storage's etag/size/last-modified say whether an object changed without
downloading it; a local file is content-hashed as before.

    Source
    ├── LocalSource   a folder on disk (``orders``, ``/data/orders``, ``file:///data/orders``)
    └── RemoteSource  fsspec: ``az://container/prefix`` (adlfs), ``s3://bucket/prefix`` (s3fs), …

:func:`open_source` builds the right one from a configured directory; credentials
come from the environment only (``storage.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ordersync.sources.location import SourceLocation, mask, parse_location


@dataclass(frozen=True)
class Entry:
    """One file under a source folder, as listed."""

    path: str  # relative to the folder, forward slashes
    size: int
    etag: str | None = None  # object storage only
    modified: str | None = None  # ISO 8601, object storage only


@dataclass(frozen=True)
class SourceOptions:
    """How a remote source talks to its store (from ``[sources]``)."""

    retries: int = 5
    """Attempts of one storage request on a transient error (timeouts, 5xx, throttling)."""
    timeout: float = 60.0
    """Seconds to wait for a connection or a response before it counts as a transient error."""


class Source(Protocol):
    """A folder of workbooks."""

    location: SourceLocation

    @property
    def stamps_identify_content(self) -> bool:
        """Whether an entry's unchanged etag, size and modified time mean unchanged bytes,
        so the file need not be read to know it is unchanged."""
        ...

    def list(self) -> list[Entry]:
        """Every file under the folder (recursively); raises ``SourceError`` if it cannot."""
        ...

    def read(self, entry: Entry) -> bytes:
        """The entry's bytes; raises ``IngestError`` when this one file cannot be read or
        changed since it was listed."""
        ...


def open_source(directory: str, base_dir: Path, options: SourceOptions | None = None
                ) -> Source:
    """The source for a configured directory (a path or a URL)."""
    location = parse_location(directory, base_dir)
    if location.is_local:
        from ordersync.sources.local import LocalSource
        return LocalSource(location)
    from ordersync.sources.remote import RemoteSource
    return RemoteSource(location, options or SourceOptions())


__all__ = ["Entry", "Source", "SourceLocation", "SourceOptions", "mask", "open_source",
           "parse_location"]
