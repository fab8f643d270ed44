"""Reviewing progress updates: publish, reject, retract, their conflicts and their traces."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiClient, AuditEvent, ProgressUpdate
from models.enums import OrganisationKind, Role
from tests import factories

ORG_A = "Defenders Network A"


@dataclass
class World:
    recommendation_id: int
    action_id: int
    staff_key: str
    staff: dict[str, str]
    admin: dict[str, str]
    submitter_a: dict[str, str]
    submitter_a2: dict[str, str]
    submitter_b: dict[str, str]
    focal_point: dict[str, str]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "105.34")
    ministry = await factories.institution(session, "Ministry of Justice")
    action = await factories.action(
        session, "Draft law on associations", institution_id=ministry.id
    )
    civil = OrganisationKind.CIVIL_SOCIETY
    staff_key = await factories.api_key(session, Role.STAFF)
    return World(
        recommendation_id=rec.id,
        action_id=action.id,
        staff_key=staff_key,
        staff=factories.bearer(staff_key),
        admin=factories.bearer(await factories.api_key(session, Role.ADMIN)),
        submitter_a=factories.bearer(
            await factories.api_key(session, Role.SUBMITTER, organisation=ORG_A, kind=civil)
        ),
        submitter_a2=factories.bearer(
            await factories.api_key(session, Role.SUBMITTER, organisation=ORG_A, kind=civil)
        ),
        submitter_b=factories.bearer(
            await factories.api_key(
                session, Role.SUBMITTER, organisation="Lawyers Collective B", kind=civil
            )
        ),
        focal_point=factories.bearer(
            await factories.api_key(
                session,
                Role.FOCAL_POINT,
                organisation="Ministry of Justice",
                kind=OrganisationKind.STATE,
                institution_id=ministry.id,
            )
        ),
    )


async def _submit(client: httpx.AsyncClient, world: World, path: str = "", **overrides: Any) -> int:
    body = {
        "source_type": "civil_society",
        "assessed_status": "partially_implemented",
        "narrative": "Two of the five detained defenders were released.",
        "evidence_urls": [],
        "as_of_date": "2024-05-01",
        "confidentiality": "confidential_submitter",
    } | overrides
    response = await client.post(
        path or f"/v1/recommendations/{world.recommendation_id}/updates",
        json=body,
        headers=world.submitter_a,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _events(session: AsyncSession, update_id: int) -> list[AuditEvent]:
    return list(
        (
            await session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.object_type == "progress_update",
                    AuditEvent.object_id == str(update_id),
                )
                .order_by(AuditEvent.id)
            )
        ).all()
    )


async def _status(client: httpx.AsyncClient, world: World) -> str:
    detail = await client.get(f"/v1/recommendations/{world.recommendation_id}")
    return str(detail.json()["status"])


@pytest.mark.parametrize("reviewer", ["staff", "admin"])
async def test_staff_publish_a_submitted_update(
    client: httpx.AsyncClient, session: AsyncSession, world: World, reviewer: str
) -> None:
    update_id = await _submit(client, world)

    response = await client.post(
        f"/v1/updates/{update_id}/publish", headers=getattr(world, reviewer)
    )

    assert response.status_code == 200
    published = response.json()
    assert published["review_state"] == "published"
    assert published["reviewed_at"] is not None
    row = await session.get_one(ProgressUpdate, update_id)
    assert row.reviewed_by_client_id is not None
    public_view = (await client.get(f"/v1/updates/{update_id}")).json()
    assert public_view["review_state"] == "published"
    assert public_view["submitter"] is None


async def test_the_reviewer_is_recorded_but_never_shown(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    update_id = await _submit(client, world)

    response = await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)

    row = await session.get_one(ProgressUpdate, update_id)
    reviewer = await session.get_one(ApiClient, row.reviewed_by_client_id)
    assert reviewer.prefix == world.staff_key.split("_")[1]
    for headers in ({}, world.submitter_a, world.staff):
        shown = await client.get(f"/v1/updates/{update_id}", headers=headers)
        assert reviewer.prefix not in shown.text
    assert reviewer.prefix not in response.text


async def test_publishing_recomputes_the_recommendation_s_status(
    client: httpx.AsyncClient, world: World
) -> None:
    update_id = await _submit(client, world)
    assert await _status(client, world) == "not_assessed"

    await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)

    assert await _status(client, world) == "partially_implemented"
    detail = (await client.get(f"/v1/recommendations/{world.recommendation_id}")).json()
    assert [update["id"] for update in detail["progress_updates"]] == [update_id]
    assert detail["progress_updates"][0]["organisation"] is None


async def test_a_published_restricted_update_does_not_move_the_public_status(
    client: httpx.AsyncClient, world: World
) -> None:
    update_id = await _submit(client, world, confidentiality="restricted")

    await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)

    assert await _status(client, world) == "not_assessed"


async def test_publishing_an_action_update_leaves_statuses_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    update_id = await _submit(client, world, path=f"/v1/actions/{world.action_id}/updates")

    response = await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)

    assert response.json()["review_state"] == "published"
    assert await _status(client, world) == "not_assessed"


async def test_rejecting_and_retracting_leave_the_status_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    rejected = await _submit(client, world)
    retracted = await _submit(client, world)

    await client.post(f"/v1/updates/{rejected}/reject", json={"reason": "x"}, headers=world.staff)
    await client.post(f"/v1/updates/{retracted}/retract", headers=world.submitter_a)

    assert await _status(client, world) == "not_assessed"


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("publish", "publish"),
        ("publish", "reject"),
        ("publish", "retract"),
        ("reject", "publish"),
        ("reject", "reject"),
        ("reject", "retract"),
        ("retract", "publish"),
        ("retract", "reject"),
        ("retract", "retract"),
    ],
)
async def test_only_a_submitted_update_can_be_reviewed_or_retracted(
    client: httpx.AsyncClient, world: World, first: str, then: str
) -> None:
    update_id = await _submit(client, world)

    async def do(verb: str) -> httpx.Response:
        headers = world.submitter_a if verb == "retract" else world.staff
        body = {"reason": "Not verifiable."} if verb == "reject" else None
        return await client.post(f"/v1/updates/{update_id}/{verb}", json=body, headers=headers)

    assert (await do(first)).status_code == 200
    response = await do(then)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:conflict"


@pytest.mark.parametrize("verb", ["publish", "reject"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("public", 401), ("submitter_a", 403), ("submitter_b", 403), ("focal_point", 403)],
)
async def test_only_staff_review(
    client: httpx.AsyncClient, world: World, verb: str, who: str, status: int
) -> None:
    update_id = await _submit(client, world)
    headers = {} if who == "public" else getattr(world, who)

    response = await client.post(
        f"/v1/updates/{update_id}/{verb}", json={"reason": "No."}, headers=headers
    )

    assert response.status_code == status
    still = (await client.get(f"/v1/updates/{update_id}", headers=world.staff)).json()
    assert still["review_state"] == "submitted"


@pytest.mark.parametrize("verb", ["publish", "reject", "retract"])
async def test_reviewing_an_unknown_update_is_404(
    client: httpx.AsyncClient, world: World, verb: str
) -> None:
    headers = world.submitter_a if verb == "retract" else world.staff

    response = await client.post(
        f"/v1/updates/999999/{verb}", json={"reason": "No."}, headers=headers
    )

    assert response.status_code == 404
    assert response.json()["type"] == "urn:suivi:problem:not-found"


@pytest.mark.parametrize("body", [None, {}, {"reason": ""}, {"reason": "   "}])
async def test_rejecting_needs_a_reason(
    client: httpx.AsyncClient, world: World, body: dict[str, str] | None
) -> None:
    update_id = await _submit(client, world)

    response = await client.post(f"/v1/updates/{update_id}/reject", json=body, headers=world.staff)

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:invalid-parameters"
    still = (await client.get(f"/v1/updates/{update_id}", headers=world.staff)).json()
    assert still["review_state"] == "submitted"


async def test_publishing_takes_no_body(client: httpx.AsyncClient, world: World) -> None:
    update_id = await _submit(client, world)

    response = await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)

    assert response.status_code == 200
    assert response.json()["review_reason"] is None


async def test_the_rejection_reason_goes_back_to_the_submitter_only(
    client: httpx.AsyncClient, world: World
) -> None:
    update_id = await _submit(client, world)
    reason = "The linked report does not mention the recommendation."

    rejected = await client.post(
        f"/v1/updates/{update_id}/reject", json={"reason": reason}, headers=world.staff
    )

    assert rejected.json()["review_state"] == "rejected"
    assert rejected.json()["review_reason"] == reason
    own = (await client.get(f"/v1/updates/{update_id}", headers=world.submitter_a2)).json()
    assert (own["review_state"], own["review_reason"]) == ("rejected", reason)
    listed = (
        await client.get(
            "/v1/updates", params={"review_state": "rejected"}, headers=world.submitter_a
        )
    ).json()
    assert [(item["id"], item["review_reason"]) for item in listed["items"]] == [
        (update_id, reason)
    ]
    for outsider in ({}, world.submitter_b, world.focal_point):
        response = await client.get(f"/v1/updates/{update_id}", headers=outsider)
        assert response.status_code == 404
        assert reason not in response.text


@pytest.mark.parametrize("who", ["submitter_a", "submitter_a2"])
async def test_the_submitting_organisation_retracts_before_review(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    update_id = await _submit(client, world)

    response = await client.post(f"/v1/updates/{update_id}/retract", headers=getattr(world, who))

    assert response.status_code == 200
    assert response.json()["review_state"] == "retracted"
    assert response.json()["reviewed_at"] is None
    queue = (
        await client.get("/v1/updates", params={"review_state": "submitted"}, headers=world.staff)
    ).json()
    assert update_id not in [item["id"] for item in queue["items"]]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        # Cannot see an unpublished update of another organisation: it does not exist for them.
        ("submitter_b", 404),
        ("focal_point", 404),
        # Can see it, but it is not theirs.
        ("staff", 403),
        ("admin", 403),
        ("public", 401),
    ],
)
async def test_others_may_not_retract(
    client: httpx.AsyncClient, world: World, who: str, status: int
) -> None:
    update_id = await _submit(client, world)
    headers = {} if who == "public" else getattr(world, who)

    response = await client.post(f"/v1/updates/{update_id}/retract", headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


async def test_another_organisation_retracting_a_published_update_is_403(
    client: httpx.AsyncClient, world: World
) -> None:
    update_id = await _submit(client, world)
    await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)

    # Published, it is visible to B: refusing is no longer a leak.
    response = await client.post(f"/v1/updates/{update_id}/retract", headers=world.submitter_b)

    assert response.status_code == 403
    assert response.json()["type"] == "urn:suivi:problem:forbidden"


async def test_every_step_appends_an_audit_event_without_content_or_identity(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    published = await _submit(client, world)
    rejected = await _submit(client, world)
    retracted = await _submit(client, world)

    await client.post(f"/v1/updates/{published}/publish", headers=world.staff)
    await client.post(
        f"/v1/updates/{rejected}/reject", json={"reason": "Unverifiable."}, headers=world.staff
    )
    await client.post(f"/v1/updates/{retracted}/retract", headers=world.submitter_a)

    trails = {
        update_id: [(event.action, event.summary) for event in await _events(session, update_id)]
        for update_id in (published, rejected, retracted)
    }
    subject = {"recommendation_id": world.recommendation_id}

    def step(update_id: int, action: str, state: str) -> tuple[str, dict[str, Any]]:
        summary = {"update_id": update_id, **subject, "from_state": "submitted"}
        return action, summary | {"review_state": state}

    for update_id, (action, state) in {
        published: ("update.published", "published"),
        rejected: ("update.rejected", "rejected"),
        retracted: ("update.retracted", "retracted"),
    }.items():
        assert [action for action, _ in trails[update_id]] == ["update.submitted", action]
        assert trails[update_id][1] == step(update_id, action, state)
        flat = str(trails[update_id])
        assert "defenders" not in flat
        assert "Unverifiable" not in flat
        assert ORG_A not in flat


async def test_a_refused_review_appends_nothing(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    update_id = await _submit(client, world)
    await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)

    await client.post(f"/v1/updates/{update_id}/publish", headers=world.staff)
    await client.post(f"/v1/updates/{update_id}/retract", headers=world.submitter_a)

    actions = [event.action for event in await _events(session, update_id)]
    assert actions == ["update.submitted", "update.published"]
