"""The recommendation filters as query parameters, built from their one declaration.

Lists, statistics and exports take exactly the same filter parameters, so a count, an export and a
paged list of one filter always describe the same recommendations.
"""

from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, create_model

from suivi.errors import InvalidFilter
from suivi.services.recommendation_filters import FILTERS, RecommendationFilters


class FilterQueryBase(BaseModel):
    """The filter parameters; repeat a parameter for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    def to_filters(self) -> RecommendationFilters:
        """The service's filters; 422 naming the parameter when they contradict each other."""
        try:
            return RecommendationFilters(**{f.name: getattr(self, f.name) for f in FILTERS})
        except InvalidFilter as exc:
            raise invalid_parameter(exc.parameter, exc.reason) from exc


def _field(annotation: Any, *, many: bool, description: str) -> tuple[Any, Any]:
    if many:
        return list[annotation], Field([], description=description)
    return annotation | None, Field(None, description=description)


if TYPE_CHECKING:
    # The fields are made from the declaration below; to the type checker, a model.
    RecommendationFilterQuery = FilterQueryBase
else:
    RecommendationFilterQuery = create_model(
        "RecommendationFilterQuery",
        __base__=FilterQueryBase,
        __doc__=FilterQueryBase.__doc__,
        **{f.name: _field(f.value_type, many=f.many, description=f.description) for f in FILTERS},
    )


def invalid_parameter(name: str, reason: str) -> RequestValidationError:
    """A 422 naming query parameter `name`, as FastAPI's own."""
    return RequestValidationError([{"loc": ("query", name), "msg": reason, "type": "value_error"}])
