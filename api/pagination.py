"""Opaque keyset cursors: the sort values of the last item seen, base64url-encoded JSON."""

import base64
import binascii
import json
from typing import Any

from suivi.errors import InvalidCursor


def encode_cursor(values: list[Any]) -> str:
    """A cursor that resumes after the item whose sort key is `values`."""
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, *, types: tuple[type, ...]) -> list[Any]:
    """The sort key inside `cursor`, one value per type in `types`.

    InvalidCursor for anything this API did not hand out.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("The cursor is not one this API handed out.") from exc
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or any(
            isinstance(value, bool) or not isinstance(value, kind)
            for value, kind in zip(values, types, strict=True)
        )
    ):
        raise InvalidCursor("The cursor is not one this API handed out.")
    return values
