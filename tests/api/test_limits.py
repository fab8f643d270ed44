"""Request limits and cross-origin reads, as settings configure them."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from models.enums import Role
from suivi.settings import Settings
from tests import factories


@pytest.fixture
async def limited(app: FastAPI, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The application with a 1 KiB body limit and one dashboard origin."""
    settings = Settings(
        database_url=database_url,
        max_request_bytes=1024,
        cors_origins=["https://dashboard.example.org"],
    )
    limited_app = create_app(settings)
    # The test's session and reads: every override of the test's application.
    limited_app.dependency_overrides.update(app.dependency_overrides)
    transport = httpx.ASGITransport(app=limited_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi") as client:
        yield client


async def test_a_body_over_the_limit_is_a_413(limited: httpx.AsyncClient) -> None:
    response = await limited.post(
        "/v1/imports", files={"file": ("big.csv", b"x" * 4096, "text/csv")}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_chunked_body_over_the_limit_is_a_413(
    limited: httpx.AsyncClient, session: AsyncSession
) -> None:
    key = await factories.api_key(session, Role.STAFF)

    body = (
        b"--cut\r\n"
        b'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + b"x" * 4096 + b"\r\n--cut--\r\n"
    )

    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: the body can only be measured as it arrives.
        for start in range(0, len(body), 512):
            yield body[start : start + 512]

    response = await limited.post(
        "/v1/imports",
        content=chunks(),
        headers={
            "Content-Type": "multipart/form-data; boundary=cut",
            "Authorization": f"Bearer {key}",
        },
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_dashboard_origin_may_read_but_not_write(limited: httpx.AsyncClient) -> None:
    origin = "https://dashboard.example.org"
    read = await limited.get("/v1/recommendations", headers={"Origin": origin})
    preflight_write = await limited.options(
        "/v1/imports",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    stranger = await limited.get("/v1/recommendations", headers={"Origin": "https://evil.example"})

    assert read.headers["access-control-allow-origin"] == origin
    assert "ETag" in read.headers["access-control-expose-headers"]
    assert preflight_write.status_code == 400
    assert "access-control-allow-origin" not in stranger.headers
