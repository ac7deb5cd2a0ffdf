"""Structured logs: one JSON object a line, for every stage and every monday.com request.

``configure_logging(path)`` attaches a file handler to the ``ordersync`` logger
(``--log-file PATH`` or ``[logging] file``).  Each line holds ``ts`` (UTC, ISO),
``level``, ``logger``, ``message`` and the record's structured fields (``event``,
counts, request id, complexity…).  The monday.com token never reaches the file:
the client never logs it, and a filter replaces the value of ``MONDAY_API_TOKEN``
(and anything shaped like an ``Authorization`` header) wherever it would appear.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = "ordersync"
REDACTED = "[redacted]"
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "taskName"}
_AUTH_HEADER = re.compile(r"(authorization['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+", re.IGNORECASE)


class JsonLines(logging.Formatter):
    """A record as one line of JSON: the standard fields plus its ``extra`` ones."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactSecrets(logging.Filter):
    """Replace the API token (read from the environment at each record) and any
    ``Authorization`` value in a record's message and fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secrets()
        record.msg = redact(record.getMessage(), *secrets)
        record.args = ()
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value, *secrets))
        if record.exc_info and not record.exc_text:  # a traceback may quote a secret too
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info),
                                     *secrets)
        return True


def _secrets() -> list[str]:
    """The secrets the environment holds: the API token, and the database password (in
    ``ORDERSYNC_DATABASE_URL`` or ``PGPASSWORD``: the config refuses one)."""
    from ordersync.db.url import parse_url
    from ordersync.monday.wire import TOKEN_ENV  # httpx: only when a record is logged

    found = [os.environ.get(TOKEN_ENV, "").strip(), os.environ.get("PGPASSWORD", "")]
    with contextlib.suppress(ValueError):  # not a URL: said where it is used
        found.append(parse_url(os.environ.get("ORDERSYNC_DATABASE_URL", "")).password or "")
    return [secret for secret in found if secret]


def redact(text: str, *secrets: str | None) -> str:
    """``text`` without the secrets (the token, wherever it stands on its own: a short token
    such as the sandbox's ``x`` is no longer cut out of ``.xlsx`` and ``Excel``) or an
    Authorization header's value."""
    for secret in secrets:
        if secret:
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", REDACTED, text)
    return _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)


_handler: logging.Handler | None = None


def configure_logging(path: Path | None, level: str = "INFO") -> None:
    """Write ordersync's log records to ``path`` as JSON lines (None: stop writing)."""
    global _handler
    logger = logging.getLogger(ROOT)
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
        _handler = None
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLines())
    handler.addFilter(RedactSecrets())
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(min(logger.level or logging.WARNING, logging.getLevelName(level)))
    _handler = handler


def log_event(logger: logging.Logger, event: str, message: str, *, level: int = logging.INFO,
              exc_info: BaseException | None = None, **fields: Any) -> None:
    """One record (INFO unless ``level`` says otherwise) with ``event`` and ``fields`` as
    structured fields, and ``exc_info``'s traceback if given.

    A WARNING or an ERROR is dropped when no handler is configured anywhere: Python's
    last-resort handler would print it on stderr, beside what the command prints itself.
    """
    if level >= logging.WARNING and not logger.hasHandlers():
        return
    logger.log(level, message, exc_info=exc_info, extra={"event": event, **fields})
