"""Request logging without client addresses: who asked is not recorded, only what and how long."""

import time
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI, Request, Response

logger = structlog.get_logger("suivi.access")


def install_access_log(app: FastAPI) -> None:
    """Log method, route, status and duration of each request; never the IP or query string."""

    @app.middleware("http")
    async def log_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        logger.info(
            "request",
            method=request.method,
            route=getattr(route, "path", None),
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response
