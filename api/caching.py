"""HTTP caching of reads: an ETag on every successful GET, 304 for a client that has it.

Dashboards poll the same pages again and again; with `If-None-Match` an unchanged page costs
them a few bytes. A route that sets its own ETag keeps it, and the body is not hashed (such
a route must not answer in several languages); otherwise the ETag is a hash of the body and of
its Content-Language, so it changes exactly when the data or the language does. Streamed
responses (exports) pass through untouched: they are never held in memory.

Headers are read and written as the raw lists ASGI carries: every read pays for this
middleware, and building header mappings cost more than the rest of its work but the hash.
"""

import hashlib
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Public reads may be cached briefly by browsers and proxies, then revalidated with the ETag.
PUBLIC_READS = "public, max-age=30, must-revalidate"
# A keyed caller may see more than the public: never in a shared cache, always revalidated.
KEYED_READS = "private, no-cache"
# Probes must always reach the process.
NO_STORE = "no-store"
NO_STORE_PATHS = frozenset({"/health", "/ready"})

# Headers a 304 keeps (RFC 9110 section 15.4.5); the body's own headers go.
_KEPT_ON_304 = frozenset(
    {b"cache-control", b"etag", b"vary", b"expires", b"date", b"content-location"}
)
_READS = frozenset({"GET", "HEAD"})
_PUBLIC_READS = PUBLIC_READS.encode()
_KEYED_READS = KEYED_READS.encode()
_NO_STORE = NO_STORE.encode()
# The answer depends on the key: a cache must keep one copy per Authorization.
_VARY_ON = b"Authorization"


def etag_of(body: bytes, language: bytes = b"") -> str:
    """A strong validator for `body`, sent with Content-Language `language` (if any)."""
    # SHA-256 rather than BLAKE2b: where the CPU has SHA instructions, OpenSSL's SHA-256
    # hashes a 30 KB page in about half BLAKE2b's time (without them, BLAKE2b is the faster).
    digest = hashlib.sha256(body)
    if language:
        # One body in two languages' answers is two representations (RFC 9110 section 8.8.1):
        # a cache holding the English one must not be told by a 304 that it has the French.
        digest.update(b"\0" + language)
    return '"' + digest.hexdigest()[:32] + '"'


def _content_language(headers: list[tuple[bytes, bytes]]) -> bytes:
    for name, value in headers:
        if name == b"content-language":
            return value
    return b""


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    # Weak comparison (RFC 9110 section 13.1.2): W/"x" matches "x".
    if if_none_match.strip() == b"*":
        return True
    return any(
        candidate.strip().removeprefix(b"W/") == etag for candidate in if_none_match.split(b",")
    )


def _with_cache_headers(
    raw: Iterable[tuple[bytes, bytes]], status: int, *, keyed: bool, no_store: bool
) -> tuple[list[tuple[bytes, bytes]], bytes | None]:
    """`raw` with Vary and Cache-Control set; and the ETag the route set, if any."""
    headers: list[tuple[bytes, bytes]] = []
    varies: list[bytes] = []
    etag: bytes | None = None
    has_cache_control = False
    for item in raw:
        name = item[0]
        if name == b"vary":
            varies.append(item[1])
            continue
        if name == b"cache-control":
            if no_store:
                continue
            has_cache_control = True
        elif name == b"etag":
            if etag is not None or not item[1]:
                continue
            etag = item[1]
        headers.append(item)
    varies.append(_VARY_ON)
    headers.append((b"vary", b", ".join(varies)))
    if no_store:
        headers.append((b"cache-control", _NO_STORE))
    elif status == 200 and not has_cache_control:
        headers.append((b"cache-control", _KEYED_READS if keyed else _PUBLIC_READS))
    return headers, etag


class CachingMiddleware:
    """Adds ETag and Cache-Control to GET responses and answers If-None-Match with 304."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _READS:
            await self.app(scope, receive, send)
            return
        if_none_match: bytes | None = None
        keyed = False
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value
            elif name == b"authorization":
                keyed = True
        no_store = scope["path"] in NO_STORE_PATHS
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
            status = held["status"]
            headers, etag = _with_cache_headers(
                held.get("headers", []), status, keyed=keyed, no_store=no_store
            )
            held["headers"] = headers
            if status != 200 or message.get("more_body", False):
                await send(held)
                await send(message)
                return
            if etag is None:
                body = message.get("body", b"")
                etag = etag_of(body, _content_language(headers)).encode()
                headers.append((b"etag", etag))
            if if_none_match is not None and _matches(if_none_match, etag):
                kept = [item for item in headers if item[0] in _KEPT_ON_304]
                await send({**held, "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send(held)
            await send(message)

        await self.app(scope, receive, send_with_validator)
