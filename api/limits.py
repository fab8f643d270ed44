"""Request limits checked before a body is read, or as it arrives, so a refused request is cheap.

- A write to an operation that needs an API key, sent without one, is refused with 401 before
  its body is read (the route still authenticates the key itself: that needs the database).
- A body larger than its route's limit is refused with 413: one that announces its length
  before it is read, one sent in chunks as soon as it passes the limit. Uploads (`UPLOADS`)
  have a large limit of their own.
- A JSON body nested deeper than MAX_JSON_DEPTH is refused with a 400 `invalid-json` problem.

A request that says it sends no body (most reads) passes the body checks untouched: there is
nothing to count or parse, and every read would pay for the wrappers. Headers are looked up in
the raw list ASGI carries, without building a mapping of them.
"""

import json
from typing import Any

from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.languages import scope_language
from api.openapi import REQUIRED, security_requirement
from api.problems import INVALID_JSON, INVALID_JSON_TITLE, TYPE_PREFIX, problem_response
from suivi.errors import Unauthenticated
from suivi.input_limits import MAX_JSON_DEPTH

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The routes that take a file: they get the large limit, and their bodies are never buffered.
UPLOADS = frozenset({("POST", "/v1/imports")})
# Where a request without Content-Length or Transfer-Encoding has no body (RFC 9112 section
# 6.3); HTTP/2 and later may send one unannounced.
_HTTP_1 = frozenset({"1.0", "1.1"})


class _TooLarge(BaseException):
    """Raised from `receive` when the body passes the limit.

    A BaseException so that it reaches this middleware: FastAPI turns any Exception raised
    while it parses a form into a 400.
    """


class BodyLimitMiddleware:
    """Answers 413 problem+json to a request whose body exceeds its route's limit:
    `upload_bytes` for UPLOADS, `max_bytes` for every other route."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if _is_upload(scope) else self.max_bytes
        length, encoded, _ = _body_headers(scope)
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(scope, receive, send, limit)
            return
        if _bodiless(scope, length, encoded):
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except _TooLarge:
            if started:
                raise
            await _too_large(scope, receive, send, limit)


class _Refused(BaseException):
    """Raised from a wrapped `receive`: the request is answered with `response` instead."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


async def _refusable(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, checking_receive: Receive
) -> None:
    """Run `app` reading through `checking_receive`; a refusal it raises before the response
    has started is answered instead (after, it is a failure like any other)."""
    started = False

    async def noting_send(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, checking_receive, noting_send)
    except _Refused as refusal:
        if started:
            raise
        await refusal.response(scope, receive, send)


class KeyRequiredMiddleware:
    """Answers 401 problem+json to a write without `Authorization: Bearer <key>` when its
    operation needs a key, as the route asks for the body and before any of it is read.

    Waiting for the route's first `receive` lets the router pick the route; the key itself
    is checked by the route (that needs the database): here only its presence and shape.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._keyed: dict[int, tuple[APIRoute, bool]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = None
        if scope["type"] == "http" and scope["method"] in WRITE_METHODS:
            detail = _key_problem(_header(scope, b"authorization"))
        if detail is None:
            await self.app(scope, receive, send)
            return
        checked = False

        async def checking_receive() -> Message:
            nonlocal checked
            if not checked:
                checked = True
                if self._needs_key(scope.get("route")):
                    raise _Refused(
                        problem_response(
                            Unauthenticated.status,
                            type_=TYPE_PREFIX + Unauthenticated.type_slug,
                            title=Unauthenticated.title,
                            detail=detail,
                            instance=scope["path"],
                            language=scope_language(scope),
                        )
                    )
            return await receive()

        await _refusable(self.app, scope, receive, send, checking_receive)

    def _needs_key(self, route: object) -> bool:
        if not isinstance(route, APIRoute):
            return False
        # By id: routes compare by value, and are not hashable.
        known = self._keyed.get(id(route))
        if known is None or known[0] is not route:
            # Derived as the OpenAPI document's security requirement is: the two agree.
            known = self._keyed[id(route)] = (
                route,
                security_requirement(route.dependant) == REQUIRED,
            )
        return known[1]


def _key_problem(authorization: str | None) -> str | None:
    """What is wrong with the `Authorization` header, in the route's own words; None if it
    is shaped like a key."""
    if authorization is None:
        return "This operation needs an API key."
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return "Send the API key as `Authorization: Bearer <key>`."
    return None


class JsonDepthMiddleware:
    """Answers 400 problem+json to a JSON body nested deeper than MAX_JSON_DEPTH.

    When the route asks for the body, it is read whole (the body limit bounds it), as the
    route would read it, and checked before the route parses it; uploads, which are not JSON
    and may be large, pass untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_upload(scope):
            await self.app(scope, receive, send)
            return
        length, encoded, content_type = _body_headers(scope)
        if _bodiless(scope, length, encoded) or not _may_be_json(
            None if content_type is None else content_type.decode("latin-1")
        ):
            await self.app(scope, receive, send)
            return
        checked = False

        async def checking_receive() -> Message:
            nonlocal checked
            if checked:
                return await receive()
            checked = True
            chunks: list[bytes] = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return message  # The client left.
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            if _too_deep(body):
                raise _Refused(
                    problem_response(
                        400,
                        type_=INVALID_JSON,
                        title=INVALID_JSON_TITLE,
                        detail=f"The body nests arrays and objects deeper than {MAX_JSON_DEPTH} "
                        "levels.",
                        instance=scope["path"],
                        language=scope_language(scope),
                        max_depth=MAX_JSON_DEPTH,
                    )
                )
            return {"type": "http.request", "body": body, "more_body": False}

        await _refusable(self.app, scope, receive, send, checking_receive)


def _is_upload(scope: Scope) -> bool:
    return (scope["method"], scope["path"]) in UPLOADS


def _header(scope: Scope, name: bytes) -> str | None:
    """The request's first header `name` (lower case), as a header mapping would give it."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def _body_headers(scope: Scope) -> tuple[bytes | None, bool, bytes | None]:
    """The request's Content-Length as sent, whether it has a Transfer-Encoding, and its
    Content-Type as sent; in one pass over its headers."""
    length = content_type = None
    encoded = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            if length is None:
                length = value
        elif name == b"transfer-encoding":
            encoded = True
        elif name == b"content-type" and content_type is None:
            content_type = value
    return length, encoded, content_type


def _bodiless(scope: Scope, length: bytes | None, encoded: bool) -> bool:
    """Whether the request says it sends no body: HTTP/1 with neither a Transfer-Encoding nor
    a Content-Length above 0."""
    return (
        not encoded
        and (length is None or (length.isdigit() and int(length) == 0))
        and scope.get("http_version") in _HTTP_1
    )


def _may_be_json(content_type: str | None) -> bool:
    """Whether FastAPI may read a body of `content_type` as JSON (none, `*/json`, `*/*+json`)."""
    if content_type is None:
        return True
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _too_deep(body: bytes) -> bool:
    """Whether `body`, decoded as the route decodes it, nests deeper than MAX_JSON_DEPTH."""
    try:
        value = json.loads(body)
    except RecursionError:
        # The decoder gives up near the interpreter's recursion limit, far past MAX_JSON_DEPTH,
        # with memory still small.
        return True
    except ValueError:
        return False  # The route refuses it, with line and column.
    return _depth(value) > MAX_JSON_DEPTH


def _depth(value: Any) -> int:
    """How deep `value`'s lists and dicts nest, counted without recursion."""
    if not isinstance(value, dict | list):
        return 0
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem_response(
        413,
        detail=f"The request body is larger than {limit:,} bytes.",
        instance=scope["path"],
        language=scope_language(scope),
    )
    await response(scope, receive, send)
