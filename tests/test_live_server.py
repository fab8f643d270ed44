"""End to end: `suivi demo`, then `suivi serve` as a live uvicorn process, then HTTP."""

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.commands import SUIVI, command_env, run_suivi
from tests.databases import create_database, drop_database

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(env: dict[str, str], log: Path | None = None) -> AsyncIterator[str]:
    """`suivi serve` in a child process until it answers /ready; its base URL. SIGTERM after.

    With `log`, the server's output is written there, and quoted when it fails to start.
    """
    port = _free_port()
    with open(log or os.devnull, "wb") as output:  # noqa: ASYNC230 - opened once, before the wait
        process = await asyncio.create_subprocess_exec(
            *SUIVI,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=output,
        )
    base = f"http://127.0.0.1:{port}"

    def said() -> str:
        return log.read_text(errors="replace")[-3000:] if log else ""

    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(STARTUP_SECONDS * 10):
                assert process.returncode is None, f"suivi serve exited during start-up: {said()}"
                try:
                    if (await client.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail(f"suivi serve did not become ready: {said()}")
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=30)


@pytest.fixture
async def sample_database_url(admin_url: str) -> AsyncIterator[str]:
    """A database holding the sample, loaded by `suivi demo`."""
    url = await create_database(admin_url, prefix="suivi_live")
    try:
        loaded = await asyncio.to_thread(run_suivi, "demo", database_url=url)
        assert loaded.returncode == 0, loaded.stderr
        yield url
    finally:
        await drop_database(admin_url, url)


async def test_served_sample_is_listed_over_http(sample_database_url: str) -> None:
    async with (
        serving(command_env(sample_database_url)) as base,
        httpx.AsyncClient(base_url=base) as client,
    ):
        first = await client.get("/v1/recommendations", params={"limit": 20})
        assert first.status_code == 200
        page = first.json()
        assert len(page["items"]) == 20
        assert all(item["document_symbol"].startswith("SAMPLE/") for item in page["items"])

        second = await client.get(first.links["next"]["url"])
        assert second.status_code == 200
        assert {i["id"] for i in second.json()["items"]}.isdisjoint(
            {i["id"] for i in page["items"]}
        )

        detail = await client.get(f"/v1/recommendations/{page['items'][0]['id']}")
        assert detail.json()["provenance"]["source_format"] == "sample"
        assert (await client.get("/docs")).status_code == 200


async def test_embedded_server_starts_and_stops_with_serve(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUIVI_")}
    env["SUIVI_DATA_DIR"] = str(tmp_path / "suivi-data")
    postmaster_pid = tmp_path / "suivi-data" / "pgdata" / "postmaster.pid"

    log = tmp_path / "serve.log"
    async with serving(env, log) as base, httpx.AsyncClient(base_url=base) as client:
        assert postmaster_pid.exists()
        response = await client.get("/v1/recommendations")
        assert response.json() == {"items": [], "next_cursor": None}

    # Stopping the service stops the embedded PostgreSQL it started.
    assert not postmaster_pid.exists()
