"""The `suivi` command: migrate, serve and load the illustrative sample."""

import asyncio
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from suivi.db import create_engine, create_sessionmaker, resolve_database_url, upgrade_database
from suivi.logging import configure_logging
from suivi.services import sample as sample_service
from suivi.services.sample import SampleReport
from suivi.settings import get_settings

app = typer.Typer(
    help="Suivi: follow-up of UN recommendations that concern human rights defenders.",
    # Locals can hold submissions; a traceback must never print them.
    pretty_exceptions_show_locals=False,
)
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


if __name__ == "__main__":
    app()
