"""Who may see which progress update, and whose name: every role against every state."""

import itertools
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import ProgressUpdate
from models.enums import Confidentiality, OrganisationKind, ReviewState, Role
from tests import factories

ORG_A = "Defenders Network A"
ORG_B = "Lawyers Collective B"
STATES = list(ReviewState)
CONFIDENTIALITIES = list(Confidentiality)


@dataclass
class World:
    recommendation_id: int
    keys: dict[str, str | None]
    # (review state, confidentiality) -> an update of organisation A in that state.
    updates: dict[tuple[ReviewState, Confidentiality], ProgressUpdate]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "105.34")
    org_a = await factories.organisation_called(session, ORG_A)
    ministry = await factories.institution(session, "Ministry of Justice")
    keys: dict[str, str | None] = {
        "public": None,
        "staff": await factories.api_key(session, Role.STAFF),
        "admin": await factories.api_key(session, Role.ADMIN),
        "submitter_a": await factories.api_key(
            session, Role.SUBMITTER, organisation=ORG_A, kind=OrganisationKind.CIVIL_SOCIETY
        ),
        "submitter_b": await factories.api_key(
            session, Role.SUBMITTER, organisation=ORG_B, kind=OrganisationKind.CIVIL_SOCIETY
        ),
        "focal_point": await factories.api_key(
            session,
            Role.FOCAL_POINT,
            organisation="Ministry of Justice focal point",
            kind=OrganisationKind.STATE,
            institution_id=ministry.id,
        ),
    }
    updates = {
        (state, confidentiality): await factories.progress_update(
            session,
            recommendation_id=rec.id,
            organisation_id=org_a.id,
            review_state=state,
            confidentiality=confidentiality,
            narrative=f"{state} {confidentiality} narrative",
        )
        for state, confidentiality in itertools.product(STATES, CONFIDENTIALITIES)
    }
    return World(rec.id, keys, updates)


def _headers(world: World, who: str) -> dict[str, str]:
    key = world.keys[who]
    return factories.bearer(key) if key else {}


def _publicly_visible(state: ReviewState, confidentiality: Confidentiality) -> bool:
    return state is ReviewState.PUBLISHED and confidentiality is not Confidentiality.RESTRICTED


INSIDERS = ("staff", "admin", "submitter_a")
OUTSIDERS = ("public", "submitter_b", "focal_point")


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
@pytest.mark.parametrize(
    ("state", "confidentiality"), list(itertools.product(STATES, CONFIDENTIALITIES))
)
async def test_get_one_follows_the_visibility_rule(
    client: httpx.AsyncClient,
    world: World,
    who: str,
    state: ReviewState,
    confidentiality: Confidentiality,
) -> None:
    update = world.updates[state, confidentiality]

    response = await client.get(f"/v1/updates/{update.id}", headers=_headers(world, who))

    if who in INSIDERS or _publicly_visible(state, confidentiality):
        assert response.status_code == 200
        assert response.json()["review_state"] == state.value
    else:
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "urn:suivi:problem:not-found"
        # A hidden update reveals nothing of itself, not even its narrative.
        assert "narrative" not in response.text


@pytest.mark.parametrize("who", ["staff", "admin", "submitter_a"])
async def test_insiders_list_every_update_of_organisation_a(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    response = await client.get("/v1/updates", headers=_headers(world, who))

    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == sorted(update.id for update in world.updates.values())


@pytest.mark.parametrize("who", ["submitter_b", "focal_point"])
async def test_other_organisations_list_none_of_a_s_updates(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    response = await client.get("/v1/updates", headers=_headers(world, who))

    assert response.status_code == 200
    # Not even A's published ones: the list is the caller's own submissions.
    assert response.json() == {"items": [], "next_cursor": None}


async def test_the_list_is_not_public(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/v1/updates")

    assert response.status_code == 401
    assert response.json()["type"] == "urn:suivi:problem:unauthenticated"


async def test_organisation_id_filter_does_not_widen_a_submitter_s_list(
    client: httpx.AsyncClient, world: World
) -> None:
    org_a_id = next(iter(world.updates.values())).organisation_id

    response = await client.get(
        "/v1/updates",
        params={"organisation_id": org_a_id, "review_state": "published"},
        headers=_headers(world, "submitter_b"),
    )

    assert response.json()["items"] == []


async def test_staff_queue_filters_on_review_state(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(
        "/v1/updates",
        params=[("review_state", "submitted"), ("review_state", "rejected")],
        headers=_headers(world, "staff"),
    )

    states = {item["review_state"] for item in response.json()["items"]}
    assert states == {"submitted", "rejected"}
    assert len(response.json()["items"]) == 2 * len(CONFIDENTIALITIES)


async def test_list_pages_oldest_first_with_a_cursor(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = _headers(world, "staff")
    seen: list[int] = []
    params: dict[str, str | int] = {"limit": 5}
    while True:
        page = (await client.get("/v1/updates", params=params, headers=headers)).json()
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert seen == sorted(update.id for update in world.updates.values())


async def test_a_cursor_this_api_did_not_hand_out_is_422(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        "/v1/updates", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=_headers(world, "staff")
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:invalid-cursor"


@pytest.mark.parametrize("who", ["public", "submitter_b", "focal_point"])
async def test_outsiders_never_learn_a_confidential_submitter(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    update = world.updates[ReviewState.PUBLISHED, Confidentiality.CONFIDENTIAL_SUBMITTER]
    key_a = world.keys["submitter_a"]
    assert key_a is not None

    response = await client.get(f"/v1/updates/{update.id}", headers=_headers(world, who))

    body = response.json()
    assert body["submitter"] is None
    assert body["source_type"] == "civil_society"
    assert ORG_A not in response.text
    assert key_a.split("_")[1] not in response.text


@pytest.mark.parametrize("who", ["public", "submitter_b", "focal_point"])
async def test_outsiders_see_the_name_of_a_public_submitter(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    update = world.updates[ReviewState.PUBLISHED, Confidentiality.PUBLIC]

    response = await client.get(f"/v1/updates/{update.id}", headers=_headers(world, who))

    assert response.json()["submitter"] == {"organisation": ORG_A}


@pytest.mark.parametrize("who", INSIDERS)
async def test_insiders_see_a_confidential_submitter(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    update = world.updates[ReviewState.PUBLISHED, Confidentiality.CONFIDENTIAL_SUBMITTER]

    response = await client.get(f"/v1/updates/{update.id}", headers=_headers(world, who))

    assert response.json()["submitter"] == {"organisation": ORG_A}


async def test_restricted_is_never_public_even_when_published(
    client: httpx.AsyncClient, world: World
) -> None:
    update = world.updates[ReviewState.PUBLISHED, Confidentiality.RESTRICTED]

    one = await client.get(f"/v1/updates/{update.id}")
    detail = (await client.get(f"/v1/recommendations/{world.recommendation_id}")).json()

    assert one.status_code == 404
    assert update.id not in [item["id"] for item in detail["progress_updates"]]


async def test_review_reason_is_shown_only_to_staff_and_the_submitting_organisation(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    org_a_id = next(iter(world.updates.values())).organisation_id
    update = await factories.progress_update(
        session,
        recommendation_id=world.recommendation_id,
        organisation_id=org_a_id,
        review_state=ReviewState.PUBLISHED,
        review_reason="Published after checking the court record.",
    )

    reasons = {
        who: (await client.get(f"/v1/updates/{update.id}", headers=_headers(world, who))).json()[
            "review_reason"
        ]
        for who in INSIDERS + OUTSIDERS
    }

    assert reasons == {
        "staff": "Published after checking the court record.",
        "admin": "Published after checking the court record.",
        "submitter_a": "Published after checking the court record.",
        "public": None,
        "submitter_b": None,
        "focal_point": None,
    }


async def test_a_hidden_correction_is_not_announced_on_the_published_update(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    published = world.updates[ReviewState.PUBLISHED, Confidentiality.PUBLIC]
    correction = await factories.progress_update(
        session,
        recommendation_id=world.recommendation_id,
        organisation_id=published.organisation_id,
        supersedes_id=published.id,
    )

    seen_by_public = (await client.get(f"/v1/updates/{published.id}")).json()
    seen_by_a = (
        await client.get(f"/v1/updates/{published.id}", headers=_headers(world, "submitter_a"))
    ).json()

    assert seen_by_public["superseded_by"] is None
    assert seen_by_a["superseded_by"] == correction.id


async def test_a_hidden_superseded_update_is_not_named_by_its_correction(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    rejected = world.updates[ReviewState.REJECTED, Confidentiality.PUBLIC]
    correction = await factories.progress_update(
        session,
        recommendation_id=world.recommendation_id,
        organisation_id=rejected.organisation_id,
        review_state=ReviewState.PUBLISHED,
        supersedes_id=rejected.id,
    )

    seen_by_public = (await client.get(f"/v1/updates/{correction.id}")).json()
    seen_by_staff = (
        await client.get(f"/v1/updates/{correction.id}", headers=_headers(world, "staff"))
    ).json()

    assert seen_by_public["supersedes_id"] is None
    assert seen_by_staff["supersedes_id"] == rejected.id
