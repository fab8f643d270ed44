"""The middlewares' short paths answer as their full ones did: ETags a route sets, HEAD, raw
headers read and written in place, requests without a body, the access log's cached logger."""

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from api.access_log import AccessLogMiddleware
from api.caching import CachingMiddleware, etag_of
from api.limits import BodyLimitMiddleware, JsonDepthMiddleware
from api.pages.security import PageSecurityMiddleware
from suivi.input_limits import MAX_JSON_DEPTH
from suivi.logging import configure_logging

DEEP = b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1)
PAGE = {"items": [{"id": number, "text": "x" * 40} for number in range(50)]}
# As a list route would make it: the query, then the ids and latest change of its page.
ROUTE_ETAG = '"route-set-validator"'


async def _own_etag(request: Request) -> Response:
    return JSONResponse(PAGE, headers={"ETag": ROUTE_ETAG})


async def _hashed(request: Request) -> Response:
    return JSONResponse(PAGE)


async def _own_headers(request: Request) -> Response:
    return JSONResponse(
        PAGE,
        headers={"Vary": "Accept-Language", "Cache-Control": "max-age=5", "X-Request-ID": "x"},
    )


async def _html(request: Request) -> Response:
    return HTMLResponse("<p>page</p>")


async def _echo(request: Request) -> Response:
    return JSONResponse({"length": len(await request.body())})


ROUTES = [
    Route("/own-etag", _own_etag),
    Route("/hashed", _hashed),
    Route("/own-headers", _own_headers),
    Route("/page", _html),
    Route("/echo", _echo, methods=["GET", "POST"]),
]


def _client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://suivi")


@pytest.fixture
async def cached() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(CachingMiddleware(Starlette(routes=ROUTES))) as client:
        yield client


async def test_an_etag_the_route_set_is_kept_and_answers_304(cached: httpx.AsyncClient) -> None:
    first = await cached.get("/own-etag")
    again = await cached.get("/own-etag", headers={"If-None-Match": ROUTE_ETAG})
    weak = await cached.get("/own-etag", headers={"If-None-Match": f'"other", W/{ROUTE_ETAG}'})

    assert first.status_code == 200
    assert first.headers["etag"] == ROUTE_ETAG
    assert first.headers["etag"] != etag_of(first.content)
    assert first.headers.get_list("etag") == [ROUTE_ETAG]
    assert again.status_code == weak.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == ROUTE_ETAG
    assert again.headers["vary"] == "Authorization"
    assert again.headers["cache-control"] == "public, max-age=30, must-revalidate"
    assert "content-type" not in again.headers
    assert "content-length" not in again.headers


async def test_head_has_the_etag_of_get_and_answers_304(cached: httpx.AsyncClient) -> None:
    get = await cached.get("/hashed")
    head = await cached.head("/hashed")
    unchanged = await cached.head("/hashed", headers={"If-None-Match": get.headers["etag"]})

    assert get.headers["etag"] == etag_of(get.content)
    assert head.status_code == 200
    assert head.headers["etag"] == get.headers["etag"]
    assert unchanged.status_code == 304


async def test_a_stale_etag_gets_the_page(cached: httpx.AsyncClient) -> None:
    response = await cached.get("/hashed", headers={"If-None-Match": ROUTE_ETAG})

    assert response.status_code == 200
    assert response.json() == PAGE


async def test_a_route_s_own_vary_and_cache_control_are_kept(cached: httpx.AsyncClient) -> None:
    response = await cached.get("/own-headers", headers={"Authorization": "Bearer k"})

    assert response.headers.get_list("vary") == ["Accept-Language, Authorization"]
    assert response.headers.get_list("cache-control") == ["max-age=5"]


async def test_keyed_reads_are_private(cached: httpx.AsyncClient) -> None:
    response = await cached.get("/hashed", headers={"Authorization": "Bearer k"})

    assert response.headers["cache-control"] == "private, no-cache"


async def test_the_request_id_replaces_one_the_route_set() -> None:
    async with _client(AccessLogMiddleware(Starlette(routes=ROUTES))) as client:
        response = await client.get("/own-headers", headers={"X-Request-ID": "trace-7"})

    assert response.headers.get_list("x-request-id") == ["trace-7"]
    assert response.headers["content-type"] == "application/json"


async def test_the_access_log_follows_a_new_logging_configuration() -> None:
    """Its logger is kept between requests: a configuration made later must still apply."""
    events: list[MutableMapping[str, Any]] = []

    def keep(_: object, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        events.append(event)
        raise structlog.DropEvent

    app = AccessLogMiddleware(Starlette(routes=ROUTES), routes=ROUTES)
    try:
        async with _client(app) as client:
            await client.get("/hashed")
            structlog.configure(processors=[structlog.contextvars.merge_contextvars, keep])
            response = await client.get("/hashed?secret=1", headers={"X-Request-ID": "trace-8"})
    finally:
        configure_logging()

    assert events == [
        {
            "event": "request",
            "method": "GET",
            "route": "/hashed",
            "status": 200,
            "duration_ms": events[0]["duration_ms"],
            "request_id": "trace-8",
        }
    ]
    assert response.headers["x-request-id"] == "trace-8"


async def test_the_line_is_written_once_before_the_response_ends() -> None:
    """A caller that has its answer finds its line, whichever worker serves it next."""
    events: list[MutableMapping[str, Any]] = []
    lines_at_the_end: list[int] = []

    def keep(_: object, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        events.append(event)
        raise structlog.DropEvent

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            lines_at_the_end.append(len(events))

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/hashed",
        "raw_path": b"/hashed",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"suivi")],
    }
    structlog.configure(processors=[keep])
    try:
        await AccessLogMiddleware(Starlette(routes=ROUTES))(scope, receive, send)
    finally:
        configure_logging()

    assert lines_at_the_end == [1]
    assert [(event["route"], event["status"]) for event in events] == [("/hashed", 200)]


@pytest.fixture
async def limited() -> AsyncIterator[httpx.AsyncClient]:
    app = JsonDepthMiddleware(Starlette(routes=ROUTES))
    async with _client(BodyLimitMiddleware(app, max_bytes=1024, upload_bytes=1024)) as client:
        yield client


async def test_a_read_without_a_body_passes_the_body_checks(limited: httpx.AsyncClient) -> None:
    response = await limited.get("/echo")

    assert response.status_code == 200
    assert response.json() == {"length": 0}


async def test_a_read_with_a_body_is_still_limited(limited: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 100

    announced = await limited.request("GET", "/echo", content=b"x" * 2000)
    chunked = await limited.request("GET", "/echo", content=chunks())
    deep = await limited.request("GET", "/echo", content=DEEP)
    within = await limited.request("GET", "/echo", content=b"[[1]]")

    assert announced.status_code == chunked.status_code == 413
    assert deep.status_code == 400
    assert within.json() == {"length": 5}


async def _call(app: ASGIApp, scope: dict[str, Any], body: bytes) -> list[Message]:
    sent: list[Message] = []
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize("http_version", ["2", "3"])
async def test_a_body_sent_unannounced_after_http_1_is_still_checked(http_version: str) -> None:
    """From HTTP/2 on, a body may come without Content-Length or Transfer-Encoding."""
    scope = {
        "type": "http",
        "http_version": http_version,
        "method": "POST",
        "scheme": "https",
        "path": "/echo",
        "raw_path": b"/echo",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"suivi")],
    }
    app = Starlette(routes=ROUTES)
    large = await _call(BodyLimitMiddleware(app, max_bytes=64, upload_bytes=64), scope, b"x" * 65)
    deep = await _call(JsonDepthMiddleware(app), dict(scope), DEEP)

    assert large[0]["status"] == 413
    assert deep[0]["status"] == 400


async def test_only_html_gets_the_page_policy() -> None:
    async with _client(PageSecurityMiddleware(Starlette(routes=ROUTES))) as client:
        page = await client.get("/page")
        data = await client.get("/hashed")

    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" not in data.headers
    assert "x-frame-options" not in data.headers
