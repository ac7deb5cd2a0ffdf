"""Size label families used for the size columns of generated order lists.

This module owns the built-in size families (letter, numeric, waist×inseam,
bra, baby, toddler, kids, one-size, …), the classification of an externally
supplied list of size labels into the same families, and the choice of which
sizes of a family one order fills.  Labels are kept exactly as written (mixed
case such as ``One_Size`` or ``0w`` included); the order of a family is the
order of its labels in the source list.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SizeFamily:
    """A named, ordered run of size labels (e.g. ``letter``: XXS … 4XL)."""

    name: str
    labels: tuple[str, ...]


_WAISTS = (28, 29, 30, 31, 32, 33, 34, 36, 38, 40)
_INSEAMS = (30, 32, 34)
_BANDS = (30, 32, 34, 36, 38, 40)
_CUPS = ("B", "C", "D", "DD", "DDD")

BUILTIN_FAMILIES: tuple[SizeFamily, ...] = (
    SizeFamily("letter", ("XXXS", "XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL")),
    SizeFamily("letter_combo", ("XXS/XS", "XS/S", "S/M", "M/L", "L/XL", "XL/XXL", "XXL/3XL")),
    SizeFamily("plus", ("1X", "2X", "3X", "4X")),
    SizeFamily("plus_w", ("14w", "16w", "18w", "20w", "22w", "24w")),
    SizeFamily("numeric", tuple(str(n) for n in range(0, 31, 2))),
    SizeFamily("numeric_eu", tuple(str(n) for n in range(32, 59, 2))),
    SizeFamily("waist_slash", tuple(f"{w}/{i}" for w in _WAISTS for i in _INSEAMS)),
    SizeFamily("waist_x", tuple(f"{w}x{i}" for w in _WAISTS for i in _INSEAMS)),
    SizeFamily("waist_l", tuple(f"{w}-{i}L" for w in _WAISTS for i in _INSEAMS)),
    SizeFamily("bra", tuple(f"{b}{c}" for b in _BANDS for c in _CUPS)),
    SizeFamily("baby_m", ("0-3M", "3-6M", "6-9M", "6-12M", "9-12M", "12-18M", "18-24M")),
    SizeFamily("baby_mths", ("0/3 MTHS", "3/6 MTHS", "6/12 MTHS", "12/18 MTHS", "18/24 MTHS")),
    SizeFamily("toddler", ("2T", "3T", "4T", "5T", "6T")),
    SizeFamily(
        "kids_age",
        ("3-4 years", "5-6 years", "7-8 years", "9-10 years", "11-12 years", "13-14 years"),
    ),
    SizeFamily("kids_range", ("3-4", "5-6", "7-8", "9-10", "11-12", "13-14")),
    SizeFamily("kids_year", ("2Y", "4Y", "6Y", "8Y", "10Y", "12Y", "14Y")),
    SizeFamily("one_size", ("ONE SIZE", "O/S", "OS", "One_Size", "One Sz")),
)

BUILTIN_SIZE_LABELS: tuple[str, ...] = tuple(
    label for family in BUILTIN_FAMILIES for label in family.labels
)

#: Families a customer of a product category prefers, best first.
CATEGORY_FAMILIES: dict[str, tuple[str, ...]] = {
    "tops": ("letter", "letter_combo", "plus", "one_size"),
    "denim": ("waist_slash", "waist_x", "waist_l", "waist", "numeric"),
    "womenswear": ("numeric", "letter", "plus_w", "numeric_eu"),
    "lingerie": ("bra", "letter_combo", "letter"),
    "kids": ("baby_m", "baby_mths", "toddler", "kids_age", "kids_range", "kids_year"),
    "accessories": ("one_size", "letter_combo", "letter"),
    "outerwear": ("letter", "numeric_eu", "plus"),
}

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("one_size", r"^(one[ _]?s(ize|z)|o/?s)$"),
        ("bra", r"^(28|30|32|34|36|38|40|42|44)(aa|a|b|c|d|dd|ddd|e|f|ff|g)$"),
        ("waist_x", r"^(2[5-9]|3\d|4[0-4]) ?x ?(2[6-9]|3[0-6])$"),
        ("waist_slash", r"^(2[5-9]|3\d|4[0-4])/(2[6-9]|3[0-6])$"),
        ("waist_l", r"^\d{2}-\d{2}l$"),
        ("baby_mths", r"^\d+ ?[-/] ?\d+ ?mths$"),
        ("baby_m", r"^\d+ ?- ?\d+m$"),
        ("toddler", r"^\d+t$"),
        ("kids_age", r"years?$"),
        ("kids_year", r"^\d+y$"),
        ("kids_range", r"^(\d+ ?[-/] ?\d+|[sml]\(\d+-\d+\))$"),
        ("plus_w", r"^\d+w$"),
        ("plus", r"^[1-6]x$"),
        ("letter", r"^(x{0,3}s|m|x{0,3}l|[2-6]xl)$"),
        ("numeric", r"^([0-9]|1\d|2[0-4])$"),
        ("waist", r"^(2[5-9]|3\d|40)$"),
        ("numeric_eu", r"^(4[1-9]|[5-9]\d)$"),
        ("letter_combo", r"^[a-z0-9]+ ?[-/+] ?[a-z0-9()]*$|\+$"),
    )
)


def family_name_of(label: str) -> str:
    """Family a single label belongs to (``other`` when no rule matches)."""
    text = label.strip()
    for name, pattern in _RULES:
        if pattern.search(text):
            return name
    return "other"


def classify_size_labels(labels: Sequence[str]) -> tuple[SizeFamily, ...]:
    """Group labels into families, keeping the input order inside each family.

    Families are returned in order of their first label in ``labels``; every
    label lands in exactly one family.  Raises ``ValueError`` on empty or
    repeated labels.
    """
    seen: set[str] = set()
    groups: dict[str, list[str]] = {}
    for label in labels:
        if not label.strip():
            raise ValueError("size labels must not be blank")
        if label in seen:
            raise ValueError(f"size label {label!r} is listed twice")
        seen.add(label)
        groups.setdefault(family_name_of(label), []).append(label)
    return tuple(SizeFamily(name, tuple(members)) for name, members in groups.items())


def choose_families(
    families: Sequence[SizeFamily], category: str, rng: random.Random, count: int
) -> tuple[SizeFamily, ...]:
    """Pick ``count`` distinct families for a customer, preferring its category."""
    by_name = {f.name: f for f in families if f.labels}
    preferred = [by_name[n] for n in CATEGORY_FAMILIES.get(category, ()) if n in by_name]
    others = [f for f in families if f.labels and f.name not in CATEGORY_FAMILIES.get(category, ())]
    others.sort(key=lambda f: -len(f.labels))
    pool = preferred + others
    if not pool:
        raise ValueError("no size labels to choose from")
    chosen: list[SizeFamily] = [pool[0] if rng.random() < 0.6 else rng.choice(pool[:3])]
    while len(chosen) < min(count, len(pool)):
        candidate = rng.choice(pool[: max(3, len(chosen) + 1)])
        if candidate not in chosen:
            chosen.append(candidate)
    return tuple(chosen)


def family_window(family: SizeFamily, rng: random.Random) -> tuple[str, ...]:
    """A contiguous run of a family's labels that one customer carries."""
    labels = family.labels
    if family.name == "one_size":
        return (rng.choice(labels),)
    width = min(len(labels), rng.randint(4, 12))
    start = rng.randint(0, len(labels) - width)
    return labels[start : start + width]


def order_run(
    labels: Sequence[str], rng: random.Random, low: int = 3, high: int = 12
) -> tuple[str, ...]:
    """Consecutive labels one order fills (``low``…``high`` long, capped by the family)."""
    if len(labels) <= low:
        return tuple(labels)
    width = rng.randint(low, min(high, len(labels)))
    start = rng.randint(0, len(labels) - width)
    return tuple(labels[start : start + width])


def size_quantities(run: Sequence[str], rng: random.Random, small: bool) -> tuple[int, ...]:
    """Bell-shaped quantities for a run of sizes; zeros are possible, never all zero."""
    n = len(run)
    if small:
        quantities = [rng.randint(0, 6) for _ in range(n)]
    else:
        base = rng.choice((12, 24, 36, 48, 60, 72, 96, 120, 144, 180, 240, 300, 480, 600))
        pack = rng.choice((1, 6, 6, 12))
        middle = (n - 1) / 2
        quantities = []
        for i in range(n):
            weight = 1.0 - 0.7 * (abs(i - middle) / (middle + 1))
            q = round(base * weight * rng.uniform(0.7, 1.3) / pack) * pack
            quantities.append(q if rng.random() > 0.05 else 0)
    if not any(quantities):
        quantities[rng.randrange(n)] = rng.randint(1, 12)
    return tuple(quantities)
