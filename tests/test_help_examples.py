"""Every ``Example:`` of ``ordersync --help`` and of each command's ``--help`` runs as written.

The examples are read from the help click prints (the group's commands are iterated,
so a new command is covered, and one without an example fails).  Each example line
runs with bash (``set -eo pipefail``) in a folder prepared as a user's would be:

* a line starting with ``ordersync init`` runs in an empty folder (``HOME`` is the
  test's folder, so ``~/orders`` lands there too);
* a line appending to ``ordersync.toml`` runs where ``ordersync init .`` was run;
* every other line runs in a copy of a small demo's folder (``ordersync demo
  --customers 3 --orders 60``: config, workbooks, database, ``sandbox.json``), whose
  ``[monday] api_url`` points at a free port, also in its ``[env.dev]`` table;
  where the line talks to monday.com (run, sync, verify, failures, plan) an
  ``ordersync sandbox --state sandbox.json`` serves on that port, with
  ``MONDAY_API_TOKEN`` set.  ``verify`` reads one board, not the demo's routed ones:
  its lines run in a copy of a one-board folder (the demo's config and customers, a
  board from ``ordersync sandbox --create-board --no-serve >> ordersync.toml``, 10
  orders synced by ``ordersync run``).

A line that serves until stopped (``ordersync sandbox`` without ``--no-serve``) passes
when its server answered ``{ me { id } }``; it is then stopped.  Every line must exit
0 with no traceback, and leave an ``ordersync.toml`` (if there is one) that loads.
Lines piping into ``jq`` are skipped only where ``jq`` is not installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import click
import pytest
import tomli_w
from click.testing import CliRunner
from rich.console import Console

from conftest import free_port, port_free
from ordersync.cli import cli
from ordersync.config import DEFAULT_CONFIG_NAME, example_config_text, load_config
from ordersync.demo import run_demo
from ordersync.progress import ProgressReporter
from ordersync.sample_data import generate_sample_data

SRC = Path(__file__).resolve().parents[1] / "src"
NEEDS_MONDAY = re.compile(r"\bordersync (?:--\S+ \S+ )*(?:run|sync|verify|failures|plan)\b")
SERVES = re.compile(r"\bordersync sandbox\b(?!.*--no-serve)")


def command_names() -> list[str]:
    assert isinstance(cli, click.Group)
    return sorted(cli.commands)


def help_examples(args: list[str]) -> list[str]:
    """The lines of the ``Example:`` block of ``ordersync ARGS --help``."""
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="ordersync")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == "Example:"]
    if not starts:
        return []
    indent = len(lines[starts[0]]) - len(lines[starts[0]].lstrip())
    examples = []
    for line in lines[starts[0] + 1:]:
        if not line.strip() or len(line) - len(line.lstrip()) <= indent:
            break
        examples.append(line.strip())
    return examples


def all_examples() -> list[tuple[str, str]]:
    found = [("ordersync", line) for line in help_examples([])]
    for name in command_names():
        found += [(name, line) for line in help_examples([name])]
    return found


EXAMPLES = all_examples()


def test_every_command_has_an_example() -> None:
    with_example = {name for name, _ in EXAMPLES}
    missing = [name for name in ["ordersync", *command_names()] if name not in with_example]
    assert not missing, f"commands whose --help has no Example: block: {missing}"
    assert ("init", "ordersync init ~/orders && ordersync ingest --config "
                    "~/orders/ordersync.toml --dry-run") in EXAMPLES


def test_the_examples_are_told_apart() -> None:
    assert NEEDS_MONDAY.search("ordersync verify && ordersync verify --repair")
    assert NEEDS_MONDAY.search("ordersync --env prod run")
    assert not NEEDS_MONDAY.search("ordersync runs --limit 5")
    assert SERVES.search('ordersync sandbox --state s.json --faults "ok,500"')
    assert not SERVES.search("ordersync sandbox --state s.json --create-board --no-serve")




def _answers_me(port: int, seconds: float) -> bool:
    """Whether a monday-compatible API on ``port`` answered ``{ me { id } }`` in time."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v2", data=json.dumps({"query": "{ me { id } }"}).encode(),
        headers={"Authorization": "test-token", "Content-Type": "application/json"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return bool(json.load(response)["data"]["me"]["id"])
        except OSError:
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo's work folder (shared; each example runs in a copy)."""
    folder = tmp_path_factory.mktemp("demo") / "work"
    run_demo(folder, customers=3, orders=60, console=Console(file=StringIO()),
             progress=ProgressReporter(StringIO(), enabled=False))
    return folder


@pytest.fixture(scope="module")
def one_board_folder(tmp_path_factory: pytest.TempPathFactory, demo_folder: Path,
                     environment: dict[str, str]) -> Path:
    """A user's folder with one board (`verify` does not read routed boards): the demo's
    config without its [monday] table, 10 orders of its customers, a sandbox board made by
    `ordersync sandbox --create-board --no-serve >> ordersync.toml`, and one `run`."""
    folder = tmp_path_factory.mktemp("one-board") / "work"
    folder.mkdir()
    generate_sample_data(folder / "orders", customers=3, orders=10)
    config = tomllib.loads((demo_folder / DEFAULT_CONFIG_NAME).read_text(encoding="utf-8"))
    config.pop("monday")
    (folder / DEFAULT_CONFIG_NAME).write_text(tomli_w.dumps(config), encoding="utf-8")
    port = free_port()
    setup = (f"set -e\nordersync sandbox --state sandbox.json --port {port} --create-board "
             "--no-serve >> ordersync.toml\n")
    subprocess.run(["bash", "-c", setup], cwd=folder, env=environment, check=True)
    with _sandbox(folder, port, environment):
        done = subprocess.run(["bash", "-c", "ordersync run"], cwd=folder, env=environment,
                              check=True, capture_output=True, text=True)
    assert re.search(r"items\s+\S\s+created [1-9]", done.stderr), done.stderr  # a board to verify
    return folder


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    bin_dir = tmp_path_factory.mktemp("bin")
    command = bin_dir / "ordersync"
    command.write_text(f"#!/bin/sh\nexec {sys.executable} -c "
                       "'from ordersync.cli import main; main()' \"$@\"\n")
    command.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "MONDAY_API_TOKEN": "test-token"}
    for name in ("ORDERSYNC_DATABASE_URL", "EDITOR", "VISUAL"):
        env.pop(name, None)
    return env


def _prepare(line: str, request: pytest.FixtureRequest, home: Path, port: int) -> Path:
    if re.match(r"ordersync init\b", line):
        return home
    work = home / "work"
    if ">> ordersync.toml" in line:  # appends to a config from `ordersync init`
        work.mkdir()
        (work / DEFAULT_CONFIG_NAME).write_text(example_config_text(), encoding="utf-8")
        (work / "orders").mkdir()
        return work
    folder = "one_board_folder" if re.search(r"\bordersync verify\b", line) else "demo_folder"
    shutil.copytree(request.getfixturevalue(folder), work)
    config = work / DEFAULT_CONFIG_NAME
    url = f"http://127.0.0.1:{port}/v2"
    text, found = re.subn(r'api_url = "http://127\.0\.0\.1:\d+/v2"', f'api_url = "{url}"',
                          config.read_text(encoding="utf-8"))
    assert found == 1, "the prepared config names one sandbox address"
    config.write_text(text + f'\n[env.dev.monday]\napi_url = "{url}"\n', encoding="utf-8")
    return work


@contextlib.contextmanager
def _sandbox(work: Path, port: int, env: dict[str, str]) -> Iterator[None]:
    server = subprocess.Popen(
        [sys.executable, "-c", "from ordersync.cli import main; main()", "sandbox",
         "--state", "sandbox.json", "--port", str(port)],
        cwd=work, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        if not _answers_me(port, 20):
            out, errors = _stop(server)
            pytest.fail(f"the sandbox on port {port} did not answer:\n{out}\n{errors}")
        yield
    finally:
        if server.poll() is None:
            _stop(server)


@pytest.mark.parametrize(("command", "line"), EXAMPLES,
                         ids=[f"{name}-{i}" for i, (name, _) in enumerate(EXAMPLES)])
def test_help_example_runs_as_written(command: str, line: str, request: pytest.FixtureRequest,
                                      environment: dict[str, str], tmp_path: Path) -> None:
    if re.search(r"\|\s*jq\b", line) and shutil.which("jq") is None:
        pytest.skip(f"jq is not installed; `{line}` pipes into it")
    port = free_port()
    work = _prepare(line, request, tmp_path, port)
    env = {**environment, "HOME": str(tmp_path)}
    script = f"set -eo pipefail\n{line}\n"
    if SERVES.search(line):
        match = re.search(r"--port[ =](\d+)", line)
        serve_port = int(match.group(1)) if match else 8765
        if not port_free(serve_port):
            pytest.skip(f"port {serve_port} is in use; `{line}` serves there")
        process = subprocess.Popen(["bash", "-c", script], cwd=work, env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        answered = _answers_me(serve_port, 20)
        stdout, stderr = _stop(process)
        assert answered, f"{line}\n--- stdout\n{stdout[-3000:]}\n--- stderr\n{stderr[-3000:]}"
    else:
        with _sandbox(work, port, env) if NEEDS_MONDAY.search(line) else contextlib.nullcontext():
            done = subprocess.run(["bash", "-c", script], cwd=work, env=env, text=True,
                                  capture_output=True, timeout=300)
        stdout, stderr = done.stdout, done.stderr
        assert done.returncode == 0, \
            f"{line}\n--- stdout\n{stdout[-3000:]}\n--- stderr\n{stderr[-3000:]}"
    assert "Traceback" not in stderr, f"{line}\n{stderr[-3000:]}"
    if (work / DEFAULT_CONFIG_NAME).exists():
        load_config(work / DEFAULT_CONFIG_NAME)  # the example leaves a config that loads
