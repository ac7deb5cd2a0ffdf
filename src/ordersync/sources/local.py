"""A source folder on the local disk (or a network share, or a folder OneDrive syncs)."""

from __future__ import annotations

from pathlib import Path

from ordersync.errors import IngestError, Location, SourceError
from ordersync.sources import Entry
from ordersync.sources.location import SourceLocation


class LocalSource:
    """Files under a local folder.  Modification times survive copies and restores, so a
    local file's bytes are always hashed to know whether it changed."""

    stamps_identify_content = False

    def __init__(self, location: SourceLocation) -> None:
        self.location = location
        self.root = Path(location.root)

    def list(self) -> list[Entry]:
        if not self.root.is_dir():
            raise SourceError(self.location.display, "the folder does not exist",
                              "create it or fix `directory` in the config")
        entries = []
        for path in self.root.rglob("*"):
            if path.is_file():
                try:
                    size = path.stat().st_size
                except OSError:
                    size = 0  # gone since listed: reading it fails it with the reason
                entries.append(Entry(path.relative_to(self.root).as_posix(), size))
        return sorted(entries, key=lambda e: e.path)

    def read(self, entry: Entry) -> bytes:
        try:
            return (self.root / entry.path).read_bytes()
        except OSError as exc:
            raise IngestError(Location(entry.path),
                              f"cannot read the file ({exc.strerror or exc})",
                              "check that it exists and is readable") from exc
