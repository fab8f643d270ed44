"""The OpenAPI document, completed with what middleware answers and kept to OpenAPI 3.1.

Rate limits (429) and the body limit (413) are answered by middleware before any route runs,
so no route declares them; they are added here to every write. Server-Sent Events are
described the 3.1 way (`schema`), since 3.1 tools reject 3.2's `itemSchema`.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.schemas.problems import PROBLEM_MEDIA_TYPE, problem_responses

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
EVENT_STREAM = "text/event-stream"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _complete(spec: dict[str, Any]) -> dict[str, Any]:
    for item in spec["paths"].values():
        for method, operation in item.items():
            responses: dict[str, Any] = operation.get("responses", {})
            if method in WRITE_METHODS:
                answered = [413, 429]
                body = operation.get("requestBody", {}).get("content", {})
                if "application/json" in body:
                    answered.insert(0, 400)  # a body that is not valid JSON, with line and column
                for status, response in problem_responses(*answered).items():
                    responses.setdefault(
                        str(status),
                        {
                            "description": response["description"],
                            "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}},
                        },
                    )
            for status, response in responses.items():
                content = response.get("content", {})
                if EVENT_STREAM not in content:
                    continue
                if status.startswith("2"):
                    content[EVENT_STREAM] = {
                        "schema": {"type": "string", "description": "Server-Sent Events."}
                    }
                else:
                    del content[EVENT_STREAM]
    return spec


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
