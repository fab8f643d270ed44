"""The derived implementation status of recommendations."""

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import ProgressUpdate, Recommendation
from models.enums import ImplementationStatus, ReviewState


async def recompute(session: AsyncSession, *, recommendation_ids: Collection[int]) -> None:
    """Store each status: the office's assessment, else the latest published one, else none."""
    if not recommendation_ids:
        return
    latest_published = (
        select(ProgressUpdate.assessed_status)
        .where(
            ProgressUpdate.recommendation_id == Recommendation.id,
            ProgressUpdate.review_state == ReviewState.PUBLISHED,
        )
        .order_by(ProgressUpdate.as_of_date.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    await session.execute(
        update(Recommendation)
        .where(Recommendation.id.in_(recommendation_ids))
        .values(
            status=func.coalesce(
                Recommendation.office_status,
                latest_published,
                ImplementationStatus.NOT_ASSESSED.value,
            )
        )
        .execution_options(synchronize_session=False)
    )
