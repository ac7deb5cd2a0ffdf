"""A real sandbox server in its own process, reached over HTTP (the crash, signal and
fault tests use it: the board lives outside the process that dies or is signalled).

``SERVER``: plan "enterprise" without minute budgets (a budget wait would be a real
minute), no fsync of the state file (the server is never killed), ``POST /later`` moves
its clock, and an optional fault plan (``ordersync sandbox --faults`` syntax).
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import free_port
from ordersync.config import Config
from ordersync.db import Database
from ordersync.sandbox import FakeClock, OrderBoard, Sandbox
from ordersync.sandbox.store import Store
from sync.conftest import TOKEN, Harness

STARTUP_SECONDS = 10.0

SERVER = """
import dataclasses, os, sys
from starlette.responses import JSONResponse
from starlette.routing import Route
from ordersync.sandbox import Sandbox
from ordersync.sandbox.clock import SystemClock
from ordersync.sandbox.limits import Limits
from ordersync.sandbox.server import serve

class Clock(SystemClock):  # real time, plus the minutes POST /later lets pass
    offset = 0.0
    def now(self):
        return super().now() + self.offset

async def later(request):
    clock.offset += float(request.query_params["seconds"])
    return JSONResponse({"offset": clock.offset})

os.fsync = lambda fd: None  # the server is never killed: its state file needs no fsync
# enterprise limits, except the minute budgets: a minute of this test sends more
# mutations than one minute's complexity allows, and a budget wait would be a real minute.
limits = dataclasses.replace(Limits.for_plan("enterprise"), complexity_per_minute=10**12,
                             requests_per_minute=10**7, daily_calls=10**8)
clock = Clock()
sandbox = Sandbox(plan="enterprise", limits=limits, clock=clock, state_path=sys.argv[1],
                  faults=sys.argv[3] if len(sys.argv) > 3 else None)
sandbox.app.router.routes.append(Route("/later", later, methods=["POST"]))
serve(sandbox, "127.0.0.1", int(sys.argv[2]))
"""
IDEMPOTENCY_SECONDS = 31 * 60
"""Past monday's 30 minutes of Idempotency-Key replays (API_NOTES §1)."""


# --- the sandbox server, in its own process -------------------------------------------------


@dataclass
class Server:
    url: str
    ids: OrderBoard
    state: Path
    process: subprocess.Popen[bytes]

    def ping(self) -> None:
        """One round trip: requests a killed client had fully sent are in by now."""
        httpx.post(self.url, json={"query": "{ me { id } }"}, headers={"Authorization": TOKEN},
                   timeout=10.0).raise_for_status()

    def later(self, seconds: float) -> None:
        """Let ``seconds`` pass on the server's clock (its idempotency keys expire)."""
        httpx.post(self.url.removesuffix("/v2") + "/later", params={"seconds": seconds},
                   timeout=10.0).raise_for_status()

    def board(self, config: Config, db: Database) -> Harness:
        """The board as the server last saved it (after every mutation request), in a
        ``Harness`` for ``board_problems``."""
        store = Store.from_json(json.loads(self.state.read_text(encoding="utf-8")))
        return Harness(Sandbox(store=store), FakeClock(), self.ids, config, db)



@contextlib.contextmanager
def running_server(tmp_path: Path, faults: str | None = None) -> Iterator[Server]:
    """A sandbox server process (``SERVER``) with an order board, until the block ends."""
    state = tmp_path / "sandbox.json"
    ids = Sandbox(plan="enterprise", state_path=state).create_order_board()
    port, log = free_port(), tmp_path / "sandbox.log"
    with log.open("wb") as out:  # a file, not a pipe nobody reads: the server never blocks
        process = subprocess.Popen([sys.executable, "-c", SERVER, str(state), str(port),
                                    *([faults] if faults else [])],
                                   stdout=out, stderr=subprocess.STDOUT)
    found = Server(f"http://127.0.0.1:{port}/v2", ids, state, process)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                found.ping()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not start in time"
                time.sleep(0.05)
        yield found
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


