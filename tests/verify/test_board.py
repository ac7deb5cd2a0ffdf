"""Reading the board back: a refused next page starts over, an item is kept once, and a read
short of the whole board raises instead of passing for the board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ordersync.errors import FatalSyncError
from ordersync.monday.wire import ErrorKind, GraphQLResult, MondayRequestRejected, WireError
from ordersync.verify.board import read_board


def item(number: int) -> dict[str, Any]:
    return {"id": str(number), "name": f"PO-{number}", "group": {"id": "g"},
            "column_values": [], "subitems": []}


def first(*numbers: int, cursor: str | None = None) -> dict[str, Any]:
    return {"boards": [{"id": "1", "groups": [{"id": "g", "title": "G"}],
                        "items_page": {"cursor": cursor, "items": [item(n) for n in numbers]}}]}


def following(*numbers: int, cursor: str | None = None) -> dict[str, Any]:
    return {"next_items_page": {"cursor": cursor, "items": [item(n) for n in numbers]}}


EXPIRED = MondayRequestRejected(WireError(ErrorKind.REQUEST, "CursorException", "expired"))


class Scripted:
    """A client answering each request with the next scripted answer (data or exception)."""

    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)
        self.queries: list[str] = []

    def execute(self, query: str, variables: dict[str, Any] | None = None,
                **_: Any) -> GraphQLResult:
        self.queries.append("next" if "next_items_page" in query else "first")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return GraphQLResult(data=answer)


def ids(client: Scripted) -> list[str]:
    return [i.id for i in read_board(client, "1", [], []).items]  # type: ignore[arg-type]


def test_an_expired_cursor_starts_the_read_over_and_every_item_is_read() -> None:
    client = Scripted(first(1, 2, cursor="a"), EXPIRED, first(1, 2, cursor="b"),
                      following(3, 4))
    assert ids(client) == ["1", "2", "3", "4"]
    assert client.queries == ["first", "next", "first", "next"]


def test_an_item_shown_on_two_pages_is_read_once() -> None:
    client = Scripted(first(1, 2, cursor="a"), following(2, 3))
    assert ids(client) == ["1", "2", "3"]


def test_a_cursor_refused_again_and_again_raises() -> None:
    client = Scripted(first(1, cursor="a"), EXPIRED, first(1, cursor="a"), EXPIRED,
                      first(1, cursor="a"), EXPIRED)
    with pytest.raises(MondayRequestRejected):
        ids(client)


@pytest.mark.parametrize("answer", [
    lambda: {"boards": []},
    lambda: {"boards": [{"id": "1", "groups": [], "items_page": None}]},
    lambda: {"next_items_page": None},
], ids=["no-board", "no-first-page", "no-next-page"])
def test_a_read_short_of_the_board_raises(answer: Callable[[], dict[str, Any]]) -> None:
    script: list[dict[str, Any] | Exception] = [answer()]
    if "next_items_page" in script[0]:
        script.insert(0, first(1, cursor="a"))
    with pytest.raises(FatalSyncError):
        ids(Scripted(*script))
