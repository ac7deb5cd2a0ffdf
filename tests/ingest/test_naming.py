"""Canonical names: one customer is one customer and one season one season, whatever the
files write; a name field without a value rejects its row; remapping re-keys nothing."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ConfigFactory, WorkbookFactory, execute, fetch, order_row
from ordersync.config import Config, config_from_dict
from ordersync.db import open_database
from ordersync.ingest.headers import detect_layout
from ordersync.ingest.prepare import SheetInput, prepare_batch
from ordersync.ingest.reader import RawSheet
from ordersync.names import name_key
from ordersync.pipeline import run_pipeline

SEASONS = {"SS26": ["SS 2026", "SPRING 2026", "SP26"], "AW25": ["FALL 2025", "F25"]}
BHOOD = {"customer": "B'HOOD", "glob": "BHD*.xlsx"}


def _config(make_config: ConfigFactory, **extra: Any) -> Config:
    sections = {"seasons": SEASONS, **extra}
    return make_config(
        sources={"directory": "orders", "profiles": {
            "BHD": BHOOD, "GRE": {"customer": "GREYSTONE", "glob": "GRE*.xlsx"}}},
        **sections)


def _groups(config: Config) -> list[tuple[str, str]]:
    db = open_database(config)
    try:
        return [tuple(r) for r in fetch(  # type: ignore[misc]
            db, 'SELECT group_name, "AAG ORDER NUMBER" FROM orders ORDER BY 2')]
    finally:
        db.dispose()


def test_customer_and_season_spellings_make_one_group(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = _config(make_config, customers={"GREYSTONE": ["Greystone Trading Co"]})
    spellings = [("B'HOOD", "SS26"), ("B'Hood Ltd", "SS 2026"), ("B’HOOD", "SP26"),
                 ("bhood", "spring  2026"), (None, "Ss-26"), ("B.HOOD", None)]
    rows = [order_row(n, CUSTOMER=customer, **{"CUSTOMER SEASON": season, "AAG SEASON": "SS26"})
            for n, (customer, season) in enumerate(spellings, start=1)]
    # A spelling that names another known customer is that customer's.
    rows.append(order_row(9, CUSTOMER="greystone trading co.",
                          **{"CUSTOMER SEASON": "F25", "AAG SEASON": "AW25"}))
    write_workbook("BHD_a.xlsx", rows)

    run_pipeline(config, open_database(config))

    assert _groups(config) == [("B'HOOD SS26", f"GRE-{n:05d}") for n in range(1, 7)] + [
        ("GREYSTONE AW25", "GRE-00009")]
    customers = {r.c for r in fetch(open_database(config), 'SELECT "CUSTOMER" AS c FROM orders')}
    assert customers == {"B'HOOD", "GREYSTONE"}
    # the season cells keep what the customer wrote
    seasons = fetch(open_database(config), 'SELECT "CUSTOMER SEASON" AS s FROM orders')
    assert "SS 2026" in {r.s for r in seasons}


def test_empty_name_field_rejects_the_row_with_the_field_named(
        config: Config, write_workbook: WorkbookFactory) -> None:
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [
        order_row(1), order_row(2, **{"CUSTOMER SEASON": None, "AAG SEASON": None})])

    report = run_pipeline(config, db).ingest

    assert report.files[0].rows_rejected == 1
    (reject,) = fetch(db, 'SELECT "row", "column", reason FROM rejected_rows')
    assert (reject.row, reject.column, reject.reason) == (
        3, "names.group", "the group name '{CUSTOMER} {CUSTOMER SEASON|AAG SEASON}' has no "
        "value for {CUSTOMER SEASON|AAG SEASON}")


def test_a_name_longer_than_monday_takes_rejects_its_row(
        config: Config, write_workbook: WorkbookFactory) -> None:
    """A 300-character season made a group monday.com refuses on every sync, for ever; the
    row is rejected at once, saying why."""
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [
        order_row(1), order_row(2, **{"CUSTOMER SEASON": "SS26 " + "X" * 300}),
        order_row(3, **{"CUSTOMER SEASON": "S" * (255 - len("GREYSTONE "))})])

    report = run_pipeline(config, db).ingest

    assert (report.files[0].rows_staged, report.files[0].rows_rejected) == (2, 1)
    (reject,) = fetch(db, 'SELECT "row", "column", reason FROM rejected_rows')
    assert (reject.row, reject.column) == (3, "names.group")
    assert reject.reason.startswith("the group name is 315 characters long; monday.com takes "
                                    "at most 255 — shorten the values of names.group")


def test_a_template_column_absent_from_the_file_is_said(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    config = make_config(names={"group": "{CUSTOMER} {BRAND}"})
    db = open_database(config)
    write_workbook("GRE_a.xlsx", [order_row(1)])

    run_pipeline(config, db)

    (reject,) = fetch(db, "SELECT reason FROM rejected_rows")
    assert reject.reason.endswith("has no value for {BRAND} (no such column in the file)")


def test_changing_the_mapping_moves_orders_without_rekeying_them(
        make_config: ConfigFactory, write_workbook: WorkbookFactory) -> None:
    write_workbook("BHD_a.xlsx", [
        order_row(1, CUSTOMER=None, **{"CUSTOMER SEASON": "SS26"}),
        order_row(2, CUSTOMER=None, **{"CUSTOMER SEASON": "SUMMER 26"})])
    before = _config(make_config)
    run_pipeline(before, open_database(before))
    db = open_database(before)
    execute(db, "UPDATE orders SET sync_state = 'SYNCED', sync_action = NULL, "
                "monday_item_id = record_uuid")
    uuids = {r.k: r.u for r in fetch(db, "SELECT business_key AS k, record_uuid AS u "
                                         "FROM orders")}
    assert {g for g, _ in _groups(before)} == {"B'HOOD SS26", "B'HOOD SUMMER 26"}

    after = _config(make_config, seasons={**SEASONS, "SS26": [*SEASONS["SS26"], "SUMMER 26"]})
    result = run_pipeline(after, open_database(after))

    assert result.ingest.count("staged") == 1  # the mapping is part of what shapes a file
    assert {g for g, _ in _groups(after)} == {"B'HOOD SS26"}
    rows = fetch(db, "SELECT business_key AS k, record_uuid AS u, sync_state, sync_action "
                     "FROM orders ORDER BY business_key")
    assert {r.k: r.u for r in rows} == uuids  # nothing re-keyed
    # the order whose group changed goes to the sync as an update (which moves the item)
    assert [(r.sync_state, r.sync_action) for r in rows] == [
        ("SYNCED", None), ("PENDING", "UPDATE")]


@pytest.mark.parametrize(("raw", "key"), [
    ("B'HOOD", "BHOOD"), ("B’Hood", "BHOOD"), ("  b . hood ", "BHOOD"), ("A & B", "AANDB"),
    ("SS 2026", "SS2026"), (None, ""),
])
def test_name_key(raw: str | None, key: str) -> None:
    assert name_key(raw) == key


def test_a_group_name_without_the_customer_column_is_refused() -> None:
    with pytest.raises(Exception, match=r"names.group: \{CUSTOMER\} is not the customer column "
                                        r"\(columns.customer is 'CUSTOMER NAME'\)"):
        config_from_dict({"columns": {"customer": "CUSTOMER NAME"}})


def test_a_spelling_listed_under_two_names_is_refused() -> None:
    with pytest.raises(Exception, match=r"'SS 26' is listed under both 'SS26' and 'SU26'"):
        config_from_dict({"seasons": {"SS26": ["SS 26"], "SU26": ["SS 26"]}})


# --- property: groups == distinct canonical (customer, season) pairs ------------------------

CUSTOMERS = {"BHD": "B'HOOD", "GRE": "GREYSTONE", "KAI": "KAIMANA SWIM"}
PROPERTY_SEASONS = {"SS26": ["SS 2026", "SPRING 2026", "SP26"], "AW25": ["FALL 2025", "F25"]}
PROPERTY_CONFIG = config_from_dict({
    "sources": {"profiles": {code: {"customer": name, "glob": f"{code}*"}
                             for code, name in CUSTOMERS.items()}},
    "customers": {"B'HOOD": ["B'Hood Ltd"]},
    "seasons": PROPERTY_SEASONS})


@st.composite
def respelled(draw: st.DrawFn, name: str) -> str:
    """``name`` with random case, spaces, apostrophes and punctuation."""
    chars = []
    for char in name:
        char = char.upper() if draw(st.booleans()) else char.lower()
        if char == "'":
            char = draw(st.sampled_from(["'", "’", ""]))
        chars.append(char + draw(st.sampled_from(["", "", " ", ".", "-"])))
    return " " * draw(st.integers(0, 2)) + "".join(chars)


@st.composite
def order_rows(draw: st.DrawFn) -> tuple[list[tuple[str, str | None, str]], set[tuple[str, str]]]:
    rows, pairs = [], set()
    for _ in range(draw(st.integers(1, 25))):
        customer = draw(st.sampled_from([*CUSTOMERS.values(), "B'Hood Ltd"]))
        season = draw(st.sampled_from(list(PROPERTY_SEASONS)))
        spelling = draw(st.sampled_from([season, *PROPERTY_SEASONS[season]]))
        cell = draw(st.one_of(st.none(), respelled(customer)))
        rows.append((draw(respelled(spelling)), cell, season))
        # A blank cell is the profile's customer (BHD's file here).
        pairs.add(("B'HOOD" if cell is None or customer == "B'Hood Ltd" else customer, season))
    return rows, pairs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_rows())
def test_groups_equal_distinct_canonical_customer_season_pairs(
        generated: tuple[list[tuple[str, str | None, str]], set[tuple[str, str]]]) -> None:
    rows, pairs = generated
    header = ["AAG ORDER NUMBER", "PLANNED DELIVERY METHOD", "CUSTOMER STYLE", "CUSTOMER",
              "CUSTOMER SEASON", "AAG SEASON", "UNIT OF MEASURE", "S", "TOTAL QTY"]
    body = [[f"BHD-{i}", "SEA", "TEE", customer, season, aag, "PCS", "1", "1"]
            for i, (season, customer, aag) in enumerate(rows)]
    cells = pl.DataFrame([header, *body], schema=[f"c{i}" for i in range(len(header))],
                         orient="row")
    sheet = RawSheet("BHD_a.xlsx", "Orders", cells)
    profile = PROPERTY_CONFIG.sources.profiles["BHD"]
    layout = detect_layout(sheet, PROPERTY_CONFIG, profile)

    batch = prepare_batch([SheetInput(sheet, layout, profile)], PROPERTY_CONFIG)

    assert batch.rejects.height == 0
    groups = set(batch.staged["_group"].to_list())
    assert groups == {f"{customer} {season}" for customer, season in pairs}
    assert len(groups) == len(pairs)
