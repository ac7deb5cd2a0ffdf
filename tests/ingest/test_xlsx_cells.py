"""What the sheet's XML says that the reader cannot: judged from the cells the XML really
holds, never from what the writer says about them."""

from __future__ import annotations

import pytest

from ordersync.ingest.xlsx_cells import CELL_BUDGET, Extent, oversized

HEAD = '<worksheet xmlns="urn:main">{dimension}<sheetData>'
TAIL = "</sheetData></worksheet>"
FAR = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _rows(count: int, columns: str = "ABC") -> list[str]:
    return [f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in columns)
            + "</row>" for r in range(1, count + 1)]


def _sheet(rows: list[str], dimension: str = "") -> bytes:
    return (HEAD.format(dimension=dimension) + "".join(rows) + TAIL).encode()


@pytest.mark.parametrize(("dimension", "rows"), [
    # right about the rows, not about the columns: the stray cell is in the last row
    ('<dimension ref="A1:M1048576"/>', [*_rows(3), FAR]),
    # a range that lies, and the stray cell's row written before the last rows
    ('<dimension ref="A1:M3"/>', [*_rows(1), FAR, *_rows(3)[1:]]),
    ('<dimension ref="A1:C20000"/>', [*_rows(3), FAR]),  # a range past A1:ZZ9999
    ('<dimension ref="A1:C3"/>', [*_rows(3), FAR.replace("XFD", "xfd")]),  # the reader
    # takes a reference in lower case, a cell in a row of its own number, and attributes
    # however XML allows them to be written
    ('<dimension ref="A1:C3"/>', [*_rows(3)[:2], _rows(3)[2].replace(
        "</row>", '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')]),
    ("", [*_rows(3), FAR.replace('<c r="XFD1048576"', "<c\tr = 'XFD1048576'")]),
    ("", [*_rows(3), FAR.replace("<c ", '<y:c xmlns:y="urn:main" ').replace(
        "</c>", "</y:c>")]),
], ids=["dimension-right-about-rows-only", "rows-out-of-order", "wide-range-that-lies",
        "lower-case-reference",
        "far-cell-in-a-near-row", "odd-attribute-syntax", "other-namespace-prefix"])
def test_a_far_cell_is_found_whatever_the_recorded_range_says(dimension: str,
                                                              rows: list[str]) -> None:
    """The reader holds every cell from A1 to the farthest value, whatever <dimension>
    says: 1,048,576 × 16,384 cells for one stray value (512 GB: a failed allocation ends
    the process, and the run's other files are never read)."""
    found = oversized(_sheet(rows, dimension))

    assert found is not None
    assert (found.rows, found.columns) == (1_048_576, 16_384)
    assert found.filled == 10


def test_a_far_cell_written_without_its_reference_is_placed_by_position() -> None:
    """Cells may leave out their reference (each follows the one before it)."""
    far = '<row r="1048576">' + "<c><v>1</v></c>" * 800 + "</row>"
    found = oversized(_sheet([*_rows(3), far]), budget=1_000_000)

    assert found == Extent(1_048_576, 800, 809, "A1048576", "ADT1048576")


@pytest.mark.parametrize(("rows", "recorded", "budget"), [
    (_rows(3), "A1:XFD1048576", 4),  # a sheet whose every cell is filled reads whatever its size
    ([*_rows(3), '<row r="1048576"><c r="XFD1048576" s="3"/></row>'], "A1:XFD1048576",
     1_000),  # a far cell with a style alone: the reader does not hold it
    (_rows(1_200, "ABCDEFGHIJKL"), "A1:L1200", CELL_BUDGET),
    (_rows(10_001, "AB"), "A1:B10001", CELL_BUDGET),
    (_rows(10_001, "AB"), "A1:XFD1048576", CELL_BUDGET),  # every cell reference read
], ids=["filled", "styled-far-cell", "ordinary", "ten-thousand-rows",
        "ten-thousand-rows-whole-sheet-range"])
def test_a_sheet_the_reader_can_hold_is_read(rows: list[str], recorded: str,
                                             budget: int) -> None:
    assert oversized(_sheet(rows, f'<dimension ref="{recorded}"/>'), budget=budget) is None
