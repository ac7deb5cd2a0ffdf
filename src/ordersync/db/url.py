"""Database URLs, read without SQLAlchemy: the config, ``status`` and an unchanged run need
only the URL's parts, and importing SQLAlchemy alone costs more than such a run may take.

The form is SQLAlchemy's, ``backend[+driver]://[user[:password]@][host][:port][/database][?query]``
(parsed with the same pattern): ``sqlite:///relative.db``, ``sqlite:////absolute.db``,
``sqlite://`` (in memory), ``postgresql://user@host:5432/db``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote

_PATTERN = re.compile(
    r"""
    (?P<scheme>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    """,
    re.X,
)


@dataclass(frozen=True)
class DatabaseURL:
    """The parts of a database URL (username and password percent-decoded)."""

    scheme: str  # backend[+driver]
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    query: str | None = None

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql`` (``postgres`` counts as ``postgresql``)."""
        name = self.scheme.split("+", 1)[0]
        return "postgresql" if name == "postgres" else name

    def with_database(self, database: str) -> DatabaseURL:
        return replace(self, database=database)

    def render(self, *, hide_password: bool = True) -> str:
        """The URL as text; with ``hide_password`` the password shows as ``***``."""
        text = f"{self.scheme}://"
        if self.username is not None:
            text += quote(self.username, safe="")
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(self.password, safe=""))
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + self.database
        if self.query is not None:
            text += "?" + (_hide_secrets(self.query) if hide_password else self.query)
        return text

    @property
    def query_password(self) -> bool:
        """Whether the query holds a password (``?password=…``, as libpq accepts one)."""
        return self.query is not None and _hide_secrets(self.query) != self.query


_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def _hide_secrets(query: str) -> str:
    """The query with the value of every password parameter shown as ``***``."""
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        hidden = equals and value and unquote(name).strip().lower() in _SECRET_PARAMETERS
        pairs.append(f"{name}=***" if hidden else pair)
    return "&".join(pairs)


def parse_url(url: str) -> DatabaseURL:
    """Parse ``url``; ``ValueError`` with the reason when it is not a database URL."""
    match = _PATTERN.fullmatch(url.strip())
    if match is None:
        raise ValueError(f"cannot parse {_shape(url)!r} as backend://… (for example "
                         "sqlite:///orders.db or postgresql://user@host:5432/db)")
    parts = match.groupdict()
    port = parts["port"] or None
    if port is not None and not port.isdigit():
        raise ValueError(f"the port {port!r} is not a number")
    username, password = parts["username"], parts["password"]
    if "@" in (parts["ipv4host"] or ""):
        # user:pa@ss@host: the driver would take "ss@host" for the host (and show it)
        raise ValueError("an '@' in the user name or password must be written %40")
    return DatabaseURL(
        scheme=parts["scheme"],
        username=unquote(username) if username is not None else None,
        password=unquote(password) if password is not None else None,
        host=parts["ipv6host"] or parts["ipv4host"] or None,
        port=int(port) if port is not None else None,
        database=parts["database"],
        query=parts["query"],
    )


def _shape(url: str) -> str:
    """``url`` without anything that could be a password, for an error message."""
    head, _, tail = url.partition("@")
    return f"{head.split(':', 1)[0]}:…@{tail}" if tail else url
