"""Hostile input is cheap to refuse: deep JSON, bodies without a key, oversized bodies, overlong
lines and fields, forged cursors."""

import base64
import json
import resource
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from models.enums import Role
from suivi.settings import Settings
from tests import factories

DEEP = 200_000
MiB = 1024 * 1024
UPR_INFO_HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session"
INVALID_JSON = "urn:suivi:problem:invalid-json"


@contextmanager
def _measured(extra_address_space: int = 2 << 30) -> Iterator[list[int]]:
    """The peak of Python allocations inside, in bytes (the list's one item once it ends).

    The address space is capped meanwhile, so a regression fails with MemoryError instead of
    taking the machine's memory.
    """
    statm = Path("/proc/self/statm")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if statm.exists():
        size = int(statm.read_text().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (size + extra_address_space, hard))
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
async def staff(client: httpx.AsyncClient, session: AsyncSession) -> httpx.AsyncClient:
    """The client, calling with an office staff key."""
    client.headers["Authorization"] = f"Bearer {await factories.api_key(session, Role.STAFF)}"
    return client


async def _upload(
    client: httpx.AsyncClient, name: str, content: bytes, **form: str
) -> httpx.Response:
    return await client.post(
        "/v1/imports", files={"file": (name, content, "text/plain")}, data=form
    )


async def _failed_run(client: httpx.AsyncClient, response: httpx.Response) -> dict[str, Any]:
    """The problem of a refused import, checked to be a 422 whose failed run was recorded."""
    assert response.status_code == 422, response.text
    problem: dict[str, Any] = response.json()
    assert problem["type"] == "urn:suivi:problem:invalid-records"
    run = await client.get(f"/v1/imports/{problem['import_run_id']}")
    assert run.json()["status"] == "failed"
    return problem


# Nesting depth.


async def test_a_deeply_nested_json_body_is_refused_quickly_in_little_memory(
    staff: httpx.AsyncClient,
) -> None:
    body = b"[" * DEEP + b"]" * DEEP
    started = time.perf_counter()
    with _measured() as peak:
        response = await staff.post(
            "/v1/actions", content=body, headers={"Content-Type": "application/json"}
        )

    assert time.perf_counter() - started < 2
    assert peak[0] < 50 * MiB
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == INVALID_JSON
    assert "deeper than 64" in problem["detail"]


@pytest.mark.parametrize(("depth", "refused"), [(64, False), (65, True)])
async def test_json_bodies_may_nest_64_levels(
    staff: httpx.AsyncClient, depth: int, refused: bool
) -> None:
    nested: Any = None
    for _ in range(depth - 1):
        nested = [nested]

    response = await staff.post("/v1/actions", json={"title": nested})

    assert (response.status_code == 400) is refused
    if not refused:
        assert response.status_code == 422


def _deep_suivi_json() -> bytes:
    return (
        b'{"format": "suivi", "version": 1, "recommendations": ['
        + b"[" * DEEP
        + b"]" * DEEP
        + b"]}"
    )


def _deep_uhri() -> bytes:
    return b"[" + b"[" * DEEP + b"]" * DEEP + b"]"


@pytest.mark.parametrize(
    ("name", "content"), [("deep.json", _deep_suivi_json()), ("deep-uhri.json", _deep_uhri())]
)
async def test_an_import_nested_200000_deep_fails_quickly_in_little_memory(
    staff: httpx.AsyncClient, name: str, content: bytes
) -> None:
    started = time.perf_counter()
    with _measured() as peak:
        response = await _upload(staff, name, content)

    assert time.perf_counter() - started < 5
    assert peak[0] < 50 * MiB
    problem = await _failed_run(staff, response)
    [error] = problem["errors"]
    assert error["record"] == 0
    assert "deeper than 64 levels" in error["message"]


# A key, and the body's size, before the body is read.


class _Body:
    """A body streamed in 1 MiB chunks, never held whole, counting what the server took."""

    def __init__(self, head: bytes, size: int) -> None:
        self.head = head
        self.size = size
        self.taken = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        chunk = b"x" * MiB
        yield self.head
        self.taken += len(self.head)
        while self.taken < self.size:
            yield chunk
            self.taken += len(chunk)


MULTIPART_HEAD = (
    b"--cut\r\n"
    b'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\n"
)


@pytest.mark.parametrize("announced", [True, False])
async def test_a_300_mb_upload_without_a_key_is_refused_unread(
    client: httpx.AsyncClient, announced: bool
) -> None:
    body = _Body(MULTIPART_HEAD, 300 * MiB)
    headers = {"Content-Type": "multipart/form-data; boundary=cut"}
    if announced:
        headers["Content-Length"] = str(300 * MiB)

    started = time.perf_counter()
    response = await client.post("/v1/imports", content=body.chunks(), headers=headers)

    assert time.perf_counter() - started < 1
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:unauthenticated"
    assert body.taken == 0


async def test_a_malformed_authorization_is_refused_unread(client: httpx.AsyncClient) -> None:
    body = _Body(b"{", 3 * MiB)

    response = await client.post(
        "/v1/actions",
        content=body.chunks(),
        headers={"Authorization": "Basic dXNlcjpwYXNz", "Content-Type": "application/json"},
    )

    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert body.taken == 0


async def test_a_public_write_is_not_refused_for_want_of_a_key(app: FastAPI) -> None:
    @app.post("/v1/open")
    async def open_write(payload: dict[str, int]) -> dict[str, int]:
        return payload

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        response = await client.post("/v1/open", json={"a": 1})

    assert response.status_code == 200


@pytest.mark.parametrize("announced", [True, False])
async def test_a_2_mib_body_to_another_route_is_a_413(
    staff: httpx.AsyncClient, announced: bool
) -> None:
    body = _Body(b'{"title": "', 2 * MiB)
    headers = {"Content-Type": "application/json"}
    if announced:
        headers["Content-Length"] = str(2 * MiB)

    response = await staff.post("/v1/actions", content=body.chunks(), headers=headers)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert body.taken <= MiB + len(b'{"title": "') + MiB


async def test_the_small_limit_is_a_setting(app: FastAPI, session: AsyncSession) -> None:
    settings = Settings(database_url="postgresql+asyncpg://unused/unused", max_body_bytes=100)
    small = create_app(settings)
    # The test's session and reads: every override of the test's application.
    small.dependency_overrides.update(app.dependency_overrides)
    key = await factories.api_key(session, Role.STAFF)
    transport = httpx.ASGITransport(app=small)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        response = await client.post(
            "/v1/actions", json={"title": "x" * 200}, headers=factories.bearer(key)
        )

    assert response.status_code == 413


def _upr_info_csv(size: int) -> bytes:
    rows = [UPR_INFO_HEADER]
    text = "Protect human rights defenders and their families. " * 1_000
    number = 0
    while sum(len(row) for row in rows) < size:
        number += 1
        rows.append(f'Tunisia,,,"{text} ({number})",France,,,Supported,,,27')
    return ("\r\n".join(rows) + "\r\n").encode()


async def test_imports_still_take_a_5_mb_file(staff: httpx.AsyncClient) -> None:
    content = _upr_info_csv(5 * 1000 * 1000)

    response = await _upload(staff, "five-megabytes.csv", content, dry_run="true")

    assert response.status_code == 201, response.text[:300]
    assert response.json()["created"] == content.count(b"\r\n") - 1


# Overlong lines and fields: a 422 and a recorded failed run, never a 500.


async def test_a_csv_header_longer_than_the_field_limit_is_a_recorded_failure(
    staff: httpx.AsyncClient,
) -> None:
    # The long cell first: the columns are past what format detection reads.
    content = ("x" * 140_000 + "," + UPR_INFO_HEADER + "\r\n").encode()

    problem = await _failed_run(staff, await _upload(staff, "long-header.csv", content))

    assert problem["errors"][0]["line"] == 1
    assert "longer than 131,072 characters" in problem["errors"][0]["message"]


async def test_a_csv_cell_longer_than_the_field_limit_is_a_recorded_failure(
    staff: httpx.AsyncClient,
) -> None:
    content = f"{UPR_INFO_HEADER}\r\nTunisia,,,{'y' * 140_000},France,,,Supported,,,27\r\n"

    problem = await _failed_run(staff, await _upload(staff, "long-cell.csv", content.encode()))

    assert "longer than 131,072 characters" in problem["errors"][0]["message"]


UN_TEXT_FORM = {"format": "un-text", "symbol": "A/HRC/52/10", "state": "TUN"}


async def test_an_overlong_line_of_report_text_is_a_recorded_failure(
    staff: httpx.AsyncClient,
) -> None:
    content = ("118.1 Protect defenders " + "word " * 30_000 + "(France);\n").encode()

    problem = await _failed_run(staff, await _upload(staff, "report.txt", content, **UN_TEXT_FORM))

    assert "line 1 is longer than 131,072 characters" in problem["errors"][0]["message"]


async def test_an_overlong_paragraph_of_report_text_is_a_recorded_failure(
    staff: httpx.AsyncClient,
) -> None:
    content = (
        "118.1 Protect defenders\n" + "and their families\n" * 10_000 + "(France);\n"
    ).encode()

    problem = await _failed_run(staff, await _upload(staff, "report.txt", content, **UN_TEXT_FORM))

    assert "paragraph 118.1 is longer than" in problem["errors"][0]["message"]


def _suivi_json(text: str) -> bytes:
    record = {
        "natural_key": "hostile:1",
        "state": "TUN",
        "mechanism": "upr",
        "body": "UPR",
        "language": "en",
        "texts": {"en": text},
        "hrd_relevance": "none",
    }
    return json.dumps({"format": "suivi", "version": 1, "recommendations": [record]}).encode()


async def test_an_overlong_json_string_is_a_recorded_failure(staff: httpx.AsyncClient) -> None:
    problem = await _failed_run(staff, await _upload(staff, "x.json", _suivi_json("z" * 140_000)))

    [error] = problem["errors"]
    assert error["column"] == "texts"
    assert "longer than 131,072 characters" in error["message"]


async def test_text_too_long_to_index_for_search_is_a_recorded_failure(
    staff: httpx.AsyncClient,
) -> None:
    # Square katakana: each folds to several letters, and the search vector would pass 1 MiB.
    squares = [chr(code) for code in range(0x3300, 0x3358)]
    words = (
        "".join(squares[n % 88] + squares[n // 88 % 88] + squares[n // 7744]) for n in range(30_000)
    )

    response = await _upload(staff, "x.json", _suivi_json(" ".join(words)))

    problem = await _failed_run(staff, response)
    assert "too long to be indexed for search" in problem["errors"][0]["message"]


# Cursors.


def _cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "parameter", "values"),
    [
        ("/v1/changes", "since", [2**64, 1]),
        ("/v1/changes", "since", [2**63, 0]),
        ("/v1/changes", "since", [-1, 0]),
        ("/v1/changes/stream", "since", [1, 2**64]),
        ("/v1/actions", "cursor", [2**63]),
        ("/v1/institutions", "cursor", [2**70]),
        ("/v1/documents", "cursor", ["A/HRC\u0000"]),
        ("/v1/documents", "cursor", ["\ud800"]),
        ("/v1/recommendations?sort=state", "cursor", ["state", "TUN", 2**64]),
        ("/v1/recommendations?sort=state", "cursor", ["state", "T\u0000N", 1]),
        ("/v1/recommendations?sort=relevance&q=defenders", "cursor", ["relevance", "NaN", 1]),
        ("/v1/deadlines", "cursor", ["2026-01-01", "follow_up", "TUN", 2**63]),
    ],
)
async def test_a_forged_cursor_out_of_range_is_a_422_naming_it(
    client: httpx.AsyncClient, path: str, parameter: str, values: list[Any]
) -> None:
    if values[1:2] == ["NaN"]:
        values[1] = float("nan")
    separator = "&" if "?" in path else "?"

    response = await client.get(f"{path}{separator}{parameter}={_cursor(values)}")

    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:suivi:problem:invalid-cursor"
    assert f"`{parameter}`" in response.json()["detail"]


async def test_a_forged_last_event_id_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/changes/stream", headers={"Last-Event-ID": _cursor([2**64, 0])}
    )

    assert response.status_code == 422
    assert "`Last-Event-ID`" in response.json()["detail"]


async def test_the_largest_cursor_values_are_accepted(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/changes?since={_cursor([2**63 - 1, 2**63 - 1])}")

    assert response.status_code == 200
    assert response.json()["items"] == []
