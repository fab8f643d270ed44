"""GET/POST /v1/institutions and GET /v1/institutions/{id}, through HTTP."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent
from models.enums import OrganisationKind, Role
from tests import factories


async def _key(session: AsyncSession, role: Role) -> dict[str, str]:
    if role is Role.FOCAL_POINT:
        ministry = await factories.institution(session, "Ministère de la Justice")
        key = await factories.api_key(
            session,
            role,
            organisation="Justice ministry",
            kind=OrganisationKind.STATE,
            institution_id=ministry.id,
        )
    elif role is Role.SUBMITTER:
        key = await factories.api_key(
            session, role, organisation="LTDH", kind=OrganisationKind.CIVIL_SOCIETY
        )
    else:
        key = await factories.api_key(session, role)
    return factories.bearer(key)


async def test_staff_creates_an_institution(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = await _key(session, Role.STAFF)

    response = await client.post(
        "/v1/institutions",
        json={"name": "  Instance nationale de lutte contre la corruption ", "state": "TUN"},
        headers=headers,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Instance nationale de lutte contre la corruption"
    assert (body["state"], body["parent_id"]) == ("TUN", None)
    assert body["created_at"]
    assert response.headers["location"] == f"/v1/institutions/{body['id']}"
    again = await client.get(response.headers["location"])
    assert again.json() == body


async def test_creation_is_audited(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = await _key(session, Role.ADMIN)
    parent = await factories.institution(session, "Ministère de l'Intérieur")

    created = await client.post(
        "/v1/institutions",
        json={"name": "Direction générale de la sûreté", "state": "TUN", "parent_id": parent.id},
        headers=headers,
    )

    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "institution.created")
    )
    assert event is not None
    assert (event.object_type, event.object_id) == ("institution", str(created.json()["id"]))
    assert event.summary == {"state": "TUN", "parent_id": parent.id}
    assert event.actor_prefix is not None


async def test_create_without_a_key_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/institutions", json={"name": "X", "state": "TUN"})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:unauthenticated"


async def test_focal_points_and_submitters_may_not_create(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for role in (Role.FOCAL_POINT, Role.SUBMITTER):
        response = await client.post(
            "/v1/institutions",
            json={"name": f"Made by {role}", "state": "TUN"},
            headers=await _key(session, role),
        )

        assert response.status_code == 403, role
        assert response.json()["type"] == "urn:suivi:problem:forbidden"


async def test_state_must_be_an_assigned_alpha3_code(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = await _key(session, Role.STAFF)

    unassigned = await client.post(
        "/v1/institutions", json={"name": "Nowhere office", "state": "XXX"}, headers=headers
    )
    malformed = await client.post(
        "/v1/institutions", json={"name": "Nowhere office", "state": "tn"}, headers=headers
    )

    for response in (unassigned, malformed):
        assert response.status_code == 422
        assert [e["name"] for e in response.json()["errors"]] == ["state"]


async def test_parent_must_exist_and_be_of_the_same_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = await _key(session, Role.STAFF)
    moroccan = await factories.institution(session, "Ministère de la Justice", state="MAR")

    missing = await client.post(
        "/v1/institutions",
        json={"name": "Cour de cassation", "state": "TUN", "parent_id": 999_999_999},
        headers=headers,
    )
    foreign = await client.post(
        "/v1/institutions",
        json={"name": "Cour de cassation", "state": "TUN", "parent_id": moroccan.id},
        headers=headers,
    )

    for response in (missing, foreign):
        assert response.status_code == 422
        problem = response.json()
        assert problem["errors"][0]["name"] == "parent_id"
        assert problem["errors"][0]["location"] == "body"


async def test_duplicate_name_in_a_state_is_409(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = await _key(session, Role.STAFF)
    await factories.institution(session, "Ministère de la Justice")

    duplicate = await client.post(
        "/v1/institutions",
        json={"name": "Ministère de la Justice", "state": "TUN"},
        headers=headers,
    )
    elsewhere = await client.post(
        "/v1/institutions",
        json={"name": "Ministère de la Justice", "state": "MAR"},
        headers=headers,
    )

    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "urn:suivi:problem:conflict"
    assert elsewhere.status_code == 201


async def test_unknown_fields_are_rejected(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(
        "/v1/institutions",
        json={"name": "Ministère", "state": "TUN", "id": 5},
        headers=await _key(session, Role.STAFF),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "id"


async def test_public_lists_and_filters_by_state_and_parent(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    justice = await factories.institution(session, "Ministère de la Justice")
    prisons = await factories.institution(
        session, "Comité général des prisons", parent_id=justice.id
    )
    moroccan = await factories.institution(session, "CNDH", state="MAR")

    everything = (await client.get("/v1/institutions")).json()
    tunisian = (await client.get("/v1/institutions", params={"state": "TUN"})).json()
    both = (await client.get("/v1/institutions?state=TUN&state=MAR")).json()
    parts = (await client.get("/v1/institutions", params={"parent_id": justice.id})).json()

    assert [i["id"] for i in everything["items"]] == [justice.id, prisons.id, moroccan.id]
    assert [i["id"] for i in tunisian["items"]] == [justice.id, prisons.id]
    assert len(both["items"]) == 3
    assert parts["items"] == [
        {
            "id": prisons.id,
            "name": "Comité général des prisons",
            "state": "TUN",
            "parent_id": justice.id,
            "created_at": parts["items"][0]["created_at"],
        }
    ]


async def test_list_pages_with_a_cursor(client: httpx.AsyncClient, session: AsyncSession) -> None:
    created = [await factories.institution(session, f"Institution {n}") for n in range(5)]

    first = (await client.get("/v1/institutions", params={"limit": 2})).json()
    second = (
        await client.get("/v1/institutions", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    third = (
        await client.get("/v1/institutions", params={"limit": 2, "cursor": second["next_cursor"]})
    ).json()

    seen = [i["id"] for page in (first, second, third) for i in page["items"]]
    assert seen == [i.id for i in created]
    assert third["next_cursor"] is None


async def test_bad_list_parameters_are_422(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/v1/institutions", params={"country": "TUN"})
    cursor = await client.get("/v1/institutions", params={"cursor": "not-a-cursor"})

    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["name"] == "country"
    assert cursor.status_code == 422
    assert cursor.json()["type"] == "urn:suivi:problem:invalid-cursor"


async def test_unknown_institution_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/institutions/999999999")

    assert response.status_code == 404
    assert response.json()["type"] == "urn:suivi:problem:not-found"
