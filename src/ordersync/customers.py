"""Which customers exist, and what a ``--customer`` name means.

A customer is named by its canonical name — a profile's ``customer``, or a value
of the orders' customer column (after ``columns.customer_names``) — or by its
profile code; names are compared trimmed and case-insensitively.  A name that
matches nothing is an error listing the known customers, never an empty run.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ordersync.config import Config
from ordersync.db import Database
from ordersync.db.schema import column_name
from ordersync.errors import UnknownCustomerError


def _key(name: str) -> str:
    return " ".join(name.split()).upper()


def known_customers(config: Config, db: Database) -> dict[str, str]:
    """Every name a customer answers to (upper-cased) → its canonical name."""
    known: dict[str, str] = {}
    for code, profile in config.sources.profiles.items():
        known.setdefault(_key(profile.customer), profile.customer)
        known.setdefault(_key(code), profile.customer)
    if db.has_table("orders") and db.has_table("order_columns"):
        with db.begin() as conn:
            column = column_name(db, conn, config.columns.customer)
            if column is not None:
                values = conn.execute(sa.text(
                    f"SELECT DISTINCT {db.quote(column)} FROM {db.table('orders')} "
                    f"WHERE {db.quote(column)} IS NOT NULL")).scalars()
                for value in values:
                    known.setdefault(_key(str(value)), str(value))
    return known


def resolve_customers(config: Config, db: Database, names: Iterable[str]) -> tuple[str, ...]:
    """The canonical names for ``names``; :class:`UnknownCustomerError` if any matches none."""
    wanted = [n for n in names if n.strip()]
    if not wanted:
        return ()
    known = known_customers(config, db)
    unknown = [n for n in wanted if _key(n) not in known]
    if unknown:
        raise UnknownCustomerError(unknown, sorted(set(known.values()), key=str.upper))
    return tuple(dict.fromkeys(known[_key(n)] for n in wanted))
