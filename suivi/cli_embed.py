"""`suivi embed`: compute the vectors of meaning of new and changed texts now."""

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from suivi.db import create_engine, migration_url, resolve_database_url, upgrade_database
from suivi.encoder import get_encoder
from suivi.services import clusters, embeddings
from suivi.services.embeddings import Progress
from suivi.settings import get_settings

console = Console(stderr=True)


def _report(progress: Progress) -> None:
    console.print(
        f"embedded {progress.embedded:,}, {progress.remaining:,} to go "
        f"({progress.rate:,.0f} texts/s)"
    )


def embed(
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, max=4096, help="Texts encoded together."),
    ] = embeddings.DEFAULT_BATCH_SIZE,
    again: Annotated[
        bool,
        typer.Option("--all", help="Compute every text's vector again, not only new ones."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress lines.")] = False,
) -> None:
    """Compute the vectors of texts imported or changed since the last run, in batches, then
    place them in clusters of recommendations saying the same thing.

    Resumable: interrupted, it goes on where it stopped. `suivi serve` does the same in the
    background; when it is at it, this waits for it to finish.
    """
    settings = get_settings()
    url = resolve_database_url(settings)
    upgrade_database(migration_url(settings, url))
    encoder = get_encoder()

    async def main() -> tuple[Progress, int]:
        engine = create_engine(url, settings)
        try:
            if again:
                await embeddings.requeue_all(engine)
            async with embeddings.embedder_lock(engine, wait=False) as held:
                if not held:
                    console.print("Another Suivi process is embedding: waiting for it.")
            async with embeddings.embedder_lock(engine, wait=True):
                progress = await embeddings.drain(
                    engine,
                    encoder,
                    batch_size=batch_size,
                    on_progress=None if quiet else _report,
                )
                # Clusters follow the vectors: new texts join their repeats, or start one.
                placed = await clusters.update_clusters(engine, model=encoder.name)
                return progress, placed
        finally:
            await engine.dispose()

    progress, placed = asyncio.run(main())
    typer.echo(
        f"{progress.embedded} texts embedded with {encoder.name} in {progress.seconds:.1f} s; "
        f"{progress.remaining} waiting; {placed} placed in clusters."
    )
