"""Change streams within bounds: caps with 429, no idle connection, heartbeats, quiet ends.

Streams need a real server (an in-process one can only answer once the response is complete):
uvicorn runs the application on 127.0.0.1 in the test's event loop.
"""

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from api import streams
from api.app import create_app
from api.routes import changes
from models.enums import Role
from suivi.db import create_engine, create_sessionmaker
from suivi.settings import Settings
from tests import factories
from tests.databases import migrated_database

STREAM = "/v1/changes/stream"
PUBLISHED = 60
CREATED = b"event: recommendation.created"


@pytest.fixture(scope="module")
async def stream_database_url(admin_url: str) -> AsyncIterator[str]:
    """One committed database for the module: streams only read what is committed."""
    async with migrated_database(admin_url, prefix="suivi_streams") as url:
        yield url


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The application served by uvicorn on 127.0.0.1, and a client of it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, lifespan="on", timeout_graceful_shutdown=5)
    )
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        for _ in range(1000):
            if server.started:
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("uvicorn did not start")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await task
        listener.close()


def _app(url: str, *, total: int = 100, per_client: int = 5) -> FastAPI:
    return create_app(
        Settings(database_url=url, sse_max_streams=total, sse_max_streams_per_client=per_client)
    )


def _engine(app: FastAPI) -> AsyncEngine:
    engine: AsyncEngine = app.state.sessionmaker.kw["bind"]
    return engine


async def _open(
    stack: AsyncExitStack, client: httpx.AsyncClient, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await stack.enter_async_context(client.stream("GET", STREAM, headers=headers))


async def _read_until(
    response: httpx.Response, marker: bytes, *, times: int = 1, seconds: float = 5
) -> bytes:
    """What the stream sent up to the `times`-th `marker`."""
    received = b""
    async with asyncio.timeout(seconds):
        async for chunk in response.aiter_raw():
            received += chunk
            if received.count(marker) >= times:
                return received
    raise AssertionError(f"the stream ended before {marker!r}")


async def _key(url: str, role: Role = Role.STAFF) -> str:
    engine = create_engine(url, Settings(database_url=url))
    try:
        async with create_sessionmaker(engine).begin() as session:
            return await factories.api_key(session, role)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def published(stream_database_url: str) -> None:
    """Changes in the feed: enough that a stream is still sending when its client leaves."""
    engine = create_engine(stream_database_url, Settings(database_url=stream_database_url))
    try:
        async with create_sessionmaker(engine).begin() as session:
            doc = await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR")
            for paragraph in range(1, PUBLISHED + 1):
                await factories.recommendation(session, doc, str(paragraph))
    finally:
        await engine.dispose()


def _assert_too_many(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"].isdecimal()


async def test_a_stream_past_the_process_cap_is_a_429_with_retry_after(
    stream_database_url: str,
) -> None:
    async with serving(_app(stream_database_url, total=2)) as client, AsyncExitStack() as stack:
        opened = [await _open(stack, client) for _ in range(2)]
        refused = await _open(stack, client)
        await refused.aread()

    assert [r.status_code for r in opened] == [200, 200]
    _assert_too_many(refused)


async def test_a_stream_past_the_client_cap_is_a_429_yet_another_key_gets_one(
    stream_database_url: str,
) -> None:
    key = factories.bearer(await _key(stream_database_url))
    async with (
        serving(_app(stream_database_url, per_client=2)) as client,
        AsyncExitStack() as stack,
    ):
        opened = [await _open(stack, client) for _ in range(2)]
        refused = await _open(stack, client)
        await refused.aread()
        keyed = [await _open(stack, client, key) for _ in range(2)]
        keyed_refused = await _open(stack, client, key)
        await keyed_refused.aread()

    assert [r.status_code for r in opened + keyed] == [200] * 4
    _assert_too_many(refused)
    _assert_too_many(keyed_refused)


@pytest.mark.usefixtures("published")
async def test_idle_streams_hold_no_database_connection(stream_database_url: str) -> None:
    key = factories.bearer(await _key(stream_database_url))
    app = _app(stream_database_url)
    async with serving(app) as client, AsyncExitStack() as stack:
        opened = [await _open(stack, client), await _open(stack, client, key)]
        for response in opened:
            await _read_until(response, CREATED, times=PUBLISHED)
        # Past the look that found nothing more, the streams wait for the next poll.
        await asyncio.sleep(0.3)

        assert _engine(app).pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_streams_share_a_few_connections_however_many_poll(
    stream_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes, "STREAM_POLL_SECONDS", 0.01)
    app = _app(stream_database_url, per_client=20)
    busiest = 0
    async with serving(app) as client, AsyncExitStack() as stack:
        for _ in range(20):
            await _open(stack, client)
        until = time.monotonic() + 0.5
        while time.monotonic() < until:
            busiest = max(busiest, _engine(app).pool.checkedout())  # type: ignore[attr-defined]
            await asyncio.sleep(0.001)

    assert 0 < busiest <= streams.POLL_CONNECTIONS


async def test_heartbeats_keep_an_idle_stream_alive(
    stream_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "HEARTBEAT_SECONDS", 0.2)
    async with serving(_app(stream_database_url)) as client, AsyncExitStack() as stack:
        response = await _open(stack, client)
        received = await _read_until(response, b": keep-alive\n\n", times=2, seconds=3)

    assert received.count(b": keep-alive\n\n") == 2


@pytest.mark.usefixtures("published")
async def test_a_client_that_leaves_frees_its_slot_without_an_error(
    stream_database_url: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _app(stream_database_url, per_client=1)
    async with serving(app) as client:
        for _ in range(3):
            async with AsyncExitStack() as stack:
                response = await _open(stack, client)
                # Gone in the middle of the feed, while it is still being sent.
                await _read_until(response, CREATED)
            for _ in range(300):
                if not app.state.streams.open:
                    break
                await asyncio.sleep(0.01)
            else:
                pytest.fail("the stream outlived its client")

    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert '"status": 500' not in err
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_stream_stays_open_through_an_outage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(streams, "HEARTBEAT_SECONDS", 0.2)
    monkeypatch.setattr(changes, "STREAM_POLL_SECONDS", 0.05)
    app = _app("postgresql+asyncpg://postgres@127.0.0.1:1/suivi")
    async with serving(app) as client, AsyncExitStack() as stack:
        response = await _open(stack, client)
        await _read_until(response, b": keep-alive\n\n", times=2, seconds=3)

    err = capsys.readouterr().err
    assert "Traceback" not in err
    # Once for the outage, not once for each look that failed.
    assert err.count('"change_stream_paused"') == 1
