"""Business columns: added to orders and staging_orders as files bring them.

On SQLite, an empty table gets its new columns by being re-created (hundreds of
ALTER TABLEs take half a second); a table with rows, or with a column ordersync
does not know, gets them one ALTER at a time.  Either way the tables end with
every column, their indexes and their rows.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordersync.db import Database
from ordersync.db.schema import ColumnRequest, create_tables, ensure_columns


def columns_of(db: Database, role: str) -> list[str]:
    table = getattr(db.tables, role)
    return [c["name"] for c in sa.inspect(db.engine).get_columns(table, schema=db.schema)]


def indexes_of(db: Database, role: str) -> set[str]:
    table = getattr(db.tables, role)
    return {i["name"] for i in sa.inspect(db.engine).get_indexes(table, schema=db.schema)}


def add(db: Database, *labels: str) -> list[str]:
    with db.begin() as conn:
        _, added = ensure_columns(db, conn, [ColumnRequest(label, "size", "integer")
                                             for label in labels])
    return added


def test_new_columns_reach_both_tables_with_their_indexes(db: Database) -> None:
    create_tables(db)
    before = {role: (columns_of(db, role), indexes_of(db, role))
              for role in ("orders", "staging_orders")}
    labels = [f"SIZE {i}" for i in range(300)]

    assert add(db, *labels) == labels
    for role, (columns, indexes) in before.items():
        assert columns_of(db, role) == columns + labels
        assert indexes_of(db, role) == indexes


def test_a_table_with_rows_keeps_them_when_a_column_is_added(db: Database) -> None:
    create_tables(db)
    add(db, "S")
    staging = db.table("staging_orders")
    with db.begin() as conn:
        conn.execute(sa.text(f'INSERT INTO {staging} (_file_id, _row, _key, _hash, _cancelled, '
                             '"S") VALUES (1, 2, \'k\', \'h\', 0, 5)'))

    add(db, "M", "L")
    assert columns_of(db, "staging_orders")[-3:] == ["S", "M", "L"]
    with db.begin() as conn:
        row = conn.execute(sa.text(f'SELECT _key, "S", "M" FROM {staging}')).one()
    assert tuple(row) == ("k", 5, None)


def test_a_column_ordersync_does_not_know_is_kept(db: Database) -> None:
    create_tables(db)
    orders = db.table("orders")
    with db.begin() as conn:
        conn.execute(sa.text(f'ALTER TABLE {orders} ADD COLUMN "REPORTING NOTE" TEXT'))

    add(db, "XS")
    assert columns_of(db, "orders")[-2:] == ["REPORTING NOTE", "XS"]


def test_an_older_database_gains_the_state_indexes_once_per_process(db: Database) -> None:
    """The state indexes `status` counts from on SQLite came later: a database created
    without them gets them from the first create_tables of a process (PostgreSQL has none:
    it would scan the heap anyway until a vacuum)."""
    from ordersync.db.schema import _system_tables

    create_tables(db)
    tables = _system_tables(db.tables, db.dialect)[1]
    with db.begin() as conn:
        for role in ("orders", "order_lines"):
            for index in tables[role].indexes:
                if index.name.endswith("_state"):
                    index.drop(conn)
    assert not any(name.endswith("_state") for name in indexes_of(db, "order_lines"))
    db.system_columns_checked = False  # as in a new process

    create_tables(db)

    assert (f"ix_{db.tables.orders}_state" in indexes_of(db, "orders")) == db.is_sqlite
    assert (f"ix_{db.tables.order_lines}_state" in indexes_of(db, "order_lines")) == db.is_sqlite
