"""The change feed under the cases its design must survive: restores, savepoints, SQL fixes.

Like tests/api/test_changes.py, these commit for real in a database of their own.
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from models import Document, Institution, Recommendation
from suivi.db import create_engine, create_sessionmaker, upgrade_database
from suivi.settings import Settings
from tests import factories


@pytest.fixture
async def feed_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(upgrade_database, empty_database_url)
    engine = create_engine(empty_database_url, Settings(database_url=empty_database_url))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(feed_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(feed_engine)


@pytest.fixture
async def feed_client(
    empty_database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(Settings(database_url=empty_database_url))
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        yield client


@pytest.fixture
async def doc_id(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session, session.begin():
        return (await factories.document(session, "A/HRC/52/12")).id


async def _poll(client: httpx.AsyncClient, since: str | None = None) -> tuple[list[Any], str]:
    """Every event after `since`, page by page, and the cursor to continue from."""
    events: list[Any] = []
    while True:
        params: dict[str, str | int] = {"limit": 4}
        if since:
            params["since"] = since
        response = await client.get("/v1/changes", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        events += page["items"]
        if not page["items"]:
            return events, page["next_cursor"]
        since = page["next_cursor"]


async def _add(session: AsyncSession, doc_id: int, paragraph: str) -> Recommendation:
    doc = await session.get(Document, doc_id)
    assert doc is not None
    return await factories.recommendation(session, doc, paragraph)


async def test_a_transaction_id_restored_from_a_dump_hides_no_new_event(
    feed_client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    feed_engine: AsyncEngine,
    doc_id: int,
) -> None:
    """A dump restored on a new server brings transaction ids that the new server hands out
    again: a new transaction must not join the events of an old one of the same id."""
    async with sessionmaker() as session, session.begin():
        await _add(session, doc_id, "before")
    async with sessionmaker() as writer, writer.begin():
        txid = (await writer.execute(text("SELECT pg_current_xact_id()::text"))).scalar_one()
        # What pg_restore loads (triggers off, as a restore's data section runs them): an old
        # transaction of that id, numbered before everything a reader has already seen.
        async with feed_engine.connect() as restore:
            await restore.execute(text("SET session_replication_role = replica"))
            await restore.execute(
                text(
                    "INSERT INTO feed_transactions (txid, seq) "
                    "VALUES (CAST(CAST(:t AS text) AS xid8), 0)"
                ),
                {"t": txid},
            )
            await restore.execute(
                text(
                    "INSERT INTO change_events (txid, kind, object_type, object_id) "
                    "VALUES (CAST(CAST(:t AS text) AS xid8), 'grade.created', 'grade', '999')"
                ),
                {"t": txid},
            )
            await restore.commit()
        seen, cursor = await _poll(feed_client)
        assert seen[-1]["kind"] == "recommendation.created"
        rec = await _add(writer, doc_id, "1")

    events, _ = await _poll(feed_client, cursor)

    assert [(e["kind"], e["object_id"]) for e in events] == [
        ("recommendation.created", str(rec.id))
    ]


async def test_events_of_a_rolled_back_savepoint_never_appear(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], doc_id: int
) -> None:
    _, cursor = await _poll(feed_client)
    async with sessionmaker() as session, session.begin():
        savepoint = await session.begin_nested()
        await _add(session, doc_id, "gone")
        await savepoint.rollback()
        kept = await _add(session, doc_id, "kept")

    events, _ = await _poll(feed_client, cursor)

    assert [(e["kind"], e["object_id"]) for e in events] == [
        ("recommendation.created", str(kept.id))
    ]


async def test_writes_after_constraints_set_immediate_keep_commit_order(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], doc_id: int
) -> None:
    """Numbered early, a transaction holds the numbering lock until it commits: a later one
    is numbered after it, and every event of the first is read before the second's."""
    _, cursor = await _poll(feed_client)
    async with sessionmaker() as first:
        await first.begin()
        a = await _add(first, doc_id, "a")
        await first.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
        b = await _add(first, doc_id, "b")

        async def second() -> int:
            async with sessionmaker() as session, session.begin():
                return (await _add(session, doc_id, "c")).id

        committing = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        # The second waits for the first at its commit (the advisory lock).
        assert not committing.done()
        assert (await _poll(feed_client, cursor))[0] == []
        await first.commit()
    c = await committing

    events, _ = await _poll(feed_client, cursor)

    assert [e["object_id"] for e in events] == [str(a.id), str(b.id), str(c)]


async def test_a_recommendation_deleted_in_sql_leaves_the_feed(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], doc_id: int
) -> None:
    """A copy rebuilt from the feed must lose a recommendation a fix by hand deleted."""
    async with sessionmaker() as session, session.begin():
        rec = await _add(session, doc_id, "1")
    _, cursor = await _poll(feed_client)
    async with sessionmaker() as session, session.begin():
        await session.execute(text("DELETE FROM recommendations WHERE id = :id"), {"id": rec.id})

    events, _ = await _poll(feed_client, cursor)

    assert [(e["kind"], e["object_id"], e["data"]) for e in events] == [
        ("recommendation.deleted", str(rec.id), None)
    ]


async def test_renaming_an_institution_updates_its_actions_in_the_feed(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """An action's public data names its institution: a rename is a change of the action."""
    async with sessionmaker() as session, session.begin():
        ministry = await factories.institution(session, "Ministry of Justice")
        action = await factories.action(session, "Decree", institution_id=ministry.id)
        await factories.action(session, "Other")
    _, cursor = await _poll(feed_client)
    async with sessionmaker() as session, session.begin():
        row = await session.get(Institution, ministry.id)
        assert row is not None
        row.name = "Ministry of Justice and Human Rights"

    events, _ = await _poll(feed_client, cursor)

    assert [(e["kind"], e["object_id"]) for e in events] == [("action.updated", str(action.id))]
    assert events[0]["data"]["institution"] == "Ministry of Justice and Human Rights"
