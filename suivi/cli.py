"""The `suivi` command: migrate, serve and load the illustrative sample."""

import asyncio
import json
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from importers.pipeline import (
    DocumentOptions,
    ImportFormat,
    ImportUsageError,
    download,
    is_url,
    run_import,
    write_rejected_report,
)
from suivi.cli_access import audit_app, keys_app, orgs_app
from suivi.cli_export import export
from suivi.cli_summaries import summaries_app
from suivi.db import create_engine, create_sessionmaker, resolve_database_url, upgrade_database
from suivi.logging import configure_logging
from suivi.services import sample as sample_service
from suivi.services.imports import ImportReport
from suivi.services.sample import SampleReport
from suivi.settings import get_settings

app = typer.Typer(
    help="Suivi: follow-up of UN recommendations that concern human rights defenders.",
    # Locals can hold submissions; a traceback must never print them.
    pretty_exceptions_show_locals=False,
)
app.add_typer(orgs_app, name="orgs")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(summaries_app, name="summaries")
app.command("export")(export)
console = Console(stderr=True)


def _migrate() -> str:
    settings = get_settings()
    url = resolve_database_url(settings)
    upgrade_database(url)
    return url


@app.command()
def migrate() -> None:
    """Apply database migrations up to the latest schema."""
    _migrate()
    console.print("[green]Database schema is up to date.[/green]")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Apply migrations, then serve the API."""
    settings = get_settings()
    configure_logging(settings.log_level)
    _migrate()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        # Suivi logs requests itself, without client addresses (api/access_log.py).
        access_log=False,
    )


async def _load_sample(url: str) -> SampleReport:
    from importers.sample import read_sample

    settings = get_settings()
    engine = create_engine(url, settings)
    try:
        async with create_sessionmaker(engine).begin() as session:
            return await sample_service.load(session, sample=read_sample())
    finally:
        await engine.dispose()


@app.command()
def demo() -> None:
    """Load the illustrative sample (invented text, not real UN data); safe to run twice."""
    url = _migrate()
    report = asyncio.run(_load_sample(url))
    if report.already_loaded:
        console.print("The sample is already loaded; nothing to do.")
        return
    console.print(
        f"[green]Loaded the illustrative sample:[/green] {report.recommendations} recommendations, "
        f"{report.actions} State actions, {report.updates} progress updates. "
        "Sample data: invented text, not real UN recommendations."
    )


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
        where = (
            f"line {error.location.line}"
            if error.location.line is not None
            else f"record {error.location.record}"
        )
        column = f" [{error.column}]" if error.column else ""
        console.print(
            f"{source}: {where}{column}: {error.message}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


async def _import(
    source: str,
    *,
    fmt: ImportFormat,
    options: DocumentOptions,
    dry_run: bool,
    skip_invalid: bool,
    show_progress: bool,
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
                )
    finally:
        await engine.dispose()


@app.command("import")
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
            help="Commit the valid records; write the rejected ones to a report file.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    symbol: Annotated[
        str | None, typer.Option(help="un-text: the document symbol, e.g. A/HRC/36/5.")
    ] = None,
    state: Annotated[
        str | None, typer.Option(help="un-text: the State under review (ISO alpha-3).")
    ] = None,
    session: Annotated[int | None, typer.Option(help="un-text: the UPR session.")] = None,
    language: Annotated[str, typer.Option(help="un-text: the language of the text.")] = "en",
    rejected_report: Annotated[
        Path | None,
        typer.Option(help="With --skip-invalid: where to write rejected records (CSV)."),
    ] = None,
) -> None:
    """Import recommendations from a UPR Info CSV, a UHRI JSON export, UN report text or Suivi JSON.

    Importing the same file again creates nothing. Exit code 0 on success, 1 when records were
    invalid (nothing is committed unless --skip-invalid), 2 on a usage error.
    """
    if not is_url(source) and not Path(source).is_file():
        console.print(f"No such file: {source}", markup=False)
        raise typer.Exit(2)
    options = DocumentOptions(symbol=symbol, state=state, session=session, language=language)
    _migrate()
    try:
        report = asyncio.run(
            _import(
                source,
                fmt=format_,
                options=options,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                show_progress=console.is_terminal and not as_json,
            )
        )
    except ImportUsageError as exc:
        console.print(exc.detail, markup=False)
        raise typer.Exit(2) from exc
    if skip_invalid and report.errors:
        path = rejected_report or Path(f"{Path(source).name or 'import'}.rejected.csv")
        write_rejected_report(path, source=source, report=report)
        console.print(f"Rejected records and reasons written to {path}", markup=False)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_report(report, source)
        if report.errors and not skip_invalid:
            console.print("Nothing was committed: fix the records above, or use --skip-invalid.")
    if report.errors:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
