"""`suivi import`: load a source file or URL, report every record, keep the rejected ones."""

import asyncio
import json
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from models.enums import ImportStatus
from suivi.countries import StateResolver, configured_resolver, parse_alias
from suivi.db import (
    create_engine,
    create_sessionmaker,
    migration_url,
    resolve_database_url,
    upgrade_database,
)
from suivi.services.import_flow import (
    DocumentOptions,
    ImportFormat,
    ImportUsageError,
    download,
    is_url,
    rejected_report_path,
    run_import,
    write_rejected_report,
)
from suivi.services.import_report import ImportReport
from suivi.settings import get_settings

console = Console(stderr=True)

# Exit codes: a script can tell "nothing loaded" from "loaded, some rejected".
EXIT_LOADED = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
# Warnings past this many are counted, not printed (`--json` lists them all).
PRINTED_WARNINGS = 20


def _where(line: int | None, record: int | None) -> str:
    return f"line {line}" if line is not None else f"record {record}"


def _print(message: str) -> None:
    console.print(message, markup=False, highlight=False, soft_wrap=True)


def _print_report(report: ImportReport, source: str) -> None:
    table = Table(show_header=False, box=None)
    for label, value in (
        ("created", report.created),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("duplicates", report.duplicates),
        ("rejected", report.rejected),
    ):
        table.add_row(label, str(value))
    console.print(table)
    for error in report.errors:
        column = f" [{error.column}]" if error.column else ""
        where = _where(error.location.line, error.location.record)
        _print(f"{source}: {where}{column}: {error.message}")
    for warning in report.warnings[:PRINTED_WARNINGS]:
        at = warning.location
        prefix = f"{source}: {_where(at.line, at.record)}: " if at else ""
        _print(f"warning: {prefix}{warning.message}")
    if len(report.warnings) > PRINTED_WARNINGS:
        _print(
            f"... and {len(report.warnings) - PRINTED_WARNINGS} more warnings (--json lists all)"
        )


def exit_code(report: ImportReport) -> int:
    """0 all loaded, 1 invalid and nothing committed, 3 committed with some records rejected."""
    if not report.errors:
        return EXIT_LOADED
    return EXIT_PARTIAL if report.committed else EXIT_INVALID


def _outcome(report: ImportReport) -> str:
    code = exit_code(report)
    if code == EXIT_PARTIAL:
        return f"The valid records were committed; {report.rejected} record(s) were rejected."
    if report.status is ImportStatus.FAILED:
        return "Nothing was committed: fix the records above, or use --skip-invalid."
    if report.status is ImportStatus.DRY_RUN:
        return "Dry run: nothing was committed."
    if code == EXIT_INVALID:
        return "Nothing was committed: every record was rejected."
    return "Every record loaded."


def report_json(report: ImportReport) -> dict[str, object]:
    """The report as `--json` prints it: the outcome and exit code first."""
    return {"status": report.status, "exit_code": exit_code(report), **report.as_dict()}


async def _import(
    source: str,
    *,
    fmt: ImportFormat,
    options: DocumentOptions,
    dry_run: bool,
    skip_invalid: bool,
    show_progress: bool,
    states: StateResolver,
) -> ImportReport:
    settings = get_settings()
    engine = create_engine(resolve_database_url(settings), settings)
    stream: BinaryIO
    try:
        if is_url(source):
            stream = await download(source)
        else:
            stream = Path(source).open("rb")  # noqa: ASYNC230, SIM115 - one local file, closed below
        with (
            stream,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed:,} records"),
                TimeElapsedColumn(),
                console=console,
                disable=not show_progress,
                transient=True,
            ) as bar,
        ):
            task = bar.add_task(f"Importing {source}", total=None)
            async with create_sessionmaker(engine).begin() as session:
                return await run_import(
                    session,
                    stream=stream,
                    name=source,
                    fmt=fmt,
                    options=options,
                    actor="cli",
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                    progress=lambda n: bar.advance(task, n),
                    states=states,
                )
    finally:
        await engine.dispose()


def _resolver(aliases: list[str]) -> StateResolver:
    try:
        return configured_resolver(get_settings()).with_aliases(dict(map(parse_alias, aliases)))
    except ValueError as exc:
        _print(f"--state-alias / SUIVI_STATE_ALIASES_FILE: {exc}")
        raise typer.Exit(EXIT_USAGE) from exc


def import_(
    source: Annotated[str, typer.Argument(help="A file path or an http(s) URL.")],
    format_: Annotated[
        ImportFormat, typer.Option("--format", help="The source's format; auto detects it.")
    ] = ImportFormat.AUTO,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count, commit nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Commit the valid records; write the rejected ones to a file to fix and "
            "import again.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    symbol: Annotated[
        str | None, typer.Option(help="un-text: the document symbol, e.g. A/HRC/36/5.")
    ] = None,
    state: Annotated[
        str | None, typer.Option(help="un-text: the State under review (code or name).")
    ] = None,
    session: Annotated[int | None, typer.Option(help="un-text: the UPR session.")] = None,
    language: Annotated[str, typer.Option(help="un-text: the language of the text.")] = "en",
    rejected_report: Annotated[
        Path | None,
        typer.Option(
            help="With --skip-invalid: where to write the rejected records "
            "(default: <file>.rejected.csv, or .json for JSON sources)."
        ),
    ] = None,
    state_alias: Annotated[
        list[str] | None,
        typer.Option(
            "--state-alias",
            help='Another name for a State, as "NAME=ISO3" (repeatable); adds to the aliases '
            "file of SUIVI_STATE_ALIASES_FILE.",
        ),
    ] = None,
) -> None:
    """Import recommendations from a UPR Info CSV, a UHRI JSON export, UN report text or Suivi JSON.

    Importing the same file again creates nothing. Exit code 0 when every record loaded, 1 when
    records were invalid and nothing was committed, 2 on a usage error, 3 when --skip-invalid
    committed the valid records and rejected others.
    """
    if not is_url(source) and not Path(source).is_file():
        _print(f"No such file: {source}")
        raise typer.Exit(EXIT_USAGE)
    states = _resolver(state_alias or [])
    options = DocumentOptions(symbol=symbol, state=state, session=session, language=language)
    settings = get_settings()
    upgrade_database(migration_url(settings, resolve_database_url(settings)))
    try:
        report = asyncio.run(
            _import(
                source,
                fmt=format_,
                options=options,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                show_progress=console.is_terminal and not as_json,
                states=states,
            )
        )
    except ImportUsageError as exc:
        _print(exc.for_command_line())
        raise typer.Exit(EXIT_USAGE) from exc
    if skip_invalid and report.errors:
        path = rejected_report or rejected_report_path(source, report)
        write_rejected_report(path, report=report)
        _print(f"Rejected records, with where and why, written to {path}: fix them there and")
        _print("import that file with the same command.")
    if as_json:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False))
    else:
        _print_report(report, source)
        _print(_outcome(report))
    raise typer.Exit(exit_code(report))
