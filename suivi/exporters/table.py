"""The columns of a tabular export (CSV, XLSX) and how each cell is written safely."""

import unicodedata
from datetime import date

from suivi.services.exports import TableRow

# The order of suivi/services/exports.py's table query, which makes the rows.
COLUMNS = [
    "id",
    "state",
    "mechanism",
    "body",
    "document_symbol",
    "paragraph",
    "text",
    "language",
    "recommending_states",
    "position",
    "action_category",
    "session",
    "cycle",
    "date",
    "themes",
    "affected_persons",
    "sdgs",
    "hrd_relevance",
    "hrd_reasons",
    "status",
    "updated_at",
    "source_format",
]

# What a spreadsheet may read as the start of a formula (OWASP "CSV injection"): the four
# signs and their full-width forms that some spreadsheets also accept...
_FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# ...also after what a spreadsheet trims or does not show: spaces, control characters and
# invisible format characters (zero-width space, byte-order mark) ...
_SKIPPED_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
# ...and tab, CR and LF first, whatever follows them.
_UNSAFE_FIRST = frozenset("\t\r\n")

Cell = str | int | date | None

# Excel's most characters in a cell, counted in UTF-16 code units as Excel stores text.
MAX_CELL_CHARS = 32_767
# What ends a text cut to fit a cell, so no reader takes it for the whole text.
CUT_MARKER = " […] (cut: an Excel cell holds at most 32,767 characters)"


def neutralise(value: str) -> str:
    """`value` with a `'` in front when a spreadsheet could read it as a formula."""
    if value[:1] in _UNSAFE_FIRST:
        return "'" + value
    for char in value:
        if char in _FORMULA_SIGNS:
            return "'" + value
        if unicodedata.category(char) not in _SKIPPED_CATEGORIES:
            break
    return value


def fit_cell(value: str) -> str:
    """`value`, cut with CUT_MARKER at the end when it is longer than an Excel cell holds.

    Cut here rather than by the XLSX writer, which would cut it silently: a reader of a cut
    text must know it is not the whole recommendation.
    """
    # A code point is one or two UTF-16 units: most texts are decided without encoding them.
    if len(value) <= MAX_CELL_CHARS // 2:
        return value
    encoded = value.encode("utf-16-le")
    if len(encoded) <= 2 * MAX_CELL_CHARS:
        return value
    room = 2 * (MAX_CELL_CHARS - len(CUT_MARKER.encode("utf-16-le")) // 2)
    # "ignore" drops half a surrogate pair cut at the end, never a whole character before it.
    return encoded[:room].decode("utf-16-le", errors="ignore") + CUT_MARKER


def cells(row: TableRow) -> list[Cell]:
    """The cells of one row, in COLUMNS order, every text neutralised against formulas."""
    return [neutralise(value) if isinstance(value, str) else value for value in row]
