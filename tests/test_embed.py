"""Vectors after an import: `suivi embed` by hand, the server's background embedder, the queue."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.commands import command_env, run_suivi
from tests.databases import migrated_database
from tests.test_live_server import serving


@pytest.fixture
async def sample_url(admin_url: str) -> AsyncIterator[str]:
    """A migrated database holding the illustrative sample, none of it embedded yet."""
    async with migrated_database(admin_url, prefix="suivi_embed") as url:
        loaded = await asyncio.to_thread(run_suivi, "demo", database_url=url)
        assert loaded.returncode == 0, loaded.stderr
        yield url


async def _one(url: str, query: str) -> object:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


async def test_embed_computes_every_queued_text_once_and_resumes(sample_url: str) -> None:
    recommendations = await _one(sample_url, "SELECT count(*) FROM recommendations")
    assert await _one(sample_url, "SELECT count(*) FROM embedding_queue") == recommendations

    first = await asyncio.to_thread(run_suivi, "embed", database_url=sample_url)
    again = await asyncio.to_thread(run_suivi, "embed", database_url=sample_url)

    assert first.returncode == 0, first.stderr
    assert f"{recommendations} texts embedded" in first.stdout
    assert again.returncode == 0, again.stderr
    assert "0 texts embedded" in again.stdout
    assert await _one(sample_url, "SELECT count(*) FROM embedding_queue") == 0
    assert await _one(sample_url, "SELECT count(*) FROM recommendation_embeddings") == (
        recommendations
    )
    # Every vector is 512 float32 values of length 1.
    assert (
        await _one(
            sample_url,
            "SELECT count(*) FROM recommendation_embeddings WHERE length(embedding) <> 2048",
        )
        == 0
    )


async def test_a_changed_text_is_queued_again_and_only_it(sample_url: str) -> None:
    done = await asyncio.to_thread(run_suivi, "embed", "--quiet", database_url=sample_url)
    assert done.returncode == 0, done.stderr
    before = await _one(
        sample_url, "SELECT seq FROM recommendation_embeddings ORDER BY recommendation_id LIMIT 1"
    )

    await _one(
        sample_url,
        "WITH changed AS (UPDATE recommendations SET text = text || ' (revised)' "
        "WHERE id = (SELECT min(id) FROM recommendations) RETURNING id) "
        "SELECT count(*) FROM changed",
    )
    # Not a text change: nothing to embed.
    await _one(
        sample_url,
        "WITH changed AS (UPDATE recommendations SET office_note = 'seen' "
        "WHERE id = (SELECT max(id) FROM recommendations) RETURNING id) "
        "SELECT count(*) FROM changed",
    )
    assert await _one(sample_url, "SELECT count(*) FROM embedding_queue") == 1

    redone = await asyncio.to_thread(run_suivi, "embed", database_url=sample_url)

    assert "1 texts embedded" in redone.stdout
    after = await _one(
        sample_url, "SELECT seq FROM recommendation_embeddings ORDER BY recommendation_id LIMIT 1"
    )
    assert isinstance(before, int)
    assert isinstance(after, int)
    assert after > before


async def test_the_server_embeds_in_the_background_and_finds_across_languages(
    sample_url: str,
) -> None:
    env = command_env(
        sample_url, {"SUIVI_EMBED_IN_BACKGROUND": "true", "SUIVI_EMBED_POLL_SECONDS": "0.2"}
    )
    async with serving(env) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(300):
            if await _one(sample_url, "SELECT count(*) FROM embedding_queue") == 0:
                break
            await asyncio.sleep(0.1)
        assert await _one(sample_url, "SELECT count(*) FROM embedding_queue") == 0

        english = await client.get(
            "/v1/recommendations", params={"q": "حماية الصحفيين", "search": "semantic"}
        )

    assert english.status_code == 200, english.text
    assert english.json()["items"], "an Arabic query found nothing by meaning"
