"""Every error leaves the API as RFC 9457 `application/problem+json`."""

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from api.schemas.problems import PROBLEM_MEDIA_TYPE
from suivi.errors import DatabaseUnavailable, InvalidField, SuiviError

logger = structlog.get_logger(__name__)

TYPE_PREFIX = "urn:suivi:problem:"


def problem_response(
    status: int,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    detail: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; `about:blank` types take the HTTP status phrase as title."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _suivi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SuiviError)
    return problem_response(
        exc.status,
        type_=TYPE_PREFIX + exc.type_slug,
        title=exc.title,
        detail=exc.detail,
        instance=request.url.path,
        headers=exc.headers,
    )


def _parameter_name(location: tuple[int | str, ...]) -> tuple[str, str]:
    where = str(location[0]) if location else "request"
    if where in {"query", "path", "header", "cookie"} and len(location) > 1:
        # A repeated query parameter reports the parameter, not the index of the bad value.
        return where, str(location[1])
    return where, ".".join(str(part) for part in location[1:]) or where


async def _invalid_field(request: Request, exc: Exception) -> JSONResponse:
    # A field the service refuses is reported like one the schema refuses: by its name.
    assert isinstance(exc, InvalidField)
    error = {"loc": ("body", exc.field), "msg": exc.reason, "type": "value_error"}
    return await _validation_error(request, RequestValidationError([error]))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        where, name = _parameter_name(tuple(error.get("loc", ())))
        errors.append({"name": name, "location": where, "reason": error.get("msg", "invalid")})
    names = ", ".join(sorted({e["name"] for e in errors}))
    return problem_response(
        422,
        type_=TYPE_PREFIX + "invalid-parameters",
        title="Invalid parameters",
        detail=f"Invalid value for: {names}",
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    return problem_response(
        exc.status_code,
        detail=detail,
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


# PostgreSQL's query_canceled: here, the statement ran past `statement_timeout`.
QUERY_CANCELED = "57014"


async def _lost_connection(request: Request, exc: Exception) -> JSONResponse:
    # The pool has already discarded the connection: the next request gets a fresh one.
    assert isinstance(exc, DBAPIError)
    if getattr(exc.orig, "sqlstate", None) == QUERY_CANCELED:
        logger.warning("statement_timeout", path=request.url.path, method=request.method)
        return problem_response(
            503,
            type_=TYPE_PREFIX + "query-timeout",
            title="Query took too long",
            detail="The database gave up on this request; narrow it or retry later.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )
    if not exc.connection_invalidated:
        return await _unexpected_error(request, exc)
    logger.warning("database_connection_lost", path=request.url.path, method=request.method)
    return problem_response(
        503,
        type_=TYPE_PREFIX + DatabaseUnavailable.type_slug,
        title=DatabaseUnavailable.title,
        detail="The connection to the database was lost; retry the request.",
        instance=request.url.path,
        headers={"Retry-After": "1"},
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log, never to the caller.
    logger.exception("unhandled_error", path=request.url.path, method=request.method)
    return problem_response(500, instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    """Route every kind of failure through problem+json."""
    app.add_exception_handler(InvalidField, _invalid_field)
    app.add_exception_handler(SuiviError, _suivi_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _lost_connection)
    app.add_exception_handler(Exception, _unexpected_error)
