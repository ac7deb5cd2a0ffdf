"""Benchmark: the 50,000-order pipeline read from Azure Blob (Azurite) next to a local folder.

Usage:
    python bench/source.py [--orders 50000] [--files 40] [--engine sqlite] [--repeat 3]
                           [--workdir bench/out]

The workbooks of bench/pipeline.py (same generator, same cache) are uploaded to a
container of a local Azurite (`.ci/node`, `npm install --prefix .ci/node azurite`),
then, in the same run and for each source, on a fresh database:

- cold: ingest + merge + lines into an empty database;
- unchanged: the same again (local: every file hashed and skipped; Azurite: one
  listing, no object downloaded).

Targets (issue #12): cold from Azurite ≤ 1.5 × local cold; unchanged from Azurite ≤ 1 s.
Prints a Markdown table (median of --repeat runs) for the README.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sources"))

from emulators import (
    AZURITE_ACCOUNT,
    AZURITE_KEY,
    azurite_available,
    start_azurite,
    stop,
)
from pipeline import (
    PG_DEFAULT,
    PeakRSS,
    _example_columns,
    drop_database,
    fresh_database,
    generate,
)


def run(directory: str, base: Path, customers: list[dict[str, Any]], database: dict[str, Any]
        ) -> dict[str, Any]:
    from ordersync.config import config_from_dict
    from ordersync.db import open_database
    from ordersync.pipeline import run_pipeline

    config = config_from_dict({
        "database": database,
        "sources": {"directory": directory, "profiles": {
            c["code"]: {"customer": c["name"], "glob": c["glob"], "aliases": c["aliases"],
                        **({"sheet": c["sheet"]} if c["sheet"] else {})} for c in customers}},
        "columns": _example_columns(),
    }, base_dir=base)
    db = open_database(config)
    with PeakRSS() as rss:
        started = time.perf_counter()
        result = run_pipeline(config, db)
        seconds = time.perf_counter() - started
    db.dispose()
    return {"seconds": seconds, "files_read": result.ingest.count("staged"),
            "orders": result.merge.orders.new + result.merge.orders.changed,
            "peak_rss": rss.peak}


def main() -> None:
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    reason = azurite_available()
    if reason:
        sys.exit(reason)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = generate(args.workdir.resolve(), args.orders, args.files)
    customers = json.loads((data / ".complete.json").read_text())["customers"]

    from azure.storage.blob import BlobServiceClient

    with tempfile.TemporaryDirectory() as azurite_data:
        process, port = start_azurite(Path(azurite_data))
        try:
            connection = (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
                          f"AccountKey={AZURITE_KEY};"
                          f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};")
            os.environ["AZURE_STORAGE_CONNECTION_STRING"] = connection
            service = BlobServiceClient.from_connection_string(connection)
            service.create_container("orders")
            for path in sorted((data / "orders").iterdir()):
                service.get_blob_client("orders", f"lists/{path.name}").upload_blob(
                    path.read_bytes(), overwrite=True)
            results: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for _ in range(args.repeat):
                for source, directory in (("local folder", "orders"),
                                          ("Azurite", "az://orders/lists")):
                    database = fresh_database(args.engine, args.workdir, args.pg_url)
                    for scenario in ("cold", "unchanged"):
                        results.setdefault((source, scenario), []).append(
                            run(directory, data, customers, database))
                    drop_database(args.engine, database)
        finally:
            stop(process)
    print(f"\n{args.orders:,} orders in {args.files} workbooks; {args.engine}; "
          f"median of {args.repeat} runs\n")
    print("| source | scenario | files read | orders written | seconds | peak RSS |")
    print("|---|---|---:|---:|---:|---:|")
    medians = {}
    for (source, scenario), runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        medians[(source, scenario)] = seconds
        last = runs[-1]
        print(f"| {source} | {scenario} | {last['files_read']} | {last['orders']:,} | "
              f"**{seconds:.2f}** | {max(r['peak_rss'] for r in runs) / 2**20:.0f} MiB |")
    ratio = medians[("Azurite", "cold")] / medians[("local folder", "cold")]
    print(f"\ncold from Azurite / local cold = {ratio:.2f} (target ≤ 1.5); "
          f"unchanged from Azurite = {medians[('Azurite', 'unchanged')]:.2f} s (target ≤ 1 s)")


if __name__ == "__main__":
    main()
