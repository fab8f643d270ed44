"""An attacker's view of access control and of the defenders' protection, one leak per test.

A correction is by the same organisation as the update it corrects (or by the office): a link
between an update that names its submitter and one that does not would name the latter. A
restricted update must not even show as a change of its recommendation. Key prefixes and client
addresses stay out of the logs.
"""

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api.app import create_app
from models.enums import Confidentiality, OrganisationKind, ReviewState, Role
from suivi.db import create_engine, create_sessionmaker, upgrade_database
from suivi.logging import configure_logging
from suivi.services import status
from suivi.settings import Settings
from tests import factories

DEFENDERS = "Réseau des défenseurs de Sfax"


@dataclass
class World:
    recommendation_id: int
    organisation_id: int
    headers: dict[str, dict[str, str]]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "105.34")
    org = await factories.organisation_called(session, DEFENDERS)
    ministry = await factories.institution(session, "Ministry of Justice")
    keys = {
        "staff": await factories.api_key(session, Role.STAFF),
        "submitter": await factories.api_key(
            session, Role.SUBMITTER, organisation=DEFENDERS, kind=OrganisationKind.CIVIL_SOCIETY
        ),
        "other_submitter": await factories.api_key(
            session,
            Role.SUBMITTER,
            organisation="Lawyers Collective",
            kind=OrganisationKind.CIVIL_SOCIETY,
        ),
        "focal_point": await factories.api_key(
            session,
            Role.FOCAL_POINT,
            organisation="Ministry of Justice focal point",
            kind=OrganisationKind.STATE,
            institution_id=ministry.id,
        ),
    }
    headers = {"public": {}, **{who: factories.bearer(key) for who, key in keys.items()}}
    return World(rec.id, org.id, headers)


OUTSIDERS = ("public", "other_submitter", "focal_point")
INSIDERS = ("staff", "submitter")


async def _pair(
    session: AsyncSession,
    world: World,
    *,
    old: Confidentiality,
    new: Confidentiality,
    old_state: ReviewState = ReviewState.PUBLISHED,
) -> tuple[int, int]:
    """An update of the defenders, and their published correction of it."""
    original = await factories.progress_update(
        session,
        recommendation_id=world.recommendation_id,
        organisation_id=world.organisation_id,
        confidentiality=old,
        review_state=old_state,
    )
    correction = await factories.progress_update(
        session,
        recommendation_id=world.recommendation_id,
        organisation_id=world.organisation_id,
        confidentiality=new,
        review_state=ReviewState.PUBLISHED,
        supersedes_id=original.id,
    )
    return original.id, correction.id


async def _read(client: httpx.AsyncClient, world: World, who: str, update_id: int) -> Any:
    response = await client.get(f"/v1/updates/{update_id}", headers=world.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        (Confidentiality.PUBLIC, Confidentiality.CONFIDENTIAL_SUBMITTER),
        (Confidentiality.CONFIDENTIAL_SUBMITTER, Confidentiality.PUBLIC),
    ],
)
async def test_a_correction_does_not_tie_an_unnamed_update_to_a_named_one(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
    who: str,
    old: Confidentiality,
    new: Confidentiality,
) -> None:
    original, correction = await _pair(session, world, old=old, new=new)

    seen_original = await _read(client, world, who, original)
    seen_correction = await _read(client, world, who, correction)

    # One of the two names the defenders; the link would name them on the other as well.
    named = [u for u in (seen_original, seen_correction) if u["submitter"] is not None]
    assert [u["submitter"]["organisation"] for u in named] == [DEFENDERS]
    assert seen_original["superseded_by"] is None
    assert seen_correction["supersedes_id"] is None


@pytest.mark.parametrize("who", INSIDERS)
async def test_insiders_still_see_the_correction_link(
    client: httpx.AsyncClient, session: AsyncSession, world: World, who: str
) -> None:
    original, correction = await _pair(
        session, world, old=Confidentiality.PUBLIC, new=Confidentiality.CONFIDENTIAL_SUBMITTER
    )

    assert (await _read(client, world, who, original))["superseded_by"] == correction
    assert (await _read(client, world, who, correction))["supersedes_id"] == original


@pytest.mark.parametrize(
    "confidentiality", [Confidentiality.PUBLIC, Confidentiality.CONFIDENTIAL_SUBMITTER]
)
async def test_the_public_sees_a_link_between_updates_named_alike(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
    confidentiality: Confidentiality,
) -> None:
    original, correction = await _pair(session, world, old=confidentiality, new=confidentiality)

    assert (await _read(client, world, "public", original))["superseded_by"] == correction
    assert (await _read(client, world, "public", correction))["supersedes_id"] == original


# The change feed shows committed data only: these tests commit, in a database of their own.


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


async def _feed(client: httpx.AsyncClient, since: str | None = None) -> tuple[list[Any], str]:
    events: list[Any] = []
    while True:
        params: dict[str, str | int] = {"limit": 100}
        if since:
            params["since"] = since
        page = (await client.get("/v1/changes", params=params)).json()
        events += page["items"]
        if not page["items"]:
            return events, page["next_cursor"]
        since = page["next_cursor"]


@dataclass
class FeedWorld:
    recommendation_id: int
    updates: dict[str, int]
    staff: dict[str, str]


async def _feed_world(sessionmaker: async_sessionmaker[AsyncSession]) -> FeedWorld:
    async with sessionmaker() as session, session.begin():
        doc = await factories.document(session, "A/HRC/52/10")
        rec = await factories.recommendation(session, doc, "105.34")
        org = await factories.organisation_called(session, DEFENDERS)
        staff = factories.bearer(await factories.api_key(session, Role.STAFF))

        async def update(name: str, **columns: Any) -> None:
            row = await factories.progress_update(
                session, recommendation_id=rec.id, organisation_id=org.id, **columns
            )
            updates[name] = row.id

        updates: dict[str, int] = {}
        await update("named", review_state=ReviewState.PUBLISHED)
        await update(
            "unnamed_correction",
            review_state=ReviewState.PUBLISHED,
            confidentiality=Confidentiality.CONFIDENTIAL_SUBMITTER,
            supersedes_id=updates["named"],
        )
        await update("rejected", review_state=ReviewState.REJECTED)
        await update(
            "correction_of_rejected",
            review_state=ReviewState.PUBLISHED,
            supersedes_id=updates["rejected"],
        )
        await update(
            "restricted",
            review_state=ReviewState.SUBMITTED,
            confidentiality=Confidentiality.RESTRICTED,
            as_of_date=date(2025, 1, 1),
        )
        await status.recompute(session, recommendation_ids=[rec.id])
    return FeedWorld(rec.id, updates, staff)


async def test_the_feed_does_not_tie_an_unnamed_correction_to_its_named_original(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world = await _feed_world(sessionmaker)

    events, _ = await _feed(feed_client)

    data = {e["object_id"]: e["data"] for e in events if e["object_type"] == "update"}
    correction = data[str(world.updates["unnamed_correction"])]
    assert correction["organisation"] is None
    assert correction["supersedes_id"] is None
    assert data[str(world.updates["named"])]["organisation"] == DEFENDERS


async def test_the_feed_never_names_a_hidden_superseded_update(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world = await _feed_world(sessionmaker)

    events, _ = await _feed(feed_client)

    data = {e["object_id"]: e["data"] for e in events if e["object_type"] == "update"}
    assert data[str(world.updates["correction_of_rejected"])]["supersedes_id"] is None
    assert str(world.updates["rejected"]) not in data


async def test_publishing_a_restricted_update_shows_the_public_nothing(
    feed_client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world = await _feed_world(sessionmaker)
    _, cursor = await _feed(feed_client)
    url = f"/v1/recommendations/{world.recommendation_id}"
    before = await feed_client.get(url)

    published = await feed_client.post(
        f"/v1/updates/{world.updates['restricted']}/publish", headers=world.staff
    )

    assert published.status_code == 200, published.text
    after = await feed_client.get(url)
    assert after.json() == before.json()
    assert after.headers["etag"] == before.headers["etag"]
    # Not even an anonymous "the recommendation changed" at the moment staff published it.
    events, _ = await _feed(feed_client, cursor)
    assert events == []


# Keys and logs


async def test_a_new_key_never_takes_an_existing_prefix(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = factories.bearer(await factories.api_key(session, Role.ADMIN))
    org = await factories.organisation_called(session, DEFENDERS)
    taken = admin["Authorization"].split("_")[1]
    prefixes = iter([taken, "0badcafe"])
    real = secrets.token_hex
    # 32 random bits: two keys sharing a prefix is rare, but must not be a 500 naming the other.
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(prefixes) if n == 4 else real(n))

    response = await client.post(
        "/v1/keys", json={"organisation_id": org.id, "role": "submitter"}, headers=admin
    )

    assert response.status_code == 201, response.text
    assert response.json()["prefix"] == "0badcafe"
    new = factories.bearer(response.json()["key"])
    assert (await client.get("/v1/updates", headers=new)).status_code == 200
    assert (await client.get("/v1/keys", headers=admin)).status_code == 200


def test_a_server_s_own_access_log_never_records_the_client_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    configure_logging("info")

    # What uvicorn logs for each request unless `--no-access-log` (as `suivi serve` passes).
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "203.0.113.7:40123", "GET", "/v1/updates", "1.1", 200
    )

    assert "203.0.113.7" not in caplog.text
