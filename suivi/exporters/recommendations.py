"""Exports of recommendations in each format, from the filters of `GET /v1/recommendations`."""

from collections.abc import AsyncIterator, Callable
from datetime import date
from enum import StrEnum
from typing import IO, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from suivi.exporters.csv import csv_chunks
from suivi.exporters.suivi_json import json_chunks
from suivi.exporters.xlsx import write_xlsx
from suivi.services import exports as service
from suivi.services.recommendations import RecommendationFilters

Progress = Callable[[int], object]
T = TypeVar("T")


class ExportFormat(StrEnum):
    """The formats of a recommendations export."""

    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8; header=present",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


def filename(fmt: ExportFormat, today: date) -> str:
    """The name an export is saved under: `suivi-recommendations-<date>.<format>`."""
    return f"suivi-recommendations-{today.isoformat()}.{fmt.value}"


async def _counted(
    batches: AsyncIterator[list[T]], progress: Progress | None
) -> AsyncIterator[list[T]]:
    async for batch in batches:
        yield batch
        if progress is not None:
            progress(len(batch))


def chunks(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    filters: RecommendationFilters,
    hxl: bool = False,
    progress: Progress | None = None,
) -> AsyncIterator[bytes]:
    """The bytes of a CSV or JSON export as they are made; XLSX is made by `write`."""
    if fmt is ExportFormat.CSV:
        rows = _counted(service.table_batches(session, filters=filters), progress)
        return csv_chunks(rows, hxl=hxl)
    if fmt is ExportFormat.JSON:
        portable = _counted(service.portable_batches(session, filters=filters), progress)
        return json_chunks(portable)
    raise ValueError(f"{fmt} is written to a file, not streamed as it is made")


async def write(
    session: AsyncSession,
    out: IO[bytes],
    *,
    fmt: ExportFormat,
    filters: RecommendationFilters,
    hxl: bool = False,
    progress: Progress | None = None,
) -> None:
    """Write the export of the recommendations `filters` keep to the binary file `out`."""
    if fmt is ExportFormat.XLSX:
        rows = _counted(service.table_batches(session, filters=filters), progress)
        await write_xlsx(rows, out, hxl=hxl)
        return
    async for chunk in chunks(session, fmt=fmt, filters=filters, hxl=hxl, progress=progress):
        out.write(chunk)
