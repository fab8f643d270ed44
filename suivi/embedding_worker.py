"""The background embedder of `suivi serve`: vectors for new texts soon after each import.

Every process of a server runs one; the embedder's lock lets one of them work at a time, and
the others look again later. Encoding runs in a thread, so requests are still answered
meanwhile (on a busy two-core machine, more slowly: `SUIVI_EMBED_IN_BACKGROUND=false` and a
scheduled `suivi embed` move the work elsewhere).
"""

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from suivi.encoder import get_encoder
from suivi.services import clusters, embeddings
from suivi.services.embeddings import Progress

logger = structlog.get_logger(__name__)


def _log_progress(progress: Progress) -> None:
    logger.info(
        "embedding",
        embedded=progress.embedded,
        remaining=progress.remaining,
        texts_per_second=round(progress.rate, 1),
    )


async def _once(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        waiting = await embeddings.pending(connection)
    if not waiting:
        return
    async with embeddings.embedder_lock(engine, wait=False) as held:
        if held:
            progress = await embeddings.drain(engine, get_encoder(), on_progress=_log_progress)
            placed = await clusters.update_clusters(engine, model=get_encoder().name)
            logger.info(
                "embedded",
                embedded=progress.embedded,
                remaining=progress.remaining,
                clustered=placed,
            )


async def run(engine: AsyncEngine, *, poll_seconds: float) -> None:
    """Embed whatever waits, then look again every `poll_seconds`, until cancelled."""
    while True:
        try:
            await _once(engine)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # The database may be down for a while: the next round tries again.
            logger.warning("embedding_failed", cause=type(exc).__name__)
        await asyncio.sleep(poll_seconds)
