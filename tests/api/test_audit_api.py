"""GET /v1/audit and GET /v1/audit/verify through HTTP."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from models.enums import OrganisationKind, Role
from suivi.db import AUDIT_KEY_OPTION
from suivi.services import audit
from tests import factories

FIELDS = {
    "id",
    "occurred_at",
    "actor_prefix",
    "actor_organisation_id",
    "action",
    "object_type",
    "object_id",
    "summary",
    "previous_hash",
    "hash",
    "seal",
}


@pytest.fixture
async def admin(client: httpx.AsyncClient, session: AsyncSession) -> httpx.AsyncClient:
    """The client, calling with an administrator's key."""
    client.headers.update(factories.bearer(await factories.api_key(session, Role.ADMIN)))
    return client


def _prefix(client: httpx.AsyncClient) -> str:
    return client.headers["Authorization"].split("_")[1]


async def _org(client: httpx.AsyncClient, name: str) -> Any:
    response = await client.post("/v1/organisations", json={"name": name, "kind": "un"})
    assert response.status_code == 201
    return response.json()


async def _key(client: httpx.AsyncClient, organisation_id: int) -> Any:
    response = await client.post(
        "/v1/keys", json={"organisation_id": organisation_id, "role": "submitter"}
    )
    assert response.status_code == 201
    return response.json()


async def _list(client: httpx.AsyncClient, **params: Any) -> httpx.Response:
    return await client.get("/v1/audit", params=params)


def _assert_problem(response: httpx.Response, status: int, type_: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:suivi:problem:{type_}"


@pytest.mark.parametrize("path", ["/v1/audit", "/v1/audit/verify"])
async def test_public_is_401(client: httpx.AsyncClient, path: str) -> None:
    _assert_problem(await client.get(path), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.STAFF, OrganisationKind.OFFICE),
        (Role.SUBMITTER, OrganisationKind.CIVIL_SOCIETY),
        (Role.FOCAL_POINT, OrganisationKind.STATE),
    ],
)
@pytest.mark.parametrize("path", ["/v1/audit", "/v1/audit/verify"])
async def test_only_admins_read_the_trail(
    client: httpx.AsyncClient, session: AsyncSession, role: Role, kind: OrganisationKind, path: str
) -> None:
    key = await factories.api_key(session, role, organisation="Someone", kind=kind)

    _assert_problem(await client.get(path, headers=factories.bearer(key)), 403, "forbidden")


async def test_events_are_listed_newest_first_with_their_chain(admin: httpx.AsyncClient) -> None:
    org = await _org(admin, "UN Women")
    key = await _key(admin, org["id"])

    items = (await _list(admin)).json()["items"]

    assert [(e["action"], e["object_id"]) for e in items] == [
        ("key.created", key["prefix"]),
        ("organisation.created", str(org["id"])),
    ]
    assert set(items[0]) == FIELDS
    assert items[0]["previous_hash"] == items[1]["hash"]
    assert items[0]["actor_prefix"] == _prefix(admin)
    assert items[0]["actor_organisation_id"] is not None
    assert items[0]["summary"]["role"] == "submitter"


async def test_filters_on_action_object_and_actor(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    org = await _org(admin, "UN Women")
    key = await _key(admin, org["id"])
    await admin.post(f"/v1/keys/{key['prefix']}/revoke")
    await audit.record(session, actor=None, action="import", object_type="import_run", object_id=1)

    def actions(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [e["action"] for e in response.json()["items"]]

    assert actions(await admin.get("/v1/audit?action=key.created&action=key.revoked")) == [
        "key.revoked",
        "key.created",
    ]
    assert actions(await _list(admin, object_type="organisation")) == ["organisation.created"]
    assert actions(await _list(admin, object_type="api_key", object_id=key["prefix"])) == [
        "key.revoked",
        "key.created",
    ]
    assert actions(await _list(admin, actor_prefix=_prefix(admin))) == [
        "key.revoked",
        "key.created",
        "organisation.created",
    ]
    assert actions(await _list(admin, action="nothing.happened")) == []


async def test_since_is_inclusive_until_exclusive_and_naive_is_utc(
    admin: httpx.AsyncClient,
) -> None:
    await _org(admin, "UN Women")
    [event] = (await _list(admin)).json()["items"]
    at = datetime.fromisoformat(event["occurred_at"])

    def ids(response: httpx.Response) -> list[int]:
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()["items"]]

    assert ids(await _list(admin, since=at.isoformat())) == [event["id"]]
    assert ids(await _list(admin, until=at.isoformat())) == []
    assert ids(await _list(admin, since=(at + timedelta(microseconds=1)).isoformat())) == []
    assert ids(await _list(admin, until=(at + timedelta(seconds=1)).isoformat())) == [event["id"]]
    naive_utc = at.astimezone(UTC).replace(tzinfo=None)
    assert ids(await _list(admin, since=naive_utc.isoformat())) == [event["id"]]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2024-13-01T00:00:00Z"}, "until"),
        ({"limit": 0}, "limit"),
        ({"actor_prefix": "x" * 17}, "actor_prefix"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_malformed_filter_is_422_naming_it(
    admin: httpx.AsyncClient, params: dict[str, Any], name: str
) -> None:
    response = await _list(admin, **params)

    _assert_problem(response, 422, "invalid-parameters")
    assert [e["name"] for e in response.json()["errors"]] == [name]


async def test_pages_follow_the_cursor(admin: httpx.AsyncClient) -> None:
    for name in ("A", "B", "C"):
        await _org(admin, name)

    first = (await _list(admin, limit=2)).json()
    second = (await _list(admin, limit=2, cursor=first["next_cursor"])).json()

    assert [e["summary"]["name"] for e in first["items"] + second["items"]] == ["C", "B", "A"]
    assert second["next_cursor"] is None


async def test_foreign_cursor_is_422(admin: httpx.AsyncClient) -> None:
    _assert_problem(await _list(admin, cursor="WyJ4Il0"), 422, "invalid-cursor")


async def test_verify_reports_an_intact_chain(admin: httpx.AsyncClient) -> None:
    before = (await admin.get("/v1/audit/verify")).json()
    await _org(admin, "UN Women")

    after = (await admin.get("/v1/audit/verify")).json()

    assert after == {
        "intact": True,
        "events": before["events"] + 1,
        "first_broken_id": None,
        "problems": [],
        "seals": {"sha256": before["events"] + 1},
        "keyed": False,
        "key_missing": False,
    }


async def test_verify_names_the_first_altered_event(
    admin: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _org(admin, "UN Women")
    await _org(admin, "UNDP")
    altered = (await _list(admin, action="organisation.created")).json()["items"][-1]["id"]
    # Lifting the append-only guard, as someone with the database owner's rights could.
    await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    await session.execute(
        text("UPDATE audit_events SET summary = '{}' WHERE id = :id"), {"id": altered}
    )
    await session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))

    response = await admin.get("/v1/audit/verify")

    assert response.status_code == 200
    assert response.json()["intact"] is False
    assert response.json()["first_broken_id"] == altered


async def test_verify_reports_the_seals_and_a_keyed_chain(
    admin: httpx.AsyncClient, connection: AsyncConnection, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "7c2d" * 16
    # The key the server's engine carries from SUIVI_AUDIT_KEY.
    await connection.execution_options(**{AUDIT_KEY_OPTION: SecretStr(key)})
    await _org(admin, "UN Women")
    [event] = (await _list(admin, action="organisation.created")).json()["items"]

    report = (await admin.get("/v1/audit/verify")).json()

    assert event["seal"] == "hmac-sha256"
    assert report["intact"] is True
    assert report["keyed"] is True
    assert report["seals"]["hmac-sha256"] == 1
    assert report["key_missing"] is False
    assert key not in "".join(capsys.readouterr())


async def test_verify_without_the_key_says_keyed_events_were_not_checked(
    admin: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    await connection.execution_options(**{AUDIT_KEY_OPTION: SecretStr("7c2d" * 16)})
    await _org(admin, "UN Women")
    await connection.execution_options(**{AUDIT_KEY_OPTION: None})

    report = (await admin.get("/v1/audit/verify")).json()
    refused = await admin.post("/v1/organisations", json={"name": "UNDP", "kind": "un"})

    assert (report["intact"], report["key_missing"], report["first_broken_id"]) == (
        False,
        True,
        None,
    )
    assert "SUIVI_AUDIT_KEY is not set" in report["problems"][-1]
    _assert_problem(refused, 503, "audit-key")
