"""Writing prepared files to the database, safely against a crash at any instant.

Protocol, per ingest:
1. one transaction: register new business columns (schema evolution), mark each
   file ``loading`` (or ``failed`` with its error), and clear the file's earlier
   staged rows, lines and rejects;
2. bulk loads (ADBC on SQLite, COPY on PostgreSQL) of staged rows, lines and rejects;
3. one transaction: mark the files ``staged`` with their counts and content hash.

A crash between 1 and 3 leaves files in ``loading``; the next ingest discards
their partial rows (:func:`discard_interrupted`) and reads them again, so a row
is never merged twice or half-loaded.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ordersync.db import Database
from ordersync.db.schema import (
    BusinessColumn,
    create_tables,
    ensure_columns,
    registered_columns,
)
from ordersync.ingest.files import KnownFile
from ordersync.ingest.outcome import FileOutcome
from ordersync.ingest.prepare import PreparedBatch
from ordersync.sources import Entry
from ordersync.states import FileStatus


def mark_missing(db: Database, known: dict[str, KnownFile], present: set[str], *,
                 dry_run: bool) -> list[tuple[str, str | None, int]]:
    """Files read before and gone from the folder now: (path, profile, live orders).

    They are marked ``missing``; the merge flags their orders REMOVED when
    ``sources.missing_files = "remove"``.
    """
    gone = {path: k for path, k in known.items() if path not in present}
    if not gone:
        return []
    found = []
    orders = db.has_table("orders")  # before the transaction: SQLite locks
    with db.begin() as conn:
        for path, file in sorted(gone.items()):
            live = conn.execute(sa.text(
                f"SELECT COUNT(*) FROM {db.table('orders')} WHERE source_file_id = :id "
                "AND removed_at IS NULL"), {"id": file.id}).scalar_one() if orders else 0
            found.append((path, file.profile, int(live)))
        if not dry_run:
            conn.execute(sa.text(
                f"UPDATE {db.table('ingest_files')} SET status = :missing, content_hash = NULL "
                "WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
                {"missing": FileStatus.MISSING.value, "ids": [f.id for f in gone.values()]})
    return found


def record_stamps(db: Database, files: Sequence[tuple[int, Entry]]) -> None:
    """New etag/size/modified of files read whose bytes turned out unchanged."""
    if files:
        with db.begin() as conn:
            conn.execute(sa.text(db.sql("ingest_file_stamp")), [
                {"id": file_id, "etag": e.etag, "size": e.size, "modified": e.modified}
                for file_id, e in files])


def pending_columns(db: Database, batch: PreparedBatch | None) -> tuple[str, ...]:
    """Labels a write would add as new columns (for --dry-run)."""
    if batch is None:
        return ()
    existing: set[str] = set()
    if db.has_table("ingest_files"):
        with db.begin() as conn:
            existing = {c.label for c in registered_columns(db, conn)}
    return tuple(r.label for r in batch.columns if r.label not in existing)


def analyze_staging(db: Database) -> None:
    """Fresh planner statistics on the staging tables once they are loaded."""
    with db.begin() as conn:
        # Only the join columns: statistics on 300 business columns take seconds.
        for role in ("staging_orders", "staging_lines"):
            db.analyze(conn, db.table(role), ["_file_id", "_row"]
                       + (["_key"] if role == "staging_orders" else []))


def start_loading(db: Database) -> None:
    """Once per ingest, before its first batch: the tables exist, and no file is left
    half-loaded by an earlier crash."""
    create_tables(db)
    with db.begin() as conn:
        discard_interrupted(db, conn)


def discard_interrupted(db: Database, conn: Connection) -> None:
    """Throw away partial rows of files a crash left in ``loading``; they will be re-read."""
    ids = [r.id for r in conn.execute(sa.text(
        f"SELECT id FROM {db.table('ingest_files')} WHERE status = :s"),
        {"s": FileStatus.LOADING.value})]
    if ids:
        _clear_files(db, conn, ids)
        conn.execute(sa.text(
            f"UPDATE {db.table('ingest_files')} SET status = :failed, content_hash = NULL, "
            "error = :error WHERE status = :loading"),
            {"failed": FileStatus.FAILED.value, "loading": FileStatus.LOADING.value,
             "error": "interrupted while loading; it is read again by the next ingest"})


def _clear_files(db: Database, conn: Connection, ids: Sequence[int]) -> None:
    params = {"ids": list(ids)}
    expanding: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
    for role, column in (("staging_orders", "_file_id"), ("staging_lines", "_file_id"),
                         ("rejected_rows", "file_id")):
        conn.execute(sa.text(f"DELETE FROM {db.table(role)} WHERE {column} IN :ids")
                     .bindparams(expanding), params)


def _register_file(db: Database, conn: Connection, outcome: FileOutcome) -> int:
    table = db.table("ingest_files")
    source = outcome.source
    values = {"path": source.display, "profile": source.profile_code,
              "customer": source.profile.customer}
    file_id = conn.execute(sa.text(f"SELECT id FROM {table} WHERE path = :path"),
                           values).scalar()
    if file_id is None:
        file_id = conn.execute(sa.text(
            f"INSERT INTO {table} (path, profile, customer, status) "
            "VALUES (:path, :profile, :customer, :status) RETURNING id"),
            {**values, "status": FileStatus.LOADING.value}).scalar_one()
    if outcome.input is None:
        conn.execute(sa.text(
            f"UPDATE {table} SET status = :status, error = :error, profile = :profile, "
            "customer = :customer, rows_read = 0, rows_staged = 0, rows_rejected = 0, "
            "rows_blank = 0, ingested_at = CURRENT_TIMESTAMP WHERE id = :id"),
            {**values, "id": file_id, "status": FileStatus.FAILED.value, "error": outcome.error})
    else:
        conn.execute(sa.text(f"UPDATE {table} SET status = :status WHERE id = :id"),
                     {"id": file_id, "status": FileStatus.LOADING.value})
    return int(file_id)


def _frames(columns: Sequence[BusinessColumn], batch: PreparedBatch,
            file_ids: dict[int, int], names: dict[int, str]
            ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The batch's frames with database file ids and SQL column names."""
    def file_id(frame: pl.DataFrame) -> pl.DataFrame:
        ids = pl.col("_file").replace_strict(file_ids, return_dtype=pl.Int64)
        return frame.with_columns(ids.alias("_file_id")).drop("_file")

    sql_names = {c.label: c.name for c in columns}
    staged = file_id(batch.staged).rename(sql_names, strict=False)
    # A business column blank on every row of the batch (most sizes, as a rule) is left
    # out: the database fills it with NULL, and the bulk load binds or parses a third fewer
    # values.
    business = set(sql_names.values())
    blank = {name for name, nulls in zip(staged.columns, staged.null_count().row(0),
                                         strict=True)
             if nulls == staged.height and name in business}
    if blank:
        staged = staged.select(c for c in staged.columns if c not in blank)
    lines = file_id(batch.lines).select("_file_id", "_row", "size_code", "qty")
    rejected = batch.rejects.with_columns(
        pl.col("_file").replace_strict(names, return_dtype=pl.String).alias("file"))
    rejected = file_id(rejected).rename({"_file_id": "file_id"})
    sheets = {i: s.sheet for i, s in enumerate(batch.stats)}
    rejected = rejected.with_columns(
        pl.col("file_id").replace_strict(
            {file_ids[i]: sheet for i, sheet in sheets.items()}, return_dtype=pl.String
        ).alias("sheet"))
    return staged, lines, rejected


def write_outcomes(db: Database, outcomes: Sequence[FileOutcome],
                   batch: PreparedBatch | None) -> tuple[str, ...]:
    """Write the batch and the failures (see the module docstring); return new column labels.

    :func:`start_loading` must have run once before the first batch.
    """
    with db.begin() as conn:
        if not outcomes:
            return ()
        columns, added = ensure_columns(db, conn, batch.columns if batch else ())
        registered = [(_register_file(db, conn, o), o) for o in outcomes]
        _clear_files(db, conn, [file_id for file_id, _ in registered])
    loaded = [(file_id, o) for file_id, o in registered if o.input is not None]
    if batch is None or not loaded:
        return tuple(added)
    file_ids = {index: file_id for index, (file_id, _) in enumerate(loaded)}
    names = {index: o.source.display for index, (_, o) in enumerate(loaded)}
    staged, lines, rejected = _frames(columns, batch, file_ids, names)
    db.bulk_append(db.tables.staging_orders, staged)
    db.bulk_append(db.tables.staging_lines, lines)
    db.bulk_append(db.tables.rejected_rows, rejected)
    with db.begin() as conn:
        for (file_id, outcome), stats in zip(loaded, batch.stats, strict=True):
            entry = outcome.source.entry
            conn.execute(sa.text(db.sql("ingest_file_staged")), {
                "status": FileStatus.STAGED.value, "content_hash": outcome.content_hash,
                "config_hash": outcome.fingerprint, "sheet": stats.sheet,
                "header_row": stats.header_row, "read": stats.rows_read,
                "staged": stats.rows_staged, "rejected": stats.rows_rejected,
                "blank": stats.rows_blank, "id": file_id, "etag": entry.etag,
                "size": entry.size, "modified": entry.modified})
    return tuple(added)
