"""Catalogue of the descriptive (non-size) columns of an order list.

This module owns the canonical column names, their value kinds, their order
in a clean workbook, the header spelling variants customers use for them, and
the header normalisation rule (strip, collapse inner whitespace, upper-case)
under which two spellings count as the same header.

Layout of a clean order list::

    LEADING_COLUMNS (… UNIT OF MEASURE) | size columns | TRAILING_COLUMNS (TOTAL QTY …)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["text", "date", "decimal", "integer"]


@dataclass(frozen=True)
class ColumnSpec:
    """One descriptive column: canonical header and the kind of its values."""

    name: str
    kind: ColumnKind


def _spec(name: str, kind: ColumnKind = "text") -> ColumnSpec:
    return ColumnSpec(name=name, kind=kind)


#: Columns written before the size columns; ``UNIT OF MEASURE`` is always last.
LEADING_COLUMNS: tuple[ColumnSpec, ...] = (
    _spec("AAG ORDER NUMBER"),
    _spec("CUSTOMER"),
    _spec("PO NUMBER"),
    _spec("PO ISSUE DATE", "date"),
    _spec("AAG SEASON"),
    _spec("CUSTOMER SEASON"),
    _spec("ORDER TYPE"),
    _spec("DEPARTMENT"),
    _spec("BUYER"),
    _spec("MERCHANDISER"),
    _spec("CUSTOMER STYLE"),
    _spec("AAG STYLE"),
    _spec("PRODUCT DESCRIPTION"),
    _spec("PRODUCT CATEGORY"),
    _spec("GENDER"),
    _spec("FABRIC COMPOSITION"),
    _spec("FABRIC TYPE"),
    _spec("GSM", "decimal"),
    _spec("CUSTOMER COLOUR DESCRIPTION"),
    _spec("CUSTOMER'S COLOUR CODE"),
    _spec("AAG COLOUR CODE"),
    _spec("PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)"),
    _spec("FACTORY"),
    _spec("COUNTRY OF ORIGIN"),
    _spec("PORT OF LOADING"),
    _spec("DESTINATION"),
    _spec("PLANNED DELIVERY METHOD"),
    _spec("INCOTERM"),
    _spec("PAYMENT TERMS"),
    _spec("CURRENCY"),
    _spec("FOB PRICE", "decimal"),
    _spec("LDP PRICE", "decimal"),
    _spec("RETAIL PRICE", "decimal"),
    _spec("DUTY RATE %", "decimal"),
    _spec("FREIGHT COST PER UNIT", "decimal"),
    _spec("AGENT COMMISSION %", "decimal"),
    _spec("UNITS PER CARTON", "integer"),
    _spec("INNER PACK QTY", "integer"),
    _spec("CARTON QTY", "integer"),
    _spec("CARTON CBM", "decimal"),
    _spec("GROSS WEIGHT KG", "decimal"),
    _spec("NET WEIGHT KG", "decimal"),
    _spec("FABRIC BOOKING DATE", "date"),
    _spec("PP SAMPLE APPROVAL DATE", "date"),
    _spec("TOP SAMPLE DATE", "date"),
    _spec("ORIGINAL EX FACTORY DATE", "date"),
    _spec("EX FACTORY DATE", "date"),
    _spec("ETD", "date"),
    _spec("ETA", "date"),
    _spec("IN DC DATE", "date"),
    _spec("HS CODE"),
    _spec("LABEL TYPE"),
    _spec("PACKING METHOD"),
    _spec("REMARKS"),
    _spec("UNIT OF MEASURE"),
)

#: Columns written after the size columns; ``TOTAL QTY`` is always first.
TRAILING_COLUMNS: tuple[ColumnSpec, ...] = (
    _spec("TOTAL QTY", "integer"),
    _spec("TOTAL FOB VALUE", "decimal"),
    _spec("SHIPPED QTY", "integer"),
    _spec("LAST UPDATED", "date"),
    _spec("UPDATED BY"),
)

DESCRIPTIVE_COLUMNS: tuple[ColumnSpec, ...] = LEADING_COLUMNS + TRAILING_COLUMNS

COLUMN_KINDS: dict[str, ColumnKind] = {c.name: c.kind for c in DESCRIPTIVE_COLUMNS}

DATE_COLUMNS: tuple[str, ...] = tuple(c.name for c in DESCRIPTIVE_COLUMNS if c.kind == "date")
DECIMAL_COLUMNS: tuple[str, ...] = tuple(c.name for c in DESCRIPTIVE_COLUMNS if c.kind == "decimal")
INTEGER_COLUMNS: tuple[str, ...] = tuple(c.name for c in DESCRIPTIVE_COLUMNS if c.kind == "integer")
TEXT_COLUMNS: tuple[str, ...] = tuple(c.name for c in DESCRIPTIVE_COLUMNS if c.kind == "text")

#: The business key of an order row.
KEY_COLUMNS: tuple[str, str, str] = (
    "AAG ORDER NUMBER",
    "PLANNED DELIVERY METHOD",
    "CUSTOMER STYLE",
)

#: Last descriptive column before the sizes, first column after them.
SIZES_AFTER = "UNIT OF MEASURE"
SIZES_BEFORE = "TOTAL QTY"

#: Columns every customer layout carries (others may be missing per customer).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "AAG ORDER NUMBER",
    "CUSTOMER",
    "PO NUMBER",
    "PO ISSUE DATE",
    "AAG SEASON",
    "CUSTOMER SEASON",
    "ORDER TYPE",
    "DEPARTMENT",
    "CUSTOMER STYLE",
    "PRODUCT DESCRIPTION",
    "FABRIC COMPOSITION",
    "GSM",
    "CUSTOMER COLOUR DESCRIPTION",
    "CUSTOMER'S COLOUR CODE",
    "PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)",
    "FACTORY",
    "PORT OF LOADING",
    "DESTINATION",
    "PLANNED DELIVERY METHOD",
    "PAYMENT TERMS",
    "FOB PRICE",
    "LDP PRICE",
    "RETAIL PRICE",
    "CARTON QTY",
    "ORIGINAL EX FACTORY DATE",
    "EX FACTORY DATE",
    "ETA",
    "REMARKS",
    "UNIT OF MEASURE",
    "TOTAL QTY",
)

#: Non-trivial header spellings (they differ from the canonical name even after
#: normalisation).  Every variant maps to exactly one canonical column.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "AAG ORDER NUMBER": ("AAG ORDER NO", "AAG ORDER #", "ORDER NO."),
    "CUSTOMER": ("CUSTOMER NAME", "BRAND"),
    "PO NUMBER": ("PO #", "PO NO.", "P.O. NUMBER", "CUSTOMER PO"),
    "PO ISSUE DATE": ("PO DATE", "PO ISSUED"),
    "CUSTOMER SEASON": ("CUST SEASON", "SEASON (CUSTOMER)"),
    "ORDER TYPE": ("ORDER STATUS", "TYPE"),
    "CUSTOMER STYLE": ("STYLE NO", "STYLE #", "CUST STYLE", "STYLE NUMBER"),
    "PRODUCT DESCRIPTION": ("DESCRIPTION", "STYLE DESCRIPTION"),
    "FABRIC COMPOSITION": ("COMPOSITION", "FABRIC CONTENT"),
    "CUSTOMER COLOUR DESCRIPTION": ("COLOUR", "COLOR DESCRIPTION", "CUSTOMER COLOR"),
    "CUSTOMER'S COLOUR CODE": ("CUSTOMERS COLOUR CODE", "CUSTOMER’S COLOUR CODE", "COLOUR CODE"),
    "PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)": ("PROMO GROUP", "CAMPAIGN"),
    "FACTORY": ("SUPPLIER FACTORY", "VENDOR"),
    "PORT OF LOADING": ("POL", "LOADING PORT"),
    "DESTINATION": ("DEST", "DESTINATION PORT"),
    "PLANNED DELIVERY METHOD": ("SHIP MODE", "DELIVERY METHOD", "SHIP VIA"),
    "FOB PRICE": ("FOB", "FOB $", "FOB (USD)"),
    "LDP PRICE": ("LDP", "LDP $"),
    "RETAIL PRICE": ("RRP", "RETAIL"),
    "CARTON QTY": ("CTN QTY", "NO. OF CARTONS"),
    "ORIGINAL EX FACTORY DATE": ("ORIG. EX FTY", "ORIGINAL XF DATE"),
    "EX FACTORY DATE": ("EX-FACTORY DATE", "XF DATE", "EX FTY DATE"),
    "ETA": ("ETA DATE", "E.T.A."),
    "REMARKS": ("COMMENTS", "NOTES"),
    "UNIT OF MEASURE": ("UOM", "U/M"),
    "TOTAL QTY": ("TOTAL", "TOTAL QUANTITY", "TTL QTY"),
}


def normalise_header(text: str) -> str:
    """Strip, collapse inner whitespace (incl. newlines and NBSP) and upper-case."""
    return " ".join(text.split()).upper()


def column_kind(name: str) -> ColumnKind:
    """Kind of a canonical descriptive column (KeyError for unknown names)."""
    return COLUMN_KINDS[name]
