"""Request logging without client addresses: who asked is not recorded, only what and how long.

Each request gets an id, bound to every log line written while it is served and returned in
`X-Request-ID`: the caller's own id when it looks safe, a new one otherwise.
"""

import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from suivi.services.keys import KEY_PREFIX

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
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


class _AccessLogger:
    """The access log's bound logger, assembled once per logging configuration.

    Logging is configured again by each application (a test builds many), so structlog does
    not cache its loggers, and a module-level one assembles a new bound logger at every call:
    a few microseconds of each request. This one is assembled again only when the
    configuration it was built from is replaced.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._built_from: tuple[object, ...] = ()
        self._logger: Any = None

    def get(self) -> Any:
        config = structlog.get_config()
        built_from = (
            config["processors"],
            config["wrapper_class"],
            config["context_class"],
            config["logger_factory"],
        )
        if self._logger is None or any(
            now is not then for now, then in zip(built_from, self._built_from, strict=True)
        ):
            self._logger = structlog.get_logger(self.name).bind()
            self._built_from = built_from
        return self._logger


class AccessLogMiddleware:
    """Log method, route, status and duration of each request; never the IP or query string.

    A plain ASGI middleware: it neither buffers nor re-streams the response.
    """

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.routes = RouteTemplates(routes)
        self.logger = _AccessLogger("suivi.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = None
        for name, value in scope["headers"]:
            if name == _REQUEST_ID_KEY:
                sent = value.decode("latin-1")
                break
        current = request_id(sent)
        # Cleared at the start, not the end: the catch-all error handler, which runs outside
        # this middleware, still logs under the request's id.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=current)
        started = time.perf_counter()
        status = 500
        logged = False
        header = (_REQUEST_ID_KEY, current.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status, logged
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                headers = [item for item in message.get("headers", ()) if item[0] != header[0]]
                headers.append(header)
                message["headers"] = headers
            elif kind == "http.response.body" and not logged and not message.get("more_body"):
                # Written before the end of the response goes out: a caller that has its answer
                # finds the line there, before that of its next request (another worker's).
                logged = True
                self._log(scope, status, started)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not logged:
                self._log(scope, status, started)

    def _log(self, scope: Scope, status: int, started: float) -> None:
        self.logger.get().info(
            "request",
            method=scope["method"],
            route=self.routes.of(scope),
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
