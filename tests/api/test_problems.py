"""Every error is RFC 9457 problem+json, and none leaks internals."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from tests import factories

JSON = {"content-type": "application/json"}
INVALID_JSON = "urn:suivi:problem:invalid-json"


async def test_unknown_path_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "instance": "/v1/no-such-thing",
    }


async def test_wrong_method_is_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/recommendations")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert "allow" in response.headers


async def test_unexpected_error_is_generic_500_without_details(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    response = await client.get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert "Traceback" not in response.text


@pytest.fixture
async def staff(session: AsyncSession) -> dict[str, str]:
    """The headers of a staff key sending JSON."""
    return {**factories.bearer(await factories.api_key(session, Role.STAFF)), **JSON}


def _invalid_json(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, object] = response.json()
    assert problem["type"] == INVALID_JSON
    assert problem["title"] == "The request body is not valid JSON"
    assert problem["status"] == 400
    assert "errors" not in problem
    return problem


@pytest.mark.parametrize("path", ["/v1/actions", "/v1/recommendations/1/updates"])
async def test_malformed_json_is_400_naming_line_and_column(
    client: httpx.AsyncClient, staff: dict[str, str], path: str
) -> None:
    # The column counts characters: "é" is two bytes but one column.
    body = '{\n  "kind": "legislation",\n  "title": "Réforme du code pénal",,\n}'

    response = await client.post(path, content=body.encode(), headers=staff)

    problem = _invalid_json(response)
    assert problem["line"] == 3
    assert problem["column"] == 36
    assert problem["detail"] == (
        "The body is not valid JSON at line 3, column 36: "
        "Expecting property name enclosed in double quotes."
    )
    assert problem["instance"] == path


async def test_truncated_json_points_past_its_last_character(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    body = b'{"kind": "legislation",\n "title": "x"'

    response = await client.post("/v1/actions", content=body, headers=staff)

    problem = _invalid_json(response)
    assert (problem["line"], problem["column"]) == (2, 14)
    assert problem["detail"] == (
        "The body is not valid JSON at line 2, column 14: Expecting ',' delimiter."
    )


async def test_single_line_json_error_is_on_line_1(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    body = b'{"kind": "legislation" "title": "x"}'

    response = await client.post("/v1/actions", content=body, headers=staff)

    problem = _invalid_json(response)
    assert (problem["line"], problem["column"]) == (1, 24)


@pytest.mark.parametrize(
    ("body", "offset"),
    [
        (b'{"kind": "legislation", "title": "caf\xe9"}', 37),
        # The offset counts the bytes sent, a byte order mark included.
        (b'\xef\xbb\xbf{"kind": "legislation", "title": "caf\xe9"}', 40),
    ],
)
async def test_body_not_utf8_is_400_naming_the_byte(
    client: httpx.AsyncClient, staff: dict[str, str], body: bytes, offset: int
) -> None:
    response = await client.post("/v1/actions", content=body, headers=staff)

    problem = _invalid_json(response)
    assert problem["byte_offset"] == offset
    assert problem["detail"] == (
        f"The body is not UTF-8: the byte at offset {offset} (counting from 0) cannot be decoded."
    )


async def test_missing_field_is_still_422_listing_it(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    response = await client.post("/v1/actions", content=b'{"kind": "legislation"}', headers=staff)

    assert response.status_code == 422
    assert response.json() == {
        "type": "urn:suivi:problem:invalid-parameters",
        "title": "Invalid parameters",
        "status": 422,
        "detail": "Invalid value for: title",
        "instance": "/v1/actions",
        "errors": [{"name": "title", "location": "body", "reason": "Field required"}],
    }


async def test_empty_body_is_still_422_naming_the_body(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    response = await client.post("/v1/actions", content=b"", headers=staff)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"name": "body", "location": "body", "reason": "Field required"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "x", "password": "hunter2-s3cr3t",, }',
        b'{"title": "x", "password": "hunter2-s3cr3t", "note": "\xff"}',
    ],
)
async def test_invalid_body_is_never_echoed(
    client: httpx.AsyncClient, staff: dict[str, str], body: bytes
) -> None:
    response = await client.post("/v1/actions", content=body, headers=staff)

    _invalid_json(response)
    assert "hunter2" not in response.text
    assert "password" not in response.text
