"""JSON responses serialised by orjson, for hot read paths that skip response validation."""

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import Response


def json_response(content: Any, *, headers: Mapping[str, str] | None = None) -> Response:
    """`content` (dicts, lists, dataclasses, enums, dates) as an application/json response.

    Instants are written with a `Z`, as the pydantic-serialised responses write them.
    """
    return Response(
        content=orjson.dumps(content, option=orjson.OPT_UTC_Z),
        media_type="application/json",
        headers=headers,
    )
