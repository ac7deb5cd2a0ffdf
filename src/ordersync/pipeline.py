"""Chaining the stages: ingest → merge → lines (→ plan → sync, issue #4).

Each stage stays importable and runnable on its own; this module only decides
order and transactions.  Merge and lines share one transaction so the order
list and its lines are never seen half-updated; ``dry_run`` rolls it back.
A merge with nothing staged is decided by a peek, before SQLAlchemy is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ordersync import timing
from ordersync.config import Config
from ordersync.db import Database
from ordersync.ingest import IngestReport, ingest
from ordersync.lines import LinesReport, derive_lines
from ordersync.merge import MergeReport, merge_orders, release_staging
from ordersync.states import FileStatus


@dataclass(frozen=True)
class MergeResult:
    orders: MergeReport
    lines: LinesReport
    dry_run: bool = False


@dataclass(frozen=True)
class RunResult:
    ingest: IngestReport
    merge: MergeResult


_ANALYZE_AFTER = 10_000  # rows written by one merge


def open_database(config: Config) -> Database:
    """The configured database (``ORDERSYNC_DATABASE_URL`` wins over the file)."""
    return Database(config.database_url, schema=config.database.schema_name,
                    tables=config.database.tables)


def run_merge(config: Config, db: Database, *, dry_run: bool = False) -> MergeResult:
    """Merge staged rows into orders and diff their lines, in one transaction."""
    if _nothing_to_merge(config, db):
        return MergeResult(MergeReport(), LinesReport(), dry_run=dry_run)
    if not dry_run:
        from ordersync.db.schema import create_tables  # SQLAlchemy: only with work to do

        create_tables(db)
    elif not db.has_table("orders"):
        return MergeResult(MergeReport(), LinesReport(), dry_run=True)
    with db.transaction(dry_run=dry_run) as conn:
        with timing.step("merge"):
            db.lock(conn, "merge")
            orders = merge_orders(config, db, conn)
        with timing.step("lines"):
            lines = derive_lines(db, conn)
            release_staging(db, conn)
        if orders.new + orders.changed + orders.cancelled + lines.written > _ANALYZE_AFTER:
            # A big merge (a first load above all) leaves PostgreSQL's statistics far from
            # the truth until autovacuum catches up, and the next merge would scan.
            db.analyze(conn, db.table("orders"), ["business_key", "source_file_id"])
            db.analyze(conn, db.table("order_lines"), ["record_uuid", "size_code"])
    timing.lap("commit")
    return MergeResult(orders, lines, dry_run)


def _nothing_to_merge(config: Config, db: Database) -> bool:
    """Whether a merge would find nothing to do and leave everything as it is: the tables
    exist, no file waits for merge, no staged row is left over, and no order of a file
    gone from the folder is still to be flagged REMOVED."""
    t = db.tables
    with db.peek() as peek:
        if not all(peek.has_table(name) for name in
                   (t.ingest_files, t.staging_orders, t.staging_lines, t.orders)):
            return False
        files, orders = db.quote_raw(t.ingest_files), db.quote_raw(t.orders)
        checks = [
            f"SELECT 1 FROM {files} WHERE status = :staged",
            f"SELECT 1 FROM {db.quote_raw(t.staging_orders)}",
            f"SELECT 1 FROM {db.quote_raw(t.staging_lines)}",
        ]
        if config.sources.missing_files == "remove":
            checks.append(f"SELECT 1 FROM {orders} WHERE removed_at IS NULL AND source_file_id "
                          f"IN (SELECT id FROM {files} WHERE status = :missing)")
        return not any(peek.rows(f"{check} LIMIT 1", {"staged": FileStatus.STAGED.value,
                                                      "missing": FileStatus.MISSING.value})
                       for check in checks)


def run_pipeline(config: Config, db: Database, *, dry_run: bool = False,
                 progress: Callable[[str], None] | None = None) -> RunResult:
    """Every stage built so far, in order.

    With ``dry_run`` nothing is written, so the merge sees only what earlier
    ingests staged: the files' own counts are in the ingest report.
    """
    ingested = ingest(config, db, dry_run=dry_run, progress=progress)
    merged = run_merge(config, db, dry_run=dry_run)
    return RunResult(ingested, merged)

