"""The [monday] column mapping: known roles, tables, and every problem named at once."""

from __future__ import annotations

from typing import Any

import pytest

from ordersync.config import config_from_dict
from ordersync.errors import ConfigError
from ordersync.monday.encoders import ColumnType
from ordersync.sync.columns import identity_text, resolve_columns

LABELS = ["CUSTOMER", "TOTAL QTY", "ETA", "PLANNED DELIVERY METHOD", "REMARKS", "FOB PRICE"]


def _config(**monday: Any) -> Any:
    return config_from_dict({"monday": {"board_id": "1", **monday}})


def test_known_roles_need_only_a_column_id() -> None:
    columns = resolve_columns(_config(
        columns={"identity": "key", "status": "st", "eta": "d", "subitems": "subitems"},
        subitem_columns={"size": "sz", "order_qty": "q"}), LABELS)

    items = {c.column_id: (c.type, c.source) for c in columns.items.columns}
    assert items == {"key": (ColumnType.TEXT, "business_key"),
                     "st": (ColumnType.STATUS, "order_status"), "d": (ColumnType.DATE, "ETA")}
    assert columns.items.identity is not None and columns.items.identity.column_id == "key"
    assert columns.items.create_labels_if_missing is True
    assert {c.source for c in columns.subitems.columns} == {"size", "qty"}


def test_any_other_column_is_a_table_with_type_and_source() -> None:
    columns = resolve_columns(_config(columns={
        "identity": "key",
        "fob": {"id": "n1", "type": "numbers", "source": "fob price"}}), LABELS)

    assert [(c.column_id, c.type, c.source) for c in columns.items.columns][1] == (
        "n1", ColumnType.NUMBERS, "FOB PRICE")


def test_every_mapping_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_columns(_config(columns={
            "fob": "n1",  # not a known role
            "colour": {"id": "t1", "type": "text", "source": "COLOUR"},  # no such column
            "status": "st", "delivery": "st",  # one column twice
            "mood": {"id": "s2", "type": "status", "source": "REMARKS",
                     "create_labels_if_missing": False}}), LABELS)

    message = str(caught.value)
    assert "monday.columns.fob: 'fob' is not a known role" in message
    assert "monday.columns.colour: reads 'COLOUR', which no order has" in message
    assert ('e.g. colour = { id = "t1", type = "text", source = "COLUMN" }, or remove the role'
            in " ".join(message.split()))
    assert "column 'st' is already written by role 'status'" in message
    assert "create_labels_if_missing differs" in message
    assert "monday.columns.identity: required" in message


def test_the_identity_shows_the_business_key_readably() -> None:
    assert identity_text("GRE-1\x1fSEA\x1fST-9") == "GRE-1 | SEA | ST-9"


def test_two_keys_whose_parts_hold_the_join_never_show_alike() -> None:
    """Joined as they are, ``A | SEA`` + ``AIR`` + ``S`` and ``A`` + ``SEA`` + ``AIR | S``
    both showed ``A | SEA | AIR | S``: one board item for two orders."""
    first = identity_text("A | SEA\x1fAIR\x1fS")
    second = identity_text("A\x1fSEA\x1fAIR | S")
    assert first != second
    assert (first, second) == ("A || SEA | AIR | S", "A | SEA | AIR || S")
    keys = ["A|\x1fB", "A\x1f|B", "A\x1f\x1fB", "|\x1fA", "A ||\x1fB", "A\x1f| |B", "A | | B"]
    assert len({identity_text(k) for k in keys}) == len(keys)


def test_the_config_file_refuses_an_unknown_column_type() -> None:
    with pytest.raises(ConfigError, match=r"monday\.columns\.fob"):
        _config(columns={"fob": {"id": "n1", "type": "people", "source": "BUYER"}})
