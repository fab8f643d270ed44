"""A database outage under load, end to end: 503s with `Retry-After`, then recovery, no restart.

A live `suivi serve` answers four clients while its database first refuses connections and
loses the ones it had (as when PostgreSQL restarts or a failover happens), then comes back.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.commands import command_env
from tests.databases import create_database, drop_database
from tests.test_live_server import serving

CLIENTS = 4
PATHS = ("/v1/recommendations", "/ready")
HEALTHY_SECONDS = 1.0
OUTAGE_SECONDS = 2.5
# Recovery must not wait for a restart or for the pool to age out its connections.
RECOVERY_SECONDS = 1.5
AFTER_SECONDS = 3.0


@dataclass(frozen=True)
class Answer:
    sent_at: float
    path: str
    status: int
    content_type: str
    retry_after: str | None


@pytest.fixture
async def outage_database_url(admin_url: str) -> AsyncIterator[str]:
    url = await create_database(admin_url, prefix="suivi_outage")
    try:
        yield url
    finally:
        await _allow_connections(admin_url, url, allowed=True)
        await drop_database(admin_url, url)


async def _allow_connections(admin_url: str, url: str, *, allowed: bool) -> None:
    """Let the database take connections or refuse them, closing the open ones when refusing."""
    name = make_url(url).database
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
            )
            if not allowed:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name"
                    ),
                    {"name": name},
                )
    finally:
        await engine.dispose()


async def _client(client: httpx.AsyncClient, until: float, answers: list[Answer]) -> None:
    turn = 0
    while time.monotonic() < until:
        path = PATHS[turn % len(PATHS)]
        turn += 1
        sent_at = time.monotonic()
        response = await client.get(path)
        answers.append(
            Answer(
                sent_at,
                path,
                response.status_code,
                response.headers.get("content-type", ""),
                response.headers.get("retry-after"),
            )
        )
        await asyncio.sleep(0.02)


async def test_an_outage_is_503s_with_retry_after_then_recovery_without_restart(
    admin_url: str, outage_database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    env = command_env(outage_database_url)
    answers: list[Answer] = []
    async with (
        serving(env, log) as base,
        httpx.AsyncClient(base_url=base, timeout=10) as client,
    ):
        started = time.monotonic()
        until = started + HEALTHY_SECONDS + OUTAGE_SECONDS + AFTER_SECONDS
        load = [asyncio.create_task(_client(client, until, answers)) for _ in range(CLIENTS)]
        await asyncio.sleep(HEALTHY_SECONDS)
        await _allow_connections(admin_url, outage_database_url, allowed=False)
        await asyncio.sleep(OUTAGE_SECONDS)
        await _allow_connections(admin_url, outage_database_url, allowed=True)
        allowed_at = time.monotonic()
        await asyncio.gather(*load)

    unexpected = [a for a in answers if not (200 <= a.status < 300 or a.status == 503)]
    assert unexpected == []
    unavailable = [a for a in answers if a.status == 503]
    assert {a.path for a in unavailable} == set(PATHS), "the outage was not seen"
    assert all(a.retry_after and a.retry_after.isdecimal() for a in unavailable)
    assert {a.content_type for a in unavailable} == {"application/problem+json"}
    recovered = [a for a in answers if a.sent_at >= allowed_at + RECOVERY_SECONDS]
    assert len(recovered) > CLIENTS
    assert {a.status for a in recovered} == {200}
    server_log = await asyncio.to_thread(log.read_text)
    assert "Traceback" not in server_log
    assert "unhandled_error" not in server_log
