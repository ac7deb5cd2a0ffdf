"""Preflight (issue #8): a mapping that does not fit the boards writes nothing and names the key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import WorkbookFactory, fetch, order_row, write_config
from ordersync.cli import cli
from ordersync.errors import BoardMismatch
from sync.conftest import Harness

HarnessFactory = Callable[..., Harness]
COLUMNS = {"identity": "order_key", "customer": "customer", "quantity": "total_qty",
           "eta": "eta", "status": "status", "delivery": "delivery", "subitems": "subitems"}


def _without(*roles: str) -> dict[str, str]:
    return {role: column for role, column in COLUMNS.items() if role not in roles}


def _mutations(h: Harness) -> list[str]:
    return [body["query"] for body in h.sent if body["query"].lstrip().startswith("mutation")]


def _refused(h: Harness, write_workbook: WorkbookFactory) -> str:
    """Sync two orders; the run must stop before any write.  Its message."""
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 2}), order_row(2, {"M": 3})])
    h.pipeline()
    with pytest.raises(BoardMismatch) as caught:
        h.sync()
    assert _mutations(h) == [] and h.items() == []
    assert {o.sync_state for o in fetch(h.db, "SELECT sync_state FROM orders")} == {"PENDING"}
    (run,) = fetch(h.db, "SELECT status, error FROM sync_runs")
    assert run.status == "failed" and "does not match [monday]" in run.error
    return str(caught.value)


@pytest.mark.parametrize(("monday", "expected"), [
    pytest.param({"columns": {**COLUMNS, "quantity": "total_qtyx"}},
                 ["monday.columns.quantity: column 'total_qtyx' is not on board",
                  "its columns: order_key (text)"], id="unknown-column-id"),
    pytest.param({"columns": {**_without("customer"), "quantity": "customer"}},
                 ["monday.columns.quantity: column 'customer' ('Customer')",
                  "is a text column, but the role writes numbers values"], id="wrong-type-role"),
    pytest.param({"columns": {**_without("status"), "identity": "status"}},
                 ["monday.columns.identity: column 'status'", "is a status column"],
                 id="identity-on-a-status-column"),
    pytest.param({"columns": {**_without("eta", "quantity"),
                              "fob": {"id": "eta", "type": "numbers", "source": "FOB PRICE"},
                              "eta": "total_qty"}},
                 ["monday.columns.fob: column 'eta' ('ETA')", "is a date column, but the role "
                  "is declared 'numbers'", "monday.columns.eta: column 'total_qty'"],
                 id="declared-type-and-two-problems-at-once"),
    pytest.param({"subitem_columns": {"size": "size", "order_qty": "qty_nope",
                                      "line_status": "line_status"}},
                 ["monday.subitem_columns.order_qty: column 'qty_nope' is not on board"],
                 id="unknown-subitem-column"),
])
def test_a_column_that_is_missing_or_of_the_wrong_type_writes_nothing(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory,
        monday: dict[str, Any], expected: list[str]) -> None:
    message = _refused(harness_factory(**monday), write_workbook)

    for part in expected:
        assert part in message


def test_a_subitems_board_that_belongs_to_another_board_writes_nothing(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory) -> None:
    h = harness_factory()
    other = h.sandbox.create_order_board("Another board")
    h.config = h.config.model_copy(update={"monday": h.config.monday.model_copy(
        update={"subitems_board_id": other.subitems_board_id})})

    message = _refused(h, write_workbook)

    assert f"monday.subitems_board_id: board {other.subitems_board_id} is not the subitems " \
           f"board of board {h.ids.board_id}" in message
    assert f'set subitems_board_id = "{h.ids.subitems_board_id}"' in message


def test_a_status_label_the_board_lacks_with_labels_not_created_writes_nothing(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory) -> None:
    h = harness_factory(columns={**COLUMNS, "status": {
        "id": "status", "type": "status", "source": "order_status",
        "create_labels_if_missing": False}, "delivery": {
        "id": "delivery", "type": "dropdown", "source": "PLANNED DELIVERY METHOD",
        "create_labels_if_missing": False}})
    write_workbook("GRE_a.xlsx", [order_row(1), order_row(2, order_type="CANCELLED")])
    h.pipeline()

    with pytest.raises(BoardMismatch) as caught:
        h.sync()

    assert "monday.columns.status: column 'status' on board" in str(caught.value)
    assert "lacks the label(s) 'Cancelled'" in str(caught.value)
    assert _mutations(h) == []


def test_the_boards_are_read_once_per_run_and_a_fitting_mapping_syncs(
        harness: Harness, write_workbook: WorkbookFactory) -> None:
    write_workbook("GRE_a.xlsx", [order_row(1, {"S": 2})])
    harness.pipeline()

    harness.sync()

    reads = [b for b in harness.sent if "settings_str" in b["query"]]
    assert len(reads) == 1 and harness.sent[0] is reads[0]  # first, before any write
    assert harness.items()


def test_the_sandbox_board_ids_are_checked_through_the_cli_for_sync_plan_and_verify(
        harness_factory: HarnessFactory, write_workbook: WorkbookFactory, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness_factory(columns={**COLUMNS, "eta": "eta_gone"})
    write_workbook("GRE_a.xlsx", [order_row(1)])
    h.pipeline()
    monkeypatch.setenv("MONDAY_API_TOKEN", "x")
    h.serve_cli(monkeypatch)
    path = write_config(h.config, tmp_path)
    import ordersync.sync.engine as engine

    monkeypatch.setattr(engine, "make_client", lambda config, token, **kw: h.client())

    for command in (["sync"], ["plan"], ["verify"]):
        result = CliRunner().invoke(cli, [*command, "--config", str(path)])
        assert result.exit_code == 1, (command, result.output)
        assert "monday.columns.eta: column 'eta_gone' is not on board" in result.stderr
        assert "Traceback" not in result.stderr
    assert _mutations(h) == []

