"""A first load fills the database fast: SQLite's page size and journal (its pages written
once), PostgreSQL's indexes built after the rows are in — and everything as it was after."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import (
    ENGINES,
    PG_URL,
    ConfigFactory,
    WorkbookFactory,
    fetch,
    order_row,
    write_config,
)
from ordersync import merge
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.db.database import SQLITE_PAGE_SIZE
from ordersync.errors import Refusal, database_hint
from ordersync.pipeline import run_ingest, run_merge, run_pipeline

POSTGRESQL = ENGINES[1]


@pytest.fixture
def engine() -> str:
    return "sqlite"


@pytest.fixture
def staged(make_config: ConfigFactory, write_workbook: WorkbookFactory
           ) -> tuple[Config, Database]:
    """Two orders ingested into a new database, not merged yet."""
    config = make_config()
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    db = open_database(config)
    run_ingest(config, db)
    return config, db


def _during_merge(monkeypatch: pytest.MonkeyPatch, look: Callable[[Database, Any], Any]
                  ) -> list[Any]:
    """What ``look(db, conn)`` finds on the merge's own connection, per merge."""
    seen: list[Any] = []
    original = merge.merge_orders

    def spy(config: Config, db: Database, conn: Any) -> Any:
        seen.append(look(db, conn))
        return original(config, db, conn)

    monkeypatch.setattr("ordersync.pipeline.merge_orders", spy)
    return seen


def _journal(_db: Database, conn: Any) -> str:
    return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())


def _indexes(db: Database, conn: Any = None) -> list[tuple[str, ...]]:
    """The indexes of the orders and their lines, as the catalog defines them."""
    if conn is None:
        with db.begin() as own:
            return _indexes(db, own)
    return [tuple(str(v) for v in row) for role in ("orders", "order_lines")
            for row in db.rows(conn, db.sql("table_indexes"), {"table": db.table(role)})]


def _index_count(db: Database, conn: Any) -> int:
    return len(_indexes(db, conn))


def _file(config: Config) -> Path:
    return Path(config.database.url.removeprefix("sqlite:///"))


def _mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def test_a_first_load_merges_through_a_rollback_journal_then_the_file_is_wal(
        staged: tuple[Config, Database], write_workbook: WorkbookFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config, db = staged
    seen = _during_merge(monkeypatch, _journal)
    run_merge(config, db)
    assert seen == ["delete"]
    assert _mode(_file(config)) == "wal"

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 7}), order_row(2)])
    result = run_pipeline(config, db)
    assert seen == ["delete", "wal"]  # the order list has orders: readers may come
    assert result.merge.orders.changed == 1
    assert _mode(_file(config)) == "wal"


def test_a_reader_holding_the_file_keeps_the_first_load_in_wal(
        staged: tuple[Config, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    config, db = staged
    seen = _during_merge(monkeypatch, _journal)
    reader = sqlite3.connect(_file(config))  # another process's, say, open on the file
    reader.execute("SELECT COUNT(*) FROM ingest_files").fetchone()
    try:
        result = run_merge(config, db)
    finally:
        reader.close()
    assert seen == ["wal"]  # not switched (and not waited for: refused at once)
    assert (result.orders.new, result.lines.written) == (2, 4)
    assert _mode(_file(config)) == "wal"


def test_a_new_database_has_big_pages_and_an_old_one_keeps_its_own(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1)])
    config = make_config()
    run_pipeline(config, open_database(config))
    with sqlite3.connect(_file(config)) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == SQLITE_PAGE_SIZE

    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.execute("CREATE TABLE t (x)")  # created with SQLite's own 4 KiB pages
    config = make_config(database={"url": f"sqlite:///{old}"})
    run_pipeline(config, open_database(config))
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 1


_KILLED_IN_MERGE = """
import os, signal, sys
from ordersync.config import load_config
from ordersync.db import open_database
from ordersync.pipeline import run_pipeline

def killed(db, conn):  # the orders are inserted, the lines not: the transaction is open
    os.kill(os.getpid(), signal.SIGKILL)

import ordersync.pipeline
ordersync.pipeline.derive_lines = killed
config = load_config(sys.argv[1])
run_pipeline(config, open_database(config))
"""


def test_a_first_load_killed_in_its_merge_is_rolled_back_and_merged_again(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, tmp_path: Path) -> None:
    config = make_config()
    write_workbook("GRE_a.xlsx", [order_row(n) for n in range(1, 30)])
    path = write_config(config, tmp_path)
    killed = subprocess.run([sys.executable, "-c", _KILLED_IN_MERGE, str(path)], check=False)
    assert killed.returncode == -9
    assert Path(str(_file(config)) + "-journal").exists()  # a hot rollback journal

    db = open_database(config)
    assert fetch(db, "SELECT COUNT(*) AS n FROM orders")[0].n == 0  # rolled back
    result = run_pipeline(config, db)
    assert (result.merge.orders.new, result.merge.lines.written) == (29, 29 * 2)  # S and M
    assert _mode(_file(config)) == "wal"


@pytest.mark.parametrize("engine", [POSTGRESQL])
def test_postgresql_builds_a_first_load_s_indexes_once_its_rows_are_in(
        staged: tuple[Config, Database], write_workbook: WorkbookFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config, db = staged
    before = _indexes(db)
    assert len(before) == 4  # the two primary keys, the business key's, the source file's
    during = _during_merge(monkeypatch, _index_count)
    result = run_merge(config, db)
    assert during == [0]
    assert (result.orders.new, result.lines.written) == (2, 4)
    assert _indexes(db) == before  # the same names, definitions and constraints

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 5}), order_row(2), order_row(3)])
    assert run_pipeline(config, db).merge.orders.changed == 1
    assert during == [0, 4]  # the order list had orders: its indexes served the merge
    assert _indexes(db) == before


@pytest.mark.parametrize("engine", [POSTGRESQL])
def test_postgresql_keeps_the_indexes_when_someone_else_holds_the_tables(
        staged: tuple[Config, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    config, db = staged
    during = _during_merge(monkeypatch, _index_count)
    with psycopg.connect(config.database.url, options=f"-csearch_path={db.schema}") as other:
        other.execute("SELECT COUNT(*) FROM orders").fetchone()  # a reader, mid-transaction
        result = run_merge(config, db)
    assert during == [4]  # not dropped, and not waited for
    assert result.orders.new == 2


@pytest.mark.parametrize("engine", [POSTGRESQL])
def test_postgresql_keeps_the_indexes_another_table_depends_on(
        staged: tuple[Config, Database], monkeypatch: pytest.MonkeyPatch) -> None:
    config, db = staged
    with db.begin() as conn:  # a table of the user's, referencing the orders
        conn.exec_driver_sql('CREATE TABLE notes (record_uuid TEXT REFERENCES "orders" '
                             "(record_uuid), note TEXT)")
    before = _indexes(db)
    during = _during_merge(monkeypatch, _index_count)
    result = run_merge(config, db)
    assert during == [4]  # none dropped: the savepoint took the drops back
    assert (result.orders.new, result.lines.written) == (2, 4)
    assert _indexes(db) == before


@pytest.mark.parametrize("engine", [POSTGRESQL])
@pytest.mark.parametrize(("schema", "tables"), [
    ("OrderSync_Team", {}), ("order sync", {}), ("orders 50% %s", {}),
    ("ordersync_colons", {"orders": "ord:ers", "order_lines": "lines:x"}),
], ids=["mixed-case", "space", "percent", "table-names-with-colons"])
def test_a_schema_name_with_capitals_or_a_space_is_used_as_written(
        make_config: ConfigFactory, write_workbook: WorkbookFactory, schema: str,
        tables: dict[str, str], engine: str) -> None:
    """Also a % (psycopg's placeholder) or a table name with a : (SQLAlchemy's): a first
    load's merge, which drops and rebuilds the indexes, failed on every run with either."""
    import sqlalchemy as sa

    from ordersync.pipeline import run_pipeline
    from ordersync.status import read_status

    assert PG_URL is not None
    config = make_config(database={"url": PG_URL, "schema": schema, "tables": tables})
    db = open_database(config)
    try:
        write_workbook("GRE_a.xlsx", [order_row(1)])
        run_pipeline(config, db)
        assert read_status(db)["orders"]["total"] == 1
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_schema()")).scalar() == schema
    finally:
        db.dispose()
        cleanup = sa.create_engine(Database(PG_URL).engine.url)
        with cleanup.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'.replace("%", "%%"))
        cleanup.dispose()


# -- what a refusal says -------------------------------------------------------------------------


def _refusal(db: Database, statement: str, before: tuple[str, ...] = ()) -> str:
    """The one-line error a statement the database refuses (once connected) gives."""
    from ordersync.errors import DatabaseError

    with pytest.raises(DatabaseError) as caught, db.begin() as conn:
        for setting in before:
            conn.exec_driver_sql(setting)
        conn.exec_driver_sql(statement)
    return str(caught.value)


def test_a_refused_statement_does_not_send_the_user_to_the_database_url(db: Database) -> None:
    """Every refusal inside a transaction said "check database.url … that its folder
    exists and can be written", a wrong lead once the database is open."""
    message = _refusal(db, "SELECT * FROM no_such_table")
    assert "no such table: no_such_table" in message
    assert "database.url" not in message and "folder exists" not in message
    assert "run it with --debug and report the error" in message


def test_a_full_disk_says_so(db: Database) -> None:
    with db.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (x TEXT)")
    message = _refusal(db, "INSERT INTO filler SELECT hex(randomblob(4000)) "
                           "FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                           "FROM n WHERE i < 200) SELECT i FROM n)",
                       before=("PRAGMA max_page_count = 8",))
    assert "database or disk is full" in message
    assert "the disk holding the database is full: free some space" in message
    assert "database.url" not in message


def test_a_database_another_program_keeps_locked_says_so(config: Config, db: Database) -> None:
    with db.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    import sqlalchemy as sa

    # Not a minute's wait (ordersync's own busy timeout) in a test: the connection gives up
    # at once.
    sa.event.listen(db.engine, "connect",
                    lambda dbapi_conn, _: dbapi_conn.execute("PRAGMA busy_timeout = 0"))
    holder = sqlite3.connect(_file(config), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program in the middle of a write
    try:
        message = _refusal(db, "INSERT INTO t VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "database is locked" in message
    assert "another program kept the database busy" in message
    assert "database.url" not in message


@pytest.mark.parametrize("engine", [POSTGRESQL])
def test_postgresql_tables_another_session_holds_say_so(db: Database, engine: str) -> None:
    db.ensure_schema()
    with db.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with db.engine.connect() as other:  # another session, holding the table
        other.exec_driver_sql("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        message = _refusal(db, "INSERT INTO t VALUES (1)",
                           before=("SET LOCAL lock_timeout = '50ms'",))
        other.rollback()
    assert "lock timeout" in message
    assert "another session held the tables too long" in message
    assert "database.url" not in message


# -- PostgreSQL users with fewer rights than the database's owner ---------------------------------


def _admin_run(statement: str) -> None:
    assert PG_URL is not None
    admin = sa.create_engine(Database(PG_URL).engine.url)
    with admin.begin() as conn:
        conn.exec_driver_sql(statement)
    admin.dispose()


@pytest.mark.parametrize("engine", [POSTGRESQL])
def test_a_user_owning_its_schema_runs_without_the_right_to_create_schemas(
        make_config: ConfigFactory, write_workbook: WorkbookFactory,
        pg_role: Callable[..., str], engine: str) -> None:
    """Every run said CREATE SCHEMA IF NOT EXISTS, which PostgreSQL refuses to a user without
    CREATE on the database even when the schema exists: such a user could not run at all."""
    url = pg_role()
    role = url.split("://", 1)[1].split("@", 1)[0]
    schema = f"{role}_own"
    _admin_run(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{role}"')
    config = make_config(database={"url": url, "schema": schema})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    try:
        run_pipeline(config, db)
        run_pipeline(config, db)  # and again, with the tables there
        assert fetch(db, "SELECT business_key FROM orders")[0][0]
    finally:
        db.dispose()


@pytest.mark.parametrize("engine", [POSTGRESQL])
def test_a_missing_schema_the_user_may_not_create_names_the_privilege_and_the_fix(
        make_config: ConfigFactory, write_workbook: WorkbookFactory,
        pg_role: Callable[..., str], engine: str) -> None:
    from ordersync.errors import DatabaseError

    url = pg_role()
    role = url.split("://", 1)[1].split("@", 1)[0]
    config = make_config(database={"url": url, "schema": f"{role}_missing"})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])
    try:
        with pytest.raises(DatabaseError) as caught:
            run_pipeline(config, db)
    finally:
        db.dispose()
    message = str(caught.value)
    assert f"schema '{role}_missing' (database.schema) does not exist" in message
    assert f'CREATE SCHEMA "{role}_missing" AUTHORIZATION "{role}"' in message
    database = PG_URL.rsplit("/", 1)[1].split("?", 1)[0] if PG_URL else ""
    assert f'GRANT CREATE ON DATABASE "{database}" TO "{role}"' in message
    assert "reachable" not in message


# -- what a refusal says, by its kind --------------------------------------------------------------


def _sqlite_integrity(message: str) -> sqlite3.IntegrityError:
    return sqlite3.IntegrityError(message)


@pytest.mark.parametrize(("refusal", "said", "unsaid"), [
    pytest.param(Refusal("permission denied for database test", "42501"),
                 ["lacks CREATE on database 'test'", "GRANT CREATE ON DATABASE test",
                  "AUTHORIZATION"], ["database.url"], id="create-schema"),
    pytest.param(Refusal("permission denied for schema ops", "42501"),
                 ["USAGE", "GRANT USAGE, CREATE ON SCHEMA ops"], ["reachable"], id="schema"),
    pytest.param(Refusal("permission denied for table ingest_files", "42501"),
                 ["may not use table 'ingest_files'", "SELECT, INSERT, UPDATE and DELETE",
                  "GRANT"], ["reachable"], id="table"),
    pytest.param(Refusal("must be owner of table orders", "42501"),
                 ["only a table's owner", "ALTER TABLE orders OWNER TO"], ["reachable"],
                 id="owner"),
    pytest.param(Refusal('duplicate key value violates unique constraint "orders_pkey"',
                         "23505", "orders"),
                 ["a bug in ordersync", "another program writing ordersync's table 'orders'",
                  "report it"], ["database.url"], id="unique"),
    pytest.param(Refusal.of(_sqlite_integrity("UNIQUE constraint failed: staging_orders._key")),
                 ["a bug in ordersync", "table 'staging_orders'", "report it"],
                 ["database.url"], id="sqlite-unique"),
    pytest.param(Refusal('duplicate key value violates unique constraint '
                         '"pg_type_typname_nsp_index"', "23505", "pg_type"),
                 ["another session was creating the same tables", "run the command again"],
                 ["bug", "database.url"], id="catalog-race"),
    pytest.param(Refusal('connection failed: connection to server at "127.0.0.1", port 5433 '
                         "failed: Connection refused"),
                 ["check database.url"], ["bug"], id="refused"),
    pytest.param(Refusal("failed to resolve host 'db.example': Name or service not known"),
                 ["check database.url"], [], id="unknown-host"),
    pytest.param(Refusal('connection failed: FATAL: password authentication failed for user '
                         '"ops"'), ["check database.url"], [], id="password"),
])
def test_a_refusal_s_hint_follows_its_kind(refusal: Refusal, said: list[str],
                                          unsaid: list[str]) -> None:
    """Every refusal the CLI printed ended "check database.url in the config and that the
    database is reachable" — of a permission, a broken constraint, a catalog race too."""
    hint = database_hint(refusal) or ""
    for text in said:
        assert text in hint
    for text in unsaid:
        assert text not in hint


@pytest.mark.parametrize("engine", ENGINES)
def test_a_broken_constraint_is_a_bug_to_report_with_its_table(db: Database, engine: str
                                                               ) -> None:
    db.ensure_schema()
    with db.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE keyed (k TEXT PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO keyed VALUES ('a')")

    message = _refusal(db, "INSERT INTO keyed VALUES ('a')")

    assert f"database {db.display_url}" in message
    assert "a bug in ordersync, or another program writing ordersync's table 'keyed'" in message
    assert "report it" in message and "database.url" not in message


@pytest.mark.parametrize("engine", [POSTGRESQL])
def test_a_privilege_the_user_lacks_is_named_not_the_url(
        make_config: ConfigFactory, db: Database, pg_role: Callable[..., str],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    """A user allowed to read, running `ordersync run`: "permission denied for table …"."""
    from click.testing import CliRunner

    from ordersync.cli import cli

    config = make_config()
    (tmp_path / "orders" / "GRE_a.xlsx").write_bytes(b"")  # any file: the ingest records it
    run_pipeline(config, db)
    schema = config.database.schema_name
    url = pg_role(f'GRANT USAGE ON SCHEMA "{schema}" TO {{role}}',
                  f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {{role}}')
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", url)
    (tmp_path / "orders" / "GRE_a.xlsx").unlink()
    (tmp_path / "orders" / "GRE_b.xlsx").write_bytes(b"")

    result = CliRunner().invoke(cli, ["ingest", "--config", str(write_config(config, tmp_path))])

    message = " ".join(result.stderr.split())
    assert result.exit_code == 1, result.output
    assert "permission denied for table" in message
    assert "SELECT, INSERT, UPDATE and DELETE" in message and "GRANT" in message
    assert f"user {url.split('://')[1].split('@')[0]} may not use table" in message
    assert "database.url in the config" not in message and "reachable" not in message
