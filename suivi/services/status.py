"""The derived implementation status of recommendations."""

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import ProgressUpdate, Recommendation
from models.enums import Confidentiality, ImplementationStatus, ReviewState


async def recompute(session: AsyncSession, *, recommendation_ids: Collection[int]) -> None:
    """Store each status: the office's, else the latest published non-restricted one, else none."""
    if not recommendation_ids:
        return
    latest_published = (
        select(ProgressUpdate.assessed_status)
        .where(
            ProgressUpdate.recommendation_id == Recommendation.id,
            ProgressUpdate.review_state == ReviewState.PUBLISHED,
            # Restricted updates are for staff only; a public status must not reveal them.
            ProgressUpdate.confidentiality != Confidentiality.RESTRICTED,
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
