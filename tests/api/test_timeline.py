"""GET /v1/recommendations/{id}/timeline: every dated event, in order, as the caller may see it."""

from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import ActionRecommendation, FollowUpGrade, PositionRecord, Recommendation
from models.enums import (
    ActionStatus,
    AssessorKind,
    Confidentiality,
    Grade,
    ImplementationStatus,
    OrganisationKind,
    Position,
    ReviewState,
    Role,
    SourceType,
)
from tests import factories

HIDDEN = "A defenders' network"


@pytest.fixture
async def rec(session: AsyncSession) -> Recommendation:
    """A recommendation with one event of every kind, and updates of every visibility."""
    doc = await factories.document(
        session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR", published=date(2020, 3, 26)
    )
    rec = await factories.recommendation(
        session,
        doc,
        "24",
        position=Position.PENDING,
        follow_up_deadline_date=date(2022, 3, 29),
        office_status=ImplementationStatus.PARTIALLY_IMPLEMENTED,
        office_assessed_at=datetime(2023, 9, 1, 10, tzinfo=UTC),
    )
    session.add(
        PositionRecord(
            recommendation_id=rec.id,
            position=Position.SUPPORTED,
            stated_date=date(2020, 9, 15),
            source="TEST/CCPR/C/TUN/CO/6/Add.1",
        )
    )
    law = await factories.action(session, "Draft law on defenders", target_date=date(2025, 12, 31))
    withdrawn = await factories.action(
        session,
        "Withdrawn plan",
        status=ActionStatus.ABANDONED,
        archived_at=datetime(2021, 1, 1, tzinfo=UTC),
        target_date=date(2021, 2, 1),
    )
    session.add_all(
        [
            ActionRecommendation(
                action_id=law.id,
                recommendation_id=rec.id,
                created_at=datetime(2021, 6, 1, 12, tzinfo=UTC),
            ),
            ActionRecommendation(action_id=withdrawn.id, recommendation_id=rec.id),
            FollowUpGrade(
                recommendation_id=rec.id,
                grade=Grade.B,
                sub_grade="B2",
                assessor_kind=AssessorKind.COMMITTEE,
                assessor="Human Rights Committee",
                graded_date=date(2023, 7, 20),
            ),
        ]
    )
    ngo = await factories.organisation_called(session, "Coalition for defenders")
    hidden = await factories.organisation_called(session, HIDDEN)
    for organisation, confidentiality, review, as_of in [
        (ngo, Confidentiality.PUBLIC, ReviewState.PUBLISHED, date(2021, 6, 1)),
        (hidden, Confidentiality.CONFIDENTIAL_SUBMITTER, ReviewState.PUBLISHED, date(2021, 6, 1)),
        (ngo, Confidentiality.RESTRICTED, ReviewState.PUBLISHED, date(2022, 1, 10)),
        (hidden, Confidentiality.PUBLIC, ReviewState.SUBMITTED, date(2022, 2, 1)),
        (hidden, Confidentiality.PUBLIC, ReviewState.REJECTED, date(2022, 2, 2)),
    ]:
        await factories.progress_update(
            session,
            recommendation_id=rec.id,
            organisation_id=organisation.id,
            confidentiality=confidentiality,
            review_state=review,
            as_of_date=as_of,
        )
    await session.flush()
    return rec


async def test_public_timeline_in_date_then_kind_order(
    client: httpx.AsyncClient, rec: Recommendation
) -> None:
    response = await client.get(f"/v1/recommendations/{rec.id}/timeline")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["date"], item["kind"]) for item in items] == [
        ("2020-03-26", "position"),
        ("2020-09-15", "position"),
        ("2021-06-01", "action_linked"),
        ("2021-06-01", "update_published"),
        ("2021-06-01", "update_published"),
        ("2022-03-29", "deadline"),
        ("2023-07-20", "grade"),
        ("2023-09-01", "office_assessment"),
        ("2025-12-31", "deadline"),
    ]
    assert items[0]["position"] == "pending"
    assert items[1] == {
        "date": "2020-09-15",
        "kind": "position",
        "position": "supported",
        "source": "TEST/CCPR/C/TUN/CO/6/Add.1",
    }
    assert items[2]["title"] == "Draft law on defenders"
    assert items[5]["deadline_kind"] == "follow_up"
    assert (items[6]["grade"], items[6]["sub_grade"]) == ("B", "B2")
    assert items[7]["office_status"] == "partially_implemented"
    assert (items[8]["deadline_kind"], items[8]["title"]) == (
        "action_target",
        "Draft law on defenders",
    )
    assert "Withdrawn plan" not in response.text


async def test_public_never_sees_the_confidential_submitter(
    client: httpx.AsyncClient, rec: Recommendation
) -> None:
    response = await client.get(f"/v1/recommendations/{rec.id}/timeline")

    updates = [i for i in response.json()["items"] if i["kind"] == "update_published"]
    assert [(u["source_type"], u["organisation"]) for u in updates] == [
        ("civil_society", "Coalition for defenders"),
        ("civil_society", None),
    ]
    assert HIDDEN not in response.text


async def test_submitter_and_focal_point_see_what_the_public_sees(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    public = (await client.get(f"/v1/recommendations/{rec.id}/timeline")).json()
    for role, organisation, kind in [
        (Role.SUBMITTER, HIDDEN, OrganisationKind.CIVIL_SOCIETY),
        (Role.FOCAL_POINT, "Ministry of Justice", OrganisationKind.STATE),
    ]:
        key = await factories.api_key(session, role, organisation=organisation, kind=kind)

        response = await client.get(
            f"/v1/recommendations/{rec.id}/timeline", headers=factories.bearer(key)
        )

        assert response.json() == public
        assert HIDDEN not in response.text


async def test_staff_see_restricted_updates_and_every_name(
    client: httpx.AsyncClient, session: AsyncSession, rec: Recommendation
) -> None:
    staff = factories.bearer(await factories.api_key(session, Role.STAFF))

    response = await client.get(f"/v1/recommendations/{rec.id}/timeline", headers=staff)

    updates = [i for i in response.json()["items"] if i["kind"] == "update_published"]
    assert [(u["date"], u["organisation"]) for u in updates] == [
        ("2021-06-01", "Coalition for defenders"),
        ("2021-06-01", HIDDEN),
        ("2022-01-10", "Coalition for defenders"),
    ]
    assert all(u["source_type"] == SourceType.CIVIL_SOCIETY for u in updates)


async def test_undated_position_is_left_out(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/WG.6/1", published=None)
    rec = await factories.recommendation(session, doc, "7", position=Position.NOTED)

    response = await client.get(f"/v1/recommendations/{rec.id}/timeline")

    assert response.json() == {"items": []}


async def test_unknown_recommendation_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations/999999999/timeline")

    assert response.status_code == 404
    assert response.json()["type"] == "urn:suivi:problem:not-found"
