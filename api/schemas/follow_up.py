"""What the API says about follow-up: office assessment, grades, timeline, deadlines, indicators."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints, model_validator

from api.params import MAX_ID, STATE_PATTERN
from api.schemas.base import Schema
from api.schemas.labels import OptionalStateLabel
from models.enums import (
    ActionStatus,
    AssessorKind,
    Grade,
    ImplementationStatus,
    IndicatorKind,
    Position,
    ReportingFrequency,
    SourceType,
)
from suivi.countries import is_alpha3
from suivi.services.deadlines import DeadlineKind

# No control characters: PostgreSQL refuses NUL in text, and none belongs in a name.
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
# Control characters but tab and newlines: notes and descriptions may have paragraphs.
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
PrintableName = Annotated[Name, StringConstraints(pattern=_PRINTABLE)]
Note = Annotated[str, StringConstraints(max_length=10_000, pattern=_TEXT)]
Symbol = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_PRINTABLE)
]


def _not_future(value: date) -> date:
    # "Today" anywhere on Earth (UTC+14): a date already reached somewhere is not a future one.
    if value > (datetime.now(UTC) + timedelta(hours=14)).date():
        raise ValueError("must not be in the future")
    return value


def _assigned_state(value: str) -> str:
    if not is_alpha3(value):
        raise ValueError("is not an assigned ISO 3166-1 alpha-3 code")
    return value


# A JSON number, not pydantic's default string: indicator values are not money.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
PastDate = Annotated[date, AfterValidator(_not_future)]
State = Annotated[str, StringConstraints(pattern=STATE_PATTERN), AfterValidator(_assigned_state)]


# Office assessment -------------------------------------------------------------------------


class AssessmentRead(Schema):
    """The office's own assessment beside the headline status it determines."""

    recommendation_id: int
    office_status: ImplementationStatus | None = Field(
        description="The office's assessment; null when it has given none."
    )
    office_note: str | None
    assessed_at: datetime | None = Field(description="When the office last changed it.")
    status: ImplementationStatus = Field(
        description="Headline status: the office's, else the latest published, else not assessed."
    )
    version: int = Field(description="Bumped on every change; the ETag names it.")
    follow_up_selected: bool = Field(
        description="Selected by the treaty body for its follow-up procedure."
    )
    follow_up_deadline_date: date | None = Field(
        description="When the State's follow-up reply is due; `GET /v1/deadlines` lists it."
    )


class AssessmentUpdate(Schema):
    """A change to the office assessment; a field left out is left as it is."""

    office_status: ImplementationStatus | None = Field(
        default=None, description="The office's status; null clears it."
    )
    office_note: Note | None = Field(default=None, description="Why; null clears it.")
    follow_up_selected: bool | None = Field(
        default=None, description="Selected for the treaty body's follow-up procedure."
    )
    follow_up_deadline_date: date | None = Field(
        default=None,
        description="The follow-up reply's due date (selects the recommendation); null clears it.",
    )

    @model_validator(mode="after")
    def _changes_something(self) -> "AssessmentUpdate":
        if not self.model_fields_set:
            raise ValueError(
                "give office_status, office_note, follow_up_selected or follow_up_deadline_date"
            )
        if "follow_up_selected" in self.model_fields_set and self.follow_up_selected is None:
            raise ValueError("follow_up_selected: send true or false")
        if self.office_status is ImplementationStatus.NOT_ASSESSED:
            raise ValueError("office_status: send null to clear the assessment")
        return self


# Grades ------------------------------------------------------------------------------------


class FollowUpGradeCreate(Schema):
    """A follow-up grade given to the State's reply."""

    grade: Grade = Field(description="A largely satisfactory ... E contrary to the recommendation.")
    sub_grade: Annotated[str, StringConstraints(pattern=r"^[A-E][0-9]{0,2}[a-z]?$")] | None = Field(
        default=None, description="The committee's finer grade, e.g. `B1`; same letter."
    )
    assessor_kind: AssessorKind
    assessor: PrintableName = Field(description="Who graded, e.g. `Human Rights Committee`.")
    graded_date: PastDate = Field(description="When the grade was given; not in the future.")
    document_symbol: Symbol | None = Field(
        default=None, description="Where the grade is recorded, e.g. `CCPR/C/128/2`."
    )

    @model_validator(mode="after")
    def _sub_grade_refines_grade(self) -> "FollowUpGradeCreate":
        if self.sub_grade is not None and self.sub_grade[0] != self.grade.value:
            raise ValueError("sub_grade must refine grade (start with the same letter)")
        return self


class FollowUpGradeRead(Schema):
    """A recorded follow-up grade."""

    id: int
    recommendation_id: int
    grade: Grade
    sub_grade: str | None
    assessor_kind: AssessorKind
    assessor: str
    graded_date: date
    document_symbol: str | None
    created_at: datetime


class FollowUpGradeList(Schema):
    """A recommendation's follow-up grades, newest first."""

    items: list[FollowUpGradeRead]


# Timeline ----------------------------------------------------------------------------------


class PositionEvent(Schema):
    """The State gave or changed its position."""

    kind: Literal["position"] = "position"
    date: date
    position: Position
    source: str | None = Field(description="Where it is recorded, e.g. an addendum's symbol.")


class ActionLinkedEvent(Schema):
    """A State action was linked to the recommendation."""

    kind: Literal["action_linked"] = "action_linked"
    date: date
    action_id: int
    title: str
    status: ActionStatus


class UpdatePublishedEvent(Schema):
    """A progress update, dated by the state of affairs it describes."""

    kind: Literal["update_published"] = "update_published"
    date: date
    update_id: int
    source_type: SourceType
    assessed_status: ImplementationStatus
    organisation: str | None = Field(
        description="The submitting organisation; null when it asked not to be named."
    )


class GradeEvent(Schema):
    """A follow-up grade was given."""

    kind: Literal["grade"] = "grade"
    date: date
    grade_id: int
    grade: Grade
    sub_grade: str | None
    assessor_kind: AssessorKind
    assessor: str
    document_symbol: str | None


class OfficeAssessmentEvent(Schema):
    """The office last changed its own assessment."""

    kind: Literal["office_assessment"] = "office_assessment"
    date: date
    office_status: ImplementationStatus | None


class DeadlineEvent(Schema):
    """A date by which something is due: the follow-up reply or a linked action's target."""

    kind: Literal["deadline"] = "deadline"
    date: date
    deadline_kind: Literal["follow_up", "action_target"]
    action_id: int | None
    title: str | None


TimelineEvent = Annotated[
    PositionEvent
    | ActionLinkedEvent
    | UpdatePublishedEvent
    | GradeEvent
    | OfficeAssessmentEvent
    | DeadlineEvent,
    Field(discriminator="kind"),
]


class TimelineRead(Schema):
    """Every dated event of a recommendation, oldest first."""

    items: list[TimelineEvent]


# Deadlines ---------------------------------------------------------------------------------


class DueItemRead(Schema):
    """Something due by a date, or overdue."""

    kind: DeadlineKind
    due_date: date
    overdue: bool = Field(description="The date has passed.")
    state: str | None = Field(description="The State concerned, ISO 3166-1 alpha-3.")
    state_label: OptionalStateLabel
    recommendation_id: int | None
    action_id: int | None
    indicator_id: int | None
    title: str
    estimated: bool = Field(description="Estimated from the UPR cycle calendar, not announced.")


class DueItemPage(Schema):
    """Overdue and due items, soonest first."""

    items: list[DueItemRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


# Indicators --------------------------------------------------------------------------------


class IndicatorCreate(Schema):
    """A new indicator, attached to the recommendations it helps assess."""

    kind: IndicatorKind
    name: PrintableName
    description: Note | None = None
    unit: Annotated[str, StringConstraints(max_length=100, pattern=_PRINTABLE)] | None = Field(
        default=None, description="E.g. `cases`, `%`, `yes/no`."
    )
    state: State | None = Field(default=None, description="The State measured, alpha-3.")
    reporting_frequency: ReportingFrequency | None = None
    next_reporting_date: date | None = Field(
        default=None, description="When the next value is due."
    )
    recommendation_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default=[],
        max_length=1000,
        description="Recommendations it helps assess; of the indicator's State when it has one.",
    )


class IndicatorRead(Schema):
    """An indicator and the recommendations it is attached to."""

    id: int
    kind: IndicatorKind
    name: str
    description: str | None
    unit: str | None
    state: str | None
    reporting_frequency: ReportingFrequency | None
    next_reporting_date: date | None
    recommendation_ids: list[int]
    created_at: datetime
    updated_at: datetime


class ObservationCreate(Schema):
    """One observed value: a number, a text (a structural yes/no), or both."""

    observed_date: PastDate = Field(description="The date the value holds for; not in the future.")
    value: Decimal | None = Field(default=None, allow_inf_nan=False, max_digits=30)
    value_text: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None
    source: PrintableName = Field(description="Where the value comes from.")
    note: Note | None = None

    @model_validator(mode="after")
    def _has_a_value(self) -> "ObservationCreate":
        if self.value is None and self.value_text is None:
            raise ValueError("give value, value_text or both")
        return self


class ObservationRead(Schema):
    """A recorded observation."""

    id: int
    indicator_id: int
    observed_date: date
    value: Number | None
    value_text: str | None
    source: str
    note: str | None
    created_at: datetime


class IndicatorDetailRead(IndicatorRead):
    """An indicator with its observations, newest first."""

    observations: list[ObservationRead]


class IndicatorPage(Schema):
    """One page of indicators, by id."""

    items: list[IndicatorRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
