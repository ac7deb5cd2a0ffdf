"""Benchmark: ingest + merge + lines on 40 workbooks × 1,250 orders (50,000 orders).

Usage:
    python bench/pipeline.py [--orders 50000] [--files 40] [--engines sqlite,postgresql]
                             [--pg-url URL] [--workdir bench/out]

Generates the workbooks once (cached under --workdir), then for each engine
measures three scenarios on a fresh database:

- cold: ingest + merge + lines into an empty database;
- unchanged: the same again (every file skipped by content hash);
- 1% in 4 files: four files rewritten with 1% of their rows changed.

Prints seconds, rows/s and peak RSS per stage as a Markdown table (copied into
the README).  Peak RSS is sampled from /proc every 5 ms while a stage runs.
Each scenario runs in its own process so memory peaks do not carry over.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_SIZES = ROOT.parent / "shared" / "data" / "size_columns.txt"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
BATCH_MB = int(os.environ.get("ORDERSYNC_BENCH_BATCH_MB", "6"))  # sources.batch_mb


class PeakRSS:
    """Samples this process's resident set size while a block runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.005)

    def __enter__(self) -> PeakRSS:
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def generate(workdir: Path, orders: int, files: int) -> Path:
    from ordersync.sample_data import generate_sample_data

    data = workdir / f"data-{orders}-{files}"
    marker = data / ".complete.json"
    if not marker.exists():
        labels = None
        if SHARED_SIZES.is_file():
            labels = [s.strip() for s in SHARED_SIZES.read_text().splitlines() if s.strip()]
        else:
            print(f"note: {SHARED_SIZES} absent; using the built-in size labels", file=sys.stderr)
        started = time.perf_counter()
        dataset = generate_sample_data(data / "orders", customers=files, orders=orders, seed=1,
                                       size_labels=labels, all_sizes=True, quirks=False)
        (data / "dataset.pickle").write_bytes(pickle.dumps(dataset))
        marker.write_text(json.dumps({
            "customers": [
                {"code": c.code, "name": c.name, "glob": c.glob, "sheet": c.sheet,
                 "aliases": dict(c.aliases)} for c in dataset.customers],
            "orders": dataset.orders, "lines": dataset.lines, "files": len(dataset.files),
            "seconds": round(time.perf_counter() - started, 1)}))
    return data


def scenario(data: Path, engine: str, database: dict[str, Any], kind: str) -> dict[str, Any]:
    """One scenario in this process: returns per-stage seconds and peak RSS."""
    from ordersync.config import config_from_dict
    from ordersync.ingest import ingest
    from ordersync.pipeline import open_database, run_merge
    from ordersync.sample_data import mutate_sample_data

    meta = json.loads((data / ".complete.json").read_text())
    config = config_from_dict({
        "database": database,
        "sources": {"directory": "orders", "batch_mb": BATCH_MB, "profiles": {
            c["code"]: {"customer": c["name"], "glob": c["glob"], "aliases": c["aliases"],
                        **({"sheet": c["sheet"]} if c["sheet"] else {})}
            for c in meta["customers"]}},
        "columns": _example_columns(),
    }, base_dir=data)
    if kind == "changed":
        dataset = pickle.loads((data / "dataset.pickle").read_bytes())
        changed = mutate_sample_data(dataset, files=4, fraction=0.01, seed=int(time.time()))
        meta["changed_rows"] = len(changed)
    db = open_database(config)
    stages: dict[str, Any] = {}
    with PeakRSS() as rss:
        started = time.perf_counter()
        report = ingest(config, db)
        stages["ingest"] = {"seconds": time.perf_counter() - started,
                            "rows": report.rows_read, "files_read": report.count("staged")}
    stages["ingest"]["peak_rss"] = rss.peak
    with PeakRSS() as rss:
        started = time.perf_counter()
        merged = run_merge(config, db)
        stages["merge+lines"] = {
            "seconds": time.perf_counter() - started,
            "rows": merged.orders.rows,
            "orders_written": merged.orders.new + merged.orders.changed + merged.orders.cancelled,
            "lines_written": merged.lines.written}
    stages["merge+lines"]["peak_rss"] = rss.peak
    db.dispose()
    return {"stages": stages, "meta": meta}


def _example_columns() -> dict[str, Any]:
    import tomllib

    from ordersync.config import example_config_text

    columns = tomllib.loads(example_config_text())["columns"]
    columns.pop("customer_names", None)
    return dict(columns)


def fresh_database(engine: str, workdir: Path, pg_url: str) -> dict[str, Any]:
    if engine == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        return {"url": f"sqlite:///{path}"}
    return {"url": pg_url, "schema": f"bench_{uuid.uuid4().hex[:8]}"}


def drop_database(engine: str, database: dict[str, Any]) -> None:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(database["url"].removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import sqlalchemy as sa

    from ordersync.db import Database

    engine_ = sa.create_engine(Database(database["url"]).engine.url)
    with engine_.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{database["schema"]}" CASCADE')
    engine_.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("ORDERSYNC_TEST_PG_URL", PG_DEFAULT))
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each scenario, each on a fresh database; the median is "
                             "reported")
    parser.add_argument("--scenario", help=argparse.SUPPRESS)  # internal: child process
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.scenario:
        data = Path(args.workdir)
        result = scenario(data, args.engines, json.loads(args.database), args.scenario)
        print(json.dumps(result))
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    data = generate(args.workdir, args.orders, args.files)
    meta = json.loads((data / ".complete.json").read_text())
    print(f"data: {meta['files']} files, {meta['orders']} orders, {meta['lines']} lines "
          f"(generated in {meta['seconds']} s) in {data}", file=sys.stderr)
    scenarios = (("cold", "cold"), ("unchanged", "unchanged re-run"),
                 ("changed", "1% changed in 4 files"))
    rows = []
    for engine in args.engines.split(","):
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind, _ in scenarios}
        for _ in range(args.repeat):
            database = fresh_database(engine, args.workdir, args.pg_url)
            try:
                for kind, label in scenarios:
                    out = subprocess.run(
                        [sys.executable, __file__, "--scenario", kind, "--engines", engine,
                         "--database", json.dumps(database), "--workdir", str(data)],
                        check=True, capture_output=True, text=True)
                    result = json.loads(out.stdout.strip().splitlines()[-1])
                    stages = result["stages"]
                    stages["total"] = {
                        "seconds": sum(s["seconds"] for s in stages.values()),
                        "rows": stages["ingest"]["rows"],
                        "peak_rss": max(s["peak_rss"] for s in stages.values())}
                    runs[kind].append(stages)
                    print(f"{engine} {label}: {stages['total']['seconds']:.2f} s",
                          file=sys.stderr)
            finally:
                drop_database(engine, database)
        for kind, label in scenarios:
            for stage in ("ingest", "merge+lines", "total"):
                rows.append((engine, label, stage, median_run(runs[kind], stage)))
    print_table(rows, meta, args.repeat)


def median_run(runs: list[dict[str, Any]], stage: str) -> dict[str, Any]:
    """The run with the median time for this stage (its other numbers come with it)."""
    ordered = sorted(runs, key=lambda r: r[stage]["seconds"])
    return dict(ordered[len(ordered) // 2][stage])


def print_table(rows: list[tuple[str, str, str, dict[str, Any]]], meta: dict[str, Any],
                repeat: int) -> None:
    print(f"\n{meta['orders']:,} orders in {meta['files']} workbooks, {meta['lines']:,} lines; "
          f"{os.cpu_count()} cores; median of {repeat} runs\n")
    print("| engine | scenario | stage | seconds | rows/s | written | peak RSS |")
    print("|---|---|---|---:|---:|---|---:|")
    for engine, label, stage, n in rows:
        rate = f"{n['rows'] / n['seconds']:,.0f}" if n.get("rows") and n["seconds"] else "–"
        written = ""
        if stage == "ingest":
            written = f"{n['files_read']} files read"
        elif stage == "merge+lines":
            written = f"{n['orders_written']:,} orders, {n['lines_written']:,} lines"
        seconds = f"**{n['seconds']:.2f}**" if stage == "total" else f"{n['seconds']:.2f}"
        print(f"| {engine} | {label} | {stage} | {seconds} | {rate} | {written} | "
              f"{n['peak_rss'] / 2**20:,.0f} MiB |")


if __name__ == "__main__":
    main()
