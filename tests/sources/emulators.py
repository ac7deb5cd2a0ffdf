"""Storage emulators for the source tests: Azurite (npm) and moto's S3 server, each behind a
counting proxy that records every request (so a test can count object reads) and can
answer chosen requests with a fault (5xx, throttling) before the emulator sees them."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import free_port

REPO = Path(__file__).resolve().parents[2]
AZURITE_BIN = REPO / ".ci" / "node" / "node_modules" / ".bin" / "azurite-blob"
AZURITE_ACCOUNT = "devstoreaccount1"
# Azurite's fixed, published development key (not a secret).
AZURITE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
               "K1SZFPTOtr/KBHBeksoGMGw==")



def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start listening on port {port}")


@dataclass
class Request:
    method: str
    path: str
    query: str


@dataclass
class Proxy:
    """A forwarding HTTP proxy on a free port in front of ``upstream_port``."""

    upstream_port: int
    requests: list[Request] = field(default_factory=list)
    # (predicate, status) pairs: the first request matching a predicate is answered with
    # that status instead of being forwarded, and the pair is used up.
    faults: list[tuple[Callable[[Request], bool], int]] = field(default_factory=list)
    # Called when the emulator has answered a request, before the answer is passed on
    # (e.g. to replace an object while its old bytes are on their way to the reader).
    after: Callable[[Request], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def start(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                parts = urlsplit(self.path)
                request = Request(self.command, unquote(parts.path), parts.query)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with proxy.lock:
                    proxy.requests.append(request)
                    fault = next((f for f in proxy.faults if f[0](request)), None)
                    if fault:
                        proxy.faults.remove(fault)
                if fault:
                    payload = b"<Error><Code>ServerBusy</Code></Error>"
                    self.send_response(fault[1])
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port,
                                                      timeout=60)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "transfer-encoding")}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                if proxy.after is not None:
                    proxy.after(request)
                self.send_response(response.status, response.reason)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                # A HEAD answer carries the object's length, not its (empty) body's.
                self.send_header("Content-Length", response.getheader("Content-Length", "0")
                                 if self.command == "HEAD" else str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.after = None

    def object_reads(self, bucket: str) -> list[str]:
        """Object paths read (GET of an object's body, not a listing) in ``bucket``."""
        reads = []
        with self.lock:
            for r in self.requests:
                segments = [s for s in r.path.split("/") if s]
                if segments and segments[0] == AZURITE_ACCOUNT:
                    segments = segments[1:]
                if r.method == "GET" and len(segments) >= 2 and segments[0] == bucket:
                    reads.append("/".join(segments[1:]))
        return reads

    def lists(self, bucket: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.method == "GET"
                       and ("comp=list" in r.query or "list-type" in r.query)
                       and bucket in r.path)


def start_azurite(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [str(AZURITE_BIN), "--blobHost", "127.0.0.1", "--blobPort", str(port),
         "--location", str(data), "--skipApiVersionCheck", "--silent", "--loose"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process, "Azurite")
    return process, port


def start_moto(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    # Requests are authenticated after the first three (create the user, its policy, its key),
    # so wrong credentials are refused as S3 refuses them.
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=data)
    wait_for_port(port, process, "moto")
    return process, port


def azurite_available() -> str | None:
    """Why Azurite cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed: the Azure Blob tests need Azurite (npm)"
    if not AZURITE_BIN.exists():
        return ("Azurite is not installed: run `npm install --prefix .ci/node azurite` "
                "(.ci/run does)")
    return None


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
