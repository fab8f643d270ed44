"""The change feed over HTTP, on committed data: what enters it, its order, and replay.

The rest of the suite runs each test in one rolled-back transaction; the feed only shows what is
committed by transactions that have all finished, so these tests commit for real, in a database
of their own.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from models import ActionRecommendation, FollowUpGrade, ProgressUpdate, Recommendation
from models.enums import AssessorKind, Confidentiality, Grade, ImplementationStatus, ReviewState
from suivi.db import create_engine, create_sessionmaker, upgrade_database
from suivi.services import status
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
    """HTTP to an application whose requests commit, like in production."""
    app: FastAPI = create_app(Settings(database_url=empty_database_url))
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        yield client


async def _poll(client: httpx.AsyncClient, since: str | None = None) -> tuple[list[Any], str]:
    """Every event after `since`, page by page, and the cursor to continue from."""
    events: list[Any] = []
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if since:
            params["since"] = since
        response = await client.get("/v1/changes", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        events += page["items"]
        if page["next_cursor"] == since or not page["items"]:
            return events, page["next_cursor"]
        since = page["next_cursor"]


async def _seed(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessionmaker() as session, session.begin():
        doc = await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR")
        rec = await factories.recommendation(session, doc, "12")
        other = await factories.recommendation(session, doc, "13")
        action = await factories.action(session, "Law on associations")
        session.add(ActionRecommendation(action_id=action.id, recommendation_id=rec.id))
        org = await factories.organisation_called(session, "Hidden defenders' network")
        published = await factories.progress_update(
            session,
            recommendation_id=rec.id,
            organisation_id=org.id,
            confidentiality=Confidentiality.CONFIDENTIAL_SUBMITTER,
            review_state=ReviewState.PUBLISHED,
        )
        await factories.progress_update(
            session,
            recommendation_id=rec.id,
            narrative="Not yet reviewed",
            review_state=ReviewState.SUBMITTED,
        )
        await factories.progress_update(
            session,
            recommendation_id=other.id,
            narrative="Staff only",
            confidentiality=Confidentiality.RESTRICTED,
            review_state=ReviewState.PUBLISHED,
        )
        session.add(
            FollowUpGrade(
                recommendation_id=rec.id,
                grade=Grade.C,
                assessor_kind=AssessorKind.COMMITTEE,
                assessor="Human Rights Committee",
                graded_date=date(2025, 3, 1),
            )
        )
        await session.flush()
        await status.recompute(session, recommendation_ids=[rec.id, other.id])
        return {"rec": rec.id, "other": other.id, "action": action.id, "update": published.id}


async def test_feed_holds_published_changes_only(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _seed(sessionmaker)

    events, _ = await _poll(feed_client)

    kinds = [(event["kind"], event["object_id"]) for event in events]
    assert ("recommendation.created", str(ids["rec"])) in kinds
    assert ("recommendation.status_changed", str(ids["rec"])) in kinds
    assert ("action.created", str(ids["action"])) in kinds
    assert ("link.created", f"{ids['rec']}:{ids['action']}") in kinds
    assert ("update.published", str(ids["update"])) in kinds
    assert any(kind == "grade.created" for kind, _ in kinds)
    # One published, non-restricted update; the submitted and the restricted ones never enter.
    assert [k for k, _ in kinds].count("update.published") == 1
    body = str(events)
    assert "Not yet reviewed" not in body
    assert "Staff only" not in body
    assert "Hidden defenders' network" not in body
    # A restricted update does not move the public status either.
    other = [e for e in events if e["object_id"] == str(ids["other"])]
    assert [e["kind"] for e in other] == ["recommendation.created"]
    assert all(e["data"]["status"] == "not_assessed" for e in other)


async def test_replaying_the_feed_rebuilds_the_published_state(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _seed(sessionmaker)
    copy: dict[tuple[str, str], Any] = {}
    events, cursor = await _poll(feed_client)
    for event in events:
        copy[event["object_type"], event["object_id"]] = event["data"]

    # More changes, some after the dashboard's last poll: an unlink and a new status.
    async with sessionmaker() as session, session.begin():
        link = await session.get(ActionRecommendation, (ids["action"], ids["rec"]))
        assert link is not None
        await session.delete(link)
        rec = await session.get(Recommendation, ids["other"])
        assert rec is not None
        rec.office_status = ImplementationStatus.IMPLEMENTED
        await session.flush()
        await status.recompute(session, recommendation_ids=[ids["other"]])
    events, cursor = await _poll(feed_client, cursor)
    for event in events:
        copy[event["object_type"], event["object_id"]] = event["data"]

    listed = (await feed_client.get("/v1/recommendations", params={"limit": 500})).json()
    recommendations = {str(item["id"]): item for item in listed["items"]}
    replayed = {k: v for (t, k), v in copy.items() if t == "recommendation"}
    for key in recommendations:
        assert replayed[key] == recommendations[key], (replayed[key], recommendations[key])
    assert replayed.keys() == recommendations.keys()
    assert copy["action_link", f"{ids['rec']}:{ids['action']}"] is None
    assert copy["recommendation", str(ids["other"])]["status"] == "implemented"
    async with sessionmaker() as session:
        published = await session.scalars(
            select(ProgressUpdate.id).where(
                ProgressUpdate.review_state == ReviewState.PUBLISHED,
                ProgressUpdate.confidentiality != Confidentiality.RESTRICTED,
            )
        )
        assert {k for (t, k), v in copy.items() if t == "update" and v} == {
            str(i) for i in published
        }


async def test_a_late_commit_is_never_skipped(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """T1 starts first and commits last: T2's event comes first, T1's is not skipped."""
    async with sessionmaker() as seed, seed.begin():
        doc = await factories.document(seed, "A/HRC/52/12")
        doc_id = doc.id
    _, cursor = await _poll(feed_client)

    async with sessionmaker() as early, early.begin():
        early_doc = await early.get(type(doc), doc_id)
        assert early_doc is not None
        first = await factories.recommendation(early, early_doc, "1")
        async with sessionmaker() as late, late.begin():
            late_doc = await late.get(type(doc), doc_id)
            assert late_doc is not None
            second = await factories.recommendation(late, late_doc, "2")
        # T2 has committed, T1 has not: the poller gets T2's event and moves past it.
        seen, cursor = await _poll(feed_client, cursor)
        assert [e["object_id"] for e in seen] == [str(second.id)]
        # T1 commits now, after a poller moved past T2's event.
    events, _ = await _poll(feed_client, cursor)

    assert [e["object_id"] for e in events] == [str(first.id)]


async def test_concurrent_writers_and_a_poller_see_each_event_once(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as seed, seed.begin():
        doc = await factories.document(seed, "A/HRC/52/12")
        doc_id = doc.id
    _, cursor = await _poll(feed_client)
    writers_done = asyncio.Event()

    async def writer(n: int) -> None:
        async with sessionmaker() as session, session.begin():
            own_doc = await session.get(type(doc), doc_id)
            assert own_doc is not None
            await factories.recommendation(session, own_doc, f"w{n}")
            # Commit in a different order than the transactions began.
            await asyncio.sleep(0.05 * ((n * 7) % 5))

    seen: list[str] = []

    async def poller() -> None:
        nonlocal cursor
        while True:
            done = writers_done.is_set()
            events, cursor = await _poll(feed_client, cursor)
            seen.extend(e["object_id"] for e in events)
            if done:
                return
            await asyncio.sleep(0.01)

    polling = asyncio.create_task(poller())
    await asyncio.gather(*(writer(n) for n in range(12)))
    writers_done.set()
    await polling

    async with sessionmaker() as session:
        created = (
            await session.scalars(
                text("SELECT object_id FROM change_events WHERE kind = 'recommendation.created'")
            )
        ).all()
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == set(created)


async def test_a_cursor_from_elsewhere_is_refused(feed_client: httpx.AsyncClient) -> None:
    response = await feed_client.get("/v1/changes", params={"since": "bm90LWEtY3Vyc29y"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    stream = await feed_client.get("/v1/changes/stream", headers={"Last-Event-ID": "garbage"})
    assert stream.status_code == 422
