"""The `suivi` command: migrate, serve and load the illustrative sample."""

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Annotated

import structlog
import typer
import uvicorn
from rich.console import Console

from suivi.cli_access import audit_app, keys_app, orgs_app
from suivi.cli_backup import backup, restore
from suivi.cli_embed import embed
from suivi.cli_export import export
from suivi.cli_grants import grants
from suivi.cli_import import import_
from suivi.cli_summaries import summaries_app
from suivi.db import (
    create_engine,
    create_sessionmaker,
    migration_url,
    resolve_database_url,
    upgrade_database,
)
from suivi.embedded import release_embedded
from suivi.errors import SuiviError
from suivi.logging import configure_logging
from suivi.services import sample as sample_service
from suivi.services import sample_removal
from suivi.services.import_flow import sample_data
from suivi.services.sample import SampleReport
from suivi.services.sample_removal import SampleRemoval
from suivi.settings import Settings, get_settings

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
app.command("import")(import_)
app.command("grants")(grants)
app.command("backup")(backup)
app.command("restore")(restore)
app.command("embed")(embed)
console = Console(stderr=True)
logger = structlog.get_logger(__name__)


def _migrate() -> str:
    settings = get_settings()
    url = resolve_database_url(settings)
    upgrade_database(migration_url(settings, url))
    return url


@app.command()
def migrate() -> None:
    """Apply database migrations up to the latest schema."""
    _migrate()
    console.print("[green]Database schema is up to date.[/green]")


def _cpus() -> int:
    # The CPUs this process may run on, which a container or taskset may make fewer than the
    # machine's.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """`variables` set while the block runs, for the workers it starts; then as they were."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    # The settings of a single worker, served in this process, are read again.
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def _workers_environment(
    stack: ExitStack, settings: Settings, url: str, workers: int
) -> dict[str, str]:
    """What the workers of `suivi serve` must share, held by `stack` until they have stopped."""
    variables = {"SUIVI_WORKERS": str(workers)}
    if workers == 1:
        return variables
    if settings.database_url is None and url:
        # The embedded server `_migrate` started is this process's to hold and stop; the
        # workers only connect to it. Were each to hold it too, a worker killed without a
        # shutdown would stay on pgserver's list of holders, and the server would never stop.
        variables["SUIVI_DATABASE_URL"] = url
        stack.callback(release_embedded, settings.data_dir)
    if settings.metrics_enabled:
        # Fresh for each start: figures left by an earlier run would be summed with these.
        variables["PROMETHEUS_MULTIPROC_DIR"] = stack.enter_context(
            tempfile.TemporaryDirectory(prefix="suivi-metrics-")
        )
    if settings.rate_limit_enabled and settings.rate_limit_storage_uri.startswith("memory:"):
        logger.warning(
            "rate_limits_counted_per_worker",
            workers=workers,
            detail="Each worker counts a key's writes on its own: a key may write up to its "
            "limit on each. Set SUIVI_RATE_LIMIT_STORAGE_URI to a store the workers share (e.g. "
            "redis://) to count them once.",
        )
    return variables


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes (default: SUIVI_WORKERS, else one per CPU); 1 serves "
            "from this process.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Apply migrations, then serve the API from one or several worker processes."""
    settings = get_settings()
    configure_logging(settings.log_level)
    workers = workers or settings.workers or _cpus()
    # Once, before any worker starts: workers never migrate.
    url = _migrate()
    with ExitStack() as stack:
        stack.enter_context(_environment(_workers_environment(stack, settings, url, workers)))
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            # Above 1, uvicorn's parent process binds the port, starts the workers, replaces
            # one that dies, and stops them all on SIGINT or SIGTERM.
            workers=workers,
            # A worker answers the parent's health checks once it has imported Suivi: several
            # seconds on a busy machine, beyond uvicorn's default of 5, after which the parent
            # would kill it as hung and start another, again and again.
            timeout_worker_healthcheck=30,
            log_level=settings.log_level.lower(),
            # Off unless a proxy is named: from anyone else, X-Forwarded-For would choose the
            # address the write limits count. Addresses are never stored either way.
            proxy_headers=settings.forwarded_allow_ips is not None,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            # Suivi logs requests itself, without client addresses (api/access_log.py).
            access_log=False,
            # uvicorn's own lines go through Suivi's handler: JSON like every other line.
            log_config=None,
            # Change streams never end by themselves: a stop waits this long for them, then
            # closes.
            timeout_graceful_shutdown=10,
        )


async def _load_sample(url: str) -> SampleReport:
    settings = get_settings()
    engine = create_engine(url, settings)
    try:
        async with create_sessionmaker(engine).begin() as session:
            return await sample_service.load(session, sample=sample_data())
    finally:
        await engine.dispose()


async def _remove_sample(url: str) -> SampleRemoval:
    settings = get_settings()
    engine = create_engine(url, settings)
    try:
        async with create_sessionmaker(engine).begin() as session:
            return await sample_removal.remove(session, sample=sample_data())
    finally:
        await engine.dispose()


_REMOVAL_LABELS = {"actions": "State actions", "updates": "progress updates", "keys": "API keys"}


def _removal_counts(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{count} {_REMOVAL_LABELS.get(kind, kind.replace('_', ' '))}"
        for kind, count in counts.items()
        if count
    )


def _print_removal(removal: SampleRemoval) -> None:
    if not removal.loaded:
        console.print("The sample is not loaded; nothing to remove.")
        return
    counts = removal.counts()
    console.print(
        f"[green]Removed the illustrative sample:[/green] {_removal_counts(counts['removed'])}.",
        soft_wrap=True,
    )
    if any(counts["kept"].values()):
        console.print(
            f"Kept, because records outside the sample refer to them: "
            f"{_removal_counts(counts['kept'])}. Kept API keys are revoked.",
            soft_wrap=True,
        )


@app.command()
def demo(
    remove: Annotated[
        bool,
        typer.Option(
            "--remove",
            help="Remove the sample and everything attached to it instead, in one transaction.",
        ),
    ] = False,
) -> None:
    """Load the illustrative sample (invented text, not real UN data); safe to run twice.

    With --remove, delete it and everything attached to it, in one audited transaction; exit
    code 1, removing nothing, when organisations outside the sample submitted updates about it.
    """
    url = _migrate()
    if remove:
        try:
            # Deletes progress updates, which the runtime role may never do: the owner's work.
            removal = asyncio.run(_remove_sample(migration_url(get_settings(), url)))
        except SuiviError as exc:
            console.print(f"[red]{exc.detail}[/red]", soft_wrap=True)
            raise typer.Exit(1) from exc
        _print_removal(removal)
        return
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
