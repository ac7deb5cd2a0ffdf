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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")


def normalize_header(raw: object) -> str:
    """Strip, collapse inner whitespace (incl. non-breaking spaces and newlines), drop the
    characters that show as nothing (zero-width spaces and joiners, a byte-order mark, a
    soft hyphen: a header holding one looks right and matches nothing), upper-case."""
    if raw is None:
        return ""
    text = str(raw).replace("\u00a0", " ").translate(_INVISIBLE)
    return _WHITESPACE.sub(" ", text).strip().upper()


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


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


def season_fields(template: NameTemplate, customer: str) -> tuple[tuple[str, ...], ...]:
    """A group template's fields other than the customer's (the season, in the default
    template), each as its fall-back columns."""
    return tuple(part.columns for part in template.parts
                 if isinstance(part, TemplateField) and customer not in part.columns)


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


# --- canonical customer and season names ------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NOT_ALNUM = re.compile(r"[\W_]+")
PATTERN_PREFIX = "re:"


def name_key(raw: object) -> str:
    """The form names are compared in: case, spaces, apostrophes and punctuation ignored
    (``B'Hood`` = ``B’HOOD`` = ``bhood``), ``&`` read as AND."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).translate(_QUOTES).upper()
    return _NOT_ALNUM.sub("", text.replace("&", " AND "))


def name_map_problems(section: str, mapping: dict[str, list[str]]) -> list[str]:
    """Why a canonical → spellings table is unusable (a spelling claimed twice, a bad pattern)."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for canonical, spellings in mapping.items():
        if not name_key(canonical):
            problems.append(f"{section}: {canonical!r} is not a name")
        for spelling in [canonical, *spellings]:
            if spelling.startswith(PATTERN_PREFIX):
                try:
                    re.compile(spelling[len(PATTERN_PREFIX):])
                except re.error as exc:
                    problems.append(f"{section}.{canonical}: bad pattern {spelling!r} ({exc})")
                continue
            key = name_key(spelling)
            if key in owner and owner[key] != canonical:
                problems.append(f"{section}: {spelling!r} is listed under both {owner[key]!r} "
                                f"and {canonical!r}")
            owner.setdefault(key, canonical)
    return problems


@dataclass(frozen=True)
class NameMap:
    """Spellings → canonical names: exact keys (see :func:`name_key`) and full-match patterns."""

    keys: dict[str, str]
    patterns: tuple[tuple[re.Pattern[str], str], ...] = ()

    @classmethod
    def build(cls, mapping: dict[str, list[str]], extra: dict[str, str] | None = None
              ) -> NameMap:
        keys = {name_key(spelling): canonical for spelling, canonical in (extra or {}).items()}
        patterns = []
        for canonical, spellings in mapping.items():
            for spelling in [canonical, *spellings]:
                if spelling.startswith(PATTERN_PREFIX):
                    patterns.append((re.compile(spelling[len(PATTERN_PREFIX):],
                                                re.IGNORECASE), canonical))
                else:
                    keys[name_key(spelling)] = canonical
        return cls(keys, tuple(patterns))

    def canonical(self, raw: str | None) -> str | None:
        """The canonical name ``raw`` is a spelling of, or None when none is configured."""
        if raw is None:
            return None
        found = self.keys.get(name_key(raw))
        if found is not None or not self.patterns:
            return found
        text = _WHITESPACE.sub(" ", raw).strip()
        return next((name for pattern, name in self.patterns if pattern.fullmatch(text)), None)


# --- names that look alike --------------------------------------------------------------------

_LEGAL_SUFFIX = re.compile(r"(LTD|LIMITED|INC|LLC|CO|CORP|GMBH|PLC|BV|SA|SRL)$")
_SEASON_YEAR = re.compile(r"(?:20)?(\d{2})\D*$")
_SPRING = ("SS", "SP", "SPRING", "SUMMER", "S")
_AUTUMN = ("AW", "FW", "FA", "FALL", "AUTUMN", "WINTER", "HOLIDAY", "HOL", "HO", "F", "H", "W")


def customer_likeness(name: str) -> str:
    """Customers that probably are one: same key once a legal suffix (Ltd, Inc…) is dropped."""
    key = name_key(name)
    return _LEGAL_SUFFIX.sub("", key) or key


def season_likeness(season: str) -> str:
    """Seasons that probably are one: SS 2026, SPRING 2026, SP26 → SS26; F25, FALL 2025 → AW25."""
    key = name_key(season)
    year = _SEASON_YEAR.search(key)
    if year is None:
        return key
    word = key[: year.start()]
    for family, words in (("SS", _SPRING), ("AW", _AUTUMN)):
        if word in words:
            return family + year.group(1)
    return key


@dataclass(frozen=True)
class LookAlike:
    """Groups whose customer and season look the same but whose names differ."""

    customer: str
    season: str
    groups: tuple[str, ...]
    config_lines: tuple[str, ...]  # what would merge them

    def __str__(self) -> str:
        return (f"{len(self.groups)} groups look like one customer's one season: "
                f"{', '.join(repr(g) for g in self.groups)} — to merge them add "
                + "; ".join(self.config_lines))


def look_alikes(rows: Iterable[tuple[str | None, str | None, str | None]]
                ) -> tuple[LookAlike, ...]:
    """Clusters of (customer, season, group name) rows with one likeness but several groups."""
    clusters: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    for customer, season, group in rows:
        if group is None:
            continue
        likeness = (customer_likeness(customer or ""), season_likeness(season or ""))
        clusters.setdefault(likeness, {}).setdefault(group, (customer or "", season or ""))
    found = []
    for (_, season_like), groups in clusters.items():
        if len(groups) < 2:
            continue
        customers = sorted({c for c, _ in groups.values()}, key=lambda c: (len(c), c))
        seasons = sorted({s for _, s in groups.values()},
                         key=lambda s: (name_key(s) != season_like, len(s), s))
        lines = []
        if len(customers) > 1:
            lines.append(_toml_line("customers", customers))
        if len(seasons) > 1:
            lines.append(_toml_line("seasons", seasons))
        found.append(LookAlike(customers[0], seasons[0], tuple(sorted(groups)), tuple(lines)))
    return tuple(sorted(found, key=lambda f: f.groups))


def _toml_line(section: str, spellings: list[str]) -> str:
    canonical, *others = spellings
    return f"under [{section}]: {_quote(canonical)} = [{', '.join(_quote(s) for s in others)}]"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
