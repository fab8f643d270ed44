"""A recommendation's dated events in order: positions, actions, updates, grades, deadlines.

Updates appear as the caller may see them: to anyone but staff only published, non-restricted
ones, and a submitter who asked for confidentiality is never named.
"""

from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ActionRecommendation,
    Document,
    FollowUpGrade,
    Organisation,
    PositionRecord,
    ProgressUpdate,
    Recommendation,
    StateAction,
)
from models.enums import Confidentiality, ReviewState
from suivi.errors import NotFound
from suivi.services.keys import Caller

EventKind = Literal[
    "position", "action_linked", "update_published", "grade", "office_assessment", "deadline"
]
# Events of one day read as a story: the position, what was done, what was said, the verdicts,
# then what is still due.
KIND_ORDER: dict[EventKind, int] = {
    "position": 0,
    "action_linked": 1,
    "update_published": 2,
    "grade": 3,
    "office_assessment": 4,
    "deadline": 5,
}


@dataclass(frozen=True, slots=True)
class Event:
    """One dated event; `details` are the kind's own fields."""

    date: date
    kind: EventKind
    details: dict[str, Any] = field(default_factory=dict)
    # Orders the events of one kind on one day (the row's id).
    tiebreak: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The event as the API shows it."""
        return {"date": self.date, "kind": self.kind, **self.details}


async def events(session: AsyncSession, *, recommendation_id: int, caller: Caller) -> list[Event]:
    """Every dated event of the recommendation, oldest first; NotFound if there is none."""
    row = (
        await session.execute(
            select(
                Recommendation.follow_up_deadline_date,
                Recommendation.office_status,
                Recommendation.office_assessed_at,
                Document.published_date,
            )
            .outerjoin(Document, Document.id == Recommendation.document_id)
            .where(Recommendation.id == recommendation_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"No recommendation has id {recommendation_id}.")
    deadline, office_status, office_assessed_at, document_date = row
    found: list[Event] = []
    found += await _positions(session, recommendation_id, document_date)
    found += await _actions(session, recommendation_id)
    found += await _updates(session, recommendation_id, caller)
    found += await _grades(session, recommendation_id)
    if office_assessed_at is not None:
        found.append(
            Event(
                office_assessed_at.astimezone(UTC).date(),
                "office_assessment",
                {"office_status": office_status},
            )
        )
    if deadline is not None:
        found.append(
            Event(
                deadline,
                "deadline",
                {"deadline_kind": "follow_up", "action_id": None, "title": None},
            )
        )
    found.sort(key=lambda event: (event.date, KIND_ORDER[event.kind], event.tiebreak))
    return found


async def _positions(
    session: AsyncSession, recommendation_id: int, document_date: date | None
) -> list[Event]:
    rows = await session.execute(
        select(
            PositionRecord.id,
            PositionRecord.position,
            PositionRecord.stated_date,
            PositionRecord.source,
        ).where(PositionRecord.recommendation_id == recommendation_id)
    )
    return [
        Event(when, "position", {"position": position, "source": source}, record_id)
        for record_id, position, stated, source in rows
        if (when := stated or document_date) is not None
    ]


async def _actions(session: AsyncSession, recommendation_id: int) -> list[Event]:
    rows = await session.execute(
        select(
            StateAction.id,
            StateAction.title,
            StateAction.status,
            StateAction.target_date,
            ActionRecommendation.created_at,
        )
        .join(ActionRecommendation, ActionRecommendation.action_id == StateAction.id)
        .where(
            ActionRecommendation.recommendation_id == recommendation_id,
            # Archived actions are withdrawn from every public view.
            StateAction.archived_at.is_(None),
        )
    )
    found = []
    for action_id, title, status, target_date, linked_at in rows:
        found.append(
            Event(
                linked_at.astimezone(UTC).date(),
                "action_linked",
                {"action_id": action_id, "title": title, "status": status},
                action_id,
            )
        )
        if target_date is not None:
            found.append(
                Event(
                    target_date,
                    "deadline",
                    {"deadline_kind": "action_target", "action_id": action_id, "title": title},
                    action_id,
                )
            )
    return found


async def _updates(session: AsyncSession, recommendation_id: int, caller: Caller) -> list[Event]:
    query = (
        select(
            ProgressUpdate.id,
            ProgressUpdate.as_of_date,
            ProgressUpdate.source_type,
            ProgressUpdate.assessed_status,
            ProgressUpdate.confidentiality,
            Organisation.name,
        )
        .outerjoin(Organisation, Organisation.id == ProgressUpdate.organisation_id)
        .where(
            ProgressUpdate.recommendation_id == recommendation_id,
            ProgressUpdate.review_state == ReviewState.PUBLISHED,
        )
    )
    if not caller.is_staff:
        # Restricted updates are for staff only.
        query = query.where(ProgressUpdate.confidentiality != Confidentiality.RESTRICTED)
    rows = await session.execute(query)
    return [
        Event(
            as_of,
            "update_published",
            {
                "update_id": update_id,
                "source_type": source_type,
                "assessed_status": assessed_status,
                # A defender who asked not to be named is named to staff only.
                "organisation": organisation
                if caller.is_staff or confidentiality is Confidentiality.PUBLIC
                else None,
            },
            update_id,
        )
        for update_id, as_of, source_type, assessed_status, confidentiality, organisation in rows
    ]


async def _grades(session: AsyncSession, recommendation_id: int) -> list[Event]:
    grades = await session.scalars(
        select(FollowUpGrade).where(FollowUpGrade.recommendation_id == recommendation_id)
    )
    return [
        Event(
            grade.graded_date,
            "grade",
            {
                "grade_id": grade.id,
                "grade": grade.grade,
                "sub_grade": grade.sub_grade,
                "assessor_kind": grade.assessor_kind,
                "assessor": grade.assessor,
                "document_symbol": grade.document_symbol,
            },
            grade.id,
        )
        for grade in grades
    ]
