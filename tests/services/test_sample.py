"""The illustrative sample loads once, across the three mechanisms, with derived statuses."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from importers.sample import read_sample
from models import Body, ProgressUpdate, Recommendation, StateAction
from models.enums import ImplementationStatus, SourceFormat
from suivi.services import sample


async def test_sample_loads_around_fifty_recommendations_across_mechanisms(
    session: AsyncSession,
) -> None:
    report = await sample.load(session, sample=read_sample())

    assert not report.already_loaded
    assert 40 <= report.recommendations <= 60
    mechanisms = set(
        (
            await session.scalars(
                select(Body.mechanism_code)
                .join(Recommendation, Recommendation.body_id == Body.id)
                .where(Recommendation.source_format == SourceFormat.SAMPLE)
                .distinct()
            )
        ).all()
    )
    assert mechanisms == {"upr", "treaty_body", "special_procedure"}
    assert await session.scalar(select(func.count()).select_from(StateAction)) == report.actions > 0
    assert report.updates > 0


async def test_sample_is_labelled_as_sample(session: AsyncSession) -> None:
    data = read_sample()

    assert "not real" in data.notice
    assert all(document.symbol.startswith("SAMPLE/") for document in data.documents)


async def test_second_load_writes_nothing(session: AsyncSession) -> None:
    await sample.load(session, sample=read_sample())
    count = await session.scalar(select(func.count()).select_from(Recommendation))

    report = await sample.load(session, sample=read_sample())

    assert report.already_loaded
    assert await session.scalar(select(func.count()).select_from(Recommendation)) == count


async def test_status_follows_latest_published_non_restricted_update(
    session: AsyncSession,
) -> None:
    await sample.load(session, sample=read_sample())

    statuses = dict((await session.execute(select(Recommendation.id, Recommendation.status))).all())
    published = (
        await session.execute(
            select(
                ProgressUpdate.recommendation_id,
                ProgressUpdate.assessed_status,
                ProgressUpdate.confidentiality,
                ProgressUpdate.review_state,
                ProgressUpdate.as_of_date,
            ).order_by(ProgressUpdate.as_of_date, ProgressUpdate.id)
        )
    ).all()
    expected: dict[int | None, ImplementationStatus] = {}
    for rec_id, assessed, confidentiality, review_state, _ in published:
        if review_state == "published" and confidentiality != "restricted":
            expected[rec_id] = assessed
    assert expected, "the sample should publish some updates"
    for rec_id, status in statuses.items():
        assert status == expected.get(rec_id, ImplementationStatus.NOT_ASSESSED)
