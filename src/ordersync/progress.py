"""Live progress on stderr: the ingest per file, the sync per pass, and budget waits.

In a terminal a rich status line is redrawn in place (done / total, rate, ETA, and a
countdown each second while waiting for monday's complexity budget).  Anywhere
else (cron, CI, ``2> log``) plain lines are written, at most one every
``interval`` seconds (10 by default) on the run's clock, so a log shows the
run moving without drowning in it::

    sync items: 1,200 / 2,000 (60%), 14.2/s, ETA 56 s — 3 of 27 minutes done
    waiting 42 s for monday's complexity budget — sync subitems: 120 / 400 (30%), 2.0/s,
        ETA 2 min 20 s — 3 of 27 minutes done

The stages call plain callbacks (``ingest(progress=…)``, ``sync.Progress``, the
``sleep`` the sync's budget and client wait through); this module turns them
into those lines.  Time comes from the injected ``clock``, so the demo's and the
tests' fake clocks show the waits they skip.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ordersync.render import printable

if TYPE_CHECKING:
    from rich.progress import Progress


PLAIN_INTERVAL = 10.0
"""Seconds between two plain progress lines."""


def pass_of(jobs: Sequence[Any]) -> str:
    """The sync pass a batch of sender jobs belongs to."""
    if not jobs:
        return "items"
    operation = jobs[0].call.operation
    if operation == "create_group":
        return "groups"
    if operation == "move_item_to_group":
        return "moves"
    return "subitems" if hasattr(jobs[0].record, "line") else "items"


def clock_text(seconds: float) -> str:
    """42 s, 3 min 05 s, 1 h 02 min."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ProgressReporter:
    """Turns stage callbacks into progress output (see the module docstring)."""

    def __init__(self, stream: TextIO | None = None, *, interactive: bool | None = None,
                 enabled: bool = True, interval: float = PLAIN_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = (self.stream.isatty() if interactive is None else interactive)
        self.enabled = enabled
        self.interval = interval
        self.clock = clock
        self._last_line: float | None = None
        self._real_interval = 0.0  # see use_clock
        self._last_real: float | None = None
        self._bar: Progress | None = None
        self._task: Any = None
        # sync state
        self._started: float | None = None
        self._estimate: float | None = None
        self._pass = ""
        self._pass_done = self._pass_total = 0
        self._pass_started = 0.0
        self._orders = 0
        self._planned = 0
        self.lines: list[str] = []
        """Every line written in plain mode (what tests and logs read back)."""

    # -- output --------------------------------------------------------------------------------

    def __enter__(self) -> ProgressReporter:
        if self.enabled and self.interactive:
            from rich.console import Console  # only in a terminal: rich takes ~50 ms to load
            from rich.progress import Progress, SpinnerColumn, TextColumn

            console = Console(file=self.stream, highlight=False)
            # markup=False: the lines name files ("orders [v2].xlsx") and are plain text
            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                                 console=console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def show(self, line: str) -> None:
        """Redraw the status line (terminal) or write it when one is due (plain)."""
        if not self.enabled:
            return
        line = printable(line)  # a file name's escape sequence must not drive the terminal
        if self._bar is not None:
            self._bar.update(self._task, description=line)
            return
        now, real = self.clock(), time.monotonic()
        if self._last_line is not None and now - self._last_line < self.interval:
            return
        if self._last_real is not None and real - self._last_real < self._real_interval:
            return
        self._last_line, self._last_real = now, real
        self.lines.append(line)
        self.stream.write(line + "\n")
        self.stream.flush()

    # -- ingest --------------------------------------------------------------------------------

    def ingest_file(self) -> Callable[[str], None]:
        """The ``progress`` callback of ``ingest``: called as each file starts being read."""
        count = [0]

        def started(name: str) -> None:
            count[0] += 1
            self.show(f"ingest: reading file {count[0]:,} — {name}")
        return started

    # -- sync ----------------------------------------------------------------------------------

    def sync_started(self, orders: int, estimate_seconds: float | None = None) -> None:
        """The sync has ``orders`` orders with work; ``estimate_seconds``: what the plan
        says the run takes under the budget (for "3 of 27 minutes done")."""
        self._started = self._pass_started = self.clock()
        self._orders = orders
        self._estimate = estimate_seconds
        self.show(f"sync: {orders:,} order(s) with work"
                  + (f", about {clock_text(estimate_seconds)} under monday's limits"
                     if estimate_seconds else ""))

    def pass_started(self, name: str, jobs: int) -> None:
        """A pass hands ``jobs`` mutations to the sender."""
        if name != self._pass:
            self._pass, self._pass_done, self._pass_total = name, 0, 0
            self._pass_started = self.clock()
        self._pass_total += jobs

    def sent(self, mutations: int) -> None:
        """A request of ``mutations`` mutations was answered."""
        self._pass_done += mutations
        self.show(self.pass_line())

    def pass_line(self) -> str:
        done, total = self._pass_done, max(self._pass_total, self._pass_done)
        elapsed = self.clock() - self._pass_started
        rate = done / elapsed if elapsed > 0 else 0.0
        percent = f" ({100 * done // total}%)" if total else ""
        line = f"sync {self._pass}: {done:,} / {total:,}{percent}"
        if rate > 0:
            eta = (total - done) / rate
            line += f", {rate:,.1f}/s, ETA {clock_text(eta)}"
        return line + self._minutes_done()

    def _minutes_done(self) -> str:
        if self._started is None or not self._estimate:
            return ""
        elapsed = self.clock() - self._started
        total = max(self._estimate, elapsed)
        return (f" — {math.floor(elapsed / 60)} of {math.ceil(total / 60)} minutes done"
                if total >= 60 else "")

    def budget_sleep(self, sleep: Callable[[float], None]) -> Callable[[float], None]:
        """``sleep`` for the sync's budget waits, counting down while it waits."""
        return self._countdown(sleep, "for monday's complexity budget")

    def retry_sleep(self, sleep: Callable[[float], None]) -> Callable[[float], None]:
        """``sleep`` for the client's waits (rate limits, back-off after a fault)."""
        return self._countdown(sleep, "before monday.com is asked again")

    def _countdown(self, sleep: Callable[[float], None], why: str) -> Callable[[float], None]:
        def wait(seconds: float) -> None:
            step = 1.0 if self._bar is not None else self.interval
            left = seconds
            while left > 0:
                where = f" — {self.pass_line()}" if self._pass else self._minutes_done()
                self.show(f"waiting {clock_text(math.ceil(left))} {why}{where}")
                chunk = min(step, left)
                sleep(chunk)
                left -= chunk
        return wait

    def sync_callbacks(self) -> dict[str, Callable[..., None]]:
        """Keyword arguments for ``ordersync.sync.Progress``."""
        return {"start": lambda total: self.sync_started(total, self._scaled(total)),
                "advance": self.sent,
                "send": lambda jobs: self.pass_started(pass_of(jobs), len(jobs))}

    def use_clock(self, clock: Callable[[], float], *, real_interval: float = 1.0) -> None:
        """Measure from now on with ``clock`` (the demo's fast sandbox clock).

        Off a terminal, plain lines then also come at most one per ``real_interval`` of
        real time: the demo's 80 sandbox minutes pass in seconds, and a log of it would
        otherwise hold a countdown line for every 10 of them (~480).
        """
        self.clock = clock
        self._real_interval = real_interval
        self._last_line = None

    def expect(self, estimate_seconds: float | None, planned_orders: int = 0) -> None:
        """The plan's time estimate for ``planned_orders`` orders (every pending one); a run
        bounded by --customer or --limit is scaled to the orders it has."""
        self._estimate = estimate_seconds
        self._planned = planned_orders

    def _scaled(self, orders: int) -> float | None:
        if not self._estimate or not self._planned or orders >= self._planned:
            return self._estimate
        return self._estimate * orders / self._planned
