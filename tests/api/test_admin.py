"""The admin API through HTTP: organisations, contact reads and API keys."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent
from models.enums import OrganisationKind, Role
from tests import factories

CONTACT = "Leila B., +216 71 000 000, leila@example.org"


@pytest.fixture
async def admin(client: httpx.AsyncClient, session: AsyncSession) -> httpx.AsyncClient:
    """The client, calling with an administrator's key."""
    client.headers.update(factories.bearer(await factories.api_key(session, Role.ADMIN)))
    return client


async def _events(session: AsyncSession, action: str) -> list[AuditEvent]:
    return list(
        (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ).all()
    )


async def _count(session: AsyncSession, action: str) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
    ) or 0


async def _create_org(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/v1/organisations", json={"kind": "civil_society", **body})


async def _create_key(client: httpx.AsyncClient, organisation_id: int, **body: Any) -> Any:
    response = await client.post(
        "/v1/keys", json={"organisation_id": organisation_id, "role": "staff", **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _assert_problem(response: httpx.Response, status: int, type_: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:suivi:problem:{type_}"


# Every new operation, and whether staff may call it.
OPERATIONS: list[tuple[str, str, dict[str, Any] | None, bool]] = [
    ("POST", "/v1/organisations", {"name": "X", "kind": "un"}, False),
    ("GET", "/v1/organisations", None, True),
    ("GET", "/v1/organisations/1", None, True),
    ("POST", "/v1/keys", {"organisation_id": 1, "role": "admin"}, False),
    ("GET", "/v1/keys", None, False),
    ("POST", "/v1/keys/0a1b2c3d/revoke", None, False),
]


@pytest.mark.parametrize(("method", "path", "body", "_staff"), OPERATIONS)
async def test_public_is_401(
    client: httpx.AsyncClient, method: str, path: str, body: Any, _staff: bool
) -> None:
    response = await client.request(method, path, json=body)

    _assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize(("method", "path", "body", "_staff"), OPERATIONS)
async def test_unusable_key_is_401(
    client: httpx.AsyncClient, method: str, path: str, body: Any, _staff: bool
) -> None:
    response = await client.request(
        method, path, json=body, headers=factories.bearer("sk_00000000_not-a-key")
    )

    _assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    ("role", "kind"),
    [(Role.SUBMITTER, OrganisationKind.CIVIL_SOCIETY), (Role.FOCAL_POINT, OrganisationKind.STATE)],
)
@pytest.mark.parametrize(("method", "path", "body", "_staff"), OPERATIONS)
async def test_submitters_and_focal_points_are_403(
    client: httpx.AsyncClient,
    session: AsyncSession,
    role: Role,
    kind: OrganisationKind,
    method: str,
    path: str,
    body: Any,
    _staff: bool,
) -> None:
    key = await factories.api_key(session, role, organisation="Someone", kind=kind)

    response = await client.request(method, path, json=body, headers=factories.bearer(key))

    _assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("method", "path", "body"), [(m, p, b) for m, p, b, staff in OPERATIONS if not staff]
)
async def test_staff_may_not_administer(
    client: httpx.AsyncClient, session: AsyncSession, method: str, path: str, body: Any
) -> None:
    key = await factories.api_key(session, Role.STAFF)

    response = await client.request(method, path, json=body, headers=factories.bearer(key))

    _assert_problem(response, 403, "forbidden")


async def test_staff_lists_and_reads_organisations(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    key = await factories.api_key(session, Role.STAFF)
    organisation = await factories.organisation_called(session, "OHCHR Tunisia")
    client.headers.update(factories.bearer(key))

    listed = await client.get("/v1/organisations")
    read = await client.get(f"/v1/organisations/{organisation.id}")

    assert [item["name"] for item in listed.json()["items"]] == ["OHCHR Tunisia"]
    assert read.status_code == 200
    assert read.json()["name"] == "OHCHR Tunisia"


async def test_admin_creates_an_organisation(admin: httpx.AsyncClient) -> None:
    response = await _create_org(admin, name="Ligue tunisienne", contact=CONTACT)

    assert response.status_code == 201
    created = response.json()
    assert created["kind"] == "civil_society"
    assert created["contact"] == CONTACT
    assert response.headers["location"] == f"/v1/organisations/{created['id']}"
    assert (await admin.get(response.headers["location"])).json() == created


async def test_taken_name_is_409(admin: httpx.AsyncClient) -> None:
    await _create_org(admin, name="Ligue tunisienne")

    response = await _create_org(admin, name="Ligue tunisienne", kind="nhri")

    _assert_problem(response, 409, "conflict")
    assert "Ligue tunisienne" in response.json()["detail"]


async def test_state_organisation_acts_for_an_existing_institution(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    ministry = await factories.institution(session, "Ministry of Justice")

    response = await _create_org(
        admin, name="Ministry of Justice", kind="state", institution_id=ministry.id
    )

    assert response.status_code == 201
    assert response.json()["institution_id"] == ministry.id


async def test_unknown_institution_is_422(admin: httpx.AsyncClient) -> None:
    response = await _create_org(admin, name="Ministry", kind="state", institution_id=999999)

    _assert_problem(response, 422, "unprocessable")
    assert "999999" in response.json()["detail"]


async def test_institution_of_a_non_state_organisation_is_422(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    ministry = await factories.institution(session, "Ministry of Justice")

    response = await _create_org(admin, name="A coalition", institution_id=ministry.id)

    _assert_problem(response, 422, "unprocessable")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X", "kind": "party"},
        {"name": "", "kind": "un"},
        {"kind": "un"},
        {"name": "X", "kind": "un", "id": 7},
        {"name": "X", "kind": "un", "contact": "nul\x00byte"},
    ],
)
async def test_invalid_organisation_is_422_naming_the_field(
    admin: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await admin.post("/v1/organisations", json=body)

    _assert_problem(response, 422, "invalid-parameters")
    assert response.json()["errors"]


async def test_creation_is_audited_without_the_contact(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    created = (await _create_org(admin, name="Ligue tunisienne", contact=CONTACT)).json()
    prefix = admin.headers["Authorization"].split("_")[1]

    [event] = await _events(session, "organisation.created")

    assert event.object_type == "organisation"
    assert event.object_id == str(created["id"])
    assert event.actor_prefix == prefix
    assert event.summary == {
        "name": "Ligue tunisienne",
        "kind": "civil_society",
        "institution_id": None,
    }
    assert "contact" not in event.summary
    assert CONTACT not in str(event.summary)


async def test_list_has_no_contact(admin: httpx.AsyncClient) -> None:
    await _create_org(admin, name="Ligue tunisienne", contact=CONTACT)

    response = await admin.get("/v1/organisations")

    assert response.status_code == 200
    assert all("contact" not in item for item in response.json()["items"])
    assert CONTACT not in response.text


async def test_list_filters_kind_and_pages_by_name(admin: httpx.AsyncClient) -> None:
    for name in ("Gamma", "Alpha", "Beta"):
        await _create_org(admin, name=name)
    await _create_org(admin, name="Aardvark NHRI", kind="nhri")

    first = (
        await admin.get("/v1/organisations", params={"kind": "civil_society", "limit": 2})
    ).json()
    second = (
        await admin.get(
            "/v1/organisations",
            params={"kind": "civil_society", "limit": 2, "cursor": first["next_cursor"]},
        )
    ).json()

    assert [item["name"] for item in first["items"]] == ["Alpha", "Beta"]
    assert [item["name"] for item in second["items"]] == ["Gamma"]
    assert second["next_cursor"] is None


async def test_bad_cursor_is_422(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/v1/organisations", params={"cursor": "not-ours"})

    _assert_problem(response, 422, "invalid-cursor")


async def test_contact_read_is_audited(admin: httpx.AsyncClient, session: AsyncSession) -> None:
    created = (await _create_org(admin, name="Ligue tunisienne", contact=CONTACT)).json()
    before = await _count(session, "organisation.contact_read")

    response = await admin.get(f"/v1/organisations/{created['id']}")

    assert response.json()["contact"] == CONTACT
    events = await _events(session, "organisation.contact_read")
    assert len(events) == before + 1
    assert events[-1].object_id == str(created["id"])
    assert events[-1].actor_prefix == admin.headers["Authorization"].split("_")[1]
    assert CONTACT not in str(events[-1].summary)


async def test_reading_an_organisation_without_contact_is_not_a_contact_read(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    created = (await _create_org(admin, name="Ligue tunisienne")).json()

    response = await admin.get(f"/v1/organisations/{created['id']}")

    assert response.json()["contact"] is None
    assert await _count(session, "organisation.contact_read") == 0


async def test_unknown_organisation_is_404(admin: httpx.AsyncClient) -> None:
    response = await admin.get("/v1/organisations/999999")

    _assert_problem(response, 404, "not-found")


async def test_key_created_over_the_api_works_at_once(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = (await _create_org(admin, name="OHCHR Sousse", kind="office")).json()

    created = await _create_key(admin, org["id"], label="dashboard")

    assert created["key"].startswith(f"sk_{created['prefix']}_")
    assert created["org"] == "OHCHR Sousse"
    assert created["organisation"] == {"id": org["id"], "name": "OHCHR Sousse", "kind": "office"}
    assert (created["role"], created["label"], created["active"]) == ("staff", "dashboard", True)
    assert created["expires_at"] is None
    listed = await admin.get("/v1/organisations", headers=factories.bearer(created["key"]))
    assert listed.status_code == 200


async def test_key_creation_is_audited_without_the_key(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = (await _create_org(admin, name="UN Women", kind="un")).json()

    created = await _create_key(admin, org["id"], role="submitter")

    [event] = await _events(session, "key.created")
    assert (event.object_type, event.object_id) == ("api_key", created["prefix"])
    assert event.summary == {"organisation_id": org["id"], "role": "submitter", "expires_at": None}
    assert created["key"] not in str(event.summary)


async def test_key_with_a_future_expiry(admin: httpx.AsyncClient) -> None:
    org = (await _create_org(admin, name="OHCHR Sousse", kind="office")).json()
    expires_at = datetime.now(UTC) + timedelta(days=30)

    created = await _create_key(admin, org["id"], expires_at=expires_at.isoformat())

    assert datetime.fromisoformat(created["expires_at"]) == expires_at
    assert created["active"] is True


@pytest.mark.parametrize("expires_at", ["2020-01-01T00:00:00Z", "2020-01-01T00:00:00", "tomorrow"])
async def test_expiry_in_the_past_is_422(admin: httpx.AsyncClient, expires_at: str) -> None:
    org = (await _create_org(admin, name="UN Women", kind="un")).json()

    response = await admin.post(
        "/v1/keys", json={"organisation_id": org["id"], "role": "staff", "expires_at": expires_at}
    )

    _assert_problem(response, 422, "invalid-parameters")
    assert [e["name"] for e in response.json()["errors"]] == ["expires_at"]


async def test_key_for_an_unknown_organisation_is_404(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/v1/keys", json={"organisation_id": 999999, "role": "staff"})

    _assert_problem(response, 404, "not-found")


async def test_key_list_never_shows_the_key_or_its_hash(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = (await _create_org(admin, name="OHCHR Sousse", kind="office")).json()
    created = await _create_key(admin, org["id"])

    response = await admin.get("/v1/keys")

    assert response.status_code == 200
    [item] = [i for i in response.json()["items"] if i["prefix"] == created["prefix"]]
    assert set(item) == {
        "prefix",
        "organisation",
        "role",
        "label",
        "created_at",
        "expires_at",
        "revoked_at",
        "active",
    }
    assert created["key"] not in response.text
    secret = created["key"].split("_", 2)[2]
    assert secret not in response.text


async def test_key_list_filters_and_pages(admin: httpx.AsyncClient) -> None:
    org = (await _create_org(admin, name="UN Women", kind="un")).json()
    first = await _create_key(admin, org["id"], role="submitter")
    second = await _create_key(admin, org["id"], role="submitter")
    await admin.post(f"/v1/keys/{first['prefix']}/revoke")

    page = (await admin.get("/v1/keys", params={"organisation_id": org["id"], "limit": 1})).json()
    rest = (
        await admin.get(
            "/v1/keys",
            params={"organisation_id": org["id"], "limit": 1, "cursor": page["next_cursor"]},
        )
    ).json()
    revoked = (await admin.get("/v1/keys", params={"active": "false"})).json()
    submitters = (await admin.get("/v1/keys", params={"role": "submitter", "active": True})).json()

    assert [i["prefix"] for i in page["items"] + rest["items"]] == [
        second["prefix"],
        first["prefix"],
    ]
    assert rest["next_cursor"] is None
    assert [i["prefix"] for i in revoked["items"]] == [first["prefix"]]
    assert [i["prefix"] for i in submitters["items"]] == [second["prefix"]]


async def test_revocation_refuses_the_next_request(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = (await _create_org(admin, name="OHCHR Sousse", kind="office")).json()
    created = await _create_key(admin, org["id"])
    headers = factories.bearer(created["key"])
    assert (await admin.get("/v1/organisations", headers=headers)).status_code == 200

    response = await admin.post(f"/v1/keys/{created['prefix']}/revoke")

    assert response.status_code == 200
    record = response.json()
    assert record["prefix"] == created["prefix"]
    assert record["revoked_at"] is not None
    assert record["active"] is False
    assert "key" not in record
    refused = await admin.get("/v1/organisations", headers=headers)
    _assert_problem(refused, 401, "unauthenticated")


async def test_revocation_is_idempotent_and_audited_once(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = (await _create_org(admin, name="OHCHR Sousse", kind="office")).json()
    created = await _create_key(admin, org["id"])

    first = await admin.post(f"/v1/keys/{created['prefix']}/revoke")
    again = await admin.post(f"/v1/keys/{created['prefix']}/revoke")

    assert again.status_code == 200
    assert again.json() == first.json()
    [event] = await _events(session, "key.revoked")
    assert (event.object_type, event.object_id) == ("api_key", created["prefix"])
    assert event.actor_prefix == admin.headers["Authorization"].split("_")[1]


async def test_admin_may_revoke_its_own_key(admin: httpx.AsyncClient) -> None:
    prefix = admin.headers["Authorization"].split("_")[1]

    response = await admin.post(f"/v1/keys/{prefix}/revoke")

    assert response.status_code == 200
    assert response.json()["active"] is False
    _assert_problem(await admin.get("/v1/keys"), 401, "unauthenticated")


async def test_unknown_prefix_is_404(admin: httpx.AsyncClient) -> None:
    _assert_problem(await admin.post("/v1/keys/0a1b2c3d/revoke"), 404, "not-found")
    _assert_problem(await admin.post("/v1/keys/NOT-HEX/revoke"), 422, "invalid-parameters")
