"""The one way any source file becomes recommendations: detect, read, validate, load, report."""

import codecs
import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from importers.sample import read_sample
from importers.suivi_json import read_suivi_json
from importers.uhri import SYMBOL_LENGTH, read_uhri
from importers.un_text import read_un_text
from importers.upr_info import COLUMNS as UPR_INFO_COLUMNS
from importers.upr_info import MAX_SESSION, read_upr_info
from models.enums import SourceFormat
from suivi.countries import (
    StateResolver,
    default_resolver,
    unknown_state_message,
)
from suivi.errors import SuiviError
from suivi.exporters.suivi_json import FORMAT_NAME as SUIVI_JSON_NAME
from suivi.exporters.suivi_json import FORMAT_VERSION as SUIVI_JSON_VERSION
from suivi.records import RecommendationRecord, RecordError
from suivi.services import sample
from suivi.services.import_report import (
    ImportReport,
    ImportWarning,
    RejectedRecord,
    rejected_records,
)
from suivi.services.imports import Progress, import_records
from suivi.services.keys import Caller
from suivi.services.sample import SampleData

SNIFF_BYTES = 4096
LANGUAGE_LENGTH = 8  # recommendations.language
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
    """The import was asked for in a way that cannot work (not a problem of the file's rows).

    The message names the options it is about as `{format}`, `{symbol}`...: each interface
    names them in its own terms, form fields over HTTP (`detail`) and flags on the command line.
    """

    status = 400
    type_slug = "import-usage"
    title = "The import cannot run as asked"

    def __init__(self, message: str) -> None:
        super().__init__(message.format_map(_FormFieldNames()))
        self.message = message

    def for_command_line(self) -> str:
        """The message with its options named as `suivi import` flags."""
        return self.message.format_map(_FlagNames())


class _FormFieldNames(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"the `{key}` field"


class _FlagNames(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"--{key.replace('_', '-')}"


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
    # The UPR Info reader also takes UTF-16 text, which a byte-order mark announces.
    header = (
        head.decode("utf-16", errors="ignore")
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        else text.decode("latin-1")
    )
    first_line = header.split("\r", 1)[0].split("\n", 1)[0]
    if all(column in first_line for column in UPR_INFO_COLUMNS):
        return ImportFormat.UPR_INFO
    suffix = Path(name).suffix.lower()
    if suffix in {".txt", ".text"}:
        return ImportFormat.UN_TEXT
    if suffix == ".csv" and first_line == header and len(head) >= SNIFF_BYTES:
        # A first line longer than the sniffed bytes may be an overlong UPR Info header (the
        # only CSV format read): its reader says what is wrong with it, in a recorded run.
        return ImportFormat.UPR_INFO
    raise ImportUsageError(
        f"cannot tell the format of {_braces(name)!r}: set {{format}} "
        "(upr-info, uhri, un-text or suivi-json)"
    )


def _braces(text: str) -> str:
    # A file name is the caller's text: its braces must not be read as option placeholders.
    return text.replace("{", "{{").replace("}", "}}")


def _un_text_reader(options: DocumentOptions, states: StateResolver) -> _Reader:
    missing = [name for name in ("symbol", "state") if not getattr(options, name)]
    if missing:
        named = " and ".join(f"{{{name}}}" for name in missing)
        raise ImportUsageError(
            f"report text (un-text) does not say which document or State it is: set {named} "
            "(and usually {session})"
        )
    assert options.symbol is not None
    assert options.state is not None
    state = states.resolve(options.state)
    if state is None:
        raise ImportUsageError(
            "{state}: " + _braces(unknown_state_message("State", options.state, states))
        )
    symbol = options.symbol
    if options.session is not None and not 1 <= options.session <= MAX_SESSION:
        raise ImportUsageError(
            f"{{session}} must be from 1 to {MAX_SESSION}, not {options.session}"
        )
    # The lengths the documents and recommendations columns hold.
    if len(symbol) > SYMBOL_LENGTH:
        raise ImportUsageError(f"{{symbol}} is longer than {SYMBOL_LENGTH} characters")
    if not 2 <= len(options.language) <= LANGUAGE_LENGTH:
        raise ImportUsageError(
            f"{{language}} must be a language code of 2 to {LANGUAGE_LENGTH} characters, "
            "such as en or fr"
        )

    def read(stream: BinaryIO) -> Iterator[RecommendationRecord | RecordError]:
        return read_un_text(
            stream,
            symbol=symbol,
            state=state,
            session=options.session,
            language=options.language,
            states=states,
        )

    return read


def reader_for(
    fmt: ImportFormat, options: DocumentOptions, states: StateResolver | None = None
) -> _Reader:
    """The reader of a (detected) format, naming States with `states` (built-in names if None)."""
    names = states or default_resolver()
    if fmt is ImportFormat.UPR_INFO:
        return partial(read_upr_info, states=names)
    if fmt is ImportFormat.UHRI:
        return partial(read_uhri, states=names)
    if fmt is ImportFormat.SUIVI_JSON:
        return partial(read_suivi_json, states=names)
    if fmt is ImportFormat.UN_TEXT:
        return _un_text_reader(options, names)
    raise ImportUsageError(f"no reader for format {fmt!r}: set {{format}}")


def sample_data() -> SampleData:
    """The illustrative sample shipped with Suivi, read and validated by its reader."""
    return read_sample()


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
                raise ImportUsageError(f"{_braces(url)} answered HTTP {response.status_code}")
            async for chunk in response.aiter_bytes(DOWNLOAD_CHUNK):
                spool.write(chunk)
    except httpx.HTTPError as exc:
        spool.close()
        raise ImportUsageError(_braces(f"cannot download {url}: {exc}")) from exc
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
    states: StateResolver | None = None,
) -> ImportReport:
    """Import `stream` (a seekable binary file named `name`) and record the run; State names
    are resolved by `states` (the built-in names when None)."""
    options = options or DocumentOptions()
    if fmt is ImportFormat.AUTO:
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
        fmt = detect_format(head, name)
    read = reader_for(fmt, options, states)
    report = await import_records(
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
    if await sample.is_loaded(session):
        report.warnings.insert(0, ImportWarning(SAMPLE_WARNING))
    return report


SAMPLE_WARNING = (
    "this database also holds the illustrative sample (invented records, not UN data), which "
    "lists, statistics and exports count with real records unless filtered by source_format: "
    "remove it with `suivi demo --remove`"
)


def rejected_report_path(source: str, report: ImportReport) -> Path:
    """Where `suivi import --skip-invalid` writes the rejected records of `source` by default."""
    suffix = ".json" if report.source_format in _JSON_FORMATS else ".csv"
    name = Path(source.split("?", 1)[0]).name or "import"
    return Path(f"{name}.rejected{suffix}")


_JSON_FORMATS = frozenset({SourceFormat.UHRI, SourceFormat.SUIVI_JSON})
# The columns that say why a row was rejected, after the row's own columns.
REJECTION_COLUMNS = ("line", "column", "message")


def write_rejected_report(path: Path, *, report: ImportReport) -> None:
    """The rejected records in their source's own shape, each with where and why, so that the
    fixed file imports with the same command: CSV rows keep their columns, JSON records their
    fields."""
    rejected = rejected_records(report.errors)
    if report.source_format is SourceFormat.UHRI:
        _write_json(path, [_with_rejection(record) for record in rejected])
    elif report.source_format is SourceFormat.SUIVI_JSON:
        _write_json(
            path,
            {
                "format": SUIVI_JSON_NAME,
                "version": SUIVI_JSON_VERSION,
                # Read back by nobody: the reader takes `format`, `version` and `recommendations`.
                "rejected": [
                    {key: value for key, value in record.as_dict().items() if key != "original"}
                    for record in rejected
                ],
                "recommendations": [record.original for record in rejected if record.original],
            },
        )
    else:
        _write_csv(path, rejected)


def _with_rejection(record: RejectedRecord) -> dict[str, Any]:
    why = {key: value for key, value in record.as_dict().items() if key != "original"}
    return {**(record.original or {}), "rejected": why}


def _write_json(path: Path, content: Any) -> None:
    path.write_bytes(orjson.dumps(content, option=orjson.OPT_INDENT_2))


def _write_csv(path: Path, rejected: list[RejectedRecord]) -> None:
    columns: dict[str, None] = {}
    for record in rejected:
        columns.update(dict.fromkeys(record.original or {}))
    for name in REJECTION_COLUMNS:
        columns.pop(name, None)  # a file of rejected rows, rejected again
    header = [*columns, *REJECTION_COLUMNS]
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.DictWriter(out, fieldnames=header, restval="")
        writer.writeheader()
        for record in rejected:
            row = {key: value for key, value in (record.original or {}).items() if key in columns}
            row["line"] = record.location.line if record.location.line is not None else ""
            row["column"] = "; ".join(record.columns)
            row["message"] = "; ".join(record.messages)
            writer.writerow(row)
