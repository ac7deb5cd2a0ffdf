"""``ordersync sandbox``: serve a ``Sandbox`` over HTTP with uvicorn.

uvicorn handles SIGINT and SIGTERM: it stops accepting requests, finishes the
ones in flight and runs the app's lifespan shutdown, which saves the state file;
``serve`` saves once more after uvicorn returns, so a state file is written even
if the lifespan never ran.  The process then exits 0 (uvicorn's own habit of
re-raising the signal is switched off, see ``_Server``).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import tomli_w
import uvicorn

from ordersync.errors import OrderSyncError
from ordersync.sandbox.app import Sandbox
from ordersync.sandbox.fault_specs import setting_token
from ordersync.sandbox.fault_specs import split_spec as split_fault_items
from ordersync.sandbox.faults import FaultPlan, FaultPlanError
from ordersync.sandbox.store import OrderBoard

__all__ = ["SandboxOptions", "SandboxStartError", "build_sandbox", "check_port",
           "config_snippet", "faults_message", "serve"]


class SandboxStartError(OrderSyncError):
    """The sandbox could not start (unreadable state file, bad plan or fault spec)."""


@dataclass(frozen=True)
class SandboxOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    state: Path | None = None
    plan: str = "standard"
    faults: str | None = None


def build_sandbox(options: SandboxOptions) -> Sandbox:
    """A ``Sandbox`` from command-line options; problems become ``OrderSyncError``s."""
    try:
        faults = FaultPlan.parse(options.faults, source="--faults")
    except FaultPlanError as exc:  # one line per problem would not be one line of CLI output
        raise SandboxStartError(faults_message(options.faults or "", exc.problems)) from exc
    try:
        return Sandbox(plan=options.plan, faults=faults, state_path=options.state)
    except (OSError, ValueError, KeyError) as exc:
        raise SandboxStartError(f"cannot start the sandbox with state file {options.state}: "
                                f"{exc}") from exc


_SCRIPT_ITEM = re.compile(r"^--faults: item (\d+): ")
_RATED_ITEM = re.compile(r"^--faults\.rates\.(.+?): ")


def faults_message(spec: str, problems: Sequence[str]) -> str:
    """``FaultPlanError``'s problems as one line, each naming its bad token."""
    items = [i.strip() for i in split_fault_items(spec) if i.strip()]
    steps = [i for i in items if not i.replace(" ", "").lower().startswith("seed=")
             and i.lower() != "cycle" and not setting_token(i)[0]]  # numbered as parsed

    parts = []
    for problem in problems:
        script, rated = _SCRIPT_ITEM.match(problem), _RATED_ITEM.match(problem)
        if script is not None and int(script[1]) < len(steps):
            parts.append(f"bad token {steps[int(script[1])]!r}: {problem[script.end():]}")
        elif rated is not None:
            parts.append(f"bad token {rated[1]!r}: {problem[rated.end():]}")
        else:
            parts.append(problem.removeprefix("--faults: ").removeprefix("--faults."))
    return f"invalid --faults {spec!r}: " + "; ".join(parts)


def config_snippet(ids: OrderBoard, url: str) -> str:
    """A ``[monday]`` TOML table naming the board, its subitems board and column ids."""
    columns = {"identity": ids.identity, "customer": ids.customer, "notes": ids.notes,
               "quantity": ids.quantity, "eta": ids.eta, "status": ids.status,
               "delivery": ids.delivery, "subitems": ids.subitems}
    sub_columns = {"size": ids.size, "order_qty": ids.order_qty,
                   "line_status": ids.line_status}
    return tomli_w.dumps({"monday": {
        "api_url": url, "board_id": ids.board_id, "subitems_board_id": ids.subitems_board_id,
        "columns": columns, "subitem_columns": sub_columns}})


def check_port(host: str, port: int) -> None:
    """Fail with one clear message when ``host:port`` cannot be listened on (another
    sandbox, or any other program, holds it), before anything says "listening"."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SandboxStartError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise SandboxStartError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} — another program "
                f"(perhaps another `ordersync sandbox`) holds the port: stop it, or pass "
                f"--port N and set monday.api_url to http://{host}:N/v2") from exc


class _Server(uvicorn.Server):
    """uvicorn re-raises a captured SIGINT/SIGTERM after its graceful shutdown (the
    process then dies of the signal); a requested stop of the sandbox exits 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def serve(sandbox: Sandbox, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM; the state is saved on the way out."""
    config = uvicorn.Config(sandbox.app, host=host, port=port, log_level="warning",
                            lifespan="on")
    try:
        _Server(config).run()
    finally:
        sandbox.save()
