"""What the public may see of a recommendation's follow-up: actions, updates, grades, deadlines.

Only published updates are shown, never restricted ones, and a submitter who asked for
confidentiality is not named: this module is the one place that decides it for public reads.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def public_record(
    session: AsyncSession, *, recommendation_id: int, follow_up_deadline_date: date | None
) -> FollowUpRecord:
    """The recommendation's public follow-up, in three statements whatever its size."""
    actions = await _actions(session, recommendation_id)
    updates = await _published_updates(session, recommendation_id)
    grades = await _grades(session, recommendation_id)
    deadlines = []
    # A grade given on or after the deadline means the reply came and was assessed.
    answered = any(
        follow_up_deadline_date is not None and grade.graded_date >= follow_up_deadline_date
        for grade in grades
    )
    if follow_up_deadline_date is not None and not answered:
        deadlines.append(Deadline("follow_up", follow_up_deadline_date, None))
    deadlines += [
        Deadline("action_target", action.target_date, action.id)
        for action in actions
        if action.target_date is not None and action.status in _OPEN_ACTIONS
    ]
    deadlines.sort(key=lambda deadline: deadline.due_date)
    status_by_source: dict[SourceType, ImplementationStatus | None] = dict.fromkeys(SourceType)
    # Updates come newest first: the first of each source is its current assessment.
    for update in updates:
        if status_by_source[update.source_type] is None:
            status_by_source[update.source_type] = update.assessed_status
    return FollowUpRecord(actions, updates, grades, deadlines, status_by_source)


_OPEN_ACTIONS = frozenset({ActionStatus.PLANNED, ActionStatus.ONGOING})


async def _actions(session: AsyncSession, recommendation_id: int) -> list[LinkedAction]:
    rows = await session.execute(
        select(StateAction, Institution.name, ActionRecommendation.note)
        .join(ActionRecommendation, ActionRecommendation.action_id == StateAction.id)
        .outerjoin(Institution, Institution.id == StateAction.institution_id)
        .where(
            ActionRecommendation.recommendation_id == recommendation_id,
            StateAction.archived_at.is_(None),
        )
        .order_by(StateAction.announced_date.desc().nulls_last(), StateAction.id)
    )
    return [
        LinkedAction(
            id=action.id,
            kind=action.kind,
            title=action.title,
            status=action.status,
            institution=institution,
            announced_date=action.announced_date,
            started_date=action.started_date,
            completed_date=action.completed_date,
            target_date=action.target_date,
            note=note,
        )
        for action, institution, note in rows
    ]


async def _published_updates(
    session: AsyncSession, recommendation_id: int
) -> list[PublishedUpdate]:
    rows = await session.execute(
        select(ProgressUpdate, Organisation.name)
        .outerjoin(Organisation, Organisation.id == ProgressUpdate.organisation_id)
        .where(
            ProgressUpdate.recommendation_id == recommendation_id,
            ProgressUpdate.review_state == ReviewState.PUBLISHED,
            ProgressUpdate.confidentiality != Confidentiality.RESTRICTED,
        )
        .order_by(ProgressUpdate.as_of_date.desc(), ProgressUpdate.id.desc())
    )
    return [
        PublishedUpdate(
            id=update.id,
            source_type=update.source_type,
            assessed_status=update.assessed_status,
            narrative=update.narrative,
            evidence_urls=list(update.evidence_urls),
            as_of_date=update.as_of_date,
            organisation=public_name(update.confidentiality, organisation),
            published_at=update.reviewed_at,
        )
        for update, organisation in rows
    ]


def public_name(confidentiality: Confidentiality, organisation: str | None) -> str | None:
    # A defender who asked not to be named is protected here, for every public read.
    return organisation if confidentiality is Confidentiality.PUBLIC else None


async def _grades(session: AsyncSession, recommendation_id: int) -> list[GradeRecord]:
    grades: Sequence[FollowUpGrade] = (
        await session.scalars(
            select(FollowUpGrade)
            .where(FollowUpGrade.recommendation_id == recommendation_id)
            .order_by(FollowUpGrade.graded_date, FollowUpGrade.id)
        )
    ).all()
    return [
        GradeRecord(
            grade=grade.grade,
            sub_grade=grade.sub_grade,
            assessor_kind=grade.assessor_kind,
            assessor=grade.assessor,
            graded_date=grade.graded_date,
            document_symbol=grade.document_symbol,
        )
        for grade in grades
    ]
