"""Treaty-body follow-up grades: recorded by the office, read by everyone."""

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiClient, FollowUpGrade, Recommendation
from models.enums import AssessorKind, Grade
from suivi.errors import NotFound
from suivi.services import audit
from suivi.services.keys import Caller


async def _ensure_recommendation(session: AsyncSession, recommendation_id: int) -> None:
    if not await session.scalar(select(exists().where(Recommendation.id == recommendation_id))):
        raise NotFound(f"No recommendation has id {recommendation_id}.")


async def create(
    session: AsyncSession,
    *,
    recommendation_id: int,
    grade: Grade,
    sub_grade: str | None,
    assessor_kind: AssessorKind,
    assessor: str,
    graded_date: date,
    document_symbol: str | None,
    actor: Caller,
) -> FollowUpGrade:
    """Record a grade given to the State's reply on a recommendation, and audit it."""
    await _ensure_recommendation(session, recommendation_id)
    recorded_by = await session.scalar(select(ApiClient.id).where(ApiClient.prefix == actor.prefix))
    row = FollowUpGrade(
        recommendation_id=recommendation_id,
        grade=grade,
        sub_grade=sub_grade,
        assessor_kind=assessor_kind,
        assessor=assessor,
        graded_date=graded_date,
        document_symbol=document_symbol,
        recorded_by_client_id=recorded_by,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row, ["created_at"])
    await audit.record(
        session,
        actor=actor,
        action="grade.created",
        object_type="follow_up_grade",
        object_id=row.id,
        summary={
            "recommendation_id": recommendation_id,
            "grade": grade.value,
            "sub_grade": sub_grade,
            "assessor_kind": assessor_kind.value,
            "graded_date": graded_date.isoformat(),
        },
    )
    return row


async def list_for(session: AsyncSession, *, recommendation_id: int) -> list[FollowUpGrade]:
    """The recommendation's grades, newest first; NotFound for an unknown recommendation."""
    await _ensure_recommendation(session, recommendation_id)
    return list(
        (
            await session.scalars(
                select(FollowUpGrade)
                .where(FollowUpGrade.recommendation_id == recommendation_id)
                .order_by(FollowUpGrade.graded_date.desc(), FollowUpGrade.id.desc())
            )
        ).all()
    )


async def get(session: AsyncSession, *, recommendation_id: int, grade_id: int) -> FollowUpGrade:
    """One grade of the recommendation; NotFound otherwise."""
    row = await session.scalar(
        select(FollowUpGrade).where(
            FollowUpGrade.id == grade_id, FollowUpGrade.recommendation_id == recommendation_id
        )
    )
    if row is None:
        raise NotFound(f"Recommendation {recommendation_id} has no grade with id {grade_id}.")
    return row
