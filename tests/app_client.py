"""The API of a database a child `suivi` command wrote to, as a client sees it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from api.app import create_app
from suivi.db import create_engine, create_sessionmaker
from suivi.reads import ReadPool
from suivi.settings import Settings


@asynccontextmanager
async def api_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the application serving the database at `url`, in-process."""
    engine = create_engine(url, Settings(database_url=url))
    try:
        app = create_app(Settings(database_url=url))
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.reads = ReadPool(url, Settings(database_url=url))
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://suivi.test"
            ) as client:
                yield client
        finally:
            await app.state.reads.close()
    finally:
        await engine.dispose()
