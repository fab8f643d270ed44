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
    """The CSV, one chunk per batch, the first led by the header (and HXL row).

    The header waits for the first batch: a failure to read it then comes before the first
    byte, while the response can still be a problem instead of a file cut short.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    if hxl:
        writer.writerow(hashtag_row(COLUMNS))
    async for batch in batches:
        # csv writes None as an empty field and a date in ISO 8601, as str() does.
        writer.writerows(cells(row) for row in batch)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        # Not one batch: the header alone.
        yield buffer.getvalue().encode()
