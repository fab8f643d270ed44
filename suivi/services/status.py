"""The derived implementation status of recommendations."""

from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import ProgressUpdate, Recommendation
from models.enums import Confidentiality, ImplementationStatus, ReviewState


async def recompute(
    session: AsyncSession, *, recommendation_ids: Collection[int], bump_versions: bool = True
) -> None:
    """Store each status: the office's, else the latest published non-restricted one, else none.

    A changed status bumps the assessment's version, unless the caller (the assessment's own
    change) has just bumped it.
    """
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
    derived = func.coalesce(
        Recommendation.office_status,
        latest_published,
        ImplementationStatus.NOT_ASSESSED.value,
    )
    await session.execute(
        update(Recommendation)
        # Rows whose status stays are not touched: no new `updated_at`, ETag or feed event
        # tells anyone that something (perhaps a restricted update) happened.
        .where(
            Recommendation.id.in_(recommendation_ids),
            Recommendation.status.is_distinct_from(derived),
        )
        .values(
            status=derived,
            # The assessment's representation shows the headline status: its ETag must change.
            office_version=Recommendation.office_version + (1 if bump_versions else 0),
        )
        .execution_options(synchronize_session=False)
    )
