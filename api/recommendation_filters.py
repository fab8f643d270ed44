"""The recommendation filters of `GET /v1/recommendations`, shared by every view of the same set.

Lists, statistics and exports take exactly the same filter parameters, so a count, an export and a
paged list of one filter always describe the same recommendations.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.params import Label, SearchText, StateCode
from models.enums import ImplementationStatus, MechanismCode, Position, SourceFormat
from suivi.services.recommendations import HrdFilter, RecommendationFilters


class RecommendationFilterQuery(BaseModel):
    """The filter parameters; repeat a parameter for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="State under review (ISO 3166-1 alpha-3).")
    mechanism: list[MechanismCode] = Field([], description="UN mechanism.")
    body: list[Label] = Field([], description="Body code, e.g. `CCPR`, `UPR`, `SR-HRD`.")
    cycle: list[Annotated[int, Field(ge=1, le=99)]] = Field([], description="UPR cycle.")
    session: list[Annotated[int, Field(ge=1, le=32767)]] = Field(
        [], description="UPR session or treaty-body session number."
    )
    document: list[Label] = Field([], description="Document symbol, e.g. `A/HRC/52/10`.")
    recommending_state: list[StateCode] = Field(
        [], description="Recommending State (UPR), ISO 3166-1 alpha-3."
    )
    position: list[Position] = Field([], description="The State's current position.")
    action_category: list[Annotated[int, Field(ge=1, le=5)]] = Field(
        [], description="UPR Info action category, 1 (minimal action) to 5 (specific action)."
    )
    theme: list[Label] = Field([], description="Theme, as `GET /v1/themes` lists them.")
    affected: list[Label] = Field(
        [], description="Affected persons, as `GET /v1/affected-persons` lists them."
    )
    sdg: list[Annotated[str, StringConstraints(pattern=r"^\d{1,2}(\.[0-9a-z]{1,2})?$")]] = Field(
        [], description="SDG target or goal as `GET /v1/sdgs` lists them, e.g. `16.10`."
    )
    hrd: HrdFilter | None = Field(
        None, description="Relevance to human rights defenders; `any` is direct or related."
    )
    status: list[ImplementationStatus] = Field([], description="Derived implementation status.")
    source_format: list[SourceFormat] = Field(
        [], description="Where the record came from; `sample` is the illustrative sample."
    )
    year_from: int | None = Field(None, ge=1945, le=2100, description="Issued in or after.")
    year_to: int | None = Field(None, ge=1945, le=2100, description="Issued in or before.")
    updated_since: datetime | None = Field(
        None, description="Changed at or after this instant (ISO 8601; UTC when no offset)."
    )
    q: SearchText | None = Field(
        None,
        description="Full-text search (websearch syntax: quotes, OR, -term) in English, "
        "French, Spanish or Arabic.",
    )


def invalid_parameter(name: str, reason: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": reason, "type": "value_error"}])


def to_filters(params: RecommendationFilterQuery) -> RecommendationFilters:
    """The service's filters; 422 naming the parameter when they contradict each other."""
    if params.year_from and params.year_to and params.year_from > params.year_to:
        raise invalid_parameter("year_to", "must not be before year_from")
    updated_since = params.updated_since
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    query = params.q.strip() if params.q else None
    return RecommendationFilters(
        states=params.state,
        mechanisms=params.mechanism,
        bodies=params.body,
        cycles=params.cycle,
        sessions=params.session,
        documents=params.document,
        recommending_states=params.recommending_state,
        positions=params.position,
        action_categories=params.action_category,
        themes=params.theme,
        affected_persons=params.affected,
        sdgs=params.sdg,
        hrd=params.hrd,
        statuses=params.status,
        source_formats=params.source_format,
        year_from=params.year_from,
        year_to=params.year_to,
        updated_since=updated_since,
        query=query or None,
    )
