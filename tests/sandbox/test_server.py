"""``ordersync sandbox`` as a real process: it answers over a socket and stops on a signal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import free_port

STARTUP_SECONDS = 8.0



def _wait_until_serving(process: subprocess.Popen[bytes], url: str) -> dict[str, object]:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            response = httpx.post(url, json={"query": "{ me { id } }"},
                                  headers={"Authorization": "x"}, timeout=1.0)
            body: dict[str, object] = response.json()
            return body
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the sandbox did not start in time")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_sandbox_serves_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    port, state = free_port(), tmp_path / "state.json"
    process = subprocess.Popen(
        [sys.executable, "-c", "from ordersync.cli import main; main()", "sandbox",
         "--port", str(port), "--state", str(state), "--create-board"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        body = _wait_until_serving(process, f"http://127.0.0.1:{port}/v2")
        assert body["data"] == {"me": {"id": "10000001"}}
        process.send_signal(stop)
        out, _ = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert b"[monday]" in out and b"board_id" in out
    assert len(json.loads(state.read_text())["boards"]) == 2


def test_create_board_snippet_pastes_into_ordersync_toml() -> None:
    """What `ordersync sandbox --create-board` prints is a valid [monday] config table."""
    import tomllib

    from ordersync.config import config_from_dict
    from ordersync.sandbox import Sandbox
    from ordersync.sandbox.server import config_snippet

    ids = Sandbox().create_order_board()
    snippet = config_snippet(ids, "http://127.0.0.1:8765/v2")

    monday = config_from_dict(tomllib.loads(snippet)).monday
    assert monday.api_url == "http://127.0.0.1:8765/v2"
    assert (monday.board_id, monday.subitems_board_id) == (ids.board_id, ids.subitems_board_id)
    assert monday.columns["identity"] == ids.identity
    assert monday.subitem_columns["size"] == ids.size
