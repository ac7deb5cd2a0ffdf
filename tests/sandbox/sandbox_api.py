"""A synchronous GraphQL client for sandbox tests (``Api``), over ``Sandbox.mock_transport``."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ordersync.sandbox import OrderBoard, Sandbox

AUTH = {"Authorization": "test-token", "API-Version": "2026-07"}

READ_BOARD = """query ($board: ID!, $limit: Int!) {
  boards(ids: [$board]) {
    columns { id title type settings_str }
    groups { id title }
    items_page(limit: $limit) {
      cursor
      items { id name state group { id } column_values { id text value }
              subitems { id name state column_values { id text value } } }
    }
  }
}"""
BY_IDS = """query ($ids: [ID!], $exclude: Boolean) {
  items(ids: $ids, exclude_nonactive: $exclude) { id name state group { id } }
}"""


class Api:
    def __init__(self, sandbox: Sandbox) -> None:
        self.client = httpx.Client(transport=sandbox.mock_transport(),
                                   base_url="https://api.monday.com", headers=AUTH)

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.client.post("/v2", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.gql(query, **variables)
        assert "errors" not in body, body["errors"]
        found: dict[str, Any] = body["data"]
        return found

    def error_code(self, query: str, **variables: Any) -> str:
        body = self.gql(query, **variables)
        assert body.get("errors"), body
        code: str = body["errors"][0]["extensions"]["code"]
        return code

    def create(self, board: OrderBoard, name: str, group: str | None = None,
               values: dict[str, Any] | None = None) -> str:
        found = self.data("""mutation ($b: ID!, $n: String!, $g: String, $v: JSON) {
            create_item(board_id: $b, item_name: $n, group_id: $g, column_values: $v) { id }
        }""", b=board.board_id, n=name, g=group, v=json.dumps(values or {}))
        item_id: str = found["create_item"]["id"]
        return item_id

    def subitem(self, parent: str, name: str) -> str:
        found = self.data("""mutation ($p: ID!, $n: String!) {
            create_subitem(parent_item_id: $p, item_name: $n) { id }
        }""", p=parent, n=name)
        item_id: str = found["create_subitem"]["id"]
        return item_id

    def group(self, board: OrderBoard, name: str) -> str:
        found = self.data("""mutation ($b: ID!, $n: String!) {
            create_group(board_id: $b, group_name: $n) { id }
        }""", b=board.board_id, n=name)
        group_id: str = found["create_group"]["id"]
        return group_id

    def page(self, board: OrderBoard, limit: int = 500) -> dict[str, Any]:
        page: dict[str, Any] = self.data(READ_BOARD, board=board.board_id,
                                         limit=limit)["boards"][0]
        return page

    def names(self, board: OrderBoard) -> list[str]:
        return [item["name"] for item in self.page(board)["items_page"]["items"]]

    def states(self, *ids: str, exclude: bool | None = None) -> dict[str, str]:
        found = self.data(BY_IDS, ids=list(ids), exclude=exclude)["items"]
        return {item["id"]: item["state"] for item in found}
