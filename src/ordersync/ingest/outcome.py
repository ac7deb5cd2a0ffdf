"""A file after reading: the sheet to prepare, or the error that failed it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ordersync.ingest.files import SourceFile
from ordersync.ingest.prepare import FileStats, SheetInput
from ordersync.ingest.report import FileReport


@dataclass(frozen=True)
class FileOutcome:
    """A file after reading: the sheet to prepare, or the error that failed it."""

    source: SourceFile
    content_hash: str
    fingerprint: str
    input: SheetInput | None
    error: str | None = None
    reason: str | None = None  # why it was read: new, changed, config changed…
    notes: tuple[str, ...] = ()

    def failed(self, error: str) -> FileOutcome:
        return replace(self, input=None, error=error)

    def report(self, stats: FileStats | None) -> FileReport:
        if stats is None:
            return FileReport(self.source.display, self.source.profile_code, "failed",
                              error=self.error, notes=self.notes, reason=self.reason)
        return FileReport(self.source.display, self.source.profile_code, "staged",
                          rows_read=stats.rows_read, rows_staged=stats.rows_staged,
                          rows_rejected=stats.rows_rejected, rows_blank=stats.rows_blank,
                          notes=self.notes, reason=self.reason)
