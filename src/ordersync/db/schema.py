"""Tables ordersync owns, and schema evolution of the business columns.

System tables are SQLAlchemy Core tables whose names come from the config.
Business columns (one per descriptive header and one per size label) are added
to ``orders`` and ``staging_orders`` as files bring them — a size label never
seen before becomes a new column, never a silent drop.  The ``order_columns``
registry maps each label to its SQL column name: the label itself, quoted,
unless it is too long for PostgreSQL (63 bytes) or collides with a system column.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.config import TablesConfig
from ordersync.db.database import Database
from ordersync.db.kinds import ColumnKind, ColumnRequest, ValueType
from ordersync.errors import ColumnTypeConflict

VERIFY_KINDS = ("missing_item", "item_gone", "group_gone", "wrong_group", "value_differs",
                "unrecorded_item", "extra_item", "duplicate_items", "missing_subitem",
                "subitem_differs", "extra_subitem", "duplicate_subitems", "item_on_another_board",
                "item_not_read", "board_gone")
"""verify_runs has one count column per kind of difference (``verify.report.Kind``)."""

_MAX_IDENTIFIER_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1

_SQL_TYPES: dict[str, dict[ValueType, str]] = {
    "sqlite": {"text": "TEXT", "date": "TEXT", "decimal": "REAL", "integer": "INTEGER"},
    "postgresql": {"text": "TEXT", "date": "DATE", "decimal": "DOUBLE PRECISION",
                   "integer": "BIGINT"},
}


@dataclass(frozen=True)
class BusinessColumn:
    """One registered business column."""

    label: str  # normalised header, e.g. "32/30" or "CUSTOMER STYLE"
    name: str  # SQL column name in orders and staging_orders (unquoted)
    kind: ColumnKind
    value_type: ValueType
    position: int


def _system_tables(t: TablesConfig, dialect: str) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """The system tables under ``t``'s names for ``dialect``, built once per process, set of
    names and dialect (building them costs ~20 ms, and a run asks for them in every stage):
    shared, so never changed — a table to add columns to is built apart
    (``_build_system_tables``)."""
    key = (*t.model_dump().values(), dialect)
    if key not in _BUILT:
        _BUILT[key] = _build_system_tables(t, dialect)
    return _BUILT[key]


_BUILT: dict[tuple[str, ...], tuple[sa.MetaData, dict[str, sa.Table]]] = {}


def _options(applies: bool, **options: Any) -> dict[str, Any]:
    """Dialect-specific keyword options, or none where they do not apply."""
    return options if applies else {}


def _build_system_tables(t: TablesConfig, dialect: str
                         ) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    # PostgreSQL-only index options are given only for PostgreSQL: SQLAlchemy checks such
    # an option by importing the dialect with all its drivers (50 ms on every SQLite run).
    postgresql = dialect == "postgresql"
    md = sa.MetaData()
    ts = sa.DateTime(timezone=True)
    now = sa.func.current_timestamp()
    tables = {
        "ingest_files": sa.Table(
            t.ingest_files, md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("path", sa.Text, nullable=False, unique=True),
            sa.Column("profile", sa.Text), sa.Column("customer", sa.Text),
            sa.Column("content_hash", sa.Text), sa.Column("config_hash", sa.Text),
            # As listed when last read from object storage: unchanged → not downloaded.
            sa.Column("source_etag", sa.Text), sa.Column("source_size", sa.BigInteger),
            sa.Column("source_modified", sa.Text),
            sa.Column("sheet", sa.Text), sa.Column("header_row", sa.Integer),
            sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
            sa.Column("rows_staged", sa.Integer, nullable=False, server_default="0"),
            sa.Column("rows_rejected", sa.Integer, nullable=False, server_default="0"),
            sa.Column("rows_blank", sa.Integer, nullable=False, server_default="0"),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("error", sa.Text),
            sa.Column("ingested_at", ts, server_default=now),
            sa.Column("merged_at", ts),
        ),
        "staging_lines": sa.Table(
            t.staging_lines, md,
            sa.Column("_file_id", sa.Integer, nullable=False),
            sa.Column("_row", sa.Integer, nullable=False),
            sa.Column("size_code", sa.Text, nullable=False),
            sa.Column("qty", sa.BigInteger, nullable=False),
            sa.Index(f"ix_{t.staging_lines}_row", "_file_id", "_row"),
        ),
        "rejected_rows": sa.Table(
            t.rejected_rows, md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("file_id", sa.Integer, index=True),
            sa.Column("file", sa.Text, nullable=False),
            sa.Column("sheet", sa.Text), sa.Column("row", sa.Integer),
            sa.Column("column", sa.Text), sa.Column("raw_value", sa.Text),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("business_key", sa.Text),
            sa.Column("rejected_at", ts, server_default=now),
        ),
        "merge_changes": sa.Table(
            t.merge_changes, md,
            sa.Column("business_key", sa.Text, primary_key=True),
            sa.Column("file_id", sa.Integer, nullable=False),
            sa.Column("row", sa.Integer, nullable=False),
            sa.Column("cancelled", sa.Integer, nullable=False),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("record_uuid", sa.Text),
            sa.Column("monday_item_id", sa.Text),
            sa.Column("old_state", sa.Text),
            # The record_uuid a new order is given (generated here, so the order and its
            # lines are written without looking the order up again).
            sa.Column("new_uuid", sa.Text),
        ),
        "order_columns": sa.Table(
            t.order_columns, md,
            sa.Column("label", sa.Text, primary_key=True),
            sa.Column("name", sa.Text, nullable=False, unique=True),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("value_type", sa.Text, nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("added_at", ts, server_default=now),
        ),
        "orders": sa.Table(
            t.orders, md,
            sa.Column("record_uuid", sa.Text, primary_key=True),
            sa.Column("business_key", sa.Text, nullable=False),
            sa.Column("profile", sa.Text),
            sa.Column("source_file_id", sa.Integer),
            sa.Column("source_file", sa.Text), sa.Column("source_sheet", sa.Text),
            sa.Column("source_row", sa.Integer),
            sa.Column("row_hash", sa.Text, nullable=False),
            sa.Column("is_cancelled", sa.Integer, nullable=False, server_default="0"),
            sa.Column("group_name", sa.Text), sa.Column("item_name", sa.Text),
            sa.Column("change_kind", sa.Text, nullable=False),
            sa.Column("sync_state", sa.Text, nullable=False),
            sa.Column("sync_action", sa.Text),
            sa.Column("monday_item_id", sa.Text), sa.Column("monday_group_id", sa.Text),
            # The board the order's item is on (set when its create is sent): routing keeps an
            # order there while its route is unchanged.  Empty with an item: monday.board_id.
            sa.Column("monday_board_id", sa.Text),
            sa.Column("synced_hash", sa.Text),
            # The item's column values as the board last confirmed them (JSON), and what
            # the batch in flight sends: adopted as synced when an in-doubt send is found.
            sa.Column("synced_values", sa.Text),
            sa.Column("sent_hash", sa.Text), sa.Column("sent_values", sa.Text),
            sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
            sa.Column("last_error", sa.Text),
            sa.Column("first_seen_at", ts, server_default=now),
            sa.Column("changed_at", ts, server_default=now),
            sa.Column("removed_at", ts),
            sa.Index(f"ix_{t.orders}_source", "source_file_id"),
            # The business key's unique index also carries row_hash on PostgreSQL, so the
            # merge compares hashes from the index without reading the wide rows.
            sa.Index(f"ux_{t.orders}_key", "business_key", unique=True,
                     **_options(postgresql, postgresql_include=["row_hash"])),
            # On SQLite `status` counts orders and lines by state from these alone (a
            # covering index scan, a fifth of the table's size: 0.42 → 0.26 s at 50,000
            # orders).  PostgreSQL scans the heap until a vacuum has run, so there the
            # index would only cost the merge (0.3 s for 314,639 lines).
            sa.Index(f"ix_{t.orders}_state", "sync_state", "sync_action",
                     "change_kind").ddl_if(dialect="sqlite"),
        ),
        "order_lines": sa.Table(
            t.order_lines, md,
            sa.Column("record_uuid", sa.Text, primary_key=True),
            sa.Column("size_code", sa.Text, primary_key=True),
            sa.Column("qty", sa.BigInteger, nullable=False),
            sa.Column("sync_state", sa.Text, nullable=False),
            sa.Column("sync_action", sa.Text),
            sa.Column("monday_subitem_id", sa.Text),
            sa.Column("synced_qty", sa.BigInteger),
            sa.Column("synced_values", sa.Text), sa.Column("sent_values", sa.Text),
            sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
            sa.Column("last_error", sa.Text),
            sa.Column("changed_at", ts, server_default=now),
            sa.Index(f"ix_{t.order_lines}_state", "sync_state",
                     "sync_action").ddl_if(dialect="sqlite"),
        ),
        "staging_orders": sa.Table(
            t.staging_orders, md,
            sa.Column("_file_id", sa.Integer, nullable=False),
            sa.Column("_sheet", sa.Text), sa.Column("_row", sa.Integer, nullable=False),
            sa.Column("_key", sa.Text, nullable=False, index=True),
            sa.Index(f"ix_{t.staging_orders}_row", "_file_id", "_row", unique=True),
            sa.Column("_hash", sa.Text, nullable=False),
            sa.Column("_cancelled", sa.Integer, nullable=False),
            sa.Column("_group", sa.Text), sa.Column("_item", sa.Text),
        ),
        "monday_groups": sa.Table(
            t.monday_groups, md,
            sa.Column("board_id", sa.Text, nullable=False),
            sa.Column("group_name", sa.Text, nullable=False),
            sa.Column("group_id", sa.Text, nullable=False),
            sa.Column("created_at", ts, server_default=now),
            sa.Index(f"ux_{t.monday_groups}_name", "board_id", "group_name", unique=True),
        ),
        "monday_boards": sa.Table(
            t.monday_boards, md,
            sa.Column("route_value", sa.Text, primary_key=True),
            sa.Column("part", sa.Integer, primary_key=True),  # 2: "<name> (2)", an overflow
            sa.Column("board_name", sa.Text, nullable=False),
            sa.Column("board_id", sa.Text, nullable=False, unique=True),
            sa.Column("subitems_board_id", sa.Text),
            sa.Column("origin", sa.Text, nullable=False),  # created | adopted | pinned
            sa.Column("created_at", ts, server_default=now),
        ),
        "sync_runs": sa.Table(
            t.sync_runs, md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("board_id", sa.Text),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("started_at", ts, server_default=now),
            sa.Column("finished_at", ts),
            sa.Column("requests", sa.Integer, nullable=False, server_default="0"),
            sa.Column("complexity", sa.BigInteger, nullable=False, server_default="0"),
            sa.Column("succeeded", sa.Integer, nullable=False, server_default="0"),
            sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
            sa.Column("error", sa.Text),
            sa.Column("mutations", sa.Integer, nullable=False, server_default="0"),
            sa.Column("budget_waits", sa.Integer, nullable=False, server_default="0"),
            sa.Column("waited_seconds", sa.Float, nullable=False, server_default="0"),
            sa.Column("counts", sa.Text),  # the run's SyncReport counters, as JSON
        ),
        "ingest_runs": sa.Table(
            t.ingest_runs, md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("started_at", ts, nullable=False),
            sa.Column("finished_at", ts, nullable=False),
            sa.Column("files_read", sa.Integer, nullable=False, server_default="0"),
            sa.Column("files_skipped", sa.Integer, nullable=False, server_default="0"),
            sa.Column("files_failed", sa.Integer, nullable=False, server_default="0"),
            sa.Column("rows_read", sa.Integer, nullable=False, server_default="0"),
            sa.Column("rows_staged", sa.Integer, nullable=False, server_default="0"),
            sa.Column("rows_rejected", sa.Integer, nullable=False, server_default="0"),
            sa.Column("orders_written", sa.Integer),  # NULL: the ingest was not merged
            sa.Column("lines_written", sa.Integer),
            sa.Column("error", sa.Text),
        ),
        "sync_events": sa.Table(
            t.sync_events, md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("run_id", sa.Integer, nullable=False),
            sa.Column("record_uuid", sa.Text),
            sa.Column("size_code", sa.Text),  # set for a line (subitem), empty for an order
            sa.Column("operation", sa.Text, nullable=False),
            sa.Column("outcome", sa.Text, nullable=False),
            sa.Column("error_code", sa.Text), sa.Column("error_message", sa.Text),
            sa.Column("request_id", sa.Text),
            sa.Column("monday_id", sa.Text),
            sa.Column("attempt", sa.Integer),
            sa.Column("occurred_at", ts, server_default=now),
            sa.Index(f"ix_{t.sync_events}_run", "run_id"),
            sa.Index(f"ix_{t.sync_events}_record", "record_uuid"),
        ),
        "verify_runs": sa.Table(
            t.verify_runs, md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("board_id", sa.Text),
            sa.Column("status", sa.Text, nullable=False),  # equal / differs
            sa.Column("repaired", sa.Integer, nullable=False, server_default="0"),
            sa.Column("started_at", ts, server_default=now),
            sa.Column("finished_at", ts, server_default=now),
            sa.Column("orders", sa.Integer, nullable=False, server_default="0"),
            sa.Column("items_read", sa.Integer, nullable=False, server_default="0"),
            sa.Column("subitems_read", sa.Integer, nullable=False, server_default="0"),
            sa.Column("requests", sa.Integer, nullable=False, server_default="0"),
            sa.Column("complexity", sa.BigInteger, nullable=False, server_default="0"),
            sa.Column("differences", sa.Integer, nullable=False, server_default="0"),
            *(sa.Column(kind, sa.Integer, nullable=False, server_default="0")
              for kind in VERIFY_KINDS),
        ),
    }
    return md, tables


SYSTEM_COLUMNS = frozenset(
    c.name.upper()
    for table in ("orders", "staging_orders")
    for c in _system_tables(TablesConfig(), "sqlite")[1][table].columns
)


def create_tables(db: Database) -> None:
    """Create every system table that does not exist yet (idempotent)."""
    db.ensure_schema()
    metadata, tables = _system_tables(db.tables, db.dialect)
    with db.begin() as conn:
        metadata.create_all(conn)
        if not db.system_columns_checked:  # once per process: inspecting costs queries
            _add_missing_system_columns(db, conn, tables.values())
    db.system_columns_checked = True


def as_created(db: Database, role: str, present: Collection[str]) -> str:
    """One of ordersync's tables (by role) for a statement that reads it, whatever ordersync
    created it: the table itself when it has every column (``present``: the columns it has),
    else a subquery giving the columns an older ordersync did not create as ``create_tables``
    would add them (their default, or NULL) — and no row when the table is not there at all.

    For the commands that only read: they must work for a user who may only read, so they
    never bring a table up to date themselves (``create_tables`` does, on the next run).
    """
    table = _system_tables(db.tables, db.dialect)[1][role]
    if present and all(c.name in present for c in table.columns):
        return db.table(role)
    dialect = db.engine.dialect
    columns = []
    for column in table.columns:
        if column.name in present:
            columns.append(db.quote(column.name))
            continue
        default = getattr(column.server_default, "arg", None)
        value = default if isinstance(default, str) else "NULL"
        columns.append(f"CAST({value} AS {column.type.compile(dialect=dialect)}) "
                       f"AS {db.quote(column.name)}")
    source = f" FROM {db.table(role)}" if present else " WHERE 1 = 0"
    return f"(SELECT {', '.join(columns)}{source}) AS {db.table(role)}"


def _add_missing_system_columns(db: Database, conn: Connection,
                                tables: Iterable[sa.Table]) -> None:
    """Columns (and indexes) a newer ordersync added to a system table an older one created
    (the columns all nullable or defaulted, so existing rows stay valid)."""
    inspector = sa.inspect(conn)
    for table in tables:
        present = {c["name"] for c in inspector.get_columns(table.name, schema=db.schema)}
        for column in table.columns:
            if column.name in present:
                continue
            sql_type = column.type.compile(dialect=conn.dialect)
            default = (f" DEFAULT {column.server_default.arg}"  # type: ignore[attr-defined]
                       if column.server_default is not None else "")
            conn.execute(sa.text(f"ALTER TABLE {db.quote(table.name)} ADD COLUMN "
                                 f"{db.quote(column.name)} {sql_type}{default}"))
        for index in table.indexes:  # and the indexes it added
            index.create(conn, checkfirst=True)


def column_name_for(label: str, taken: Iterable[str]) -> str:
    """The SQL name for a new label: the label itself when it is safe, else a shortened form."""
    taken_upper = {t.upper() for t in taken} | SYSTEM_COLUMNS
    name = label
    if len(name.encode()) > _MAX_IDENTIFIER_BYTES or name.upper() in taken_upper:
        digest = hashlib.sha256(label.encode()).hexdigest()[:8]
        head = name.encode()[: _MAX_IDENTIFIER_BYTES - 10].decode(errors="ignore").rstrip()
        name = f"{head} ~{digest}"
    return name


def registered_columns(db: Database, conn: Connection) -> list[BusinessColumn]:
    """Every business column, in position order."""
    rows = conn.execute(sa.text(
        f"SELECT label, name, kind, value_type, position FROM {db.table('order_columns')} "
        "ORDER BY position"
    )).all()
    return [BusinessColumn(r.label, r.name, r.kind, r.value_type, r.position) for r in rows]


def column_name(db: Database, conn: Connection, label: str) -> str | None:
    """The SQL name of the business column ``label``, or None if no file brought it yet."""
    for column in registered_columns(db, conn):
        if column.label == label:
            return column.name
    return None


def ensure_columns(db: Database, conn: Connection,
                   wanted: Sequence[ColumnRequest]) -> tuple[list[BusinessColumn], list[str]]:
    """Register and add missing business columns; return (all columns, labels added)."""
    existing = registered_columns(db, conn)
    by_label = {c.label: c for c in existing}
    new: list[BusinessColumn] = []
    position = max((c.position for c in existing), default=0)
    for request in wanted:
        if request.label in by_label:
            known = by_label[request.label]
            if known.value_type != request.value_type:
                raise ColumnTypeConflict(request.label, known.value_type, request.value_type)
            continue
        position += 1
        name = column_name_for(request.label, (c.name for c in by_label.values()))
        column = BusinessColumn(request.label, name, request.kind, request.value_type, position)
        by_label[column.label] = column
        new.append(column)
    if new:
        _add_columns(db, conn, new, sorted(by_label.values(), key=lambda c: c.position))
    return sorted(by_label.values(), key=lambda c: c.position), [c.label for c in new]


def _add_columns(db: Database, conn: Connection, new: Sequence[BusinessColumn],
                 every: Sequence[BusinessColumn]) -> None:
    conn.execute(
        sa.text(f"INSERT INTO {db.table('order_columns')} (label, name, kind, value_type, "
                "position) VALUES (:label, :name, :kind, :value_type, :position)"),
        [{"label": c.label, "name": c.name, "kind": c.kind, "value_type": c.value_type,
          "position": c.position} for c in new],
    )
    types = _SQL_TYPES[db.dialect]
    additions = [f"ADD COLUMN {db.quote(c.name)} {types[c.value_type]}" for c in new]
    for role in ("orders", "staging_orders"):
        if not db.is_sqlite:
            conn.execute(sa.text(f"ALTER TABLE {db.table(role)} {', '.join(additions)}"))
        elif not _recreate_empty_sqlite_table(db, conn, role, new, every):
            for addition in additions:  # one column per statement is all SQLite takes
                conn.execute(sa.text(f"ALTER TABLE {db.table(role)} {addition}"))


class _Declared(sa.types.UserDefinedType[Any]):
    """A column type written exactly as given (the business columns' SQL types)."""

    cache_ok = True

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_col_spec(self, **_: Any) -> str:
        return self.spec


def _recreate_empty_sqlite_table(db: Database, conn: Connection, role: str,
                                 new: Sequence[BusinessColumn],
                                 every: Sequence[BusinessColumn]) -> bool:
    """Re-create an empty SQLite table with every business column; False if it holds rows
    or columns ordersync does not know (then the caller adds the columns one by one).

    SQLite adds one column per ALTER TABLE, each rewriting the whole schema: the 305
    columns of a first ingest took half a second.  An empty table loses nothing by
    being re-created, with its indexes, in the same transaction.
    """
    name = getattr(db.tables, role)
    if conn.execute(sa.text(f"SELECT 1 FROM {db.quote(name)} LIMIT 1")).first() is not None:
        return False
    table = _build_system_tables(db.tables, db.dialect)[1][role]  # its own: columns are added to it
    added = {c.name for c in new}
    present = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({db.quote_raw(name)})")]
    if present != [c.name for c in table.columns] + [c.name for c in every if c.name not in added]:
        return False
    types = _SQL_TYPES[db.dialect]
    for column in every:
        table.append_column(sa.Column(column.name, _Declared(types[column.value_type])))
    conn.exec_driver_sql(f"DROP TABLE {db.quote_raw(name)}")
    table.create(conn)
    return True
