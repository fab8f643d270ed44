"""The office assessment sub-resource: GET with its ETag, PATCH against If-Match."""

from datetime import date

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiClient, AuditEvent, Recommendation
from models.enums import ImplementationStatus, OrganisationKind, ReviewState, Role
from suivi.services import status
from tests import factories


@pytest.fixture
async def rec(session: AsyncSession) -> Recommendation:
    """A recommendation whose published civil-society update says `in_progress`."""
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "105.34")
    ngo = await factories.organisation_called(session, "Coalition for defenders")
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        organisation_id=ngo.id,
        assessed_status=ImplementationStatus.IN_PROGRESS,
        review_state=ReviewState.PUBLISHED,
        as_of_date=date(2024, 3, 1),
    )
    # As data arrives from an import: the assessment starts at version 1.
    await status.recompute(session, recommendation_ids=[rec.id], bump_versions=False)
    return rec


async def _staff(session: AsyncSession) -> dict[str, str]:
    return factories.bearer(await factories.api_key(session, Role.STAFF))


async def _patch(
    client: httpx.AsyncClient, rec_id: int, body: object, headers: dict[str, str]
) -> httpx.Response:
    return await client.patch(
        f"/v1/recommendations/{rec_id}/assessment", json=body, headers=headers
    )


async def test_get_is_public_with_a_strong_versioned_etag(
    client: httpx.AsyncClient, rec: Recommendation
) -> None:
    response = await client.get(f"/v1/recommendations/{rec.id}/assessment")

    assert response.status_code == 200
    assert response.headers["etag"] == f'"assessment-{rec.id}-v1"'
    assert response.json() == {
        "recommendation_id": rec.id,
        "office_status": None,
        "office_note": None,
        "assessed_at": None,
        "status": "in_progress",
        "version": 1,
        "follow_up_selected": False,
        "follow_up_deadline_date": None,
    }


async def test_get_unknown_recommendation_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations/999999999/assessment")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:not-found"


async def test_office_status_becomes_the_headline_and_clearing_falls_back(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    staff = await _staff(session)
    tag = (await client.get(f"/v1/recommendations/{rec.id}/assessment")).headers["etag"]

    set_ = await _patch(
        client,
        rec.id,
        {"office_status": "partially_implemented", "office_note": "Law adopted, not applied."},
        {**staff, "If-Match": tag},
    )

    assert set_.status_code == 200
    assert set_.json()["status"] == "partially_implemented"
    assert set_.json()["office_note"] == "Law adopted, not applied."
    assert set_.json()["assessed_at"] is not None
    assert set_.headers["etag"] == f'"assessment-{rec.id}-v2"'
    detail = (await client.get(f"/v1/recommendations/{rec.id}")).json()
    assert (detail["status"], detail["office_status"]) == ("partially_implemented",) * 2
    assert detail["status_by_source"]["civil_society"] == "in_progress"

    cleared = await _patch(
        client, rec.id, {"office_status": None}, {**staff, "If-Match": set_.headers["etag"]}
    )

    assert cleared.status_code == 200
    assert cleared.json()["office_status"] is None
    assert cleared.json()["status"] == "in_progress"
    # A field left out is left as it was.
    assert cleared.json()["office_note"] == "Law adopted, not applied."
    assert cleared.json()["version"] == 3
    assert (await client.get(f"/v1/recommendations/{rec.id}")).json()["status"] == "in_progress"


async def test_clearing_with_no_published_update_is_not_assessed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/11")
    rec = await factories.recommendation(session, doc, "1")
    staff = await _staff(session)
    first = await _patch(client, rec.id, {"office_status": "regressed"}, {**staff, "If-Match": "*"})

    cleared = await _patch(
        client, rec.id, {"office_status": None}, {**staff, "If-Match": first.headers["etag"]}
    )

    assert first.json()["status"] == "regressed"
    assert cleared.json()["status"] == "not_assessed"


async def test_missing_if_match_is_428(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    response = await _patch(client, rec.id, {"office_status": "implemented"}, await _staff(session))

    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:suivi:problem:precondition-required"
    assert "If-Match" in problem["detail"]
    assert (await client.get(f"/v1/recommendations/{rec.id}/assessment")).json()["version"] == 1


async def test_stale_etag_is_412_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    staff = await _staff(session)
    stale = (await client.get(f"/v1/recommendations/{rec.id}/assessment")).headers["etag"]
    first = await _patch(
        client, rec.id, {"office_status": "implemented"}, {**staff, "If-Match": stale}
    )

    second = await _patch(
        client, rec.id, {"office_status": "not_started"}, {**staff, "If-Match": stale}
    )

    assert first.status_code == 200
    assert second.status_code == 412
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["type"] == "urn:suivi:problem:precondition-failed"
    current = (await client.get(f"/v1/recommendations/{rec.id}/assessment")).json()
    assert (current["office_status"], current["version"]) == ("implemented", 2)


async def test_weak_etag_never_matches(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    tag = (await client.get(f"/v1/recommendations/{rec.id}/assessment")).headers["etag"]

    response = await _patch(
        client,
        rec.id,
        {"office_status": "implemented"},
        {**await _staff(session), "If-Match": f"W/{tag}"},
    )

    assert response.status_code == 412


async def test_another_recommendations_etag_does_not_match(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/12")
    other = await factories.recommendation(session, doc, "2")
    tag = (await client.get(f"/v1/recommendations/{other.id}/assessment")).headers["etag"]

    response = await _patch(
        client, rec.id, {"office_status": "implemented"}, {**await _staff(session), "If-Match": tag}
    )

    assert response.status_code == 412


async def test_the_new_etag_revalidates_reads(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    changed = await _patch(
        client, rec.id, {"office_note": "Checked."}, {**await _staff(session), "If-Match": "*"}
    )

    response = await client.get(
        f"/v1/recommendations/{rec.id}/assessment",
        headers={"If-None-Match": changed.headers["etag"]},
    )

    assert response.status_code == 304


async def test_public_is_401_and_submitter_403(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    submitter = await factories.api_key(
        session, Role.SUBMITTER, organisation="Defenders NGO", kind=OrganisationKind.CIVIL_SOCIETY
    )
    body = {"office_status": "implemented"}
    tag = {"If-Match": f'"assessment-{rec.id}-v1"'}

    public = await _patch(client, rec.id, body, tag)
    refused = await _patch(client, rec.id, body, {**factories.bearer(submitter), **tag})

    assert public.status_code == 401
    assert public.json()["type"] == "urn:suivi:problem:unauthenticated"
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:suivi:problem:forbidden"


async def test_patch_unknown_recommendation_is_404_even_without_if_match(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await _patch(
        client, 999999999, {"office_status": "implemented"}, await _staff(session)
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    "body", [{}, {"office_status": "not_assessed"}, {"office_status": "done"}, {"other": 1}]
)
async def test_invalid_bodies_are_422(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation, body: object
) -> None:
    response = await _patch(client, rec.id, body, {**await _staff(session), "If-Match": "*"})

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:invalid-parameters"


async def test_change_is_audited_without_the_note(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    await _patch(
        client,
        rec.id,
        {"office_status": "implemented", "office_note": "Seen by the mission."},
        {**await _staff(session), "If-Match": f'"assessment-{rec.id}-v1"'},
    )

    event = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment.updated"))
    ).one()
    assessed_by = await session.scalar(
        select(ApiClient.prefix)
        .join(Recommendation, Recommendation.office_assessed_by_client_id == ApiClient.id)
        .where(Recommendation.id == rec.id)
    )
    assert assessed_by == event.actor_prefix is not None
    assert (event.object_type, event.object_id) == ("recommendation", str(rec.id))
    assert event.summary == {
        "old_status": None,
        "new_status": "implemented",
        "headline_status": "implemented",
        "fields": ["office_note", "office_status"],
        "version": 2,
    }


async def test_a_published_update_that_moves_the_headline_changes_the_etag(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    before = await client.get(f"/v1/recommendations/{rec.id}/assessment")
    update = await factories.progress_update(
        session,
        recommendation_id=rec.id,
        assessed_status=ImplementationStatus.IMPLEMENTED,
        as_of_date=date(2025, 1, 1),
    )
    staff = await _staff(session)

    published = await client.post(f"/v1/updates/{update.id}/publish", headers=staff)
    after = await client.get(
        f"/v1/recommendations/{rec.id}/assessment",
        headers={"If-None-Match": before.headers["etag"]},
    )

    assert published.status_code == 200
    assert after.status_code == 200
    assert after.json()["status"] == "implemented"
    assert after.headers["etag"] != before.headers["etag"]


async def test_staff_set_a_follow_up_deadline_that_deadlines_list(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    staff = await _staff(session)
    current = await client.get(f"/v1/recommendations/{rec.id}/assessment")

    changed = await client.patch(
        f"/v1/recommendations/{rec.id}/assessment",
        json={"follow_up_deadline_date": "2024-11-10"},
        headers={**staff, "If-Match": current.headers["etag"]},
    )
    deadlines = await client.get("/v1/deadlines", params={"state": "TUN"})

    assert changed.status_code == 200
    assert changed.json()["follow_up_selected"] is True
    assert changed.json()["follow_up_deadline_date"] == "2024-11-10"
    [follow_up] = [
        item for item in deadlines.json()["items"] if item["recommendation_id"] == rec.id
    ]
    assert follow_up["kind"] == "treaty_body_follow_up"
    assert follow_up["overdue"] is True
