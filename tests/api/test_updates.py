"""Submitting progress updates through HTTP: rules, idempotent retries, corrections."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.app import create_app
from models import ApiClient, AuditEvent, ProgressUpdate
from models.enums import Confidentiality, OrganisationKind, ReviewState, Role
from suivi.db import create_engine, create_sessionmaker, upgrade_database
from suivi.services import updates as service
from suivi.settings import Settings
from tests import factories

ORG_A = "Defenders Network A"


@dataclass
class World:
    recommendation_id: int
    action_id: int
    other_action_id: int
    staff: dict[str, str]
    submitter_a: dict[str, str]
    submitter_a2: dict[str, str]
    submitter_b: dict[str, str]
    nhri: dict[str, str]
    un: dict[str, str]
    focal_point: dict[str, str]
    key_a: str


@pytest.fixture
async def world(session: AsyncSession) -> World:
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "105.34")
    ministry = await factories.institution(session, "Ministry of Justice")
    interior = await factories.institution(session, "Ministry of the Interior")
    action = await factories.action(
        session, "Draft law on associations", institution_id=ministry.id
    )
    other = await factories.action(session, "Police training", institution_id=interior.id)

    async def key(role: Role, organisation: str, kind: OrganisationKind, **kw: Any) -> str:
        return await factories.api_key(session, role, organisation=organisation, kind=kind, **kw)

    key_a = await key(Role.SUBMITTER, ORG_A, OrganisationKind.CIVIL_SOCIETY)
    return World(
        recommendation_id=rec.id,
        action_id=action.id,
        other_action_id=other.id,
        staff=factories.bearer(await factories.api_key(session, Role.STAFF)),
        submitter_a=factories.bearer(key_a),
        submitter_a2=factories.bearer(
            await key(Role.SUBMITTER, ORG_A, OrganisationKind.CIVIL_SOCIETY)
        ),
        submitter_b=factories.bearer(
            await key(Role.SUBMITTER, "Lawyers Collective B", OrganisationKind.CIVIL_SOCIETY)
        ),
        nhri=factories.bearer(
            await key(Role.SUBMITTER, "National Commission", OrganisationKind.NHRI)
        ),
        un=factories.bearer(await key(Role.SUBMITTER, "UNDP Tunisia", OrganisationKind.UN)),
        focal_point=factories.bearer(
            await key(
                Role.FOCAL_POINT,
                "Ministry of Justice",
                OrganisationKind.STATE,
                institution_id=ministry.id,
            )
        ),
        key_a=key_a,
    )


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "source_type": "civil_society",
        "assessed_status": "in_progress",
        "narrative": "The draft law was tabled in parliament; defenders were consulted.",
        "evidence_urls": ["https://example.org/report.pdf"],
        "as_of_date": "2024-03-01",
        "confidentiality": "public",
    } | overrides


def _invalid_names(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:suivi:problem:invalid-parameters"
    return {error["name"] for error in problem["errors"]}


async def _count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(ProgressUpdate)) or 0


async def test_submission_is_created_in_review_with_a_location(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(),
        headers=world.submitter_a,
    )

    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"/v1/updates/{created['id']}"
    assert created | {"id": 0, "submitted_at": None} == {
        "id": 0,
        "recommendation_id": world.recommendation_id,
        "action_id": None,
        "source_type": "civil_society",
        "assessed_status": "in_progress",
        "narrative": "The draft law was tabled in parliament; defenders were consulted.",
        "evidence_urls": ["https://example.org/report.pdf"],
        "as_of_date": "2024-03-01",
        "confidentiality": "public",
        "review_state": "submitted",
        "submitted_at": None,
        "reviewed_at": None,
        "review_reason": None,
        "supersedes_id": None,
        "superseded_by": None,
        "submitter": {"organisation": ORG_A},
    }
    read_back = await client.get(response.headers["location"], headers=world.submitter_a)
    assert read_back.json() == created


async def test_submission_records_the_client_and_organisation(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(),
        headers=world.submitter_a,
    )

    row = await session.get_one(ProgressUpdate, response.json()["id"])
    client_row = await session.get_one(ApiClient, row.submitted_by_client_id)
    assert client_row.prefix == world.key_a.split("_")[1]
    assert row.organisation_id == client_row.organisation_id


async def test_the_public_may_not_submit(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates", json=_body()
    )

    assert response.status_code == 401
    assert response.json()["type"] == "urn:suivi:problem:unauthenticated"


async def test_an_unknown_recommendation_is_404(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/recommendations/999999/updates", json=_body(), headers=world.submitter_a
    )

    assert response.status_code == 404
    assert response.json()["type"] == "urn:suivi:problem:not-found"


async def test_an_unknown_action_is_404(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/actions/999999/updates", json=_body(), headers=world.submitter_a
    )

    assert response.status_code == 404


async def test_submitter_reports_on_an_action(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"/v1/actions/{world.action_id}/updates", json=_body(), headers=world.submitter_a
    )

    assert response.status_code == 201
    assert (response.json()["action_id"], response.json()["recommendation_id"]) == (
        world.action_id,
        None,
    )


@pytest.mark.parametrize(
    ("who", "source_type"),
    [
        ("submitter_a", "government"),
        ("submitter_a", "un"),
        ("nhri", "civil_society"),
        ("un", "nhri"),
        ("focal_point", "civil_society"),
    ],
)
async def test_a_source_type_that_does_not_fit_the_organisation_is_422(
    client: httpx.AsyncClient, world: World, who: str, source_type: str
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(source_type=source_type),
        headers=getattr(world, who),
    )

    assert _invalid_names(response) == {"source_type"}


@pytest.mark.parametrize(
    ("who", "source_type"),
    [
        ("submitter_a", "civil_society"),
        ("nhri", "nhri"),
        ("un", "un"),
        ("focal_point", "government"),
        ("staff", "government"),
        ("staff", "civil_society"),
    ],
)
async def test_a_fitting_source_type_is_accepted(
    client: httpx.AsyncClient, world: World, who: str, source_type: str
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(source_type=source_type),
        headers=getattr(world, who),
    )

    assert response.status_code == 201, response.text


async def test_focal_point_reports_on_its_own_institution_s_action(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/actions/{world.action_id}/updates",
        json=_body(source_type="government"),
        headers=world.focal_point,
    )

    assert response.status_code == 201


async def test_focal_point_may_not_report_on_another_institution_s_action(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/actions/{world.other_action_id}/updates",
        json=_body(source_type="government"),
        headers=world.focal_point,
    )

    assert response.status_code == 403
    assert response.json()["type"] == "urn:suivi:problem:forbidden"


async def test_a_future_as_of_date_is_422(client: httpx.AsyncClient, world: World) -> None:
    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()

    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(as_of_date=future),
        headers=world.submitter_a,
    )

    assert _invalid_names(response) == {"as_of_date"}


@pytest.mark.parametrize(
    "url", ["ftp://example.org/file", "javascript:alert(1)", "example.org/report", "https://"]
)
async def test_evidence_must_be_http_urls(
    client: httpx.AsyncClient, world: World, url: str
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(evidence_urls=["https://example.org/ok", url]),
        headers=world.submitter_a,
    )

    assert _invalid_names(response) == {"evidence_urls.1"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("assessed_status", "not_assessed"),
        ("confidentiality", "secret"),
        ("narrative", ""),
        ("narrative", "nul \x00 byte"),
        ("source_type", "ngo"),
    ],
)
async def test_invalid_fields_are_422_naming_them(
    client: httpx.AsyncClient, world: World, field: str, value: str
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(**{field: value}),
        headers=world.submitter_a,
    )

    assert _invalid_names(response) == {field}


async def test_unknown_fields_such_as_an_address_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(ip_address="192.0.2.1", review_state="published"),
        headers=world.submitter_a,
    )

    assert _invalid_names(response) == {"ip_address", "review_state"}


async def test_no_address_agent_or_contact_is_stored_with_a_submission(
    connection: AsyncConnection,
) -> None:
    columns = await connection.run_sync(
        lambda sync: {column["name"] for column in inspect(sync).get_columns("progress_updates")}
    )

    assert columns == {
        "id",
        "created_at",
        "recommendation_id",
        "action_id",
        "source_type",
        "assessed_status",
        "narrative",
        "evidence_urls",
        "as_of_date",
        "organisation_id",
        "submitted_by_client_id",
        "confidentiality",
        "review_state",
        "reviewed_at",
        "reviewed_by_client_id",
        "review_reason",
        "supersedes_id",
        "idempotency_key",
        "request_hash",
    }


async def test_submission_appends_an_audit_event_without_content_or_identity(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(confidentiality="confidential_submitter"),
        headers=world.submitter_a,
    )

    update_id = response.json()["id"]
    event = await session.scalar(
        select(AuditEvent).where(
            AuditEvent.object_type == "progress_update", AuditEvent.object_id == str(update_id)
        )
    )
    assert event is not None
    assert event.action == "update.submitted"
    assert event.summary == {
        "update_id": update_id,
        "recommendation_id": world.recommendation_id,
        "review_state": "submitted",
        "confidentiality": "confidential_submitter",
        "supersedes_id": None,
    }
    assert ORG_A not in str(event.summary)


# Idempotency


async def _post_with_key(
    client: httpx.AsyncClient, world: World, key: str, body: dict[str, Any], path: str = ""
) -> httpx.Response:
    return await client.post(
        path or f"/v1/recommendations/{world.recommendation_id}/updates",
        json=body,
        headers={**world.submitter_a, "Idempotency-Key": key},
    )


async def test_a_retry_with_the_same_key_and_body_returns_the_first_result(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    first = await _post_with_key(client, world, "retry-1", _body())
    before = (await _count(session), await session.scalar(select(func.count(AuditEvent.id))))

    # The same content with its keys in another order is the same request.
    again = await _post_with_key(client, world, "retry-1", dict(reversed(_body().items())))

    assert again.status_code == 200
    assert again.headers["location"] == first.headers["location"]
    assert again.json() == first.json()
    after = (await _count(session), await session.scalar(select(func.count(AuditEvent.id))))
    assert after == before


async def test_the_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await _post_with_key(client, world, "retry-2", _body())
    before = await _count(session)

    response = await _post_with_key(client, world, "retry-2", _body(assessed_status="regressed"))

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:unprocessable"
    assert "Idempotency-Key" in response.json()["detail"]
    assert await _count(session) == before


async def test_the_same_key_on_another_subject_is_422(
    client: httpx.AsyncClient, world: World
) -> None:
    await _post_with_key(client, world, "retry-3", _body())

    response = await _post_with_key(
        client, world, "retry-3", _body(), path=f"/v1/actions/{world.action_id}/updates"
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:unprocessable"


async def test_keys_are_scoped_to_the_api_client(client: httpx.AsyncClient, world: World) -> None:
    first = await _post_with_key(client, world, "shared", _body())

    other = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(),
        headers={**world.submitter_a2, "Idempotency-Key": "shared"},
    )

    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


async def test_an_idempotency_key_longer_than_255_is_422(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await _post_with_key(client, world, "k" * 256, _body())

    assert _invalid_names(response) == {"Idempotency-Key"}
    assert response.json()["errors"][0]["location"] == "header"


async def test_a_racing_duplicate_returns_the_winner(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    winner = await _post_with_key(client, world, "race", _body())
    count = await _count(session)
    by_key = service._by_key
    calls = 0

    async def not_yet_committed(*args: Any, **kwargs: Any) -> ProgressUpdate | None:
        # The first look-up misses the winner, as it would before the winner commits.
        nonlocal calls
        calls += 1
        return None if calls == 1 else await by_key(*args, **kwargs)

    monkeypatch.setattr(service, "_by_key", not_yet_committed)

    loser = await _post_with_key(client, world, "race", _body())

    assert calls == 2
    assert loser.status_code == 200
    assert loser.json()["id"] == winner.json()["id"]
    assert await _count(session) == count


@pytest.fixture
async def live_app(empty_database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The application on a database of its own, where each request commits for real."""
    await asyncio.to_thread(upgrade_database, empty_database_url)
    settings = Settings(database_url=empty_database_url)
    app = create_app(settings)
    engine = create_engine(empty_database_url, settings)
    app.state.sessionmaker = create_sessionmaker(engine)
    try:
        async with app.state.sessionmaker.begin() as session:
            doc = await factories.document(session, "A/HRC/52/10")
            rec = await factories.recommendation(session, doc, "105.34")
            key = await factories.api_key(
                session, Role.SUBMITTER, organisation=ORG_A, kind=OrganisationKind.CIVIL_SOCIETY
            )
            path = f"/v1/recommendations/{rec.id}/updates"
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://suivi.test", headers=factories.bearer(key)
        ) as client:
            yield client, path
    finally:
        await engine.dispose()


async def test_two_concurrent_identical_submissions_create_one_update(
    live_app: tuple[httpx.AsyncClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, path = live_app
    # Both requests look the key up before either inserts: the unique index decides.
    both_looked = asyncio.Barrier(2)
    by_key = service._by_key
    lookups = 0

    async def look_up_together(*args: Any, **kwargs: Any) -> ProgressUpdate | None:
        nonlocal lookups
        lookups += 1
        found = await by_key(*args, **kwargs)
        if lookups <= 2:
            await asyncio.wait_for(both_looked.wait(), timeout=10)
        return found

    monkeypatch.setattr(service, "_by_key", look_up_together)
    headers = {"Idempotency-Key": "concurrent"}

    first, second = await asyncio.gather(
        client.post(path, json=_body(), headers=headers),
        client.post(path, json=_body(), headers=headers),
    )

    assert sorted((first.status_code, second.status_code)) == [200, 201]
    # The loser looked again after its insert hit the unique index.
    assert lookups == 3
    assert first.json()["id"] == second.json()["id"]
    assert first.headers["location"] == second.headers["location"]
    listed = (await client.get("/v1/updates")).json()["items"]
    assert [item["id"] for item in listed] == [first.json()["id"]]


# Corrections


async def _submit(
    client: httpx.AsyncClient, world: World, headers: dict[str, str], **kw: Any
) -> int:
    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates", json=_body(**kw), headers=headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_a_correction_supersedes_the_earlier_update(
    client: httpx.AsyncClient, world: World
) -> None:
    old = await _submit(client, world, world.submitter_a)

    new = await _submit(
        client, world, world.submitter_a2, supersedes_id=old, assessed_status="implemented"
    )

    old_read = (await client.get(f"/v1/updates/{old}", headers=world.submitter_a)).json()
    new_read = (await client.get(f"/v1/updates/{new}", headers=world.submitter_a)).json()
    assert old_read["superseded_by"] == new
    assert new_read["supersedes_id"] == old
    # The earlier update is kept as it was.
    assert (old_read["assessed_status"], old_read["review_state"]) == ("in_progress", "submitted")


async def test_another_organisation_s_update_cannot_be_superseded(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    old = await _submit(client, world, world.submitter_a)
    await client.post(f"/v1/updates/{old}/publish", headers=world.staff)

    response = await client.post(
        f"/v1/recommendations/{world.recommendation_id}/updates",
        json=_body(supersedes_id=old),
        headers=world.submitter_b,
    )

    assert _invalid_names(response) == {"supersedes_id"}


async def test_an_update_of_another_subject_cannot_be_superseded(
    client: httpx.AsyncClient, world: World
) -> None:
    old = await _submit(client, world, world.submitter_a)

    response = await client.post(
        f"/v1/actions/{world.action_id}/updates",
        json=_body(supersedes_id=old),
        headers=world.submitter_a,
    )

    assert _invalid_names(response) == {"supersedes_id"}


async def test_an_unknown_or_hidden_update_cannot_be_superseded(
    client: httpx.AsyncClient, world: World
) -> None:
    hidden = await _submit(client, world, world.submitter_b)

    for supersedes_id in (hidden, 999999):
        response = await client.post(
            f"/v1/recommendations/{world.recommendation_id}/updates",
            json=_body(supersedes_id=supersedes_id),
            headers=world.submitter_a,
        )
        assert _invalid_names(response) == {"supersedes_id"}


async def test_staff_may_supersede_any_organisation_s_update(
    client: httpx.AsyncClient, world: World
) -> None:
    old = await _submit(client, world, world.submitter_a)

    new = await _submit(client, world, world.staff, supersedes_id=old)

    staff_view = (await client.get(f"/v1/updates/{old}", headers=world.staff)).json()
    assert staff_view["superseded_by"] == new


async def test_updates_are_never_edited_in_place(client: httpx.AsyncClient, world: World) -> None:
    update_id = await _submit(client, world, world.submitter_a)

    for method in ("PUT", "PATCH", "DELETE"):
        response = await client.request(
            method, f"/v1/updates/{update_id}", json=_body(), headers=world.staff
        )
        assert response.status_code == 405


async def test_a_submission_with_confidential_submitter_is_stored_as_such(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    update_id = await _submit(
        client, world, world.submitter_a, confidentiality="confidential_submitter"
    )

    row = await session.get_one(ProgressUpdate, update_id)
    assert (row.confidentiality, row.review_state) == (
        Confidentiality.CONFIDENTIAL_SUBMITTER,
        ReviewState.SUBMITTED,
    )
