"""Chaining the stages: ingest → merge → lines, then the sync when a board is configured.

Each stage stays importable and runnable on its own; this module decides order,
transactions and what a whole run returns, so ``ordersync run`` and a Python
caller get the same thing from :func:`run_all`.  Merge and lines share one
transaction so the order list and its lines are never seen half-updated;
``dry_run`` rolls it back.  Every ingest that wrote is an ``ingest_runs`` row;
every sync a ``sync_runs`` row.  A merge with nothing staged is decided by a peek,
before SQLAlchemy is loaded.

Exit codes (``RunResult.exit_code``): 0 done; 3 some files failed to ingest or
some records failed to sync (each listed); 1 the sync stopped early (monday.com
unavailable) — an error that stops a run is raised instead; 4 the newest ``verify``
found the board differing in ways a sync does not send again (``verify --repair`` does).
One ingest and merge runs at a time per database: a second one raises ``DatabaseBusy``
before doing anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ordersync import timing
from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import DatabaseBusy, OrderSyncError
from ordersync.ingest import IngestReport, ingest
from ordersync.lines import LinesReport, derive_lines
from ordersync.logs import log_event
from ordersync.merge import MergeReport, merge_orders, release_staging
from ordersync.states import FileStatus

if TYPE_CHECKING:
    from rich.console import Console

    from ordersync.monday.client import MondayClient
    from ordersync.progress import ProgressReporter
    from ordersync.sync import SyncOptions, SyncReport
    from ordersync.sync.stop import Stop

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_STOPPED, EXIT_PARTIAL, EXIT_BOARD_DIFFERS = 0, 1, 3, 4


@dataclass(frozen=True)
class MergeResult:
    orders: MergeReport
    lines: LinesReport
    dry_run: bool = False


@dataclass(frozen=True)
class RunResult:
    ingest: IngestReport
    merge: MergeResult
    sync: SyncReport | None = None
    """The sync's report, when a board is configured (``run_all``)."""
    report_path: Path | None = None
    """The HTML report page written after the run (``[report] dir``)."""
    sync_error: OrderSyncError | None = None
    """Why the sync could not run (no token, an unreachable API…): the ingest and merge
    before it are done and reported all the same; logged, and recorded on the run's
    ``ingest_runs`` row."""
    ingest_run_id: int | None = None
    """The run's ``ingest_runs`` row (None for a dry run)."""

    @property
    def exit_code(self) -> int:
        """0 done, 3 some files or records failed, 1 the sync stopped early or could not
        run, 4 the last verify found the board differing (and no repair since)."""
        if self.sync_error is not None or (self.sync is not None and self.sync.stopped):
            return EXIT_STOPPED
        if self.ingest.count("failed") or (self.sync is not None and not self.sync.dry_run
                                           and self.sync.incomplete):
            return EXIT_PARTIAL
        if self.sync is not None and not self.sync.dry_run and self.sync.board_differs:
            return EXIT_BOARD_DIFFERS
        return EXIT_OK


_ANALYZE_AFTER = 10_000  # rows written by one merge


def run_merge(config: Config, db: Database, *, dry_run: bool = False) -> MergeResult:
    """Merge staged rows into orders and diff their lines, in one transaction."""
    with _ingest_lock(db, dry_run):
        return _merge(config, db, dry_run)


def _ingest_lock(db: Database, dry_run: bool) -> AbstractContextManager[None]:
    """One ingest and merge at a time per database (``ordersync.db.locks``); a dry run
    writes nothing and needs none."""
    from ordersync.db.locks import exclusive

    return nullcontext() if dry_run else exclusive(db, "ingest", DatabaseBusy)


def _merge(config: Config, db: Database, dry_run: bool) -> MergeResult:
    if _nothing_to_merge(config, db):
        return MergeResult(MergeReport(), LinesReport(), dry_run=dry_run)
    if not dry_run:
        from ordersync.db.schema import create_tables  # SQLAlchemy: only with work to do

        create_tables(db)
    elif not db.has_table("orders"):
        return MergeResult(MergeReport(), LinesReport(), dry_run=True)
    # A first load fills the database: SQLite writes it through a rollback journal (the
    # journal mode is chosen as the connection opens, so this is asked before), PostgreSQL
    # builds the indexes of the orders and lines once they are in.  (Should another merge
    # fill the order list in between, either way still gives the same result.)
    first = not dry_run and _first_load(db)
    with db.rollback_journal() if first else nullcontext(), \
            db.transaction(dry_run=dry_run) as conn:
        db.lock(conn, "merge")
        with (db.indexes_built_after(conn, ("orders", "order_lines")) if first
              else nullcontext()):
            with timing.step("merge"):
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
    log_event(logger, "merge", "merge done", dry_run=dry_run, new=orders.new,
              changed=orders.changed, cancelled=orders.cancelled, removed=orders.removed,
              duplicates=orders.duplicates, lines_written=lines.written)
    return MergeResult(orders, lines, dry_run)


def _first_load(db: Database) -> bool:
    """Whether the order list is empty: its merge fills the database (see
    ``Database.rollback_journal`` and ``Database.indexes_built_after``)."""
    with db.peek() as peek:
        return not peek.rows(f"SELECT 1 FROM {db.quote_raw(db.tables.orders)} LIMIT 1")


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


def _ingest(config: Config, db: Database, dry_run: bool,
            progress: Callable[[str], None] | None) -> IngestReport:
    report = ingest(config, db, dry_run=dry_run, progress=progress)
    log_event(logger, "ingest", "ingest done", dry_run=dry_run,
              files_read=report.count("staged"), files_skipped=report.count("skipped"),
              files_failed=report.count("failed"), rows_read=report.rows_read,
              rows_staged=report.rows_staged, rows_rejected=report.rows_rejected)
    for failed in report.files:
        if failed.error:
            logger.warning("file failed: %s", failed.error,
                           extra={"event": "file_failed", "file": failed.path})
    return report


def run_ingest(config: Config, db: Database, *, dry_run: bool = False,
               progress: Callable[[str], None] | None = None) -> IngestReport:
    """The ingest alone, recorded as a run (``ordersync ingest``)."""
    from ordersync.listings.runs import record_ingest_run

    started = datetime.now(UTC)
    with _ingest_lock(db, dry_run):
        report = _ingest(config, db, dry_run, progress)
        record_ingest_run(db, report, None, started=started)
    return report


def run_pipeline(config: Config, db: Database, *, dry_run: bool = False,
                 progress: Callable[[str], None] | None = None) -> RunResult:
    """Ingest, then merge and lines; recorded as one run.

    With ``dry_run`` nothing is written, so the merge sees only what earlier
    ingests staged: the files' own counts are in the ingest report.
    """
    from ordersync.listings.runs import record_ingest_run

    started = datetime.now(UTC)
    with _ingest_lock(db, dry_run):
        ingested = _ingest(config, db, dry_run, progress)
        merged = _merge(config, db, dry_run)
        run_id = record_ingest_run(db, ingested, merged, started=started)
    return RunResult(ingested, merged, ingest_run_id=run_id)


def sync_board(config: Config, db: Database, *, options: SyncOptions | None = None,
               client: MondayClient | None = None, progress: ProgressReporter | None = None,
               out: Console | None = None, clock: Callable[[], float] = time.monotonic,
               sleep: Callable[[float], None] = time.sleep,
               stop: Stop | None = None) -> SyncReport:
    """One sync with its client built from the config and ``MONDAY_API_TOKEN`` (unless
    ``client`` is given), its progress shown through ``progress``, its outcome logged.
    ``stop`` (from ``sync.stop.stop_on_signals``) ends the run cleanly between requests;
    pass its ``sleep`` too so that waits end at once."""
    from ordersync.monday.client import token_from_env
    from ordersync.plan import plan_sync
    from ordersync.sync import Progress, SyncOptions, make_client, run_sync

    options = options or SyncOptions()
    if options.dry_run:
        return run_sync(config, db, None, options=options, out=out)
    callbacks: dict[str, Any] = {}
    budget_sleep = retry_sleep = sleep
    if progress is not None:
        if progress.enabled and db.has_table("orders"):
            plan = plan_sync(config, db)
            t = plan.totals
            progress.expect(plan.seconds, t.get("items_create", 0) + t.get("items_update", 0)
                            + t.get("items_cancel", 0))
        callbacks = progress.sync_callbacks()
        budget_sleep, retry_sleep = progress.budget_sleep(sleep), progress.retry_sleep(sleep)
    own = client is None
    if client is None:
        client = make_client(config, token_from_env(), sleep=retry_sleep, clock=clock)
    try:
        report = run_sync(config, db, client, options=options, progress=Progress(**callbacks),
                          clock=clock, sleep=budget_sleep, stop=stop)
    finally:
        if own:
            client.close()
    log_event(logger, "sync", "sync done", run_id=report.run_id, board_id=report.board_id,
              requests=report.requests, mutations=report.mutations,
              complexity=report.complexity, budget_waits=report.budget_waits,
              failed=report.counts["failed"], stopped=report.stopped)
    return report


def run_all(config: Config, db: Database, *, dry_run: bool = False,
            progress: ProgressReporter | None = None, client: MondayClient | None = None,
            out: Console | None = None, clock: Callable[[], float] = time.monotonic,
            sleep: Callable[[float], None] = time.sleep,
            stop: Stop | None = None) -> RunResult:
    """What ``ordersync run`` does: the pipeline, then the sync when ``monday.board_id`` is
    set, then the report page when ``[report] dir`` is set."""
    result = run_pipeline(config, db, dry_run=dry_run,
                          progress=progress.ingest_file() if progress else None)
    if stop is not None:  # a signal during the ingest and merge: they finished; stop here
        stop.check(where="after the ingest and merge (both complete and committed), before "
                         "the sync — run `ordersync run` again to go on")
    synced = None
    failed: OrderSyncError | None = None
    try:
        if config.monday.board_id is not None:
            from ordersync.sync import SyncOptions  # httpx, graphql-core: only with a board

            try:
                synced = sync_board(config, db, options=SyncOptions(dry_run=dry_run),
                                    client=client, progress=progress, out=out, clock=clock,
                                    sleep=sleep, stop=stop)
            except OrderSyncError as exc:  # the ingest and merge are done: reported too
                failed = exc
                _sync_failed(db, result.ingest_run_id, exc)
    finally:
        page = None
        if config.report_dir is not None and not dry_run:
            from ordersync.report import write_report_dir

            page = write_report_dir(config, db, config.report_dir)
    return RunResult(result.ingest, result.merge, synced, page, failed, result.ingest_run_id)


def _sync_failed(db: Database, run_id: int | None, error: OrderSyncError) -> None:
    """Log the error the sync of a run ended on, and record it on the run's row (so `runs`
    and the report do not show the run as ok)."""
    from ordersync.listings.runs import record_sync_error

    log_event(logger, "sync_failed", f"the sync could not run: {error}", level=logging.ERROR,
              error=type(error).__name__)
    if run_id is None:
        return
    try:
        record_sync_error(db, run_id, str(error))
    except OrderSyncError as exc:  # the database itself is what failed: the log has it
        log_event(logger, "record_failed", f"the run's error could not be recorded: {exc}",
                  level=logging.WARNING, run_id=run_id)
