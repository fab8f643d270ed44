"""Rules found missing when Suivi was run for real, one broken rule per test.

A government speaks only for its own State; a revoked, expired or malformed key is refused on
public reads too; only the office holds staff and admin keys; an idempotent replay says it is one.
"""

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api.app import create_app
from models import ApiClient, AuditEvent, ProgressUpdate
from models.enums import OrganisationKind, Role
from suivi.db import upgrade_database
from suivi.errors import InvalidField
from suivi.services import keys
from suivi.settings import Settings
from tests import factories
from tests.commands import run_suivi


@dataclass
class World:
    tunisia: int
    morocco: int
    morocco_action: int
    staff: dict[str, str]
    focal_point: dict[str, str]
    state_submitter: dict[str, str]
    stateless_focal_point: dict[str, str]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    tunisia = await factories.recommendation(
        session, await factories.document(session, "A/HRC/52/10"), "105.34"
    )
    morocco = await factories.recommendation(
        session, await factories.document(session, "A/HRC/52/7", state="MAR"), "56.12"
    )
    justice = await factories.institution(session, "Ministry of Justice")
    morocco_action = await factories.action(session, "Loi sur les associations", state="MAR")

    async def key(role: Role, organisation: str, **kw: Any) -> dict[str, str]:
        return factories.bearer(
            await factories.api_key(
                session, role, organisation=organisation, kind=OrganisationKind.STATE, **kw
            )
        )

    return World(
        tunisia=tunisia.id,
        morocco=morocco.id,
        morocco_action=morocco_action.id,
        staff=factories.bearer(await factories.api_key(session, Role.STAFF)),
        focal_point=await key(
            Role.FOCAL_POINT, "Ministry of Justice focal point", institution_id=justice.id
        ),
        state_submitter=await key(
            Role.SUBMITTER, "Ministry of Justice reports", institution_id=justice.id
        ),
        stateless_focal_point=await key(Role.FOCAL_POINT, "A ministry with no institution"),
    )


def _government(**overrides: Any) -> dict[str, Any]:
    return {
        "source_type": "government",
        "assessed_status": "implemented",
        "narrative": "The law was adopted.",
        "as_of_date": "2025-01-15",
        "confidentiality": "public",
    } | overrides


async def _updates(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(ProgressUpdate)) or 0)


# 1. A government speaks only for its own State.


async def test_a_focal_point_may_not_speak_for_another_state_s_government(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    before = await _updates(session)

    response = await client.post(
        f"/v1/recommendations/{world.morocco}/updates",
        json=_government(),
        headers=world.focal_point,
    )

    assert response.status_code == 403, response.text
    assert response.json()["type"] == "urn:suivi:problem:forbidden"
    assert "government of TUN" in response.json()["detail"]
    assert await _updates(session) == before


async def test_a_focal_point_speaks_for_its_own_state_s_government(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.tunisia}/updates",
        json=_government(),
        headers=world.focal_point,
    )

    assert response.status_code == 201, response.text


async def test_any_government_update_is_for_the_submitter_s_own_state(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.morocco}/updates",
        json=_government(),
        headers=world.state_submitter,
    )

    assert response.status_code == 403, response.text
    assert "government of TUN" in response.json()["detail"]


async def test_a_government_update_on_another_state_s_action_is_403(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/actions/{world.morocco_action}/updates",
        json=_government(),
        headers=world.state_submitter,
    )

    assert response.status_code == 403, response.text
    assert "government of TUN" in response.json()["detail"]


async def test_a_focal_point_of_no_institution_speaks_for_no_state(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.tunisia}/updates",
        json=_government(),
        headers=world.stateless_focal_point,
    )

    assert response.status_code == 403, response.text
    assert response.json()["type"] == "urn:suivi:problem:forbidden"


async def test_staff_record_a_government_update_for_any_state(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.morocco}/updates", json=_government(), headers=world.staff
    )

    assert response.status_code == 201, response.text


# 2. A key sent to a public read is authenticated.


async def _refused_keys(session: AsyncSession) -> dict[str, str]:
    office = await factories.organisation_called(
        session, "OHCHR Tunisia", kind=OrganisationKind.OFFICE
    )
    revoked_client, revoked = await keys.create_key(session, organisation=office, role=Role.STAFF)
    await keys.revoke(session, prefix=revoked_client.prefix)
    _, expired = await keys.create_key(
        session,
        organisation=office,
        role=Role.SUBMITTER,
        expires_at=datetime.now(UTC) - timedelta(seconds=1),
    )
    return {"revoked": f"Bearer {revoked}", "expired": f"Bearer {expired}"}


def _example_path(path: str) -> str:
    values = {"code": "TUN", "prefix": "0a1b2c3d"}
    filled = re.sub(r"\{(\w+)\}", lambda match: values.get(match[1], "1"), path)
    # Were the key let through, the stream would never end: a bad cursor ends it at once.
    return f"{filled}?since=bad" if filled.endswith("/stream") else filled


async def test_every_api_read_refuses_a_revoked_or_expired_key(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    refused = await _refused_keys(session)
    spec = (await client.get("/openapi.json")).json()
    reads = [path for path, item in spec["paths"].items() if "get" in item]

    answers = {
        (path, which): (
            await client.get(_example_path(path), headers={"Authorization": authorization})
        ).status_code
        for path in reads
        if path.startswith("/v1/")
        for which, authorization in refused.items()
    }

    assert len(answers) > 40
    assert {where: status for where, status in answers.items() if status != 401} == {}


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer    ",
        "sk_0a1b2c3d_no-scheme",
        "Bearer sk_00000000_not-a-key",
        "Bearer not-a-key-at-all",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/v1/recommendations",
        "/v1/states",
        "/v1/stats?group_by=state",
        "/v1/changes",
        "/v1/exports/recommendations.csv",
    ],
)
async def test_a_malformed_or_unknown_key_on_a_public_read_is_401(
    client: httpx.AsyncClient, path: str, authorization: str
) -> None:
    response = await client.get(path, headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:unauthenticated"


async def test_a_public_read_answers_without_a_key_and_with_a_working_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    key = await factories.api_key(
        session, Role.SUBMITTER, organisation="Ligue", kind=OrganisationKind.CIVIL_SOCIETY
    )

    anonymous = await client.get("/v1/recommendations")
    keyed = await client.get("/v1/recommendations", headers=factories.bearer(key))

    assert (anonymous.status_code, keyed.status_code) == (200, 200)
    assert keyed.json() == anonymous.json()


async def test_health_reads_no_key_and_no_database(database_url: str) -> None:
    # No lifespan runs here, so the application has no database to reach.
    app = create_app(Settings(database_url=database_url))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        response = await client.get("/health", headers={"Authorization": "Bearer sk_0_revoked"})

    assert response.status_code == 200


async def test_every_api_operation_declares_401_and_a_key(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    undeclared = [
        (method, path)
        for path, item in spec["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
        if "401" not in operation["responses"] or not operation.get("security")
    ]

    assert undeclared == []


# 3. Only the office holds staff and admin keys.


async def _organisation(client: httpx.AsyncClient, admin: dict[str, str], kind: str) -> int:
    response = await client.post(
        "/v1/organisations", json={"name": f"A {kind} organisation", "kind": kind}, headers=admin
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("civil_society", "staff"),
        ("civil_society", "admin"),
        ("state", "staff"),
        ("state", "admin"),
        ("nhri", "admin"),
        ("un", "staff"),
    ],
)
async def test_a_staff_or_admin_key_for_an_organisation_other_than_the_office_is_422(
    client: httpx.AsyncClient, session: AsyncSession, kind: str, role: str
) -> None:
    admin = factories.bearer(await factories.api_key(session, Role.ADMIN))
    organisation_id = await _organisation(client, admin, kind)
    before = (
        await session.scalar(select(func.count()).select_from(ApiClient)),
        await session.scalar(select(func.count()).select_from(AuditEvent)),
    )

    response = await client.post(
        "/v1/keys", json={"organisation_id": organisation_id, "role": role}, headers=admin
    )

    assert response.status_code == 422, response.text
    assert [error["name"] for error in response.json()["errors"]] == ["role"]
    assert "office" in response.json()["errors"][0]["reason"]
    after = (
        await session.scalar(select(func.count()).select_from(ApiClient)),
        await session.scalar(select(func.count()).select_from(AuditEvent)),
    )
    assert after == before


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("office", "staff"),
        ("office", "admin"),
        ("office", "submitter"),
        ("civil_society", "submitter"),
        ("state", "focal_point"),
        ("nhri", "submitter"),
    ],
)
async def test_a_role_the_organisation_s_kind_allows_is_issued(
    client: httpx.AsyncClient, session: AsyncSession, kind: str, role: str
) -> None:
    admin = factories.bearer(await factories.api_key(session, Role.ADMIN))
    organisation_id = await _organisation(client, admin, kind)

    response = await client.post(
        "/v1/keys", json={"organisation_id": organisation_id, "role": role}, headers=admin
    )

    assert response.status_code == 201, response.text


async def test_the_service_refuses_an_admin_key_to_civil_society(session: AsyncSession) -> None:
    ngo = await keys.create_organisation(session, name="Ligue", kind=OrganisationKind.CIVIL_SOCIETY)

    with pytest.raises(InvalidField) as refused:
        await keys.create_key(session, organisation=ngo, role=Role.ADMIN)

    assert refused.value.field == "role"


async def test_the_command_refuses_a_staff_key_to_civil_society_and_marks_old_ones(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url)

    def suivi(*args: str) -> tuple[int, str, str]:
        done = run_suivi(*args, database_url=url)
        return done.returncode, done.stdout, done.stderr

    for name, kind in (("OHCHR Tunisia", "office"), ("Ligue", "civil_society")):
        assert (await asyncio.to_thread(suivi, "orgs", "create", name, "--kind", kind))[0] == 0
    refused = await asyncio.to_thread(suivi, "keys", "create", "--org", "Ligue", "--role", "staff")
    office = await asyncio.to_thread(
        suivi, "keys", "create", "--org", "OHCHR Tunisia", "--role", "staff", "--json"
    )
    # A key issued before the rule, as an older Suivi wrote it.
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO api_clients (organisation_id, prefix, key_hash, role) "
                    "SELECT id, 'facade01', repeat('0', 64), 'admin' FROM organisations "
                    "WHERE name = 'Ligue'"
                )
            )
    finally:
        await engine.dispose()
    code, listing, warning = await asyncio.to_thread(suivi, "keys", "list")

    assert refused[0] == 1
    assert "office" in refused[2]
    assert "Ligue" in refused[2]
    assert office[0] == 0
    assert code == 0
    [old] = [line for line in listing.splitlines() if "facade01" in line]
    [fit] = [line for line in listing.splitlines() if json.loads(office[1])["prefix"] in line]
    assert "(!)" in old
    assert "(!)" not in fit
    assert "revoke" in warning


# 4. An idempotent replay is a 200 that says so.


async def test_a_replayed_submission_is_200_and_says_so(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    headers = {**world.focal_point, "Idempotency-Key": "report-2025-01"}
    path = f"/v1/recommendations/{world.tunisia}/updates"

    first = await client.post(path, json=_government(), headers=headers)
    count = await _updates(session)
    again = await client.post(path, json=_government(), headers=headers)

    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.json() == first.json()
    assert await _updates(session) == count


async def test_the_replay_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    for path in (
        "/v1/recommendations/{recommendation_id}/updates",
        "/v1/actions/{action_id}/updates",
    ):
        responses = spec["paths"][path]["post"]["responses"]
        assert {"200", "201"} <= set(responses), path
        assert "Idempotent-Replayed" in responses["200"]["headers"], path
