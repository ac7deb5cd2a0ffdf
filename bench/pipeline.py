"""Benchmark: ordersync against the script a user would write, side by side, on the same files.

Usage:
    python bench/pipeline.py [--orders 50000] [--files 40] [--engines sqlite,postgresql]
                             [--repeat 3] [--big] [--pg-url URL] [--workdir bench/out]

Generates the workbooks once (40 files × 1,250 orders × 305 columns, cached under
--workdir), then, per repeat and engine, each scenario as a fresh process timed
from the outside (wall clock of the whole command, interpreter start-up
included; peak RSS from the kernel's accounting of that process):

- naive: ``bench/naive.py`` — pandas.read_excel (openpyxl) per file → to_sql →
  melt sizes → to_sql, into its own fresh database;
- cold: ``ordersync run`` into an empty database, on the same files;
- unchanged: ``ordersync run`` again (every file skipped by content hash);
- 1% changed in 4 files: four files (or every file, if fewer) rewritten with 1% of
  their rows changed (untimed), then ``ordersync run``;
- ``ordersync status`` and ``ordersync --help``.

After the cold runs it checks that ordersync wrote what the naive script wrote:
the same orders, and the same lines (order, size) with the same quantities (a
cancelled order's lines are held at quantity 0 by design, so for those only the
sizes are compared).  With ``--big`` it also runs a cold load of 10× the orders
per engine and compares it with the 50k cold time.  It prints Markdown tables:
ratios to the naive script first, seconds second, then where ordersync's cold
run spends its time (``ordersync run --json`` reports it under ``timings``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

ROOT = Path(__file__).resolve().parents[1]
SHARED_SIZES = ROOT.parent / "shared" / "data" / "size_columns.txt"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
KEY = ("AAG ORDER NUMBER", "PLANNED DELIVERY METHOD", "CUSTOMER STYLE")
STEPS = ("start-up", "scan", "read", "type", "unpivot", "hash", "load", "merge", "lines",
         "commit")


@dataclass
class Measured:
    """One command as a process: wall seconds, peak RSS, and what it printed."""

    seconds: float
    peak_rss: int  # bytes
    stdout: str
    timings: dict[str, float] = field(default_factory=dict)


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` as a child process timed from the outside; reaped with wait4, so the
    peak RSS is the child's own."""
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=devnull, env=env,
                                   text=True)
        assert process.stdout is not None
        stdout = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}; run it by hand "
                         "to see why")
    return Measured(seconds, usage.ru_maxrss * 1024, stdout)


# -- data and databases -------------------------------------------------------------------------


def generate(workdir: Path, orders: int, files: int) -> Path:
    """The workbooks (generated once, cached under ``workdir``).

    Generated in a child process: the generator's memory (1.5 GB at 500,000 orders) would
    otherwise count in the peak RSS of every command this process starts afterwards (Linux
    carries the parent's high-water mark into a forked child's; a 500k cold run measured
    1,575 MiB that way, 1,323 MiB on its own).
    """
    data = workdir / f"data-{orders}-{files}"
    if not (data / ".complete.json").exists():
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as child:
            child.submit(_generate, data, orders, files).result()
    return data


def _generate(data: Path, orders: int, files: int) -> None:
    from ordersync.sample_data import generate_sample_data

    marker = data / ".complete.json"
    if not marker.exists():
        labels = None
        if SHARED_SIZES.is_file():
            labels = [s.strip() for s in SHARED_SIZES.read_text().splitlines() if s.strip()]
        else:
            print(f"note: {SHARED_SIZES} absent; using the built-in size labels", file=sys.stderr)
        started = time.perf_counter()
        print(f"generating {orders:,} orders in {files} workbooks …", file=sys.stderr)
        dataset = generate_sample_data(data / "orders", customers=files, orders=orders, seed=1,
                                       size_labels=labels, all_sizes=True, quirks=False)
        (data / "dataset.pickle").write_bytes(pickle.dumps(dataset))
        marker.write_text(json.dumps({
            "customers": [
                {"code": c.code, "name": c.name, "glob": c.glob, "sheet": c.sheet,
                 "aliases": dict(c.aliases)} for c in dataset.customers],
            "orders": dataset.orders, "lines": dataset.lines, "files": len(dataset.files),
            "seconds": round(time.perf_counter() - started, 1)}))


def example_columns() -> dict[str, Any]:
    import tomllib

    from ordersync.config import example_config_text

    columns = tomllib.loads(example_config_text())["columns"]
    columns.pop("customer_names", None)
    return dict(columns)


@dataclass
class Target:
    """A fresh database on one engine: its URL (and PostgreSQL schema)."""

    engine: str
    url: str
    schema: str | None = None

    @classmethod
    def fresh(cls, engine: str, workdir: Path, pg_url: str, tag: str) -> Target:
        name = f"bench_{tag}_{uuid.uuid4().hex[:8]}"
        if engine == "sqlite":
            return cls(engine, f"sqlite:///{workdir / (name + '.db')}")
        return cls(engine, pg_url, name)

    def connect(self) -> Any:
        if self.engine == "sqlite":
            import sqlite3

            return sqlite3.connect(self.url.removeprefix("sqlite:///"))
        import psycopg

        return psycopg.connect(self.url, options=f"-csearch_path={self.schema}")

    def drop(self) -> None:
        if self.engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(self.url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
            return
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def write_config(data: Path, target: Target, path: Path) -> Path:
    meta = json.loads((data / ".complete.json").read_text())
    database: dict[str, Any] = {"url": target.url}
    if target.schema:
        database["schema"] = target.schema
    config = {
        "database": database,
        "sources": {"directory": str((data / "orders").resolve()), "profiles": {
            c["code"]: {"customer": c["name"], "glob": c["glob"], "aliases": c["aliases"],
                        **({"sheet": c["sheet"]} if c["sheet"] else {})}
            for c in meta["customers"]}},
        "columns": example_columns(),
    }
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


# -- the commands -------------------------------------------------------------------------------


def ordersync_command() -> list[str]:
    script = Path(sys.executable).with_name("ordersync")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from ordersync.cli import main; main()"]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ORDERSYNC_DATABASE_URL", None)  # it would override the bench's databases
    return env


def compile_package() -> None:
    """Write ordersync's bytecode, as installing a wheel does (an editable install leaves it
    to the first run, and with PYTHONDONTWRITEBYTECODE set no run ever writes it: every
    command would compile its modules again, 0.05 s of each cold run on this VM)."""
    import compileall

    import ordersync

    compileall.compile_dir(Path(ordersync.__file__).parent, quiet=1)


def run_naive(data: Path, target: Target) -> Measured:
    command = [sys.executable, str(ROOT / "bench" / "naive.py"), str(data / "orders"),
               target.url]
    if target.schema:
        command += ["--schema", target.schema]
    return measure(command, child_env())


def run_ordersync(args: list[str], config: Path | None = None) -> Measured:
    command = ordersync_command() + args + (["--config", str(config)] if config else [])
    measured = measure(command, child_env())
    if "--json" in args and measured.stdout.strip():
        report = json.loads(measured.stdout)
        measured.timings = dict(report.get("timings") or {})
    return measured


# -- equality with the naive baseline -----------------------------------------------------------


def check_equal(naive: Target, ours: Target) -> str:
    """Compare ordersync's orders and lines with the naive script's; raise if they differ."""
    from ordersync.names import normalize_header

    quoted = ", ".join(f'"{k}"' for k in KEY)
    with naive.connect() as conn:
        naive_orders = {"\x1f".join(str(v).strip() for v in row)
                        for row in conn.execute(f"SELECT {quoted} FROM orders").fetchall()}
        naive_count = conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        naive_lines = {("\x1f".join(str(v).strip() for v in row[:3]), normalize_header(row[3]),
                        int(row[4]))
                       for row in conn.execute(
                           f'SELECT {quoted}, "size", "qty" FROM order_lines').fetchall()}
    with ours.connect() as conn:
        our_orders = {k for (k,) in conn.execute("SELECT business_key FROM orders").fetchall()}
        our_count = conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        our_lines = conn.execute(
            "SELECT o.business_key, l.size_code, l.qty, o.is_cancelled FROM order_lines l "
            "JOIN orders o ON o.record_uuid = l.record_uuid").fetchall()
    problems = []
    if naive_count != our_count or naive_orders != our_orders:
        problems.append(f"orders: naive {naive_count:,}, ordersync {our_count:,}; "
                        f"{len(naive_orders ^ our_orders):,} keys differ")
    naive_sizes = {(k, s): q for k, s, q in naive_lines}
    cancelled = sum(1 for *_, c in our_lines if c)
    ours_sized = {(k, s): (q, c) for k, s, q, c in our_lines}
    if set(naive_sizes) != set(ours_sized) or len(naive_lines) != len(our_lines):
        problems.append(f"lines: naive {len(naive_lines):,}, ordersync {len(our_lines):,}; "
                        f"{len(set(naive_sizes) ^ set(ours_sized)):,} (order, size) pairs differ")
    else:
        wrong = [pair for pair, (q, c) in ours_sized.items()
                 if (q != naive_sizes[pair] if not c else q != 0)]
        if wrong:
            problems.append(f"lines: {len(wrong):,} quantities differ, e.g. {wrong[:3]}")
    if problems:
        raise SystemExit("ordersync and the naive script disagree: " + "; ".join(problems))
    return (f"equal: {our_count:,} orders, {len(our_lines):,} lines (order, size, qty); "
            f"{cancelled:,} lines of cancelled orders held at 0 by design")


# -- the run ------------------------------------------------------------------------------------


CHANGED_FILES = 4
SCENARIOS = (("naive", "naive: pandas read_excel + to_sql + melt"),
             ("cold", "ordersync run, cold"),
             ("unchanged", "ordersync run, nothing changed"),
             ("changed", "ordersync run, 1% changed in {files} files"),
             ("status", "ordersync status"),
             ("help", "ordersync --help"))


def changed_files(files: int) -> int:
    """Files the "1% changed" scenario rewrites out of ``files``: 4, or every one of fewer."""
    return min(CHANGED_FILES, files)


def bench_engine(engine: str, data: Path, workdir: Path, pg_url: str, dataset: Any,
                 runs: dict[str, list[Measured]], checks: list[str], repeat: int) -> None:
    from ordersync.sample_data import mutate_sample_data

    naive = Target.fresh(engine, workdir, pg_url, "naive")
    ours = Target.fresh(engine, workdir, pg_url, "ordersync")
    config = write_config(data, ours, workdir / f"{engine}.toml")
    try:
        runs["naive"].append(run_naive(data, naive))
        runs["cold"].append(run_ordersync(["run", "--json"], config))
        checks.append(f"{engine}, repeat {repeat}: {check_equal(naive, ours)}")
        runs["unchanged"].append(run_ordersync(["run", "--json"], config))
        # The files on disk carry every earlier run's changes (the dataset's history is
        # saved with it): a seed never used on them before changes them for certain.
        done = sum(len(h) for h in dataset.generation.mutations.values())
        mutate_sample_data(dataset, files=changed_files(len(dataset.files)), fraction=0.01,
                           seed=repeat * 100 + len(engine) + 10_000 * done)
        (data / "dataset.pickle").write_bytes(pickle.dumps(dataset))
        runs["changed"].append(run_ordersync(["run", "--json"], config))
        runs["status"].append(run_ordersync(["status"], config))
        runs["help"].append(run_ordersync(["--help"]))
    finally:
        naive.drop()
        ours.drop()
    line = ", ".join(f"{kind} {runs[kind][-1].seconds:.2f} s" for kind, _ in SCENARIOS)
    print(f"{engine} #{repeat}: {line}", file=sys.stderr)


def bench_big(engine: str, data: Path, workdir: Path, pg_url: str) -> Measured:
    target = Target.fresh(engine, workdir, pg_url, "big")
    config = write_config(data, target, workdir / f"{engine}-big.toml")
    try:
        measured = run_ordersync(["run", "--json"], config)
    finally:
        target.drop()
    print(f"{engine} big cold: {measured.seconds:.1f} s, peak RSS "
          f"{measured.peak_rss / 2**20:,.0f} MiB", file=sys.stderr)
    return measured


def median(runs: list[Measured]) -> Measured:
    return sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]


def print_tables(meta: dict[str, Any], args: argparse.Namespace,
                 results: dict[str, dict[str, list[Measured]]], checks: list[str],
                 big: dict[str, Measured], big_meta: dict[str, Any] | None,
                 conditions: str) -> None:
    engines = list(results)
    print(f"\n{meta['orders']:,} orders in {meta['files']} workbooks × 305 columns, "
          f"{meta['lines']:,} lines; {conditions}; median of {args.repeat} runs, each a fresh "
          "process timed from the outside (start-up included)\n")
    print("| scenario | " + " | ".join(f"{e}: × faster than naive | {e}: seconds"
                                        for e in engines) + " |")
    print("|---|" + "---:|---:|" * len(engines))
    for kind, label in SCENARIOS:
        cells = []
        for engine in engines:
            naive = statistics.median(m.seconds for m in results[engine]["naive"])
            runs = results[engine][kind]
            seconds = median(runs).seconds
            spread = (f" ({min(m.seconds for m in runs):.2f}–{max(m.seconds for m in runs):.2f})"
                      if len(runs) > 1 else "")
            ratio = "1×" if kind == "naive" else f"**{naive / seconds:,.1f}×**"
            cells += [ratio, f"{seconds:.2f}{spread}"]
        label = label.format(files=changed_files(meta["files"]))
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    for engine in engines:
        r = results[engine]
        cold = median(r["cold"]).seconds
        print(f"- {engine}: cold {statistics.median(m.seconds for m in r['naive']) / cold:.1f}× "
              f"faster than naive (target ≥ 10×); nothing changed "
              f"{median(r['unchanged']).seconds:.2f} s, status {median(r['status']).seconds:.2f} "
              f"s, --help {median(r['help']).seconds:.2f} s (targets ≤ 0.3 s); 1% changed "
              f"{median(r['changed']).seconds / cold:.2f} of cold (target ≤ 0.10); peak RSS "
              f"cold {median(r['cold']).peak_rss / 2**20:,.0f} MiB, naive "
              f"{median(r['naive']).peak_rss / 2**20:,.0f} MiB")
    for check in checks:
        print(f"- {check}")

    print("\nWhere the cold run goes (median run; `ordersync run --json` → `timings`; "
          "start-up = wall clock minus the steps):\n")
    print("| step | " + " | ".join(f"{e}: seconds | {e}: share" for e in engines) + " |")
    print("|---|" + "---:|---:|" * len(engines))
    split = {e: _split(median(results[e]["cold"])) for e in engines}
    for step in STEPS:
        cells = []
        for engine in engines:
            seconds, total = split[engine].get(step, 0.0), median(results[engine]["cold"]).seconds
            cells += [f"{seconds:.2f}", f"{seconds / total:.0%}"]
        print(f"| {step} | " + " | ".join(cells) + " |")
    print("| **total (wall)** | " + " | ".join(
        f"**{median(results[e]['cold']).seconds:.2f}** | 100%" for e in engines) + " |")

    if big and big_meta:
        print(f"\n{big_meta['orders']:,} orders ({big_meta['files']} workbooks, "
              f"{big_meta['lines']:,} lines), cold, one run each:\n")
        print("| engine | seconds | × the 50k cold time | peak RSS |")
        print("|---|---:|---:|---:|")
        for engine, measured in big.items():
            cold = median(results[engine]["cold"]).seconds if engine in results else None
            ratio = f"{measured.seconds / cold:.1f}×" if cold else "–"
            print(f"| {engine} | {measured.seconds:.1f} | {ratio} | "
                  f"{measured.peak_rss / 2**20:,.0f} MiB |")


def _split(measured: Measured) -> dict[str, float]:
    steps = {k: v for k, v in measured.timings.items() if k != "total"}
    steps["start-up"] = max(0.0, measured.seconds - sum(steps.values()))
    return steps


def conditions() -> str:
    cores = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    model = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    return (f"{cores} cores ({model}), {datetime.date.today().isoformat()}, load average "
            f"(1, 5, 15 min) at the end {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("ORDERSYNC_TEST_PG_URL", PG_DEFAULT))
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of every scenario; the median is reported")
    parser.add_argument("--big", action="store_true",
                        help="also a cold run of 10× the orders per engine (minutes)")
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    data = generate(args.workdir, args.orders, args.files)
    meta = json.loads((data / ".complete.json").read_text())
    dataset = pickle.loads((data / "dataset.pickle").read_bytes())
    print(f"data: {meta['files']} files, {meta['orders']:,} orders, {meta['lines']:,} lines in "
          f"{data}", file=sys.stderr)
    compile_package()
    engines = args.engines.split(",")
    results = {e: {kind: [] for kind, _ in SCENARIOS} for e in engines}
    checks: list[str] = []
    for repeat in range(1, args.repeat + 1):
        for engine in engines:  # engines alternate, so a noisy minute hits both
            bench_engine(engine, data, args.workdir, args.pg_url, dataset, results[engine],
                         checks, repeat)
    big: dict[str, Measured] = {}
    big_meta = None
    if args.big:
        big_data = generate(args.workdir, args.orders * 10, args.files)
        big_meta = json.loads((big_data / ".complete.json").read_text())
        for engine in engines:
            big[engine] = bench_big(engine, big_data, args.workdir, args.pg_url)
    for leftover in args.workdir.glob("*.toml"):
        leftover.unlink()
    shutil.rmtree(args.workdir / "__pycache__", ignore_errors=True)
    print_tables(meta, args, results, checks, big, big_meta, conditions())


if __name__ == "__main__":
    main()
