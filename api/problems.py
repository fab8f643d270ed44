"""Every error leaves the API as RFC 9457 `application/problem+json`."""

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from api import problem_texts
from api.languages import language_headers, request_language
from api.retry import ask_for_retry
from api.schemas.problems import PROBLEM_MEDIA_TYPE
from suivi.errors import DatabaseUnavailable, InvalidField, SuiviError
from suivi.labels import DEFAULT_LANGUAGE

logger = structlog.get_logger(__name__)

TYPE_PREFIX = "urn:suivi:problem:"
INVALID_JSON = TYPE_PREFIX + "invalid-json"
INVALID_JSON_TITLE = "The request body is not valid JSON"


def problem_response(
    status: int,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    detail: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    language: str = DEFAULT_LANGUAGE,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; `about:blank` types take the HTTP status phrase as title.

    Title and detail are written in English and sent in `language` where they have a
    translation (api/problem_texts.py); the type and the extensions never change with it.
    """
    body: dict[str, Any] = {
        "type": type_,
        "title": problem_texts.title(title or HTTPStatus(status).phrase, language),
        "status": status,
    }
    if detail is not None:
        body["detail"] = problem_texts.detail(detail, language)
    if instance is not None:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**(headers or {}), **language_headers(language)},
    )


async def _suivi_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SuiviError)
    return problem_response(
        exc.status,
        type_=TYPE_PREFIX + exc.type_slug,
        title=exc.title,
        detail=exc.detail,
        instance=request.url.path,
        language=request_language(request),
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


def _json_decode_failure(exc: RequestValidationError) -> tuple[int, str] | None:
    """The character offset and reason, when `exc` reports a body that did not parse as JSON."""
    errors = exc.errors()
    if len(errors) != 1:
        return None
    [error] = errors
    location = tuple(error.get("loc", ()))
    # A pydantic `Json` field fails with the same type, but is located by its field name.
    if (
        error.get("type") != "json_invalid"
        or len(location) != 2
        or location[0] != "body"
        or not isinstance(location[1], int)
    ):
        return None
    context = error.get("ctx") or {}
    return location[1], str(context.get("error") or "JSON decode error")


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of `offset` in `text`, clamped to its end."""
    offset = min(max(offset, 0), len(text))
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


async def _invalid_json(
    request: Request, exc: RequestValidationError, offset: int, reason: str
) -> JSONResponse:
    # FastAPI's offset counts characters of the text the decoder saw (a UTF-8 BOM already
    # stripped, UTF-16 already decoded), which it keeps as `exc.body`.
    text = exc.body if isinstance(exc.body, str) else None
    if text is None:
        text = (await request.body()).decode("utf-8", errors="replace")
    line, column = _line_and_column(text, offset)
    return problem_response(
        400,
        type_=INVALID_JSON,
        title=INVALID_JSON_TITLE,
        detail=f"The body is not valid JSON at line {line}, column {column}: {reason}.",
        instance=request.url.path,
        language=request_language(request),
        line=line,
        column=column,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if (failure := _json_decode_failure(exc)) is not None:
        return await _invalid_json(request, exc, *failure)
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
        language=request_language(request),
        errors=errors,
    )


async def _undecodable_body(request: Request) -> JSONResponse | None:
    """The problem for a body that is not UTF-8, or None when it is."""
    try:
        (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        # Counted in the bytes sent; the decoder's own offset skips a leading BOM.
        return problem_response(
            400,
            type_=INVALID_JSON,
            title=INVALID_JSON_TITLE,
            detail=(
                f"The body is not UTF-8: the byte at offset {error.start} "
                "(counting from 0) cannot be decoded."
            ),
            instance=request.url.path,
            language=request_language(request),
            byte_offset=error.start,
        )
    return None


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    # FastAPI turns a body its JSON decoder cannot decode into a bare 400.
    if (
        exc.status_code == 400
        and isinstance(exc.__cause__, UnicodeDecodeError)
        and (problem := await _undecodable_body(request)) is not None
    ):
        return problem
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    return problem_response(
        exc.status_code,
        detail=detail,
        instance=request.url.path,
        language=request_language(request),
        headers=dict(exc.headers) if exc.headers else None,
    )


# PostgreSQL's query_canceled: here, the statement ran past `statement_timeout`.
QUERY_CANCELED = "57014"
# A restart or failover takes seconds; sooner retries only add to the load of one coming back.
UNAVAILABLE_RETRY_SECONDS = 5
# A lost connection has been replaced already: the retry may come at once.
LOST_CONNECTION_RETRY_SECONDS = 1


def _root_cause(exc: BaseException) -> str:
    """The innermost cause's class and SQLSTATE: what the log says about an outage."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    sqlstate = getattr(exc, "sqlstate", None)
    return f"{type(exc).__name__} {sqlstate}" if sqlstate else type(exc).__name__


def _unavailable(
    request: Request, exc: Exception, event: str, *, detail: str, retry_after: int, **log: Any
) -> JSONResponse:
    # One line without a traceback: an outage is no bug, and it fails every request it lasts.
    logger.warning(
        event, path=request.url.path, method=request.method, cause=_root_cause(exc), **log
    )
    return problem_response(
        503,
        type_=TYPE_PREFIX + DatabaseUnavailable.type_slug,
        title=DatabaseUnavailable.title,
        detail=detail,
        instance=request.url.path,
        language=request_language(request),
        headers={"Retry-After": str(retry_after)},
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DatabaseUnavailable)
    retry_after = (exc.headers or {}).get("Retry-After", str(UNAVAILABLE_RETRY_SECONDS))
    return _unavailable(
        request, exc, "database_unavailable", detail=exc.detail, retry_after=int(retry_after)
    )


async def _pool_exhausted(request: Request, exc: Exception) -> JSONResponse:
    return _unavailable(
        request,
        exc,
        "database_pool_exhausted",
        detail="Every database connection is busy; retry later.",
        retry_after=UNAVAILABLE_RETRY_SECONDS,
    )


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
            language=request_language(request),
            headers={"Retry-After": "5"},
        )
    if not exc.connection_invalidated:
        return await _unexpected_error(request, exc)
    # A read runs again on a fresh connection (api/retry.py); this answer is then dropped.
    return _unavailable(
        request,
        exc,
        "database_connection_lost",
        detail="The connection to the database was lost; retry the request.",
        retry_after=LOST_CONNECTION_RETRY_SECONDS,
        retried=ask_for_retry(request.scope),
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log, never to the caller; the route's template, not the path,
    # which may hold a key's prefix.
    route = request.scope.get("route")
    template = getattr(route, "path", "unmatched")
    logger.exception("unhandled_error", route=template, method=request.method)
    response = problem_response(500, instance=request.url.path, language=request_language(request))
    # Sent from outside the access log's middleware: the id the log line carries, added here.
    current = structlog.contextvars.get_contextvars().get("request_id")
    if isinstance(current, str):
        response.headers["X-Request-ID"] = current
    return response


def install_problem_handlers(app: FastAPI) -> None:
    """Route every kind of failure through problem+json."""
    app.add_exception_handler(InvalidField, _invalid_field)
    app.add_exception_handler(SuiviError, _suivi_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _lost_connection)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _pool_exhausted)
    app.add_exception_handler(Exception, _unexpected_error)
