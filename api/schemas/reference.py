"""What the API says about reference data: States, mechanisms, bodies, documents and facets."""

from datetime import date
from typing import Annotated

from pydantic import Field

from api.schemas.base import Schema
from api.schemas.labels import CodeLabel, OptionalLabel, OptionalStateLabel, StateLabel
from models.enums import HrdRelevance, ImplementationStatus, MechanismCode, Position

Recommendations = Annotated[int, Field(description="Recommendations counted.")]
HrdDirect = Annotated[int, Field(description="Of which directly about human rights defenders.")]
HrdRelated = Annotated[int, Field(description="Of which about civic space, not defenders as such.")]


class StateRead(Schema):
    """A State under review with its recommendations counted."""

    code: str = Field(description="ISO 3166-1 alpha-3.")
    name: str = Field(description="ISO 3166-1 name; the code itself when ISO has none.")
    label: StateLabel
    recommendations: Recommendations
    hrd_direct: HrdDirect
    hrd_related: HrdRelated


class StateList(Schema):
    """Every State with recommendations, in code order."""

    items: list[StateRead]


class MechanismCount(Schema):
    """Recommendations of one mechanism."""

    mechanism: MechanismCode
    mechanism_label: CodeLabel
    recommendations: int


class StatusCount(Schema):
    """Recommendations with one implementation status."""

    status: ImplementationStatus
    status_label: CodeLabel
    recommendations: int


class HrdRelevanceCount(Schema):
    """Recommendations with one relevance to defenders."""

    hrd_relevance: HrdRelevance
    hrd_relevance_label: CodeLabel
    recommendations: int


class PositionCount(Schema):
    """Recommendations with one State position; null where none is recorded (not UPR)."""

    position: Position | None
    position_label: OptionalLabel
    recommendations: int


class CycleCount(Schema):
    """Recommendations of one UPR cycle; null for those outside the UPR's cycles."""

    cycle: int | None
    recommendations: int


class StateDetailRead(StateRead):
    """One State's recommendations counted along each facet; only values that occur are listed."""

    by_mechanism: list[MechanismCount]
    by_status: list[StatusCount] = Field(description="Derived implementation status.")
    by_hrd_relevance: list[HrdRelevanceCount]
    by_position: list[PositionCount] = Field(description="The State's current position.")
    by_cycle: list[CycleCount]


class MechanismRead(Schema):
    """A UN mechanism with its bodies' recommendations counted."""

    code: MechanismCode = Field(description="As the `mechanism` filters take it.")
    name: str
    label: CodeLabel
    recommendations: Recommendations
    hrd_direct: HrdDirect
    hrd_related: HrdRelated


class MechanismList(Schema):
    """The mechanisms, in code order."""

    items: list[MechanismRead]


class BodyRead(Schema):
    """A body with its recommendations counted."""

    code: str = Field(description="As the `body` filters take it, e.g. `CCPR`, `SR-HRD`.")
    name: str
    label: CodeLabel
    mechanism: MechanismCode
    mechanism_label: CodeLabel
    recommendations: Recommendations
    hrd_direct: HrdDirect
    hrd_related: HrdRelated


class BodyList(Schema):
    """Every body, in code order; those without recommendations count zero."""

    items: list[BodyRead]


class DocumentRead(Schema):
    """A UN document with its recommendations counted."""

    symbol: str = Field(description="UN document symbol, e.g. `A/HRC/52/10`.")
    body: str = Field(description="Issuing body, e.g. `UPR`, `CCPR`.")
    body_label: CodeLabel
    mechanism: MechanismCode
    mechanism_label: CodeLabel
    state: str | None = Field(description="State concerned (alpha-3); null for thematic ones.")
    state_label: OptionalStateLabel
    published_date: date | None
    session: int | None = Field(description="UPR session or treaty-body session number.")
    cycle: int | None = Field(description="UPR cycle.")
    recommendations: int = Field(description="Recommendations the document holds.")


class DocumentPage(Schema):
    """One page of documents in symbol order."""

    items: list[DocumentRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ValueCountRead(Schema):
    """One value of a list facet and how many recommendations carry it."""

    value: str = Field(description="As the matching filter of `GET /v1/recommendations` takes it.")
    label: CodeLabel
    recommendations: int


class ValueList(Schema):
    """Each value, most common first, ties in value order."""

    items: list[ValueCountRead]
