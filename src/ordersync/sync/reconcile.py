"""Find on the board what a lost response or a crash left in doubt.

``find_items`` looks items up by the identity column (each order's business key):
``items_page_by_column_values`` for a chunk of keys, following the cursor.
``find_subitems`` reads the subitems of parent items and matches them by name —
a subitem is named after its size (groups by title: ``ordersync.monday.boards``).
``read_shown`` reads what found items and their subitems show in the mapped columns,
so that taking one over sends only what differs.
Read-only queries; values are variables.  When the board holds two items
for one key (someone copied one by hand), the oldest (lowest id) is adopted and
the others are reported, never deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ordersync.monday.client import MondayClient
from ordersync.monday.operations import operation_text

logger = logging.getLogger(__name__)

IDENTITY_CHUNK = 50
"""Keys per lookup: their items fit one page of 500 even with a few duplicates."""
PARENT_CHUNK = 25
"""Parent items per subitems query."""
PAGE_LIMIT = 500


def _chunks(values: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _identity_of(item: Mapping[str, Any], column_id: str) -> str | None:
    for value in item.get("column_values") or ():
        if value.get("id") == column_id:
            return str(value.get("text") or "")
    return None


def find_items(client: MondayClient, board_id: str, identity_column: str,
               identities: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
    """identity → (id, group id) of the board's items showing it, oldest first."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    wanted = sorted(set(identities))
    for chunk in _chunks(wanted, IDENTITY_CHUNK):
        result = client.execute(operation_text("items_by_identity"), {
            "board_id": board_id, "identity_column_id": identity_column,
            "identities": list(chunk), "limit": PAGE_LIMIT})
        page = (result.data or {}).get("items_page_by_column_values") or {}
        while True:
            for item in page.get("items") or ():
                identity = _identity_of(item, identity_column)
                if identity is not None and identity in chunk:
                    group = (item.get("group") or {}).get("id")
                    found.setdefault(identity, []).append(
                        (str(item["id"]), str(group) if group is not None else None))
            cursor = page.get("cursor")
            if not cursor:
                break
            result = client.execute(operation_text("next_items_by_identity"), {
                "cursor": cursor, "identity_column_id": identity_column, "limit": PAGE_LIMIT})
            page = (result.data or {}).get("next_items_page") or {}
    for identity, items in found.items():
        items.sort(key=lambda item: int(item[0]))
        if len(items) > 1:
            logger.warning("the board has %d items for %r (%s): adopting %s, the oldest",
                           len(items), identity, ", ".join(i for i, _ in items), items[0][0])
    return found


def find_subitems(client: MondayClient, parent_ids: Sequence[str]) -> dict[tuple[str, str], str]:
    """(parent item id, subitem name) → subitem id (the oldest when names repeat)."""
    found: dict[tuple[str, str], str] = {}
    for chunk in _chunks(sorted(set(parent_ids), key=int), PARENT_CHUNK):
        result = client.execute(operation_text("subitems_of"), {"item_ids": list(chunk)})
        for item in (result.data or {}).get("items") or ():
            for sub in sorted(item.get("subitems") or (), key=lambda s: int(s["id"])):
                found.setdefault((str(item["id"]), str(sub["name"])), str(sub["id"]))
    return found


Cells = dict[str, tuple[str | None, str | None]]
"""column id → (text, value) of one item's cell."""


@dataclass
class Shown:
    """An item as the board shows it: its cells, and its subitems by name (the oldest when
    names repeat) with theirs."""

    cells: Cells
    subitems: dict[str, tuple[str, Cells]] = field(default_factory=dict)


def _cells(raw: Any) -> Cells:
    return {str(c["id"]): (c.get("text"), c.get("value")) for c in raw or () if c}


def read_shown(client: MondayClient, item_ids: Sequence[str], column_ids: Sequence[str],
               subitem_column_ids: Sequence[str]) -> dict[str, Shown]:
    """item id → what it shows in ``column_ids`` and its subitems in ``subitem_column_ids``,
    for the items of ``item_ids`` monday still has."""
    shown: dict[str, Shown] = {}
    for chunk in _chunks(sorted(set(item_ids), key=int), PARENT_CHUNK):
        result = client.execute(operation_text("items_shown"), {
            "item_ids": list(chunk), "column_ids": list(column_ids),
            "subitem_column_ids": list(subitem_column_ids)})
        for item in (result.data or {}).get("items") or ():
            if not item:
                continue
            found = shown[str(item["id"])] = Shown(_cells(item.get("column_values")))
            for sub in sorted(item.get("subitems") or (), key=lambda s: int(s["id"])):
                found.subitems.setdefault(str(sub["name"]), (str(sub["id"]),
                                                              _cells(sub.get("column_values"))))
    return shown
