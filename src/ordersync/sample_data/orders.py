"""Generation of the order rows of one customer's files.

This module owns ``OrderRow`` (the logical content of one data row, before it
is rendered into cells), ``FileContent`` (the sequence of data rows and blank
rows of one file) and ``generate_customer_files``, which draws them from a
random stream private to the customer, so that regenerating one customer
reproduces exactly the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .customers import DateStyle
from .layout import CustomerPlan
from .sizes import order_run, size_quantities
from .values import (
    LABEL_TYPES,
    MERCHANDISERS,
    PACKING_METHODS,
    PO_FORMATS,
    PROMO_GROUPS,
    REMARKS,
    UPDATERS,
    HouseStyle,
    house_style,
)

Value = str | int | float | date | None

REPORT_DATE = date(2025, 11, 14)
CANCELLED = "CANCELLED"
ORDER_TYPES = ("BULK", "REPEAT", "SMS", CANCELLED)
DELIVERY_METHODS = ("SEA", "AIR", "SEA/AIR")
# AAG season -> (first PO issue date, spread in days); all PO dates precede REPORT_DATE
_PO_WINDOW = {
    "AW25": (date(2025, 1, 6), 140),
    "SS26": (date(2025, 5, 5), 140),
    "AW26": (date(2025, 9, 1), 70),
}
_TRANSIT_DAYS = {"SEA": (24, 40), "AIR": (3, 7), "SEA/AIR": (14, 20)}
_MIXED_STYLES: tuple[DateStyle, ...] = (
    "date",
    "date",
    "serial",
    "text_dmy",
    "text_iso",
    "text_dmony",
)


@dataclass(frozen=True)
class OrderRow:
    """One data row: logical values plus how they are to be rendered."""

    values: dict[str, Value]  # canonical column -> value (derived columns excluded)
    sizes: tuple[tuple[str, int], ...]  # size label -> quantity > 0, in family order
    date_style: DateStyle  # never "mixed": resolved per row
    text_sizes: bool = False  # size quantities written as text ("12")
    text_prices: bool = False  # FOB/LDP/RETAIL written as text ("4.50")
    shipped: bool = False
    #: One cell written wrong instead of its value: (canonical column or size label,
    #: raw text).  ``values`` and ``sizes`` keep the intended values (see ``flaws``).
    typo: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        v = self.values
        return (
            str(v["AAG ORDER NUMBER"]),
            str(v["PLANNED DELIVERY METHOD"]),
            str(v["CUSTOMER STYLE"]),
        )

    @property
    def total(self) -> int:
        return sum(q for _, q in self.sizes)

    @property
    def cancelled(self) -> bool:
        return str(self.values["ORDER TYPE"]).upper() == CANCELLED


@dataclass(frozen=True)
class FileContent:
    """The rows of one file below its header; ``None`` entries are blank rows."""

    name: str
    file_index: int
    entries: tuple[OrderRow | None, ...]

    @property
    def rows(self) -> tuple[OrderRow, ...]:
        return tuple(e for e in self.entries if e is not None)


class _Generator:
    def __init__(self, plan: CustomerPlan, orders: int, seed: int) -> None:
        self.plan = plan
        self.quirks = plan.quirks
        self.rng = random.Random(f"ordersync-sample:{seed}:orders:{plan.code}")
        style_count = min(2000, max(3, orders // 4 + 1))
        po_format = PO_FORMATS[(plan.index + seed) % len(PO_FORMATS)]  # every third customer: SAP
        self.house: HouseStyle = house_style(
            plan.code, plan.identity.category, self.rng, style_count, po_format
        )

    def _maybe(self, value: Value, blank_rate: float) -> Value:
        return None if self.rng.random() < blank_rate else value

    def _po(self, season: str) -> Value:
        rng = self.rng
        fmt = self.house.po_format
        if fmt == "prefixed":
            return f"PO{rng.randint(100000, 999999)}"
        if fmt == "seasonal":
            return f"{self.plan.code}{season}-{rng.randint(1, 9999):04d}"
        number = 4500000000 + rng.randint(0, 999999)
        return number if self.quirks.messy_values and not self.quirks.csv else str(number)

    def _order_type(self) -> str:
        kind = self.rng.choices(ORDER_TYPES, weights=(70, 14, 9, 7))[0]
        if kind == CANCELLED and self.quirks.cancel_mixed_case and self.rng.random() < 0.4:
            return "Cancelled"
        return kind

    def _schedule(self, values: dict[str, Value], method: str) -> None:
        """Shipping dates that depend on the delivery method."""
        rng = self.rng
        exf = values["EX FACTORY DATE"]
        anchor = exf if isinstance(exf, date) else REPORT_DATE
        etd = anchor + timedelta(days=rng.randint(1, 6))
        eta = etd + timedelta(days=rng.randint(*_TRANSIT_DAYS[method]))
        values["ETD"] = self._maybe(etd, 0.6)
        values["ETA"] = self._maybe(eta, 0.15)
        values["IN DC DATE"] = self._maybe(eta + timedelta(days=rng.randint(2, 7)), 0.6)
        values["FREIGHT COST PER UNIT"] = round(
            rng.uniform(0.08, 0.5) * (3.0 if method == "AIR" else 1.0), 2
        )

    def _header(self, number: str, season: str, method: str) -> dict[str, Value]:
        """Order-level values shared by every line of an order number."""
        rng, house, plan = self.rng, self.house, self.plan
        spellings = plan.spellings
        customer = (
            spellings[0]
            if len(spellings) == 1 or rng.random() < 0.75
            else rng.choice(spellings[1:])
        )
        names = house.season_names[season]
        first, spread = _PO_WINDOW[season]
        po_date = first + timedelta(days=rng.randint(0, spread))
        exf = po_date + timedelta(days=rng.randint(60, 130))
        factory, country, port = rng.choice(house.factories)
        values: dict[str, Value] = {
            "AAG ORDER NUMBER": number,
            "CUSTOMER": customer,
            "PO NUMBER": self._po(season),
            "PO ISSUE DATE": po_date,
            "AAG SEASON": season,
            "CUSTOMER SEASON": self._maybe(
                names[0] if rng.random() < 0.7 else names[1], house.season_blank_rate
            ),
            "ORDER TYPE": self._order_type(),
            "DEPARTMENT": house.department,
            "BUYER": rng.choice(house.buyers),
            "MERCHANDISER": rng.choice(MERCHANDISERS),
            "PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)": self._maybe(
                rng.choice(PROMO_GROUPS), 0.55
            ),
            "FACTORY": factory,
            "COUNTRY OF ORIGIN": country,
            "PORT OF LOADING": port,
            "DESTINATION": rng.choice(house.destinations),
            "PLANNED DELIVERY METHOD": method,
            "INCOTERM": house.incoterm,
            "PAYMENT TERMS": house.payment_terms,
            "CURRENCY": plan.currency,
            "DUTY RATE %": rng.choice((0.0, 8.0, 12.0, 16.5, 32.0)),
            "AGENT COMMISSION %": house.commission,
            "FABRIC BOOKING DATE": self._maybe(po_date + timedelta(days=rng.randint(5, 20)), 0.6),
            "PP SAMPLE APPROVAL DATE": self._maybe(
                po_date + timedelta(days=rng.randint(20, 45)), 0.6
            ),
            "TOP SAMPLE DATE": self._maybe(exf - timedelta(days=rng.randint(10, 25)), 0.6),
            "ORIGINAL EX FACTORY DATE": self._maybe(
                exf - timedelta(days=rng.choice((0, 0, 7, 14, 21))), 0.6
            ),
            "EX FACTORY DATE": self._maybe(exf, 0.03),
            "REMARKS": self._maybe(rng.choice(REMARKS), 0.7),
            "UNIT OF MEASURE": plan.unit,
            "LAST UPDATED": self._maybe(
                min(REPORT_DATE, po_date + timedelta(days=rng.randint(0, 200))), 0.1
            ),
            "UPDATED BY": rng.choice(UPDATERS),
        }
        self._schedule(values, method)
        return values

    def _line(self, values: dict[str, Value]) -> tuple[tuple[str, int], ...]:
        """Style, colour, price and packing values of one line; returns its sizes."""
        rng, house = self.rng, self.house
        style = rng.choice(house.styles)
        _, description, category, fabric, composition, hs_code, low, high = style.product
        colour = rng.choice(tuple(house.colour_codes))
        fob = round(rng.uniform(low, high), 2)
        values.update(
            {
                "CUSTOMER STYLE": style.code,
                "AAG STYLE": style.aag_code,
                "PRODUCT DESCRIPTION": description,
                "PRODUCT CATEGORY": category,
                "GENDER": house.gender,
                "FABRIC COMPOSITION": composition,
                "FABRIC TYPE": fabric,
                "GSM": style.gsm,
                "CUSTOMER COLOUR DESCRIPTION": colour,
                "CUSTOMER'S COLOUR CODE": house.colour_codes[colour],
                "AAG COLOUR CODE": f"C{(sum(map(ord, colour)) % 900) + 100}",
                "FOB PRICE": fob,
                "LDP PRICE": round(fob * rng.uniform(1.25, 1.6), 2),
                "RETAIL PRICE": round(
                    max(5, round(fob * rng.uniform(2.5, 4.5))) - rng.choice((0.01, 0.0, 0.01)), 2
                ),
                "UNITS PER CARTON": rng.choice((12, 24, 36, 48, 60, 72)),
                "INNER PACK QTY": self._maybe(rng.choice((1, 3, 6, 12)), 0.3),
                "CARTON CBM": round(rng.uniform(0.04, 0.12), 3),
                "HS CODE": hs_code,
                "LABEL TYPE": rng.choice(LABEL_TYPES),
                "PACKING METHOD": rng.choice(PACKING_METHODS),
            }
        )
        gross = round(rng.uniform(6.0, 18.0), 1)
        values["GROSS WEIGHT KG"] = gross
        values["NET WEIGHT KG"] = round(gross * rng.uniform(0.85, 0.93), 1)
        families = self.plan.families
        family = (
            families[0] if len(families) == 1 or rng.random() < 0.8 else rng.choice(families[1:])
        )
        run = order_run(family.labels, rng)
        return self._quantities(run, values)

    def _quantities(
        self, run: tuple[str, ...], values: dict[str, Value]
    ) -> tuple[tuple[str, int], ...]:
        small = values["ORDER TYPE"] == "SMS"
        quantities = size_quantities(run, self.rng, small)
        return tuple((label, q) for label, q in zip(run, quantities, strict=True) if q > 0)

    def _row(self, values: dict[str, Value], sizes: tuple[tuple[str, int], ...]) -> OrderRow:
        rng, quirks = self.rng, self.quirks
        style = rng.choice(_MIXED_STYLES) if quirks.date_style == "mixed" else quirks.date_style
        text_sizes = quirks.numbers_as_text and rng.random() < 0.15
        text_prices = quirks.numbers_as_text and rng.random() < 0.15
        exf = values["EX FACTORY DATE"]
        shipped = (
            isinstance(exf, date)
            and exf < REPORT_DATE - timedelta(days=5)
            and str(values["ORDER TYPE"]).upper() != CANCELLED
            and rng.random() < 0.85
        )
        return OrderRow(values, sizes, style, text_sizes, text_prices, shipped)

    def rows(self, orders: int) -> list[OrderRow]:
        rng = self.rng
        seasons = self.plan.seasons
        rows: list[OrderRow] = []
        keys: set[tuple[str, str, str]] = set()
        number = rng.randint(1000, max(1000, 99999 - 3 * orders))
        while len(rows) < orders:
            roll = rng.random()
            sibling = rows[-1] if rows else None
            row: OrderRow | None = None
            if sibling is not None and roll < 0.08:
                values = dict(sibling.values)
                if roll < 0.04:  # split shipment: same order and style, other delivery method
                    method = "AIR" if values["PLANNED DELIVERY METHOD"] == "SEA" else "SEA"
                    values["PLANNED DELIVERY METHOD"] = method
                    self._schedule(values, method)
                    run = tuple(label for label, _ in sibling.sizes)
                    row = self._row(values, self._quantities(run, values))
                else:  # another style on the same order number
                    row = self._row(values, self._line(values))
                if row.key in keys:
                    row = None
            if row is None:
                number += rng.randint(1, 3)
                method = rng.choices(DELIVERY_METHODS, weights=(75, 15, 10))[0]
                values = self._header(f"{self.plan.code}-{number:05d}", rng.choice(seasons), method)
                row = self._row(values, self._line(values))
                if row.key in keys:
                    continue
            keys.add(row.key)
            rows.append(row)
        return self._guarantee(rows)

    def _guarantee(self, rows: list[OrderRow]) -> list[OrderRow]:
        """Make sure the customer's quirks show up even in small files."""
        quirks = self.quirks
        written = {r.values["CUSTOMER"] for r in rows}
        missing = [s for s in self.plan.spellings if s not in written]
        for number, spelling in enumerate(missing, start=1):
            if len(rows) > len(missing):
                index = len(rows) * number // (len(missing) + 1)
                rows[index] = replace(
                    rows[index], values={**rows[index].values, "CUSTOMER": spelling}
                )
        if quirks.numbers_as_text and rows and not any(r.text_sizes for r in rows):
            rows[0] = replace(rows[0], text_sizes=True, text_prices=True)
        if quirks.cancel_mixed_case and not any(
            r.values["ORDER TYPE"] == "Cancelled" for r in rows
        ):
            found = next((i for i, r in enumerate(rows) if r.cancelled), None)
            if found is None and len(rows) >= 3:
                found = len(rows) - 1
            if found is not None:
                values = dict(rows[found].values)
                values["ORDER TYPE"] = "Cancelled"
                rows[found] = replace(rows[found], values=values, shipped=False)
        return rows

    def revised(self, row: OrderRow) -> OrderRow:
        """A later copy of ``row`` with different quantities (a duplicate key)."""
        rng = self.rng
        sizes = [(label, max(1, round(q * rng.uniform(0.8, 1.25)))) for label, q in row.sizes]
        if [q for _, q in sizes] == [q for _, q in row.sizes]:
            sizes[0] = (sizes[0][0], sizes[0][1] + 6)
        values = dict(row.values)
        values["REMARKS"] = "QTY REVISED PER BUYER'S EMAIL"
        updated = values.get("LAST UPDATED")
        if isinstance(updated, date):
            values["LAST UPDATED"] = updated + timedelta(days=rng.randint(1, 14))
        return replace(row, values=values, sizes=tuple(sizes))

    def file_entries(self, rows: list[OrderRow]) -> tuple[OrderRow | None, ...]:
        rng, quirks = self.rng, self.quirks
        after: dict[int, list[OrderRow]] = {}
        if quirks.duplicates and len(rows) >= 2:
            count = max(1, round(len(rows) * 0.01))
            for source in sorted(rng.sample(range(len(rows)), count)):
                after.setdefault(rng.randint(source, len(rows) - 1), []).append(
                    self.revised(rows[source])
                )
        data: list[OrderRow] = []
        for i, row in enumerate(rows):
            data.append(row)
            data.extend(after.get(i, ()))
        entries: list[OrderRow | None] = list(data)
        if quirks.blank_rows and len(data) >= 2:
            gaps = sorted(
                rng.choices(range(1, len(data)), k=max(1, round(len(data) * 0.02))), reverse=True
            )
            for gap in gaps:
                entries.insert(gap, None)
        return tuple(entries)


def generate_customer_files(plan: CustomerPlan, orders: int, seed: int) -> tuple[FileContent, ...]:
    """All files of one customer with ``orders`` distinct business keys in total.

    Placeholders and typos are not in yet: ``flaws.add_flaws`` adds them on top,
    from random streams of their own.
    """
    generator = _Generator(plan, orders, seed)
    rows = generator.rows(orders)
    result = []
    for index, (name, seasons) in enumerate(zip(plan.file_names, plan.file_seasons, strict=True)):
        own = [r for r in rows if r.values["AAG SEASON"] in seasons]
        result.append(FileContent(name, index, generator.file_entries(own)))
    return tuple(result)
