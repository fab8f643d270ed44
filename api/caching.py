"""HTTP caching of reads: an ETag on every successful GET, 304 for a client that has it.

Dashboards poll the same pages again and again; with `If-None-Match` an unchanged page costs
them a few bytes. The ETag is a hash of the body, so it changes exactly when the data does.
Streamed responses (exports) pass through untouched: they are never held in memory.
"""

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Public reads may be cached briefly by browsers and proxies, then revalidated with the ETag.
PUBLIC_READS = "public, max-age=30, must-revalidate"
# A keyed caller may see more than the public: never in a shared cache, always revalidated.
KEYED_READS = "private, no-cache"
# Probes must always reach the process.
NO_STORE = "no-store"
NO_STORE_PATHS = frozenset({"/health", "/ready"})

# Headers a 304 keeps (RFC 9110 section 15.4.5); the body's own headers go.
_KEPT_ON_304 = frozenset({"cache-control", "etag", "vary", "expires", "date", "content-location"})


def etag_of(body: bytes) -> str:
    """A strong validator for `body`."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 section 13.1.2): W/"x" matches "x".
    if if_none_match.strip() == "*":
        return True
    return any(
        candidate.strip().removeprefix("W/") == etag for candidate in if_none_match.split(",")
    )


class CachingMiddleware:
    """Adds ETag and Cache-Control to GET responses and answers If-None-Match with 304."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        if_none_match = request_headers.get("if-none-match")
        keyed = "authorization" in request_headers
        path: str = scope["path"]
        start: Message | None = None

        async def send_with_validator(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            held, start = start, None
            headers = MutableHeaders(scope=held)
            # The answer depends on the key: a cache must keep one copy per Authorization.
            headers.add_vary_header("Authorization")
            if path in NO_STORE_PATHS:
                headers["cache-control"] = NO_STORE
            elif held["status"] == 200 and "cache-control" not in headers:
                headers["cache-control"] = KEYED_READS if keyed else PUBLIC_READS
            if held["status"] != 200 or message.get("more_body", False):
                await send(held)
                await send(message)
                return
            etag = headers.get("etag") or etag_of(message.get("body", b""))
            headers["etag"] = etag
            if if_none_match is not None and _matches(if_none_match, etag):
                for name in {key for key, _ in headers.items()} - _KEPT_ON_304:
                    del headers[name]
                await send({**held, "status": 304})
                await send({"type": "http.response.body", "body": b""})
                return
            await send(held)
            await send(message)

        await self.app(scope, receive, send_with_validator)
