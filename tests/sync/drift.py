"""What planners do to a board by hand, sent through the API as monday takes it (issue #8).

Each edit is one GraphQL mutation through a ``MondayClient`` (in-process sandbox or a
sandbox server); a refused edit fails the test that made it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from ordersync.monday.client import MondayClient
from ordersync.sandbox import OrderBoard


def _run(client: MondayClient, query: str, **variables: Any) -> dict[str, Any]:
    """One edit; a server fault is tried again, as a person would (an edit the fault had
    applied anyway then finds its item or group gone, which is what was wanted)."""
    for attempt in range(5):
        result = client.execute(query, variables)
        if result.errors and all(e.is_server_fault for e in result.errors):
            continue
        if attempt and result.errors and all("NotFound" in e.code or "not found" in e.message
                                              for e in result.errors):
            return {}
        assert not result.errors, result.errors
        return result.data or {}
    raise AssertionError(f"an edit met server faults 5 times: {result.errors}")


def delete_item(client: MondayClient, item_id: str) -> None:
    _run(client, "mutation ($i: ID!) { delete_item(item_id: $i) { id } }", i=item_id)


def archive_item(client: MondayClient, item_id: str) -> None:
    _run(client, "mutation ($i: ID!) { archive_item(item_id: $i) { id } }", i=item_id)


def move_item(client: MondayClient, item_id: str, group_id: str) -> None:
    _run(client, "mutation ($i: ID!, $g: String!) { move_item_to_group(item_id: $i, "
                 "group_id: $g) { id } }", i=item_id, g=group_id)


def change_values(client: MondayClient, board_id: str, item_id: str,
                  values: dict[str, Any]) -> None:
    _run(client, "mutation ($b: ID!, $i: ID!, $v: JSON!) { change_multiple_column_values("
                 "board_id: $b, item_id: $i, column_values: $v, create_labels_if_missing: "
                 "true) { id } }", b=board_id, i=item_id, v=json.dumps(values))


def delete_group(client: MondayClient, board_id: str, group_id: str) -> None:
    _run(client, "mutation ($b: ID!, $g: String!) { delete_group(board_id: $b, "
                 "group_id: $g) { id } }", b=board_id, g=group_id)


def duplicate_item(client: MondayClient, board_id: str, item_id: str) -> str:
    data = _run(client, "mutation ($b: ID!, $i: ID!) { duplicate_item(board_id: $b, "
                        "item_id: $i) { id } }", b=board_id, i=item_id)
    return str(data["duplicate_item"]["id"])


def create_item(client: MondayClient, board_id: str, name: str, values: dict[str, Any]) -> str:
    data = _run(client, "mutation ($b: ID!, $n: String!, $v: JSON) { create_item(board_id: $b, "
                        "item_name: $n, column_values: $v) { id } }",
                b=board_id, n=name, v=json.dumps(values))
    return str(data["create_item"]["id"])


def create_subitem(client: MondayClient, parent_id: str, name: str,
                   values: dict[str, Any]) -> str:
    data = _run(client, "mutation ($p: ID!, $n: String!, $v: JSON) { create_subitem("
                        "parent_item_id: $p, item_name: $n, column_values: $v, "
                        "create_labels_if_missing: true) { id } }",
                p=parent_id, n=name, v=json.dumps(values))
    return str(data["create_subitem"]["id"])


@dataclass
class Planner:
    """Random human edits on a board snapshot (``Sandbox.board``-shaped)."""

    rng: random.Random
    ids: OrderBoard

    def edit(self, client: MondayClient, board: dict[str, Any], n: int) -> list[str]:
        """``n`` random edits (delete / archive / move an item, change a value or a quantity,
        delete a subitem or a whole group); what was done, for a failure message."""
        done: list[str] = []
        items = [(g["id"], i) for g in board["groups"] for i in g["items"]]
        groups = [g["id"] for g in board["groups"]]
        touched: set[str] = set()
        for _ in range(n):
            free = [(g, i) for g, i in items if i["id"] not in touched]
            if not free:
                break
            group, item = self.rng.choice(free)
            touched.add(item["id"])
            kind = self.rng.choice(["delete", "archive", "move", "value", "qty", "subitem",
                                    "group"])
            if kind == "group":
                seasons = [g for g in board["groups"]  # not one this call already deleted
                           if g["id"] in groups and g["items"] and g["id"] != "topics"]
                if len(seasons) < 2:
                    continue
                gone = self.rng.choice(seasons)
                delete_group(client, self.ids.board_id, gone["id"])
                touched.update(i["id"] for i in gone["items"])
                items = [(g, i) for g, i in items if g != gone["id"]]
                groups = [g for g in groups if g != gone["id"]]
                done.append(f"delete group {gone['title']}")
                continue
            if kind == "delete":
                delete_item(client, item["id"])
            elif kind == "archive":
                archive_item(client, item["id"])
            elif kind == "move" and len(groups) > 1:
                move_item(client, item["id"], self.rng.choice([x for x in groups if x != group]))
            elif kind == "value":
                change_values(client, self.ids.board_id, item["id"],
                              {self.ids.quantity: str(self.rng.randint(1000, 2000)),
                               self.ids.status: {"label": "Stuck"}})
            elif kind == "qty" and item["subitems"]:
                sub = self.rng.choice(item["subitems"])
                change_values(client, self.ids.subitems_board_id, sub["id"],
                              {self.ids.order_qty: str(self.rng.randint(500, 900))})
            elif kind == "subitem" and item["subitems"]:
                delete_item(client, self.rng.choice(item["subitems"])["id"])
            else:
                continue
            done.append(f"{kind} {item['name']}")
        return done


def move_to_board(client: MondayClient, item_id: str, board_id: str, group_id: str) -> None:
    """A person moving an item to another board (ids and subitems kept)."""
    _run(client, "mutation ($b: ID!, $g: ID!, $i: ID!) { move_item_to_board(board_id: $b, "
                 "group_id: $g, item_id: $i) { id } }", b=board_id, g=group_id, i=item_id)
