"""Write rate limits per key and per address, and the statement timeout, as settings set them."""

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from api.deps import SessionDep
from models.enums import Role
from suivi.settings import Settings
from tests import factories

Client = Callable[..., httpx.AsyncClient]
UNKNOWN_KEY = "sk_0badc0de_not-a-real-secret"


@pytest.fixture
async def clients(app: FastAPI, database_url: str) -> AsyncIterator[Client]:
    """Makes clients of one application built with the given settings, from a chosen address."""
    opened: list[httpx.AsyncClient] = []
    apps: dict[tuple[tuple[str, Any], ...], FastAPI] = {}

    def make(address: str = "192.0.2.1", **settings: Any) -> httpx.AsyncClient:
        signature = tuple(sorted(settings.items()))
        if signature not in apps:
            apps[signature] = create_app(Settings(database_url=database_url, **settings))
            apps[signature].dependency_overrides.update(app.dependency_overrides)
        transport = httpx.ASGITransport(app=apps[signature], client=(address, 50000))
        client = httpx.AsyncClient(transport=transport, base_url="http://suivi")
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.aclose()


async def _write(client: httpx.AsyncClient, key: str) -> httpx.Response:
    # Not a valid upload: all that matters is whether the limit lets it through.
    return await client.post(
        "/v1/imports",
        files={"file": ("empty.csv", b"", "text/csv")},
        headers=factories.bearer(key),
    )


async def test_a_key_past_its_limit_gets_a_429_while_another_key_passes(
    clients: Client, session: AsyncSession
) -> None:
    client = clients(rate_limit_key_writes="3/minute")
    busy = await factories.api_key(session, Role.STAFF)
    other = await factories.api_key(session, Role.STAFF)

    allowed = [(await _write(client, busy)).status_code for _ in range(3)]
    refused = await _write(client, busy)
    passes = await _write(client, other)

    assert 429 not in allowed
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert passes.status_code != 429


async def test_the_429_is_a_problem_that_names_neither_key_nor_address(
    clients: Client, session: AsyncSession
) -> None:
    client = clients(rate_limit_key_writes="1/minute")
    key = await factories.api_key(session, Role.STAFF)
    prefix = key.split("_")[1]

    await _write(client, key)
    refused = await _write(client, key)

    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["type"] == "urn:suivi:problem:too-many-requests"
    assert body["title"] == "Too many requests"
    assert body["status"] == 429
    assert body["instance"] == "/v1/imports"
    assert (
        body["detail"]
        == f"Too many writes from this API key; retry in {refused.headers['retry-after']} s."
    )
    assert prefix not in refused.text
    assert "192.0.2.1" not in refused.text


async def test_a_forged_key_with_a_real_prefix_does_not_spend_that_keys_allowance(
    clients: Client, session: AsyncSession
) -> None:
    client = clients(rate_limit_key_writes="2/minute")
    key = await factories.api_key(session, Role.STAFF)
    forged = f"sk_{key.split('_')[1]}_guessed-secret"

    forged_statuses = [(await _write(client, forged)).status_code for _ in range(3)]
    real = await _write(client, key)

    assert forged_statuses == [401, 401, 429]
    assert real.status_code != 429


async def test_an_unknown_key_is_counted_before_any_database_lookup(
    clients: Client,
) -> None:
    client = clients(rate_limit_key_writes="2/minute")

    statuses = [(await _write(client, UNKNOWN_KEY)).status_code for _ in range(3)]

    # The third is refused before the key is looked up, so it is a 429, not a 401.
    assert statuses == [401, 401, 429]


async def test_an_address_past_its_limit_gets_a_429_whatever_the_key(
    clients: Client, session: AsyncSession
) -> None:
    settings = {"rate_limit_key_writes": "100/minute", "rate_limit_address_writes": "3/minute"}
    client = clients(**settings)
    elsewhere = clients(address="198.51.100.7", **settings)
    keys = [await factories.api_key(session, Role.STAFF) for _ in range(4)]

    allowed = [(await _write(client, key)).status_code for key in keys[:3]]
    refused = await _write(client, keys[3])
    public = await client.post("/v1/imports")
    other_address = await _write(elsewhere, keys[3])

    assert 429 not in allowed
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many writes from this address;")
    assert int(refused.headers["retry-after"]) >= 1
    assert public.status_code == 429
    assert other_address.status_code != 429


async def test_a_refused_write_is_not_counted(clients: Client, session: AsyncSession) -> None:
    client = clients(rate_limit_key_writes="1/minute", rate_limit_address_writes="2/minute")
    busy = await factories.api_key(session, Role.STAFF)
    other = await factories.api_key(session, Role.STAFF)

    await _write(client, busy)
    refused = [(await _write(client, busy)).status_code for _ in range(3)]
    second = await _write(client, other)

    assert refused == [429, 429, 429]
    assert second.status_code != 429


async def test_reads_are_never_limited(clients: Client, session: AsyncSession) -> None:
    client = clients(rate_limit_key_writes="1/minute", rate_limit_address_writes="1/minute")
    key = await factories.api_key(session, Role.STAFF)

    statuses = {
        (await client.get("/v1/recommendations", headers=factories.bearer(key))).status_code
        for _ in range(5)
    }
    imports = await client.get("/v1/imports", headers=factories.bearer(key))

    assert statuses == {200}
    assert imports.status_code == 200


async def test_disabled_limits_let_every_write_through(
    clients: Client, session: AsyncSession
) -> None:
    client = clients(
        rate_limit_enabled=False,
        rate_limit_key_writes="1/minute",
        rate_limit_address_writes="1/minute",
    )
    key = await factories.api_key(session, Role.STAFF)

    statuses = [(await _write(client, key)).status_code for _ in range(4)]

    assert 429 not in statuses


async def test_a_limited_write_is_refused_before_its_body_is_read(clients: Client) -> None:
    client = clients(rate_limit_address_writes="1/minute", max_request_bytes=1024)
    big = {"file": ("big.csv", b"x" * 4096, "text/csv")}

    first = await client.post("/v1/imports", files=big)
    second = await client.post("/v1/imports", files=big)

    assert first.status_code == 413
    assert second.status_code == 429


def test_a_malformed_limit_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="rate_limit_key_writes"):
        Settings(rate_limit_key_writes="lots")


async def test_a_statement_past_the_timeout_is_a_problem_not_a_hang(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, statement_timeout_ms=50))

    @app.get("/slow")
    async def slow(session: SessionDep) -> None:
        await session.execute(text("SELECT pg_sleep(10)"))

    started = time.monotonic()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://suivi",
        ) as client,
    ):
        response = await client.get("/slow")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:query-timeout"
    assert response.headers["retry-after"] == "5"
