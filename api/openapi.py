"""The OpenAPI document, completed with what middleware answers and kept to OpenAPI 3.1.

Rate limits (429) and the body limit (413) are answered by middleware before any route runs,
so no route declares them; they are added here to every write. Server-Sent Events are
described the 3.1 way (`schema`), since 3.1 tools reject 3.2's `itemSchema`. The API key is
read by plain dependencies (`get_caller`, `require_role`), not by FastAPI's security classes,
so each operation's security requirement is derived here from the dependencies it runs.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute

from api.deps import get_caller, require_role
from api.query import DOCUMENTED_SCHEMAS
from api.schemas.problems import PROBLEM_MEDIA_TYPE, problem_responses

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
EVENT_STREAM = "text/event-stream"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

BEARER = "bearerAuth"
BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "An API key (`suivi keys create`, or `POST /v1/keys` by an administrator), sent as "
        "`Authorization: Bearer sk_<prefix>_<secret>`. Operations that require it answer 401 "
        "without one. Public reads accept one too: a revoked, expired or unknown key is a 401 "
        "everywhere, and some reads then show what the caller may see."
    ),
}
Security = list[dict[str, list[str]]]
REQUIRED: Security = [{BEARER: []}]
# The empty requirement first: the operation answers without a key too.
OPTIONAL: Security = [{}, {BEARER: []}]
# require_role builds a new closure per call, but every one of them runs this same code.
_ROLE_CHECK = require_role().__code__


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


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def security_requirement(dependant: Dependant) -> Security | None:
    """What a route's dependencies say of keys: required, optional (None when it reads none)."""
    calls = list(_calls(dependant))
    if any(getattr(call, "__code__", None) is _ROLE_CHECK for call in calls):
        return REQUIRED
    if get_caller in calls:
        return OPTIONAL
    return None


def _security_requirements(routes: Sequence[BaseRoute]) -> dict[tuple[str, str], Security]:
    """Each keyed operation's security requirement by (path, method), from its dependencies."""
    requirements: dict[tuple[str, str], Security] = {}
    for context in routing.iter_route_contexts(routes):
        if not isinstance(context.original_route, routing.APIRoute):
            continue
        requirement = security_requirement(context.dependant)
        if requirement is None:
            continue
        for method in context.methods or ():
            requirements[(context.path_format or "", method.lower())] = requirement
    return requirements


def _secure(spec: dict[str, Any], requirements: dict[tuple[str, str], Security]) -> None:
    spec.setdefault("components", {}).setdefault("securitySchemes", {})[BEARER] = BEARER_SCHEME
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            requirement = requirements.get((path, method))
            if requirement is not None:
                operation["security"] = [dict(alternative) for alternative in requirement]


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = _complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
            _secure(spec, _security_requirements(app.routes))
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in DOCUMENTED_SCHEMAS.items():
                schemas.setdefault(name, schema)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
