"""CSV of recommendations: UTF-8 with a BOM, so Excel reads Arabic and French as they are."""

import csv
import io
from collections.abc import AsyncIterator

from suivi.exporters.hxl import hashtag_row
from suivi.exporters.table import COLUMNS, cells
from suivi.services.exports import TableRow

# Excel takes a file without a byte-order mark for the local code page, not UTF-8.
BOM = "\ufeff"


async def csv_chunks(
    batches: AsyncIterator[list[TableRow]], *, hxl: bool = False
) -> AsyncIterator[bytes]:
    """The CSV, one chunk per batch: the header (and HXL row) first, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    if hxl:
        writer.writerow(hashtag_row(COLUMNS))
    yield buffer.getvalue().encode()
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        # csv writes None as an empty field and a date in ISO 8601, as str() does.
        writer.writerows(cells(row) for row in batch)
        yield buffer.getvalue().encode()
