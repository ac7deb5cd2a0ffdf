"""Issue #4 proof: a sync killed (SIGKILL) at any point loses nothing and duplicates nothing.

The board lives outside the process that dies: a real sandbox server in its own
process (``SERVER``: plan "enterprise", a state file), reached over HTTP.  Each
iteration changes the orders a little (new orders, quantities, an ETA, a
cancelled order, a removed or an added size; now and then a new season, so a
new group) and runs the pipeline; a forked child (its own database connections)
then syncs them and is SIGKILLed at a random point; often a second child
follows and is killed too, while it reconciles what the first left in doubt.
Then, at random: monday's 30 minutes of Idempotency-Key replays pass (the
server's clock jumps, so a re-sent request is applied again rather than
replayed: reconcile alone must prevent duplicates), more changes are merged
while records are in doubt, and planners edit the board by hand (issue #8: items
deleted, archived, moved, values and quantities changed, subitems and whole groups
deleted — ``sync.drift.Planner``).  A clean ``sync --repair`` in the test process must
leave the board equal to the database (its own verify pass, and ``board_problems``
on the server's saved state), with no duplicate item, subitem or group, nothing
FAILED and no run 'running'; a last ``verify`` finds the board equal.

Where a kill lands: the child reports each request it finished through
``Progress.advance`` (a byte down a pipe); the test draws (seeded
``random.Random``) a request count ``k`` from 0 (before the first request ended)
to about the run's whole count (its end), waits for the k-th, then sleeps a
random fraction of the time the next request usually takes and kills: between
requests, during one (SENDING committed; monday may or may not have applied it),
or in the bookkeeping around them.  At most 4 mutations per request, so a run is
many requests.  ``RUNS`` iterations at least, and until as many children were
killed; the share that left records SENDING must be meaningful
(``MIN_IN_DOUBT_SHARE``).

The server (``sync.server.SERVER``) differs from ``ordersync sandbox --plan
enterprise``: no minute budgets (a budget wait would be a real minute), no fsync of the
state file (the server is never killed), and ``POST /later`` moves its clock; it faults
one alias of about 6% of the mutation requests with a 500 (``ALIAS_FAULTS``).
``ORDERSYNC_CRASH_SEED`` picks another seed; a failure names iteration and seed.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import select
import signal
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE_HEADERS, ConfigFactory, WorkbookFactory, fetch, order_row
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.errors import FatalSyncError
from ordersync.pipeline import run_pipeline
from ordersync.sync import SyncOptions, SyncReport, make_client, run_sync
from ordersync.sync.columns import identity_text
from ordersync.sync.engine import Progress
from ordersync.verify import VerifyOptions, VerifyResult, run_verify
from sync.conftest import TOKEN, Harness, board_problems, duplicates, monday_table
from sync.drift import Planner
from sync.server import IDEMPOTENCY_SECONDS, Server, running_server

SEED = int(os.environ.get("ORDERSYNC_CRASH_SEED", "4004"))
_RUNS = os.environ.get("ORDERSYNC_CRASH_RUNS")
RUNS = {"sqlite": int(_RUNS or 50), "postgresql": int(_RUNS or 50)}
ROUTED_RUNS = int(_RUNS or 30)
"""The routed variant (several boards) at least this many iterations and kills."""
"""At least this many iterations, and on until this many sync children were killed (not
finished first); ``ORDERSYNC_CRASH_RUNS`` sets both (a longer soak)."""
REMOVED_LINES = {"sqlite": "zero", "postgresql": "delete"}
"""Both ways a cancelled or removed size leaves the board, one per engine."""
MIN_IN_DOUBT_SHARE = 0.2
"""At least this share of the kills must leave records SENDING (the in-doubt path)."""
DRIFT_SHARE = 0.35
"""Iterations in which planners edit the board by hand before the clean run (issue #8)."""
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
STARTUP_SECONDS = 10.0
CHILD_SECONDS = 30.0
"""A child not killed by then is hung: the test kills it and fails."""

ALIAS_FAULTS = ("partial(1,INTERNAL_SERVER_ERROR):0.03,partial(3,INTERNAL_SERVER_ERROR):0.03,"
                f"seed={SEED}")
"""Now and then one alias of a request meets a server fault inside an HTTP 200 (issue #8):
retried like a request fault, it must neither duplicate nor lose its record."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, faults=ALIAS_FAULTS) as found:
        yield found


# --- the orders, changed a little each iteration --------------------------------------------


@dataclass
class Order:
    number: int
    sizes: dict[str, int]
    season: str
    eta: str = "2025-03-05"
    cancelled: bool = False

    def row(self) -> dict[str, Any]:
        return order_row(self.number, dict(self.sizes), ETA=self.eta,
                         order_type="CANCELLED" if self.cancelled else "BULK",
                         **{"CUSTOMER SEASON": self.season})


@dataclass
class Orders:
    rng: random.Random
    orders: list[Order] = field(default_factory=list)
    season: int = 1
    moves: bool = False
    """Routed: now and then an order changes season, so its item moves to another board."""

    def evolve(self) -> list[str]:
        """A few changes of the kinds a new workbook brings; what changed, for the report."""
        rng, done = self.rng, []
        if rng.random() < 0.2:  # a new season: a new group on the board
            self.season += 1
            done.append(f"season {self.season}")
        season = f"DROP {self.season:02d}"
        for _ in range(rng.randint(1, 3)):
            number = len(self.orders) + 1
            sizes = {s: rng.randint(1, 60) for s in sorted(rng.sample(SIZES, rng.randint(1, 4)),
                                                            key=SIZES.index)}
            self.orders.append(Order(number, sizes, season))
            done.append(f"new {number}")
        active = [o for o in self.orders if not o.cancelled]
        for order in rng.sample(active, min(len(active), rng.randint(1, 3))):
            size = rng.choice(list(order.sizes))
            order.sizes[size] = rng.randint(1, 60)
            done.append(f"qty {order.number}/{size}")
        if rng.random() < 0.4:
            order = rng.choice(active)
            order.eta = f"2025-{rng.randint(4, 12):02d}-{rng.randint(1, 28):02d}"
            done.append(f"eta {order.number}")
        if rng.random() < 0.4:
            several = [o for o in active if len(o.sizes) > 1]
            if several:
                order = rng.choice(several)
                size = rng.choice(list(order.sizes))
                del order.sizes[size]
                done.append(f"remove {order.number}/{size}")
        if rng.random() < 0.3:
            order = rng.choice(active)
            free = [s for s in SIZES if s not in order.sizes]
            if free:
                size = rng.choice(free)
                order.sizes[size] = rng.randint(1, 60)
                done.append(f"add {order.number}/{size}")
        if rng.random() < 0.3 and len(active) > 3:
            order = rng.choice(active)
            order.cancelled = True
            done.append(f"cancel {order.number}")
        if self.moves and rng.random() < 0.3:
            order = rng.choice([o for o in self.orders if not o.cancelled] or active)
            order.season = f"DROP {rng.randint(1, self.season):02d}"
            done.append(f"season of {order.number}: {order.season}")
        return done

    def rows(self) -> list[dict[str, Any]]:
        return [o.row() for o in self.orders]


# --- a sync in a child process, killed ------------------------------------------------------


@dataclass
class Pace:
    """How long a child takes, learnt as the test goes: from its start to its first
    request's end (setup, reconcile, the first request), and from one request's end to
    the next's."""

    first: float = 0.15
    then: float = 0.04

    def learn(self, marks: list[float]) -> None:
        if marks:
            self.first = 0.7 * self.first + 0.3 * marks[0]
        gaps = [b - a for a, b in itertools.pairwise(marks)]
        if gaps:
            self.then = 0.7 * self.then + 0.3 * sum(gaps) / len(gaps)


@dataclass
class Kill:
    after_requests: int
    """The kill was aimed at this many finished requests of the child, plus ``fraction``
    of the time the next one usually takes."""
    fraction: float
    delay: float = 0.0
    requests_seen: int = 0
    landed: bool = False
    """False: the child finished (or failed) before the kill."""
    inherited: int = 0
    """Records an earlier kill had left SENDING when this child started (its reconcile's)."""
    in_doubt_orders: int = 0
    in_doubt_lines: int = 0
    """Records SENDING after the kill."""
    error: str | None = None

    @property
    def left_in_doubt(self) -> bool:
        """This kill landed between a SENDING commit and the outcome's commit."""
        return not self.inherited and bool(self.in_doubt_orders or self.in_doubt_lines)

    def brief(self) -> str:
        landed = "killed" if self.landed else "finished first"
        return (f"aimed after {self.after_requests} requests + {self.delay * 1000:.0f} ms, "
                f"saw {self.requests_seen}, {landed}, SENDING before {self.inherited}, after: "
                f"{self.in_doubt_orders} orders {self.in_doubt_lines} lines")


def _sync(config: Config, db: Database, progress: Progress | None = None) -> SyncReport:
    """One sync; waits while the board lock is still held by a killed child (a PostgreSQL
    backend lets go of its advisory lock a moment after its client died)."""
    deadline = time.monotonic() + 10.0
    while True:
        try:
            with make_client(config, TOKEN) as client:
                return run_sync(config, db, client, options=SyncOptions(), progress=progress)
        except FatalSyncError as exc:
            if "another ordersync sync" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _verify(config: Config, db: Database, *, repair: bool) -> VerifyResult:
    """``verify`` (``sync --repair`` when ``repair``), waiting for a killed child's lock."""
    deadline = time.monotonic() + 10.0
    while True:
        try:
            with make_client(config, TOKEN) as client:
                return run_verify(config, db, client, options=VerifyOptions(repair=repair))
        except FatalSyncError as exc:
            if "another ordersync sync" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _child(config: Config, pipe: int, errors: Path) -> None:
    """The forked child: its own database connections, one sync, a byte per request."""
    code = 1
    try:
        db = open_database(config)
        os.write(pipe, b"s")
        _sync(config, db, Progress(advance=lambda n: os.write(pipe, b"r")))
        code = 0
    except BaseException:
        errors.write_text(traceback.format_exc(), encoding="utf-8")
    finally:
        os._exit(code)  # no atexit, no finalizers: the parent's connections are not ours


def killed_sync(config: Config, db: Database, kill: Kill, pace: Pace, errors: Path) -> None:
    """Fork a child that syncs; SIGKILL it as ``kill`` aims; what it left SENDING."""
    kill.inherited = _sending(db)
    db.dispose()  # nothing pooled is shared with the child
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        _child(config, write, errors)
    os.close(write)
    started, exited, marks = 0.0, False, []
    deadline = time.monotonic() + CHILD_SECONDS
    try:
        while not (started and kill.requests_seen >= kill.after_requests):
            ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                kill.error = f"the child hung ({kill.requests_seen} requests in)"
                break
            data = os.read(read, 256)
            if not data:
                exited = True
                break
            now = time.monotonic()
            started = started or (now if b"s" in data else 0.0)
            marks += [now - started] * data.count(b"r")
            kill.requests_seen += data.count(b"r")
        if not exited:
            kill.delay = kill.fraction * (pace.then if kill.after_requests else pace.first)
            time.sleep(kill.delay)
        os.kill(pid, signal.SIGKILL)  # a child that has just exited is a zombie: no harm
    finally:
        os.close(read)
        _, status = os.waitpid(pid, 0)
    pace.learn(marks)
    kill.landed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    if not kill.landed and os.WEXITSTATUS(status) != 0:
        kill.error = errors.read_text(encoding="utf-8") if errors.exists() else "child failed"
    kill.in_doubt_orders = _count(db, "orders", "sync_state = 'SENDING'")
    kill.in_doubt_lines = _count(db, "order_lines", "sync_state = 'SENDING'")


def _sending(db: Database) -> int:
    return (_count(db, "orders", "sync_state = 'SENDING'")
            + _count(db, "order_lines", "sync_state = 'SENDING'"))


def _count(db: Database, table: str, where: str) -> int:
    return int(fetch(db, f"SELECT COUNT(*) AS n FROM {db.table(table)} WHERE {where}")[0].n)


# --- the check ------------------------------------------------------------------------------


@dataclass
class RoutedBoards(Harness):
    """Every board of a routed run seen as one (for ``board_problems``), and each apart."""

    board_ids: list[str] = field(default_factory=list)

    def board(self) -> dict[str, Any]:
        return {"id": "all", "name": "every routed board", "groups": [
            g for b in self.board_ids for g in self.sandbox.board(b)["groups"]]}


ITEMS_PER_BOARD = 12
"""Routed: a board holds this many items (and subitems), so seasons overflow onto "(2)"."""


def routed_problems(h: RoutedBoards) -> list[str]:
    """Per board: no duplicate, no group title twice, the fill within the limit; every item
    on the board the database records for its order."""
    found = []
    where = {}
    for board_id in h.board_ids:
        one = Harness(h.sandbox, h.clock, replace(h.ids, board_id=board_id), h.config, h.db)
        found += [f"board {board_id}: {p}" for p in duplicates(one)]
        items = one.items()
        subitems = sum(len(i["subitems"]) for i in items)
        if max(len(items), subitems) > ITEMS_PER_BOARD:
            found.append(f"board {board_id} holds {len(items)} items, {subitems} subitems")
        where |= {i["id"]: board_id for i in items}
    for order in fetch(h.db, "SELECT item_name, monday_item_id, monday_board_id FROM orders "
                             "WHERE monday_item_id IS NOT NULL"):
        if where.get(order.monday_item_id, order.monday_board_id) != order.monday_board_id:
            found.append(f"order {order.item_name}: item on board "
                         f"{where[order.monday_item_id]}, database says {order.monday_board_id}")
    return found


def describe(h: Harness, problems: list[str]) -> str:
    """The records the problems name: their database rows and their items on the board."""
    numbers = sorted(set(re.findall(r"GRE-\d{5}", "\n".join(problems))))
    orders = fetch(h.db, "SELECT record_uuid, business_key, item_name, monday_item_id, "
                   "sync_state, sync_action, is_cancelled FROM orders ORDER BY item_name")
    lines = fetch(h.db, "SELECT record_uuid, size_code, qty, monday_subitem_id, sync_state, "
                  "sync_action FROM order_lines ORDER BY size_code")
    out = []
    for o in orders:
        if not any(n in str(o.item_name) for n in numbers):
            continue
        out.append(f"    database: order {o.item_name!r} item {o.monday_item_id} "
                   f"{o.sync_state}/{o.sync_action} cancelled={bool(o.is_cancelled)}; lines "
                   + ", ".join(f"{x.size_code}={x.qty} sub {x.monday_subitem_id} "
                               f"{x.sync_state}/{x.sync_action}"
                               for x in lines if x.record_uuid == o.record_uuid))
        for item in h.items():
            if item["values"][h.ids.identity] == identity_text(o.business_key):
                out.append(f"      board: item {item['id']} {item['name']!r}; subitems "
                           + ", ".join(f"{x['name']}={x['values'][h.ids.order_qty]} "
                                       f"({x['id']})" for x in item["subitems"]))
    return "\n".join(out)


# --- the test -------------------------------------------------------------------------------


@pytest.mark.parametrize("routed", [False, True], ids=["one-board", "routed"])
def test_sync_killed_at_random_points_leaves_no_duplicates_and_a_clean_run_mirrors_the_db(
        engine: str, server: Server, make_config: ConfigFactory,
        write_workbook: WorkbookFactory, tmp_path: Path, routed: bool) -> None:
    # record_attempts counts every send, and a send killed in flight is one: two kills and
    # a server fault on one alias would make a record FAILED (by design), which this test,
    # about duplicates and losses, does not want to meet by chance.  Routed (issue #10):
    # season by season onto boards of ITEMS_PER_BOARD, orders changing season; the clean
    # run is a plain sync and there are no hand edits (verify reads one board so far).
    routing = {"routing": {"key": "{CUSTOMER SEASON}", "board_name": "Orders {CUSTOMER SEASON}",
                           "overflow": "split"}} if routed else {}
    config = make_config(monday=monday_table(
        server.ids, api_url=server.url, removed_lines=REMOVED_LINES[engine],
        limits={"max_mutations_per_request": 4,
                **({"items_per_board": ITEMS_PER_BOARD} if routed else {})},
        retry={"record_attempts": 10}, **routing))
    db = open_database(config)
    rng = random.Random(f"{SEED}-{engine}{'-routed' if routed else ''}")
    orders = Orders(rng, moves=routed)
    headers = [*BASE_HEADERS, *SIZES, "TOTAL QTY"]
    started = time.monotonic()
    kills: list[Kill] = []
    failures: list[str] = []
    known: set[str] = set()
    expired = drifted = 0
    planner = Planner(rng, server.ids)
    pace, estimate = Pace(), 6  # requests of a run's work (learnt)
    iteration = 0
    runs = ROUTED_RUNS if routed else RUNS[engine]
    second_runs = 0
    try:
        while ((iteration < runs or sum(k.landed for k in kills) < runs
                or sum(k.landed and k.left_in_doubt for k in kills)
                < MIN_IN_DOUBT_SHARE * sum(k.landed for k in kills))
               and iteration < 3 * runs):
            where = f"iteration {iteration} (seed {SEED}, engine {engine})"
            changes = orders.evolve()
            write_workbook("GRE_orders.csv", orders.rows(), headers=headers)
            run_pipeline(config, db)
            this = [Kill(rng.randint(0, estimate - 1), rng.random())]
            killed_sync(config, db, this[0], pace, tmp_path / f"child-{iteration}-0.err")
            if rng.random() < (0.6 if this[0].left_in_doubt else 0.15):
                # a second child, killed too: while it reconciles, if there is anything to
                kill = Kill(0 if this[0].left_in_doubt else
                            rng.randint(0, max(0, estimate - this[0].requests_seen - 1)),
                            rng.random())
                killed_sync(config, db, kill, pace, tmp_path / f"child-{iteration}-1.err")
                this.append(kill)
            failures += [f"{where}: a killed child: {k.error}" for k in this if k.error]
            server.ping()
            if rng.random() < 0.5:  # the next run comes after monday forgot the keys
                server.later(IDEMPOTENCY_SECONDS)
                changes.append("(keys expired)")
                expired += 1
            if rng.random() < 0.25:  # the workbook changes while records may be in doubt
                changes += ["(merged after the kill:)", *orders.evolve()]
                write_workbook("GRE_orders.csv", orders.rows(), headers=headers)
                run_pipeline(config, db)
            if not routed and rng.random() < DRIFT_SHARE:  # planners edit the board by hand
                with make_client(config, TOKEN) as client:
                    edits = planner.edit(client, server.board(config, db).board(),
                                         rng.randint(1, 4))
                changes += ["(by hand:)", *edits]
                drifted += bool(edits)
            kills += this
            result = None if routed else _verify(config, db, repair=True)  # sync --repair
            report = _sync(config, db) if result is None else result.sync
            assert report is not None
            if routed and _count(db, "orders", "sync_state = 'PENDING'") + _count(
                    db, "order_lines", "sync_state = 'PENDING'"):
                # Known gap (issue #10): an order moved to another board in a run whose
                # groups had to be found again can be left PENDING for the next run.  The
                # next plain run must finish it; duplicates and losses are checked as ever.
                report = _sync(config, db)
                second_runs += 1
            estimate = max(2, sum(k.requests_seen for k in this) + report.requests)
            h = server.board(config, db)
            if routed:
                h = RoutedBoards(h.sandbox, h.clock, h.ids, config, db, board_ids=[
                    h.ids.board_id, *(r.board_id for r in fetch(
                        db, "SELECT board_id FROM monday_boards ORDER BY board_id"))])
                problems = list(dict.fromkeys(board_problems(h) + routed_problems(h)))
            else:
                problems = list(dict.fromkeys(board_problems(h) + duplicates(h)))
            if report.stopped or report.counts["failed"]:
                problems.append(f"the clean run: stopped {report.stopped!r}, failures "
                                f"{report.failures}")
            if result is not None and not result.final.equal:
                problems.append(f"verify after the repair: {result.final.counts}")
            running = _count(db, "sync_runs", "status = 'running'")
            if running:
                problems.append(f"{running} sync run(s) still 'running'")
            new = [p for p in problems if p not in known]  # not those found before again
            if new:
                failures.append(
                    f"{where}: changes {changes}; kills {[k.brief() for k in this]}; "
                    f"the clean run {report.counts}:\n  " + "\n  ".join(new)
                    + "\n" + describe(h, new))
            known = set(problems)
            iteration += 1
        boards = len(fetch(db, "SELECT board_id FROM monday_boards")) if routed else 1
        if not routed:
            final = _verify(config, db, repair=False).found
            if not final.equal:
                failures.append(f"the last verify: {final.counts}")
            if duplicates(server.board(config, db)):
                failures.append(f"duplicates at the end: "
                                f"{duplicates(server.board(config, db))}")
        alias_faults = _count(db, "sync_events", "error_code = 'INTERNAL_SERVER_ERROR'")
    finally:
        db.dispose()
    elapsed = time.monotonic() - started
    landed = [k for k in kills if k.landed]
    in_doubt = [k for k in landed if k.left_in_doubt]
    summary = (f"{engine}{' routed' if routed else ''}: {iteration} iterations, "
               f"{boards} board(s), {len(kills)} sync children, {len(landed)} "
               f"killed: {len(in_doubt)} leaving records SENDING "
               f"({sum(k.in_doubt_orders for k in in_doubt)} orders, "
               f"{sum(k.in_doubt_lines for k in in_doubt)} lines), "
               f"{sum(1 for k in landed if k.requests_seen == 0)} before a first request "
               f"ended, {sum(1 for k in landed if k.inherited)} with in-doubt records to "
               f"reconcile; idempotency keys expired before {expired} clean runs; the board "
               f"edited by hand before {drifted}; {alias_faults} alias faults recorded; "
               f"{len(orders.orders)} orders; {second_runs} clean run(s) needed a second "
               f"run; {elapsed:.1f} s")
    print(summary)
    assert not failures, f"{summary}\n" + "\n".join(failures)
    assert len(landed) >= runs, summary
    assert len(in_doubt) >= MIN_IN_DOUBT_SHARE * len(landed), summary
    assert boards >= (3 if routed else 1), summary
    assert alias_faults > 0, summary
