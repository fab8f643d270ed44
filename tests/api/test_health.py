"""Liveness and readiness probes."""

from collections.abc import AsyncIterator

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.app import create_app
from api.deps import get_session
from suivi.settings import Settings

UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"


async def test_health_answers_without_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_not_ready_is_503_problem_when_database_is_unreachable() -> None:
    engine = create_async_engine(UNREACHABLE)
    app = create_app(Settings(database_url=UNREACHABLE))

    async def unreachable_session() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(engine) as session:
            yield session

    app.dependency_overrides[get_session] = unreachable_session
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
            response = await client.get("/ready")
    finally:
        await engine.dispose()

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:database-unavailable"
