"""Which customers exist, and what a ``--customer`` name means.

A customer is named by its canonical name — a profile's ``customer``, or a value
of the orders' customer column (after ``columns.customer_names``) — or by its
profile code; names are compared trimmed and case-insensitively.  A name that
matches nothing is an error listing the known customers, never an empty run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ordersync.config import Config
from ordersync.db import Database
from ordersync.errors import UnknownCustomerError
from ordersync.names import PATTERN_PREFIX, NameMap, name_key


def customer_map(config: Config) -> NameMap:
    """Spellings → canonical customers; every profile's customer is a canonical name too."""
    profiles = {p.customer: p.customer for p in config.sources.profiles.values()}
    return NameMap.build(config.customers, {**profiles, **config.columns.customer_names})


def canonical_customer(config: Config) -> Callable[[str | None], str | None]:
    """A profile's (or a file's) spelling of a customer → the customer's canonical name."""
    names = customer_map(config)
    return lambda raw: None if raw is None else (names.canonical(raw) or raw)


def known_customers(config: Config, db: Database) -> dict[str, str]:
    """Every name a customer answers to (as :func:`name_key` has it) → its canonical name."""
    import sqlalchemy as sa

    from ordersync.db.schema import column_name

    canonical = canonical_customer(config)
    known: dict[str, str] = {}
    for code, profile in config.sources.profiles.items():
        name = canonical(profile.customer) or profile.customer
        for spelling in (name, profile.customer, code):
            known.setdefault(name_key(spelling), name)
    for name, spellings in config.customers.items():
        for spelling in (name, *spellings):
            if not spelling.startswith(PATTERN_PREFIX):
                known.setdefault(name_key(spelling), name)
    if db.has_table("orders") and db.has_table("order_columns"):
        with db.begin() as conn:
            column = column_name(db, conn, config.columns.customer)
            if column is not None:
                values = conn.execute(sa.text(
                    f"SELECT DISTINCT {db.quote(column)} FROM {db.table('orders')} "
                    f"WHERE {db.quote(column)} IS NOT NULL")).scalars()
                for value in values:
                    known.setdefault(name_key(str(value)), str(value))
    return known


def resolve_customers(config: Config, db: Database, names: Iterable[str]) -> tuple[str, ...]:
    """The canonical names for ``names``; :class:`UnknownCustomerError` if any matches none."""
    wanted = [n for n in names if n.strip()]
    if not wanted:
        return ()
    known = known_customers(config, db)
    spellings = customer_map(config)

    def find(name: str) -> str | None:  # a spelling, else a [customers] pattern's customer
        return known.get(name_key(name)) or (
            found if (found := spellings.canonical(name)) in known.values() else None)

    unknown = [n for n in wanted if find(n) is None]
    if unknown:
        raise UnknownCustomerError(unknown, sorted(set(known.values()),
                                                   key=lambda n: (n.upper(), n)))
    return tuple(dict.fromkeys(str(find(n)) for n in wanted))
