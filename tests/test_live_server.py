"""End to end: `suivi demo`, then `suivi serve` as a live uvicorn process, then HTTP."""

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.commands import SUIVI, command_env, run_suivi
from tests.databases import create_database, drop_database

STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def live_server(admin_url: str) -> AsyncIterator[str]:
    """A served Suivi holding the sample, on its own database; its base URL."""
    url = await create_database(admin_url, prefix="suivi_live")
    port = _free_port()
    process: asyncio.subprocess.Process | None = None
    try:
        loaded = await asyncio.to_thread(run_suivi, "demo", database_url=url)
        assert loaded.returncode == 0, loaded.stderr
        process = await asyncio.create_subprocess_exec(
            *SUIVI,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=command_env(url),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(STARTUP_SECONDS * 10):
                assert process.returncode is None, "suivi serve exited during start-up"
                try:
                    if (await client.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail("suivi serve did not become ready")
        yield base
    finally:
        if process is not None and process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=10)
        await drop_database(admin_url, url)


async def test_served_sample_is_listed_over_http(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as client:
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
