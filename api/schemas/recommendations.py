"""What the API says about recommendations."""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.schemas.base import Schema
from models.enums import (
    ActionKind,
    ActionStatus,
    AssessorKind,
    Grade,
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    SourceFormat,
    SourceType,
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
    source_format: SourceFormat = Field(
        description="Where the record came from; `sample` marks the illustrative sample, "
        "not UN data."
    )


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


class LinkedActionRead(Schema):
    """A State action answering the recommendation."""

    id: int
    kind: ActionKind
    title: str
    status: ActionStatus
    institution: str | None = Field(description="The State institution responsible.")
    announced_date: date | None
    started_date: date | None
    completed_date: date | None
    target_date: date | None
    note: str | None = Field(description="How the action answers the recommendation.")


class PublishedUpdateRead(Schema):
    """A reviewed, published progress update."""

    id: int
    source_type: SourceType
    assessed_status: ImplementationStatus
    narrative: str
    evidence_urls: list[str]
    as_of_date: date
    organisation: str | None = Field(
        description="The submitting organisation; null when it asked not to be named."
    )
    published_at: datetime | None


class GradeRead(Schema):
    """A follow-up grade: A (satisfactory) to E (contrary to the recommendation)."""

    grade: Grade
    sub_grade: str | None = Field(description="The committee's finer grade, e.g. `B1`.")
    assessor_kind: AssessorKind
    assessor: str
    graded_date: date
    document_symbol: str | None


class DeadlineRead(Schema):
    """A date by which something is due."""

    kind: Literal["follow_up", "action_target"]
    due_date: date
    action_id: int | None


class StatusBySourceRead(Schema):
    """The latest published assessment of each kind of source; null where none has spoken."""

    government: ImplementationStatus | None
    nhri: ImplementationStatus | None
    civil_society: ImplementationStatus | None
    un: ImplementationStatus | None


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
    actions: list[LinkedActionRead] = Field(description="Linked State actions, not archived.")
    progress_updates: list[PublishedUpdateRead] = Field(description="Published, newest first.")
    grades: list[GradeRead]
    deadlines: list[DeadlineRead] = Field(description="Open deadlines, soonest first.")
    status_by_source: StatusBySourceRead = Field(
        description="Each source's view beside the office's own (`office_status`)."
    )


class RecommendationPage(Schema):
    """One page of a keyset-paginated list."""

    items: list[RecommendationRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
