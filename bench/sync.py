"""Benchmark: sync 1,000 orders × ~8 sizes to the in-process monday.com sandbox (issue #4).

Usage:
    python bench/sync.py [--orders 1000] [--sizes 8] [--seasons 4] [--enterprise]
                         [--repeat 1] [--seed 1] [--routing auto|on|off] [--workdir DIR] [--json]

Writes one workbook of ``--orders`` orders (each with 6–10 consecutive real size
labels from ``../shared/data/size_columns.txt``, ``--sizes`` on average, spread
over ``--seasons`` customer seasons, so one group per season), runs the real
pipeline (ingest, merge, lines) into a fresh SQLite database, then syncs it to a
fresh sandbox board with monday's personal-token limits on plan "standard"
(10,000,000 complexity per minute, 5,000,000 per request, 1,000 requests per
minute) on a fake clock: budget waits advance the clock instantly and the
sandbox answers in zero fake time.  A second sync of the unchanged database
follows, then ``verify`` of the board (issue #8): its requests (the preflight read of
the columns, the board pages, lookups), items and subitems read, complexity, and that
it sends no mutation.  ``--enterprise`` adds the same run on plan "enterprise" (same
budget, more requests per minute and per day).

Reported, per plan (the median run by wall seconds; every fake-clock number is
deterministic for a seed):

- requests: every HTTP request the client sent (mutations, reads, and any the
  sandbox refused with 429), and how many of them carried mutations;
- mutations per mutation request, and the largest batch;
- complexity: ``SyncReport.complexity`` (the sum of the responses'
  ``complexity.query``), what the sandbox charged in all (reads included), the
  budget windows the run needed and opened, and how full the windows before the
  last were (the last holds what is left);
- fake-clock seconds of the run, budget waits;
- throughput as a fraction of the budget-implied maximum (below);
- duplicates on the board: items beyond the first for one identity (business
  key), subitems beyond the first for one size under one item.  Must be 0.

Budget-implied maximum throughput.  With ``used`` = ``SyncReport.complexity``
and ``B`` = the budget per 60-s window, the work needs at least
``k = ceil(used / B)`` windows.  monday's window opens at the first call with a
full budget, so the fastest possible run spends ``k - 1`` whole windows and then
only the time the last window's requests take::

    min_seconds = (k - 1) × 60 + t_last

where ``t_last`` is the fake-clock time from the opening of the run's last
window to the end of the run (0 here: the sandbox answers instantly).  The
fraction reported is ``min_seconds / elapsed_seconds`` (fake clock), i.e. the
run's complexity per second over the best rate the budget allows; 100% when the
whole run fits in one window.  It falls when windows are opened late (waiting
longer than the reset), left part-empty, or spent on requests that are refused.

Targets (issue #4): ≤ 120 requests for 1,000 orders (fixed batches of 5 needed
~1,800, one mutation per request ~9,000), ≥ 90% of the budget-implied
throughput, zero duplicates; and the second sync sends no mutation.  Issue #8: verify
reads at most one request per 500 items and sends no mutation to an unchanged board.  With
``--orders`` above 1,000 the request target grows in proportion; below, it stays
120 (a few requests are fixed: the group lookup, one per pass's tail).  Prints the
table (Markdown, copied into the README), PASS/FAIL per target, and exits 1 if a
target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_SIZES = ROOT.parent / "shared" / "data" / "size_columns.txt"
TOKEN = "bench-token"
WINDOW_SECONDS = 60.0
BASE_HEADERS = ["AAG ORDER NUMBER", "PLANNED DELIVERY METHOD", "CUSTOMER STYLE", "CUSTOMER",
                "CUSTOMER SEASON", "AAG SEASON", "ORDER TYPE", "ETA", "FOB PRICE",
                "UNIT OF MEASURE"]
SEASONS = [("FALL 2025", "AW25"), ("SPRING 2026", "SS26"), ("SUMMER 2026", "SS26"),
           ("WINTER 2026", "AW26"), ("FALL 2026", "AW26"), ("SPRING 2027", "SS27")]
PLAN_LIMITS = {  # monday's personal-token limits (shared/monday/API_NOTES §2)
    "standard": {"complexity_per_request": 5_000_000, "complexity_per_minute": 10_000_000,
                 "requests_per_minute": 1_000},
    "enterprise": {"complexity_per_request": 5_000_000, "complexity_per_minute": 10_000_000,
                   "requests_per_minute": 5_000},
}
TARGET_REQUESTS_PER_1000 = 120
TARGET_THROUGHPUT = 0.90


def read_labels() -> list[str] | None:
    if not SHARED_SIZES.is_file():
        return None
    return [s.strip() for s in SHARED_SIZES.read_text(encoding="utf-8").splitlines()
            if s.strip()]


def write_orders(path: Path, labels: list[str], orders: int, sizes: int, seasons: int,
                 seed: int) -> dict[str, int]:
    """One workbook of ``orders`` rows; each order has 6–10 (``sizes`` ± 2) consecutive labels."""
    import xlsxwriter

    rng = random.Random(seed)
    low, high = max(1, sizes - 2), min(len(labels), sizes + 2)
    rows: list[dict[str, Any]] = []
    for n in range(1, orders + 1):
        count = rng.randint(low, high)
        start = rng.randrange(len(labels) - count + 1)
        season, aag = SEASONS[(n - 1) % seasons]
        row: dict[str, Any] = {
            "AAG ORDER NUMBER": f"GRE-{n:05d}", "PLANNED DELIVERY METHOD": rng.choice(
                ["SEA", "AIR"]), "CUSTOMER STYLE": f"GR-{n}-TEE", "CUSTOMER": "GREYSTONE",
            "CUSTOMER SEASON": season, "AAG SEASON": aag, "ORDER TYPE": "BULK",
            "ETA": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "FOB PRICE": round(rng.uniform(2, 20), 2), "UNIT OF MEASURE": "PCS"}
        for label in labels[start:start + count]:
            row[label] = rng.randint(1, 500)
        rows.append(row)
    used = {label for row in rows for label in row if label not in BASE_HEADERS}
    header = [*BASE_HEADERS, *[label for label in labels if label in used], "TOTAL QTY"]
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Sheet1")
    for c, name in enumerate(header):
        sheet.write_string(0, c, name)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(header):
            value = (sum(v for k, v in row.items() if k not in BASE_HEADERS)
                     if name == "TOTAL QTY" else row.get(name))
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
    workbook.close()
    return {"orders": len(rows), "lines": sum(len(r) - len(BASE_HEADERS) for r in rows),
            "groups": min(seasons, orders), "size_columns": len(header) - len(BASE_HEADERS) - 1}


@dataclass
class Wire:
    """What crossed the in-process wire, on the fake clock."""

    requests: int = 0
    mutation_requests: int = 0
    refused: Counter[int] = field(default_factory=Counter)
    batch_sizes: list[int] = field(default_factory=list)
    charged: int = 0
    windows: list[tuple[float, int]] = field(default_factory=list)
    """(start, complexity charged) per budget window the sandbox opened."""


def instrument(sandbox: Any, wires: list[Wire]) -> Any:
    """A transport that counts requests into ``wires[-1]``, and a limiter hook that records
    the budget windows the sandbox opens."""
    import httpx

    inner = sandbox.mock_transport()
    admit = sandbox.limiter.admit

    def counted_admit(cost: int, **kwargs: Any) -> Any:
        admission = admit(cost, **kwargs)
        wire = wires[-1]
        wire.charged += admission.cost
        if not wire.windows or wire.windows[-1][0] != admission.window_started_at:
            wire.windows.append((admission.window_started_at, 0))
        start, used = wire.windows[-1]
        wire.windows[-1] = (start, used + admission.cost)
        return admission

    sandbox.limiter.admit = counted_admit

    class Counting(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            body = json.loads(request.read())
            response = inner.handle_request(request)
            wire = wires[-1]
            wire.requests += 1
            if response.status_code != 200:
                wire.refused[response.status_code] += 1
            elif body["query"].lstrip().startswith("mutation"):
                data = (json.loads(response.read()).get("data") or {})
                wire.mutation_requests += 1
                wire.batch_sizes.append(sum(1 for k in data if k != "complexity"))
            return response

    return Counting()


def duplicates(boards: list[dict[str, Any]], identity: str) -> tuple[int, int, int, int]:
    """(items, subitems, duplicate items, duplicate subitems) on the boards, together: an
    order on two boards counts as a duplicate too."""
    items = [item for board in boards for group in board["groups"] for item in group["items"]]
    by_key = Counter(item["values"][identity] for item in items)
    dup_items = sum(n - 1 for n in by_key.values() if n > 1)
    subitems = dup_subs = 0
    for item in items:
        names = Counter(s["name"] for s in item["subitems"])
        subitems += sum(names.values())
        dup_subs += sum(n - 1 for n in names.values() if n > 1)
    return len(items), subitems, dup_items, dup_subs


def run_once(plan: str, workbook: Path, workdir: Path, routed: bool) -> dict[str, Any]:
    from ordersync.config import config_from_dict
    from ordersync.db import open_database
    from ordersync.pipeline import run_pipeline
    from ordersync.routing import registered_boards
    from ordersync.sandbox import FakeClock, Sandbox
    from ordersync.sync import SyncOptions, make_client, run_sync
    from ordersync.verify import run_verify

    clock = FakeClock()
    sandbox = Sandbox(plan=plan, clock=clock, blocking_sleep=clock.advance)
    ids = sandbox.create_order_board()
    wires = [Wire()]
    transport = instrument(sandbox, wires)
    (workdir / "orders").mkdir(parents=True, exist_ok=True)
    target = workdir / "orders" / workbook.name
    if not target.exists():
        target.symlink_to(workbook)
    config = config_from_dict({
        "database": {"url": f"sqlite:///{workdir / 'bench.db'}"},
        "sources": {"directory": "orders", "profiles": {
            "GRE": {"customer": "GREYSTONE", "glob": ["GRE*.xlsx"]}}},
        "columns": {"dates": ["ETA"], "decimals": ["FOB PRICE"]},
        "monday": {
            "api_url": "https://sandbox.test/v2", "board_id": ids.board_id,
            "subitems_board_id": ids.subitems_board_id,
            "columns": {"identity": ids.identity, "customer": ids.customer,
                        "quantity": ids.quantity, "eta": ids.eta, "status": ids.status,
                        "delivery": ids.delivery, "subitems": ids.subitems},
            "subitem_columns": {"size": ids.size, "order_qty": ids.order_qty,
                                "line_status": ids.line_status},
            "limits": PLAN_LIMITS[plan],
            **({"routing": ROUTING} if routed else {})},
    }, base_dir=workdir)
    db = open_database(config)
    try:
        run_pipeline(config, db)
        started_wall, started_fake = time.perf_counter(), clock.now()
        with make_client(config, TOKEN, transport=transport, sleep=clock.advance,
                         clock=clock.now) as client:
            first = run_sync(config, db, client, options=SyncOptions(), clock=clock.now,
                             sleep=clock.advance)
        wall = time.perf_counter() - started_wall
        end_fake = clock.now()
        wires.append(Wire())
        with make_client(config, TOKEN, transport=transport, sleep=clock.advance,
                         clock=clock.now) as client:
            second = run_sync(config, db, client, options=SyncOptions(), clock=clock.now,
                              sleep=clock.advance)
        wires.append(Wire())
        verified = None
        if not routed:  # verify reads one board (routed boards: not yet, see the README)
            with make_client(config, TOKEN, transport=transport, sleep=clock.advance,
                             clock=clock.now) as client:
                verified = run_verify(config, db, client, clock=clock.now,
                                      sleep=clock.advance)
        board_ids = ([b.board_id for b in registered_boards(db).values()] if routed
                     else [ids.board_id])
        board = duplicates([sandbox.board(b) for b in board_ids], ids.identity)
    finally:
        db.dispose()
    return {"plan": plan, "first": first, "second": second, "wire": wires[0],
            "second_wire": wires[1], "verify": verified.found if verified else None,
            "verify_wire": wires[2], "wall": wall, "elapsed": end_fake - started_fake,
            "boards": len(board_ids),
            "run_start": started_fake, "run_end": end_fake, "board": board}


def measures(run: dict[str, Any], budget: int) -> dict[str, Any]:
    first, wire = run["first"], run["wire"]
    used = first.complexity
    windows_needed = max(1, math.ceil(used / budget))
    last_start = wire.windows[-1][0] if wire.windows else run["run_start"]
    t_last = max(0.0, run["run_end"] - last_start)
    min_seconds = (windows_needed - 1) * WINDOW_SECONDS + t_last
    elapsed = run["elapsed"]
    fraction = min_seconds / elapsed if elapsed > 0 else 1.0
    opened = len(wire.windows)
    return {
        "requests": wire.requests, "mutation_requests": wire.mutation_requests,
        "reported_requests": first.requests, "refused": dict(wire.refused),
        "mutations": first.mutations,
        "per_request": first.mutations / first.requests if first.requests else 0.0,
        "largest_batch": max(wire.batch_sizes, default=0),
        "smallest_batch": min(wire.batch_sizes, default=0),
        "used": used, "charged": wire.charged, "windows_needed": windows_needed,
        "windows_opened": opened,
        "fill": (sum(used for _, used in wire.windows[:-1]) / ((opened - 1) * budget)
                 if opened > 1 else None),
        "window_use": [used for _, used in wire.windows],
        "budget_waits": first.budget_waits, "waited": first.waited_seconds,
        "elapsed": elapsed, "min_seconds": min_seconds, "fraction": fraction,
        "wall": run["wall"], "counts": first.counts, "failed": first.counts["failed"],
        "stopped": first.stopped, "second_mutations": run["second"].mutations,
        "second_requests": run["second_wire"].requests,
        **({"verify_requests": run["verify_wire"].requests,
            "verify_mutation_requests": run["verify_wire"].mutation_requests,
            "verify_reads": run["verify"].requests,
            "verify_complexity": run["verify"].complexity,
            "verify_items": run["verify"].items_read,
            "verify_subitems": run["verify"].subitems_read,
            "verify_equal": run["verify"].equal} if run["verify"] is not None else {}),
        "items": run["board"][0], "subitems": run["board"][1],
        "dup_items": run["board"][2], "dup_subitems": run["board"][3],
        "boards": run["boards"],
    }


def print_table(results: list[dict[str, Any]], meta: dict[str, Any], repeat: int) -> None:
    print(f"\n{meta['orders']:,} orders, {meta['lines']:,} size lines "
          f"({meta['lines'] / meta['orders']:.1f} per order, {meta['size_columns']} of the real "
          f"size labels), {meta['groups']} groups; budget 10,000,000 complexity/min, "
          f"5,000,000/request; fake clock; median of {repeat} run(s) by wall time\n")
    print("| plan | boards | requests (with mutations) | mutations | per request | complexity used "
          "| budget windows needed / opened | fake-clock time | of max throughput "
          "| duplicates | re-run mutations | wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m in results:
        print(f"| {m['plan']} | {m['boards']} | {m['requests']} ({m['mutation_requests']}) | "
              f"{m['mutations']:,} | {m['per_request']:.1f} | {m['used']:,} | "
              f"{m['windows_needed']} / {m['windows_opened']} | "
              f"{m['elapsed']:,.0f} s ({m['elapsed'] / 60:.1f} min) | {m['fraction']:.1%} | "
              f"{m['dup_items'] + m['dup_subitems']} | {m['second_mutations']} | "
              f"{m['wall']:.1f} |")
    verified = [m for m in results if "verify_reads" in m]
    if verified:
        print("\n| plan | verify requests (board reads) | items read | subitems read "
              "| items per board read | complexity | mutations | board equals the database |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
    for m in verified:
        print(f"| {m['plan']} | {m['verify_requests']} ({m['verify_reads']}) | "
              f"{m['verify_items']:,} | {m['verify_subitems']:,} | "
              f"{m['verify_items'] / max(m['verify_reads'], 1):,.0f} | "
              f"{m['verify_complexity']:,} | {m['verify_mutation_requests']} | "
              f"{'yes' if m['verify_equal'] else 'no'} |")
    for m in results:
        fill = "" if m["fill"] is None else f"; windows before the last {m['fill']:.1%} full"
        print(f"\n{m['plan']}: batches of {m['smallest_batch']}–{m['largest_batch']} mutations; "
              f"{m['budget_waits']} budget waits, {m['waited']:,.0f} s; sandbox charged "
              f"{m['charged']:,}{fill}; refused requests: {m['refused'] or 'none'}")


def check(results: list[dict[str, Any]], meta: dict[str, Any]) -> bool:
    limit = math.ceil(TARGET_REQUESTS_PER_1000 * max(meta["orders"], 1000) / 1000)
    ok = True
    print()
    for m in results:
        targets = [
            (f"requests ≤ {limit}", m["requests"] <= limit, f"{m['requests']}"),
            (f"throughput ≥ {TARGET_THROUGHPUT:.0%} of the budget-implied maximum",
             m["fraction"] >= TARGET_THROUGHPUT, f"{m['fraction']:.1%}"),
            ("no duplicate items or subitems", m["dup_items"] + m["dup_subitems"] == 0,
             f"{m['dup_items']} items, {m['dup_subitems']} subitems"),
            ("every order and size on the board",
             m["items"] == meta["orders"] and m["subitems"] == meta["lines"]
             and not m["failed"] and not m["stopped"],
             f"{m['items']:,} items, {m['subitems']:,} subitems, {m['failed']} failed"),
            ("second sync sends 0 mutations", m["second_mutations"] == 0,
             f"{m['second_mutations']} mutations in {m['second_requests']} requests"),
        ]
        if "verify_reads" in m:
            targets += [
                ("verify reads ≤ 1 request per 500 items",
                 m["verify_reads"] <= math.ceil(max(m["verify_items"], 1) / 500),
                 f"{m['verify_reads']} board reads for {m['verify_items']:,} items"),
                ("verify of the unchanged board: equal, no mutation",
                 m["verify_equal"] and m["verify_mutation_requests"] == 0,
                 f"equal={m['verify_equal']}, {m['verify_mutation_requests']} mutation "
                 "requests")]
        for name, passed, value in targets:
            ok &= passed
            print(f"{'PASS' if passed else 'FAIL'}  {m['plan']}: {name} — {value}")
    return ok


ITEMS_PER_BOARD = 10_000
"""monday's items per board (and subitems per subitems board), as the sandbox models it."""
ROUTING = {"key": "{CUSTOMER SEASON}", "board_name": "Orders {CUSTOMER SEASON}",
           "overflow": "split"}
"""One board per season, duplicated from the first; a season past a board's limit opens
"… (2)"."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000)
    parser.add_argument("--sizes", type=int, default=8,
                        help="mean sizes per order (each order: this ± 2, consecutive labels)")
    parser.add_argument("--seasons", type=int, default=4,
                        help=f"customer seasons (one group each, at most {len(SEASONS)})")
    parser.add_argument("--enterprise", action="store_true",
                        help='also run on plan "enterprise" (same complexity budget)')
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per plan, each on a fresh database and board; the median "
                             "by wall time is reported (the fake-clock numbers are the same "
                             "in every run)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--routing", choices=["auto", "on", "off"], default="auto",
                        help="route orders by season onto boards duplicated from the first "
                             "([monday.routing] key, overflow split): 'auto' when one board "
                             "cannot hold the orders or their sizes")
    parser.add_argument("--workdir", type=Path, help="default: a temporary directory")
    parser.add_argument("--json", action="store_true", help="also print the numbers as JSON")
    args = parser.parse_args()
    if not 1 <= args.seasons <= len(SEASONS):
        parser.error(f"--seasons must be 1–{len(SEASONS)}")

    labels = read_labels()
    if labels is None:
        print(f"skipped: {SHARED_SIZES} is absent — the benchmark uses the real size labels "
              "from ../shared/data/size_columns.txt", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory(prefix="ordersync-bench-sync-") as tmp:
        workdir = args.workdir or Path(tmp)
        workbook = workdir / "data" / f"GRE_bench_{args.orders}_{args.sizes}_{args.seed}.xlsx"
        meta = write_orders(workbook, labels, args.orders, args.sizes, args.seasons, args.seed)
        plans = ["standard", "enterprise"] if args.enterprise else ["standard"]
        routed = args.routing == "on" or (
            args.routing == "auto" and max(meta["orders"], meta["lines"]) > ITEMS_PER_BOARD)
        results = []
        for plan in plans:
            runs = []
            for n in range(args.repeat):
                run_dir = workdir / f"{plan}-{n}-{time.time_ns()}"
                run = run_once(plan, workbook, run_dir, routed)
                budget = PLAN_LIMITS[plan]["complexity_per_minute"]
                runs.append(measures(run, budget))
                print(f"{plan} run {n + 1}: {runs[-1]['requests']} requests, "
                      f"{runs[-1]['elapsed']:,.0f} fake s, {runs[-1]['wall']:.1f} wall s",
                      file=sys.stderr)
            runs.sort(key=lambda m: m["wall"])
            results.append({"plan": plan, **runs[len(runs) // 2]})
    print_table(results, meta, args.repeat)
    ok = check(results, meta)
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, default=str, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
