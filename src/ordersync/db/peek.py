"""Short looks at the database through the driver itself, without SQLAlchemy.

``ordersync status`` and a run that finds nothing to do read a handful of rows
(and the run writes its one ``ingest_runs`` row); importing SQLAlchemy would take
longer than the whole command may.  A peek runs plain SQL with ``:name``
parameters (as everywhere else in ordersync) on the stdlib's ``sqlite3`` or on
``psycopg``, returns rows as tuples, and commits each statement at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ordersync.db.url import DatabaseURL

_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")


class Peek:
    """Reads on one driver connection, closed by :meth:`Database.peek`."""

    def rows(self, statement: str, params: Mapping[str, Any] | None = None
             ) -> Sequence[tuple[Any, ...]]:
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    def columns(self, name: str) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def scalar(self, statement: str, params: Mapping[str, Any] | None = None) -> Any:
        rows = self.rows(statement, params)
        return rows[0][0] if rows else None


class SqlitePeek(Peek):
    """A peek at a SQLite file; a file that does not exist yet holds no tables (and is not
    created by looking)."""

    def __init__(self, database: str | None) -> None:
        import sqlite3

        self._conn: Any = None
        if database in (None, "", ":memory:") or not Path(str(database)).exists():
            return
        self._conn = sqlite3.connect(str(database), timeout=60, isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout=60000")

    def rows(self, statement: str, params: Mapping[str, Any] | None = None
             ) -> Sequence[tuple[Any, ...]]:
        if self._conn is None:
            return []
        return [tuple(r) for r in self._conn.execute(statement, dict(params or {})).fetchall()]

    def has_table(self, name: str) -> bool:
        return bool(self.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n",
                              {"n": name}))

    def columns(self, name: str) -> list[str]:
        return [str(r[0]) for r in self.rows("SELECT name FROM pragma_table_info(:n)",
                                             {"n": name})]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


class PostgresPeek(Peek):
    """A peek at a PostgreSQL database, in ``schema`` when one is configured."""

    def __init__(self, url: DatabaseURL, schema: str | None) -> None:
        import psycopg

        conninfo = "postgresql" + url.render(hide_password=False)[len(url.scheme):]
        from ordersync.db.database import search_path_option

        options = {"options": search_path_option(schema)} if schema else {}
        self._conn = psycopg.connect(conninfo, autocommit=True, **options)  # type: ignore[arg-type]

    def rows(self, statement: str, params: Mapping[str, Any] | None = None
             ) -> Sequence[tuple[Any, ...]]:
        # psycopg's placeholders are %(name)s, and a literal % is written %%.
        sql = _PARAMETER.sub(r"%(\1)s", statement.replace("%", "%%"))
        with self._conn.cursor() as cursor:
            cursor.execute(sql, dict(params or {}))
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []

    def has_table(self, name: str) -> bool:
        # The search path is the configured schema alone, or the server's default.
        return bool(self.rows("SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = :n "
                              "AND schemaname = current_schema()", {"n": name}))

    def columns(self, name: str) -> list[str]:
        return [str(r[0]) for r in self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = :n "
            "AND table_schema = current_schema() ORDER BY ordinal_position", {"n": name})]

    def close(self) -> None:
        self._conn.close()
