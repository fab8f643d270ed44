"""What the API says about recommendations."""

from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

from pydantic import Field

from api.schemas.base import Schema
from api.schemas.labels import (
    CodeLabel,
    CodeLabels,
    OptionalLabel,
    StateLabel,
    StateLabels,
)
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
from suivi.labels import Kind, Labeller


class HrdReason(Schema):
    """Why a recommendation was judged to concern defenders: a source tag or matched words."""

    source: Literal["tag", "text"]
    match: str


class RecommendationRead(Schema):
    """A recommendation as lists show it."""

    id: int
    state: str = Field(description="State under review, ISO 3166-1 alpha-3.")
    state_label: StateLabel
    mechanism: MechanismCode
    mechanism_label: CodeLabel
    body: str = Field(description="Issuing body, e.g. `UPR`, `CCPR`, `SR-HRD`.")
    body_label: CodeLabel
    document_symbol: str | None = Field(description="UN document symbol, e.g. `A/HRC/36/5`.")
    paragraph: str | None
    text: str = Field(description="Text in the original language.")
    language: str = Field(description="Language of `text` (ISO 639-1).")
    recommending_states: list[str]
    recommending_state_labels: StateLabels
    position: Position | None = Field(description="The State's current position (UPR).")
    position_label: OptionalLabel
    action_category: int | None = Field(description="UPR Info action category, 1 to 5.")
    session: int | None
    cycle: int | None
    date: date | None
    themes: list[str]
    theme_labels: CodeLabels
    affected_persons: list[str]
    affected_person_labels: CodeLabels
    sdgs: list[str]
    hrd_relevance: HrdRelevance
    hrd_relevance_label: CodeLabel
    hrd_reasons: list[HrdReason]
    status: ImplementationStatus = Field(description="Derived implementation status.")
    status_label: CodeLabel
    updated_at: datetime
    source_format: SourceFormat = Field(
        description="Where the record came from; `sample` marks the illustrative sample, "
        "not UN data."
    )
    cluster_id: int | None = Field(
        description="The cluster of recommendations to the same State saying the same thing "
        "(`GET /v1/clusters/{id}`); null until the text has its vector (`suivi embed`)."
    )


class PositionRead(Schema):
    """One position the State took, with when and where it said so."""

    position: Position
    position_label: CodeLabel
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
    kind_label: CodeLabel
    title: str
    status: ActionStatus
    status_label: CodeLabel
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
    source_type_label: CodeLabel
    assessed_status: ImplementationStatus
    assessed_status_label: CodeLabel
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


class StatusBySourceLabels(Schema):
    """What each status of `status_by_source` reads as, in the asked language."""

    government: OptionalLabel
    nhri: OptionalLabel
    civil_society: OptionalLabel
    un: OptionalLabel


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
    office_status_label: OptionalLabel
    provenance: ProvenanceRead
    actions: list[LinkedActionRead] = Field(description="Linked State actions, not archived.")
    progress_updates: list[PublishedUpdateRead] = Field(description="Published, newest first.")
    grades: list[GradeRead]
    deadlines: list[DeadlineRead] = Field(description="Open deadlines, soonest first.")
    status_by_source: StatusBySourceRead = Field(
        description="Each source's view beside the office's own (`office_status`)."
    )
    status_by_source_labels: StatusBySourceLabels


class RecommendationPage(Schema):
    """One page of a keyset-paginated list."""

    items: list[RecommendationRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


ItemLabeller = Callable[[dict[str, Any]], dict[str, Any]]


@cache
def item_labeller(labeller: Labeller) -> ItemLabeller:
    """What adds, in place, the labels of a list item's codes (a RecommendationRead's other
    fields as a dict): lists build items as dicts, and label them by plain dictionary reads."""
    label = labeller.label
    states = labeller.state_table
    mechanisms = labeller.table(Kind.MECHANISM)
    bodies = labeller.table(Kind.BODY)
    positions = labeller.table(Kind.POSITION)
    themes = labeller.table(Kind.THEME)
    affected = labeller.table(Kind.AFFECTED_PERSON)
    relevances = labeller.table(Kind.HRD_RELEVANCE)
    statuses = labeller.table(Kind.STATUS)

    def add(item: dict[str, Any]) -> dict[str, Any]:
        # A miss (a value the catalogue spells otherwise, or does not know) goes to `label`;
        # empty lists skip the comprehension, whose call costs more than the lookups.
        state, mechanism, body = item["state"], item["mechanism"], item["body"]
        position, relevance, status = item["position"], item["hrd_relevance"], item["status"]
        recommending, themed, groups = (
            item["recommending_states"],
            item["themes"],
            item["affected_persons"],
        )
        item["state_label"] = states.get(state, state)
        item["mechanism_label"] = mechanisms.get(mechanism) or label(Kind.MECHANISM, mechanism)
        item["body_label"] = bodies.get(body) or label(Kind.BODY, body)
        item["recommending_state_labels"] = (
            [states.get(code, code) for code in recommending] if recommending else []
        )
        item["position_label"] = (
            None if position is None else positions.get(position) or label(Kind.POSITION, position)
        )
        item["theme_labels"] = (
            [themes.get(theme) or label(Kind.THEME, theme) for theme in themed] if themed else []
        )
        item["affected_person_labels"] = (
            [affected.get(group) or label(Kind.AFFECTED_PERSON, group) for group in groups]
            if groups
            else []
        )
        item["hrd_relevance_label"] = relevances.get(relevance) or label(
            Kind.HRD_RELEVANCE, relevance
        )
        item["status_label"] = statuses.get(status) or label(Kind.STATUS, status)
        return item

    return add
