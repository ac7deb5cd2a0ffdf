"""Board lookups (``monday.boards``): groups as monday may list them."""

from __future__ import annotations

import json

import httpx

from ordersync.monday.boards import active_group_ids, find_groups
from ordersync.monday.client import MondayClient


def _client(groups: list[dict[str, object]]) -> MondayClient:
    def answer(request: httpx.Request) -> httpx.Response:
        assert "archived" in json.loads(request.read())["query"]
        return httpx.Response(200, json={"data": {"boards": [{"groups": groups}]},
                                         "extensions": {"request_id": "r1"}})

    return MondayClient("token", transport=httpx.MockTransport(answer))


def test_archived_and_deleted_groups_are_neither_adopted_nor_counted_as_there() -> None:
    # whether monday lists them is not documented: a group adopted by title that takes no
    # item, or a dead group taken for a live one, would send every create into it forever
    client = _client([
        {"id": "old", "title": "ACME SS26", "archived": True, "deleted": False},
        {"id": "gone", "title": "ACME AW25", "archived": False, "deleted": True},
        {"id": "new", "title": "ACME SS26", "archived": False, "deleted": False}])

    assert find_groups(client, "1") == {"ACME SS26": "new"}
    assert active_group_ids(client, "1") == {"new"}
