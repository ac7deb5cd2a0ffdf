"""monday.com's error wire format, as the sandbox returns it (API 2025-04 and later).

Application errors travel with HTTP 200 in ``errors[]``, each with
``extensions.code`` (and ``status_code`` / ``error_data`` where monday sends
them) and a ``path`` when they belong to one field or alias; transport-level and
rate-limit errors use their HTTP status.  Every response carries
``extensions.request_id``.  Sources: ``../shared/monday/API_NOTES.md`` §2.8, §5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MondayError(Exception):
    """One error as monday reports it.

    ``http_status`` is the status of the whole response when this error decides
    it (429, 401, 423, …); 200 for application errors, which share a response
    with partial data.
    """

    code: str
    message: str
    http_status: int = 200
    status_code: int | None = None  # extensions.status_code, where monday sends one
    error_data: dict[str, Any] | None = None
    retry_in_seconds: int | None = None
    path: tuple[str | int, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def at(self, path: Sequence[str | int]) -> MondayError:
        """The same error, attached to a field path (an alias of a mutation, say)."""
        return MondayError(self.code, self.message, self.http_status, self.status_code,
                           self.error_data, self.retry_in_seconds, tuple(path), self.extra)

    def to_payload(self) -> dict[str, Any]:
        """The ``errors[]`` entry."""
        extensions: dict[str, Any] = {"code": self.code}
        if self.status_code is not None:
            extensions["status_code"] = self.status_code
        if self.error_data is not None:
            extensions["error_data"] = self.error_data
        if self.retry_in_seconds is not None:
            extensions["retry_in_seconds"] = self.retry_in_seconds
        extensions.update(self.extra)
        payload: dict[str, Any] = {"message": self.message}
        if self.path is not None:
            payload["path"] = list(self.path)
        payload["extensions"] = extensions
        return payload


def response_body(request_id: str, *, data: Any = None, errors: Sequence[MondayError] = (),
                  include_data: bool = True) -> dict[str, Any]:
    """A whole response body: ``data`` (possibly partial), ``errors``, ``extensions``."""
    body: dict[str, Any] = {}
    if include_data:
        body["data"] = data
    if errors:
        body["errors"] = [e.to_payload() for e in errors]
    body["extensions"] = {"request_id": request_id}
    return body
