"""Logs: one JSON object per line, each with its request's id, and none of what must stay out.

Requests carry a bearer key, a narrative and a confidential organisation's name with marker
strings, markers in query strings, a client address and forwarded addresses; no captured line
may hold any of them.
"""

import asyncio
import json
import logging
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from suivi.logging import configure_logging
from tests.commands import SUIVI, command_env
from tests.world import World, build_world

ORGANISATION_MARKER = "LOGMARK-ORG-b81f"
NARRATIVE_MARKER = "LOGMARK-NARRATIVE-5c2e"
QUERY_MARKER = "LOGMARK-QUERY-a7d0"
CALLER_ADDRESS = "198.51.100.23"
FORWARDED_ADDRESS = "203.0.113.99"


def _records(text: str) -> list[dict[str, Any]]:
    """Every line of `text` as a JSON object; fails on a line that is not one."""
    records = []
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            assert isinstance(record, dict), line
            records.append(record)
    return records


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(
        session,
        organisation_b=f"Collectif {ORGANISATION_MARKER}",
        narrative_b=f"Summoned in Sfax {NARRATIVE_MARKER}.",
    )


@pytest.fixture
async def caller(app: FastAPI) -> Any:
    """A client whose requests come from CALLER_ADDRESS and say they were forwarded."""
    transport = httpx.ASGITransport(
        app=app, client=(CALLER_ADDRESS, 40123), raise_app_exceptions=False
    )
    headers = {"X-Forwarded-For": FORWARDED_ADDRESS, "X-Real-IP": FORWARDED_ADDRESS}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://suivi.test", headers=headers
    ) as client:
        yield client


def _update(narrative: str) -> dict[str, str]:
    return {
        "source_type": "civil_society",
        "assessed_status": "not_implemented",
        "narrative": narrative,
        "as_of_date": "2024-12-01",
        "confidentiality": "confidential_submitter",
    }


async def _drive(caller: httpx.AsyncClient, world: World) -> list[httpx.Response]:
    """Requests that carry every kind of secret through every kind of answer."""
    recommendation = world.ids["recommendation"]
    submitter = world.headers("submitter_b")
    staff = world.headers("staff")
    submit = f"/v1/recommendations/{recommendation}/updates"
    unknown_key = {"Authorization": "Bearer sk_0123abcd_" + QUERY_MARKER}
    return [
        await caller.post(
            submit, json=_update(f"New summons {NARRATIVE_MARKER}"), headers=submitter
        ),
        await caller.post(
            submit,
            content=f'{{"narrative": "{NARRATIVE_MARKER}'.encode(),
            headers={**submitter, "Content-Type": "application/json"},
        ),
        await caller.post(
            submit,
            json={**_update(NARRATIVE_MARKER), "as_of_date": NARRATIVE_MARKER},
            headers=submitter,
        ),
        await caller.get(f"/v1/recommendations?q={QUERY_MARKER}&state={QUERY_MARKER}"),
        await caller.get(
            f"/v1/recommendations/{recommendation}?lang={QUERY_MARKER}", headers=staff
        ),
        await caller.get("/v1/updates?review_state=submitted", headers=staff),
        await caller.get(f"/v1/updates/{world.ids['update_b_submitted']}", headers=staff),
        await caller.get(f"/v1/organisations/{world.ids['organisation_b']}", headers=staff),
        await caller.post(f"/v1/updates/{world.ids['update_b_submitted']}/publish", headers=staff),
        await caller.get("/v1/updates", headers=unknown_key),
        await caller.get("/v1/updates", headers={"Authorization": f"Basic {QUERY_MARKER}"}),
        # A key sent in the wrong header is not echoed, nor logged.
        await caller.get("/health", headers={"X-Request-ID": world.keys["admin"]}),
        await caller.get("/metrics"),
    ]


async def test_logs_hold_no_key_narrative_organisation_query_or_address(
    caller: httpx.AsyncClient, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    responses = await _drive(caller, world)
    captured = capsys.readouterr()

    logged = captured.err + captured.out
    assert _records(logged)
    secrets = [
        ORGANISATION_MARKER,
        NARRATIVE_MARKER,
        QUERY_MARKER,
        CALLER_ADDRESS,
        FORWARDED_ADDRESS,
        *world.keys.values(),
        # The secret is all after `sk_<prefix>_`: it may itself hold "_" (even end with one).
        *(key.split("_", 2)[2] for key in world.keys.values()),
    ]
    for secret in secrets:
        assert secret not in logged
    # The requests really carried them: the submission was taken, and staff read it back.
    assert responses[0].status_code == 201
    assert NARRATIVE_MARKER in responses[5].text
    assert ORGANISATION_MARKER in responses[6].text


async def test_every_line_is_json_with_the_id_its_response_returned(
    caller: httpx.AsyncClient, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    responses = await _drive(caller, world)
    records = _records(capsys.readouterr().err)

    returned = {response.headers["X-Request-ID"] for response in responses}
    assert len(returned) == len(responses)
    assert {record["request_id"] for record in records} == returned
    assert all({"timestamp", "level", "logger", "event"} <= record.keys() for record in records)
    requests = [record for record in records if record["event"] == "request"]
    assert len(requests) == len(responses)


async def test_a_safe_request_id_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "trace-42.a_B"})

    assert response.headers["X-Request-ID"] == "trace-42.a_B"


@pytest.mark.parametrize(
    "sent",
    ["x" * 129, "two words", "é", "a/b", "sk_0123abcd_secretsecret"],
    ids=["too-long", "space", "non-ascii", "slash", "api-key"],
)
async def test_an_unsafe_request_id_is_replaced(client: httpx.AsyncClient, sent: str) -> None:
    # As bytes: a header's octets reach the server whatever their encoding.
    response = await client.get("/health", headers={b"X-Request-ID": sent.encode()})

    returned = response.headers["X-Request-ID"]
    assert returned != sent
    assert uuid.UUID(returned).version == 4


def test_standard_library_records_are_json_with_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("info")
    with structlog.contextvars.bound_contextvars(request_id="req-1"):
        logging.getLogger("some.library").warning("disk %s", "full")
    [record] = _records(capsys.readouterr().err)

    assert record["event"] == "disk full"
    assert record["logger"] == "some.library"
    assert record["level"] == "warning"
    assert record["request_id"] == "req-1"


def _confidential() -> str:
    return NARRATIVE_MARKER


def test_a_traceback_is_one_line_without_local_values(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info")
    narrative = _confidential()
    try:
        raise ValueError(len(narrative))
    except ValueError:
        structlog.get_logger("suivi.test").exception("failed")
    [record] = _records(capsys.readouterr().err)

    assert "ValueError" in record["exception"]
    assert NARRATIVE_MARKER not in json.dumps(record)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body.decode()


async def _until_ready(client: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    for _ in range(600):
        assert process.returncode is None, "suivi serve exited during start-up"
        try:
            if (await client.get("/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail("suivi serve did not become ready")


async def test_suivi_serve_writes_json_lines_only(database_url: str, tmp_path: Path) -> None:
    port, metrics_port = _free_port(), _free_port()
    output = tmp_path / "serve.log"
    env = command_env(database_url, {"SUIVI_METRICS_PORT": str(metrics_port)})
    with output.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *SUIVI,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            stdout=sink,
            stderr=sink,
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                await _until_ready(client, process)
                await client.get(f"/v1/recommendations?q={QUERY_MARKER}")
                on_api_port = await client.get("/metrics")
            metrics = await asyncio.to_thread(_fetch, f"http://127.0.0.1:{metrics_port}/metrics")
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=30)
    text = output.read_text()
    records = _records(text)

    assert any(record["logger"].startswith("uvicorn") for record in records)
    assert [r["route"] for r in records if r["event"] == "request"][-2:] == [
        "/v1/recommendations",
        None,
    ]
    assert QUERY_MARKER not in text
    assert on_api_port.status_code == 404
    assert "suivi_http_requests_total" in metrics
