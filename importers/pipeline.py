"""The one way any source file becomes recommendations: detect, read, validate, load, report."""

import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from importers.suivi_json import read_suivi_json
from importers.uhri import read_uhri
from importers.un_text import read_un_text
from importers.upr_info import COLUMNS as UPR_INFO_COLUMNS
from importers.upr_info import read_upr_info
from models.enums import SourceFormat
from suivi.countries import is_alpha3
from suivi.errors import SuiviError
from suivi.records import RecommendationRecord, RecordError
from suivi.services.imports import ImportReport, Progress, import_records
from suivi.services.keys import Caller

SNIFF_BYTES = 4096
DOWNLOAD_CHUNK = 1 << 16
# Uploads and downloads larger than this spill from memory to a temporary file.
SPOOL_BYTES = 16 << 20


class ImportFormat(StrEnum):
    AUTO = "auto"
    UPR_INFO = "upr-info"
    UHRI = "uhri"
    UN_TEXT = "un-text"
    SUIVI_JSON = "suivi-json"


SOURCE_FORMATS = {
    ImportFormat.UPR_INFO: SourceFormat.UPR_INFO,
    ImportFormat.UHRI: SourceFormat.UHRI,
    ImportFormat.UN_TEXT: SourceFormat.UN_TEXT,
    ImportFormat.SUIVI_JSON: SourceFormat.SUIVI_JSON,
}


class ImportUsageError(SuiviError):
    """The import was asked for in a way that cannot work (not a problem of the file's rows)."""

    status = 400
    type_slug = "import-usage"
    title = "The import cannot run as asked"


@dataclass(frozen=True, slots=True)
class DocumentOptions:
    """What a report's text does not say about itself: given by the person importing it."""

    symbol: str | None = None
    state: str | None = None
    session: int | None = None
    language: str = "en"


class _Reader(Protocol):
    def __call__(self, stream: BinaryIO) -> Iterator[RecommendationRecord | RecordError]: ...


def detect_format(head: bytes, name: str) -> ImportFormat:
    """The format of a source from its first bytes and its name."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return ImportFormat.UHRI
    if text.startswith(b"{"):
        return ImportFormat.SUIVI_JSON
    first_line = text.split(b"\r", 1)[0].split(b"\n", 1)[0].decode("latin-1")
    if all(column in first_line for column in UPR_INFO_COLUMNS):
        return ImportFormat.UPR_INFO
    suffix = Path(name).suffix.lower()
    if suffix in {".txt", ".text"}:
        return ImportFormat.UN_TEXT
    raise ImportUsageError(
        f"cannot tell the format of {name!r}: pass --format (upr-info, uhri, un-text or suivi-json)"
    )


def _un_text_reader(options: DocumentOptions) -> _Reader:
    if not options.symbol or not options.state:
        raise ImportUsageError("un-text imports need --symbol and --state (and usually --session)")
    state = options.state.upper()
    if not is_alpha3(state):
        raise ImportUsageError(f"--state must be an ISO 3166-1 alpha-3 code, not {options.state!r}")
    symbol = options.symbol
    if options.session is not None and options.session < 1:
        raise ImportUsageError(f"--session must be 1 or more, not {options.session}")

    def read(stream: BinaryIO) -> Iterator[RecommendationRecord | RecordError]:
        return read_un_text(
            stream,
            symbol=symbol,
            state=state,
            session=options.session,
            language=options.language,
        )

    return read


def reader_for(fmt: ImportFormat, options: DocumentOptions) -> _Reader:
    """The reader of a (detected) format."""
    if fmt is ImportFormat.UPR_INFO:
        return read_upr_info
    if fmt is ImportFormat.UHRI:
        return read_uhri
    if fmt is ImportFormat.SUIVI_JSON:
        return read_suivi_json
    if fmt is ImportFormat.UN_TEXT:
        return _un_text_reader(options)
    raise ImportUsageError(f"no reader for format {fmt!r}")


def is_url(source: str) -> bool:
    """Whether `source` names an http(s) URL rather than a file."""
    return source.startswith(("http://", "https://"))


async def download(url: str, *, client: httpx.AsyncClient | None = None) -> BinaryIO:
    """The body of `url`, streamed into a temporary file (memory stays bounded)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to caller
    own_client = client is None
    http = client or httpx.AsyncClient(follow_redirects=True, timeout=60)
    try:
        async with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise ImportUsageError(f"{url} answered HTTP {response.status_code}")
            async for chunk in response.aiter_bytes(DOWNLOAD_CHUNK):
                spool.write(chunk)
    except httpx.HTTPError as exc:
        spool.close()
        raise ImportUsageError(f"cannot download {url}: {exc}") from exc
    finally:
        if own_client:
            await http.aclose()
    spool.seek(0)
    return spool  # type: ignore[return-value]


async def run_import(
    session: AsyncSession,
    *,
    stream: BinaryIO,
    name: str,
    fmt: ImportFormat = ImportFormat.AUTO,
    options: DocumentOptions | None = None,
    actor: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    caller: Caller | None = None,
) -> ImportReport:
    """Import `stream` (a seekable binary file named `name`) and record the run."""
    options = options or DocumentOptions()
    if fmt is ImportFormat.AUTO:
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
        fmt = detect_format(head, name)
    read = reader_for(fmt, options)
    return await import_records(
        session,
        items=read(stream),
        source=name,
        source_format=SOURCE_FORMATS[fmt],
        actor=actor,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        progress=progress,
        caller=caller,
    )


def write_rejected_report(path: Path, *, source: str, report: ImportReport) -> None:
    """The rejected records with their reasons, as CSV a person can open in a spreadsheet."""
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "line", "record", "column", "message"])
        for error in report.errors:
            writer.writerow(
                [
                    source,
                    error.location.line if error.location.line is not None else "",
                    error.location.record if error.location.record is not None else "",
                    error.column or "",
                    error.message,
                ]
            )
