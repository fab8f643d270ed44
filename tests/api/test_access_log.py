"""Requests are logged by route, never with the caller's address."""

import httpx
import pytest
from fastapi import FastAPI

CALLER_ADDRESS = "203.0.113.7"


async def test_request_log_names_route_but_not_caller(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    transport = httpx.ASGITransport(app=app, client=(CALLER_ADDRESS, 40123))
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        response = await client.get("/v1/recommendations/424242?probe=1")

    assert response.status_code == 404
    logged = capsys.readouterr().err
    assert "/v1/recommendations/{recommendation_id}" in logged
    assert '"status": 404' in logged
    assert CALLER_ADDRESS not in logged
    assert "probe" not in logged
