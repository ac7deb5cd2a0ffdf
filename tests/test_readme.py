"""The README's example blocks run as written, in a temporary folder.

Every ```sh block of the README is run with bash (``set -e``: any failing line
fails the test) except comment lines, ``make`` commands (set-up and the suite
itself, which CI runs anyway) and lines whose comment says *(needs …)* (your own workbooks, board or
token); blocks left with nothing to run are skipped.  ``ordersync`` is this
tree's command.  The sandbox the examples start serves on port 8765, so the
test is skipped when that port is taken.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import port_free

README = Path(__file__).resolve().parents[1] / "README.md"
SANDBOX_PORT = 8765


def runnable_blocks(text: str) -> list[str]:
    blocks = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        kept = []
        for line in block.replace("\\\n", " ").splitlines():
            stripped = line.strip()
            words = [w for w in stripped.split() if not re.match(r"^[A-Z_]+=", w)]
            if not words or words[0].startswith("#") or words[0] == "make" \
                    or "(needs " in stripped:
                continue
            kept.append(line)
        if kept:
            blocks.append("\n".join(kept))
    return blocks



def test_the_readme_names_its_example_lines_and_the_skip_rule() -> None:
    blocks = runnable_blocks(README.read_text(encoding="utf-8"))
    joined = "\n".join(blocks)
    assert "ordersync demo --workdir work" in joined and "ordersync rejects" in joined
    assert "--create-board --no-serve >> mine/ordersync.toml" in joined
    assert "make install" not in joined and "cp ~/order-lists" not in joined


@pytest.mark.parametrize("index", range(len(runnable_blocks(README.read_text("utf-8")))))
def test_readme_block_runs_as_written(index: int, tmp_path: Path) -> None:
    if not port_free(SANDBOX_PORT):
        pytest.skip(f"port {SANDBOX_PORT} is in use; the README's sandbox serves there")
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    block = runnable_blocks(README.read_text(encoding="utf-8"))[index]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    command = bin_dir / "ordersync"
    command.write_text(f"#!/bin/sh\nexec {sys.executable} -c "
                       "'from ordersync.cli import main; main()' \"$@\"\n")
    command.chmod(0o755)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("MONDAY_API_TOKEN", None)
    env.pop("ORDERSYNC_DATABASE_URL", None)
    script = ("set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
              # a backgrounded sandbox needs a moment before the next line talks to it
              + re.sub(r"^(ordersync sandbox [^\n]*&[^\n]*)$",
                       r"\1\nfor _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8765) "
                       r"2>/dev/null && break; sleep 0.2; done", block, flags=re.MULTILINE))
    process = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=600)
    finally:  # whatever happened, no sandbox the block started outlives it
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()
    assert process.returncode == 0, f"{block}\n--- stdout\n{stdout[-3000:]}\n" \
                                    f"--- stderr\n{stderr[-3000:]}"
