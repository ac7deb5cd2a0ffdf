"""The database seam: one object that owns the engine, quoting, SQL files and bulk loads.

SQLite (the default, a file in WAL mode) and PostgreSQL (psycopg 3) are both
served through SQLAlchemy Core.  Bulk loads take each engine's fast path:
ADBC ingest straight from Arrow on SQLite, ``COPY … FROM STDIN`` on PostgreSQL.
Values are always bound; identifiers (which come from spreadsheet headers such
as ``CUSTOMER'S COLOUR CODE``) are always quoted by :meth:`Database.quote`.

SQLAlchemy (and polars) are imported when first needed: ``status`` and a run that
finds nothing to do read through :meth:`Database.peek`, a plain driver connection,
and finish before SQLAlchemy would have finished importing.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache, cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

from ordersync.config import Config, TablesConfig
from ordersync.db.peek import Peek, PostgresPeek, SqlitePeek
from ordersync.db.url import DatabaseURL, parse_url
from ordersync.errors import REPORT_HINT, URL_HINT, DatabaseError, Refusal, database_hint

if TYPE_CHECKING:
    import polars as pl
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Engine

_SQL_PACKAGE = "ordersync.db"
SQLITE_PAGE_SIZE = 16384
"""Bytes per page of a SQLite database ordersync creates (see ``_create_engine``)."""


@cache
def search_path_option(schema: str) -> str:
    """libpq's ``options`` putting ``schema`` alone on the search path, quoted as an
    identifier (so its case and any space survive: ``-csearch_path=MySchema`` would find
    ``myschema``)."""
    quoted = '"' + schema.replace('"', '""') + '"'
    return "-csearch_path=" + quoted.replace("\\", "\\\\").replace(" ", "\\ ")


def _sql_text(name: str) -> str:
    return resources.files(_SQL_PACKAGE).joinpath("sql", f"{name}.sql").read_text("utf-8")


def _engine_url(url: DatabaseURL) -> sa.URL:
    from sqlalchemy.engine import make_url

    parsed = make_url(url.render(hide_password=False))
    if url.backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


class Database:
    """A database ordersync reads and writes; create with a URL (see ``database.url``)."""

    def __init__(self, url: str, *, schema: str | None = None,
                 tables: TablesConfig | None = None) -> None:
        self.url = url
        self.tables = tables or TablesConfig()
        self.schema = schema or None
        self._open_transactions = 0
        self._count_lock = threading.Lock()  # the sync may write from several threads
        self._journal = "wal"  # SQLite: see rollback_journal
        self._schema_ready = False  # ensure_schema found or made it
        self.system_columns_checked = False
        """Whether ``create_tables`` has added the system columns an older ordersync lacked."""
        try:
            self._url = parse_url(url)
        except ValueError as exc:
            raise DatabaseError(f"cannot open database: {exc}") from exc
        self.dialect = self._url.backend

    @cached_property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, created (and SQLAlchemy imported) on first use."""
        try:
            return self._create_engine(_engine_url(self._url))
        except Exception as exc:  # driver import or URL errors
            raise DatabaseError(f"cannot open database {self.display_name}: {exc}") from exc

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, safe to print."""
        return self._url.render(hide_password=True)

    @property
    def display_name(self) -> str:
        """The database as messages name it: the URL (password hidden) and, on PostgreSQL,
        the configured schema — which decides what tables are seen as much as the URL."""
        if self.schema and not self.is_sqlite:
            return f"{self.display_url} (schema {self.schema!r})"
        return self.display_url

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _create_engine(self, url: sa.URL) -> Engine:
        import sqlalchemy as sa

        if self.dialect == "sqlite":
            # NullPool: no SQLite connection outlives its transaction.  The ADBC bulk
            # path links its own copy of SQLite; two copies must never hold the same
            # file open at once in one process (sqlite.org/howtocorrupt.html §2.2.1).
            engine = sa.create_engine(url, connect_args={"timeout": 60},
                                      poolclass=sa.pool.NullPool)

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                # Let SQLAlchemy's BEGIN be the transaction boundary (pysqlite otherwise
                # delays it), and keep writers and readers out of each other's way.
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                # Pages of 16 KiB, not 4: a new database only (a file keeps the page size
                # it was created with).  Orders rows are ~1 KB wide; a first load of 50,000
                # orders writes and checkpoints 190 MB, and its merge, lines and commit
                # took 2.35 → 1.9 s with the bigger pages (32 and 64 KiB: no better).
                cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
                cur.execute("PRAGMA busy_timeout=60000")
                mode = self._journal_mode(cur)
                # A rollback journal is synced at every commit (NORMAL would risk the file
                # on a power cut); the WAL is safe with NORMAL.
                cur.execute(f"PRAGMA synchronous={'NORMAL' if mode == 'wal' else 'FULL'}")
                cur.execute("PRAGMA temp_store=MEMORY")
                cur.close()

            @sa.event.listens_for(engine, "begin")
            def _begin(conn: Connection) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        options = {"options": search_path_option(self.schema)} if self.schema else {}
        return sa.create_engine(url, connect_args=options, pool_pre_ping=True)

    def _journal_mode(self, cursor: Any) -> str:
        """Put the file in the journal mode connections should use now (WAL, except inside
        :meth:`rollback_journal`); the mode the file is in, if it cannot be changed."""
        import sqlite3

        wanted = self._journal
        if wanted != "wal":
            # Leaving WAL needs the file to itself: refused at once (not after the busy
            # timeout) while another connection has it open, and then WAL it stays.
            cursor.execute("PRAGMA busy_timeout=0")
        try:
            return str(cursor.execute(f"PRAGMA journal_mode={wanted}").fetchone()[0]).lower()
        except sqlite3.OperationalError:
            return str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        finally:
            cursor.execute("PRAGMA busy_timeout=60000")

    @contextmanager
    def rollback_journal(self) -> Iterator[None]:
        """SQLite: the connections opened inside write through a rollback journal instead
        of the WAL, when no other connection has the file open; back to WAL on leaving.

        For a transaction that fills the database (the merge of a first load): the WAL
        writes every new page twice (to the log, then to the file at the checkpoint), a
        rollback journal once.  The WAL is what lets readers read while a writer writes,
        so a reader in another process waits for such a transaction to end.
        """
        if not self.is_sqlite:
            yield
            return
        self._journal = "delete"
        try:
            yield
        finally:
            self._journal = "wal"
            if self._open_transactions == 0:
                with self.engine.connect():
                    pass  # the connect hook puts the file back in WAL

    # -- connections -------------------------------------------------------------------------

    def _count(self, step: int) -> None:
        with self._count_lock:
            self._open_transactions += step

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        import sqlalchemy as sa

        self._count(+1)
        connected = False
        try:
            with self.engine.begin() as conn:
                connected = True
                yield conn
        except sa.exc.DBAPIError as exc:
            raise self._refused(exc, connecting=not connected) from exc
        finally:
            self._count(-1)

    @contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[Connection]:
        """Like :meth:`begin`, but rolled back at the end when ``dry_run``: nothing is kept."""
        if not dry_run:
            with self.begin() as conn:
                yield conn
            return
        import sqlalchemy as sa

        self._count(+1)
        connected = False
        try:
            with self.engine.connect() as conn:
                connected = True
                trans = conn.begin()
                try:
                    yield conn
                finally:
                    trans.rollback()
        except sa.exc.DBAPIError as exc:
            raise self._refused(exc, connecting=not connected) from exc
        finally:
            self._count(-1)

    def _refused(self, exc: BaseException, *, connecting: bool,
                 opening: bool = False) -> DatabaseError:
        """One line naming the database, the driver's reason and what to do about it.

        What to do depends on the kind of refusal (``errors.database_hint``): a privilege
        the user lacks names it and who grants it; a broken constraint is a bug or another
        writer, to report with its table; a database that is there and refuses (a lock held
        for too long, a full disk) says what to do about that; only a connection that could
        not be made (or was lost) points at the URL and the server or folder.
        """
        refusal = Refusal.of(exc)
        hint = database_hint(refusal, opening=opening, user=self._url.username)
        if hint is None and (connecting or getattr(exc, "connection_invalidated", False)):
            where = ("that its folder exists and can be written" if self.is_sqlite
                     else "that the server is running and lets this user in")
            hint = f"{URL_HINT} and {where}"
        return DatabaseError(f"database {self.display_name}: {refusal.reason} — "
                             f"{hint or REPORT_HINT}")

    def ensure_schema(self) -> None:
        """Create the PostgreSQL schema named in the config, if any, when it does not exist.

        Only then: PostgreSQL checks the right to create schemas (CREATE on the database)
        before it looks whether the schema exists, so ``CREATE SCHEMA IF NOT EXISTS`` on
        every run locked out a user who owns its schema but may not create others.
        """
        if not self.schema or self.is_sqlite or self._schema_ready:
            return
        try:
            with self.begin() as conn:
                if self.scalar(conn, _SCHEMA_EXISTS, {"s": self.schema}) is None:
                    self.execute(conn, f"CREATE SCHEMA IF NOT EXISTS {self.quote(self.schema)}")
        except DatabaseError as exc:
            cause = exc.__cause__
            if cause is None or _sqlstate(cause) != _INSUFFICIENT_PRIVILEGE:
                raise
            raise self._schema_refused(cause) from cause
        self._schema_ready = True  # a schema is not dropped under a running command

    def schema_exists(self) -> bool:
        """Whether the configured PostgreSQL schema exists (SQLite, or no schema: True)."""
        if not self.schema or self.is_sqlite:
            return True
        with self.peek() as peek:
            return bool(peek.rows(_SCHEMA_EXISTS, {"s": self.schema}))

    def schemas_with_tables(self) -> list[str]:
        """PostgreSQL: the schemas of the database other than the one in use (the configured
        one, or the server's default) that hold ordersync's tables — a mistyped schema
        finds none of its own, and should say where they are."""
        if self.is_sqlite:
            return []
        with self.peek() as peek:
            return [str(r[0]) for r in peek.rows(
                "SELECT o.schemaname FROM pg_catalog.pg_tables o JOIN pg_catalog.pg_tables f "
                "ON f.schemaname = o.schemaname AND f.tablename = :files "
                "WHERE o.tablename = :orders AND o.schemaname IS DISTINCT FROM "
                "COALESCE(:schema, current_schema()) ORDER BY o.schemaname",
                {"orders": self.tables.orders, "files": self.tables.ingest_files,
                 "schema": self.schema})]

    def _schema_refused(self, exc: BaseException) -> DatabaseError:
        """The schema is missing and this user may not create one: who can fix it, how."""
        with self.peek() as peek:
            user, database = peek.rows("SELECT current_user, current_database()")[0]
        schema, role = self.quote_raw(self.schema or ""), self.quote_raw(str(user))
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        return DatabaseError(
            f"database {self.display_url}: schema {self.schema!r} (database.schema) does not "
            f"exist, and user {user} may not create it ({reason}) — have an administrator "
            f"create it for this user (CREATE SCHEMA {schema} AUTHORIZATION {role}) or "
            f"allow it to create schemas (GRANT CREATE ON DATABASE "
            f"{self.quote_raw(str(database))} TO {role}), or fix database.schema if it is "
            "misspelled")

    def has_table(self, role: str) -> bool:
        """Whether one of ordersync's tables (by role) exists yet: read-only commands and
        dry runs must not create the schema."""
        with self.peek() as peek:
            return peek.has_table(getattr(self.tables, role))

    @property
    def sqlite_file(self) -> str | None:
        """The SQLite database's file (None for PostgreSQL, or a database in memory)."""
        path = self._url.database if self.is_sqlite else None
        return None if path in (None, "", ":memory:") else path

    @contextmanager
    def peek(self) -> Iterator[Peek]:
        """A short read-only look through the driver itself, without SQLAlchemy.

        For the reads that decide there is nothing to do, and for ``status``.  No
        transaction of :meth:`begin` may be open on SQLite at the same time (the
        ADBC note in ``_create_engine`` applies).
        """
        self._count(+1)
        try:
            if self.is_sqlite:
                peek: Peek = SqlitePeek(self._url.database)
            else:
                peek = PostgresPeek(self._url, self.schema)
        except Exception as exc:  # sqlite3 / psycopg: a missing server, a refused login
            self._count(-1)
            raise self._refused(exc, connecting=True) from exc
        try:
            yield peek
        except Exception as exc:  # a statement the database refused: said as one line
            if not type(exc).__module__.startswith(("sqlite3", "psycopg")):
                raise
            # SQLite reads a file at its first statement: that is where a file that is no
            # database, or one that cannot be opened, shows.
            raise self._refused(exc, connecting=False, opening=self.is_sqlite) from exc
        finally:
            peek.close()
            self._count(-1)

    def dispose(self) -> None:
        if "engine" in self.__dict__:  # never created: nothing to dispose
            self.engine.dispose()

    # -- SQL text ----------------------------------------------------------------------------

    def quote(self, identifier: str) -> str:
        """Quote an identifier for a ``sqlalchemy.text()`` statement.

        Embedded quotes are doubled and colons escaped (``text()`` would read
        ``:NAME`` as a bind parameter); ``text()`` also escapes ``%`` for
        psycopg.  Every statement that carries an identifier goes through
        ``text()`` — never ``exec_driver_sql``, where ``%`` in a header such as
        ``DUTY RATE %`` would be taken for a placeholder.
        """
        return '"' + identifier.replace('"', '""').replace(":", "\\:") + '"'

    @staticmethod
    def quote_raw(identifier: str) -> str:
        """Quote an identifier for a statement sent to the driver as is (COPY)."""
        return '"' + identifier.replace('"', '""') + '"'

    def table(self, role: str) -> str:
        """The quoted name of one of ordersync's tables, by role (``orders``, ``order_lines``…)."""
        return self.quote(getattr(self.tables, role))

    def sql(self, name: str, **identifiers: str) -> str:
        """Load ``db/sql/NAME.sql``, fill table names and the given pre-quoted identifier lists.

        Placeholders are ``{orders}``-style names; values are never placed here,
        they are bound as ``:name`` parameters by the caller.  ``identifiers`` may stand in
        for a table too (``orders="(SELECT …) AS orders"``).
        """
        tables = {role: self.table(role) for role in TablesConfig.model_fields}
        dialect = {
            "uuid": _UUID_SQL[self.dialect],
            "now": "CURRENT_TIMESTAMP",
            "distinct": "IS NOT" if self.is_sqlite else "IS DISTINCT FROM",
        }
        return _sql_text(name).format_map({**tables, **dialect, **_SQL_FRAGMENTS, **identifiers})

    # -- bulk load ---------------------------------------------------------------------------

    def bulk_append(self, table: str, frame: pl.DataFrame) -> int:
        """Append ``frame`` to ``table`` (unquoted name) in its own transaction, fast.

        SQLite: ADBC ingest from Arrow (its own connection, so no other write
        transaction may be open).  PostgreSQL: COPY of a CSV rendering.  Callers
        make a crash between this commit and their own harmless (see ``ingest``).
        """
        import polars as pl

        if frame.height == 0:
            return 0
        frame = frame.with_columns(
            pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date
        )
        if self.is_sqlite:
            return self._adbc_append(table, frame)
        with self.begin() as conn:
            return self._copy_append(conn, table, frame)

    def lock(self, conn: Connection, name: str) -> None:
        """Hold a named lock until ``conn``'s transaction ends, so two processes never run
        the same stage at once.  SQLite's BEGIN IMMEDIATE already serialises writers."""
        if not self.is_sqlite:
            self.execute(conn, "SELECT pg_advisory_xact_lock(hashtext(:name))",
                         {"name": f"ordersync:{self.schema or ''}:{name}"})

    def lock_nowait(self, conn: Connection, roles: Sequence[str]) -> bool:
        """Take ``roles``' tables for ``conn``'s transaction alone, if no one else holds them
        right now (else False, without waiting and with the transaction unharmed).

        SQLite: the open write transaction already excludes every other writer.
        """
        if self.is_sqlite:
            return True
        import sqlalchemy as sa

        names = ", ".join(self.table(role) for role in roles)
        try:
            with conn.begin_nested():
                self.execute(conn, f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE NOWAIT")
        except sa.exc.OperationalError:  # lock_not_available: someone is using them
            return False
        return True

    @contextmanager
    def indexes_built_after(self, conn: Connection, roles: Sequence[str]) -> Iterator[None]:
        """PostgreSQL: ``roles``' indexes (primary keys too) dropped for the block and built
        again at its end, in ``conn``'s transaction — for tables the block fills from empty
        (a first load): one build over the rows costs less than keeping the indexes up row
        by row (the lines of 50,000 orders: 0.58 → 0.35 s, the orders 0.37 → 0.23 s).

        Only when no one else holds the tables right now (:meth:`lock_nowait`) and nothing
        depends on their indexes (a foreign key of the user's); else, and on SQLite (no
        faster there, measured), the block runs as it is.  If the block fails, the rollback
        of the transaction brings the indexes back.
        """
        if self.is_sqlite or not self.lock_nowait(conn, roles):
            yield
            return
        import psycopg
        import sqlalchemy as sa

        tables = {role: self.quote_raw(getattr(self.tables, role)) for role in roles}
        found = [(tables[role], index) for role in roles for index in self.rows(
            conn, self.sql("table_indexes"), {"table": tables[role]})]
        try:
            with conn.begin_nested():
                for table, index in found:
                    _as_written(conn, f"ALTER TABLE {table} DROP CONSTRAINT "
                                      f"{self.quote_raw(index.constraint_name)}"
                                if index.constraint_name
                                else f"DROP INDEX {self.quote_raw(index.name)}")
        except (sa.exc.DBAPIError, psycopg.Error):  # something of the user's depends on one
            yield                                     # (a foreign key)
            return
        yield
        for table, index in found:  # the definitions as the catalog wrote them
            _as_written(conn, f"ALTER TABLE {table} ADD CONSTRAINT "
                              f"{self.quote_raw(index.constraint_name)} "
                              f"{index.constraint_definition}" if index.constraint_name
                        else index.definition)

    def analyze(self, conn: Connection, table: str, columns: Sequence[str] = ()) -> None:
        """Refresh PostgreSQL's statistics on a table just filled (a quoted name).

        Autovacuum has not seen the rows yet (and never sees temporary tables);
        without this the planner guesses their size and scans the wide orders
        table or all order lines instead of using their indexes: seconds at 500k
        orders for a merge of a few hundred.  SQLite plans from its indexes alone.
        """
        if not self.is_sqlite:
            listed = f" ({', '.join(self.quote(c) for c in columns)})" if columns else ""
            self.execute(conn, f"ANALYZE {table}{listed}")

    def truncate(self, conn: Connection, role: str) -> None:
        """Empty one of ordersync's tables, in the caller's transaction, in constant time."""
        # SQLite turns an unqualified DELETE into a truncation; PostgreSQL has TRUNCATE.
        verb = "DELETE FROM" if self.is_sqlite else "TRUNCATE"
        self.execute(conn, f"{verb} {self.table(role)}")

    def _adbc_append(self, table: str, frame: pl.DataFrame) -> int:
        # The driver manager's own API, fed polars' Arrow stream: its DB-API layer imports
        # pyarrow.dataset, which imports pandas when installed (0.2–0.8 s of start-up).
        import adbc_driver_manager as adbc
        import adbc_driver_sqlite

        if self._open_transactions:  # see the NullPool note in _create_engine
            raise RuntimeError("bulk_append on SQLite while a transaction is open")

        path = self._url.database or ":memory:"
        with adbc_driver_sqlite.connect(path) as database, \
                adbc.AdbcConnection(database) as connection:
            with adbc.AdbcStatement(connection) as statement:
                statement.set_sql_query("PRAGMA busy_timeout=60000")
                statement.execute_update()
                statement.set_sql_query("PRAGMA synchronous=NORMAL")
                statement.execute_update()
            connection.set_autocommit(False)
            with adbc.AdbcStatement(connection) as statement:
                statement.set_options(**{adbc.INGEST_OPTION_TARGET_TABLE: table,
                                         adbc.INGEST_OPTION_MODE: adbc.INGEST_OPTION_MODE_APPEND})
                statement.bind_stream(frame)
                statement.execute_update()
            connection.commit()
        return frame.height

    def _copy_append(self, conn: Connection, table: str, frame: pl.DataFrame) -> int:
        columns = ", ".join(self.quote_raw(c) for c in frame.columns)
        statement = f"COPY {self.quote_raw(table)} ({columns}) FROM STDIN (FORMAT csv)"
        raw = conn.connection.driver_connection
        assert raw is not None
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False)
        data = buffer.getvalue()
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            view = memoryview(data)
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
        return frame.height

    # -- small helpers -----------------------------------------------------------------------

    @staticmethod
    def execute(conn: Connection, statement: str,
                params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
                ) -> sa.CursorResult[Any]:
        """Run ``statement`` (``:name`` parameters) on ``conn``."""
        import sqlalchemy as sa

        return conn.execute(sa.text(statement), params or {})

    def timestamp(self, moment: datetime | None = None) -> Any:
        """A UTC moment (now by default) as a bound value, to the microsecond: SQLite's
        ``CURRENT_TIMESTAMP`` is whole seconds, too coarse to order runs by."""
        moment = moment or datetime.now(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.is_sqlite else moment

    def scalar(self, conn: Connection, statement: str,
               params: Mapping[str, Any] | None = None) -> Any:
        return self.execute(conn, statement, params).scalar()

    def rows(self, conn: Connection, statement: str,
             params: Mapping[str, Any] | None = None) -> Sequence[sa.Row[Any]]:
        return self.execute(conn, statement, params).all()


_INSUFFICIENT_PRIVILEGE = "42501"
_SCHEMA_EXISTS = "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = :s"


def _sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a PostgreSQL refusal (through SQLAlchemy's wrapper), if any."""
    return getattr(getattr(exc, "orig", None) or exc, "sqlstate", None)


def _as_written(conn: Connection, statement: str) -> None:
    """A PostgreSQL statement sent to the driver without parameters, so that neither
    SQLAlchemy nor psycopg reads a ``:`` or ``%`` in it (a table or schema name the user
    chose, in a definition from the catalog) as a placeholder."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        cursor.execute(statement)


def _uuid7(millis: str, hex_digits: str, random_hex: str) -> str:
    """A version 7 UUID (RFC 9562) as SQL text: 48 bits of Unix milliseconds, then a 40-bit
    counter (``seq``, a column of the statement: rule 1 of RFC 9562 §6.2), then 32 random
    bits.  ``hex_digits`` formats a number as that many hex digits (``{n}``, ``{width}``)."""
    stamp, count = hex_digits.format(n=millis, width=12), hex_digits.format(n="seq", width=10)
    return (f"lower(substr({stamp}, 1, 8) || '-' || substr({stamp}, 9, 4) || '-7' || "
            f"substr({count}, 1, 3) || '-8' || substr({count}, 4, 3) || '-' || "
            f"substr({count}, 7, 4) || {random_hex})")


# UUIDs generated by the engine, so new orders get their record_uuid inside the set-based
# INSERT: time-ordered, so that a batch of new orders is written at the end of the indexes
# on record_uuid (random ones cost a first load's merge 20% more at 200,000 orders).
_UUID_SQL = {
    "sqlite": _uuid7("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
                     "printf('%0{width}x', {n})", "hex(randomblob(4))"),
    "postgresql": _uuid7("floor(extract(epoch FROM statement_timestamp()) * 1000)::bigint",
                         "lpad(to_hex({n}), {width}, '0')", "substr(md5(random()::text), 1, 8)"),
}


_SQL_FRAGMENTS = {
    # An order gone from its file before it reached the board (no item) and not in doubt:
    # not sent, not verified — it waits, PENDING, in case it comes back.  On ``o``; binds
    # ``:pending``.
    "held_back": ("(o.removed_at IS NOT NULL AND o.monday_item_id IS NULL "
                  "AND o.sync_state = :pending)"),
}
"""Conditions several statements share, one definition each (``{held_back}`` in a file)."""


def open_database(config: Config) -> Database:
    """The configured database (``ORDERSYNC_DATABASE_URL`` wins over the file)."""
    return Database(config.database_url, schema=config.database.schema_name,
                    tables=config.database.tables)
