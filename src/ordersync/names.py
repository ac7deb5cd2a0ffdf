"""Header names and name templates: one normal form for every column name.

Headers from spreadsheets and column names in the config pass through
:func:`normalize_header`, so ``"  Customer   Style "`` and ``"CUSTOMER STYLE"``
are the same column everywhere.  Group and item names are rendered from
templates such as ``"{CUSTOMER} {CUSTOMER SEASON|AAG SEASON}"``: each field
names a column, ``|`` separates fall-backs used when the earlier column is blank.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")


def normalize_header(raw: object) -> str:
    """Strip, collapse inner whitespace (incl. non-breaking spaces and newlines), upper-case."""
    if raw is None:
        return ""
    return _WHITESPACE.sub(" ", str(raw).replace("\u00a0", " ")).strip().upper()


@dataclass(frozen=True)
class TemplateField:
    """One ``{A|B}`` field: the columns to try in order."""

    columns: tuple[str, ...]


@dataclass(frozen=True)
class NameTemplate:
    """A parsed name template: literal text and fields, in order."""

    source: str
    parts: tuple[str | TemplateField, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the template may read, in order of first use."""
        seen: dict[str, None] = {}
        for part in self.parts:
            if isinstance(part, TemplateField):
                for column in part.columns:
                    seen.setdefault(column, None)
        return tuple(seen)


def parse_template(source: str) -> NameTemplate:
    """Parse ``source``; raise ``ValueError`` with the reason if it is malformed."""
    parts: list[str | TemplateField] = []
    try:
        parsed = list(string.Formatter().parse(source))
    except ValueError as exc:
        raise ValueError(f"malformed template {source!r}: {exc}") from exc
    for literal, field, spec, conversion in parsed:
        if literal:
            parts.append(literal)
        if field is None:
            continue
        if spec or conversion:
            raise ValueError(
                f"template {source!r}: field {{{field}}} may not carry ':' or '!' "
                "(write plain column names, separated by '|' for fall-backs)"
            )
        columns = tuple(normalize_header(c) for c in field.split("|"))
        if not all(columns):
            raise ValueError(f"template {source!r}: empty column name in {{{field}}}")
        parts.append(TemplateField(columns))
    if not any(isinstance(p, TemplateField) for p in parts):
        raise ValueError(f"template {source!r} names no column, e.g. '{{AAG ORDER NUMBER}}'")
    return NameTemplate(source, tuple(parts))
