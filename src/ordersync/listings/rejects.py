"""Every rejected row still standing, filtered by customer, file and reason; CSV export.

A row is rejected once per refused cell (``12 pcs`` in a size, ``31/02/2025`` in
a date), once per missing key part, or as the loser of a duplicate key; a re-read
file replaces its own rejects, so what is listed is what the current files hold.
"""

from __future__ import annotations

import csv
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ordersync.config import Config
from ordersync.customers import canonical_customer, resolve_customers
from ordersync.db import Database
from ordersync.sync.columns import identity_text

CSV_COLUMNS = ("file", "sheet", "row", "column", "raw_value", "reason", "customer",
               "business_key")


@dataclass(frozen=True)
class RejectedRow:
    """One refused cell (or key, or duplicate) of one row."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    raw_value: str | None
    reason: str
    customer: str | None
    business_key: str | None
    profile: str | None = None

    @property
    def reason_kind(self) -> str:
        """The reason without its particulars: ``duplicate key: row 9 … kept`` → ``duplicate
        key``, ``not a date (expected …)`` → ``not a date``; what rejects are grouped by."""
        return self.reason.split(":")[0].split(" (")[0].strip()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def list_rejects(config: Config, db: Database, *, customers: Iterable[str] = (),
                 file_glob: str | None = None, reason: str | None = None
                 ) -> list[RejectedRow]:
    """The rejected rows, by file and reason.

    ``customers``: canonical names or profile codes, case-insensitive (an unknown
    one is an error listing the known ones); ``file_glob``: shell pattern on the
    file's path as listed (``GRE_*``); ``reason``: text the reason contains,
    case-insensitive.
    """
    wanted = {c.upper() for c in resolve_customers(config, db, customers)}
    canonical = canonical_customer(config)
    codes = {code.upper() for code, p in config.sources.profiles.items()
             if (canonical(p.customer) or "").upper() in wanted}
    if not db.has_table("rejected_rows"):
        return []
    with db.begin() as conn:
        rows = conn.execute(sa.text(db.sql("rejects_list"))).all()
    found = []
    for r in rows:
        item = RejectedRow(r.file, r.sheet, r.row, r.column, r.raw_value, r.reason,
                           canonical(r.customer),
                           identity_text(r.business_key) if r.business_key else None,
                           r.profile)
        if wanted and (item.customer or "").upper() not in wanted \
                and (item.profile or "").upper() not in codes:
            continue
        if file_glob and not fnmatch.fnmatch(item.file.lower(), file_glob.lower()) \
                and not fnmatch.fnmatch(Path(item.file).name.lower(), file_glob.lower()):
            continue
        if reason and reason.lower() not in item.reason.lower():
            continue
        found.append(item)
    return found


def write_rejects_csv(rows: Sequence[RejectedRow], path: Path) -> int:
    """The rows as a CSV a customer service person can send back to the customer (UTF-8
    with a byte-order mark, so Excel opens accents as they are); returns rows written."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow([_inert(getattr(row, c)) for c in CSV_COLUMNS])
    return len(rows)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?")


def _inert(value: object) -> object:
    """A cell Excel will not run as a formula: text starting like one (``=HYPERLINK(…)``,
    ``+cmd|…``, ``@SUM(…)``, from a customer's file or its name) is written with a leading
    apostrophe, as OWASP advises for CSV files; plain numbers (``-5``) stay as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def rejects_json(rows: Sequence[RejectedRow]) -> dict[str, Any]:
    return {"rejected_rows": len({(r.file, r.sheet, r.row) for r in rows}),
            "rejections": len(rows), "rows": [r.to_json() for r in rows]}
