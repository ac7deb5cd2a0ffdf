"""Customer definitions and the per-customer quirks of their order lists.

This module owns the built-in customer catalogue (3-letter code, canonical
name, spellings seen in the CUSTOMER column, product category) and the
deterministic assignment of file-format quirks to customers: which customers
deliver CSV, put a title above the header, use a ``MASTER`` sheet, spell
headers differently, insert blank rows, write ``TBC`` / ``-`` placeholders
in optional cells, make typing mistakes (``12 pcs``, ``31/02/2025``), and so
on.  With eight or more customers (and the default number of CSV customers)
every quirk is given to at least one customer; placeholders and typos to
several, and to at least one from four customers on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

DateStyle = Literal["date", "serial", "text_dmy", "text_iso", "text_dmony", "mixed"]

#: How date cells are written: real date cells, bare Excel serial numbers,
#: text ``05/03/2025`` (day first), text ``2025-03-05``, text ``5-Mar-2025``,
#: or a per-row mixture of all of them.
DATE_STYLES: tuple[DateStyle, ...] = (
    "date",
    "serial",
    "text_dmy",
    "text_iso",
    "text_dmony",
    "mixed",
)
TEXT_DATE_STYLES: tuple[DateStyle, ...] = ("text_dmy", "text_iso", "text_dmony")

TitleLayout = Literal["none", "title", "title_blank", "title_subtitle_blank", "blank_title_blank"]


@dataclass(frozen=True)
class CustomerIdentity:
    """Who a customer is: code, canonical name and how the name gets written."""

    code: str
    name: str
    category: str
    brand: str
    spellings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomerQuirks:
    """File-format peculiarities of one customer's order lists."""

    csv: bool = False
    csv_bom: bool = False
    two_files: bool = False
    title_layout: TitleLayout = "none"
    multi_sheet: bool = False
    header_variants: bool = False
    header_examples: bool = False
    blank_rows: bool = False
    trailing_blank_columns: int = 0
    date_style: DateStyle = "date"
    numbers_as_text: bool = False
    cancel_mixed_case: bool = False
    duplicates: bool = False
    total_formula: bool = False
    name_variants: bool = False
    missing_columns: bool = False
    column_order: bool = False
    messy_values: bool = False  # numeric-looking PO numbers stored as numbers, etc.
    placeholders: bool = False  # TBC / TBA in optional date cells, "-" in optional text cells
    typos: bool = False  # a few cells the product must reject ("12 pcs", "31/02/2025", "4,5O")
    typo_rank: int = 0  # position among the typo customers: their typos rotate through the kinds


def _c(code: str, name: str, category: str, brand: str, *spellings: str) -> CustomerIdentity:
    return CustomerIdentity(code, name, category, brand, tuple(spellings))


CATALOGUE: tuple[CustomerIdentity, ...] = (
    _c("GRE", "GREYSTONE APPAREL", "tops", "GREYSTONE", "Greystone Apparel", "GREYSTONE"),
    _c("BHD", "B'HOOD", "denim", "B'HOOD", "B’HOOD", "BHOOD", "B'Hood Ltd", "B'HOOD "),
    _c("LOW", "LÖWE & CO", "womenswear", "LÖWE", "LOWE & CO", "Löwe & Co.", "LÖWE AND CO"),
    _c("KIN", "KINDRED KIDS", "kids", "KINDRED"),
    _c("LUX", "LUXE INTIMATES", "lingerie", "LUXE"),
    _c("MAR", "MARÉE PARIS", "womenswear", "MARÉE", "MAREE PARIS", "Marée Paris"),
    _c("ATL", "ATLAS OUTFITTERS", "outerwear", "ATLAS"),
    _c("SOL", "SOLSTICE ACTIVE", "tops", "SOLSTICE"),
    _c("HRB", "HARBOUR & HEATH", "womenswear", "HARBOUR & HEATH"),
    _c("DNM", "DENIM DEPOT", "denim", "DENIM DEPOT"),
    _c("MON", "MONTAGUE'S", "tops", "MONTAGUE'S", "MONTAGUES", "Montague’s"),
    _c("FJL", "FJÄLL OUTDOOR", "outerwear", "FJÄLL", "FJALL OUTDOOR"),
    _c("PIX", "PIXIE & POPPY", "kids", "PIXIE & POPPY"),
    _c("ACC", "ACCENT ACCESSORIES", "accessories", "ACCENT"),
    _c("NRD", "NORDLICHT", "outerwear", "NORDLICHT"),
    _c("PEN", "PENNYWORTH", "tops", "PENNYWORTH"),
    _c("TAL", "TALLIS & GRAY", "womenswear", "TALLIS & GRAY"),
    _c("BRK", "BROOK STREET", "tops", "BROOK STREET"),
    _c("VIV", "VIVE LA JOIE", "lingerie", "VIVE LA JOIE"),
    _c("ZEN", "ZENITH SPORT", "tops", "ZENITH"),
    _c("CPR", "COPPERLEAF", "womenswear", "COPPERLEAF"),
    _c("WLD", "WILDFERN", "outerwear", "WILDFERN"),
    _c("IVY", "IVY & BIRCH", "womenswear", "IVY & BIRCH"),
    _c("HAL", "HALCYON KNITS", "tops", "HALCYON"),
    _c("SMT", "SUMMIT TRAIL", "outerwear", "SUMMIT TRAIL"),
    _c("BLU", "BLUEWATER SURF", "tops", "BLUEWATER"),
    _c("ORC", "ORCHARD LANE", "kids", "ORCHARD LANE"),
    _c("RVR", "RIVERTON DENIM", "denim", "RIVERTON"),
    _c("SCA", "SKÅNE BASICS", "tops", "SKÅNE", "SKANE BASICS"),
    _c("MDN", "MERIDIAN MENSWEAR", "tops", "MERIDIAN"),
    _c("ELM", "ELM & ASH", "womenswear", "ELM & ASH"),
    _c("FOX", "FOXGLOVE", "womenswear", "FOXGLOVE"),
    _c("GLD", "GOLDCREST", "accessories", "GOLDCREST"),
    _c("JUN", "JUNIPER JONES", "kids", "JUNIPER JONES"),
    _c("KAI", "KAIMANA SWIM", "lingerie", "KAIMANA"),
    _c("LUN", "LUNA LACE", "lingerie", "LUNA LACE"),
    _c("NOV", "NOVA NORTH", "outerwear", "NOVA NORTH"),
    _c("OSL", "OSLO STRIKK", "tops", "OSLO STRIKK"),
    _c("PRA", "PRAIRIE & PINE", "denim", "PRAIRIE & PINE"),
    _c("RSE", "ROSÉ & RYE", "womenswear", "ROSÉ & RYE", "ROSE & RYE"),
    _c("SAG", "SAGEBRUSH", "denim", "SAGEBRUSH"),
    _c("TIM", "TIMBERLINE", "outerwear", "TIMBERLINE"),
    _c("URB", "URBAN NOMAD", "tops", "URBAN NOMAD"),
    _c("VEL", "VELVET VALLEY", "womenswear", "VELVET VALLEY"),
    _c("WAV", "WAVELENGTH", "accessories", "WAVELENGTH"),
    _c("YEW", "YEWTREE KIDS", "kids", "YEWTREE"),
    _c("QNT", "QUINTESSENCE", "womenswear", "QUINTESSENCE"),
    _c("OAK", "OAKRIDGE SUPPLY CO", "denim", "OAKRIDGE"),
)

_CATEGORIES = ("tops", "denim", "womenswear", "lingerie", "kids", "accessories", "outerwear")


def customer_identities(count: int) -> tuple[CustomerIdentity, ...]:
    """The first ``count`` catalogue customers, then synthetic ``Z..`` customers."""
    if count < 0:
        raise ValueError("customer count must not be negative")
    result = list(CATALOGUE[:count])
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    extra = 0
    while len(result) < count:
        if extra >= 26 * 26:
            raise ValueError("too many customers")
        code = "Z" + letters[extra // 26] + letters[extra % 26]
        result.append(
            CustomerIdentity(code, f"CUSTOMER {code}", _CATEGORIES[extra % len(_CATEGORIES)], code)
        )
        extra += 1
    return tuple(result)


def _title_case(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))


def name_spellings(identity: CustomerIdentity, variants: bool) -> tuple[str, ...]:
    """Values written in the CUSTOMER column; the first one is the most common."""
    if not variants:
        return (identity.name,)
    if identity.spellings:
        return (identity.name, *identity.spellings)
    extra = [_title_case(identity.name), identity.name + " "]
    if " & " in identity.name:
        extra.append(identity.name.replace(" & ", " AND "))
    return (identity.name, *extra)


# (quirk, xlsx only?, probability for customers other than the guaranteed one)
_BOOLEAN_QUIRKS: tuple[tuple[str, bool, float], ...] = (
    ("title", True, 0.35),
    ("multi_sheet", True, 0.12),
    ("header_variants", False, 0.45),
    ("blank_rows", False, 0.25),
    ("trailing_blank_columns", False, 0.2),
    ("numbers_as_text", True, 0.2),
    ("cancel_mixed_case", False, 0.3),
    ("duplicates", False, 0.3),
    ("total_formula", True, 0.1),
    ("name_variants", False, 0.4),
    ("missing_columns", False, 0.4),
    ("column_order", False, 0.25),
)

_TITLE_LAYOUTS: tuple[TitleLayout, ...] = (
    "title",
    "title_blank",
    "title_subtitle_blank",
    "blank_title_blank",
)


def cell_quirk_holders(count: int, seed: int) -> tuple[frozenset[int], frozenset[int]]:
    """Customers writing placeholders (about 1 in 3) and customers making typos (about
    1 in 4): at least one each from four customers on, at least two from eight on.

    Drawn from a random stream of their own: the other quirks' draws do not depend on them.
    """
    if count < 4:
        return frozenset(), frozenset()
    rng = random.Random(f"ordersync-sample:{seed}:cell-quirks")
    floor = 2 if count >= 8 else 1
    placeholders = rng.sample(range(count), max(floor, round(count / 3)))
    typos = rng.sample(range(count), max(floor, round(count / 4)))
    return frozenset(placeholders), frozenset(typos)


def default_csv_customers(count: int, quirks: bool) -> int:
    """How many customers deliver CSV when the caller does not say."""
    return max(1, round(count / 10)) if quirks and count >= 4 else 0


def assign_quirks(
    count: int, *, seed: int, quirks: bool, csv_customers: int | None
) -> tuple[CustomerQuirks, ...]:
    """Deterministically spread the quirks over ``count`` customers."""
    n_csv = default_csv_customers(count, quirks) if csv_customers is None else csv_customers
    if not 0 <= n_csv <= count:
        raise ValueError(f"csv_customers must be between 0 and {count}, got {n_csv}")
    rng = random.Random(f"ordersync-sample:{seed}:quirks")
    csv = sorted(rng.sample(range(count), n_csv))
    if not quirks:
        return tuple(
            CustomerQuirks(csv=i in csv, date_style="text_iso" if i in csv else "date")
            for i in range(count)
        )
    xlsx = [i for i in range(count) if i not in csv]
    everyone = list(range(count))
    holders: dict[str, set[int]] = {}
    offset = rng.randrange(max(count, 1))
    for number, (name, xlsx_only, probability) in enumerate(_BOOLEAN_QUIRKS):
        eligible = xlsx if xlsx_only else everyone
        if name == "total_formula":
            eligible = [i for i in xlsx if i not in holders["numbers_as_text"]] or eligible
        chosen: set[int] = set()
        if eligible:
            chosen.add(eligible[(offset + number) % len(eligible)])
            chosen.update(i for i in eligible if rng.random() < probability)
        holders[name] = chosen
    holders["total_formula"] -= holders["numbers_as_text"]
    holders["name_variants"].update(i for i in (1, 2) if i < count)

    two_files: set[int] = set()
    if xlsx:
        two_files.add(xlsx[(offset + 5) % len(xlsx)])
    if count >= 20:
        two_files.add(rng.choice([i for i in everyone if i not in two_files]))

    styles: dict[int, DateStyle] = {}
    order = list(xlsx)
    rng.shuffle(order)
    for position, i in enumerate(order):
        if position < len(DATE_STYLES):
            styles[i] = DATE_STYLES[position]
        else:
            styles[i] = rng.choices(DATE_STYLES, weights=(10, 2, 2, 1, 1, 1))[0]
    for i in csv:
        styles[i] = rng.choice(TEXT_DATE_STYLES)

    placeholders, typos = cell_quirk_holders(count, seed)
    typo_rank = {i: rank for rank, i in enumerate(sorted(typos))}

    title_holders = sorted(holders["title"])
    layouts: dict[int, TitleLayout] = {}
    for position, i in enumerate(title_holders):
        layouts[i] = "blank_title_blank" if position == 0 else rng.choice(_TITLE_LAYOUTS)

    result = []
    for i in range(count):
        result.append(
            CustomerQuirks(
                csv=i in csv,
                csv_bom=i in csv and (i == csv[0] or rng.random() < 0.5),
                two_files=i in two_files,
                title_layout=layouts.get(i, "none"),
                multi_sheet=i in holders["multi_sheet"],
                header_variants=i in holders["header_variants"],
                header_examples=i == min(holders["header_variants"], default=-1),
                blank_rows=i in holders["blank_rows"],
                trailing_blank_columns=(
                    rng.choice((1, 2)) if i in holders["trailing_blank_columns"] else 0
                ),
                date_style=styles[i],
                numbers_as_text=i in holders["numbers_as_text"],
                cancel_mixed_case=i in holders["cancel_mixed_case"],
                duplicates=i in holders["duplicates"],
                total_formula=i in holders["total_formula"],
                name_variants=i in holders["name_variants"],
                missing_columns=i in holders["missing_columns"],
                column_order=i in holders["column_order"],
                messy_values=True,
                placeholders=i in placeholders,
                typos=i in typos,
                typo_rank=typo_rank.get(i, 0),
            )
        )
    return tuple(result)
