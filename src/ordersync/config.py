"""The whole ``ordersync.toml`` schema, its loading and its validation.

Loaded with :mod:`tomllib`; an ``[env.NAME]`` table is deep-merged over the base
when ``--env NAME`` is given.  Every problem is reported at once, each with its
key path, the value found and what is expected.  Secrets never come from the
file: ``ORDERSYNC_DATABASE_URL`` overrides the database URL, and a password
written into the file's URL is refused.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ordersync.db.url import parse_url
from ordersync.errors import ConfigError
from ordersync.names import NameTemplate, name_map_problems, normalize_header, parse_template
from ordersync.sources.location import mask, secret_in

DATABASE_URL_ENV = "ORDERSYNC_DATABASE_URL"
DEFAULT_CONFIG_NAME = "ordersync.toml"
DAILY_CALLS: dict[str, int] = {"free": 1_000, "basic": 1_000, "standard": 1_000,
                               "pro": 10_000, "enterprise": 25_000}
"""monday's daily call cap per plan (API_NOTES §2.2; free accounts may see 200)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Header = Annotated[str, AfterValidator(normalize_header)]
"""A column name, in the normal form headers are compared in."""
HeaderMap = Annotated[
    dict[str, str],
    AfterValidator(lambda m: {normalize_header(k): normalize_header(v) for k, v in m.items()}),
]
"""Header variant → canonical header, both in normal form."""


class TablesConfig(_Model):
    """Names of the tables ordersync owns (change them to share a schema with other tools)."""

    ingest_files: str = "ingest_files"
    """One row per source file seen: content hash, counts, status, error."""
    staging_orders: str = "staging_orders"
    """Rows read from files and not yet merged, columns as in the files after alias mapping."""
    staging_lines: str = "staging_lines"
    """The staged rows' size quantities, one row per row × size with qty > 0."""
    rejected_rows: str = "rejected_rows"
    """Every row that was read but not staged, with file, sheet, row, column, value, reason."""
    orders: str = "orders"
    """The canonical order list: descriptive columns, one column per size, TOTAL QTY, sync state."""
    order_lines: str = "order_lines"
    """One row per order × size: the quantity the board should show, and its sync state."""
    merge_changes: str = "merge_changes"
    """Work table: the orders the last merge created or changed (read by the lines stage)."""
    order_columns: str = "order_columns"
    """Registry of business columns: label, SQL column name, kind (size or descriptive), type."""
    monday_groups: str = "monday_groups"
    """The group registry: (board id, group name) → monday group id."""
    monday_boards: str = "monday_boards"
    """The board registry: (route value, part) → board id, subitems board id, created or adopted."""
    sync_runs: str = "sync_runs"
    """One row per sync run: when, board, counts, outcome."""
    sync_events: str = "sync_events"
    """One row per record per attempt: operation, outcome, error code and message, request id."""
    verify_runs: str = "verify_runs"
    """One row per ``ordersync verify`` pass: the board, reads, and differences per kind."""
    ingest_runs: str = "ingest_runs"
    """One row per ingest (and the merge after it): when, files and rows, orders and lines."""


class DatabaseConfig(_Model):
    """Where the data lives."""

    url: str = "sqlite:///ordersync.db"
    """SQLAlchemy-style URL. SQLite paths are relative to the config file. For PostgreSQL use
    postgresql://user@host:5432/db and put the password in PGPASSWORD or ORDERSYNC_DATABASE_URL."""
    schema_name: str | None = Field(default=None, alias="schema")
    """PostgreSQL schema to use (created if missing); empty means the server's default."""
    tables: TablesConfig = TablesConfig()
    """Table names."""

    @field_validator("url")
    @classmethod
    def _no_password(cls, url: str) -> str:
        try:
            parsed = parse_url(url)
        except ValueError as exc:
            raise ValueError(f"not a database URL ({exc})") from exc
        if parsed.password or parsed.query_password:
            raise ValueError(
                "the URL holds a password; secrets never go in the config file: "
                f"set PGPASSWORD or {DATABASE_URL_ENV} in the environment instead"
            )
        if parsed.backend not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
        if parsed.backend == "sqlite" and parsed.database in (None, "", ":memory:"):
            raise ValueError("an in-memory SQLite database holds nothing past the command, "
                             "and the bulk loads cannot see it: name a file, e.g. "
                             "sqlite:///ordersync.db")
        return url


class ProfileConfig(_Model):
    """How to read one customer's files."""

    customer: str
    """Canonical customer name of every row of this profile's files, unless the row's customer
    cell holds a spelling that [customers] maps to another customer."""
    glob: list[str]
    """File pattern(s) relative to the directory, e.g. "GRE_*.xlsx" or "**/GRE_*.xlsx"."""
    directory: str | None = None
    """This customer's own folder or URL (as sources.directory); default sources.directory."""
    sheet: str | None = None
    """Sheet to read; default the first sheet."""
    header_row: int | None = Field(default=None, ge=1)
    """1-based header row; default: detected (the first row naming every key column)."""
    aliases: HeaderMap = {}
    """Header spelling used by this customer → canonical header, on top of columns.aliases."""
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    """CSV files: the field separator; default: sniffed from the header line."""
    encoding: Literal["utf-8", "utf-8-sig", "cp1252", "latin-1"] | None = None
    """CSV files: the text encoding; default: UTF-8 (with or without BOM), else Windows-1252."""
    date_formats: list[str] | None = None
    """Dates written as text in this customer's files (e.g. ["%m/%d/%Y"] for a US customer,
    whose 3/5/2025 is March 5); default: columns.date_formats."""

    @field_validator("glob", mode="before")
    @classmethod
    def _glob_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("date_formats")
    @classmethod
    def _date_formats(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _checked_date_formats(value)

    @field_validator("directory")
    @classmethod
    def _directory_without_secret(cls, value: str | None) -> str | None:
        return None if value is None else _no_secret(value)


def _no_secret(directory: str) -> str:
    reason = secret_in(directory)
    if reason:
        raise ValueError(f"{reason}; credentials never go in the config file: set them in the "
                         "environment (AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_SAS_TOKEN, "
                         "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY…) and keep the URL bare, "
                         "e.g. az://orders/customers")
    return directory


class SourcesConfig(_Model):
    """Where the workbooks are and how each customer's files look."""

    directory: str = "orders"
    """Folder holding the workbooks, relative to the config file, or a URL: az://container/prefix
    (Azure Blob / ADLS Gen2), s3://bucket/prefix, file:///path.  Credentials come from the
    environment only (see the README)."""
    header_search_rows: int = Field(default=30, ge=1, le=1000)
    """How many rows from the top of a sheet to search for the header row."""
    threads: int = Field(default=2, ge=1, le=64)
    """Files read in parallel (the Excel reader releases the GIL)."""
    batch_mb: int = Field(default=6, ge=1, le=4096)
    """Files are prepared and loaded in batches of about this many MB of workbook (CSV counts
    a quarter), at least ``threads`` files each: bigger batches are a little faster, smaller
    ones use less memory."""
    retries: int = Field(default=5, ge=1, le=20)
    """Object storage: attempts of one request on a transient error (timeouts, 5xx,
    throttling), with exponential back-off."""
    timeout: float = Field(default=60.0, gt=0, le=3600)
    """Object storage: seconds to wait to connect or for a response."""
    connections: int = Field(default=8, ge=1, le=64)
    """Object storage: objects downloaded in parallel (within batch_mb)."""
    profiles: dict[str, ProfileConfig] = {}
    """One table per customer: [sources.profiles.GRE]."""
    missing_files: Literal["keep", "remove"] = "keep"
    """A file read before and now gone from the folder is always reported (status missing);
    "remove" also flags its orders REMOVED, "keep" leaves them as they are."""

    @field_validator("directory")
    @classmethod
    def _directory_without_secret(cls, value: str) -> str:
        return _no_secret(value)


class ColumnsConfig(_Model):
    """How headers are mapped and how values are typed."""

    aliases: HeaderMap = {}
    """Header variant → canonical header, for every customer (e.g. "PO #" = "PO NUMBER")."""
    dates: list[Header] = []
    """Columns holding dates (Excel date cells, Excel serial numbers or text in date_formats)."""
    decimals: list[Header] = []
    """Columns holding decimal numbers (prices, weights)."""
    integers: list[Header] = []
    """Columns holding whole numbers (size columns and the total column are always integers)."""
    text: list[Header] = []
    """Columns kept as text even though their header contains DATE (which makes a column a
    date column unless it is listed here or in decimals / integers)."""
    date_formats: list[str] = ["%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%d %b %Y", "%d.%m.%Y"]
    """strptime formats tried in order for dates written as text (day first, as customers do)."""
    null_values: list[str] = ["nan", "none", "null", "n/a", "tbc", "tba", "-"]
    """Cell texts meaning "no value" (compared case-insensitively; empty cells are always null).
    Excel's error texts (#N/A, #DIV/0! …) cannot be listed: an error rejects its row."""
    customer: Header = "CUSTOMER"
    """The column holding the customer name."""
    customer_names: dict[str, str] = {}
    """Spelling found in the customer column → canonical customer name (the same as listing
    the spelling under [customers]; kept for older configs)."""

    @model_validator(mode="after")
    def _one_type_per_column(self) -> ColumnsConfig:
        lists = {"dates": set(self.dates), "decimals": set(self.decimals),
                 "integers": set(self.integers), "text": set(self.text)}
        names = list(lists)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                both = lists[a] & lists[b]
                if both:
                    raise ValueError(f"columns.{a} and columns.{b} both list {sorted(both)}: "
                                     "a column has one type")
        return self

    @field_validator("date_formats")
    @classmethod
    def _date_formats(cls, value: list[str]) -> list[str]:
        return _checked_date_formats(value)

    @field_validator("null_values")
    @classmethod
    def _no_error_texts(cls, value: list[str]) -> list[str]:
        errors = [v for v in value if v.strip().startswith("#")]
        if errors:
            raise ValueError(f"{', '.join(errors)}: an Excel error is not a null value (a row "
                             "holding one is rejected with the error); remove it from the list")
        return value

    @field_validator("customer_names")
    @classmethod
    def _normalise_names(cls, value: dict[str, str]) -> dict[str, str]:
        return {normalize_header(k): v.strip() for k, v in value.items()}


class SizesConfig(_Model):
    """How size columns are found."""

    start_after: Header = "UNIT OF MEASURE"
    """Size columns start right after this column…"""
    end_before: Header = "TOTAL QTY"
    """…and end right before this one."""
    labels: list[Header] = []
    """Known size labels, used for files that lack the two marker columns."""
    total_column: Header = "TOTAL QTY"
    """The order's total quantity column (kept as in the file)."""


class CancelRule(_Model):
    """When an order counts as cancelled."""

    column: Header = "ORDER TYPE"
    """Column to look at."""
    values: list[str] = ["CANCELLED", "CANCELED"]
    """Values (case-insensitive) that mean cancelled."""


class MergeConfig(_Model):
    """How staged rows become the canonical order list."""

    key: list[Header] = ["AAG ORDER NUMBER", "PLANNED DELIVERY METHOD", "CUSTOMER STYLE"]
    """Business key: the columns that together identify one order."""
    hash_columns: list[Header] = []
    """Columns whose change makes an order CHANGED; empty means every business column."""
    duplicates: Literal["last", "first"] = "last"
    """Which row wins when one load holds a key twice, ordered by (file path, sheet, row):
    "last" keeps the latest row (later rows are corrections); the others are rejected."""
    cancel: CancelRule = CancelRule()
    """The cancellation rule."""
    total_check: Literal["reject", "warn", "off"] = "warn"
    """sizes.total_column against the sum of the row's sizes: "reject" rejects a row whose
    total disagrees, "warn" stages it and reports it per order, "off" does not look."""

    @field_validator("key")
    @classmethod
    def _key_not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("the business key needs at least one column")
        if len(set(value)) != len(value):
            raise ValueError("the business key names a column twice")
        return value


class NamesConfig(_Model):
    """Board names built from columns: {COLUMN}, with {A|B} falling back to B when A is blank."""

    group: str = "{CUSTOMER} {CUSTOMER SEASON|AAG SEASON}"
    """Group (one per customer and season)."""
    item: str = "{AAG ORDER NUMBER} {CUSTOMER STYLE} {PLANNED DELIVERY METHOD}"
    """Item (one per order)."""

    @field_validator("group", "item")
    @classmethod
    def _valid_template(cls, value: str) -> str:
        parse_template(value)
        return value

    @property
    def group_template(self) -> NameTemplate:
        return parse_template(self.group)

    @property
    def item_template(self) -> NameTemplate:
        return parse_template(self.item)


class MondayLimits(_Model):
    """monday.com's API limits for the account's plan: they size batches and the time estimate."""

    complexity_per_request: int = Field(default=5_000_000, ge=1)
    """Complexity one request may cost (monday: 5,000,000)."""
    complexity_per_minute: int = Field(default=10_000_000, ge=1)
    """Complexity budget per minute for the token (monday: 10,000,000; 1,000,000 on trials)."""
    requests_per_minute: int = Field(default=1_000, ge=1)
    """Requests per minute the plan allows."""
    mutation_cost: int = Field(default=30_000, ge=1)
    """Complexity monday charges per mutation, before its selection (30,000)."""
    max_mutations_per_request: int | None = Field(default=None, ge=1)
    """Upper bound on mutations in one request; empty means as many as the complexity cap allows."""
    plan: Literal["free", "basic", "standard", "pro", "enterprise"] = "standard"
    """The account's monday plan: it sets the default daily call cap (free, basic and
    standard 1,000; pro 10,000; enterprise 25,000)."""
    daily_calls: int | None = Field(default=None, ge=1)
    """Calls the account may make per day (reset at midnight UTC); empty means the plan's."""
    items_per_board: int = Field(default=10_000, ge=1)
    """Items one board holds, and subitems its subitems board holds (monday: 10,000).  The plan
    refuses a route that would pass it; `[monday.routing] overflow = "split"` opens a new board."""
    concurrency: int = Field(default=1, ge=1, le=40)
    """Requests the sync keeps in flight at once.  monday warns that concurrent mutations on
    one board can corrupt it, and the minute's complexity budget, not latency, bounds a large
    sync: keep 1 unless monday support says otherwise.  (40 is monday's lowest concurrency
    limit; another sync process on the same board is always refused.)"""

    @property
    def daily_call_limit(self) -> int:
        """``daily_calls``, or the plan's cap when it is not set."""
        return self.daily_calls if self.daily_calls is not None else DAILY_CALLS[self.plan]


ColumnTypeName = Literal["text", "long_text", "numbers", "date", "status", "dropdown"]


class BoardColumn(_Model):
    """One board column ordersync writes: its id, monday type and where its value comes from."""

    id: str = Field(min_length=1)
    """The column's id on the board (shown in monday under the column's menu → Column id)."""
    type: ColumnTypeName
    """The column's monday type; decides how values are encoded."""
    source: str = Field(min_length=1)
    """An order column (e.g. "ETA") or one of ordersync's fields: business_key, order_status,
    item_name, group_name on the order board; size, qty, line_status on the subitems board."""
    create_labels_if_missing: bool | None = None
    """Status and dropdown: let monday add a label the column lacks (the token's user must be
    allowed to change the board's structure).  Default: yes for status and dropdown.  monday
    takes this flag per mutation, so all label columns of one board must agree."""


class StatusLabels(_Model):
    """The status labels ordersync writes for an order's and a size line's state."""

    active: str = "Working on it"
    """An order that is live."""
    cancelled: str = "Cancelled"
    """An order cancelled in its file (its size lines are zeroed too)."""
    removed: str = "Removed"
    """A size line no longer in the order's file (its quantity is zeroed)."""


class RetryConfig(_Model):
    """How the sync retries server faults (5xx, 423, timeouts); rate limits are always waited out
    and are not counted."""

    max_attempts: int = Field(default=5, ge=1)
    """Sends of one request before its records are left for the next run."""
    base_delay: float = Field(default=1.0, ge=0)
    """Back-off ceiling after the first fault, in seconds; it doubles per fault (full jitter)."""
    max_delay: float = Field(default=30.0, ge=0)
    """Cap on the back-off ceiling, in seconds."""
    record_attempts: int = Field(default=3, ge=1)
    """Runs in which one record may meet a server fault before it is marked FAILED — a fault
    on its request after ``max_attempts`` tries, or on its own alias after ``max_attempts``
    sends in further rounds of the run."""


BoardId = Annotated[str, Field(pattern=r"^\d+$")]
"""A monday board (or workspace, folder) id: digits."""


class RoutingConfig(_Model):
    """Which board each order goes to (issue #10).  Without a key every order goes to
    ``monday.board_id``, as before."""

    key: str | None = None
    """A template over order columns naming an order's board, e.g. "{AAG SEASON}" or
    "{CUSTOMER} {AAG SEASON}" (the route value); empty means one board."""
    board_name: str | None = None
    """The name of the board a route value gets, e.g. "Customer Master Schedule {AAG SEASON}";
    it may read only the key's columns.  Empty means the route value itself."""
    template_board_id: BoardId | None = None
    """The board whose structure (columns, groups; no items) new boards copy with monday's
    duplicate_board; empty means monday.board_id."""
    workspace_id: BoardId | None = None
    """The workspace new boards are created in; empty means the template board's."""
    folder_id: BoardId | None = None
    """The folder new boards are put in; empty means none."""
    overflow: Literal["stop", "split"] = "stop"
    """A route whose orders pass limits.items_per_board: "stop" refuses before anything is
    sent; "split" opens "<name> (2)" (then (3), …) for that route's next orders."""
    boards: dict[str, BoardId] = {}
    """Route value → an existing board id: the route is pinned there (adopted, not created)."""

    @field_validator("key")
    @classmethod
    def _valid_key(cls, value: str | None) -> str | None:
        if value is not None:
            parse_template(value)
        return value

    @field_validator("board_name")
    @classmethod
    def _valid_board_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        template = parse_template(value)
        if "key" not in info.data:
            return value  # the key itself is wrong: reported on its own path
        key = info.data["key"]
        if key is None:
            raise ValueError("a board name template needs monday.routing.key")
        extra = [c for c in template.columns if c not in parse_template(key).columns]
        if extra:
            raise ValueError(f"reads {', '.join(extra)}, which the key does not: orders of one "
                             "route would get boards of different names; add them to "
                             "monday.routing.key or remove them here")
        return value

    @field_validator("boards")
    @classmethod
    def _valid_pins(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        if value and "key" in info.data and info.data["key"] is None:
            raise ValueError("pinned boards need monday.routing.key (which names each "
                             "order's route value)")
        seen: dict[str, str] = {}
        for route, board in value.items():
            if board in seen:
                raise ValueError(f"board {board} is pinned for both {seen[board]!r} and "
                                 f"{route!r}: a board holds one route")
            seen[board] = route
        return value

    @property
    def key_template(self) -> NameTemplate | None:
        return parse_template(self.key) if self.key is not None else None

    @property
    def name_template(self) -> NameTemplate | None:
        source = self.board_name or self.key
        return parse_template(source) if source is not None else None


class MondayConfig(_Model):
    """The monday.com board ordersync keeps true (read by the sync, issue #4).

    ``ordersync sandbox --create-board`` prints this table for a sandbox board.
    The API token is never here: it comes from MONDAY_API_TOKEN.
    """

    api_url: str = Field(default="https://api.monday.com/v2", pattern=r"^https?://\S+$")
    """GraphQL endpoint; point it at `ordersync sandbox` (http://127.0.0.1:8765/v2) to try a
    configuration without touching the real board."""
    api_version: str = Field(default="2026-07", pattern=r"^\d{4}-(01|04|07|10)$")
    """monday API version sent in the API-Version header."""
    board_id: str | None = Field(default=None, pattern=r"^\d+$")
    """The order board (one item per order)."""
    subitems_board_id: str | None = Field(default=None, pattern=r"^\d+$")
    """Its subitems board (one subitem per size)."""
    columns: dict[str, str | BoardColumn] = {}
    """Role → column on the order board: a column id for a known role (identity, customer,
    notes, quantity, eta, status, delivery), or a table {id, type, source} for any other."""
    subitem_columns: dict[str, str | BoardColumn] = {}
    """Role → column on the subitems board: a column id for a known role (size, order_qty,
    line_status), or a table {id, type, source}."""
    status_labels: StatusLabels = StatusLabels()
    """Labels written to the status columns."""
    removed_lines: Literal["zero", "delete"] = "zero"
    """What happens to the subitem of a size that is cancelled or gone from the file: its
    quantity is set to 0 (and its status to the cancelled/removed label), or it is deleted."""
    limits: MondayLimits = MondayLimits()
    """The plan's API limits (batch sizes and the `ordersync plan` time estimate)."""
    retry: RetryConfig = RetryConfig()
    """Retries of server faults."""
    routing: RoutingConfig = RoutingConfig()
    """Orders routed to several boards (one per season, say), created from a template board."""

    @field_validator("api_url")
    @classmethod
    def _no_credentials(cls, url: str) -> str:
        netloc = url.split("://", 1)[-1].split("/", 1)[0]
        query = url.partition("?")[2].lower()
        if "@" in netloc or re.search(r"(^|&)(token|api_?key|key|password|secret)=", query):
            raise ValueError("the URL holds credentials; secrets never go in the config file: "
                             "the token comes from MONDAY_API_TOKEN")
        return url


class LoggingConfig(_Model):
    """Structured logs: one JSON object a line for every stage and every monday.com request
    (``--log-file`` on the command line wins over ``file``).  The token is never written."""

    file: Path | None = None
    """Log file, relative to the config file's folder; appended to.  Unset: no log file."""
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Lowest level written."""


class ReportConfig(_Model):
    """The HTML report page (``ordersync report``)."""

    dir: Path | None = None
    """When set, every ``ordersync run`` writes a report page into this folder (relative to
    the config file's): ``report-YYYYMMDD-HHMMSS.html``, and ``report.html`` as the latest."""


class Config(_Model):
    """A whole ordersync configuration."""

    database: DatabaseConfig = DatabaseConfig()
    sources: SourcesConfig = SourcesConfig()
    columns: ColumnsConfig = ColumnsConfig()
    sizes: SizesConfig = SizesConfig()
    merge: MergeConfig = MergeConfig()
    names: NamesConfig = NamesConfig()
    customers: dict[str, list[str]] = {}
    """Canonical customer name → the spellings files use for it.  Names are compared case-,
    space-, apostrophe- and punctuation-insensitively, so list only real variants
    ("B'HOOD" = ["B'Hood Ltd", "Brotherhood"])."""
    seasons: dict[str, list[str]] = {}
    """Canonical season → spellings, or patterns written "re:REGEX" (matched in full,
    case-insensitively): SS26 = ["SS 2026", "SPRING 2026", "re:SP ?(20)?26"].  Applied to the
    season columns of the group name (every column of names.group but columns.customer)."""
    monday: MondayConfig = MondayConfig()
    logging: LoggingConfig = LoggingConfig()
    report: ReportConfig = ReportConfig()
    base_dir: Path = Path(".")
    """Folder relative paths are resolved against (the config file's folder; set by the loader)."""

    @model_validator(mode="after")
    def _one_canonical_per_spelling(self) -> Config:
        problems = name_map_problems("customers", self.customers)
        problems += name_map_problems("seasons", self.seasons)
        column = self.columns.customer
        named = self.names.group_template.columns
        if column not in named and "CUSTOMER" in named:
            problems.append(
                f"names.group: {{CUSTOMER}} is not the customer column (columns.customer is "
                f"{column!r}), so it would name no customer: write {{{column}}} in the template")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def source_dir(self) -> Path:
        return (self.base_dir / self.sources.directory).resolve()

    @property
    def log_file(self) -> Path | None:
        return (self.base_dir / self.logging.file).resolve() if self.logging.file else None

    @property
    def report_dir(self) -> Path | None:
        return (self.base_dir / self.report.dir).resolve() if self.report.dir else None

    @property
    def database_url(self) -> str:
        """The effective URL: the environment override, else the file's, SQLite made absolute."""
        url = os.environ.get(DATABASE_URL_ENV) or self.database.url
        try:
            parsed = parse_url(url)
        except ValueError as exc:
            raise ConfigError(DATABASE_URL_ENV, [f"not a database URL ({exc})"]) from None
        if parsed.backend not in ("sqlite", "postgresql"):
            raise ConfigError(DATABASE_URL_ENV, [
                f"{parsed.scheme}: only sqlite:/// and postgresql:// URLs are supported"])
        if parsed.backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
            path = Path(parsed.database)
            if not path.is_absolute():
                parsed = parsed.with_database(str((self.base_dir / path).resolve()))
            return parsed.render(hide_password=False)
        return url


def _checked_date_formats(formats: list[str]) -> list[str]:
    """strptime formats that read a date back whole (day, month and year): "DD/MM/YYYY"
    or "%Q" would refuse every date written as text, each as "not a date".  The ingest
    reads them with polars (chrono), which also takes %-d, %e, %F, %D and %v: those are
    checked as their Python equivalents (importing polars here would slow every command)."""
    sample = datetime.date(2025, 3, 5)
    for fmt in formats:
        python = _CHRONO_FLAG.sub(r"%\1", fmt)
        for chrono, equivalent in _CHRONO_ONLY.items():
            python = python.replace(chrono, equivalent)
        try:
            good = datetime.datetime.strptime(sample.strftime(python), python).date() == sample
        except ValueError:
            good = False
        if not good:
            raise ValueError(f"{fmt!r} is not a strptime format naming day, month and year "
                             "(write e.g. \"%d/%m/%Y\" for 05/03/2025, \"%m/%d/%Y\" for "
                             "03/05/2025, \"%d-%b-%Y\" for 05-Mar-2025)")
    return formats


_CHRONO_FLAG = re.compile(r"%[-_0^#]([A-Za-z])")  # %-d: the day without padding
_CHRONO_ONLY = {"%e": "%d", "%F": "%Y-%m-%d", "%D": "%m/%d/%y", "%v": "%d-%b-%Y"}


def _deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _format_problem(error: Any) -> str:
    # Leave out the names pydantic gives the members of a union (str, BoardColumn,
    # function-after[…]): they are not keys of the file.
    path = ".".join(str(p) for p in error["loc"] if not _is_type_tag(p))
    message = error["msg"].removeprefix("Value error, ")
    if not path:  # a rule over several tables: its message names them
        return str(message)
    if error["type"] == "extra_forbidden":
        return f"{path}: unknown key (check the spelling against `ordersync init`'s example)"
    if error["type"] == "missing":
        return f"{path}: required key is missing"
    value = error.get("input")
    if error["loc"] and error["loc"][-1] in ("url", "directory", "api_url"):
        return f"{path}: {mask(message)}"  # never echo a URL: it may hold a secret
    if isinstance(value, str) and "://" in value:
        value = _redact_url(value)
    shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
    return f"{path}: {message}{shown}"


_TYPE_TAG = re.compile(r"^(str|int|float|bool|list|dict|[\w-]+\[.*\])$")
"""Names pydantic gives the members of a union, besides the config's own model classes
(:func:`_is_type_tag`); a key of the file (a profile named GreyStone) is never one."""


def _is_type_tag(part: object) -> bool:
    return isinstance(part, str) and (bool(_TYPE_TAG.match(part)) or part in _model_names())


@functools.cache
def _model_names() -> frozenset[str]:
    names: set[str] = set()
    todo: list[type] = [_Model]
    while todo:
        sub: type
        for sub in todo.pop().__subclasses__():
            names.add(sub.__name__)
            todo.append(sub)
    return frozenset(names)


def _redact_url(url: str) -> str:
    try:
        return parse_url(url).render(hide_password=True)
    except ValueError:
        return "<hidden>"


def config_from_dict(data: dict[str, Any], *, env: str | None = None, source: str = "<config>",
                     base_dir: Path | None = None) -> Config:
    """Validate a parsed TOML document, overlaying ``[env.NAME]`` when ``env`` is given."""
    data = dict(data)
    environments = data.pop("env", {})
    if not isinstance(environments, dict) or any(
            not isinstance(table, dict) for table in environments.values()):
        raise ConfigError(source, ["env: must hold one table per environment, e.g. "
                                   "[env.prod] with the keys it changes"])
    if base_dir is not None:
        data["base_dir"] = base_dir
    # Every environment's overlay is checked, used or not: a typo in [env.prod] shows now,
    # not on the day a command runs with --env prod.
    overlaid = {name: _problems(_deep_merge(data, table))
                for name, table in sorted(environments.items()) if name != env}
    # A mistake of the file's own tables is said once, not again under every environment.
    own = set(_problems(data)) if any(overlaid.values()) or env is not None else set()
    problems = [_in_env(name, problem) for name, found in overlaid.items()
                for problem in found if problem not in own]
    if env is not None:
        if env not in environments:
            known = ", ".join(sorted(environments)) or "none defined"
            raise ConfigError(source, [f"env.{env}: no such environment (known: {known})"])
        data = _deep_merge(data, environments[env])
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        # What the overlay brought is named where it is written: env.prod.database.urll.
        found = [_format_problem(e) for e in exc.errors()]
        raise ConfigError(source, [p if env is None or p in own else _in_env(env, p)
                                   for p in found] + problems) from None
    if problems:
        raise ConfigError(source, problems)
    return config


def _in_env(name: str, problem: str) -> str:
    """A problem of the ``[env.NAME]`` overlay, under its key path in the file (a rule over
    several tables names them first too: ``customers: 'X' is listed under both …``)."""
    return f"env.{name}.{problem}"


def _problems(data: dict[str, Any]) -> list[str]:
    try:
        Config.model_validate(data)
    except ValidationError as exc:
        return [_format_problem(e) for e in exc.errors()]
    return []


def load_config(path: Path | str | None = None, *, env: str | None = None) -> Config:
    """Load and validate ``path`` (default ``./ordersync.toml``)."""
    config_path = Path(path) if path is not None else Path(DEFAULT_CONFIG_NAME)
    if config_path.is_dir():
        raise ConfigError(str(config_path), [
            f"is a directory: pass the config file, e.g. --config "
            f"{config_path / DEFAULT_CONFIG_NAME}"])
    if not config_path.is_file():
        raise ConfigError(str(config_path), [
            "file not found: create one with `ordersync init DIR` or pass --config PATH"])
    try:
        # utf-8-sig: a file saved "UTF-8 with BOM" (Notepad, many Windows editors) reads
        # as the same TOML; tomllib took the mark for a statement at line 1, column 1.
        data = tomllib.loads(config_path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(str(config_path), [f"not valid TOML: {exc}"]) from None
    except OSError as exc:
        raise ConfigError(str(config_path), [f"cannot be read: {exc.strerror}"]) from None
    return config_from_dict(data, env=env, source=str(config_path),
                            base_dir=config_path.resolve().parent)


def example_config_text() -> str:
    """The shipped, commented example configuration."""
    return resources.files("ordersync").joinpath("example.toml").read_text(encoding="utf-8")
