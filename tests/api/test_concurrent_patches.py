"""Fifty concurrent PATCHes naming the same ETag: exactly one wins, the others get 412.

The requests commit for real, each on its own connection, so this runs on a database of its own
(the rest of the suite shares one rolled-back transaction, which would serialise them).
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.app import create_app
from models.enums import Role
from suivi.db import create_engine, create_sessionmaker, upgrade_database
from suivi.settings import Settings
from tests import factories

CONCURRENT = 50


@pytest.fixture
async def committed(empty_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await asyncio.to_thread(upgrade_database, empty_database_url)
    engine = create_engine(empty_database_url, Settings(database_url=empty_database_url))
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def live_client(
    empty_database_url: str, committed: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    # No rate limit: the point is fifty writes at once from one key.
    app: FastAPI = create_app(Settings(database_url=empty_database_url, rate_limit_enabled=False))
    app.state.sessionmaker = committed
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        yield client


async def _race(client: httpx.AsyncClient, url: str, etag: str, staff: str) -> Counter[int]:
    headers = {**factories.bearer(staff), "If-Match": etag}

    async def one(n: int) -> int:
        body = {"title": f"Title {n}"} if "/actions/" in url else {"office_note": f"Note {n}"}
        response = await client.patch(url, json=body, headers=headers)
        return response.status_code

    return Counter(await asyncio.gather(*(one(n) for n in range(CONCURRENT))))


async def test_one_action_patch_wins(
    live_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    async with committed() as session, session.begin():
        staff = await factories.api_key(session, Role.STAFF)
        action = await factories.action(session, "Law on associations")
    url = f"/v1/actions/{action.id}"
    etag = (await live_client.get(url)).headers["etag"]

    statuses = await _race(live_client, url, etag, staff)

    assert statuses == Counter({200: 1, 412: CONCURRENT - 1})
    assert (await live_client.get(url)).json()["title"].startswith("Title ")


async def test_one_assessment_patch_wins(
    live_client: httpx.AsyncClient, committed: async_sessionmaker[AsyncSession]
) -> None:
    async with committed() as session, session.begin():
        staff = await factories.api_key(session, Role.STAFF)
        doc = await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR")
        rec = await factories.recommendation(session, doc, "14")
    url = f"/v1/recommendations/{rec.id}/assessment"
    etag = (await live_client.get(url)).headers["etag"]

    statuses = await _race(live_client, url, etag, staff)

    assert statuses == Counter({200: 1, 412: CONCURRENT - 1})
    assert (await live_client.get(url)).json()["version"] == 2
