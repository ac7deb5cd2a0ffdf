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


URL_HINT = "check database.url in the config (or ORDERSYNC_DATABASE_URL)"
"""What to do about a database that cannot be reached: only then is the URL the suspect."""

REPORT_HINT = ("run the command again; if it fails the same way, run it with --debug and "
               "report the error")
"""A refusal of no known kind: nothing for the user to fix, something for us to know."""

# A connection that could not be made: libpq's and the server's words for it.
_CONNECTION_WORDS = ("connection refused", "could not connect", "connection failed",
                     "failed to resolve host", "could not translate host name",
                     "name or service not known", "nodename nor servname", "timeout expired",
                     "password authentication failed", "no password supplied",
                     "authentication failed", "role \"", "database \"", "no route to host",
                     "server does not support ssl", "connection timed out")
_TABLE_IN_STATEMENT = re.compile(
    r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|ALTER\s+TABLE|TRUNCATE|COPY|LOCK\s+TABLE)\s+'
    r'(?:ONLY\s+)?("(?:[^"]|"")+"|[\w.]+)', re.IGNORECASE)
_TABLE_IN_SQLITE_CONSTRAINT = re.compile(r"constraint failed: ([^.\s,]+)\.", re.IGNORECASE)
_PRIVILEGE_OBJECT = re.compile(r"(?:permission denied for|must be owner of) "
                               r"(database|schema|table|relation|sequence|index|view) "
                               r"\"?([^\"]+?)\"?$", re.IGNORECASE)


@dataclass(frozen=True)
class Refusal:
    """A database driver's error, read for what to do about it."""

    reason: str
    """The driver's message, on one line."""
    sqlstate: str | None = None
    """PostgreSQL's SQLSTATE (``23505``…); None from SQLite and for a failed connection."""
    table: str | None = None
    """The table the refused statement wrote, or the constraint it broke belongs to."""

    @classmethod
    def of(cls, exc: BaseException) -> Refusal:
        """``exc`` (SQLAlchemy's wrapper, or the driver's own error) read."""
        orig = getattr(exc, "orig", None) or exc
        reason = " ".join(str(orig).split())
        diag = getattr(orig, "diag", None)
        table = getattr(diag, "table_name", None) if diag is not None else None
        found = _TABLE_IN_SQLITE_CONSTRAINT.search(reason)
        if table is None and found:
            table = found.group(1)
        statement = getattr(exc, "statement", None)
        if table is None and isinstance(statement, str):
            found = _TABLE_IN_STATEMENT.search(statement)
            table = found.group(1).strip('"').replace('""', '"') if found else None
        return cls(reason, getattr(orig, "sqlstate", None), table)

    @property
    def kind(self) -> str:
        """``permission``, ``constraint``, ``catalog race``, ``connection`` or ``other``."""
        lowered, state = self.reason.lower(), self.sqlstate or ""
        if state == "42501" or "permission denied" in lowered or "must be owner" in lowered:
            return "permission"
        if state.startswith("23") or "constraint failed" in lowered \
                or ("violates" in lowered and "constraint" in lowered):
            # Two sessions creating the same table or schema at once collide in the catalog.
            catalog = (self.table or "").startswith("pg_") or '"pg_' in lowered
            return "catalog race" if catalog else "constraint"
        if state == "XX000" and "tuple concurrently" in lowered:
            return "catalog race"
        if state.startswith(("08", "28", "3D")) or (
                not state and any(word in lowered for word in _CONNECTION_WORDS)):
            return "connection"
        return "other"


def database_hint(reason: str | Refusal, *, opening: bool = True,
                  user: str | None = None) -> str | None:
    """What to do about a database's refusal, by its kind; None when it is none of those
    a user can fix.  ``opening=False`` leaves out the hints about a file or a server that
    cannot be opened (for a refusal on a connection that could be opened); ``user`` is the
    database user the URL names, if it names one."""
    refusal = reason if isinstance(reason, Refusal) else Refusal(reason)
    lowered = refusal.reason.lower()
    hints = _BUSY_HINTS + (_DATABASE_HINTS if opening else ())
    hint = next((hint for text, hint in hints if text in lowered), None)
    if hint is not None:
        return hint
    kind = refusal.kind
    if kind == "permission":
        return _privilege_hint(refusal.reason, f"user {user}" if user else "the database user")
    if kind == "catalog race":
        return ("another session was creating the same tables or schema at the same moment "
                "(two ordersync commands started together on a new database): run the "
                "command again")
    if kind == "constraint":
        table = f"table {refusal.table!r}" if refusal.table else "one of its tables"
        return (f"a bug in ordersync, or another program writing ordersync's {table} at the "
                "same time: run the command again; if it fails the same way, report it (with "
                "the output of --debug), naming the table")
    if kind == "connection" and opening:
        return f"{URL_HINT} and that the server is running and lets this user in"
    return None


def _privilege_hint(reason: str, user: str) -> str:
    """Which privilege the database ``user`` lacks, and who gives it how."""
    found = _PRIVILEGE_OBJECT.search(reason.strip().rstrip("."))
    what, name = (found.group(1).lower(), found.group(2)) if found else ("", "")
    if "must be owner" in reason.lower():
        return (f"ordersync adds columns and indexes to its tables as files bring new headers, "
                f"which only a table's owner may do: run it as the user that created the "
                f"tables, or have an administrator make {user} their owner (ALTER TABLE "
                f"{name or '…'} OWNER TO …)")
    if what == "database":
        return (f"{user} lacks CREATE on database {name!r}, needed to create the schema "
                "(database.schema): have an administrator create the schema for it (CREATE "
                f"SCHEMA … AUTHORIZATION …) or grant it (GRANT CREATE ON DATABASE {name} TO …)")
    if what == "schema":
        return (f"{user} lacks USAGE (to read) or CREATE (to create tables) on schema "
                f"{name!r}: have an administrator grant them (GRANT USAGE, CREATE ON SCHEMA "
                f"{name} TO …), or run as the schema's owner")
    if what in ("table", "relation", "view", "sequence"):
        return (f"{user} may not use {what} {name!r}: the commands that only read (status, "
                "runs, report…) need SELECT on ordersync's tables; run, ingest, merge, sync "
                "and verify need SELECT, INSERT, UPDATE and DELETE, and to own them — run as "
                "the tables' owner, or have an administrator grant them (GRANT … ON ALL "
                "TABLES IN SCHEMA … TO …)")
    return (f"{user} lacks a privilege this command needs: run it as the user that owns "
            "ordersync's schema and tables, or have an administrator grant it")


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
    refusal = Refusal.of(exc)
    reason = foreign_reason(getattr(exc, "orig", None) or exc)
    return f"the database refused: {reason} — {database_hint(refusal) or REPORT_HINT}"
