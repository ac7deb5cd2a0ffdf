"""The database seam: one object that owns the engine, quoting, SQL files and bulk loads.

SQLite (the default, a file in WAL mode) and PostgreSQL (psycopg 3) are both
served through SQLAlchemy Core.  Bulk loads take each engine's fast path:
ADBC ingest straight from Arrow on SQLite, ``COPY … FROM STDIN`` on PostgreSQL.
Values are always bound; identifiers (which come from spreadsheet headers such
as ``CUSTOMER'S COLOUR CODE``) are always quoted by :meth:`Database.quote`.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from ordersync.config import TablesConfig
from ordersync.errors import DatabaseError

_SQL_PACKAGE = "ordersync.db"


@cache
def _sql_text(name: str) -> str:
    return resources.files(_SQL_PACKAGE).joinpath("sql", f"{name}.sql").read_text("utf-8")


def _engine_url(url: str) -> sa.URL:
    parsed = make_url(url)
    if parsed.get_backend_name() in ("postgresql", "postgres"):
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
        self.system_columns_checked = False
        """Whether ``create_tables`` has added the system columns an older ordersync lacked."""
        engine_url = _engine_url(url)
        self.dialect = engine_url.get_backend_name()
        if self.dialect == "postgres":
            self.dialect = "postgresql"
        try:
            self.engine = self._create_engine(engine_url)
        except Exception as exc:  # driver import or URL errors
            raise DatabaseError(f"cannot open database {self.display_url}: {exc}") from exc

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, safe to print."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _create_engine(self, url: sa.URL) -> Engine:
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
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA busy_timeout=60000")
                cur.execute("PRAGMA temp_store=MEMORY")
                cur.close()

            @sa.event.listens_for(engine, "begin")
            def _begin(conn: Connection) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        options = {}
        if self.schema:
            options["options"] = f"-csearch_path={self.schema}"
        return sa.create_engine(url, connect_args=options, pool_pre_ping=True)

    # -- connections -------------------------------------------------------------------------

    def _count(self, step: int) -> None:
        with self._count_lock:
            self._open_transactions += step

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        self._count(+1)
        try:
            with self.engine.begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from exc
        finally:
            self._count(-1)

    @contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[Connection]:
        """Like :meth:`begin`, but rolled back at the end when ``dry_run``: nothing is kept."""
        if not dry_run:
            with self.begin() as conn:
                yield conn
            return
        self._count(+1)
        try:
            with self.engine.connect() as conn:
                trans = conn.begin()
                try:
                    yield conn
                finally:
                    trans.rollback()
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from exc
        finally:
            self._count(-1)

    def _unreachable(self, exc: sa.exc.OperationalError) -> DatabaseError:
        """One line naming the database, the driver's reason and where the URL comes from."""
        reason = " ".join(str(exc.orig or exc).split())
        return DatabaseError(
            f"database {self.display_url}: {reason} — check database.url in the config "
            "(or ORDERSYNC_DATABASE_URL) and that the server is running")

    def ensure_schema(self) -> None:
        """Create the PostgreSQL schema named in the config, if any."""
        if self.schema and not self.is_sqlite:
            with self.begin() as conn:
                conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {self.quote(self.schema)}"))

    def has_table(self, role: str) -> bool:
        """Whether one of ordersync's tables (by role) exists yet: read-only commands and
        dry runs must not create the schema."""
        try:
            return sa.inspect(self.engine).has_table(
                getattr(self.tables, role), schema=None if self.is_sqlite else self.schema)
        except sa.exc.OperationalError as exc:
            raise self._unreachable(exc) from exc

    def dispose(self) -> None:
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
        they are bound as ``:name`` parameters by the caller.
        """
        tables = {role: self.table(role) for role in TablesConfig.model_fields}
        dialect = {
            "uuid": _UUID_SQL[self.dialect],
            "now": "CURRENT_TIMESTAMP",
            "distinct": "IS NOT" if self.is_sqlite else "IS DISTINCT FROM",
        }
        return _sql_text(name).format(**tables, **dialect, **identifiers)

    # -- bulk load ---------------------------------------------------------------------------

    def bulk_append(self, table: str, frame: pl.DataFrame) -> int:
        """Append ``frame`` to ``table`` (unquoted name) in its own transaction, fast.

        SQLite: ADBC ingest from Arrow (its own connection, so no other write
        transaction may be open).  PostgreSQL: COPY of a CSV rendering.  Callers
        make a crash between this commit and their own harmless (see ``ingest``).
        """
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
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
                         {"name": f"ordersync:{self.schema or ''}:{name}"})

    def analyze(self, conn: Connection, table: str, columns: Sequence[str] = ()) -> None:
        """Refresh PostgreSQL's statistics on a table just filled (a quoted name).

        Autovacuum has not seen the rows yet (and never sees temporary tables);
        without this the planner guesses their size and scans the wide orders
        table or all order lines instead of using their indexes: seconds at 500k
        orders for a merge of a few hundred.  SQLite plans from its indexes alone.
        """
        if not self.is_sqlite:
            listed = f" ({', '.join(self.quote(c) for c in columns)})" if columns else ""
            conn.execute(sa.text(f"ANALYZE {table}{listed}"))

    def truncate(self, conn: Connection, role: str) -> None:
        """Empty one of ordersync's tables, in the caller's transaction, in constant time."""
        # SQLite turns an unqualified DELETE into a truncation; PostgreSQL has TRUNCATE.
        verb = "DELETE FROM" if self.is_sqlite else "TRUNCATE"
        conn.execute(sa.text(f"{verb} {self.table(role)}"))

    def _adbc_append(self, table: str, frame: pl.DataFrame) -> int:
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        if self._open_transactions:  # see the NullPool note in _create_engine
            raise RuntimeError("bulk_append on SQLite while a transaction is open")

        path = make_url(self.url).database or ":memory:"
        with adbc_sqlite.connect(path) as adbc:
            cursor = adbc.cursor()
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.adbc_ingest(table, frame.to_arrow(), mode="append")
            adbc.commit()
            cursor.close()
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

    def timestamp(self, moment: datetime | None = None) -> Any:
        """A UTC moment (now by default) as a bound value, to the microsecond: SQLite's
        ``CURRENT_TIMESTAMP`` is whole seconds, too coarse to order runs by."""
        moment = moment or datetime.now(UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.is_sqlite else moment

    def scalar(self, conn: Connection, statement: str,
               params: Mapping[str, Any] | None = None) -> Any:
        return conn.execute(sa.text(statement), params or {}).scalar()

    def rows(self, conn: Connection, statement: str,
             params: Mapping[str, Any] | None = None) -> Sequence[sa.Row[Any]]:
        return conn.execute(sa.text(statement), params or {}).all()


# Random (version 4) UUIDs generated by the engine, so new orders get their
# record_uuid inside the set-based INSERT.
_UUID_SQL = {
    "sqlite": (
        "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
        "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
        "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
    ),
    "postgresql": "gen_random_uuid()::text",
}
