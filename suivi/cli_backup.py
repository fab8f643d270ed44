"""`suivi backup` and `suivi restore`: a pg_dump archive of the database, and loading one back."""

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from suivi.services import backup as service
from suivi.services.backup import BackupError
from suivi.settings import get_settings

console = Console(stderr=True)


def _say(message: str, style: str | None = None) -> None:
    # No markup: a path or a server's message may hold brackets; soft wrap: one line each.
    console.print(message, style=style, markup=False, highlight=False, soft_wrap=True)


def _fail(exc: BackupError) -> NoReturn:
    _say(str(exc), style="red")
    raise typer.Exit(1) from exc


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    scaled = size / 1024
    for unit in ("KB", "MB"):
        if scaled < 1024:
            return f"{scaled:.1f} {unit}"
        scaled /= 1024
    return f"{scaled:.1f} GB"


def backup(
    file: Annotated[
        Path,
        typer.Argument(
            help="The archive to write (pg_dump custom format); an existing file is replaced "
            "only once the new archive is complete.",
            dir_okay=False,
        ),
    ],
) -> None:
    """Write a consistent pg_dump archive of the database (one snapshot) to FILE."""
    try:
        report = service.backup(get_settings(), file)
    except BackupError as exc:
        _fail(exc)
    _say(
        f"Backed up database {report.database} (schema revision {report.revision}) to "
        f"{report.file}: {_size(report.size)}, by pg_dump {report.tool.version}.",
        style="green",
    )


def restore(
    file: Annotated[
        Path, typer.Argument(help="An archive written by `suivi backup`.", dir_okay=False)
    ],
) -> None:
    """Restore FILE into an empty database in one transaction, then check it as
    `suivi audit verify` and `suivi summaries check` do; exit 1 if anything is wrong."""
    try:
        report = service.restore(get_settings(), file)
    except BackupError as exc:
        _fail(exc)
    table = Table("table", "rows")
    for name, count in report.counts.items():
        table.add_row(name, str(count))
    Console().print(table)
    upgraded = f", upgraded to {report.upgraded_to}" if report.upgraded_to else ""
    _say(
        f"Restored {report.file} into database {report.database} (schema revision "
        f"{report.revision}{upgraded}), by pg_restore {report.tool.version}.",
        style="green",
    )
    head = report.audit_head
    _say(
        "The audit chain is intact"
        + (f": last event {head.id}, hash {head.hash[:16]}." if head else " (and empty).")
    )
    _say("Both summaries match the recommendations.")
    if report.feed_head:
        seq, event = report.feed_head
        _say(f"The change feed ends at commit {seq}, event {event}; new changes follow them.")
    _say("Start the API with `suivi serve`.")
