"""What the API says about aggregates: grouped counts and State scorecards."""

from pydantic import Field

from api.schemas.base import Schema
from models.enums import (
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    SourceFormat,
)


class StatsGroup(Schema):
    """One combination of values and its recommendations; only the grouped names are present.

    A null value is the group of recommendations without one (no cycle, an empty theme list).
    """

    state: str | None = Field(None, description="State under review (ISO 3166-1 alpha-3).")
    mechanism: MechanismCode | None = Field(None, description="UN mechanism of the body.")
    body: str | None = Field(None, description="Body code, e.g. `CCPR`.")
    cycle: int | None = Field(None, description="UPR cycle.")
    session: int | None = Field(None, description="UPR or treaty-body session number.")
    year: int | None = Field(None, description="Year of the issued date; null when undated.")
    theme: str | None = Field(None, description="One theme.")
    affected: str | None = Field(None, description="One group of affected persons.")
    sdg: str | None = Field(None, description="One SDG goal or target.")
    hrd: HrdRelevance | None = Field(None, description="Relevance to human rights defenders.")
    position: Position | None = Field(None, description="The State's current position.")
    status: ImplementationStatus | None = Field(None, description="Implementation status.")
    action_category: int | None = Field(None, description="UPR Info action category, 1 to 5.")
    recommending_state: str | None = Field(None, description="One recommending State (UPR).")
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
    status: ImplementationStatus
    count: int


class StatusCount(Schema):
    """Recommendations with one implementation status."""

    status: ImplementationStatus
    count: int


class MechanismCount(Schema):
    """Recommendations of one mechanism."""

    mechanism: MechanismCode
    count: int


class PositionCount(Schema):
    """Recommendations to which the State gave one position."""

    position: Position
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
