"""Query-parameter models read straight from the query string, for the hottest reads.

FastAPI reads a query model by asking for each of its fields in turn, whether sent or not: for
the twenty-odd list filters that is most of a list page's Python. `parse_query` validates
only what was sent, with the same model and the same 422 errors. `documented_parameters`
gives the route the OpenAPI parameters FastAPI would have written for the model.
"""

from functools import cache
from typing import Annotated, Any, TypeVar, get_args, get_origin

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

# The component schemas the documented parameters refer to (enums such as the list's orders),
# added to the OpenAPI document by api/openapi.py.
DOCUMENTED_SCHEMAS: dict[str, Any] = {}


@cache
def _repeatable(model: type[BaseModel]) -> frozenset[str]:
    """The fields that take every value of a repeated parameter (lists), by name."""
    names = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if get_origin(annotation) is list or any(
            get_origin(argument) is list for argument in get_args(annotation)
        ):
            names.add(name)
    return frozenset(names)


def parse_query(model: type[Model], request: Request) -> Model:
    """`model` from the request's query string; 422 naming each wrong parameter, as FastAPI."""
    repeatable = _repeatable(model)
    sent: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        sent.setdefault(name, []).append(value)
    values: dict[str, Any] = {}
    for name, given in sent.items():
        if name in repeatable:
            values[name] = given
        elif name in model.model_fields:
            # The last of a repeated single parameter, as Starlette's QueryParams answers.
            values[name] = given[-1]
        else:
            values[name] = given[0] if len(given) == 1 else given
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


def documented_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI `parameters` FastAPI writes for `model` as a query model, for
    `openapi_extra`; the schemas they refer to are those of the routes that take it."""
    documented = FastAPI()

    @documented.get("/")
    async def read(params: Annotated[model, Query()]) -> None:  # type: ignore[valid-type]
        """Never served: the model's parameters, documented."""

    spec = documented.openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    DOCUMENTED_SCHEMAS.update(
        {name: schema for name, schema in schemas.items() if "Validation" not in name}
    )
    return {"parameters": spec["paths"]["/"]["get"]["parameters"]}
