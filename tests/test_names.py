"""Header normal form and name templates.

Two spellings of a header that normalise alike are the same column everywhere (files,
config, database), and a name template either parses into the columns it reads or
is refused with a reason the user can act on.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordersync.names import NameTemplate, TemplateField, normalize_header, parse_template

# --- normalize_header -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CUSTOMER STYLE", "CUSTOMER STYLE"),
        ("customer style", "CUSTOMER STYLE"),
        ("  Customer   Style ", "CUSTOMER STYLE"),
        ("CUSTOMER\u00a0STYLE", "CUSTOMER STYLE"),
        ("\u00a0CUSTOMER \u00a0 STYLE\u00a0", "CUSTOMER STYLE"),
        ("CUSTOMER\nSTYLE", "CUSTOMER STYLE"),
        ("Customer\r\n\tStyle", "CUSTOMER STYLE"),
        ("ETA\u202fDATE", "ETA DATE"),
        ("Customer's Colour Code", "CUSTOMER'S COLOUR CODE"),
        ("fob (usd)", "FOB (USD)"),
        ("crème", "CRÈME"),
        ("m", "M"),
        ("", ""),
        ("\u00a0\n ", ""),
        (None, ""),
        (12, "12"),
        ("\ufeffAAG ORDER\u200b NUMBER\u00ad", "AAG ORDER NUMBER"),
        ("\u200b", ""),
    ],
    ids=[
        "canonical",
        "lower-case",
        "extra-spaces",
        "nbsp",
        "nbsp-padding",
        "newline",
        "crlf-tab",
        "narrow-nbsp",
        "apostrophe",
        "brackets",
        "accent",
        "size-label",
        "empty",
        "only-whitespace",
        "none",
        "number-cell",
        "invisible-characters",
        "only-invisible",
    ],
)
def test_normalize_header(raw: object, expected: str) -> None:
    assert normalize_header(raw) == expected


@settings(max_examples=50, deadline=None)
@given(st.text())
def test_normalize_header_is_idempotent_and_has_no_stray_whitespace(raw: str) -> None:
    once = normalize_header(raw)
    assert normalize_header(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert "\u00a0" not in once


def test_config_and_sample_data_use_the_same_header_rule() -> None:
    columns = pytest.importorskip(
        "ordersync.sample_data.columns",
        reason="ordersync.sample_data.columns does not import yet (sample data in progress)",
    )
    for raw in ["  Customer   Style ", "CUSTOMER\u00a0STYLE", "Ship\nMode", "po #"]:
        assert normalize_header(raw) == columns.normalise_header(raw)


# --- parse_template ---------------------------------------------------------------------------


def field(*columns: str) -> TemplateField:
    return TemplateField(columns)


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("{AAG ORDER NUMBER}", (field("AAG ORDER NUMBER"),)),
        (
            "{CUSTOMER} {CUSTOMER SEASON|AAG SEASON}",
            (field("CUSTOMER"), " ", field("CUSTOMER SEASON", "AAG SEASON")),
        ),
        ("{ customer  season | aag\u00a0season }", (field("CUSTOMER SEASON", "AAG SEASON"),)),
        ("{A|B|C}", (field("A", "B", "C"),)),
        ("PO {PO NUMBER} - {CUSTOMER}", ("PO ", field("PO NUMBER"), " - ", field("CUSTOMER"))),
        ("{CUSTOMER} (FW)", (field("CUSTOMER"), " (FW)")),
        ("{ORDER NO.}", (field("ORDER NO."),)),
        ("{CUSTOMER'S COLOUR CODE}", (field("CUSTOMER'S COLOUR CODE"),)),
        (
            "{PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)}",
            (field("PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)"),),
        ),
    ],
    ids=[
        "one-field",
        "default-group",
        "normalised-fields",
        "two-fall-backs",
        "literal-text",
        "trailing-literal",
        "dot-in-header",
        "apostrophe",
        "slash-and-brackets",
    ],
)
def test_parse_template(source: str, parts: tuple[str | TemplateField, ...]) -> None:
    assert parse_template(source) == NameTemplate(source, parts)


def test_doubled_braces_are_literal_braces() -> None:
    template = parse_template("{{SEA}} {CUSTOMER}")
    literal = "".join(p for p in template.parts if isinstance(p, str))
    assert literal == "{SEA} "
    assert template.columns == ("CUSTOMER",)


def test_template_columns_are_listed_once_in_order_of_first_use() -> None:
    template = parse_template("{B} {A|B} {C|A}")
    assert template.columns == ("B", "A", "C")


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{AAG ORDER NUMBER", "malformed template"),
        ("AAG ORDER NUMBER}", "malformed template"),
        ("{A{B}}", "malformed template"),
        ("{}", "empty column name"),
        ("{ }", "empty column name"),
        ("{CUSTOMER SEASON|}", "empty column name"),
        ("{|AAG SEASON}", "empty column name"),
        ("{CUSTOMER:>10}", "may not carry ':' or '!'"),
        ("{CUSTOMER!r}", "may not carry ':' or '!'"),
        ("ORDER", "names no column"),
        ("{{CUSTOMER}}", "names no column"),
        ("", "names no column"),
    ],
    ids=[
        "unclosed",
        "unopened",
        "nested",
        "empty-field",
        "blank-field",
        "empty-fall-back",
        "empty-first",
        "format-spec",
        "conversion",
        "no-field",
        "only-escaped",
        "empty",
    ],
)
def test_malformed_template_is_refused_with_its_reason(source: str, reason: str) -> None:
    with pytest.raises(ValueError, match="template") as caught:
        parse_template(source)
    message = str(caught.value)
    assert reason in message
    assert repr(source) in message  # the user sees which template is wrong


def test_template_without_a_field_suggests_one() -> None:
    with pytest.raises(ValueError, match=r"\{AAG ORDER NUMBER\}"):
        parse_template("ORDER")
