"""RFC 9457 problem details, as documented in the OpenAPI spec."""

from typing import Any

from pydantic import Field

from api.schemas.base import Schema

PROBLEM_MEDIA_TYPE = "application/problem+json"


class InvalidParam(Schema):
    """One rejected input: where it was and why."""

    name: str
    location: str
    reason: str


class Problem(Schema):
    """An error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[InvalidParam] | None = None
    line: int | None = Field(None, description="A body that is not valid JSON: where, 1-based.")
    column: int | None = Field(None, description="With `line`: the character in that line.")
    byte_offset: int | None = Field(
        None, description="A body that is not UTF-8: the first undecodable byte, from 0."
    )


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "No usable API key: missing, malformed, unknown, expired or revoked",
    403: "The API key's role may not do this",
    404: "No such object",
    409: "Conflicts with the current state",
    412: "`If-Match` names a version that is no longer current",
    413: "The request body is larger than the server accepts",
    422: "Invalid parameters; `errors` names each one",
    428: "This change needs `If-Match` with the current `ETag`",
    429: "Too many writes; `Retry-After` says when to try again",
    500: "Unexpected server error",
    503: "The database cannot be reached",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting each status as problem+json."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for status in statuses
    }
