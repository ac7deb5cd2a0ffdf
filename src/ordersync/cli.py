"""The ``ordersync`` command: parse, call the library, format, exit.

Exit codes: 0 success; 1 an ordersync error (one clear message on stderr, a
traceback only with ``--debug``), or a sync stopped early (by monday.com or a
signal: run it again to go on); 2 a usage error; 3 the command ran but some files
failed to ingest, or records are FAILED (their reasons are printed); 4 ``verify``
found the board differing from the database.  ``--json`` writes machine
output to stdout; tables and progress go to stderr.

Start-up is kept short (``--help``, ``status`` and a run with nothing to do each
take a fraction of a second): the libraries a command needs (polars, SQLAlchemy,
httpx, graphql-core, rich) are imported inside the command, or on first use.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from ordersync import render
from ordersync.config import DEFAULT_CONFIG_NAME, Config, example_config_text, load_config
from ordersync.errors import OrderSyncError, database_problem, file_problem

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED = 3
"""Some files failed to ingest, or some records are FAILED on the board's side."""
EXIT_BOARD_DIFFERS = 4
"""``verify`` found the board differing from the database."""

if TYPE_CHECKING:
    from rich.console import Console


def _console(**options: Any) -> Console:
    """A console for our reports; user data in them goes through ``render.literal``."""
    from rich.console import Console

    stream = sys.stderr if options.get("stderr") else sys.stdout
    if "width" not in options and "COLUMNS" not in os.environ and not stream.isatty():
        # Into a log or a pipe: as wide as the text, not 80 columns (two file names
        # differing only at their end both showed as "ACME_Open_Orders_20…").
        options["width"] = _PIPE_WIDTH
    # emoji=False: rich would print a customer's "SS26:x:" as "SS26❌"
    return Console(highlight=False, emoji=False, **options)


_PIPE_WIDTH = 200


@functools.cache
def _stderr() -> Console:
    """rich's Console on stderr, created at its first use (importing rich takes ~50 ms)."""
    return _console(stderr=True)


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
            _log_end(ctx, str(exc), exc)
            if ctx.find_root().params.get("debug"):
                raise
            # The message is text, not markup: "[monday.routing]" must print as written.
            err.print(f"[red]error:[/] {render.literal(exc)}", soft_wrap=True)
            sys.exit(1)
        except KeyboardInterrupt as exc:
            _log_end(ctx, "interrupted", exc)
            if ctx.find_root().params.get("debug"):
                raise
            err.print("[yellow]interrupted[/] — whatever was in flight is reconciled by the next "
                      "run: run the same command again to go on", soft_wrap=True)
            sys.exit(1)
        except Exception as exc:  # a database driver's refusal, a path a user can fix: one line
            problem = database_problem(exc) or file_problem(exc)
            _log_end(ctx, problem or f"unexpected error: {type(exc).__name__}: {exc}", exc,
                     traceback=problem is None)
            if problem is None or ctx.find_root().params.get("debug"):
                raise
            err.print(f"[red]error:[/] {render.literal(problem)}", soft_wrap=True)
            sys.exit(1)
    return wrapper  # type: ignore[return-value]


def _log_end(ctx: click.Context, message: str, exc: BaseException, *,
             traceback: bool = False) -> None:
    """The error that ends the command, in the log too (``--log-file`` / ``[logging] file``:
    a cron job's only record), as an ERROR record — a WARNING for an interruption."""
    import logging

    from ordersync.logs import ROOT, log_event

    interrupted = isinstance(exc, KeyboardInterrupt)
    log_event(logging.getLogger(f"{ROOT}.cli"),
              "interrupted" if interrupted else "command_failed", message,
              level=logging.WARNING if interrupted else logging.ERROR,
              exc_info=exc if traceback else None, command=ctx.info_name,
              error=type(exc).__name__)


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
    """The config (the command's --env, else the group's), with its [logging] applied."""
    root = click.get_current_context().find_root().params
    config = load_config(config_path, env=env or root.get("env"))
    if root.get("log_file") is None and config.log_file is not None:
        from ordersync.logs import configure_logging

        configure_logging(config.log_file, config.logging.level)
    return config


def _progress(enabled: bool = True) -> Any:
    """Progress on stderr: redrawn in a terminal, a plain line every 10 s elsewhere."""
    from ordersync.progress import ProgressReporter

    return ProgressReporter(sys.stderr, enabled=enabled)


def _listing_console() -> Console:
    """stderr, wide enough for the listings' tables when it is a file or a pipe."""
    return _console(stderr=True, width=None if sys.stderr.isatty() else 200)


def _say_if_no_tables(db: Any) -> None:
    """For a command that only reads: say so (on stderr) when the database holds none of
    ordersync's tables, instead of an empty listing that looks like all is well."""
    from ordersync.status import has_tables, tables_elsewhere

    if not has_tables(db):
        render.print_no_tables(err, db.display_name, schema=db.schema if not db.is_sqlite
                               else None, **tables_elsewhere(db))


def _config_arg(config_path: Path) -> str:
    return "" if str(config_path) == DEFAULT_CONFIG_NAME else f" --config {config_path}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--env", "env", metavar="NAME",
              help="Overlay the config's [env.NAME] table (for every command; a command's "
                   "own --env wins).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Append structured logs (JSON lines: every stage and monday.com request; "
                   "never the token) to this file; overrides [logging] file.")
@click.version_option(package_name="ordersync")
def cli(debug: bool, env: str | None, log_file: Path | None) -> None:
    """Keep a monday.com board true to customers' Excel order lists.

    \b
    Example:
      ordersync init .  &&  ordersync run  &&  ordersync status
    """
    if log_file is not None:
        from ordersync.logs import configure_logging

        try:
            configure_logging(log_file)
        except OSError as exc:
            if debug or (problem := file_problem(exc)) is None:
                raise
            err.print(f"[red]error:[/] --log-file: {render.literal(problem)}", soft_wrap=True)
            sys.exit(1)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing ordersync.toml.")
@_handles_errors
def init(directory: Path, force: bool) -> None:
    """Write a complete, commented ordersync.toml into DIRECTORY.

    \b
    Example:
      ordersync init ~/orders && ordersync ingest --config ~/orders/ordersync.toml --dry-run
    """
    target = directory / DEFAULT_CONFIG_NAME
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; pass --force to overwrite it")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "orders").mkdir(exist_ok=True)
    target.write_text(example_config_text(), encoding="utf-8")
    err.print(f"wrote {render.literal(target)}; put the workbooks in "
              f"{render.literal(directory / 'orders')} and edit the profiles, then run "
              "`ordersync ingest --dry-run`")


@cli.command("sample-data")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
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
    import warnings

    from ordersync.sample_data import generate_sample_data

    with warnings.catch_warnings(record=True) as caught:  # said as a line, not a traceback
        warnings.simplefilter("always")
        dataset = generate_sample_data(directory, customers=customers, orders=orders, seed=seed)
    for warning in caught:
        err.print(f"[yellow]![/] {render.literal(str(warning.message))}", soft_wrap=True)
    err.print(f"wrote {len(dataset.files)} files for {len(dataset.customers)} customers "
              f"({dataset.orders} orders, {dataset.data_rows} rows) into "
              f"{render.literal(directory)}")


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
    from ordersync.db import open_database
    from ordersync.pipeline import run_ingest

    config = _load(config_path, env)
    with _progress() as progress:
        report = run_ingest(config, open_database(config), dry_run=dry_run,
                            progress=progress.ingest_file())
    if as_json:
        _print_json(render.ingest_json(report))
    else:
        render.print_ingest(err, report)
    if report.count("failed"):
        sys.exit(EXIT_FAILED)


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
    from ordersync.db import open_database
    from ordersync.pipeline import run_merge

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
      ordersync run --env dev
    """
    from ordersync import timing
    from ordersync.db import open_database
    from ordersync.pipeline import run_all
    from ordersync.sync.stop import stop_on_signals

    config = _load(config_path, env)
    out = (_console(stderr=as_json, soft_wrap=True) if config.monday.board_id is not None
           else None)  # the dry run's documents; rich only when there is a board
    with _progress() as progress, stop_on_signals() as stop, timing.recording() as seconds:
        result = run_all(config, open_database(config), dry_run=dry_run, progress=progress,
                         out=out, sleep=stop.sleep, stop=stop)
    if result.sync_error is not None and click.get_current_context().find_root().params.get(
            "debug"):
        raise result.sync_error
    if as_json:
        _print_json({"ingest": render.ingest_json(result.ingest),
                     "merge": render.merge_json(result.merge),
                     "sync": render.sync_json(result.sync) if result.sync else None,
                     "error": str(result.sync_error) if result.sync_error else None,
                     "report": str(result.report_path) if result.report_path else None,
                     "timings": {step: round(t, 4) for step, t in seconds.items()}})
    else:
        render.print_ingest(err, result.ingest)
        render.print_merge(err, result.merge)
        if dry_run:
            err.print("(a dry run writes no staging, so the merge above covers only rows "
                      "that earlier ingests staged)")
        if result.sync_error is not None:
            err.print(f"[red]error:[/] the sync could not run: "
                      f"{render.literal(result.sync_error)}", soft_wrap=True)
        elif result.sync is not None:
            render.print_sync(err, result.sync)
        else:
            err.print("sync skipped: set monday.board_id (and the column mapping) in the "
                      "config to keep a board in step")
        if result.report_path is not None:
            err.print(f"report: {render.literal(result.report_path)}", highlight=False)
    sys.exit(result.exit_code)


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
@click.option("--repair", is_flag=True,
              help="Read the board first and re-queue whatever differs from the database "
                   "(see `ordersync verify`), then sync.")
@click.option("--delete-extras", is_flag=True,
              help="With --repair: delete duplicate and orphan items and subitems.")
@click.option("--new-board", "new_boards", multiple=True, metavar="ROUTE",
              help="[monday.routing]: give ROUTE a new board from the template in place of "
                   "one monday.com no longer shows (deleted, archived), and create its "
                   "orders there (repeatable).")
@_handles_errors
def sync(config_path: Path, env: str | None, dry_run: bool, as_json: bool,
         customers: tuple[str, ...], limit: int | None, retry_failed: bool, repair: bool,
         delete_extras: bool, new_boards: tuple[str, ...]) -> None:
    """Make the monday.com board mirror the order list: groups, items, subitems.

    Needs MONDAY_API_TOKEN (never the config file).  --dry-run prints every GraphQL
    request it would send, with its variables, and changes nothing anywhere.
    Exit 0: the board has every record; 3: records are FAILED — this run's or an
    earlier one's (counted, listed by `ordersync status`; fix the data or the board, then
    --retry-failed), or orders are still to send after every retry of the run (the next
    sync sends them), or orders wait for a routed board monday.com no longer shows (the
    other boards are synced; restore the board, or --new-board ROUTE); 1: stopped (token,
    board, monday.com unavailable, a signal) — run again to go on; 4: with --repair, the
    board still differs from the database (extras are kept without --delete-extras).

    \b
    Example:
      ordersync plan && ordersync sync --customer "GREYSTONE APPAREL" --limit 100
    """
    from ordersync.db import open_database
    from ordersync.pipeline import sync_board
    from ordersync.sync import SyncOptions

    config = _load(config_path, env)
    if new_boards and (dry_run or repair):
        raise click.UsageError("--new-board cannot be combined with --dry-run or --repair")
    if repair:
        if dry_run or limit is not None or retry_failed:
            raise click.UsageError("--repair cannot be combined with --dry-run, --limit or "
                                   "--retry-failed")
        _verify(config, open_database(config), customers=customers, repair=True,
                delete_extras=delete_extras, as_json=as_json)
        return
    if delete_extras:
        raise click.UsageError("--delete-extras needs --repair")
    options = SyncOptions(dry_run=dry_run, customers=customers, limit=limit,
                          retry_failed=retry_failed, new_boards=new_boards)
    from ordersync.sync.stop import stop_on_signals

    with _progress(enabled=not dry_run) as progress, stop_on_signals() as stop:
        report = sync_board(config, open_database(config), options=options, progress=progress,
                            out=_console(stderr=as_json, soft_wrap=True),
                            sleep=stop.sleep, stop=stop)
    if not as_json:
        render.print_sync(err, report)
    if as_json:
        _print_json(render.sync_json(report))
    if report.stopped:
        sys.exit(1)
    if report.incomplete and not dry_run:
        sys.exit(EXIT_FAILED)
    if report.board_differs and not dry_run:
        sys.exit(EXIT_BOARD_DIFFERS)


@cli.command()
@_config_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.option("--customer", "customers", multiple=True, metavar="NAME",
              help="Only this customer's orders (name or profile code; repeatable).")
@click.option("--repair", is_flag=True,
              help="Make the board equal the database: re-queue what differs and sync it, "
                   "then verify again.")
@click.option("--delete-extras", is_flag=True,
              help="With --repair: delete duplicate items and subitems and items of no order "
                   "(otherwise they are only reported).")
@_handles_errors
def verify(config_path: Path, env: str | None, as_json: bool, customers: tuple[str, ...],
           repair: bool, delete_extras: bool) -> None:
    """Read the board back and compare it with the database, kind by kind.

    Reports orders missing from the board, items with no order, duplicates, items in
    the wrong group, values, subitem quantities and statuses that differ, and items or
    groups deleted on the board; records the result in verify_runs.  Reads only,
    unless --repair.  Exit 0: the board equals the database; 4: it differs; 1: an error.

    \b
    Example:
      ordersync verify && ordersync verify --repair
    """
    from ordersync.db import open_database

    if delete_extras and not repair:
        raise click.UsageError("--delete-extras needs --repair")
    config = _load(config_path, env)
    _verify(config, open_database(config), customers=customers, repair=repair,
            delete_extras=delete_extras, as_json=as_json)


def _verify(config: Config, db: Any, *, customers: tuple[str, ...], repair: bool,
            delete_extras: bool, as_json: bool) -> None:
    """Run verify with progress on stderr, print its passes, exit 0 / 3 / 4 / 1."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ordersync.monday.client import token_from_env
    from ordersync.sync import Progress as SyncProgress
    from ordersync.sync import make_client
    from ordersync.verify import VerifyOptions, VerifyProgress, run_verify

    options = VerifyOptions(customers=customers, repair=repair, delete_extras=delete_extras)
    with make_client(config, token_from_env()) as client, Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=_stderr(), transient=True, disable=as_json) as bar:
        task = bar.add_task("reading the board", total=None)
        sent = [0]

        def advance(mutations: int) -> None:
            sent[0] += mutations
            bar.update(task, description=f"repairing: {sent[0]:,} mutations sent")

        progress = VerifyProgress(
            reading=lambda n: bar.update(task, description=f"reading the board: {n:,} items"),
            sync=SyncProgress(advance=advance))
        result = run_verify(config, db, client, options=options, progress=progress)
    if as_json:
        _print_json(render.verify_json(result.found, result.sync, result.after))
    else:
        render.print_verify(err, result.found)
        if result.sync is not None:
            render.print_sync(err, result.sync)
        if result.after is not None:
            render.print_verify(err, result.after)
    if result.sync is not None and result.sync.stopped:
        sys.exit(1)
    if result.sync is not None and result.sync.incomplete:
        sys.exit(EXIT_FAILED)
    if not result.final.equal:
        sys.exit(EXIT_BOARD_DIFFERS)


@cli.command()
@_config_options
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON on stdout.")
@_handles_errors
def status(config_path: Path, env: str | None, as_json: bool) -> None:
    """Counts of files (the failed ones named, with why), staged and rejected rows, orders
    and lines by state and action.

    \b
    Example:
      ordersync status --json | jq .orders.by_state
    """
    from ordersync.db import open_database
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

    from ordersync.db import open_database
    from ordersync.monday.client import token_from_env
    from ordersync.monday.wire import TOKEN_ENV
    from ordersync.plan import fetch_board_groups, plan_sync
    from ordersync.sync.preflight import check_boards

    config = _load(config_path, env)
    db = open_database(config)
    board_groups = (fetch_board_groups(config, token_from_env(), db=db, preflight=check_boards)
                    if os.environ.get(TOKEN_ENV, "").strip() and config.monday.board_id
                    else None)
    result = plan_sync(config, db, board_groups=board_groups)
    if as_json:
        _print_json(result.to_json())
    else:
        _say_if_no_tables(db)
        render.print_plan(err, result)


@cli.command()
@click.option("--workdir", type=click.Path(path_type=Path), default=Path("demo-work"),
              show_default=True, help="Folder for the sample files, config and database.")
@click.option("--customers", default=40, show_default=True, type=click.IntRange(1, 500))
@click.option("--orders", default=5000, show_default=True, type=click.IntRange(1))
@_handles_errors
def demo(workdir: Path, customers: int, orders: int) -> None:
    """Generate sample workbooks, run the pipeline on them and show what happened.

    No network and no token needed; everything lands in WORKDIR.  Results go to
    stdout (so `ordersync demo > demo.txt` keeps them), progress to stderr; it ends
    by writing WORKDIR/report.html and printing its path.

    \b
    Example:
      ordersync demo --workdir ordersync-demo --customers 3 --orders 100
    """
    from ordersync.demo import run_demo

    run_demo(workdir, customers=customers, orders=orders,
             console=_console(soft_wrap=True), progress=_progress())


@cli.command()
@_config_options
@click.option("--customer", "customers", multiple=True, metavar="NAME",
              help="Only this customer's rows: canonical name or profile code, "
                   "case-insensitive (repeatable).")
@click.option("--file", "file_glob", metavar="GLOB",
              help="Only files whose name matches this pattern, e.g. 'GRE_*'.")
@click.option("--reason", metavar="TEXT", help="Only reasons containing TEXT (any case).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rows to this CSV file (to send back to the customer).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON on stdout.")
@_handles_errors
def rejects(config_path: Path, env: str | None, customers: tuple[str, ...],
            file_glob: str | None, reason: str | None, csv_path: Path | None,
            as_json: bool) -> None:
    """Every rejected row still standing: file, sheet, row, column, value, reason.

    Grouped by file and reason.  A re-read file replaces its own rejects, so this
    is what the current files hold.  Reads the database only (--csv writes a file).

    \b
    Example:
      ordersync rejects --customer "GREYSTONE APPAREL" --csv greystone-rejects.csv
    """
    from ordersync.db import open_database
    from ordersync.listings.rejects import list_rejects, rejects_json, write_rejects_csv
    from ordersync.listings.render import print_rejects

    config = _load(config_path, env)
    db = open_database(config)
    rows = list_rejects(config, db, customers=customers, file_glob=file_glob, reason=reason)
    if as_json:
        _print_json(rejects_json(rows))
    elif csv_path is None:
        _say_if_no_tables(db)
        print_rejects(_listing_console(), rows)
    if csv_path is not None:
        written = write_rejects_csv(rows, csv_path)
        err.print(f"wrote {written:,} rejected cell(s) to {render.literal(csv_path)}",
                  highlight=False, soft_wrap=True)


@cli.command()
@_config_options
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON on stdout.")
@_handles_errors
def failures(config_path: Path, env: str | None, as_json: bool) -> None:
    """Every FAILED or in-doubt order and line, with monday.com's reason, and what to run.

    \b
    Example:
      ordersync failures && ordersync sync --retry-failed
    """
    from ordersync.db import open_database
    from ordersync.listings.failures import failures_json, list_failures
    from ordersync.listings.render import print_failures

    config = _load(config_path, env)
    db = open_database(config)
    records = list_failures(db)
    if as_json:
        _print_json(failures_json(records, _config_arg(config_path)))
    else:
        _say_if_no_tables(db)
        print_failures(_listing_console(), records, _config_arg(config_path))


@cli.command()
@_config_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              metavar="N", help="The N newest runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON on stdout.")
@_handles_errors
def runs(config_path: Path, env: str | None, limit: int, as_json: bool) -> None:
    """Past ingest and sync runs, newest first: duration, outcome, counts, requests.

    \b
    Example:
      ordersync runs --limit 5
    """
    from ordersync.db import open_database
    from ordersync.listings.render import print_runs
    from ordersync.listings.runs import list_runs

    config = _load(config_path, env)
    db = open_database(config)
    found = list_runs(db, limit=limit)
    if as_json:
        _print_json([r.to_json() for r in found])
    else:
        _say_if_no_tables(db)
        print_runs(_listing_console(), found)


@cli.command()
@_config_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("report.html"), show_default=True, help="The page to write.")
@_handles_errors
def report(config_path: Path, env: str | None, out: Path) -> None:
    """Write one self-contained HTML page: customers, board, sync history, failures, rejects.

    Works offline (styles, script and charts inline).  Prints the page's path on stdout.

    \b
    Example:
      ordersync report --out report.html   # prints the page's path; open it in a browser
    """
    from ordersync.db import open_database
    from ordersync.report import write_report

    config = _load(config_path, env)
    db = open_database(config)
    page = write_report(config, db, out)
    _say_if_no_tables(db)
    click.echo(str(page))


def main() -> None:
    # polars allocates through its own jemalloc, which by default gives each thread's work
    # its own arenas: with a batch prepared while the last is written, memory one arena
    # freed was not reused by another, and a 500,000-order ingest peaked at twice the memory
    # (1.6 GiB against 0.77 with one arena, at the same speed).  Read once, when polars is
    # first imported (never before this point); a value the user set wins.
    os.environ.setdefault("_RJEM_MALLOC_CONF", "narenas:1")
    try:
        cli(prog_name="ordersync")
    finally:
        # At exit the interpreter's collector walks every object of every imported library
        # (polars, SQLAlchemy, pydantic…) while it tears the modules down: 0.13 s after a
        # run, 0.03 s after `status`.  Frozen, they are freed by reference counting alone;
        # every connection and file is closed by then.
        gc.freeze()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep the boards in this JSON file (loaded at start, saved on each write).")
@click.option("--plan", type=click.Choice(["standard", "pro", "enterprise"]),
              default="standard", show_default=True, help="The monday plan whose limits apply.")
@click.option("--faults", metavar="SPEC",
              help='Inject faults, e.g. "ok,500,timeout_after_apply" or "500:0.1,seed=7"; '
                   'may also set replay_errors=no (a response with errors is not kept for '
                   'Idempotency-Key replay), key_reuse=replay (a key reused with another '
                   'body replays instead of HTTP 422), idempotency=ignore (every request '
                   'executes, whatever its Idempotency-Key) and column_ids=new '
                   '(duplicate_board gives new column ids).')
@click.option("--create-board", is_flag=True,
              help="Create an order board and print its ids as a [monday] TOML snippet.")
@click.option("--no-serve", is_flag=True,
              help="Exit after --create-board instead of serving.")
@_handles_errors
def sandbox(host: str, port: int, state: Path | None, plan: str, faults: str | None,
            create_board: bool, no_serve: bool) -> None:
    """Serve a local monday.com-compatible API at http://HOST:PORT/v2.

    Any non-empty Authorization token is accepted.  --create-board prints the
    snippet on stdout before serving; with --no-serve it exits after that (the
    snippet appends to a config from `ordersync init` as valid TOML).  A port
    already in use is an error (exit 1).

    Every document of monday's published 2026-07 schema is validated and
    answered.  Modelled (real data): boards (ids/page/limit/state/workspace
    filters), columns, groups, items_page and next_items_page with cursors
    and query_params, items (ids/page/limit/exclude_nonactive),
    items_page_by_column_values, me/users/workspaces/folders/account,
    complexity, version(s); mutations create_board, duplicate_board,
    create_column, change_column_title, delete_column, create_group,
    update_group, archive_group, delete_group, create_item, create_subitem,
    change_column_value, change_simple_column_value,
    change_multiple_column_values, duplicate_item, move_item_to_group,
    move_item_to_board, archive_item, delete_item.  Column types: text,
    long_text, numbers, date, status, dropdown; name (renames the item);
    subtasks read-only.
    Other fields answer with their documented shape (null, [], the account's
    fixed user, workspace and folder); other mutations fail with
    NOT_SUPPORTED_BY_SANDBOX.  Limits: the plan's complexity, minute, daily
    and concurrency limits, 10,000 items per board and per subitems board,
    40 create_board and 40 duplicate_board a minute.

    \b
    Example:
      ordersync sandbox --state sandbox.json --create-board --no-serve >> ordersync.toml
      ordersync sandbox --state sandbox.json --faults "ok,500,timeout_after_apply"
    """
    from ordersync.sandbox.server import (
        SandboxOptions,
        build_sandbox,
        check_port,
        config_snippet,
        serve,
    )

    if not no_serve:
        check_port(host, port)  # before anything is printed or created
    box = build_sandbox(SandboxOptions(host, port, state, plan, faults))
    if create_board:
        click.echo(config_snippet(box.create_order_board(), f"http://{host}:{port}/v2"))
    if no_serve:
        return
    err.print(f"sandbox listening on http://{render.literal(host)}:{port}/v2 "
              f"(plan {render.literal(plan)}); Ctrl-C stops it")
    serve(box, host, port)
