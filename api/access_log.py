"""Request logging without client addresses: who asked is not recorded, only what and how long.

Each request gets an id, bound to every log line written while it is served and returned in
`X-Request-ID`: the caller's own id when it looks safe, a new one otherwise.
"""

import re
import time
import uuid
from collections.abc import Sequence

import structlog
from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from suivi.services.keys import KEY_PREFIX

logger = structlog.get_logger("suivi.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id(sent: str | None) -> str:
    """The caller's request id when it is safe to log and echo, else a new one."""
    if (
        sent is not None
        and _SAFE_REQUEST_ID.fullmatch(sent)
        # An API key fits the allowed characters: one pasted in the wrong header must not be
        # written to the log.
        and not sent.startswith(f"{KEY_PREFIX}_")
    ):
        return sent
    return str(uuid.uuid4())


class RouteTemplates:
    """Names each request by the template of its route; never by the raw path."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = routes
        self._patterns: list[tuple[re.Pattern[str], str]] | None = None

    def of(self, scope: Scope) -> str | None:
        """The template of the route that served the request, or that would have served it.

        A request refused by middleware before routing (413, 429) is matched here, so it is
        still named by its operation; one that matches no route has no name.
        """
        path = getattr(scope.get("route"), "path", None)
        if isinstance(path, str):
            return path
        if self._patterns is None:
            # Built at the first such request: routes are all included by then.
            self._patterns = [
                (compile_path(context.path_format)[0], context.path_format)
                for context in iter_route_contexts(self.routes)
                if context.path_format
            ]
        return next(
            (template for pattern, template in self._patterns if pattern.match(scope["path"])),
            None,
        )


class AccessLogMiddleware:
    """Log method, route, status and duration of each request; never the IP or query string.

    A plain ASGI middleware: it neither buffers nor re-streams the response.
    """

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.routes = RouteTemplates(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        # Cleared at the start, not the end: the catch-all error handler, which runs outside
        # this middleware, still logs under the request's id.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=current)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = current
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info(
                "request",
                method=scope["method"],
                route=self.routes.of(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
