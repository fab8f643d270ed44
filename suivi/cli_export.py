"""`suivi export`: recommendations to a CSV, XLSX or Suivi JSON file, with the API's filters."""

import asyncio
import inspect
from pathlib import Path
from typing import IO, Annotated, Any, get_args, get_origin

import typer
from pydantic import TypeAdapter, ValidationError
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

from suivi.db import (
    create_engine,
    create_sessionmaker,
    migration_url,
    resolve_database_url,
    upgrade_database,
)
from suivi.errors import InvalidFilter, SuiviError
from suivi.exporters import recommendations as exporters
from suivi.exporters.recommendations import ExportFormat
from suivi.reads import Reads
from suivi.services import exports as service
from suivi.services import meaning
from suivi.services.recommendation_filters import (
    BY_NAME,
    FILTERS,
    RecommendationFilter,
    RecommendationFilters,
)
from suivi.settings import get_settings

console = Console(stderr=True)


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
            filters = await meaning.with_meaning(Reads.of_session(session), filters)
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


def _option_type(value_type: Any) -> Any:
    """The type the command line parses: constraints are checked with the API's own rules."""
    if get_origin(value_type) is Annotated:
        return get_args(value_type)[0]
    return value_type


def _filter_parameter(declared: RecommendationFilter) -> inspect.Parameter:
    option_type = _option_type(declared.value_type)
    help_text = declared.description + (" Repeatable." if declared.many else "")
    annotation = list[option_type] | None if declared.many else option_type | None  # type: ignore[valid-type]
    option = typer.Option(declared.option, help=help_text)
    return inspect.Parameter(
        declared.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[annotation, option],
    )


def _checked(declared: RecommendationFilter, value: Any) -> Any:
    """`value` as the API would take it, or a usage error naming the option."""
    if value is None:
        return None
    if declared.cli_form is not None:
        value = [declared.cli_form(v) for v in value] if declared.many else declared.cli_form(value)
    expected = list[declared.value_type] if declared.many else declared.value_type  # type: ignore[name-defined]
    try:
        return TypeAdapter(expected).validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = error["loc"][0] if declared.many and error["loc"] else None
        shown = repr(value[where]) if isinstance(where, int) else repr(value)
        raise typer.BadParameter(
            f"{shown}: {error['msg']}. {declared.description}", param_hint=declared.option
        ) from None


def export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The file to write; replaced when complete.")
    ],
    format_: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="csv, xlsx or json; by default the output's extension."),
    ] = None,
    hxl: Annotated[
        bool, typer.Option("--hxl", help="CSV, XLSX: add an HXL hashtag row under the header.")
    ] = False,
    **given: Any,
) -> None:
    """Export recommendations to a file, with the filters of GET /v1/recommendations.

    CSV is UTF-8 with a BOM, XLSX a workbook, JSON the Suivi format `suivi import` reads back.
    Exit code 0 on success, 1 when the export failed (the output file is left as it was), 2 on
    a usage error.
    """
    fmt = _format_of(output, format_)
    checked = {f.name: _checked(f, given.get(f.name)) for f in FILTERS}
    try:
        filters = RecommendationFilters(**checked)
    except InvalidFilter as exc:
        raise typer.BadParameter(exc.reason, param_hint=BY_NAME[exc.parameter].option) from None
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


# The filter options, one per declared filter, after the command's own.
export.__signature__ = inspect.signature(export).replace(  # type: ignore[attr-defined]
    parameters=[
        *(
            p
            for p in inspect.signature(export).parameters.values()
            if p.kind is not inspect.Parameter.VAR_KEYWORD
        ),
        *(_filter_parameter(declared) for declared in FILTERS),
    ]
)
