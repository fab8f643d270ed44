"""pgvector where the server has it: the embedded server ships it, so its vectors get an HNSW
index, and nearest-neighbour searches run in the database with the answers of the exact copy."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from suivi.db import resolve_database_url, upgrade_database
from suivi.embedded import release_embedded
from suivi.encoder import get_encoder
from suivi.reads import ReadPool
from suivi.settings import Settings
from tests.commands import run_suivi

QUERIES = (
    "protection des défenseurs des droits humains",
    "libertad de expresión y periodistas",
    "حقوق المرأة",
    "torture and ill-treatment in detention",
)


@pytest.fixture
async def embedded_url(tmp_path: Path) -> AsyncIterator[str]:
    """The embedded server holding the sample, every text embedded."""
    settings = Settings(data_dir=tmp_path / "suivi-data")
    url = await asyncio.to_thread(resolve_database_url, settings)
    try:
        await asyncio.to_thread(upgrade_database, url)
        for command in ("demo", "embed"):
            done = await asyncio.to_thread(run_suivi, command, database_url=url)
            assert done.returncode == 0, done.stderr
        yield url
    finally:
        await asyncio.to_thread(release_embedded, settings.data_dir)


async def test_the_index_answers_as_the_exact_copy(embedded_url: str) -> None:
    encoder = get_encoder()
    pool = ReadPool(embedded_url, Settings(database_url=embedded_url))
    try:
        assert await pool.indexed_dimensions() == encoder.dimensions
        copy = await pool.vectors(encoder.name, encoder.dimensions)
        assert len(copy) > 20
        for query in QUERIES:
            vector = encoder.encode([query])[0]
            indexed = await pool.nearest(
                encoder.name, encoder.dimensions, vector, limit=10, minimum=-1.0
            )
            exact = copy.nearest(vector, limit=10)

            assert indexed.ids == exact.ids, query
            assert indexed.similarities == pytest.approx(exact.similarities, abs=1e-5)
    finally:
        await pool.close()
