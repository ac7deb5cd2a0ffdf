"""What an ingest did, file by file: the result the CLI and the demo print."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FileReport:
    """What happened to one file."""

    path: str
    profile: str
    status: str  # staged | skipped | failed | missing
    rows_read: int = 0
    rows_staged: int = 0
    rows_rejected: int = 0
    rows_blank: int = 0
    error: str | None = None
    notes: tuple[str, ...] = ()
    """What the user should know though nothing failed (a hidden sheet skipped…)."""
    reason: str | None = None  # why it was read (new, changed, …) or skipped (unchanged)


@dataclass(frozen=True)
class IngestReport:
    files: tuple[FileReport, ...]
    new_columns: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    dry_run: bool = False
    look_alikes: tuple[str, ...] = ()
    """Groups of this ingest's rows that look like one customer's one season."""

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_staged(self) -> int:
        return sum(f.rows_staged for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)
