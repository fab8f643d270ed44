"""The columns of a tabular export (CSV, XLSX) and how each cell is written safely."""

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
]

# What a spreadsheet may read as the start of a formula (OWASP "CSV injection"): the four
# signs, their full-width forms that some spreadsheets also accept, and tab, CR and LF.
_FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")

Cell = str | int | date | None


def neutralise(value: str) -> str:
    """`value` with a `'` in front when a spreadsheet could read it as a formula."""
    if value and value[0] in _FORMULA_STARTS:
        return "'" + value
    return value


def cells(row: TableRow) -> list[Cell]:
    """The cells of one row, in COLUMNS order, every text neutralised against formulas."""
    return [neutralise(value) if isinstance(value, str) else value for value in row]
