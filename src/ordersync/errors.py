"""The error tree: every failure a user can cause is one of these, with its context.

    OrderSyncError
    ├── ConfigError            bad or missing configuration (key path, value, expected)
    ├── IngestError            a file cannot be read (file, sheet, row, column)
    │   └── FileRejected       the whole file is skipped; other files still load
    ├── SourceError            the source folder, container or bucket cannot be listed
    │                          (its URL with secrets masked, the variable to set)
    ├── DatabaseError          the database is unreachable or refuses a statement
    │   └── DatabaseBusy       another ordersync process holds the ingest (nothing done)
    ├── UnknownCustomerError   a --customer name matches no customer (the known ones listed)
    └── SyncError              talking to monday.com (issue #4)
        ├── FatalSyncError     stop the run (auth, board not found)
        │   ├── BoardMismatch  the board's columns do not fit [monday] (preflight)
        │   ├── CapacityExceeded  the sync would pass a board's item limit: nothing sent
        │   └── BoardGone      a routed board is gone from monday: its orders wait, the
        │                      other boards go on (its route, the two ways out)
        ├── RetriableSyncError wait and retry (rate limits, 5xx, timeouts)
        └── RecordSyncError    fail one record, go on

Messages are built from the context, and name the next step where one exists.
The CLI prints ``str(error)`` as one line and exits 1.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass


class OrderSyncError(Exception):
    """Root of every error ordersync raises on purpose."""


class ConfigError(OrderSyncError):
    """The configuration is missing or invalid; ``problems`` lists every issue found."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid configuration in {source}:\n{lines}")


class ColumnTypeConflict(ConfigError):
    """A column's values are of another type than the database holds for it: a config
    change, or one file whose layout makes it another kind of column than the others."""

    def __init__(self, label: str, stored: str, wanted: str) -> None:
        self.label, self.stored, self.wanted = label, stored, wanted
        super().__init__("columns", [
            f"column {label!r} holds {stored} values in the database but is {wanted} here: "
            "if the config changed, put the column back in the list it was in, or rebuild "
            "the database (remove the SQLite file / drop the tables); if one file makes it "
            "another kind of column (check its size marker columns), fix that file"])


@dataclass(frozen=True)
class Location:
    """Where in a workbook something happened; any part may be unknown."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


class IngestError(OrderSyncError):
    """A problem reading a source file."""

    def __init__(self, location: Location, problem: str, hint: str | None = None) -> None:
        self.location = location
        self.problem = problem
        self.hint = hint
        message = f"{location}: {problem}"
        if hint:
            message += f" — {hint}"
        super().__init__(message)


class FileRejected(IngestError):
    """The whole file is rejected (corrupt, encrypted, no header, missing key column)."""


class SourceError(OrderSyncError):
    """The source folder, container or bucket cannot be listed; nothing is read.

    ``url`` is shown as given (the caller masks secrets); ``hint`` names the
    environment variable or setting to fix.
    """

    def __init__(self, url: str, problem: str, hint: str | None = None) -> None:
        self.url = url
        self.problem = problem
        self.hint = hint
        super().__init__(f"{url}: {problem}" + (f" — {hint}" if hint else ""))


class DatabaseError(OrderSyncError):
    """The database cannot be reached or refused a statement."""


class DatabaseBusy(DatabaseError):
    """Another ordersync process is ingesting into (or merging) the same database: this one
    did nothing, so that neither takes the other's half-loaded files for a crash's."""

    def __init__(self) -> None:
        super().__init__(
            "another ordersync run is reading files into this database right now (two runs "
            "at once: an overlapping cron job?); this one did nothing — the next run reads "
            "whatever changed, or run again once the other has finished")


class UnknownCustomerError(OrderSyncError):
    """``--customer`` names that match no customer; the message lists the known ones."""

    def __init__(self, unknown: Sequence[str], known: Sequence[str]) -> None:
        self.unknown = tuple(unknown)
        self.known = tuple(known)
        listed = ", ".join(self.known) if self.known else "none yet (run `ordersync run` first)"
        names = ", ".join(repr(n) for n in self.unknown)
        super().__init__(
            f"--customer {names}: no such customer (a customer is matched by its canonical "
            f"name or its profile code, case-insensitively); known customers: {listed}")


class SyncError(OrderSyncError):
    """Base for errors talking to monday.com."""


class FatalSyncError(SyncError):
    """Stop the run: nothing further can succeed (bad token, board not found)."""


class RetriableSyncError(SyncError):
    """Wait and retry: rate limits, server faults, timeouts."""


class RecordSyncError(SyncError):
    """One record failed; the rest of the batch goes on."""


class BoardMismatch(FatalSyncError):
    """The boards do not fit the ``[monday]`` mapping (found before anything is written);
    ``problems`` names each config key, the column id and what the board has."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the monday.com board does not match [monday] in the config — nothing "
                         f"was written; fix the config (or the board), then run again:\n{lines}")


class CapacityExceeded(FatalSyncError):
    """The sync would fill a board past ``items_per_board`` (or an order has no route):
    refused before anything is sent; ``problems`` lists each board with its fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__("the sync does not fit monday's limits, so nothing was sent "
                         f"(`ordersync plan` shows every board's fill):\n{lines}")


class BoardGone(FatalSyncError):
    """A routed board monday.com no longer shows (deleted, archived, or not shared with the
    token's user): fatal for that board only — its orders wait, the other boards sync.
    The message names the board, its route and the two ways out; the sync never makes
    the route a new board on its own (a board restored from monday's trash would then be
    a second board for the route)."""

    def __init__(self, board_id: str, name: str, route: str, *, part: int = 1,
                 pinned: bool = False) -> None:
        self.board_id, self.name, self.route, self.part = board_id, name, route, part
        self.pinned = pinned
        if route:
            where = f"route {route!r}" + (f", part {part}" if part > 1 else "")
            new = f"`ordersync sync --new-board {shlex.quote(route)}`"
            instead = (f"; or pin the route to another board in [monday.routing.boards] (or "
                       f"unpin it), then run {new}" if pinned else
                       f"; or, to give the route a new board from the template and create "
                       f"its orders there, run {new}")
        else:  # orders placed on monday.board_id before routing was set
            where = "monday.board_id, where orders went before routing was set"
            instead = ""
        super().__init__(
            f"board {board_id} ({name!r}, {where}) is gone from monday.com — deleted, "
            "archived, or no longer shared with the MONDAY_API_TOKEN user: its orders wait, "
            "nothing was sent to it; restore the board on monday.com (its trash or archive) "
            f"and run `ordersync sync`{instead}")


def is_bug(exc: BaseException) -> bool:
    """Whether ``exc`` is a failure to contain (fail one file) rather than the end of the
    process: any Exception, and the panic of a Rust extension (the Excel reader, polars),
    which derives from BaseException."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


_LIBRARY_WORDS = re.compile(
    r"\b(python_calamine|calamine|fastexcel|polars|adbc_driver_\w+|adbc|pyarrow|psycopg|"
    r"sqlalchemy)\b[\w.]*(\s*error)?[\s:]*", re.IGNORECASE)


def foreign_reason(exc: BaseException) -> str:
    """The first line of a foreign exception's message, without the library's name."""
    lines = str(exc).strip().splitlines()
    text = _LIBRARY_WORDS.sub("", lines[0]).strip(" :") if lines else ""
    return text or type(exc).__name__


_DATABASE_MODULES = ("sqlite3", "sqlalchemy.exc", "psycopg", "adbc_driver")
_DATABASE_HINTS = (
    ("file is not a database", "database.url points at a file that is not an SQLite "
     "database: point it at the ordersync database, or at a new file"),
    ("readonly database", "the database file or its folder is read-only: ordersync writes "
     "the file and its -wal / -journal files beside it"),
    ("unable to open database file", "the database's folder does not exist or cannot be "
     "written: create it, or fix database.url"),
)
# Refusals of a database that is there and works: what to do is not in the URL.
_BUSY_HINTS = (
    ("disk i/o error", "the disk refused a write: check the free space and the file system"),
    ("database or disk is full", "the disk holding the database is full: free some space "
     "there, then run the command again"),
    ("no space left on device", "the disk holding the database is full: free some space "
     "there, then run the command again"),
    ("database is locked", "another program kept the database busy for a minute (another "
     "ordersync command, or a tool with the file open): let it finish or close it, then "
     "run the command again"),
    ("deadlock detected", "another session was writing the same rows: run the command again"),
    ("lock timeout", "another session held the tables too long: run the command again once "
     "it is done"),
    ("statement timeout", "the server's statement_timeout stopped the statement: raise it "
     "for ordersync's user, then run the command again"),
    ("terminating connection", "the server closed the connection: check that it is running, "
     "then run the command again"),
    ("server closed the connection", "the server closed the connection: check that it is "
     "running, then run the command again"),
)


def database_hint(reason: str, *, opening: bool = True) -> str | None:
    """What to do about a database's refusal, by its reason; None when it is none of those
    a user can fix.  ``opening=False`` leaves out the hints about a file that cannot be
    opened (for a refusal on a connection that could be opened)."""
    lowered = reason.lower()
    hints = _BUSY_HINTS + (_DATABASE_HINTS if opening else ())
    return next((hint for text, hint in hints if text in lowered), None)


def file_problem(exc: BaseException) -> str | None:
    """One line for a file or folder the system refused (an output path in a read-only
    folder, under a file, in a folder that does not exist), or None when ``exc`` is not
    such an error."""
    if not isinstance(exc, OSError) or not exc.filename:
        return None
    path = exc.filename
    if isinstance(exc, PermissionError):
        why = "permission denied — choose another path, or let this user write there"
    elif isinstance(exc, (FileExistsError, NotADirectoryError)):
        why = "a file is in the way where a folder is needed — choose another path"
    elif isinstance(exc, FileNotFoundError):
        why = "no such file or folder — check the path (a file is written only into a " \
              "folder that exists)"
    elif isinstance(exc, IsADirectoryError):
        why = "it is a folder — name a file"
    else:
        why = f"{exc.strerror or type(exc).__name__} — check the path"
    return f"{path}: {why}"


def database_problem(exc: BaseException) -> str | None:
    """One line for a database driver's error a user can fix (a file that is no database,
    a read-only file), or None when ``exc`` is not a database driver's error."""
    chain = [exc, getattr(exc, "orig", None), exc.__cause__]
    if not any(e is not None and type(e).__module__.startswith(_DATABASE_MODULES)
               for e in chain):
        return None
    reason = foreign_reason(getattr(exc, "orig", None) or exc)
    hint = database_hint(reason) or ("check database.url in the config and that the "
                                     "database is reachable")
    return f"the database refused: {reason} — {hint}"
