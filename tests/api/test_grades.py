"""Treaty-body follow-up grades: POST by staff, GET by everyone, newest first."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Recommendation
from models.enums import OrganisationKind, Role
from tests import factories


@pytest.fixture
async def rec(session: AsyncSession) -> Recommendation:
    doc = await factories.document(session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR")
    return await factories.recommendation(
        session, doc, "24", follow_up_selected=True, follow_up_deadline_date=date(2022, 3, 29)
    )


def _grade(**fields: Any) -> dict[str, Any]:
    return {
        "grade": "B",
        "sub_grade": "B1",
        "assessor_kind": "committee",
        "assessor": "Human Rights Committee",
        "graded_date": "2023-07-20",
        "document_symbol": "CCPR/C/138/2",
        **fields,
    }


async def _staff(session: AsyncSession) -> dict[str, str]:
    return factories.bearer(await factories.api_key(session, Role.STAFF))


async def test_staff_records_a_grade_with_location(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    response = await client.post(
        f"/v1/recommendations/{rec.id}/grades", json=_grade(), headers=await _staff(session)
    )

    assert response.status_code == 201
    grade = response.json()
    assert response.headers["location"] == f"/v1/recommendations/{rec.id}/grades/{grade['id']}"
    assert {k: v for k, v in grade.items() if k not in ("id", "created_at")} == {
        "recommendation_id": rec.id,
        **_grade(),
    }
    fetched = await client.get(response.headers["location"])
    assert fetched.json() == grade


async def test_list_is_public_and_newest_first(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    staff = await _staff(session)
    url = f"/v1/recommendations/{rec.id}/grades"
    await client.post(
        url, json=_grade(graded_date="2021-01-10", grade="C", sub_grade="C2"), headers=staff
    )
    await client.post(url, json=_grade(graded_date="2023-07-20"), headers=staff)
    await client.post(
        url,
        json=_grade(
            graded_date="2022-05-01",
            grade="E",
            sub_grade=None,
            assessor_kind="civil_society",
            assessor="Coalition for defenders",
            document_symbol=None,
        ),
        headers=staff,
    )

    response = await client.get(url)

    assert response.status_code == 200
    assert [(g["graded_date"], g["grade"]) for g in response.json()["items"]] == [
        ("2023-07-20", "B"),
        ("2022-05-01", "E"),
        ("2021-01-10", "C"),
    ]
    # The recommendation's own page shows them too.
    assert len((await client.get(f"/v1/recommendations/{rec.id}")).json()["grades"]) == 3


async def test_public_is_401_and_submitter_403(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    submitter = await factories.api_key(
        session, Role.SUBMITTER, organisation="Defenders NGO", kind=OrganisationKind.CIVIL_SOCIETY
    )
    url = f"/v1/recommendations/{rec.id}/grades"

    public = await client.post(url, json=_grade())
    refused = await client.post(url, json=_grade(), headers=factories.bearer(submitter))

    assert public.status_code == 401
    assert public.json()["type"] == "urn:suivi:problem:unauthenticated"
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:suivi:problem:forbidden"
    assert (await client.get(url)).json()["items"] == []


async def test_unknown_recommendation_or_grade_is_404(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    posted = await client.post(
        "/v1/recommendations/999999999/grades", json=_grade(), headers=await _staff(session)
    )
    listed = await client.get("/v1/recommendations/999999999/grades")
    missing = await client.get(f"/v1/recommendations/{rec.id}/grades/999999999")

    assert [r.status_code for r in (posted, listed, missing)] == [404, 404, 404]
    assert posted.json()["type"] == "urn:suivi:problem:not-found"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"grade": "F"}, "grade"),
        ({"sub_grade": "C1"}, "body"),
        ({"sub_grade": "B1-and-a-long-tail"}, "sub_grade"),
        ({"assessor_kind": "state"}, "assessor_kind"),
        ({"assessor": ""}, "assessor"),
        (
            {"graded_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat()},
            "graded_date",
        ),
        ({"recorded_by": "me"}, "recorded_by"),
    ],
)
async def test_invalid_grades_are_422_naming_the_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    rec: Recommendation,
    fields: dict[str, Any],
    field: str,
) -> None:
    response = await client.post(
        f"/v1/recommendations/{rec.id}/grades",
        json=_grade(**fields),
        headers=await _staff(session),
    )

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:suivi:problem:invalid-parameters"
    assert any(error["name"].startswith(field) for error in problem["errors"]), problem


async def test_grade_is_audited(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    response = await client.post(
        f"/v1/recommendations/{rec.id}/grades", json=_grade(), headers=await _staff(session)
    )

    event = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "grade.created"))
    ).one()
    assert (event.object_type, event.object_id) == ("follow_up_grade", str(response.json()["id"]))
    assert event.summary == {
        "recommendation_id": rec.id,
        "grade": "B",
        "sub_grade": "B1",
        "assessor_kind": "committee",
        "graded_date": "2023-07-20",
    }
