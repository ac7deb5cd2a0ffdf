"""Start-up: the commands that have little to do load only what they use.

``ordersync --help``, ``status`` and a run that finds every file unchanged
must answer at once; importing polars, SQLAlchemy, httpx, graphql-core, rich,
pyarrow, fastexcel or the object-storage libraries (fsspec, adlfs, s3fs) alone
takes longer than they may.  Each case runs the command in a fresh interpreter
and lists the heavy modules it imported (what is checked is the import, not a
time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, order_row, write_config
from ordersync.cli import cli
from ordersync.config import Config

HEAVY = ("polars", "sqlalchemy", "httpx", "graphql", "rich", "pyarrow", "fastexcel",
         "adbc_driver_manager", "pandas", "numpy", "starlette", "uvicorn",
         # object storage: a local folder needs none of it
         "fsspec", "adlfs", "s3fs", "azure", "botocore", "aiobotocore", "aiohttp")

_PROBE = """
import json, sys
from ordersync.cli import main
sys.argv = ["ordersync", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("\\x1e" + json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imports(*args: str) -> tuple[int, list[str]]:
    """Run ``ordersync ARGS`` in a fresh interpreter: its exit code and every module it
    imported."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(list(args))],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    report = json.loads(done.stderr.rsplit("\x1e", 1)[1])
    return int(report["code"] or 0), list(report["modules"])


def heavy_imports(*args: str) -> tuple[int, list[str]]:
    """Run ``ordersync ARGS`` in a fresh interpreter: its exit code and the heavy modules it
    imported."""
    code, modules = imports(*args)
    return code, sorted({name.split(".")[0] for name in modules} & set(HEAVY))


def test_help_loads_no_heavy_library() -> None:
    assert heavy_imports("--help") == (0, [])


@pytest.mark.parametrize("command", ["run", "status", "sync", "sandbox"])
def test_a_command_help_loads_no_heavy_library(command: str) -> None:
    assert heavy_imports(command, "--help") == (0, [])


def test_status_json_loads_no_heavy_library(config: Config, tmp_path: Path,
                                            write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2)])
    path = write_config(config, tmp_path)
    assert CliRunner().invoke(cli, ["run", "--config", str(path)]).exit_code == 0

    assert heavy_imports("status", "--json", "--config", str(path)) == (0, [])


def test_status_loads_no_stage(config: Config, tmp_path: Path,
                               write_workbook: WorkbookFactory) -> None:
    """Counting what the database holds needs neither the pipeline nor the stages it
    chains (their modules cost ``status`` 20 ms of its 0.3 s)."""
    write_workbook("GRE_a.xlsx", [order_row(1)])
    path = write_config(config, tmp_path)
    assert CliRunner().invoke(cli, ["run", "--config", str(path)]).exit_code == 0

    code, modules = imports("status", "--config", str(path))
    assert code == 0
    stages = ("ordersync.pipeline", "ordersync.ingest", "ordersync.merge", "ordersync.lines",
              "ordersync.sync")
    assert [m for m in modules if m.startswith(stages)] == []


def test_an_unchanged_run_loads_no_heavy_library(config: Config, tmp_path: Path,
                                                 write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, {"XL": 3})])
    path = write_config(config, tmp_path)
    assert CliRunner().invoke(cli, ["run", "--config", str(path)]).exit_code == 0

    assert heavy_imports("run", "--json", "--config", str(path)) == (0, [])
    # and printing the report for people needs rich, nothing else
    assert heavy_imports("run", "--config", str(path)) == (0, ["rich"])


def test_a_run_with_a_changed_file_does_load_the_readers(config: Config, tmp_path: Path,
                                                         write_workbook: WorkbookFactory) -> None:
    """The probe sees imports: the same run with work to do loads polars and fastexcel."""
    write_workbook("GRE_a.xlsx", [order_row(1)])
    path = write_config(config, tmp_path)

    code, heavy = heavy_imports("run", "--json", "--config", str(path))
    assert code == 0
    assert {"polars", "fastexcel", "sqlalchemy"} <= set(heavy)


def test_a_sqlite_run_loads_no_postgresql_dialect(config: Config, tmp_path: Path,
                                                   write_workbook: WorkbookFactory) -> None:
    """SQLAlchemy imports a dialect with every one of its drivers (50 ms for PostgreSQL's)
    to check a dialect-specific option: a run on SQLite asks for none of PostgreSQL's."""
    if not config.database.url.startswith("sqlite"):
        pytest.skip("a SQLite run")
    write_workbook("GRE_a.xlsx", [order_row(1)])
    path = write_config(config, tmp_path)

    code, modules = imports("run", "--json", "--config", str(path))
    assert code == 0
    assert "sqlalchemy.dialects.sqlite" in modules
    assert [m for m in modules if m.startswith("sqlalchemy.dialects.postgresql")] == []


def test_reading_workbooks_needs_no_sqlalchemy() -> None:
    """A run starts reading the changed files while SQLAlchemy (0.1–0.2 s) still loads for
    the writing: what reading and preparing import must not pull it in."""
    probe = ("import sys\n"
             "import ordersync.pipeline, ordersync.ingest\n"
             "from ordersync.ingest import headers, outcome, prepare, reader\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'psycopg'}))")
    src = str(Path(__file__).resolve().parents[1] / "src")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": src}, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
