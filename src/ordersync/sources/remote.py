"""A source folder in object storage, through fsspec (adlfs for Azure Blob, s3fs for S3).

Listing returns every object under the prefix with its etag, size and
last-modified time, from list calls only; an object's body is read only when
ingest asks for it.  A read is checked against the listing: if the object's
etag changed between the list and the end of the read (it was replaced while
being read), the bytes are thrown away and the file is read again next run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ordersync.errors import IngestError, Location, SourceError
from ordersync.sources import Entry, SourceOptions
from ordersync.sources.location import SourceLocation, mask
from ordersync.sources.storage import Failure, classify, credentials_hint, endpoint_of, filesystem


class RemoteSource:
    """Objects under ``container/prefix`` (or ``bucket/prefix``)."""

    stamps_identify_content = True

    def __init__(self, location: SourceLocation, options: SourceOptions,
                 fs: Any | None = None) -> None:
        self.location = location
        self.options = options
        self.fs = fs if fs is not None else filesystem(location, options)

    # -- listing ---------------------------------------------------------------------------

    def list(self) -> list[Entry]:
        try:
            found = self.fs.find(self.location.root, detail=True, withdirs=False)
            if not found:
                self._check_container()
        except SourceError:
            raise
        except Exception as exc:
            raise self._listing_error(exc) from exc
        prefix = self.location.root + "/"
        entries = []
        for name, info in found.items():
            name = name.lstrip("/")
            if not name.startswith(prefix) or info.get("type") == "directory":
                continue
            entries.append(Entry(name.removeprefix(prefix), int(info.get("size") or 0),
                                 _etag(info), _modified(info)))
        return sorted(entries, key=lambda e: e.path)

    def _check_container(self) -> None:
        """An empty listing: tell a missing container or bucket from an empty prefix."""
        container = self.location.root.split("/", 1)[0]
        if not self.fs.exists(container):
            raise self._no_container()

    def _no_container(self) -> SourceError:
        container = self.location.root.split("/", 1)[0]
        kind = "container" if self.location.protocol == "az" else "bucket"
        return SourceError(self.location.display, f"the {kind} {container!r} does not exist",
                           f"check the {kind} name in `directory`, and that the credentials "
                           "point at the right account")

    def _listing_error(self, exc: Exception) -> SourceError:
        failure = classify(exc)
        where = self.location.display
        if failure is Failure.DENIED:
            return SourceError(where, "the storage refused the credentials (wrong key or token, "
                                      "or no permission to list and read)",
                               f"check the credentials: {credentials_hint(self.location)}")
        if failure is Failure.NOT_FOUND:
            return self._no_container()
        if failure is Failure.UNREACHABLE:
            return SourceError(where, f"cannot reach {mask(endpoint_of(self.location))} "
                                      f"({mask(_reason(exc))})",
                               "check the network, or the endpoint in "
                               + ("AZURE_STORAGE_CONNECTION_STRING" if self.location.protocol
                                  == "az" else "AWS_ENDPOINT_URL"))
        return SourceError(where, f"cannot list the objects ({mask(_reason(exc))})",
                           credentials_hint(self.location))

    # -- reading ---------------------------------------------------------------------------

    def read(self, entry: Entry) -> bytes:
        path = f"{self.location.root}/{entry.path}"
        try:
            data = bytes(self.fs.cat_file(path))
            after = self.fs.info(path)
        except Exception as exc:
            raise self._read_error(entry, exc) from exc
        if _etag(after) != entry.etag or len(data) != int(after.get("size") or 0):
            raise IngestError(Location(entry.path),
                              "the object was replaced while it was being read; it was not "
                              "ingested", "it is read again by the next ingest")
        return data

    def _read_error(self, entry: Entry, exc: Exception) -> IngestError:
        failure = classify(exc)
        if failure is Failure.NOT_FOUND:
            return IngestError(Location(entry.path), "the object was deleted after it was listed",
                               "the next ingest reports it missing")
        if failure is Failure.DENIED:
            return IngestError(Location(entry.path), "reading the object was refused",
                               f"check its permissions and {credentials_hint(self.location)}")
        return IngestError(Location(entry.path),
                           f"cannot read the object ({mask(_reason(exc))})",
                           "it is read again by the next ingest")


def _etag(info: dict[str, Any]) -> str | None:
    value = info.get("etag") or info.get("ETag")
    return str(value).strip('"') if value else None


def _modified(info: dict[str, Any]) -> str | None:
    value = info.get("last_modified") or info.get("LastModified") or info.get("mtime")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC).isoformat()
    return str(value) if value else None


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
