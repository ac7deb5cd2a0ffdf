"""The board after drift and `verify --repair` holds what the workbooks say (issue #8).

The check is against the sample-data generator's own orders — what it wrote into the
workbooks, typo rows left out (the product rejects them), the last row of a repeated key
kept — not against the database the pipeline produced.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

from ordersync.config import config_from_dict
from ordersync.db import open_database
from ordersync.demo import demo_config
from ordersync.names import normalize_header
from ordersync.pipeline import run_pipeline
from ordersync.sample_data import SampleDataSet, generate_sample_data
from ordersync.sample_data.generator import customer_files
from ordersync.sandbox import FakeClock, Sandbox
from ordersync.sync import SyncOptions, make_client, run_sync
from ordersync.verify import VerifyOptions, run_verify
from sync import drift
from sync.conftest import TOKEN, monday_table

IDENTITY_JOIN = " | "


def true_orders(dataset: SampleDataSet) -> dict[str, dict[str, Any]]:
    """identity → {"cancelled", "sizes": {label: qty}} for every order the files hold (size
    labels as headers are compared: upper case, single spaces)."""
    record = dataset.generation
    assert record is not None
    rows: list[tuple[str, int, Any]] = []
    for plan, share in zip(record.plans, record.orders, strict=True):
        for content in customer_files(plan, share, record.seed):
            rows += [(content.name, i, entry) for i, entry in enumerate(content.entries)
                     if entry is not None]
    last: dict[tuple[str, str, str], Any] = {}
    for _, _, entry in sorted(rows, key=lambda r: (r[0], r[1])):
        last[entry.key] = entry
    return {IDENTITY_JOIN.join(key): {"cancelled": row.cancelled, "sizes": {
        normalize_header(label): qty for label, qty in row.sizes}}
            for key, row in last.items() if row.typo is None}


def test_after_drift_and_repair_the_board_is_what_the_workbooks_say(
        tmp_path: Path, db_settings: dict[str, Any]) -> None:
    dataset = generate_sample_data(tmp_path / "orders", customers=3, orders=90, seed=11)
    clock = FakeClock()
    sandbox = Sandbox(plan="enterprise", clock=clock, blocking_sleep=clock.advance)
    ids = sandbox.create_order_board()
    data = demo_config(dataset)
    data["database"] = dict(db_settings)
    data["monday"] = monday_table(ids)
    config = config_from_dict(data, base_dir=tmp_path)
    db = open_database(config)

    def client() -> Any:
        return make_client(config, TOKEN, transport=sandbox.mock_transport(),
                           sleep=clock.advance, clock=clock.now)

    try:
        run_pipeline(config, db)
        with client() as c:
            first = run_sync(config, db, c, options=SyncOptions(), clock=clock.now,
                             sleep=clock.advance)
        assert first.counts["failed"] == 0
        board = sandbox.board(ids.board_id)
        with client() as c:
            done = drift.Planner(random.Random(5), ids).edit(c, board, 12)
        assert len(done) >= 8

        with client() as c:
            result = run_verify(config, db, c, options=VerifyOptions(repair=True),
                                clock=clock.now, sleep=clock.advance)

        assert not result.found.equal and result.final.equal, (done, result.final.counts)
        truth = true_orders(dataset)
        items = [i for g in sandbox.board(ids.board_id)["groups"] for i in g["items"]]
        shown = Counter(i["values"][ids.identity] for i in items)
        assert all(n == 1 for n in shown.values()), "duplicate items"
        live = {k: v for k, v in truth.items() if not v["cancelled"]}
        assert set(shown) == set(live)
        for item in items:
            order = live[item["values"][ids.identity]]
            subitems = {s["name"]: int(s["values"][ids.order_qty]) for s in item["subitems"]}
            assert subitems == order["sizes"], item["name"]
            assert int(item["values"][ids.quantity]) == sum(order["sizes"].values())
            assert item["values"][ids.status] == "Working on it"
    finally:
        db.dispose()
