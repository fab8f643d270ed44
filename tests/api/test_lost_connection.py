"""A pooled connection the server dropped costs one 503, not a 500, and the pool recovers."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from suivi.db import upgrade_database
from suivi.settings import Settings


@pytest.fixture
async def live_client(empty_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    await asyncio.to_thread(upgrade_database, empty_database_url)
    app = create_app(Settings(database_url=empty_database_url, db_pool_size=1))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://suivi") as c,
    ):
        yield c


async def _terminate_app_connections(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND application_name = 'suivi'"
                ),
                {"name": make_url(url).database},
            )
            return int(killed or 0)
    finally:
        await engine.dispose()


async def test_dropped_connection_is_a_503_then_the_next_request_succeeds(
    live_client: httpx.AsyncClient, empty_database_url: str
) -> None:
    assert (await live_client.get("/v1/recommendations")).status_code == 200
    assert await _terminate_app_connections(empty_database_url) == 1

    lost = await live_client.get("/v1/recommendations")
    again = await live_client.get("/v1/recommendations")

    assert lost.status_code == 503
    assert lost.headers["content-type"] == "application/problem+json"
    assert lost.headers["retry-after"] == "1"
    assert again.status_code == 200
