"""Removing the illustrative sample takes all of it away, leaves everything else as it was, and
never deletes a real submission."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from importers.sample import read_sample
from models import (
    ActionRecommendation,
    ApiClient,
    AuditEvent,
    Document,
    Institution,
    Organisation,
    ProgressUpdate,
    Recommendation,
    StateAction,
)
from models.enums import ReviewState, Role
from suivi.db import create_engine, create_sessionmaker, upgrade_database
from suivi.errors import Unauthenticated
from suivi.services import audit, changes, keys, sample, summaries
from suivi.services.keys import Caller
from suivi.services.sample import SampleData
from suivi.services.sample_removal import SampleHasRealUpdates, SampleRemoval, remove
from suivi.settings import Settings
from tests import factories

# Logs that only ever grow, by design: the removal appends to them and deletes none of their
# rows, even those about sample objects.
APPEND_ONLY = frozenset({"audit_events", "change_events", "feed_transactions"})


@pytest.fixture
def data() -> SampleData:
    return read_sample()


async def _row_counts(session: AsyncSession) -> dict[str, int]:
    """Rows in every table of the schema but the append-only logs."""
    tables = (
        await session.scalars(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename"
            )
        )
    ).all()
    return {
        table: int(await session.scalar(text(f'SELECT count(*) FROM "{table}"')) or 0)
        for table in tables
        if table not in APPEND_ONLY
    }


async def _rows(session: AsyncSession, table: str, ids: list[int]) -> list[dict[str, Any]]:
    """The rows of `table` with these ids, every column, as the database holds them."""
    result = await session.execute(
        text(f"SELECT * FROM {table} WHERE id = ANY(:ids) ORDER BY id"), {"ids": ids}
    )
    return [dict(row) for row in result.mappings()]


async def _sample_recommendation(session: AsyncSession) -> Recommendation:
    return (
        await session.scalars(
            select(Recommendation)
            .where(Recommendation.source_format == "sample", Recommendation.state_code == "TUN")
            .order_by(Recommendation.id)
            .limit(1)
        )
    ).one()


async def _organisation(session: AsyncSession, name: str) -> Organisation:
    return (await session.scalars(select(Organisation).where(Organisation.name == name))).one()


async def _audit_events(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def test_removal_leaves_every_table_as_before_the_load(
    session: AsyncSession, data: SampleData
) -> None:
    before = await _row_counts(session)
    report = await sample.load(session, sample=data)
    # A key someone issued to a sample organisation while trying the demo.
    await keys.create_key(
        session, organisation=await _organisation(session, "Sample Country Office"), role=Role.STAFF
    )
    loaded = await _row_counts(session)

    removal = await remove(session, sample=data)

    assert await _row_counts(session) == before
    assert {table for table in loaded if loaded[table] != before[table]} >= {
        "recommendations",
        "recommendation_texts",
        "position_history",
        "documents",
        "institutions",
        "organisations",
        "api_clients",
        "state_actions",
        "action_recommendations",
        "progress_updates",
        "recommendation_counts",
        "recommendation_facet_counts",
    }
    assert removal.loaded
    assert removal.recommendations == report.recommendations
    assert removal.actions == report.actions
    assert removal.updates == report.updates
    assert removal.documents == len(data.documents)
    assert removal.institutions == len(data.institutions)
    assert removal.organisations == len(data.organisations)
    assert removal.keys == 1
    assert removal.counts()["kept"] == {
        "documents": 0,
        "institutions": 0,
        "organisations": 0,
        "keys": 0,
    }


async def test_records_outside_the_sample_survive_untouched(
    session: AsyncSession, data: SampleData
) -> None:
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(
        session, doc, "139.1", texts={"en": "Protect.", "fr": "P."}
    )
    org = await factories.organisation_called(session, "Tunisian League for Human Rights")
    update = await factories.progress_update(
        session,
        recommendation_id=rec.id,
        organisation_id=org.id,
        review_state=ReviewState.PUBLISHED,
    )
    await sample.load(session, sample=data)
    kept = {
        "recommendations": await _rows(session, "recommendations", [rec.id]),
        "documents": await _rows(session, "documents", [doc.id]),
        "organisations": await _rows(session, "organisations", [org.id]),
        "progress_updates": await _rows(session, "progress_updates", [update.id]),
    }

    await remove(session, sample=data)

    for table, rows in kept.items():
        ids = [row["id"] for row in rows]
        assert await _rows(session, table, ids) == rows
    translations = await session.execute(
        text("SELECT language, text FROM recommendation_texts WHERE recommendation_id = :id"),
        {"id": rec.id},
    )
    assert translations.all() == [("fr", "P.")]


async def test_a_second_removal_finds_nothing_and_records_nothing(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    await remove(session, sample=data)
    counts = await _row_counts(session)
    events = await _audit_events(session)

    again = await remove(session, sample=data)

    assert not again.loaded
    assert again == SampleRemoval(loaded=False)
    assert await _row_counts(session) == counts
    assert await _audit_events(session) == events


async def test_is_loaded_follows_the_load_and_the_removal(
    session: AsyncSession, data: SampleData
) -> None:
    assert not await sample.is_loaded(session)
    await sample.load(session, sample=data)
    assert await sample.is_loaded(session)
    await remove(session, sample=data)
    assert not await sample.is_loaded(session)


async def test_the_removal_is_audited_and_the_chain_verifies(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)

    removal = await remove(session, sample=data)

    last = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()))).first()
    assert last is not None
    assert (last.action, last.object_type, last.object_id) == ("sample.removed", "sample", None)
    assert last.summary == removal.counts()
    assert last.summary["removed"]["recommendations"] == removal.recommendations
    assert await audit.verify(session) is None


async def test_the_statistics_summaries_match_after_the_removal(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)

    await remove(session, sample=data)

    assert await summaries.check(session) == {
        summaries.COUNTS: 0,
        summaries.FACET_COUNTS: 0,
    }


async def test_the_setting_that_lets_updates_go_is_off_after_the_removal(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)

    await remove(session, sample=data)

    setting = await session.scalar(text("SELECT current_setting('suivi.removing_sample', true)"))
    assert setting == "off"


async def test_a_real_update_on_a_sample_recommendation_refuses_the_removal(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    target = await _sample_recommendation(session)
    org = await factories.organisation_called(session, "Tunisian League for Human Rights")
    await factories.progress_update(session, recommendation_id=target.id, organisation_id=org.id)
    counts = await _row_counts(session)
    events = await _audit_events(session)

    with pytest.raises(SampleHasRealUpdates, match=r"^1 progress update about") as refused:
        await remove(session, sample=data)

    assert refused.value.count == 1
    assert await _row_counts(session) == counts
    assert await _audit_events(session) == events
    assert await sample.is_loaded(session)


async def test_the_database_refuses_to_delete_a_real_update_even_during_a_removal(
    session: AsyncSession,
) -> None:
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "139.1")
    update = await factories.progress_update(session, recommendation_id=rec.id)

    savepoint = await session.begin_nested()
    await session.execute(text("SET LOCAL suivi.removing_sample = 'on'"))

    with pytest.raises(DBAPIError, match="DELETE on progress_updates is refused"):
        await session.execute(
            text("DELETE FROM progress_updates WHERE id = :id"), {"id": update.id}
        )
    await savepoint.rollback()

    assert await session.get(ProgressUpdate, update.id) is not None


async def test_the_database_refuses_to_delete_a_sample_update_outside_a_removal(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    update_id = await session.scalar(
        select(ProgressUpdate.id)
        .join(Recommendation, Recommendation.id == ProgressUpdate.recommendation_id)
        .where(Recommendation.source_format == "sample")
        .limit(1)
    )

    with pytest.raises(DBAPIError, match="DELETE on progress_updates is refused"):
        async with session.begin_nested():
            await session.execute(
                text("DELETE FROM progress_updates WHERE id = :id"), {"id": update_id}
            )


async def test_an_action_that_also_answers_a_real_recommendation_is_kept(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    action = (
        await session.scalars(select(StateAction).where(StateAction.title == data.actions[0].title))
    ).one()
    version = action.version
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "139.1")
    session.add(ActionRecommendation(action_id=action.id, recommendation_id=rec.id))
    await session.flush()

    removal = await remove(session, sample=data)

    assert removal.actions == len(data.actions) - 1
    links = await session.scalars(
        select(ActionRecommendation.recommendation_id).where(
            ActionRecommendation.action_id == action.id
        )
    )
    assert links.all() == [rec.id]
    kept = await session.scalar(select(StateAction.version).where(StateAction.id == action.id))
    assert kept == version + 1
    # Its institution, and that institution's parent if any, stay with it.
    assert removal.kept_institutions >= 1
    assert await session.get(Institution, action.institution_id) is not None


async def test_a_sample_institution_a_real_action_uses_is_kept_with_its_parent(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    prisons = (
        await session.scalars(
            select(Institution).where(
                Institution.name == "General Committee of Prisons and Rehabilitation"
            )
        )
    ).one()
    action = await factories.action(session, "Prison visits register", institution_id=prisons.id)

    removal = await remove(session, sample=data)

    assert removal.kept_institutions == 2
    assert removal.institutions == len(data.institutions) - 2
    assert await session.get(StateAction, action.id) is not None
    names = await session.scalars(select(Institution.name).order_by(Institution.name))
    assert names.all() == ["General Committee of Prisons and Rehabilitation", "Ministry of Justice"]


async def test_a_sample_document_a_real_recommendation_cites_is_kept(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    document = (
        await session.scalars(select(Document).where(Document.symbol == data.documents[0].symbol))
    ).one()
    rec = await factories.recommendation(session, document, "999")

    removal = await remove(session, sample=data)

    assert removal.kept_documents == 1
    assert removal.documents == len(data.documents) - 1
    assert await session.get(Recommendation, rec.id) is not None


async def test_a_sample_key_named_by_a_real_review_is_revoked_not_deleted(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    office = await _organisation(session, "Sample Country Office")
    client, key = await keys.create_key(session, organisation=office, role=Role.STAFF)
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "139.1")
    org = await factories.organisation_called(session, "Tunisian League for Human Rights")
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        organisation_id=org.id,
        review_state=ReviewState.PUBLISHED,
        reviewed_at=datetime.now(UTC),
        reviewed_by_client_id=client.id,
    )

    removal = await remove(session, sample=data)

    assert (removal.keys, removal.kept_keys) == (0, 1)
    assert (removal.organisations, removal.kept_organisations) == (len(data.organisations) - 1, 1)
    revoked = await session.scalar(select(ApiClient.revoked_at).where(ApiClient.id == client.id))
    assert revoked is not None
    with pytest.raises(Unauthenticated):
        await keys.authenticate(session, key=key)


async def test_a_sample_organisation_named_in_the_audit_trail_stays_without_its_keys(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    office = await _organisation(session, "Sample Country Office")
    client, _ = await keys.create_key(session, organisation=office, role=Role.STAFF)
    actor = Caller(
        prefix=client.prefix, role=Role.STAFF, organisation_id=office.id, organisation=office.name
    )
    await audit.record(
        session, actor=actor, action="update.published", object_type="progress_update", object_id=1
    )

    removal = await remove(session, sample=data)

    assert (removal.keys, removal.kept_keys, removal.kept_organisations) == (1, 0, 1)
    assert await session.get(ApiClient, client.id) is None
    assert await session.get(Organisation, office.id) is not None
    assert await audit.verify(session) is None


async def test_the_change_feed_hears_of_every_removed_object(
    session: AsyncSession, data: SampleData
) -> None:
    await sample.load(session, sample=data)
    published = sum(
        1
        for update in data.updates
        if update.review_state == "published" and update.confidentiality != "restricted"
    )

    removal = await remove(session, sample=data)

    kinds: dict[str, int] = dict(
        (
            await session.execute(
                text(
                    "SELECT kind, count(*) FROM change_events "
                    "WHERE txid = pg_current_xact_id() AND kind LIKE '%.deleted' GROUP BY kind"
                )
            )
        ).all()
    )
    assert kinds == {
        "recommendation.deleted": removal.recommendations,
        "action.deleted": removal.actions,
        "link.deleted": removal.action_links,
        "update.deleted": published,
    }


@pytest.fixture
async def committed_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    """A database of its own whose transactions commit, as the command's do."""
    await asyncio.to_thread(upgrade_database, empty_database_url)
    engine = create_engine(empty_database_url, Settings(database_url=empty_database_url))
    yield engine
    await engine.dispose()


async def test_a_committed_removal_empties_the_feed_copy_and_keeps_the_checks_passing(
    committed_engine: AsyncEngine, data: SampleData
) -> None:
    sessionmaker = create_sessionmaker(committed_engine)
    async with sessionmaker.begin() as session:
        await sample.load(session, sample=data)
    async with sessionmaker.begin() as session:
        await remove(session, sample=data)

    async with sessionmaker.begin() as session:
        assert not await sample.is_loaded(session)
        assert await audit.verify(session) is None
        assert not any((await summaries.check(session)).values())
        # A copy kept by replaying the feed holds nothing once the removal is read.
        copy: dict[tuple[str, str], Any] = {}
        for change in await changes.page(session, limit=10_000):
            copy[change.object_type, change.object_id] = change.data
        assert copy
        assert all(value is None for value in copy.values())
