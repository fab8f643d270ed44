"""Exports: recommendations as CSV, XLSX or Suivi JSON, and a State's implementation matrix.

Everything here is public material, so every caller gets the same files. CSV and JSON are
streamed as they are made; XLSX is made in a temporary file first (a zip cannot be streamed
before its end), then streamed with its length.
"""

import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import aclosing
from datetime import UTC, datetime
from functools import partial
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ReadsDep, SessionDep
from api.params import STATE_PATTERN
from api.recommendation_filters import RecommendationFilterQuery
from api.schemas.problems import problem_responses
from suivi.exporters import recommendations as exporters
from suivi.exporters.matrix import MatrixLanguage, write_matrix
from suivi.exporters.recommendations import MEDIA_TYPES, ExportFormat
from suivi.reads import Reads
from suivi.services import exports as service
from suivi.services import meaning
from suivi.services.exports import Snapshot
from suivi.services.recommendations import HrdFilter

router = APIRouter(tags=["exports"])

# Files up to this size stay in memory while an XLSX is made; larger ones spill to disk.
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
XLSX = MEDIA_TYPES[ExportFormat.XLSX]


class CsvResponse(StreamingResponse):
    media_type = "text/csv"


class XlsxResponse(StreamingResponse):
    media_type = XLSX


class JsonStreamResponse(StreamingResponse):
    media_type = "application/json"


def get_snapshot(request: Request) -> Snapshot:
    """Sessions of the application's pool for one export.

    The request's own session is closed when the handler returns, before a streamed body is
    read, so an export opens its own: read-only, one REPEATABLE READ snapshot for every batch.
    """
    return partial(service.snapshot, request.app.state.sessionmaker)


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


class TableExportQuery(RecommendationFilterQuery):
    """The filters of `GET /v1/recommendations`, and the HXL row of a spreadsheet."""

    hxl: bool = Field(
        False,
        description="Add a row of Humanitarian Exchange Language hashtags (`#country+code`, "
        "`#meta+id`...) under the header.",
    )


class MatrixQuery(BaseModel):
    """What the matrix holds and the language of its headers."""

    model_config = ConfigDict(extra="forbid")

    hrd: HrdFilter | None = Field(
        None, description="Only recommendations concerning defenders: direct, related or any."
    )
    lang: MatrixLanguage = Field(
        MatrixLanguage.EN,
        description="Headers in English, French, Spanish or Arabic (right to left); the "
        "recommendations' text in that language where it is held.",
    )


def _disposition(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _file_content(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": what,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


async def _streamed(
    snapshot: Snapshot,
    reads: Reads,
    fmt: ExportFormat,
    params: RecommendationFilterQuery,
    hxl: bool,
) -> StreamingResponse:
    # Before the first byte: a search by meaning the server cannot answer is a problem, not
    # a cut stream. The nearest texts come from the process's copy or pgvector's index.
    meant = await meaning.with_meaning(reads, params.to_filters())

    async def body() -> AsyncGenerator[bytes]:
        async with snapshot() as session:
            async for chunk in exporters.chunks(session, fmt=fmt, filters=meant, hxl=hxl):
                yield chunk

    chunks = body()
    # The first chunk, which holds the first batch, is made here: a database that cannot be
    # reached or a query that fails is a problem response, not a 200 cut short. A failure
    # after it breaks the response: the server closes the connection without the last chunk.
    first = await anext(chunks)

    async def rest() -> AsyncIterator[bytes]:
        async with aclosing(chunks):
            yield first
            async for chunk in chunks:
                yield chunk

    response_class = CsvResponse if fmt is ExportFormat.CSV else JsonStreamResponse
    return response_class(
        rest(),
        media_type=MEDIA_TYPES[fmt],
        headers=_disposition(exporters.filename(fmt, datetime.now(UTC).date())),
    )


def _read_chunks(spool: IO[bytes]) -> Iterator[bytes]:
    # A plain iterator: Starlette reads it in its thread pool, off the event loop.
    try:
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()


def _file_response(spool: IO[bytes], name: str) -> XlsxResponse:
    size = spool.tell()
    spool.seek(0)
    return XlsxResponse(
        _read_chunks(spool),
        media_type=XLSX,
        headers={**_disposition(name), "Content-Length": str(size)},
    )


@router.get(
    "/v1/exports/recommendations.csv",
    operation_id="exportRecommendationsCsv",
    summary="Export recommendations as CSV",
    response_class=CsvResponse,
    responses={**_file_content("text/csv", "UTF-8 CSV with a BOM"), **problem_responses(409, 422)},
)
async def export_csv(
    snapshot: SnapshotDep, reads: ReadsDep, params: Annotated[TableExportQuery, Query()]
) -> StreamingResponse:
    """Every recommendation the filters of `GET /v1/recommendations` keep, in id order,
    streamed. UTF-8 with a byte-order mark, so spreadsheets read Arabic and French as they
    are; a cell that starts with `=`, `+`, `-`, `@`, tab or CR starts with `'`, so no
    spreadsheet runs it as a formula. Lists are joined with `; `. The list's `sort`, `limit`
    and `cursor` are refused (422): an export is every recommendation the filters keep."""
    return await _streamed(snapshot, reads, ExportFormat.CSV, params, params.hxl)


@router.get(
    "/v1/exports/recommendations.xlsx",
    operation_id="exportRecommendationsXlsx",
    summary="Export recommendations as an Excel workbook",
    response_class=XlsxResponse,
    responses={**_file_content(XLSX, "An XLSX workbook"), **problem_responses(409, 422)},
)
async def export_xlsx(
    snapshot: SnapshotDep, reads: ReadsDep, params: Annotated[TableExportQuery, Query()]
) -> StreamingResponse:
    """The columns of the CSV export in a workbook: header frozen, filterable, dates as dates.
    Text is always text, never a formula or a link. A text longer than the 32,767 characters
    of an Excel cell is cut and ends with `[…] (cut: …)`; the CSV and JSON hold it whole. Past
    Excel's 1,048,576 rows the export goes on in another worksheet."""
    meant = await meaning.with_meaning(reads, params.to_filters())
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the body
    try:
        async with snapshot() as session:
            await exporters.write(
                session, spool, fmt=ExportFormat.XLSX, filters=meant, hxl=params.hxl
            )
    except BaseException:
        spool.close()
        raise
    name = exporters.filename(ExportFormat.XLSX, datetime.now(UTC).date())
    return _file_response(spool, name)


@router.get(
    "/v1/exports/recommendations.json",
    operation_id="exportRecommendationsJson",
    summary="Export recommendations in the Suivi JSON format",
    response_class=JsonStreamResponse,
    responses={
        **_file_content("application/json", "Suivi JSON, version 1"),
        **problem_responses(409, 422),
    },
)
async def export_json(
    snapshot: SnapshotDep, reads: ReadsDep, params: Annotated[RecommendationFilterQuery, Query()]
) -> StreamingResponse:
    """The recommendations with every text held, in the format `POST /v1/imports` and
    `suivi import` read: importing the file into another Suivi reproduces them. Streamed."""
    return await _streamed(snapshot, reads, ExportFormat.JSON, params, False)


@router.get(
    "/v1/states/{code}/matrix.xlsx",
    operation_id="exportStateMatrix",
    summary="A State's implementation matrix as an Excel workbook",
    response_class=XlsxResponse,
    responses={**_file_content(XLSX, "An XLSX workbook"), **problem_responses(404, 422)},
)
async def export_matrix(
    session: SessionDep,
    code: Annotated[
        str, Path(pattern=STATE_PATTERN, description="ISO 3166-1 alpha-3, e.g. `TUN`.")
    ],
    params: Annotated[MatrixQuery, Query()],
) -> StreamingResponse:
    """One row per recommendation per theme (a recommendation with several themes is under
    each; those without a theme come last): the recommendation and its source, the State's
    position, themes and affected persons, linked State actions with their institutions, the
    status, each source's latest published assessment and the latest follow-up grade. Only
    published material; a submitter who asked for confidentiality is never named."""
    name = await service.check_state(session, code=code)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the body
    try:
        pages = service.matrix_pages(
            session,
            state=code,
            hrd=params.hrd,
            language=params.lang.value,
        )
        await write_matrix(pages, spool, state=code, name=name, language=params.lang)
    except BaseException:
        spool.close()
        raise
    today = datetime.now(UTC).date().isoformat()
    return _file_response(spool, f"suivi-matrix-{code}-{today}.xlsx")
