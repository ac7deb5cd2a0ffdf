"""Pools of realistic descriptive values (styles, colours, factories, …).

This module owns the vocabulary the order generator draws from and the
per-customer "house style" (how a customer writes PO numbers, colour codes and
customer seasons, which factories it uses).  It holds data and small helpers
only; rows are assembled in ``orders``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

COLOURS: tuple[str, ...] = (
    "BLACK",
    "WHITE",
    "NAVY BLAZER",
    "HEATHER GREY",
    "CRÈME BRÛLÉE",
    "CAFÉ AU LAIT",
    "OFF-WHITE",
    "MIDNIGHT NAVY",
    "DUSTY ROSE",
    "OLIVE NIGHT",
    "BLEU MARINE",
    "SAGE",
    "RUST",
    "IVORY",
    "CHARCOAL MARL",
    "FOREST GREEN",
    "MUSTARD",
    "LILAC",
    "PEACH WHIP",
    "TEAL",
    "BURGUNDY",
    "STONE WASH",
    "INDIGO RINSE",
    "ROSÉ",
    "SAND DUNE",
    "COBALT",
    "BLUSH PINK",
    "KHAKI",
    "CHOCOLATE",
    "NUDE",
)

# (factory, country of origin, port of loading)
FACTORIES: tuple[tuple[str, str, str], ...] = (
    ("SHENZHEN HUAYANG GARMENTS CO., LTD", "CHINA", "YANTIAN"),
    ("NINGBO SUNRISE KNITTING", "CHINA", "NINGBO"),
    ("DHAKA KNITWEAR LTD", "BANGLADESH", "CHITTAGONG"),
    ("GAZIPUR APPARELS (PVT) LTD", "BANGLADESH", "CHITTAGONG"),
    ("PT. SUMBER BARU", "INDONESIA", "SEMARANG"),
    ("HANOI TEXTILE JSC", "VIETNAM", "HAI PHONG"),
    ("SAIGON FASHION CO.", "VIETNAM", "HO CHI MINH"),
    ("ÇAĞLAR TEKSTİL A.Ş.", "TURKEY", "ISTANBUL"),
    ("KARACHI COTTON MILLS", "PAKISTAN", "KARACHI"),
    ("TIRUPUR KNITS PVT LTD", "INDIA", "CHENNAI"),
    ("PHNOM PENH GARMENT FACTORY", "CAMBODIA", "SIHANOUKVILLE"),
    ("COLOMBO INTIMATES (PVT) LTD", "SRI LANKA", "COLOMBO"),
)

DESTINATIONS: tuple[str, ...] = (
    "FELIXSTOWE",
    "SOUTHAMPTON",
    "ROTTERDAM",
    "HAMBURG",
    "ANTWERP",
    "LOS ANGELES",
    "NEW YORK",
    "SYDNEY",
    "MONTRÉAL",
    "DUBLIN",
    "LE HAVRE",
)

PAYMENT_TERMS = ("LC AT SIGHT", "TT 30 DAYS", "TT 60 DAYS", "OA 90 DAYS", "DP AT SIGHT")
INCOTERMS = ("FOB", "FOB", "FOB", "FCA", "CIF", "DDP")
LABEL_TYPES = ("WOVEN", "PRINTED", "HEAT TRANSFER", "SATIN")
PACKING_METHODS = ("FLAT PACK", "HANGING", "SOLID SIZE SOLID COLOUR", "RATIO PACK", "ASSORTED")
PROMO_GROUPS = (
    "HOT 30",
    "GLOBAL EDIT",
    "HOT 30/GLOBAL EDIT",
    "CORE",
    "BLACK FRIDAY",
    "PRE-FALL DROP",
)
BUYERS = (
    "SARAH O'CONNOR",
    "JÖRG MÜLLER",
    "AMÉLIE DUBOIS",
    "PRIYA SHARMA",
    "TOM ATKINS",
    "SIOBHÁN KELLY",
    "LUCÍA FERNÁNDEZ",
    "JAMES D'ARCY",
)
MERCHANDISERS = ("ANNA LEE", "RAJ PATEL", "CHLOE WONG", "MARK EVANS", "NGUYEN THI LAN")
UPDATERS = ("AL", "RP", "CW", "ME", "NTL", "SYS")
REMARKS = (
    "URGENT - AIR FREIGHT APPROVED",
    "PRICE TBC",
    "CUSTOMER'S APPROVAL PENDING",
    "LAB DIP APPROVED",
    "SPLIT SHIPMENT",
    "FABRIC DELAY – NEW XF CONFIRMED",
    "TRIMS ON HOLD",
    "QTY REVISED PER BUYER'S EMAIL",
    "FIT SAMPLE COMMENTS PENDING",
    "ROYALTY LABEL REQUIRED",
    'COLOUR "CRÈME" TO MATCH PREVIOUS SEASON',
)

# One product a customer category orders:
# (style suffix, description, product category, fabric type, composition, hs code, FOB range)
_Product = tuple[str, str, str, str, str, str, float, float]

# category | suffix | description | product category | fabric | composition | HS code | FOB range
_PRODUCT_TABLE = """
tops|TEE|MEN'S CREW NECK TEE|TOPS|JERSEY|100% COTTON|6109.10.00|2.1|4.8
tops|POLO|MEN'S PIQUE POLO|TOPS|PIQUE|100% COTTON|6105.10.00|4.2|7.9
tops|HOOD|MEN'S FLEECE HOODIE|TOPS|FLEECE|80% COTTON 20% POLYESTER|6110.20.20|7.5|13.0
tops|CRW|CREW SWEATSHIRT|TOPS|LOOPBACK|100% COTTON|6110.20.20|6.0|10.5
tops|LS|LONG SLEEVE WAFFLE TOP|TOPS|WAFFLE|60% COTTON 40% POLYESTER|6109.90.10|3.5|6.5
denim|SLM|SLIM FIT 5 POCKET JEAN|BOTTOMS|DENIM|98% COTTON 2% ELASTANE|6203.42.40|7.8|12.5
denim|STR|STRAIGHT LEG JEAN|BOTTOMS|DENIM|100% COTTON|6203.42.40|7.0|11.0
denim|CHN|STRETCH CHINO|BOTTOMS|TWILL|97% COTTON 3% ELASTANE|6203.42.45|6.2|9.8
denim|CRG|CARGO TROUSER|BOTTOMS|RIPSTOP|100% COTTON|6203.42.45|6.8|10.2
womenswear|DRS|WOMEN'S WRAP DRESS|DRESSES|CREPE|100% VISCOSE|6204.44.00|6.5|14.0
womenswear|BLS|SATIN BLOUSE|TOPS|SATIN|100% POLYESTER|6206.40.30|5.2|9.0
womenswear|SKT|PLEATED MIDI SKIRT|BOTTOMS|CHIFFON|100% POLYESTER|6204.53.30|5.0|8.8
womenswear|KNT|CRÈME BRÛLÉE KNIT JUMPER|KNITWEAR|KNIT|70% ACRYLIC 30% WOOL|6110.30.30|6.8|11.5
womenswear|TRS|WIDE LEG TROUSER|BOTTOMS|PONTE|95% VISCOSE 5% ELASTANE|6204.63.35|6.0|10.0
lingerie|BRA|LACE UNDERWIRED BRA|INTIMATES|LACE|88% NYLON 12% ELASTANE|6212.10.90|3.8|7.2
lingerie|BLT|T-SHIRT BRALETTE|INTIMATES|MICROFIBRE|82% NYLON 18% ELASTANE|6212.10.90|2.9|5.5
lingerie|SWM|RUCHED SWIMSUIT|SWIMWEAR|LYCRA|80% POLYAMIDE 20% ELASTANE|6112.41.00|5.5|9.5
kids|BSU|BABY'S 2 PACK BODYSUIT|BABY|INTERLOCK|100% ORGANIC COTTON|6111.20.60|2.0|4.0
kids|DNG|KIDS' DUNGAREES|BOTTOMS|CORD|100% COTTON|6209.20.50|4.0|7.0
kids|PJS|KIDS' PYJAMA SET|NIGHTWEAR|JERSEY|100% COTTON|6108.31.00|3.0|5.5
kids|KHD|KIDS' ZIP HOODIE|TOPS|FLEECE|60% COTTON 40% POLYESTER|6110.20.20|4.0|7.5
accessories|BNE|RIBBED BEANIE|ACCESSORIES|KNIT|100% ACRYLIC|6505.00.90|1.2|2.8
accessories|SCF|OVERSIZED SCARF|ACCESSORIES|WOVEN|100% POLYESTER|6214.30.00|2.0|4.5
accessories|SCK|3 PACK SPORT SOCKS|ACCESSORIES|KNIT|75% COTTON 25% NYLON|6115.95.90|1.5|3.0
outerwear|PUF|LIGHTWEIGHT PUFFER JACKET|OUTERWEAR|NYLON|100% NYLON|6202.93.50|14.0|24.0
outerwear|PRK|WATERPROOF PARKA|OUTERWEAR|TASLAN|100% POLYESTER|6201.93.35|16.0|29.0
outerwear|GIL|QUILTED GILET|OUTERWEAR|NYLON|100% NYLON|6202.93.50|9.5|16.0
"""

# category -> (gender, department)
_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "tops": ("MENS", "MENSWEAR"),
    "denim": ("MENS", "DENIM"),
    "womenswear": ("WOMENS", "WOMENSWEAR"),
    "lingerie": ("WOMENS", "LINGERIE"),
    "kids": ("UNISEX", "KIDSWEAR"),
    "accessories": ("UNISEX", "ACCESSORIES"),
    "outerwear": ("WOMENS", "OUTERWEAR"),
}


def _products() -> dict[str, tuple[str, str, tuple[_Product, ...]]]:
    table: dict[str, list[_Product]] = {}
    for line in _PRODUCT_TABLE.strip().splitlines():
        category, suffix, desc, kind, fabric, composition, hs, low, high = line.split("|")
        product = (suffix, desc, kind, fabric, composition, hs, float(low), float(high))
        table.setdefault(category, []).append(product)
    return {c: (*_DEPARTMENTS[c], tuple(products)) for c, products in table.items()}


#: category -> (gender, department, products)
PRODUCTS: dict[str, tuple[str, str, tuple[_Product, ...]]] = _products()

CUSTOMER_SEASONS: dict[str, tuple[str, ...]] = {
    "AW25": ("FALL 2025", "HOLIDAY 25", "AUTUMN 25", "F25"),
    "SS26": ("SPRING 2026", "SUMMER 26", "SS 2026", "SP26"),
    "AW26": ("FALL 2026", "HOLIDAY 26", "AUTUMN 26", "F26"),
}


@dataclass(frozen=True)
class Style:
    """A style a customer orders repeatedly, in several colours and POs."""

    code: str
    aag_code: str
    product: _Product
    gsm: float


@dataclass(frozen=True)
class HouseStyle:
    """How one customer writes its data (drawn once per customer)."""

    po_format: str  # "prefixed", "sap" (digits only) or "seasonal"
    colour_codes: dict[str, str]  # colour description -> customer's colour code
    season_names: dict[str, tuple[str, ...]]  # AAG season -> two customer season names
    season_blank_rate: float
    factories: tuple[tuple[str, str, str], ...]
    destinations: tuple[str, ...]
    payment_terms: str
    incoterm: str
    commission: float
    buyers: tuple[str, ...]
    styles: tuple[Style, ...]
    gender: str
    department: str


PO_FORMATS = ("sap", "prefixed", "seasonal")


def house_style(
    code: str, category: str, rng: random.Random, style_count: int, po_format: str
) -> HouseStyle:
    """Draw a customer's house style; ``rng`` must be the customer's order stream."""
    gender, department, products = PRODUCTS[category]
    colour_format = rng.choice(("short", "numeric", "dashed"))
    codes: dict[str, str] = {}
    for number, colour in enumerate(COLOURS):
        letters = "".join(ch for ch in colour if ch.isalpha() and ch.isascii())[:3]
        codes[colour] = {
            "short": letters,
            "numeric": f"{(number + 1) * 3:03d}",
            "dashed": f"C-{letters}-{number % 7 + 1:02d}",
        }[colour_format]
    season_names = {
        season: tuple(rng.sample(names, 2)) for season, names in CUSTOMER_SEASONS.items()
    }
    prefix = code[:2]
    styles: list[Style] = []
    used: set[str] = set()
    while len(styles) < style_count:
        product = rng.choice(products)
        style_code = f"{prefix}-{rng.randint(1000, 9999)}-{product[0]}"
        if style_code in used:
            continue
        used.add(style_code)
        gsm = rng.randrange(240, 760) / 2
        styles.append(Style(style_code, f"AAG{rng.randint(10000, 99999)}", product, gsm))
    return HouseStyle(
        po_format=po_format,
        colour_codes=codes,
        season_names=season_names,
        season_blank_rate=rng.choice((0.0, 0.05, 0.15, 0.3)),
        factories=tuple(rng.sample(FACTORIES, rng.randint(2, 4))),
        destinations=tuple(rng.sample(DESTINATIONS, rng.randint(1, 3))),
        payment_terms=rng.choice(PAYMENT_TERMS),
        incoterm=rng.choice(INCOTERMS),
        commission=rng.choice((0.0, 3.0, 5.0, 7.5)),
        buyers=tuple(rng.sample(BUYERS, 2)),
        styles=tuple(styles),
        gender=gender,
        department=department,
    )
