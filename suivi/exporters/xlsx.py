"""XLSX of recommendations, written with xlsxwriter in constant-memory mode.

Rows go to the worksheet as they come and are flushed to a temporary file row by row, so the
workbook's size does not bound the memory. Strings are always written as strings, never through
`write()`, which would make a formula of `=...` or a hyperlink of a URL.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import IO, Any

import xlsxwriter

from suivi.exporters.hxl import hashtag_row
from suivi.exporters.table import COLUMNS, Cell, cells, fit_cell
from suivi.services.exports import TableRow

# Excel's last row; past it the export goes on in a new worksheet.
MAX_ROWS = 1_048_576
WIDTHS = {
    "id": 9,
    "state": 6,
    "mechanism": 16,
    "body": 9,
    "document_symbol": 22,
    "paragraph": 10,
    "text": 80,
    "language": 8,
    "recommending_states": 20,
    "position": 14,
    "date": 11,
    "themes": 30,
    "affected_persons": 30,
    "hrd_reasons": 30,
    "status": 20,
    "updated_at": 21,
}


def workbook(out: IO[bytes], *, title: str) -> Any:
    """A constant-memory workbook writing to `out`, with its title set."""
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    book.set_properties({"title": title, "author": "Suivi"})
    return book


def write_cell(sheet: Any, row: int, column: int, value: Cell, date_format: Any) -> None:
    """One typed cell; strings are written as strings whatever they start with, cut to fit."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, column, fit_cell(value))
    elif isinstance(value, int):
        sheet.write_number(row, column, value)
    else:
        sheet.write_datetime(row, column, value, date_format)


class _Sheets:
    """Worksheets of the recommendations table, a new one each time Excel's row limit is hit."""

    def __init__(self, book: Any, *, hxl: bool) -> None:
        self.book = book
        self.hxl = hxl
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        self.sheet: Any = None
        self.row = MAX_ROWS
        self.first_row = 0
        self.sheets = 0

    def _close_sheet(self) -> None:
        if self.sheet is not None and self.row > self.first_row:
            self.sheet.autofilter(0, 0, self.row - 1, len(COLUMNS) - 1)

    def _new_sheet(self) -> None:
        self._close_sheet()
        self.sheets += 1
        name = "recommendations" if self.sheets == 1 else f"recommendations ({self.sheets})"
        sheet = self.book.add_worksheet(name)
        for column, name in enumerate(COLUMNS):
            sheet.set_column(column, column, WIDTHS.get(name, 12))
        sheet.write_row(0, 0, COLUMNS, self.header)
        self.row = 1
        if self.hxl:
            sheet.write_row(1, 0, hashtag_row(COLUMNS), self.header)
            self.row = 2
        sheet.freeze_panes(self.row, 0)
        self.first_row = self.row
        self.sheet = sheet

    def append(self, batch: list[TableRow]) -> None:
        for table_row in batch:
            if self.row >= MAX_ROWS:
                self._new_sheet()
            for column, value in enumerate(cells(table_row)):
                write_cell(self.sheet, self.row, column, value, self.date_format)
            self.row += 1

    def close(self) -> None:
        if self.sheet is None:
            self._new_sheet()
        self._close_sheet()
        self.book.close()


async def write_xlsx(
    batches: AsyncIterator[list[TableRow]],
    out: IO[bytes],
    *,
    hxl: bool = False,
    title: str = "Suivi: recommendations",
) -> None:
    """The workbook of every batch, written to `out`; the CPU work runs off the event loop."""
    sheets = _Sheets(workbook(out, title=title), hxl=hxl)
    async for batch in batches:
        await asyncio.to_thread(sheets.append, batch)
    await asyncio.to_thread(sheets.close)
