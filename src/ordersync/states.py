"""The closed sets that describe an order's life: change kinds, sync states and actions."""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    """What the last merge found for an order."""

    NEW = "NEW"
    CHANGED = "CHANGED"
    UNCHANGED = "UNCHANGED"
    CANCELLED = "CANCELLED"
    REMOVED = "REMOVED"


class SyncState(StrEnum):
    """Where a header or line stands with the board."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SYNCED = "SYNCED"
    FAILED = "FAILED"


class SyncAction(StrEnum):
    """What the board needs for a header or line."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"
    REMOVE = "REMOVE"


class FileStatus(StrEnum):
    """Where a source file stands in ``ingest_files``."""

    LOADING = "loading"  # being staged; rows of a file left here by a crash are discarded
    STAGED = "staged"  # rows are in staging, waiting for merge
    MERGED = "merged"
    FAILED = "failed"
