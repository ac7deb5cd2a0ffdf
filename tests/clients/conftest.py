"""A sandbox server process for the client-library tests (``make test-clients``).

These tests run in a virtualenv of their own per client library (``monday`` and
``monday-client`` install the same top-level package ``monday``), which holds the
library and pytest but not ordersync: the sandbox runs as a separate process of the
project's Python, ``$ORDERSYNC_SANDBOX_PYTHON`` (default: ``.venv/bin/python`` of the
repository), with ``src`` on its path.  The main suite does not collect this folder
(``tests/conftest.py``); run ``make test-clients``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 15.0


@dataclass(frozen=True)
class SandboxServer:
    url: str
    board: dict[str, Any]  # the [monday] table --create-board printed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serving(url: str) -> bool:
    request = urllib.request.Request(url, data=b'{"query": "{ me { id } }"}',
                                     headers={"Authorization": "t",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=1.0) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    python = os.environ.get("ORDERSYNC_SANDBOX_PYTHON", str(REPO / ".venv" / "bin" / "python"))
    port = _free_port()
    out = tmp_path_factory.mktemp("sandbox") / "snippet.toml"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONUNBUFFERED": "1"}
    with out.open("wb") as snippet:
        process = subprocess.Popen(
            [python, "-c", "from ordersync.cli import main; main()", "sandbox",
             "--port", str(port), "--plan", "enterprise", "--create-board"],
            stdout=snippet, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}/v2"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _serving(url):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the sandbox did not start in time"
            time.sleep(0.1)
        yield SandboxServer(url, tomllib.loads(out.read_text())["monday"])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
