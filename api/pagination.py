"""Opaque keyset cursors: the sort values of the last item seen, base64url-encoded JSON."""

import base64
import binascii
import json
import math
from typing import Any

from starlette.requests import Request

from suivi.errors import InvalidCursor

# Cursors hold ids, feed positions and sort keys: PostgreSQL bigints, never negative.
MAX_CURSOR_INT = 2**63 - 1
# Longer than any cursor handed out (a document symbol is at most 200 characters).
MAX_CURSOR_CHARS = 1_000


def encode_cursor(values: list[Any]) -> str:
    """A cursor that resumes after the item whose sort key is `values`."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, *, types: tuple[type, ...], name: str = "cursor") -> list[Any]:
    """The sort key inside `cursor`, one value per type in `types`.

    InvalidCursor, naming the parameter `name`, for anything this API did not hand out.
    """
    refused = f"`{name}` is not a cursor this API handed out."
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor(refused)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    # RecursionError: nested lists, which no cursor holds.
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidCursor(refused) from exc
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or any(
            isinstance(value, bool) or not isinstance(value, kind)
            for value, kind in zip(values, types, strict=True)
        )
    ):
        raise InvalidCursor(refused)
    for value in values:
        if not _in_range(value):
            raise InvalidCursor(f"{refused} It holds a value out of range: {_shown(value)}.")
    return values


def _in_range(value: Any) -> bool:
    """Whether the database can compare `value` with what the API hands out."""
    if isinstance(value, int):
        return 0 <= value <= MAX_CURSOR_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        # PostgreSQL text holds no NUL, and a lone surrogate has no UTF-8 form.
        return "\x00" not in value and _encodable(value)
    return True


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def next_link(request: Request, cursor: str) -> str:
    """The `Link` header to the page after this one: the same query with `cursor` last.

    The other parameters are kept as the client wrote them; re-encoding them all (Starlette's
    `include_query_params`) cost a list page about a tenth of its time.
    """
    raw = request.scope["query_string"].decode("latin-1")
    kept = [part for part in raw.split("&") if part and not part.startswith("cursor=")]
    query = "&".join([*kept, "cursor=" + cursor])
    return f'<{request.url.replace(query=query)}>; rel="next"'
