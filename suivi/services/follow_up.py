"""What the public may see of a recommendation's follow-up: actions, updates, grades, deadlines.

Only published updates are shown, never restricted ones, and a submitter who asked for
confidentiality is not named: this module is the one place that decides it for public reads.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Label, SQLColumnExpression, case, func, null, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from models import (
    ActionRecommendation,
    FollowUpGrade,
    Institution,
    Organisation,
    ProgressUpdate,
    StateAction,
)
from models.enums import (
    ActionKind,
    ActionStatus,
    AssessorKind,
    Confidentiality,
    Grade,
    ImplementationStatus,
    ReviewState,
    SourceType,
)


@dataclass(frozen=True, slots=True)
class LinkedAction:
    """A State action answering the recommendation, with the note on how."""

    id: int
    kind: ActionKind
    title: str
    status: ActionStatus
    institution: str | None
    announced_date: date | None
    started_date: date | None
    completed_date: date | None
    target_date: date | None
    note: str | None


@dataclass(frozen=True, slots=True)
class PublishedUpdate:
    """A reviewed and published progress update; `organisation` is None when confidential."""

    id: int
    source_type: SourceType
    assessed_status: ImplementationStatus
    narrative: str
    evidence_urls: list[str]
    as_of_date: date
    organisation: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class GradeRecord:
    """A follow-up grade and who gave it."""

    grade: Grade
    sub_grade: str | None
    assessor_kind: AssessorKind
    assessor: str
    graded_date: date
    document_symbol: str | None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date by which something is due: the follow-up reply, or a linked action's target."""

    kind: str  # "follow_up" or "action_target"
    due_date: date
    action_id: int | None


@dataclass(frozen=True, slots=True)
class FollowUpRecord:
    """Everything public about a recommendation's follow-up."""

    actions: list[LinkedAction]
    updates: list[PublishedUpdate]
    grades: list[GradeRecord]
    deadlines: list[Deadline]
    # The latest published assessment of each kind of source; None where none has spoken.
    status_by_source: dict[SourceType, ImplementationStatus | None]


def public_record_columns(recommendation_id: SQLColumnExpression[int]) -> list[Label[Any]]:
    """The recommendation's linked actions, published updates and grades, each one JSON array
    (null when empty): the public follow-up read in the statement that reads the
    recommendation, in order, with the visibility rules of this module."""
    actions = (
        select(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(
                        StateAction.id,
                        StateAction.kind,
                        StateAction.title,
                        StateAction.status,
                        Institution.name,
                        StateAction.announced_date,
                        StateAction.started_date,
                        StateAction.completed_date,
                        StateAction.target_date,
                        ActionRecommendation.note,
                    ),
                    StateAction.announced_date.desc().nulls_last(),
                    StateAction.id,
                )
            )
        )
        .select_from(StateAction)
        .join(ActionRecommendation, ActionRecommendation.action_id == StateAction.id)
        .outerjoin(Institution, Institution.id == StateAction.institution_id)
        .where(
            ActionRecommendation.recommendation_id == recommendation_id,
            StateAction.archived_at.is_(None),
        )
    )
    updates = (
        select(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(
                        ProgressUpdate.id,
                        ProgressUpdate.source_type,
                        ProgressUpdate.assessed_status,
                        ProgressUpdate.narrative,
                        ProgressUpdate.evidence_urls,
                        ProgressUpdate.as_of_date,
                        public_name_column(ProgressUpdate.confidentiality, Organisation.name),
                        ProgressUpdate.reviewed_at,
                    ),
                    ProgressUpdate.as_of_date.desc(),
                    ProgressUpdate.id.desc(),
                )
            )
        )
        .select_from(ProgressUpdate)
        .outerjoin(Organisation, Organisation.id == ProgressUpdate.organisation_id)
        .where(ProgressUpdate.recommendation_id == recommendation_id, *PUBLISHED_UPDATES)
    )
    grades = select(
        func.json_agg(
            aggregate_order_by(
                func.json_build_array(
                    FollowUpGrade.grade,
                    FollowUpGrade.sub_grade,
                    FollowUpGrade.assessor_kind,
                    FollowUpGrade.assessor,
                    FollowUpGrade.graded_date,
                    FollowUpGrade.document_symbol,
                ),
                FollowUpGrade.graded_date,
                FollowUpGrade.id,
            )
        )
    ).where(FollowUpGrade.recommendation_id == recommendation_id)
    return [
        actions.scalar_subquery().label("follow_up_actions"),
        updates.scalar_subquery().label("follow_up_updates"),
        grades.scalar_subquery().label("follow_up_grades"),
    ]


def public_record(
    actions: list[list[Any]] | None,
    updates: list[list[Any]] | None,
    grades: list[list[Any]] | None,
    *,
    follow_up_deadline_date: date | None,
) -> FollowUpRecord:
    """The public follow-up from the JSON arrays of `public_record_columns`."""
    linked = [_linked_action(values) for values in actions or ()]
    published = [_published_update(values) for values in updates or ()]
    graded = [_grade(values) for values in grades or ()]
    deadlines = []
    # A grade given on or after the deadline means the reply came and was assessed.
    answered = any(
        follow_up_deadline_date is not None and grade.graded_date >= follow_up_deadline_date
        for grade in graded
    )
    if follow_up_deadline_date is not None and not answered:
        deadlines.append(Deadline("follow_up", follow_up_deadline_date, None))
    deadlines += [
        Deadline("action_target", action.target_date, action.id)
        for action in linked
        if action.target_date is not None and action.status in _OPEN_ACTIONS
    ]
    deadlines.sort(key=lambda deadline: deadline.due_date)
    status_by_source: dict[SourceType, ImplementationStatus | None] = dict.fromkeys(SourceType)
    # Updates come newest first: the first of each source is its current assessment.
    for update in published:
        if status_by_source[update.source_type] is None:
            status_by_source[update.source_type] = update.assessed_status
    return FollowUpRecord(linked, published, graded, deadlines, status_by_source)


_OPEN_ACTIONS = frozenset({ActionStatus.PLANNED, ActionStatus.ONGOING})
# What the public sees of progress updates: published ones, never restricted ones.
PUBLISHED_UPDATES = (
    ProgressUpdate.review_state == ReviewState.PUBLISHED,
    ProgressUpdate.confidentiality != Confidentiality.RESTRICTED,
)


def json_day(value: str | None) -> date | None:
    """A date as JSON writes it (ISO 8601), or None."""
    return date.fromisoformat(value) if value is not None else None


def _linked_action(values: list[Any]) -> LinkedAction:
    id_, kind, title, status, institution, announced, started, completed, target, note = values
    return LinkedAction(
        id=id_,
        kind=ActionKind(kind),
        title=title,
        status=ActionStatus(status),
        institution=institution,
        announced_date=json_day(announced),
        started_date=json_day(started),
        completed_date=json_day(completed),
        target_date=json_day(target),
        note=note,
    )


def _published_update(values: list[Any]) -> PublishedUpdate:
    id_, source_type, status, narrative, urls, as_of, organisation, reviewed_at = values
    return PublishedUpdate(
        id=id_,
        source_type=SourceType(source_type),
        assessed_status=ImplementationStatus(status),
        narrative=narrative,
        evidence_urls=list(urls or ()),
        as_of_date=date.fromisoformat(as_of),
        organisation=organisation,
        # JSON writes the instant in the session's time zone: read back as UTC, as rows are.
        published_at=(datetime.fromisoformat(reviewed_at).astimezone(UTC) if reviewed_at else None),
    )


def _grade(values: list[Any]) -> GradeRecord:
    grade, sub_grade, assessor_kind, assessor, graded, document_symbol = values
    return GradeRecord(
        grade=Grade(grade),
        sub_grade=sub_grade,
        assessor_kind=AssessorKind(assessor_kind),
        assessor=assessor,
        graded_date=date.fromisoformat(graded),
        document_symbol=document_symbol,
    )


def public_name(confidentiality: Confidentiality, organisation: str | None) -> str | None:
    # A defender who asked not to be named is protected here, for every public read.
    return organisation if confidentiality is Confidentiality.PUBLIC else None


def public_name_column(
    confidentiality: SQLColumnExpression[Confidentiality],
    organisation: SQLColumnExpression[str | None],
) -> ColumnElement[str | None]:
    """`public_name` in SQL: the organisation's name only when it asked to be named."""
    return case((confidentiality == Confidentiality.PUBLIC, organisation), else_=null())
