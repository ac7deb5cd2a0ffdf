"""Shared fixtures: a fresh database on each engine, a config factory, a workbook factory.

Every test that takes ``engine`` (or a fixture built on it) runs on SQLite, and
on PostgreSQL too when ``ORDERSYNC_TEST_PG_URL`` is set (``.ci/run`` sets it);
each PostgreSQL test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import tomli_w
import xlsxwriter
from rich.console import Console

from ordersync.config import Config, config_from_dict
from ordersync.db import Database, open_database

PG_URL = os.environ.get("ORDERSYNC_TEST_PG_URL")
# The client-library tests run in virtualenvs of their own (`make test-clients`).
collect_ignore = ["clients"]

# The object-storage fixtures (Azurite, moto's S3) live beside their tests in
# tests/sources/stores.py; a second conftest.py there would shadow this one's name.
sys.path.insert(0, str(Path(__file__).resolve().parent / "sources"))
pytest_plugins = ["stores"]
SHARED = Path(__file__).resolve().parents[2] / "shared"

ENGINES = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not PG_URL, reason="PostgreSQL tests need ORDERSYNC_TEST_PG_URL")),
]

BASE_HEADERS = ["AAG ORDER NUMBER", "PLANNED DELIVERY METHOD", "CUSTOMER STYLE", "CUSTOMER",
                "CUSTOMER SEASON", "AAG SEASON", "ORDER TYPE", "ETA", "FOB PRICE",
                "UNIT OF MEASURE"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_settings(engine: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The [database] table for a fresh, empty database on ``engine``."""
    if engine == "sqlite":
        yield {"url": f"sqlite:///{tmp_path / 'test.db'}"}
        return
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield {"url": PG_URL, "schema": schema}
    cleanup = sa.create_engine(Database(PG_URL).engine.url)
    with cleanup.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    cleanup.dispose()


PG_ROLE_PREFIX = "fops_"
"""PostgreSQL roles the tests create (``pg_role``) start so: dropped afterwards, and easy to
find should a test be killed before it drops its own."""


@pytest.fixture
def pg_role() -> Iterator[Callable[..., str]]:
    """A factory of PostgreSQL login roles: ``pg_role(*grants)`` creates a role, runs each
    grant statement (``{role}`` stands for its quoted name) and returns the URL ordersync
    connects as it with.  Everything the roles own is dropped afterwards, the roles too."""
    if not PG_URL:
        pytest.skip("needs ORDERSYNC_TEST_PG_URL")
    from ordersync.db.url import parse_url

    admin = sa.create_engine(Database(PG_URL).engine.url)
    made: list[str] = []

    def factory(*grants: str) -> str:
        role = f"{PG_ROLE_PREFIX}{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
            made.append(role)
            for grant in grants:
                conn.exec_driver_sql(grant.format(role=f'"{role}"'))
        return replace(parse_url(PG_URL), username=role, password=None).render(
            hide_password=False)

    yield factory
    with admin.begin() as conn:
        for role in made:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}" CASCADE')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
    admin.dispose()


ConfigFactory = Callable[..., Config]


@pytest.fixture
def make_config(tmp_path: Path, db_settings: dict[str, Any]) -> ConfigFactory:
    """Build a Config rooted at tmp_path; keyword tables overlay the test defaults."""
    (tmp_path / "orders").mkdir(exist_ok=True)

    def factory(**sections: Any) -> Config:
        data: dict[str, Any] = {
            "database": dict(db_settings),
            "sources": {"directory": "orders", "profiles": {
                "GRE": {"customer": "GREYSTONE", "glob": ["GRE*.xlsx", "GRE*.csv", "GRE*.xls",
                                                          "GRE*.xlsm"]},
                # A second known customer: GRE's files may name it on some rows.
                "BLU": {"customer": "BLUEWAVE", "glob": ["BLU*.xlsx"]}}},
            "columns": {"dates": ["ETA"], "decimals": ["FOB PRICE"],
                        "aliases": {"PO #": "PO NUMBER"}},
        }
        for name, value in sections.items():
            if isinstance(value, dict) and isinstance(data.get(name), dict):
                data[name] = {**data[name], **value}
            else:
                data[name] = value
        return config_from_dict(data, base_dir=tmp_path)

    return factory


@pytest.fixture
def config(make_config: ConfigFactory) -> Config:
    return make_config()


@pytest.fixture
def db(config: Config) -> Iterator[Database]:
    database = open_database(config)
    yield database
    database.dispose()


def order_row(number: int, sizes: dict[str, int | str | None] | None = None, *,
              method: str = "SEA", style: str | None = None, order_type: str = "BULK",
              **extra: Any) -> dict[str, Any]:
    """One order as a header → value mapping, with sensible defaults."""
    row: dict[str, Any] = {
        "AAG ORDER NUMBER": f"GRE-{number:05d}", "PLANNED DELIVERY METHOD": method,
        "CUSTOMER STYLE": style or f"GR-{number}-TEE", "CUSTOMER": "GREYSTONE",
        "CUSTOMER SEASON": "FALL 2025", "AAG SEASON": "AW25", "ORDER TYPE": order_type,
        "ETA": "2025-03-05", "FOB PRICE": 4.5, "UNIT OF MEASURE": "PCS",
    }
    row.update(sizes if sizes is not None else {"S": 10, "M": 20})
    row.update(extra)
    return row


def layout(rows: Sequence[dict[str, Any]], sizes: Sequence[str] | None = None) -> list[str]:
    """Headers: the base columns, the sizes found in rows (in order), then TOTAL QTY."""
    found: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in BASE_HEADERS and key != "TOTAL QTY":
                found.setdefault(key, None)
    return [*BASE_HEADERS, *(sizes or list(found)), "TOTAL QTY"]


WorkbookFactory = Callable[..., Path]


@pytest.fixture
def write_workbook(tmp_path: Path) -> WorkbookFactory:
    """Write rows (header → value dicts) as .xlsx or .csv under tmp_path/orders."""

    def factory(name: str, rows: Sequence[dict[str, Any]], *, headers: Sequence[str] | None
                = None, title_rows: Sequence[Sequence[Any]] = (), sheet: str = "Sheet1",
                other_sheets: Sequence[str] = (), raw_rows: Sequence[Sequence[Any]] = ()
                ) -> Path:
        path = tmp_path / "orders" / name
        path.parent.mkdir(exist_ok=True)
        header = list(headers or layout(rows))
        body = [[_total(row) if h == "TOTAL QTY" and h not in row and row else row.get(h)
                 for h in header] for row in rows]
        body += [list(r) for r in raw_rows]
        if path.suffix == ".csv":
            with path.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                for r in [*title_rows, header, *body]:
                    writer.writerow(["" if v is None else v for v in r])
            return path
        workbook = xlsxwriter.Workbook(str(path))
        for other in other_sheets:
            workbook.add_worksheet(other).write(0, 0, "notes")
        sheet_obj = workbook.add_worksheet(sheet)
        for r, values in enumerate([*title_rows, header, *body]):
            for c, value in enumerate(values):
                if value is not None:
                    sheet_obj.write(r, c, value)
        workbook.close()
        return path

    return factory


def write_xls(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """An old-format (.xls) workbook of ``rows`` at ``path``, whatever its suffix (the size
    columns end before TOTAL QTY, left blank)."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Orders")
    headers = [*rows[0], "TOTAL QTY"]
    for c, header in enumerate(headers):
        sheet.write(0, c, header)
    for r, row in enumerate(rows, start=1):
        for c, header in enumerate(headers[:-1]):
            if row.get(header) is not None:
                sheet.write(r, c, row[header])
    book.save(str(path))
    return path


def _total(row: dict[str, Any]) -> int:
    return sum(v for k, v in row.items() if k not in BASE_HEADERS and isinstance(v, int))


def write_config(config: Config, directory: Path) -> Path:
    """Write ``config`` as ``DIRECTORY/ordersync.toml`` (for tests that drive the CLI)."""
    data: dict[str, Any] = config.model_dump(mode="json", by_alias=True, exclude={"base_dir"},
                                             exclude_none=True)
    path = directory / "ordersync.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def fetch(db: Database, query: str, **params: Any) -> list[Any]:
    with db.begin() as conn:
        return list(conn.execute(sa.text(query), params).all())


def size_labels() -> list[str]:
    """The 245 real size labels from ../shared, or skip."""
    path = SHARED / "data" / "size_columns.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real size labels live in ../shared")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def printed(draw: Callable[[Console], None]) -> str:
    """What ``draw`` prints on a plain 200-column console."""
    console = Console(file=io.StringIO(), width=200, color_system=None, highlight=False)
    draw(console)
    output = console.file.getvalue()
    assert isinstance(output, str)
    return output


def execute(db: Database, statement: str, **params: Any) -> None:
    """Run one statement in its own transaction (tests use it to play the sync engine)."""
    with db.begin() as conn:
        conn.execute(sa.text(statement), params)


def free_port() -> int:
    """A local TCP port nothing listens on now (for a server process a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_free(port: int) -> bool:
    """Whether the sandbox could bind ``port`` (it sets SO_REUSEADDR, so do we)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
