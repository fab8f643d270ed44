"""What the API says about recommendations."""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.schemas.base import Schema
from models.enums import (
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    SourceFormat,
)


class HrdReason(Schema):
    """Why a recommendation was judged to concern defenders: a source tag or matched words."""

    source: Literal["tag", "text"]
    match: str


class RecommendationRead(Schema):
    """A recommendation as lists show it."""

    id: int
    state: str = Field(description="State under review, ISO 3166-1 alpha-3.")
    mechanism: MechanismCode
    body: str = Field(description="Issuing body, e.g. `UPR`, `CCPR`, `SR-HRD`.")
    document_symbol: str | None = Field(description="UN document symbol, e.g. `A/HRC/36/5`.")
    paragraph: str | None
    text: str = Field(description="Text in the original language.")
    language: str = Field(description="Language of `text` (ISO 639-1).")
    recommending_states: list[str]
    position: Position | None = Field(description="The State's current position (UPR).")
    action_category: int | None = Field(description="UPR Info action category, 1 to 5.")
    session: int | None
    cycle: int | None
    date: date | None
    themes: list[str]
    affected_persons: list[str]
    sdgs: list[str]
    hrd_relevance: HrdRelevance
    hrd_reasons: list[HrdReason]
    status: ImplementationStatus = Field(description="Derived implementation status.")
    updated_at: datetime


class PositionRead(Schema):
    """One position the State took, with when and where it said so."""

    position: Position
    stated_date: date | None
    source: str | None


class ProvenanceRead(Schema):
    """Where the record came from: `sample` marks the illustrative sample, not UN data."""

    source_format: SourceFormat
    source_record_id: str | None
    import_run_id: int | None


class RecommendationDetailRead(RecommendationRead):
    """One recommendation in full."""

    annotation_type: str | None
    texts: dict[str, str] = Field(description="Every text held, by language.")
    position_history: list[PositionRead]
    follow_up_selected: bool = Field(description="Selected for a treaty body's follow-up.")
    follow_up_deadline: date | None
    office_status: ImplementationStatus | None = Field(
        description="The office's own assessment, when it gave one."
    )
    provenance: ProvenanceRead


class RecommendationPage(Schema):
    """One page of a keyset-paginated list."""

    items: list[RecommendationRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
