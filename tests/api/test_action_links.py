"""PUT/DELETE /v1/recommendations/{id}/actions/{action_id}: linking State actions, through HTTP."""

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Institution, Recommendation
from models.enums import OrganisationKind, Role
from tests import factories


@dataclass
class World:
    """A Tunisian and a Moroccan recommendation, two ministries, keys of every role."""

    recommendation: Recommendation
    moroccan_recommendation: Recommendation
    justice: Institution
    interior: Institution
    staff: dict[str, str]
    justice_focal: dict[str, str]
    submitter: dict[str, str]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    tunisian = await factories.document(session, "A/HRC/52/10")
    moroccan = await factories.document(session, "A/HRC/52/7", state="MAR")
    justice = await factories.institution(session, "Ministère de la Justice")
    interior = await factories.institution(session, "Ministère de l'Intérieur")
    focal = await factories.api_key(
        session,
        Role.FOCAL_POINT,
        organisation="Justice ministry",
        kind=OrganisationKind.STATE,
        institution_id=justice.id,
    )
    submitter = await factories.api_key(
        session, Role.SUBMITTER, organisation="LTDH", kind=OrganisationKind.CIVIL_SOCIETY
    )
    return World(
        recommendation=await factories.recommendation(session, tunisian, "105.34"),
        moroccan_recommendation=await factories.recommendation(session, moroccan, "144.2"),
        justice=justice,
        interior=interior,
        staff=factories.bearer(await factories.api_key(session, Role.STAFF)),
        justice_focal=factories.bearer(focal),
        submitter=factories.bearer(submitter),
    )


def _path(recommendation_id: int, action_id: int) -> str:
    return f"/v1/recommendations/{recommendation_id}/actions/{action_id}"


def _problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:suivi:problem:{slug}"
    assert response.json()["status"] == status


async def _audit(session: AsyncSession, action: str) -> list[AuditEvent]:
    return list(
        (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ).all()
    )


async def test_a_new_link_is_201_and_shows_on_both_sides(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law", institution_id=world.justice.id)
    rec = world.recommendation

    response = await client.put(
        _path(rec.id, action.id), json={"note": "Answers the call for a law."}, headers=world.staff
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["recommendation_id"], body["action_id"]) == (rec.id, action.id)
    assert body["note"] == "Answers the call for a law."
    assert body["created_at"]
    read = (await client.get(f"/v1/actions/{action.id}")).json()
    assert read["recommendations"] == [{"id": rec.id, "note": "Answers the call for a law."}]
    detail = (await client.get(f"/v1/recommendations/{rec.id}")).json()
    assert [(a["id"], a["note"]) for a in detail["actions"]] == [
        (action.id, "Answers the call for a law.")
    ]
    linked = (await client.get("/v1/actions", params={"recommendation_id": rec.id})).json()
    assert [item["id"] for item in linked["items"]] == [action.id]


async def test_an_existing_link_is_200_and_its_note_replaced(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    path = _path(world.recommendation.id, action.id)
    await client.put(path, json={"note": "First."}, headers=world.staff)

    again = await client.put(path, json={"note": "Second."}, headers=world.staff)
    cleared = await client.put(path, headers=world.staff)

    assert (again.status_code, again.json()["note"]) == (200, "Second.")
    assert (cleared.status_code, cleared.json()["note"]) == (200, None)
    read = (await client.get(f"/v1/actions/{action.id}")).json()
    assert read["recommendations"] == [{"id": world.recommendation.id, "note": None}]


async def test_a_link_needs_no_body(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    empty = await client.put(_path(world.recommendation.id, action.id), headers=world.staff)

    assert empty.status_code == 201
    assert empty.json()["note"] is None


async def test_a_link_refuses_unknown_fields(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    response = await client.put(
        _path(world.recommendation.id, action.id),
        json={"note": "x", "created_at": "2020-01-01T00:00:00Z"},
        headers=world.staff,
    )

    _problem(response, 422, "invalid-parameters")


async def test_linking_is_audited(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    path = _path(world.recommendation.id, action.id)

    await client.put(path, json={"note": "How."}, headers=world.staff)
    await client.put(path, json={"note": "How."}, headers=world.staff)
    await client.put(path, json={"note": "Better how."}, headers=world.staff)

    events = await _audit(session, "action.linked")
    assert [(e.object_type, e.object_id) for e in events] == [
        ("recommendation", str(world.recommendation.id))
    ] * 3
    assert [e.summary for e in events] == [
        {"action_id": action.id, "created": True, "note_changed": True},
        {"action_id": action.id, "created": False, "note_changed": False},
        {"action_id": action.id, "created": False, "note_changed": True},
    ]


async def test_linking_bumps_the_action_version(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    before = (await client.get(f"/v1/actions/{action.id}")).headers["etag"]

    await client.put(_path(world.recommendation.id, action.id), headers=world.staff)
    after = (await client.get(f"/v1/actions/{action.id}")).headers["etag"]
    stale = await client.patch(
        f"/v1/actions/{action.id}",
        json={"title": "Based on an old read"},
        headers={**world.staff, "If-Match": before},
    )

    assert after != before
    _problem(stale, 412, "precondition-failed")


async def test_an_unchanged_link_keeps_the_version(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    path = _path(world.recommendation.id, action.id)
    await client.put(path, json={"note": "How."}, headers=world.staff)
    before = (await client.get(f"/v1/actions/{action.id}")).headers["etag"]

    await client.put(path, json={"note": "How."}, headers=world.staff)

    assert (await client.get(f"/v1/actions/{action.id}")).headers["etag"] == before


async def test_recommendation_and_action_must_concern_the_same_state(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    response = await client.put(
        _path(world.moroccan_recommendation.id, action.id), headers=world.staff
    )

    _problem(response, 422, "unprocessable")


async def test_an_archived_action_cannot_be_newly_linked(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    path = _path(world.recommendation.id, action.id)
    await client.put(path, json={"note": "Old."}, headers=world.staff)
    other = await factories.recommendation(
        session, await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR"), "24"
    )
    etag = (await client.get(f"/v1/actions/{action.id}")).headers["etag"]
    await client.patch(
        f"/v1/actions/{action.id}",
        json={"archived": True},
        headers={**world.staff, "If-Match": etag},
    )

    new_link = await client.put(_path(other.id, action.id), headers=world.staff)
    existing = await client.put(path, json={"note": "Kept."}, headers=world.staff)

    _problem(new_link, 409, "conflict")
    assert existing.status_code == 200


async def test_unknown_recommendation_or_action_is_404(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    no_recommendation = await client.put(_path(999_999_999, action.id), headers=world.staff)
    no_action = await client.put(_path(world.recommendation.id, 999_999_999), headers=world.staff)

    _problem(no_recommendation, 404, "not-found")
    _problem(no_action, 404, "not-found")


async def test_unlinking_is_204_audited_and_bumps_the_version(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    path = _path(world.recommendation.id, action.id)
    await client.put(path, json={"note": "How."}, headers=world.staff)
    before = (await client.get(f"/v1/actions/{action.id}")).headers["etag"]

    response = await client.delete(path, headers=world.staff)

    assert response.status_code == 204
    assert response.content == b""
    after = await client.get(f"/v1/actions/{action.id}")
    assert after.json()["recommendations"] == []
    assert after.headers["etag"] != before
    [event] = await _audit(session, "action.unlinked")
    assert (event.object_type, event.object_id) == ("recommendation", str(world.recommendation.id))
    assert event.summary == {"action_id": action.id}


async def test_unlinking_what_is_not_linked_is_404(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    response = await client.delete(_path(world.recommendation.id, action.id), headers=world.staff)

    _problem(response, 404, "not-found")
    assert await _audit(session, "action.unlinked") == []


async def test_a_focal_point_links_its_own_institutions_actions_only(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    own = await factories.action(session, "Justice reform", institution_id=world.justice.id)
    other = await factories.action(session, "Police training", institution_id=world.interior.id)
    staff_link = _path(world.recommendation.id, other.id)
    await client.put(staff_link, headers=world.staff)

    linked = await client.put(_path(world.recommendation.id, own.id), headers=world.justice_focal)
    refused = await client.put(
        _path(world.recommendation.id, other.id), headers=world.justice_focal
    )
    unlink_refused = await client.delete(staff_link, headers=world.justice_focal)
    unlinked = await client.delete(
        _path(world.recommendation.id, own.id), headers=world.justice_focal
    )

    assert linked.status_code == 201
    _problem(refused, 403, "forbidden")
    _problem(unlink_refused, 403, "forbidden")
    assert unlinked.status_code == 204


async def test_links_need_a_key_and_a_writer_role(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    path = _path(world.recommendation.id, action.id)

    _problem(await client.put(path), 401, "unauthenticated")
    _problem(await client.delete(path), 401, "unauthenticated")
    _problem(await client.put(path, headers=world.submitter), 403, "forbidden")
    _problem(await client.delete(path, headers=world.submitter), 403, "forbidden")
