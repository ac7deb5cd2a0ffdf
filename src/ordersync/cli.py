"""The ``ordersync`` command: parse, call the library, format, exit.

Exit codes: 0 success; 1 an ordersync error (one clear message on stderr, a
traceback only with ``--debug``); 2 a usage error; 3 the command ran but some
files failed to ingest (their reasons are printed).  ``--json`` writes machine
output to stdout; tables and progress go to stderr.

Start-up is kept short (``--help``, ``status`` and a run with nothing to do each
take a fraction of a second): the libraries a command needs (polars, SQLAlchemy,
httpx, graphql-core, rich) are imported inside the command, or on first use.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ordersync import render
from ordersync.config import DEFAULT_CONFIG_NAME, Config, example_config_text, load_config
from ordersync.errors import OrderSyncError

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FILES_FAILED = 3

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def _stderr() -> Console:
    """rich's Console on stderr, created at its first use (importing rich takes ~50 ms)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


class _LazyStderr:
    def __getattr__(self, name: str) -> Any:
        return getattr(_stderr(), name)


err = cast("Console", _LazyStderr())


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _handles_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except OrderSyncError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            err.print(f"[red]error:[/] {exc}", markup=True, soft_wrap=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


def _config_options(func: F) -> F:
    func = click.option("--env", "env", metavar="NAME",
                        help="Overlay the config's [env.NAME] table.")(func)
    func = click.option("--config", "config_path", type=click.Path(path_type=Path),
                        default=DEFAULT_CONFIG_NAME, show_default=True,
                        help="The TOML configuration file.")(func)
    return func


def _writing_options(func: F) -> F:
    func = click.option("--json", "as_json", is_flag=True,
                        help="Print the report as JSON on stdout.")(func)
    func = click.option("--dry-run", is_flag=True,
                        help="Report what would change; write nothing.")(func)
    return func


def _load(config_path: Path, env: str | None) -> Config:
    return load_config(config_path, env=env)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="ordersync")
def cli(debug: bool) -> None:
    """Keep a monday.com board true to customers' Excel order lists.

    \b
    Example:
      ordersync init .  &&  ordersync run  &&  ordersync status
    """


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing ordersync.toml.")
@_handles_errors
def init(directory: Path, force: bool) -> None:
    """Write a complete, commented ordersync.toml into DIRECTORY.

    \b
    Example:
      ordersync init ~/orders && $EDITOR ~/orders/ordersync.toml
    """
    target = directory / DEFAULT_CONFIG_NAME
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; pass --force to overwrite it")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "orders").mkdir(exist_ok=True)
    target.write_text(example_config_text(), encoding="utf-8")
    err.print(f"wrote {target}; put the workbooks in {directory / 'orders'} and edit the "
              "profiles, then run `ordersync ingest --dry-run`")


@cli.command("sample-data")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--customers", default=40, show_default=True, type=click.IntRange(1, 500))
@click.option("--orders", default=5000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=0, show_default=True, type=int)
@_handles_errors
def sample_data(directory: Path, customers: int, orders: int, seed: int) -> None:
    """Write realistic customer workbooks into DIRECTORY.

    \b
    Example:
      ordersync sample-data ./orders --customers 5 --orders 500 --seed 7
    """
    from ordersync.sample_data import generate_sample_data

    dataset = generate_sample_data(directory, customers=customers, orders=orders, seed=seed)
    err.print(f"wrote {len(dataset.files)} files for {len(dataset.customers)} customers "
              f"({dataset.orders} orders, {dataset.data_rows} rows) into {directory}")


@cli.command()
@_config_options
@_writing_options
@_handles_errors
def ingest(config_path: Path, env: str | None, dry_run: bool, as_json: bool) -> None:
    """Read changed workbooks into staging; reject bad rows with reasons.

    \b
    Example:
      ordersync ingest --dry-run && ordersync ingest
    """
    from ordersync.ingest import ingest as run_ingest
    from ordersync.pipeline import open_database

    config = _load(config_path, env)
    report = run_ingest(config, open_database(config), dry_run=dry_run)
    if as_json:
        _print_json(render.ingest_json(report))
    else:
        render.print_ingest(err, report)
    if report.count("failed"):
        sys.exit(EXIT_FILES_FAILED)


@cli.command()
@_config_options
@_writing_options
@_handles_errors
def merge(config_path: Path, env: str | None, dry_run: bool, as_json: bool) -> None:
    """Merge staged rows into the order list and diff the size lines.

    \b
    Example:
      ordersync merge --dry-run --json
    """
    from ordersync.pipeline import open_database, run_merge

    config = _load(config_path, env)
    result = run_merge(config, open_database(config), dry_run=dry_run)
    if as_json:
        _print_json(render.merge_json(result))
    else:
        render.print_merge(err, result)


@cli.command()
@_config_options
@_writing_options
@_handles_errors
def run(config_path: Path, env: str | None, dry_run: bool, as_json: bool) -> None:
    """Run every stage: ingest, merge, lines, then sync when monday.board_id is set.

    \b
    Example:
      ordersync run --env prod
    """
    from ordersync import timing
    from ordersync.pipeline import open_database, run_pipeline

    config = _load(config_path, env)
    db = open_database(config)
    with timing.recording() as seconds:
        result = run_pipeline(config, db, dry_run=dry_run)
    if not as_json:
        render.print_ingest(err, result.ingest)
        render.print_merge(err, result.merge)
        if dry_run:
            err.print("(a dry run writes no staging, so the merge above covers only rows "
                      "that earlier ingests staged)")
    report = None
    if config.monday.board_id is not None:
        report = _sync(config, db, dry_run=dry_run, as_json=as_json)
    elif not as_json:
        err.print("sync skipped: set monday.board_id (and the column mapping) in the config "
                  "to keep a board in step")
    if as_json:
        _print_json({"ingest": render.ingest_json(result.ingest),
                     "merge": render.merge_json(result.merge),
                     "sync": render.sync_json(report) if report is not None else None,
                     "timings": {step: round(t, 4) for step, t in seconds.items()}})
    if report is not None and report.stopped:
        sys.exit(1)
    if result.ingest.count("failed") or (report is not None and report.counts["failed"]):
        sys.exit(EXIT_FILES_FAILED)


def _sync(config: Config, db: Any, *, dry_run: bool, as_json: bool,
          customers: tuple[str, ...] = (), limit: int | None = None,
          retry_failed: bool = False) -> Any:
    """Run the sync with a progress display on stderr; print its summary unless JSON."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ordersync.monday.client import token_from_env
    from ordersync.sync import Progress as SyncProgress
    from ordersync.sync import SyncOptions, make_client, run_sync

    options = SyncOptions(dry_run=dry_run, customers=customers, limit=limit,
                          retry_failed=retry_failed)
    if dry_run:  # prints the documents (on stdout; stderr with --json); sends nothing
        from rich.console import Console

        report = run_sync(config, db, None, options=options,
                          out=Console(stderr=as_json, highlight=False, soft_wrap=True))
    else:
        with make_client(config, token_from_env()) as client, Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                console=_stderr(), transient=True, disable=as_json) as bar:
            task = bar.add_task("syncing", total=None)
            sent = [0, 0]

            def advance(mutations: int) -> None:
                sent[0] += 1
                sent[1] += mutations
                bar.update(task, description=f"syncing: {sent[1]:,} mutations in "
                                             f"{sent[0]:,} requests")

            def start(total: int) -> None:
                bar.update(task, description=f"syncing {total:,} order(s) with work")

            report = run_sync(config, db, client, options=options,
                              progress=SyncProgress(start=start, advance=advance))
    if not as_json:
        render.print_sync(err, report)
    return report


@cli.command()
@_config_options
@_writing_options
@click.option("--customer", "customers", multiple=True, metavar="NAME",
              help="Only this customer's orders (name or profile code; repeatable).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="At most N orders (with their size lines) in this run, all customers "
                   "together.")
@click.option("--retry-failed", is_flag=True,
              help="Send FAILED orders and lines again (after fixing their data or the board).")
@_handles_errors
def sync(config_path: Path, env: str | None, dry_run: bool, as_json: bool,
         customers: tuple[str, ...], limit: int | None, retry_failed: bool) -> None:
    """Make the monday.com board mirror the order list: groups, items, subitems.

    Needs MONDAY_API_TOKEN (never the config file).  --dry-run prints every GraphQL
    request it would send, with its variables, and changes nothing anywhere.
    Exit 0: done; 3: some records failed (listed, and kept for --retry-failed);
    1: stopped (token, board, monday.com unavailable) — run again later.

    \b
    Example:
      ordersync plan && ordersync sync --customer GREYSTONE --limit 100
    """
    from ordersync.pipeline import open_database

    config = _load(config_path, env)
    report = _sync(config, open_database(config), dry_run=dry_run, as_json=as_json,
                   customers=customers, limit=limit, retry_failed=retry_failed)
    if as_json:
        _print_json(render.sync_json(report))
    if report.stopped:
        sys.exit(1)
    if report.counts["failed"]:
        sys.exit(EXIT_FILES_FAILED)


@cli.command()
@_config_options
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON on stdout.")
@_handles_errors
def status(config_path: Path, env: str | None, as_json: bool) -> None:
    """Counts of files, staged and rejected rows, orders and lines by state and action.

    \b
    Example:
      ordersync status --json | jq .orders.by_state
    """
    from ordersync.pipeline import open_database
    from ordersync.status import read_status

    config = _load(config_path, env)
    counts = read_status(open_database(config))
    if as_json:
        _print_json(counts)
    else:
        render.print_status(err, counts)


@cli.command()
@_config_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON on stdout.")
@_handles_errors
def plan(config_path: Path, env: str | None, as_json: bool) -> None:
    """What the next sync would do per customer and group, and what it will cost.

    Reads the database only (and the board's groups when MONDAY_API_TOKEN is set);
    writes nothing.

    \b
    Example:
      ordersync plan --json | jq .cost
    """
    import os

    from ordersync.monday.wire import TOKEN_ENV
    from ordersync.pipeline import open_database
    from ordersync.plan import fetch_board_groups, plan_sync

    config = _load(config_path, env)
    token = os.environ.get(TOKEN_ENV, "").strip()
    board_groups = (fetch_board_groups(config, token)
                    if token and config.monday.board_id else None)
    result = plan_sync(config, open_database(config), board_groups=board_groups)
    if as_json:
        _print_json(result.to_json())
    else:
        render.print_plan(err, result)


@cli.command()
@click.option("--workdir", type=click.Path(path_type=Path), default=Path("demo-work"),
              show_default=True, help="Folder for the sample files, config and database.")
@click.option("--customers", default=40, show_default=True, type=click.IntRange(1, 500))
@click.option("--orders", default=5000, show_default=True, type=click.IntRange(1))
@_handles_errors
def demo(workdir: Path, customers: int, orders: int) -> None:
    """Generate sample workbooks, run the pipeline on them and show what happened.

    No network and no token needed; everything lands in WORKDIR.

    \b
    Example:
      ordersync demo --workdir /tmp/ordersync-demo
    """
    from ordersync.demo import run_demo

    run_demo(workdir, customers=customers, orders=orders, console=_stderr())


def main() -> None:
    cli(prog_name="ordersync")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep the boards in this JSON file (loaded at start, saved on each write).")
@click.option("--plan", type=click.Choice(["standard", "pro", "enterprise"]),
              default="standard", show_default=True, help="The monday plan whose limits apply.")
@click.option("--faults", metavar="SPEC",
              help='Inject faults, e.g. "ok,500,timeout_after_apply" or "500:0.1,seed=7".')
@click.option("--create-board", is_flag=True,
              help="Create an order board and print its ids as a [monday] TOML snippet.")
@click.option("--no-serve", is_flag=True,
              help="Exit after --create-board instead of serving.")
@_handles_errors
def sandbox(host: str, port: int, state: Path | None, plan: str, faults: str | None,
            create_board: bool, no_serve: bool) -> None:
    """Serve a local monday.com-compatible API at http://HOST:PORT/v2.

    Any non-empty Authorization token is accepted.  --create-board prints the
    snippet on stdout before serving; with --no-serve it exits after that.

    \b
    Example:
      ordersync sandbox --state sandbox.json --create-board --no-serve >> ordersync.toml
      ordersync sandbox --state sandbox.json --faults "ok,500,timeout_after_apply"
    """
    from ordersync.sandbox.server import SandboxOptions, build_sandbox, config_snippet, serve

    box = build_sandbox(SandboxOptions(host, port, state, plan, faults))
    if create_board:
        click.echo(config_snippet(box.create_order_board(), f"http://{host}:{port}/v2"))
    if no_serve:
        return
    err.print(f"sandbox listening on http://{host}:{port}/v2 (plan {plan}); Ctrl-C stops it")
    serve(box, host, port)
