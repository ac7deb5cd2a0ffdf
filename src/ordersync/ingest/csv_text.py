"""Reading a CSV as Excel writes it: any of its encodings and separators.

Encoding: the profile's ``encoding``, else a byte-order mark (UTF-8 or UTF-16),
else UTF-8 (a few stray bytes in mostly UTF-8 text read as Windows-1252, and said so),
else Windows-1252 (Excel's "CSV" on Western Windows; the five bytes it leaves undefined
dropped, and said so).
Separator: the profile's ``delimiter``, else the one of ``,`` ``;`` tab ``|``
that splits the most of the first lines alike (the header and its rows; a title
line above them, or a remark, has at most a few stray ones).
A ``;`` file is what Excel writes where the comma is the decimal mark, so its
decimal columns read ``12,50`` as 12.5 (see ``prepare``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

import polars as pl

from ordersync.errors import FileRejected, Location, foreign_reason, is_bug

SEPARATORS = (",", ";", "\t", "|")
_LONE_CR = re.compile(r"\r(?!\n)")
_SNIFF_LINES = 50


@dataclass(frozen=True)
class CsvText:
    """A decoded CSV: its cells (all text) and how it was read."""

    cells: pl.DataFrame
    encoding: str
    separator: str
    notes: tuple[str, ...] = ()

    @property
    def decimal_comma(self) -> bool:
        return self.separator == ";"


def read_csv(display: str, data: bytes, *, encoding: str | None = None,
             separator: str | None = None) -> CsvText:
    if not data.strip():
        raise FileRejected(Location(display), "the file is empty")
    text, used, strays = _decode(display, data, encoding)
    if not text.strip():
        raise FileRejected(Location(display), "the file is empty (nothing but a byte-order "
                           "mark and blank space)")
    notes: tuple[str, ...] = ()
    if used == _GUESSED_CP1252:
        used = "cp1252"
        notes = (f"{display}: read as Windows-1252 — its bytes also make valid UTF-8, but "
                 "then hold IPA symbols (É’ would read ɒ) and no accented Latin letter: set the "
                 "profile's `encoding` if that is wrong",)
    elif strays and used == "cp1252":
        notes = (f"{display}: {strays} byte(s) that Windows-1252 does not define (0x81, 0x8D, "
                 "0x8F, 0x90, 0x9D) were dropped, the rest read as Windows-1252: check the "
                 "text near them (save the file as 'CSV UTF-8')",)
    elif strays:
        notes = (f"{display}: {strays} byte(s) were not UTF-8 like the rest of the file and "
                 "were read as Windows-1252: check the accented text (save the file as "
                 "'CSV UTF-8')",)
    if "\x00" in text:
        raise FileRejected(Location(display), "not a text file (binary data in a .csv)",
                           "save it from Excel as 'CSV UTF-8'")
    if "\ufeff" in text:  # a byte-order mark inside: exports joined into one file
        text = text.replace("\ufeff", "")
    if "\r" in text and _LONE_CR.search(text):
        # Lines ended by CR alone (old Mac exports) or a mix: ended by LF, as the reader
        # expects (a cell's CR LF line break becomes LF).
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    separator = separator or sniff_separator(text)
    # As wide as the widest line (quoted separators may over-count: extra columns stay
    # empty), so a short title line above the header does not cut the header short.  A
    # record whose quoted cell spans lines can be wider than any one of its lines: then the
    # records are counted as the CSV reader sees them (never a value cut off in silence).
    width = max(line.count(separator) for line in text.splitlines()) + 1
    try:
        try:
            cells = _read(text, separator, width)
        except pl.exceptions.ComputeError as exc:
            if "more fields" not in str(exc):
                raise
            cells = _read(text, separator, _widest_record(text, separator))
    except BaseException as exc:
        if not is_bug(exc):
            raise
        raise FileRejected(Location(display), f"cannot parse the CSV ({foreign_reason(exc)})",
                           "set the profile's `delimiter` and `encoding` if they are unusual"
                           ) from exc
    return CsvText(_unwrapped(cells), used, separator, notes)


def _unwrapped(cells: pl.DataFrame) -> pl.DataFrame:
    """Cells written as Excel's text formula ``="000123"`` (how exports keep leading zeros in
    a CSV, and how Excel shows them): their text, ``000123``."""
    marked = cells.select(pl.all().str.starts_with('="').any()).row(0) if cells.width else ()
    columns = [c for c, mark in zip(cells.columns, marked, strict=True) if mark]
    if not columns:
        return cells
    formula = r'^="(.*)"$'
    return cells.with_columns(
        pl.when(pl.col(c).str.contains(formula))
        .then(pl.col(c).str.replace(formula, "${1}").str.replace_all('""', '"', literal=True))
        .otherwise(pl.col(c)).alias(c)
        for c in columns)


def _read(text: str, separator: str, width: int) -> pl.DataFrame:
    # As UTF-8 bytes: polars reads a text stream a third slower.
    return pl.read_csv(text.encode("utf-8"), has_header=False, separator=separator,
                       schema={f"c{i}": pl.String for i in range(width)},
                       missing_columns="insert", truncate_ragged_lines=False)


def _widest_record(text: str, separator: str) -> int:
    return max((len(record) for record in csv.reader(io.StringIO(text), delimiter=separator)),
               default=1)


def sniff_separator(text: str) -> str:
    """The separator that splits the most of the first lines into the same number of cells
    (the header and the rows below it), then the widest such split, then the earlier
    candidate: a remark full of ``;`` in a comma file splits one line, not the rows."""
    lines = text.splitlines()[:_SNIFF_LINES]
    best, best_score = ",", (0, 0)
    for candidate in SEPARATORS:
        counts = Counter(_count_outside_quotes(line, candidate) for line in lines)
        counts.pop(0, None)
        score = max(((lines, count) for count, lines in counts.items()), default=(0, 0))
        if score > best_score:
            best, best_score = candidate, score
    return best


def _count_outside_quotes(line: str, separator: str) -> int:
    if '"' not in line:
        return line.count(separator)
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            count += 1
    return count


def _decode(display: str, data: bytes, encoding: str | None) -> tuple[str, str, int]:
    """The text, the encoding it was read in, and how many stray bytes were not in it."""
    if encoding is not None:
        if data.startswith(codecs.BOM_UTF8) and encoding not in ("utf-8", "utf-8-sig"):
            raise FileRejected(Location(display), f"the file is UTF-8 (it starts with UTF-8's "
                               f"byte-order mark), but the profile's encoding says {encoding}",
                               "remove `encoding` from the profile: the file says what it is")
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding, 0
        except UnicodeDecodeError as exc:
            raise FileRejected(Location(display),
                               f"the file is not {encoding} text (byte {exc.start})",
                               "fix the profile's `encoding` or remove it to let ordersync "
                               "detect it") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", 0
        except UnicodeDecodeError as exc:
            raise FileRejected(Location(display), f"the file starts as UTF-16 text but is not "
                               f"UTF-16 at byte {exc.start:,} ({exc.reason}): it is cut short "
                               "or damaged", "ask the customer to send the file again") from None
    if (utf16 := _utf16_without_bom(data)) is not None:
        return utf16
    body, bom = (data[3:], "utf-8-sig") if data.startswith(codecs.BOM_UTF8) else (data, "utf-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if bom == "utf-8" and _UTF8_BY_ACCIDENT.search(text) and not _LATIN_LETTER.search(text):
            # Windows-1252 whose every accented letter happens to be followed by a byte
            # that makes valid UTF-8 with it (JOSÉ’S, CAFÉ™ read as JOSɒS, CAFə): no real
            # text writes IPA symbols and no Latin accented letter.
            return data.decode("cp1252", errors="ignore"), _GUESSED_CP1252, 0
        return text, bom, 0
    # Not UTF-8 throughout.  Mostly UTF-8 with a few stray bytes (lines pasted from another
    # export): the UTF-8 stays UTF-8 and only the strays are read as Windows-1252 — reading
    # the whole file as Windows-1252 would garble every accent, business keys included.
    sequences = _UTF8_SEQUENCE.findall(body)
    high = sum(1 for byte in body if byte >= 0x80)
    # UTF-8 that makes IPA symbols is Windows-1252 by accident (É’): it does not count
    plausible = sum(len(m) for m in sequences if not _IPA_UTF8.fullmatch(m))
    if bom == "utf-8-sig" or plausible > high - plausible:
        return (body.decode("utf-8", errors=_STRAYS), bom,
                high - sum(len(m) for m in sequences))
    # Excel's "CSV" on Western Windows.  The five bytes Windows-1252 leaves undefined are
    # dropped and counted: reading the whole file as Latin-1 instead turned every € ’ – …
    # into an invisible control character, business keys included.
    undefined = sum(data.count(byte) for byte in _CP1252_UNDEFINED)
    return data.decode("cp1252", errors="ignore"), "cp1252", undefined


_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def _utf16_without_bom(data: bytes) -> tuple[str, str, int] | None:
    """UTF-16 text without its byte-order mark (some exports leave it out): a NUL beside
    nearly every ASCII character of the first kilobytes, on one side."""
    head = data[:4096]
    if len(head) < 4 or head.count(0) < len(head) // 3:
        return None
    for encoding, nuls in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if nuls.count(0) >= len(nuls) * 0.9:
            try:
                return data.decode(encoding), encoding, 0
            except UnicodeDecodeError:
                return None
    return None


_UTF8_BY_ACCIDENT = re.compile("[\u0250-\u02af]")  # IPA symbols
_IPA_UTF8 = re.compile(rb"\xc9[\x90-\xbf]|\xca[\x80-\xaf]")  # the same, as UTF-8 bytes
_LATIN_LETTER = re.compile("[\u00c0-\u00ff]")  # À…ÿ, as UTF-8 text writes accents
_GUESSED_CP1252 = "cp1252 (valid UTF-8 by accident)"

_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")
_STRAYS = "ordersync-cp1252"


def _as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """A decoding error handler: the bytes that are not UTF-8, read as Windows-1252 (the five
    bytes it leaves undefined dropped)."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start:error.end]
    return bytes(bad).decode("cp1252", errors="ignore"), error.end


codecs.register_error(_STRAYS, _as_cp1252)
