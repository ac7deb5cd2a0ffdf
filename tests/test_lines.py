"""Lines: unpivot sizes with qty > 0 and diff them on every re-merge — on both engines."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import WorkbookFactory, execute, fetch, layout, order_row, size_labels
from ordersync.config import Config
from ordersync.db import Database
from ordersync.pipeline import run_pipeline


def _lines(db: Database) -> dict[tuple[str, str], Any]:
    rows = fetch(db, "SELECT o.business_key, l.size_code, l.qty, l.sync_state, l.sync_action "
                     "FROM order_lines l JOIN orders o ON o.record_uuid = l.record_uuid")
    return {(r.business_key.split("\x1f")[0], r.size_code): r for r in rows}


def _summary(db: Database) -> dict[tuple[str, str], tuple[int, str]]:
    return {k: (r.qty, r.sync_action) for k, r in _lines(db).items()}


def test_first_load_creates_one_line_per_positive_size(config: Config, db: Database,
                                                       write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 3, "M": None, "L": 0, "XL": 4})],
                   headers=None)

    result = run_pipeline(config, db)

    assert result.merge.lines.created == 2
    assert _summary(db) == {("GRE-00001", "S"): (3, "CREATE"), ("GRE-00001", "XL"): (4, "CREATE")}


def test_remerge_diffs_lines(config: Config, db: Database, write_workbook: WorkbookFactory) -> None:
    sizes = ["S", "M", "L"]
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2}), order_row(2, {"S": 5}),
                                  order_row(3, {"L": 9})], headers=None)
    run_pipeline(config, db)
    # lines of order 1 and 3 reached the board
    execute(db, "UPDATE order_lines SET sync_state = 'SYNCED', monday_subitem_id = 'sub', "
            "synced_qty = qty WHERE record_uuid IN (SELECT record_uuid FROM orders WHERE "
            "business_key NOT LIKE 'GRE-00002%')")

    write_workbook("GRE_a.xlsx", [
        order_row(1, {"S": None, "M": 3, "L": 4}),  # S vanished, M changed, L new
        order_row(2, {"S": None, "M": 6}),  # S vanished (never sent), M new
        order_row(3, {"L": 9}, order_type="CANCELLED"),  # cancelled
    ], headers=[*order_row(1, {}).keys(), *sizes, "TOTAL QTY"])
    result = run_pipeline(config, db)

    assert _summary(db) == {
        ("GRE-00001", "S"): (0, "REMOVE"),
        ("GRE-00001", "M"): (3, "UPDATE"),
        ("GRE-00001", "L"): (4, "CREATE"),
        ("GRE-00002", "M"): (6, "CREATE"),
        ("GRE-00003", "L"): (0, "CANCEL"),
    }
    lines = result.merge.lines
    assert (lines.created, lines.updated, lines.removed, lines.dropped) == (2, 2, 1, 1)
    assert all(r.sync_state == "PENDING" for r in _lines(db).values())


def test_unchanged_lines_are_not_touched(config: Config, db: Database,
                                         write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 2})])
    run_pipeline(config, db)
    execute(db, "UPDATE order_lines SET sync_state = 'SYNCED', "
                             "monday_subitem_id = 'x', synced_qty = qty")

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 1, "M": 5})])
    result = run_pipeline(config, db)

    assert result.merge.lines.updated == 1
    assert _lines(db)[("GRE-00001", "S")].sync_state == "SYNCED"
    assert _lines(db)[("GRE-00001", "M")].sync_state == "PENDING"


def test_reinstated_order_lines_come_back(config: Config, db: Database,
                                          write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 2}, order_type="CANCELLED")])
    run_pipeline(config, db)
    assert _summary(db) == {("GRE-00001", "S"): (0, "CANCEL")}

    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 2})])
    run_pipeline(config, db)

    assert _summary(db) == {("GRE-00001", "S"): (2, "CREATE")}


def test_real_size_labels_become_columns_and_lines(config: Config, db: Database,
                                                   write_workbook: WorkbookFactory) -> None:
    labels = size_labels()
    rows = [order_row(i + 1, {label: i + 1}) for i, label in enumerate(labels)]
    write_workbook("GRE_all.xlsx", rows, headers=[*order_row(1, {}).keys(), *labels, "TOTAL QTY"])

    result = run_pipeline(config, db)

    assert result.merge.orders.new == len(labels)
    stored = {k[1]: r.qty for k, r in _lines(db).items()}
    assert stored == {label.upper(): i + 1 for i, label in enumerate(labels)}
    columns = fetch(db, "SELECT label FROM order_columns WHERE kind = 'size'")
    assert len(columns) == len(labels)


_LABELS = ["XS", "S", "M", "L", "XL", "32/30", "32x30", "34DD", "3/6 MTHS", "O/S", "S-M", "S/M"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(quantities=st.lists(
    st.dictionaries(st.sampled_from(_LABELS), st.integers(min_value=0, max_value=10_000),
                    max_size=len(_LABELS)),
    min_size=1, max_size=12))
def test_unpivot_then_repivot_returns_the_quantities(
        quantities: list[dict[str, int]], config: Config, db: Database,
        write_workbook: WorkbookFactory) -> None:
    """Property: for any orders, the lines re-pivoted equal the orders' size columns."""
    _drop_tables(db)  # hypothesis reuses the fixture's database across examples
    headers = layout([order_row(1, dict.fromkeys(_LABELS, 1))])
    write_workbook("GRE_p.xlsx", [order_row(i + 1, q) for i, q in enumerate(quantities)],
                   headers=headers)

    run_pipeline(config, db)

    # Headers are normalised (upper case, single spaces): "32x30" is stored as "32X30".
    expected = {f"GRE-{i + 1:05d}": {k.upper(): v for k, v in q.items() if v > 0}
                for i, q in enumerate(quantities)}
    repivot: dict[str, dict[str, int]] = {}
    for (number, size), line in _lines(db).items():
        repivot.setdefault(number, {})[size] = line.qty
    assert repivot == {k: v for k, v in expected.items() if v}
    labels = [label.upper() for label in _LABELS]
    present = {r.label for r in fetch(db, "SELECT label FROM order_columns")}
    labels = [label for label in labels if label in present]
    quoted = ", ".join(f'"{label}"' for label in labels)
    for row in fetch(db, f"SELECT business_key, {quoted} FROM orders"):
        wide = {label: row[i + 1] for i, label in enumerate(labels) if row[i + 1] is not None}
        assert wide == expected[row[0].split("\x1f")[0]]


def _drop_tables(db: Database) -> None:
    from ordersync.config import TablesConfig

    with db.begin() as conn:
        for table in TablesConfig.model_fields:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {db.table(table)}")
