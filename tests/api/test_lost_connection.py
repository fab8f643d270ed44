"""A database unreachable or lost is a 503 problem with `Retry-After`, and the pool recovers.

Each way of being unavailable is produced for real: a port nobody listens on, a server that
never answers, one that is still starting, a pool with no free connection, a connection the
server terminated. Each is one log line, without a traceback.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.app import create_app
from api.deps import get_session
from suivi import db
from suivi.settings import Settings
from tests.databases import migrated_database

UNAVAILABLE = "urn:suivi:problem:database-unavailable"
# PostgreSQL's SSLRequest and GSSENCRequest codes, which a client may send before starting up.
ENCRYPTION_REQUESTS = {80877103, 80877104}


@asynccontextmanager
async def serving_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://suivi") as c,
    ):
        yield c


@pytest.fixture(scope="module")
async def live_database_url(admin_url: str) -> AsyncIterator[str]:
    """A migrated database of the module's own: its tests terminate their connections."""
    async with migrated_database(admin_url, prefix="suivi_lost") as url:
        yield url


@pytest.fixture
async def live_app(live_database_url: str) -> FastAPI:
    return create_app(Settings(database_url=live_database_url, db_pool_size=1))


@pytest.fixture
async def live_client(live_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serving_app(live_app) as client:
        yield client


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


def _log_events(err: str) -> list[str]:
    return [json.loads(line)["event"] for line in err.splitlines() if line.startswith("{")]


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == UNAVAILABLE
    assert response.headers["retry-after"].isdecimal()


async def test_a_connection_the_server_dropped_is_replaced_at_checkout(
    live_client: httpx.AsyncClient, live_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await live_client.get("/v1/recommendations")).status_code == 200
    assert await _terminate_app_connections(live_database_url) == 1
    # The server's goodbye reaches the idle pooled connection as soon as the loop runs.
    await asyncio.sleep(0.1)
    capsys.readouterr()

    response = await live_client.get("/v1/recommendations")

    assert response.status_code == 200
    # Found dead when it was checked out, not by failing a request.
    assert "database_connection_lost" not in _log_events(capsys.readouterr().err)


def _answers_twice(app: FastAPI) -> list[str]:
    """Adds /flaky, whose first call loses its connection; the methods it was called with."""
    calls: list[str] = []

    async def flaky(request: Request) -> dict[str, str]:
        calls.append(request.method)
        if len(calls) == 1:
            raise DBAPIError("SELECT 1", {}, ConnectionResetError(), connection_invalidated=True)
        return {"status": "ok"}

    app.add_api_route("/flaky", flaky, methods=["GET", "POST"])
    return calls


async def test_a_read_whose_connection_is_lost_is_retried_once(
    live_app: FastAPI, live_client: httpx.AsyncClient
) -> None:
    calls = _answers_twice(live_app)

    response = await live_client.get("/flaky")

    assert response.status_code == 200
    assert calls == ["GET", "GET"]


async def test_a_write_whose_connection_is_lost_is_a_503_not_retried(
    live_app: FastAPI, live_client: httpx.AsyncClient
) -> None:
    calls = _answers_twice(live_app)

    response = await live_client.post("/flaky")

    _assert_unavailable(response)
    assert calls == ["POST"]


@asynccontextmanager
async def fake_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    """A TCP server on 127.0.0.1 running `handle`; a database URL pointing at it."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handle(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/suivi"
    finally:
        server.close()
        await server.wait_closed()


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()


async def _starting_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        length = int.from_bytes(await reader.readexactly(4), "big")
        body = await reader.readexactly(length - 4)
        if int.from_bytes(body[:4], "big") not in ENCRYPTION_REQUESTS:
            break
        writer.write(b"N")
    fields = b"SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0\0"
    writer.write(b"E" + (len(fields) + 4).to_bytes(4, "big") + fields)
    await writer.drain()


async def _unavailable_everywhere(
    url: str, capsys: pytest.CaptureFixture[str]
) -> list[httpx.Response]:
    app = create_app(Settings(database_url=url))
    async with serving_app(app) as client:
        capsys.readouterr()
        responses = [await client.get("/v1/recommendations"), await client.get("/ready")]
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [e for e in _log_events(err) if e != "request"] == ["database_unavailable"] * 2
    return responses


async def test_refused_connections_are_503_with_retry_after(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for response in await _unavailable_everywhere(
        "postgresql+asyncpg://postgres@127.0.0.1:1/suivi", capsys
    ):
        _assert_unavailable(response)


async def test_a_server_that_never_answers_is_503_after_the_connect_timeout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "CONNECT_TIMEOUT_SECONDS", 0.2)
    async with fake_server(_never_answer) as url:
        for response in await _unavailable_everywhere(url, capsys):
            _assert_unavailable(response)


async def test_a_server_still_starting_is_503(capsys: pytest.CaptureFixture[str]) -> None:
    async with fake_server(_starting_up) as url:
        for response in await _unavailable_everywhere(url, capsys):
            _assert_unavailable(response)


async def test_an_exhausted_pool_is_503(
    live_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_async_engine(live_database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    app = create_app(Settings(database_url=live_database_url))

    async def pooled_session() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(engine) as session:
            yield session

    app.dependency_overrides[get_session] = pooled_session
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            async with serving_app(app) as client:
                capsys.readouterr()
                response = await client.get("/v1/changes")
    finally:
        await engine.dispose()

    _assert_unavailable(response)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "database_pool_exhausted" in _log_events(err)
