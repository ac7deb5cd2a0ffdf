"""A sandbox board, a config pointing at it, and a check that the board mirrors the database."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from conftest import BASE_HEADERS, ConfigFactory, fetch
from ordersync.config import Config
from ordersync.db import Database, open_database
from ordersync.monday.client import MondayClient
from ordersync.pipeline import run_pipeline
from ordersync.sandbox import FakeClock, OrderBoard, Sandbox
from ordersync.sync import SyncOptions, SyncReport, make_client, run_sync
from ordersync.sync.columns import identity_text

TOKEN = "sandbox-token"


def monday_table(ids: OrderBoard, **extra: Any) -> dict[str, Any]:
    """The [monday] table for a sandbox order board (as `--create-board` prints it, minus
    the notes column, which the test orders do not have)."""
    return {"api_url": "https://sandbox.test/v2", "board_id": ids.board_id,
            "subitems_board_id": ids.subitems_board_id,
            "columns": {"identity": ids.identity, "customer": ids.customer,
                        "quantity": ids.quantity, "eta": ids.eta, "status": ids.status,
                        "delivery": ids.delivery, "subitems": ids.subitems},
            "subitem_columns": {"size": ids.size, "order_qty": ids.order_qty,
                                "line_status": ids.line_status}, **extra}


@dataclass
class Harness:
    """One sandbox account with an order board, and ordersync configured for it."""

    sandbox: Sandbox
    clock: FakeClock
    ids: OrderBoard
    config: Config
    db: Database
    sent: list[dict[str, Any]] = field(default_factory=list)
    """Every request body the client sent (query, variables), in order."""

    threads: set[int] = field(default_factory=set)
    """The threads requests were sent from."""

    def transport(self) -> httpx.BaseTransport:
        """The in-process sandbox, one request at a time (it is not thread-safe; uvicorn
        serialises requests the same way), recording each body and its thread."""
        inner = self.sandbox.mock_transport()
        sent, threads, lock = self.sent, self.threads, threading.Lock()

        class Recording(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                with lock:
                    sent.append(json.loads(request.read()))
                    threads.add(threading.get_ident())
                    return inner.handle_request(request)

        return Recording()

    def client(self, **kwargs: Any) -> MondayClient:
        return make_client(self.config, TOKEN, transport=self.transport(),
                           sleep=self.clock.advance, clock=self.clock.now, **kwargs)

    def serve_cli(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Commands run through ``cli`` reach this sandbox (in-process) instead of the
        config's api_url."""
        import ordersync.sync

        monkeypatch.setattr(ordersync.sync, "make_client",
                            lambda config, token, **kwargs: self.client())

    def sync(self, **options: Any) -> SyncReport:
        with self.client() as client:
            return run_sync(self.config, self.db, client, options=SyncOptions(**options),
                            clock=self.clock.now, sleep=self.clock.advance)

    def pipeline(self) -> None:
        run_pipeline(self.config, self.db)

    def board(self) -> dict[str, Any]:
        return self.sandbox.board(self.ids.board_id)

    def items(self) -> list[dict[str, Any]]:
        return [item for group in self.board()["groups"] for item in group["items"]]


@pytest.fixture
def harness_factory(make_config: ConfigFactory) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def factory(*, plan: str = "enterprise", faults: Any = None,
                **monday: Any) -> Harness:
        clock = FakeClock()
        sandbox = Sandbox(plan=plan, clock=clock, faults=faults,
                          blocking_sleep=clock.advance, drop_seconds=65.0)
        ids = sandbox.create_order_board()
        config = make_config(monday=monday_table(ids, **monday))
        harness = Harness(sandbox, clock, ids, config, open_database(config))
        made.append(harness)
        return harness

    yield factory
    for harness in made:
        harness.db.dispose()


@pytest.fixture
def harness(harness_factory: Callable[..., Harness]) -> Harness:
    return harness_factory()


def board_problems(h: Harness) -> list[str]:
    """How the board differs from the database: one item per order with an item, one
    subitem per line the board should show, values equal; no duplicates anywhere."""
    problems: list[str] = []
    items = h.items()
    ids = h.ids
    group_of = {item["id"]: group["title"] for group in h.board()["groups"]
                for item in group["items"]}
    by_identity: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_identity.setdefault(item["values"][ids.identity], []).append(item)
    for identity, found in by_identity.items():
        if len(found) > 1:
            problems.append(f"{len(found)} items for {identity!r}")
    orders = fetch(h.db, "SELECT record_uuid, business_key, item_name, group_name, "
                   "monday_item_id, is_cancelled, sync_state FROM orders")
    lines = fetch(h.db, "SELECT record_uuid, size_code, qty, monday_subitem_id, sync_action, "
                  "sync_state FROM order_lines")
    lines_of: dict[str, list[Any]] = {}
    for line in lines:
        lines_of.setdefault(line.record_uuid, []).append(line)
    seen_items = set()
    for order in orders:
        identity = identity_text(order.business_key)
        found = by_identity.get(identity, [])
        if order.sync_state != "SYNCED":
            problems.append(f"order {order.item_name} is {order.sync_state}")
        if order.is_cancelled and order.monday_item_id is None:
            if found:
                problems.append(f"cancelled-before-sync order {order.item_name} is on the board")
            continue
        if not found:
            problems.append(f"order {order.item_name} has no item")
            continue
        item = found[0]
        seen_items.add(item["id"])
        if item["id"] != order.monday_item_id:
            problems.append(f"order {order.item_name}: item {item['id']} but database says "
                            f"{order.monday_item_id}")
        if item["name"] != order.item_name:
            problems.append(f"item {item['id']} is named {item['name']!r}")
        if order.group_name is not None and group_of[item["id"]] != order.group_name:
            problems.append(f"item {item['name']} is in group {group_of[item['id']]!r}, "
                            f"not {order.group_name!r}")
        expected_status = "Cancelled" if order.is_cancelled else "Working on it"
        if item["values"][ids.status] != expected_status:
            problems.append(f"item {item['name']} status {item['values'][ids.status]!r}")
        subs = Counter(s["name"] for s in item["subitems"])
        for name, n in subs.items():
            if n > 1:
                problems.append(f"item {item['name']} has {n} subitems {name!r}")
        sub_by_name = {s["name"]: s for s in item["subitems"]}
        for line in lines_of.get(order.record_uuid, []):
            if line.sync_state != "SYNCED":
                problems.append(f"line {order.item_name}/{line.size_code} is {line.sync_state}")
            sub = sub_by_name.pop(line.size_code, None)
            if sub is None:
                if line.qty > 0 or line.monday_subitem_id is not None:
                    problems.append(f"line {order.item_name}/{line.size_code} has no subitem")
                continue
            if sub["id"] != line.monday_subitem_id:
                problems.append(f"line {order.item_name}/{line.size_code}: subitem id differs")
            if sub["values"][ids.order_qty] != str(line.qty):
                problems.append(f"line {order.item_name}/{line.size_code}: board qty "
                                f"{sub['values'][ids.order_qty]!r}, database {line.qty}")
        for name in sub_by_name:
            problems.append(f"item {item['name']} has a subitem {name!r} the database lacks")
    for item in items:
        if item["id"] not in seen_items:
            problems.append(f"item {item['name']} ({item['id']}) belongs to no order")
    return problems


def duplicates(h: Harness) -> list[str]:
    """Duplicate items per identity, subitems per name under one item, groups per title."""
    board = h.board()
    found = []
    for title, n in Counter(g["title"] for g in board["groups"]).items():
        if n > 1:
            found.append(f"{n} groups titled {title!r}")
    items = h.items()
    for identity, n in Counter(i["values"][h.ids.identity] for i in items).items():
        if n > 1:
            found.append(f"{n} items for {identity!r}")
    for item in items:
        for name, n in Counter(s["name"] for s in item["subitems"]).items():
            if n > 1:
                found.append(f"item {item['name']} has {n} subitems {name!r}")
    return found


def truth_problems(h: Harness, rows: list[dict[str, Any]]) -> list[str]:
    """How the board differs from what the workbook rows say (the generator's truth, not
    the database): one item per order in its customer-season group with its status and
    ETA, one subitem per size with a quantity, nothing else on the board."""
    problems: list[str] = []
    ids = h.ids
    seen: set[str] = set()
    placed = [(group["title"], item) for group in h.board()["groups"] for item in group["items"]]
    for row in rows:
        identity = " | ".join(str(row[k]) for k in ("AAG ORDER NUMBER",
                                                    "PLANNED DELIVERY METHOD",
                                                    "CUSTOMER STYLE"))
        found = [(g, i) for g, i in placed if i["values"][ids.identity] == identity]
        if len(found) != 1:
            problems.append(f"{identity}: {len(found)} items on the board")
            continue
        group, item = found[0]
        seen.add(item["id"])
        if group != f"{row['CUSTOMER']} {row['CUSTOMER SEASON']}":
            problems.append(f"{identity}: in group {group!r}")
        cancelled = row["ORDER TYPE"] == "CANCELLED"
        if item["values"][ids.status] != ("Cancelled" if cancelled else "Working on it"):
            problems.append(f"{identity}: status {item['values'][ids.status]!r}")
        if item["values"][ids.eta] != row["ETA"]:
            problems.append(f"{identity}: ETA {item['values'][ids.eta]!r}, file {row['ETA']}")
        sizes = {k: v for k, v in row.items() if k not in BASE_HEADERS and k != "TOTAL QTY"}
        want = {k: "0" if cancelled else str(v) for k, v in sizes.items() if v}
        have = Counter(s["name"] for s in item["subitems"])
        if any(n > 1 for n in have.values()):
            problems.append(f"{identity}: duplicate subitems {have}")
        shown = {s["name"]: s["values"][ids.order_qty] for s in item["subitems"]}
        if shown != want:
            problems.append(f"{identity}: subitems {shown}, file {want}")
    problems += [f"item {i['name']} ({i['id']}) is in no file" for _, i in placed
                 if i["id"] not in seen]
    return problems
