"""What the API says about aggregates: grouped counts and State scorecards."""

from pydantic import Field

from api.schemas.base import Schema
from api.schemas.clusters import ClusterRead
from api.schemas.labels import CodeLabel, StateLabel
from models.enums import (
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    SourceFormat,
)

# Beside a grouped value that has a label, as `<name>_label`; null when the value is.
_GROUP_LABEL = "What the value beside it reads as, in the asked language; null when it is null."


class StatsGroup(Schema):
    """One combination of values and its recommendations; only the grouped names are present.

    A null value is the group of recommendations without one (no cycle, an empty theme list).
    Each grouped State, mechanism, body, theme, group of affected persons, relevance,
    position and status comes with its label as `<name>_label`.
    """

    state: str | None = Field(None, description="State under review (ISO 3166-1 alpha-3).")
    state_label: str | None = Field(None, description=_GROUP_LABEL)
    mechanism: MechanismCode | None = Field(None, description="UN mechanism of the body.")
    mechanism_label: str | None = Field(None, description=_GROUP_LABEL)
    body: str | None = Field(None, description="Body code, e.g. `CCPR`.")
    body_label: str | None = Field(None, description=_GROUP_LABEL)
    cycle: int | None = Field(None, description="UPR cycle.")
    session: int | None = Field(None, description="UPR or treaty-body session number.")
    year: int | None = Field(None, description="Year of the issued date; null when undated.")
    theme: str | None = Field(None, description="One theme.")
    theme_label: str | None = Field(None, description=_GROUP_LABEL)
    affected: str | None = Field(None, description="One group of affected persons.")
    affected_label: str | None = Field(None, description=_GROUP_LABEL)
    sdg: str | None = Field(None, description="One SDG goal or target.")
    hrd: HrdRelevance | None = Field(None, description="Relevance to human rights defenders.")
    hrd_label: str | None = Field(None, description=_GROUP_LABEL)
    position: Position | None = Field(None, description="The State's current position.")
    position_label: str | None = Field(None, description=_GROUP_LABEL)
    status: ImplementationStatus | None = Field(None, description="Implementation status.")
    status_label: str | None = Field(None, description=_GROUP_LABEL)
    action_category: int | None = Field(None, description="UPR Info action category, 1 to 5.")
    recommending_state: str | None = Field(None, description="One recommending State (UPR).")
    recommending_state_label: str | None = Field(None, description=_GROUP_LABEL)
    source_format: SourceFormat | None = Field(
        None, description="Where the records came from; `sample` is the illustrative sample."
    )
    count: int = Field(description="Recommendations in the group.")


class StatsRead(Schema):
    """Grouped counts, most recommendations first, then by the values (nulls last)."""

    total: int = Field(description="Distinct recommendations matching the filters.")
    groups: list[StatsGroup]


class MechanismStatusCount(Schema):
    """Recommendations of one mechanism with one status."""

    mechanism: MechanismCode
    mechanism_label: CodeLabel
    status: ImplementationStatus
    status_label: CodeLabel
    count: int


class StatusCount(Schema):
    """Recommendations with one implementation status."""

    status: ImplementationStatus
    status_label: CodeLabel
    count: int


class MechanismCount(Schema):
    """Recommendations of one mechanism."""

    mechanism: MechanismCode
    mechanism_label: CodeLabel
    count: int


class PositionCount(Schema):
    """Recommendations to which the State gave one position."""

    position: Position
    position_label: CodeLabel
    count: int


class DefendersRead(Schema):
    """The recommendations about defenders or civic space (`hrd=any`: direct or related)."""

    total: int
    by_status: list[StatusCount]
    by_mechanism: list[MechanismCount]


class TrendYear(Schema):
    """Recommendations by status on 31 December of `year` (every status, zeros included)."""

    year: int
    counts: dict[ImplementationStatus, int]


class ScorecardRead(Schema):
    """One State's public figures; only published, non-restricted assessments count."""

    state: str = Field(description="ISO 3166-1 alpha-3.")
    state_label: StateLabel
    total: int = Field(description="Recommendations addressed to the State.")
    by_mechanism_status: list[MechanismStatusCount] = Field(
        description="Only the combinations that occur, in mechanism then status order."
    )
    defenders: DefendersRead
    positions: list[PositionCount] = Field(
        description="The State's current positions; recommendations without one are not listed."
    )
    overdue: int = Field(
        description="Recommendations not implemented whose follow-up deadline has passed, plus "
        "planned or ongoing State actions (not archived) whose target date has passed."
    )
    due_soon: int = Field(
        description="The same, due from today to 90 days from now, both included."
    )
    trend: list[TrendYear] = Field(
        description="Status at the end of each year, from the State's first dated "
        "recommendation to this year; undated recommendations are not counted."
    )
    recommended_again: int = Field(
        description="Clusters of the State's recommendations saying the same thing across more "
        "than one UPR cycle or mechanism (`GET /v1/clusters?state=`)."
    )
    oldest_unimplemented_clusters: list[ClusterRead] = Field(
        description="Up to five of those clusters, oldest first, none of whose members is "
        "implemented: what has been asked longest."
    )
