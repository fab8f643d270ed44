"""Aggregates: recommendations counted by facets, and one State's scorecard."""

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import ReadsDep, SessionDep
from api.json import json_response
from api.languages import LanguageDep, language_headers
from api.params import STATE_PATTERN
from api.recommendation_filters import RecommendationFilterQuery
from api.schemas.clusters import ClusterRead
from api.schemas.problems import problem_responses
from api.schemas.stats import (
    DefendersRead,
    MechanismCount,
    MechanismStatusCount,
    PositionCount,
    ScorecardRead,
    StatsRead,
    StatusCount,
    TrendYear,
)
from suivi.labels import Kind, Labeller
from suivi.services import meaning
from suivi.services import scorecard as scorecards
from suivi.services import stats as service
from suivi.services.stats import MAX_DIMENSIONS, Dimension

router = APIRouter(prefix="/v1", tags=["stats"])

# The groups' values that have labels, and of which kind; States are named by CLDR.
_DIMENSION_KINDS = {
    Dimension.MECHANISM: Kind.MECHANISM,
    Dimension.BODY: Kind.BODY,
    Dimension.THEME: Kind.THEME,
    Dimension.AFFECTED: Kind.AFFECTED_PERSON,
    Dimension.HRD: Kind.HRD_RELEVANCE,
    Dimension.POSITION: Kind.POSITION,
    Dimension.STATUS: Kind.STATUS,
}
_STATE_DIMENSIONS = frozenset({Dimension.STATE, Dimension.RECOMMENDING_STATE})


Reader = Callable[[Any], str | None]


def _columns(
    dimensions: list[Dimension], labeller: Labeller
) -> list[tuple[str, str, Reader | None]]:
    """Each dimension's name in a group, its label's name, and what reads its label (None for
    a dimension without labels)."""
    columns: list[tuple[str, str, Reader | None]] = []
    for dimension in dimensions:
        read: Reader | None = None
        if dimension in _STATE_DIMENSIONS:
            read = labeller.state
        elif (kind := _DIMENSION_KINDS.get(dimension)) is not None:
            read = _of_kind(labeller, kind)
        columns.append((dimension.value, f"{dimension.value}_label", read))
    return columns


def _of_kind(labeller: Labeller, kind: Kind) -> Reader:
    def label(code: str | None) -> str | None:
        return labeller.label(kind, code)

    return label


class StatsQuery(RecommendationFilterQuery):
    """The list's filters and what to group by."""

    group_by: list[Dimension] = Field(
        description="One to three distinct facets to group by, comma-separated "
        "(`group_by=state,status`) or repeated."
    )

    @field_validator("group_by", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [part.strip() for item in value for part in str(item).split(",")]
        return value

    @field_validator("group_by")
    @classmethod
    def _one_to_three_distinct(cls, value: list[Dimension]) -> list[Dimension]:
        if not 1 <= len(value) <= MAX_DIMENSIONS:
            raise ValueError(f"give 1 to {MAX_DIMENSIONS} names, not {len(value)}")
        if len(set(value)) != len(value):
            raise ValueError("names must be distinct")
        return value


class NoQuery(BaseModel):
    """For endpoints without parameters: an unknown parameter is a mistake worth reporting."""

    model_config = ConfigDict(extra="forbid")


@router.get(
    "/stats",
    operation_id="getStats",
    summary="Recommendations counted by one to three facets, under any filter of the list",
    response_model=StatsRead,
    responses=problem_responses(409, 422),
)
async def get_stats(
    reads: ReadsDep,
    params: Annotated[StatsQuery, Query()],
    language: LanguageDep,
) -> Response:
    """Takes every filter of `GET /v1/recommendations`, with the same meaning, so the counts
    are those of paging through the list.

    The list facets `theme`, `affected`, `sdg` and `recommending_state` count a
    recommendation under each of its values: one with two themes is in both theme groups,
    so group counts may add up to more than `total`, which counts each matching
    recommendation once. Recommendations without a value (an empty list, no cycle, undated
    for `year`) form the group whose value is null. `year` is the year of the issued date,
    `hrd` the relevance to defenders, `source_format` where the records came from (`sample`
    is the illustrative sample). Every group is returned, most recommendations first,
    then in order of the values with nulls last."""
    filters = await meaning.with_meaning(reads, params.to_filters())
    result = await service.count_by(reads, dimensions=params.group_by, filters=filters)
    columns = _columns(params.group_by, Labeller.of(language))
    groups = []
    for group in result.groups:
        # Each label right after its value.
        values: dict[str, Any] = {}
        for (name, label_name, read), value in zip(columns, group.values, strict=True):
            values[name] = value
            if read is not None:
                values[label_name] = read(value)
        values["count"] = group.count
        groups.append(values)
    # Serialised directly: a few thousand groups cost a fraction of validating each one.
    return json_response(
        {"total": result.total, "groups": groups}, headers=language_headers(language)
    )


@router.get(
    "/states/{code}/scorecard",
    operation_id="getStateScorecard",
    summary="One State's scorecard: status by mechanism, defenders, positions, deadlines, trend",
    response_model=ScorecardRead,
    responses=problem_responses(404, 422),
)
async def get_state_scorecard(
    session: SessionDep,
    code: Annotated[
        str, Path(pattern=STATE_PATTERN, description="ISO 3166-1 alpha-3, e.g. `TUN`.")
    ],
    params: Annotated[NoQuery, Query()],
    language: LanguageDep,
) -> ScorecardRead:
    """Public figures only: statuses come from published, non-restricted assessments.

    `overdue` and `due_soon` (within 90 days) count the recommendations not implemented whose
    follow-up deadline falls then, and the State's planned or ongoing actions whose target
    date does. The trend gives each recommendation's status on 31 December of every year:
    the office's if it assessed it by then, else the latest published update dated by then,
    else `not_assessed`. A country without recommendations has an empty scorecard; a code
    that is neither a country nor held by any recommendation is 404."""
    card = await scorecards.get(session, code=code)
    labeller = Labeller.of(language)
    label = labeller.label
    return ScorecardRead(
        state=card.state,
        state_label=labeller.state(card.state),
        total=card.total,
        by_mechanism_status=[
            MechanismStatusCount(
                mechanism=mechanism,
                mechanism_label=label(Kind.MECHANISM, mechanism),
                status=status,
                status_label=label(Kind.STATUS, status),
                count=count,
            )
            for (mechanism, status), count in card.by_mechanism_status.items()
        ],
        defenders=DefendersRead(
            total=card.defenders.total,
            by_status=[
                StatusCount(status=status, status_label=label(Kind.STATUS, status), count=count)
                for status, count in card.defenders.by_status.items()
            ],
            by_mechanism=[
                MechanismCount(
                    mechanism=mechanism,
                    mechanism_label=label(Kind.MECHANISM, mechanism),
                    count=count,
                )
                for mechanism, count in card.defenders.by_mechanism.items()
            ],
        ),
        positions=[
            PositionCount(
                position=position, position_label=label(Kind.POSITION, position), count=count
            )
            for position, count in card.positions.items()
        ],
        overdue=card.overdue,
        due_soon=card.due_soon,
        trend=[TrendYear(year=item.year, counts=item.counts) for item in card.trend],
        recommended_again=card.recommended_again,
        oldest_unimplemented_clusters=[
            ClusterRead(**asdict(cluster)) for cluster in card.oldest_unimplemented_clusters
        ],
    )
