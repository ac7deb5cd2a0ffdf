"""Past runs: every ingest (with the merge after it) and every sync, newest first.

``record_ingest_run`` writes an ``ingest_runs`` row for an ingest that wrote
(a dry run is not a run); ``record_sync_details`` adds to a ``sync_runs`` row
what only the report knows (mutations, budget waits, per-operation counts).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ordersync.db import Database

if TYPE_CHECKING:
    from ordersync.ingest import IngestReport
    from ordersync.pipeline import MergeResult
    from ordersync.sync.report import SyncReport


@dataclass(frozen=True)
class RunRecord:
    """One past run."""

    kind: str  # "ingest" or "sync"
    id: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    """ingest: files read / skipped / failed, rows read / staged / rejected, orders and
    lines written; sync: succeeded, failed and the report's counters."""
    board_id: str | None = None
    requests: int = 0
    complexity: int = 0
    mutations: int = 0
    budget_waits: int = 0
    waited_seconds: float = 0.0
    error: str | None = None
    """Why the run stopped or failed, if it did."""

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = _iso(self.started_at)
        data["finished_at"] = _iso(self.finished_at)
        data["seconds"] = self.seconds
        return data


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def as_utc(value: Any) -> datetime | None:
    """A timestamp as either engine returns it (SQLite: text in UTC), made aware UTC."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


SYNC_FAILED = "sync failed"
"""The status of a run whose ingest and merge were done and whose sync could not run, or
stopped on an error (``record_sync_error``)."""


def record_ingest_run(db: Database, report: IngestReport, merged: MergeResult | None, *,
                      started: datetime, finished: datetime | None = None) -> int | None:
    """One ``ingest_runs`` row for an ingest (and its merge) that wrote to the database;
    its id (None for a dry run, which is not a run)."""
    if report.dry_run:
        return None
    failed = report.count("failed")
    status = "partial" if failed else "ok"
    errors = "; ".join(f.error for f in report.files if f.error) or None
    row = {"status": status, "started_at": db.timestamp(started),
           "finished_at": db.timestamp(finished),
           "files_read": report.count("staged"), "files_skipped": report.count("skipped"),
           "files_failed": failed, "rows_read": report.rows_read,
           "rows_staged": report.rows_staged, "rows_rejected": report.rows_rejected,
           "orders_written": None, "lines_written": None, "error": errors}
    if merged is not None and not merged.dry_run:
        o = merged.orders
        row["orders_written"] = o.new + o.changed + o.cancelled + o.removed
        row["lines_written"] = merged.lines.written
    columns = ", ".join(row)
    insert = (f"INSERT INTO {{table}} ({columns}) VALUES "
              f"({', '.join(':' + c for c in row)}) RETURNING id")
    with db.peek() as peek:  # the usual case: the table is there, with every column
        if set(row) <= set(peek.columns(db.tables.ingest_runs)):
            return int(peek.scalar(insert.format(table=db.quote_raw(db.tables.ingest_runs)),
                                   row))
    import sqlalchemy as sa

    from ordersync.db.schema import create_tables

    create_tables(db)
    with db.begin() as conn:
        return int(conn.execute(sa.text(insert.format(table=db.table("ingest_runs"))),
                                row).scalar_one())


def record_sync_error(db: Database, run_id: int, error: str) -> None:
    """The run ``run_id`` (its ingest and merge done) ended on ``error`` in its sync, which
    could not start (no token, the board busy…) or stopped: said by its ``ingest_runs`` row,
    which ``runs`` and the report would otherwise show as ok."""
    table = db.quote_raw(db.tables.ingest_runs)
    with db.peek() as peek:
        peek.rows(f"UPDATE {table} SET status = :status, error = CASE WHEN error IS NULL "
                  "THEN :error ELSE error || '; ' || :error END WHERE id = :id",
                  {"status": SYNC_FAILED, "error": f"the sync could not run: {error}",
                   "id": run_id})


def record_sync_details(db: Database, report: SyncReport) -> None:
    """What a finished sync run's report knows beyond ``finish_run``'s columns."""
    import sqlalchemy as sa

    if report.run_id is None:
        return
    with db.begin() as conn:
        conn.execute(sa.text(
            f"UPDATE {db.table('sync_runs')} SET mutations = :m, budget_waits = :w, "
            "waited_seconds = :s, counts = :c, finished_at = :t WHERE id = :id"),
            {"t": db.timestamp(), "m": report.mutations, "w": report.budget_waits,
             "s": report.waited_seconds,
             "c": json.dumps({k: v for k, v in report.counts.items() if v}), "id": report.run_id})


_INGEST_COUNTS = ("files_read", "files_skipped", "files_failed", "rows_read", "rows_staged",
                  "rows_rejected", "orders_written", "lines_written")


def list_runs(db: Database, *, limit: int = 20) -> list[RunRecord]:
    """The ``limit`` newest runs, ingest and sync together, newest first.

    Reads only (a user allowed to read and no more can list them): the run columns a
    database an older ordersync wrote lacks read as empty until the next run adds them.
    """
    import sqlalchemy as sa

    from ordersync.db.schema import as_created

    with db.peek() as peek:
        if not peek.has_table(db.tables.orders):
            return []
        tables = {role: as_created(db, role, peek.columns(getattr(db.tables, role)))
                  for role in ("ingest_runs", "sync_runs")}
    with db.begin() as conn:
        rows = conn.execute(sa.text(db.sql("runs_list", **tables)), {"limit": limit}).all()
    runs = []
    for r in rows:
        if r.kind == "ingest":
            counts = {c: int(getattr(r, c)) for c in _INGEST_COUNTS
                      if getattr(r, c) is not None}
        else:
            counts = {"succeeded": int(r.succeeded), "failed": int(r.failed),
                      **(json.loads(r.counts) if r.counts else {})}
        runs.append(RunRecord(
            kind=r.kind, id=int(r.id), status=r.status, started_at=as_utc(r.started_at),
            finished_at=as_utc(r.finished_at), counts=counts, board_id=r.board_id,
            requests=int(r.requests or 0), complexity=int(r.complexity or 0),
            mutations=int(r.mutations or 0), budget_waits=int(r.budget_waits or 0),
            waited_seconds=float(r.waited_seconds or 0), error=r.error))
    oldest = datetime.min.replace(tzinfo=UTC)
    runs.sort(key=lambda run: (run.started_at or oldest, run.kind == "sync", run.id),
              reverse=True)
    return runs[:limit]
