"""What the database itself refuses, whatever the application code does."""

from datetime import date

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Organisation, ProgressUpdate
from models.enums import (
    Confidentiality,
    ImplementationStatus,
    OrganisationKind,
    ReviewState,
    SourceType,
)
from tests import factories


async def _update(session: AsyncSession) -> ProgressUpdate:
    doc = await factories.document(session, "TEST/GUARDS")
    rec = await factories.recommendation(session, doc, "1")
    org = Organisation(name="Guard test organisation", kind=OrganisationKind.CIVIL_SOCIETY)
    session.add(org)
    await session.flush()
    progress = ProgressUpdate(
        recommendation_id=rec.id,
        source_type=SourceType.CIVIL_SOCIETY,
        assessed_status=ImplementationStatus.IN_PROGRESS,
        narrative="Original narrative.",
        as_of_date=date(2024, 6, 30),
        organisation_id=org.id,
        confidentiality=Confidentiality.CONFIDENTIAL_SUBMITTER,
    )
    session.add(progress)
    await session.flush()
    return progress


async def test_progress_update_content_cannot_be_edited(session: AsyncSession) -> None:
    progress = await _update(session)

    with pytest.raises(DBAPIError, match="never edited in place"):
        async with session.begin_nested():
            await session.execute(
                update(ProgressUpdate)
                .where(ProgressUpdate.id == progress.id)
                .values(narrative="Rewritten.")
            )


async def test_progress_update_review_can_be_recorded(session: AsyncSession) -> None:
    progress = await _update(session)

    await session.execute(
        update(ProgressUpdate)
        .where(ProgressUpdate.id == progress.id)
        .values(review_state=ReviewState.PUBLISHED, reviewed_at=text("now()"))
    )

    state = await session.scalar(
        text("SELECT review_state FROM progress_updates WHERE id = :id"), {"id": progress.id}
    )
    assert state == "published"


async def test_progress_update_cannot_be_deleted(session: AsyncSession) -> None:
    progress = await _update(session)

    with pytest.raises(DBAPIError, match="DELETE on progress_updates is refused"):
        async with session.begin_nested():
            await session.execute(delete(ProgressUpdate).where(ProgressUpdate.id == progress.id))


async def test_progress_update_needs_exactly_one_subject(session: AsyncSession) -> None:
    with pytest.raises(IntegrityError, match="ck_progress_updates_about_one_subject"):
        async with session.begin_nested():
            session.add(
                ProgressUpdate(
                    source_type=SourceType.UN,
                    assessed_status=ImplementationStatus.IMPLEMENTED,
                    narrative="About nothing.",
                    as_of_date=date(2024, 1, 1),
                    confidentiality=Confidentiality.PUBLIC,
                )
            )


async def test_audit_events_are_append_only(session: AsyncSession) -> None:
    event = AuditEvent(action="test", object_type="test", hash="0" * 64)
    session.add(event)
    await session.flush()

    with pytest.raises(DBAPIError, match="UPDATE on audit_events is refused"):
        async with session.begin_nested():
            await session.execute(
                update(AuditEvent).where(AuditEvent.id == event.id).values(action="forged")
            )
    with pytest.raises(DBAPIError, match="DELETE on audit_events is refused"):
        async with session.begin_nested():
            await session.execute(delete(AuditEvent).where(AuditEvent.id == event.id))


async def test_natural_key_is_unique(session: AsyncSession) -> None:
    doc = await factories.document(session, "TEST/UNIQUE")
    await factories.recommendation(session, doc, "12")

    with pytest.raises(IntegrityError, match="uq_recommendations_natural_key"):
        async with session.begin_nested():
            await factories.recommendation(session, doc, "12")


async def test_action_category_outside_one_to_five_is_refused(session: AsyncSession) -> None:
    doc = await factories.document(session, "TEST/CATEGORY")
    rec = await factories.recommendation(session, doc, "3")

    with pytest.raises(IntegrityError, match="ck_recommendations_action_category_range"):
        async with session.begin_nested():
            await session.execute(
                text("UPDATE recommendations SET action_category = 6 WHERE id = :id"),
                {"id": rec.id},
            )


async def test_unknown_enum_value_is_refused_by_the_database(session: AsyncSession) -> None:
    doc = await factories.document(session, "TEST/ENUM")
    rec = await factories.recommendation(session, doc, "4")

    with pytest.raises(IntegrityError, match="ck_recommendations_position"):
        async with session.begin_nested():
            await session.execute(
                text("UPDATE recommendations SET position = 'accepted' WHERE id = :id"),
                {"id": rec.id},
            )
