"""Which board columns the sync writes, and the values of one order or size line for them.

``[monday.columns]`` and ``[monday.subitem_columns]`` map a *role* to a column.  A
known role needs only the column id (what ``ordersync sandbox --create-board``
prints); any other role is a table ``{id, type, source}``::

    order board   identity   text       business_key   (required: how an item is found again)
                  customer   text       the customer column (columns.customer)
                  notes      long_text  REMARKS
                  quantity   numbers    the total column (sizes.total_column)
                  eta        date       ETA
                  status     status     order_status   (status_labels.active / .cancelled)
                  delivery   dropdown   PLANNED DELIVERY METHOD
                  subitems   —          monday's subitems column: never written
    subitems      size       dropdown   size
                  order_qty  numbers    qty
                  line_status status    line_status    (active / cancelled / removed)

A source is an order column (as headers are normalised: upper case) or one of
ordersync's own fields, lower case: ``business_key``, ``order_status``,
``item_name``, ``group_name`` for an order; ``size``, ``qty``, ``line_status`` for
a line.  ``resolve_columns`` checks the whole mapping against the database's
columns before anything is sent and reports every problem at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

from ordersync.config import BoardColumn, Config
from ordersync.errors import ConfigError
from ordersync.monday.encoders import ColumnMapping, ColumnType
from ordersync.names import normalize_header

KEY_SEPARATOR: Final = "\x1f"  # as ingest joins the key columns (ingest.prepare)
IDENTITY_JOIN: Final = " | "
IDENTITY_ROLE: Final = "identity"
SKIPPED_ROLES: Final = frozenset({"subitems"})

ORDER_FIELDS: Final = frozenset({"business_key", "order_status", "item_name", "group_name"})
LINE_FIELDS: Final = frozenset({"size", "qty", "line_status"})
_LABEL_TYPES: Final = (ColumnType.STATUS, ColumnType.DROPDOWN)


def _order_roles(config: Config) -> dict[str, tuple[ColumnType, str]]:
    return {
        IDENTITY_ROLE: (ColumnType.TEXT, "business_key"),
        "customer": (ColumnType.TEXT, config.columns.customer),
        "notes": (ColumnType.LONG_TEXT, "REMARKS"),
        "quantity": (ColumnType.NUMBERS, config.sizes.total_column),
        "eta": (ColumnType.DATE, "ETA"),
        "status": (ColumnType.STATUS, "order_status"),
        "delivery": (ColumnType.DROPDOWN, "PLANNED DELIVERY METHOD"),
    }


LINE_ROLES: Final = {
    "size": (ColumnType.DROPDOWN, "size"),
    "order_qty": (ColumnType.NUMBERS, "qty"),
    "line_status": (ColumnType.STATUS, "line_status"),
}


@dataclass(frozen=True)
class BoardMapping:
    """The columns of one board ordersync writes, and the label flag its mutations carry."""

    columns: tuple[ColumnMapping, ...]
    create_labels_if_missing: bool
    identity: ColumnMapping | None = None

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(c.source for c in self.columns)


@dataclass(frozen=True)
class SyncColumns:
    """Both boards' mappings."""

    items: BoardMapping
    subitems: BoardMapping

    @property
    def order_sources(self) -> frozenset[str]:
        """The order columns (not ordersync fields) the item mapping reads."""
        return frozenset(s for s in self.items.sources if s not in ORDER_FIELDS)


def resolve_columns(config: Config, labels: Collection[str]) -> SyncColumns:
    """Both mappings, checked against the order columns the database has (``labels``).

    Raises one ``ConfigError`` listing every problem (key path, what is wrong, what to do).
    """
    problems: list[str] = []
    items = _board(config.monday.columns, "monday.columns", _order_roles(config),
                   ORDER_FIELDS, frozenset(labels), problems)
    subitems = _board(config.monday.subitem_columns, "monday.subitem_columns", LINE_ROLES,
                      LINE_FIELDS, frozenset(), problems)
    if items.identity is None:
        problems.append(f"monday.columns.{IDENTITY_ROLE}: required — the id of a text column "
                        "that holds each order's business key (how the sync finds an item "
                        "again after a crash or a lost response)")
    if problems:
        raise ConfigError("[monday] column mapping", problems)
    return SyncColumns(items, subitems)


def _board(entries: Mapping[str, str | BoardColumn], where: str,
           roles: Mapping[str, tuple[ColumnType, str]], fields: frozenset[str],
           labels: frozenset[str], problems: list[str]) -> BoardMapping:
    columns: list[ColumnMapping] = []
    flags: dict[str, bool] = {}
    identity: ColumnMapping | None = None
    seen: dict[str, str] = {}
    for role, entry in entries.items():
        if role in SKIPPED_ROLES:
            continue
        path = f"{where}.{role}"
        if isinstance(entry, str):
            if role not in roles:
                problems.append(f"{path}: {role!r} is not a known role ({', '.join(roles)}); "
                                "write it as a table: {{ id = \"...\", type = \"text\", "
                                "source = \"COLUMN\" }}")
                continue
            kind, source = roles[role]
            column_id, allow = entry, None
        else:
            kind, source = ColumnType(entry.type), entry.source
            column_id, allow = entry.id, entry.create_labels_if_missing
        if source not in fields:
            source = normalize_header(source)
            if labels and source not in labels:
                problems.append(f"{path}: reads {source!r}, which no order has (order columns "
                                f"seen so far include: {', '.join(sorted(labels)[:8])}…); set "
                                "its source to an existing column, e.g. "
                                f"{role} = {{ id = \"{column_id}\", type = \"{kind.value}\", "
                                "source = \"COLUMN\" }, or remove the role")
                continue
        if column_id in seen:
            problems.append(f"{path}: column {column_id!r} is already written by role "
                            f"{seen[column_id]!r}; a column shows one value")
            continue
        seen[column_id] = role
        if kind in _LABEL_TYPES:
            flags[role] = True if allow is None else allow
        try:
            mapping = ColumnMapping(column_id, kind, source, flags.get(role, False))
        except ConfigError as exc:
            problems.extend(f"{path}: {p}" for p in exc.problems)
            continue
        columns.append(mapping)
        if role == IDENTITY_ROLE:
            if kind is not ColumnType.TEXT:
                problems.append(f"{path}: the identity column must be a text column")
            identity = mapping
    if len(set(flags.values())) > 1:
        problems.append(f"{where}: create_labels_if_missing differs between "
                        f"{', '.join(f'{r}={v}' for r, v in flags.items())}; monday takes it "
                        "once per mutation, so the label columns of one board must agree")
    return BoardMapping(tuple(columns), any(flags.values()), identity)


def identity_text(business_key: str) -> str:
    """The business key as the identity column shows it: parts joined by `` | ``, a ``|``
    inside a part doubled — so two keys never show alike (``A | SEA`` + ``AIR`` is
    ``A || SEA | AIR``, ``A`` + ``SEA | AIR`` is ``A | SEA || AIR``: a lone ``|`` between
    spaces is always the join); a key without ``|`` shows as it always has."""
    return IDENTITY_JOIN.join(part.replace("|", "||")
                              for part in business_key.split(KEY_SEPARATOR))
