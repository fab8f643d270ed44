"""`suivi export`: recommendations to a CSV, XLSX or Suivi JSON file, with the API's filters."""

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.exc import DBAPIError

from models.enums import ImplementationStatus, MechanismCode, Position, SourceFormat
from suivi.db import (
    create_engine,
    create_sessionmaker,
    migration_url,
    resolve_database_url,
    upgrade_database,
)
from suivi.errors import SuiviError
from suivi.exporters import recommendations as exporters
from suivi.exporters.recommendations import ExportFormat
from suivi.services import exports as service
from suivi.services.recommendations import HrdFilter, RecommendationFilters
from suivi.settings import get_settings

console = Console(stderr=True)
_STATE = re.compile(r"^[A-Z]{3}$")


def _states(values: list[str] | None) -> list[str]:
    codes = [value.strip().upper() for value in values or []]
    for code in codes:
        if not _STATE.match(code):
            raise typer.BadParameter(f"{code!r} is not an ISO 3166-1 alpha-3 code, e.g. TUN")
    return codes


def _format_of(output: Path, given: ExportFormat | None) -> ExportFormat:
    if given is not None:
        return given
    try:
        return ExportFormat(output.suffix.lstrip(".").lower())
    except ValueError:
        raise typer.BadParameter(
            "give --format csv|xlsx|json, or an output file ending in one of them",
            param_hint="--format",
        ) from None


async def _export(
    out: IO[bytes],
    *,
    fmt: ExportFormat,
    filters: RecommendationFilters,
    hxl: bool,
    show_progress: bool,
) -> int:
    settings = get_settings()
    engine = create_engine(resolve_database_url(settings), settings)
    try:
        async with service.snapshot(create_sessionmaker(engine)) as session:
            total = await service.count(session, filters=filters)
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=not show_progress,
                transient=True,
            ) as bar:
                task = bar.add_task(f"Exporting {fmt.value.upper()}", total=total)
                await exporters.write(
                    session,
                    out,
                    fmt=fmt,
                    filters=filters,
                    hxl=hxl,
                    progress=lambda rows: bar.advance(task, rows),
                )
            return total
    finally:
        await engine.dispose()


def export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The file to write; replaced when complete.")
    ],
    format_: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="csv, xlsx or json; by default the output's extension."),
    ] = None,
    state: Annotated[
        list[str] | None, typer.Option(help="State under review (ISO alpha-3); repeatable.")
    ] = None,
    mechanism: Annotated[
        list[MechanismCode] | None, typer.Option(help="UN mechanism; repeatable.")
    ] = None,
    body: Annotated[
        list[str] | None, typer.Option(help="Body code, e.g. CCPR, UPR, SR-HRD; repeatable.")
    ] = None,
    cycle: Annotated[list[int] | None, typer.Option(help="UPR cycle; repeatable.")] = None,
    session: Annotated[
        list[int] | None, typer.Option(help="UPR or treaty-body session; repeatable.")
    ] = None,
    document: Annotated[
        list[str] | None, typer.Option(help="Document symbol, e.g. A/HRC/52/10; repeatable.")
    ] = None,
    recommending_state: Annotated[
        list[str] | None, typer.Option(help="Recommending State (alpha-3); repeatable.")
    ] = None,
    position: Annotated[
        list[Position] | None, typer.Option(help="The State's position; repeatable.")
    ] = None,
    action_category: Annotated[
        list[int] | None,
        typer.Option(min=1, max=5, help="UPR Info action category 1-5; repeatable."),
    ] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Theme; repeatable.")] = None,
    affected: Annotated[
        list[str] | None, typer.Option(help="Affected persons; repeatable.")
    ] = None,
    sdg: Annotated[
        list[str] | None, typer.Option(help="SDG target, e.g. 16.10; repeatable.")
    ] = None,
    hrd: Annotated[
        HrdFilter | None, typer.Option(help="Relevance to defenders; any is direct or related.")
    ] = None,
    status: Annotated[
        list[ImplementationStatus] | None,
        typer.Option(help="Derived implementation status; repeatable."),
    ] = None,
    source_format: Annotated[
        list[SourceFormat] | None,
        typer.Option(help="Where the record came from; sample is the illustrative sample."),
    ] = None,
    year_from: Annotated[int | None, typer.Option(help="Issued in or after this year.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Issued in or before this year.")] = None,
    updated_since: Annotated[
        datetime | None, typer.Option(help="Changed at or after this instant (UTC if no offset).")
    ] = None,
    q: Annotated[
        str | None, typer.Option("--q", help="Full-text search, as the API's `q`.")
    ] = None,
    hxl: Annotated[
        bool, typer.Option("--hxl", help="CSV, XLSX: add an HXL hashtag row under the header.")
    ] = False,
) -> None:
    """Export recommendations to a file, with the filters of GET /v1/recommendations.

    CSV is UTF-8 with a BOM, XLSX a workbook, JSON the Suivi format `suivi import` reads back.
    Exit code 0 on success, 1 when the export failed (the output file is left as it was), 2 on
    a usage error.
    """
    fmt = _format_of(output, format_)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise typer.BadParameter("must not be before --year-from", param_hint="--year-to")
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    filters = RecommendationFilters(
        states=_states(state),
        mechanisms=mechanism or [],
        bodies=body or [],
        cycles=cycle or [],
        sessions=session or [],
        documents=document or [],
        recommending_states=_states(recommending_state),
        positions=position or [],
        action_categories=action_category or [],
        themes=theme or [],
        affected_persons=affected or [],
        sdgs=sdg or [],
        hrd=hrd,
        statuses=status or [],
        source_formats=source_format or [],
        year_from=year_from,
        year_to=year_to,
        updated_since=updated_since,
        query=q.strip() or None if q else None,
    )
    settings = get_settings()
    upgrade_database(migration_url(settings, resolve_database_url(settings)))
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("wb") as out:
            rows = asyncio.run(
                _export(out, fmt=fmt, filters=filters, hxl=hxl, show_progress=console.is_terminal)
            )
        partial.replace(output)
    except SuiviError as exc:
        console.print(exc.detail, markup=False)
        raise typer.Exit(1) from exc
    except DBAPIError as exc:
        # The driver's own message: the statement and its parameters are no help here.
        console.print(f"The export failed in the database: {exc.orig}", markup=False)
        raise typer.Exit(1) from exc
    except OSError as exc:
        console.print(f"The export failed: {exc}", markup=False)
        raise typer.Exit(1) from exc
    finally:
        partial.unlink(missing_ok=True)
    console.print(f"Exported {rows:,} recommendations to {output}", markup=False, highlight=False)
