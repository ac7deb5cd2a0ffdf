"""monday's error wire format: what a client parses must look exactly like monday's."""

from __future__ import annotations

from ordersync.sandbox.errors import MondayError, response_body


def test_rate_limit_error_matches_mondays_current_format() -> None:
    error = MondayError("COMPLEXITY_BUDGET_EXHAUSTED", "Complexity budget exhausted",
                        http_status=429, retry_in_seconds=22)

    body = response_body("req-1", errors=[error], include_data=False)

    assert body == {"errors": [{"message": "Complexity budget exhausted",
                                "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED",
                                               "retry_in_seconds": 22}}],
                    "extensions": {"request_id": "req-1"}}


def test_alias_error_carries_its_path_beside_partial_data() -> None:
    error = MondayError("ColumnValueException", "invalid value", status_code=200,
                        error_data={"column_type": "numbers"}).at(["item_2"])

    body = response_body("req-2", data={"item_1": {"id": "11"}, "item_2": None},
                         errors=[error])

    assert body["data"] == {"item_1": {"id": "11"}, "item_2": None}
    assert body["errors"] == [{"message": "invalid value", "path": ["item_2"],
                               "extensions": {"code": "ColumnValueException",
                                              "status_code": 200,
                                              "error_data": {"column_type": "numbers"}}}]
    assert str(error) == "ColumnValueException: invalid value"
