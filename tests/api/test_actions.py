"""GET/POST /v1/actions and GET/PATCH /v1/actions/{id}, through HTTP."""

from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Institution
from models.enums import ActionKind, ActionStatus, OrganisationKind, Role
from tests import factories


@dataclass
class World:
    """Two Tunisian ministries with a focal point each, office keys, and a civil-society key."""

    justice: Institution
    interior: Institution
    staff: dict[str, str]
    admin: dict[str, str]
    justice_focal: dict[str, str]
    interior_focal: dict[str, str]
    submitter: dict[str, str]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    justice = await factories.institution(session, "Ministère de la Justice")
    interior = await factories.institution(session, "Ministère de l'Intérieur")

    async def focal(institution: Institution, organisation: str) -> dict[str, str]:
        key = await factories.api_key(
            session,
            Role.FOCAL_POINT,
            organisation=organisation,
            kind=OrganisationKind.STATE,
            institution_id=institution.id,
        )
        return factories.bearer(key)

    submitter = await factories.api_key(
        session, Role.SUBMITTER, organisation="LTDH", kind=OrganisationKind.CIVIL_SOCIETY
    )
    return World(
        justice=justice,
        interior=interior,
        staff=factories.bearer(await factories.api_key(session, Role.STAFF)),
        admin=factories.bearer(await factories.api_key(session, Role.ADMIN)),
        justice_focal=await focal(justice, "Justice ministry"),
        interior_focal=await focal(interior, "Interior ministry"),
        submitter=factories.bearer(submitter),
    )


def _problem(response: httpx.Response, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, object] = response.json()
    assert problem["type"] == f"urn:suivi:problem:{slug}"
    assert problem["status"] == status
    return problem


def _invalid_fields(response: httpx.Response) -> list[str]:
    problem = _problem(response, 422, "invalid-parameters")
    errors = problem["errors"]
    assert isinstance(errors, list)
    return [error["name"] for error in errors]


async def _audit(session: AsyncSession, action: str) -> list[AuditEvent]:
    return list(
        (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ).all()
    )


async def _patch(
    client: httpx.AsyncClient, action_id: int, headers: dict[str, str], **body: object
) -> httpx.Response:
    etag = (await client.get(f"/v1/actions/{action_id}")).headers["etag"]
    return await client.patch(
        f"/v1/actions/{action_id}", json=body, headers={**headers, "If-Match": etag}
    )


# Creating


async def test_staff_records_an_action_of_an_institution(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/actions",
        json={
            "kind": "legislation",
            "title": "Organic law on the protection of human rights defenders",
            "description": "Tabled in parliament.",
            "institution_id": world.justice.id,
            "announced_date": "2023-03-01",
            "started_date": "2023-04-15",
            "target_date": "2025-12-31",
            "status": "ongoing",
            "evidence_urls": ["https://www.arp.tn/loi/2023-12"],
        },
        headers=world.staff,
    )

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/actions/{body['id']}"
    assert response.headers["etag"] == f'"action-{body["id"]}-v1"'
    assert body == {
        "id": body["id"],
        "kind": "legislation",
        "title": "Organic law on the protection of human rights defenders",
        "description": "Tabled in parliament.",
        "state": "TUN",
        "institution_id": world.justice.id,
        "institution": {"id": world.justice.id, "name": "Ministère de la Justice"},
        "announced_date": "2023-03-01",
        "started_date": "2023-04-15",
        "completed_date": None,
        "target_date": "2025-12-31",
        "status": "ongoing",
        "evidence_urls": ["https://www.arp.tn/loi/2023-12"],
        "archived": False,
        "archived_at": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "recommendations": [],
    }
    assert (await client.get(response.headers["location"])).json() == body


async def test_creation_is_audited(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    created = await client.post(
        "/v1/actions",
        json={"kind": "training", "title": "Training of judges", "state": "TUN"},
        headers=world.admin,
    )

    [event] = await _audit(session, "action.created")
    assert (event.object_type, event.object_id) == ("action", str(created.json()["id"]))
    assert event.summary == {
        "state": "TUN",
        "institution_id": None,
        "kind": "training",
        "status": "planned",
    }


async def test_state_is_required_without_an_institution(
    client: httpx.AsyncClient, world: World
) -> None:
    without = await client.post(
        "/v1/actions", json={"kind": "policy", "title": "National plan"}, headers=world.staff
    )
    stateless = await client.post(
        "/v1/actions",
        json={"kind": "policy", "title": "National plan", "state": "TUN"},
        headers=world.staff,
    )

    assert _invalid_fields(without) == ["state"]
    assert stateless.status_code == 201
    assert (stateless.json()["state"], stateless.json()["institution"]) == ("TUN", None)


async def test_state_must_agree_with_the_institution(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/actions",
        json={
            "kind": "policy",
            "title": "National plan",
            "state": "MAR",
            "institution_id": world.justice.id,
        },
        headers=world.staff,
    )

    assert _invalid_fields(response) == ["state"]


async def test_unknown_institution_or_state_is_422(client: httpx.AsyncClient, world: World) -> None:
    unknown_institution = await client.post(
        "/v1/actions",
        json={"kind": "policy", "title": "Plan", "institution_id": 999_999_999},
        headers=world.staff,
    )
    unassigned_state = await client.post(
        "/v1/actions", json={"kind": "policy", "title": "Plan", "state": "XXX"}, headers=world.staff
    )

    assert _invalid_fields(unknown_institution) == ["institution_id"]
    assert _invalid_fields(unassigned_state) == ["state"]


async def test_input_is_validated(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/actions",
        json={
            "kind": "decree",
            "title": "",
            "state": "TUN",
            "evidence_urls": ["javascript:alert(1)"],
            "version": 7,
        },
        headers=world.staff,
    )

    assert sorted(_invalid_fields(response)) == ["evidence_urls.0", "kind", "title", "version"]


async def test_a_focal_point_records_for_its_own_institution_by_default(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/actions",
        json={"kind": "investigation", "title": "Inquiry into the 2021 arrests"},
        headers=world.justice_focal,
    )

    assert response.status_code == 201
    assert response.json()["institution_id"] == world.justice.id
    assert response.json()["state"] == "TUN"


async def test_a_focal_point_may_not_record_for_another_institution(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/actions",
        json={"kind": "investigation", "title": "Inquiry", "institution_id": world.interior.id},
        headers=world.justice_focal,
    )

    _problem(response, 403, "forbidden")


async def test_writing_needs_a_key_and_a_writer_role(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"kind": "policy", "title": "Plan", "state": "TUN"}

    anonymous = await client.post("/v1/actions", json=body)
    submitter = await client.post("/v1/actions", json=body, headers=world.submitter)

    _problem(anonymous, 401, "unauthenticated")
    _problem(submitter, 403, "forbidden")


async def test_completion_before_start_is_422_naming_the_field(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/actions",
        json={
            "kind": "legislation",
            "title": "Law",
            "state": "TUN",
            "status": "completed",
            "started_date": "2024-05-01",
            "completed_date": "2024-04-30",
        },
        headers=world.staff,
    )

    problem = _problem(response, 422, "invalid-parameters")
    assert problem["errors"] == [
        {"name": "completed_date", "location": "body", "reason": "must not be before started_date"}
    ]


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"status": "ongoing", "completed_date": "2024-01-01"}, "completed_date"),
        ({"status": "completed", "completed_date": "2099-01-01"}, "completed_date"),
        ({"announced_date": "2024-06-01", "target_date": "2024-05-01"}, "target_date"),
        ({"started_date": "1900-01-01"}, "started_date"),
    ],
)
async def test_dates_must_be_sane(
    client: httpx.AsyncClient, world: World, dates: dict[str, str], field: str
) -> None:
    response = await client.post(
        "/v1/actions",
        json={"kind": "legislation", "title": "Law", "state": "TUN", **dates},
        headers=world.staff,
    )

    assert _invalid_fields(response) == [field]


async def test_completed_needs_no_completion_date(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/actions",
        json={"kind": "legislation", "title": "Law", "state": "TUN", "status": "completed"},
        headers=world.staff,
    )

    assert response.status_code == 201


# Reading


async def test_the_list_is_public_and_filters(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    law = await factories.action(session, "Law", institution_id=world.justice.id)
    training = await factories.action(
        session,
        "Training",
        institution_id=world.interior.id,
        kind=ActionKind.TRAINING,
        status=ActionStatus.PLANNED,
    )
    moroccan = await factories.action(session, "Moroccan decree", state="MAR")

    async def ids(**params: str | int | list[str]) -> list[int]:
        response = await client.get("/v1/actions", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids() == [law.id, training.id, moroccan.id]
    assert await ids(state="TUN") == [law.id, training.id]
    assert await ids(state=["MAR", "TUN"]) == [law.id, training.id, moroccan.id]
    assert await ids(institution_id=world.interior.id) == [training.id]
    assert await ids(kind="training") == [training.id]
    assert await ids(status="ongoing") == [law.id, moroccan.id]
    assert await ids(status="planned", state="TUN") == [training.id]


async def test_the_list_pages_with_a_cursor(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    created = [await factories.action(session, f"Action {n}") for n in range(5)]

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/actions", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [action.id for action in created]


async def test_unknown_list_parameters_are_422(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/v1/actions", params={"institution": "1"})
    bad_archived = await client.get("/v1/actions", params={"archived": "maybe"})

    assert _invalid_fields(unknown) == ["institution"]
    assert _invalid_fields(bad_archived) == ["archived"]


async def test_unknown_action_is_404(client: httpx.AsyncClient) -> None:
    _problem(await client.get("/v1/actions/999999999"), 404, "not-found")


async def test_get_sends_the_version_etag_and_answers_304(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    action = await factories.action(session, "Law")

    first = await client.get(f"/v1/actions/{action.id}")
    again = await client.get(
        f"/v1/actions/{action.id}", headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.headers["etag"] == f'"action-{action.id}-v1"'
    assert again.status_code == 304


async def test_there_is_no_delete(client: httpx.AsyncClient, session: AsyncSession) -> None:
    action = await factories.action(session, "Law")

    response = await client.delete(f"/v1/actions/{action.id}")

    assert response.status_code == 405


# Changing


async def test_patch_changes_the_fields_sent_and_returns_the_new_etag(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(
        session, "Law", institution_id=world.justice.id, description="Draft."
    )

    response = await _patch(
        client, action.id, world.staff, status="completed", completed_date="2024-02-01"
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["completed_date"]) == ("completed", "2024-02-01")
    assert (body["title"], body["description"]) == ("Law", "Draft.")
    assert response.headers["etag"] == f'"action-{action.id}-v2"'
    reread = await client.get(f"/v1/actions/{action.id}")
    assert reread.headers["etag"] == response.headers["etag"]
    assert reread.json() == body


async def test_patch_is_audited_with_the_changed_fields(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law", status=ActionStatus.ONGOING)

    await _patch(client, action.id, world.staff, title="Organic law", status="ongoing")

    [event] = await _audit(session, "action.updated")
    assert (event.object_type, event.object_id) == ("action", str(action.id))
    assert event.summary == {"fields": ["title"]}


async def test_patch_without_if_match_is_428(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    response = await client.patch(
        f"/v1/actions/{action.id}", json={"title": "Other"}, headers=world.staff
    )

    _problem(response, 428, "precondition-required")


async def test_patch_with_a_stale_etag_is_412(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")
    old = (await client.get(f"/v1/actions/{action.id}")).headers["etag"]
    first = await client.patch(
        f"/v1/actions/{action.id}",
        json={"title": "First"},
        headers={**world.staff, "If-Match": old},
    )

    second = await client.patch(
        f"/v1/actions/{action.id}",
        json={"title": "Second"},
        headers={**world.staff, "If-Match": old},
    )

    assert first.status_code == 200
    _problem(second, 412, "precondition-failed")
    assert (await client.get(f"/v1/actions/{action.id}")).json()["title"] == "First"


@pytest.mark.parametrize("if_match", ["*", 'W/"action-{id}-v1"', "action-{id}-v1", '"other"'])
async def test_if_match_needs_the_exact_strong_etag(
    client: httpx.AsyncClient, session: AsyncSession, world: World, if_match: str
) -> None:
    action = await factories.action(session, "Law")

    response = await client.patch(
        f"/v1/actions/{action.id}",
        json={"title": "Other"},
        headers={**world.staff, "If-Match": if_match.format(id=action.id)},
    )

    _problem(response, 412, "precondition-failed")


async def test_if_match_may_list_several_etags(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    response = await client.patch(
        f"/v1/actions/{action.id}",
        json={"title": "Other"},
        headers={**world.staff, "If-Match": f'"old", "action-{action.id}-v1"'},
    )

    assert response.status_code == 200


async def test_patch_checks_dates_against_the_stored_ones(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(
        session, "Law", status=ActionStatus.COMPLETED, started_date=date(2024, 5, 1)
    )

    response = await _patch(client, action.id, world.staff, completed_date="2024-01-01")

    assert _invalid_fields(response) == ["completed_date"]
    assert (await client.get(f"/v1/actions/{action.id}")).json()["completed_date"] is None


async def test_patch_may_clear_optional_fields_but_not_required_ones(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law", description="Draft.")

    cleared = await _patch(client, action.id, world.staff, description=None)
    refused = await _patch(client, action.id, world.staff, title=None, status=None)

    assert cleared.json()["description"] is None
    assert sorted(_invalid_fields(refused)) == ["status", "title"]


async def test_patch_refuses_unknown_fields(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    response = await _patch(client, action.id, world.staff, state="MAR")

    assert _invalid_fields(response) == ["state"]


async def test_a_focal_point_edits_its_own_institutions_actions_only(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    own = await factories.action(session, "Justice reform", institution_id=world.justice.id)
    other = await factories.action(session, "Police training", institution_id=world.interior.id)
    stateless = await factories.action(session, "Plan without institution")

    allowed = await _patch(client, own.id, world.justice_focal, status="abandoned")
    refused = await _patch(client, other.id, world.justice_focal, status="abandoned")
    no_institution = await _patch(client, stateless.id, world.justice_focal, status="abandoned")
    by_interior = await _patch(client, other.id, world.interior_focal, status="abandoned")

    assert allowed.status_code == 200
    _problem(refused, 403, "forbidden")
    _problem(no_institution, 403, "forbidden")
    assert by_interior.status_code == 200


async def test_a_focal_point_may_not_move_an_action_to_another_institution(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    own = await factories.action(session, "Justice reform", institution_id=world.justice.id)

    moved = await _patch(client, own.id, world.justice_focal, institution_id=world.interior.id)
    dropped = await _patch(client, own.id, world.justice_focal, institution_id=None)
    same = await _patch(client, own.id, world.justice_focal, institution_id=world.justice.id)

    _problem(moved, 403, "forbidden")
    _problem(dropped, 403, "forbidden")
    assert same.status_code == 200


async def test_staff_move_an_action_within_its_state(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Reform", institution_id=world.justice.id)
    moroccan = await factories.institution(session, "Ministère de la Justice", state="MAR")

    moved = await _patch(client, action.id, world.staff, institution_id=world.interior.id)
    abroad = await _patch(client, action.id, world.staff, institution_id=moroccan.id)

    assert moved.json()["institution"] == {
        "id": world.interior.id,
        "name": "Ministère de l'Intérieur",
    }
    assert _invalid_fields(abroad) == ["institution_id"]


async def test_patch_writers_need_a_key_and_a_writer_role(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    anonymous = await _patch(client, action.id, {}, title="X")
    submitter = await _patch(client, action.id, world.submitter, title="X")

    _problem(anonymous, 401, "unauthenticated")
    _problem(submitter, 403, "forbidden")


async def test_patch_of_an_unknown_action_is_404(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        "/v1/actions/999999999",
        json={"title": "X"},
        headers={**world.staff, "If-Match": '"action-999999999-v1"'},
    )

    _problem(response, 404, "not-found")


# Archiving


async def test_archiving_hides_the_action_from_the_list(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    kept = await factories.action(session, "Kept")
    archived = await factories.action(session, "Archived")

    response = await _patch(client, archived.id, world.staff, archived=True)

    body = response.json()
    assert body["archived"] is True
    assert body["archived_at"] is not None

    async def ids(**params: str) -> list[int]:
        return [i["id"] for i in (await client.get("/v1/actions", params=params)).json()["items"]]

    assert await ids() == [kept.id]
    assert await ids(archived="true") == [archived.id]
    assert await ids(archived="any") == [kept.id, archived.id]
    assert (await client.get(f"/v1/actions/{archived.id}")).json()["archived"] is True


async def test_archiving_and_restoring_are_audited(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law", institution_id=world.justice.id)

    await _patch(client, action.id, world.justice_focal, archived=True)
    restored = await _patch(client, action.id, world.justice_focal, archived=False)

    assert (restored.json()["archived"], restored.json()["archived_at"]) == (False, None)
    [archived_event] = await _audit(session, "action.archived")
    [restored_event] = await _audit(session, "action.unarchived")
    assert archived_event.object_id == restored_event.object_id == str(action.id)
    assert await _audit(session, "action.updated") == []


async def test_a_patch_that_changes_nothing_keeps_the_version(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    action = await factories.action(session, "Law")

    response = await _patch(client, action.id, world.staff, title="Law")

    assert response.headers["etag"] == f'"action-{action.id}-v1"'
    assert await _audit(session, "action.updated") == []
