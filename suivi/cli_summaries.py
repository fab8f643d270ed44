"""`suivi summaries`: check the statistics summaries against the recommendations, rebuild them."""

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from suivi.cli_database import run_in_transaction
from suivi.services import summaries

summaries_app = typer.Typer(
    help="The statistics summaries the triggers keep: check them, rebuild them.",
    no_args_is_help=True,
)
console = Console(stderr=True)


JsonOption = Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object.")]


def _print(counts: dict[str, int], heading: str, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(counts))
        return
    table = Table("summary", heading)
    for name, count in counts.items():
        table.add_row(name, str(count))
    Console().print(table)


@summaries_app.command("check")
def check(as_json: JsonOption = False) -> None:
    """Compare each summary with the recommendations; exit 1 listing the keys that differ."""
    drift = run_in_transaction(summaries.check)
    _print(drift, "keys that differ", as_json=as_json)
    if any(drift.values()):
        console.print("[red]The summaries have drifted: run `suivi summaries rebuild`.[/red]")
        raise typer.Exit(1)
    console.print("[green]Both summaries match the recommendations.[/green]")


@summaries_app.command("rebuild")
def rebuild(as_json: JsonOption = False) -> None:
    """Rewrite both summaries from the recommendations, holding off writers meanwhile."""
    written = run_in_transaction(summaries.rebuild)
    _print(written, "rows written", as_json=as_json)
    console.print("[green]Rebuilt the summaries from the recommendations.[/green]")
