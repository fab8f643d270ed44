"""GET /v1/states/{code}/scorecard through HTTP, on a small hand-built world."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.stats import ScorecardRead
from models.enums import (
    ActionStatus,
    Confidentiality,
    HrdRelevance,
    ImplementationStatus,
    Position,
    ReviewState,
)
from tests import factories
from tests.codes import without_labels

TODAY = datetime.now(UTC).date()
THIS_YEAR = TODAY.year
STATUSES = [status.value for status in ImplementationStatus]
SUBMITTER = "Collectif des défenseurs"


def counts(**nonzero: int) -> dict[str, int]:
    """Every status, zero unless given."""
    return {status: nonzero.get(status, 0) for status in STATUSES}


@pytest.fixture
async def world(session: AsyncSession) -> None:
    """Tunisia: three UPR recommendations with a history, four treaty-body ones with
    deadlines, an undated special-procedure one, and State actions; one for Morocco."""
    upr = await factories.document(session, "TEST/A/HRC/36/5", published=date(2017, 9, 1))
    ccpr = await factories.document(
        session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR", published=date(2020, 4, 24)
    )
    visit = await factories.document(
        session, "TEST/A/HRC/40/60/Add.1", body_code="SR-HRD", published=None
    )
    morocco = await factories.document(session, "TEST/A/HRC/52/7", state="MAR")
    submitter = await factories.organisation_called(session, SUBMITTER)

    defenders = await factories.recommendation(
        session,
        upr,
        "1",
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        status=ImplementationStatus.PARTIALLY_IMPLEMENTED,
    )
    for as_of, status, confidentiality, review in [
        (date(2019, 5, 1), "in_progress", "public", "published"),
        (date(2020, 6, 1), "regressed", "restricted", "published"),
        (date(2021, 3, 1), "partially_implemented", "confidential_submitter", "published"),
        (date(2022, 2, 1), "not_started", "public", "submitted"),
    ]:
        await factories.progress_update(
            session,
            recommendation_id=defenders.id,
            organisation_id=submitter.id,
            assessed_status=ImplementationStatus(status),
            confidentiality=Confidentiality(confidentiality),
            review_state=ReviewState(review),
            as_of_date=as_of,
        )
    assessed = await factories.recommendation(
        session,
        upr,
        "2",
        position=Position.NOTED,
        status=ImplementationStatus.IMPLEMENTED,
        office_status=ImplementationStatus.IMPLEMENTED,
        office_assessed_at=datetime(2023, 6, 1, tzinfo=UTC),
    )
    for as_of, status, review in [
        (date(2018, 3, 1), "implemented", "rejected"),
        (date(2020, 2, 1), "not_started", "published"),
        (date(2024, 2, 1), "regressed", "published"),
    ]:
        await factories.progress_update(
            session,
            recommendation_id=assessed.id,
            assessed_status=ImplementationStatus(status),
            review_state=ReviewState(review),
            as_of_date=as_of,
        )
    await factories.recommendation(
        session, upr, "3", position=Position.SUPPORTED, hrd=HrdRelevance.RELATED
    )

    for paragraph, status, deadline, hrd in [
        ("4", "not_implemented", TODAY - timedelta(days=30), HrdRelevance.DIRECT),
        ("5", "implemented", TODAY - timedelta(days=30), HrdRelevance.NONE),
        ("6", "in_progress", TODAY + timedelta(days=90), HrdRelevance.NONE),
        ("7", "not_assessed", TODAY + timedelta(days=91), HrdRelevance.NONE),
    ]:
        await factories.recommendation(
            session,
            ccpr,
            paragraph,
            hrd=hrd,
            status=ImplementationStatus(status),
            follow_up_selected=True,
            follow_up_deadline_date=deadline,
        )
    await factories.recommendation(session, visit, "8", hrd=HrdRelevance.DIRECT)
    await factories.recommendation(
        session,
        morocco,
        "1",
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        follow_up_deadline_date=TODAY - timedelta(days=1),
    )

    for title, status, target, state, archived in [
        ("Decree on associations", ActionStatus.ONGOING, -10, "TUN", False),
        ("Training of judges", ActionStatus.PLANNED, 10, "TUN", False),
        ("Withdrawn bill", ActionStatus.ONGOING, -10, "TUN", True),
        ("Completed law", ActionStatus.COMPLETED, -10, "TUN", False),
        ("Abandoned plan", ActionStatus.ABANDONED, 10, "TUN", False),
        ("Later plan", ActionStatus.PLANNED, 91, "TUN", False),
        ("Moroccan decree", ActionStatus.ONGOING, -10, "MAR", False),
    ]:
        await factories.action(
            session,
            title,
            state=state,
            status=status,
            target_date=TODAY + timedelta(days=target),
            archived_at=datetime(2025, 1, 1, tzinfo=UTC) if archived else None,
        )


@pytest.mark.usefixtures("world")
async def test_scorecard_counts_the_state_by_mechanism_defenders_and_positions(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/states/TUN/scorecard")

    assert response.status_code == 200, response.text
    body = response.json()
    ScorecardRead.model_validate(body)
    assert (body["state"], body["total"]) == ("TUN", 8)
    assert without_labels(body["by_mechanism_status"]) == [
        {"mechanism": "upr", "status": "not_assessed", "count": 1},
        {"mechanism": "upr", "status": "partially_implemented", "count": 1},
        {"mechanism": "upr", "status": "implemented", "count": 1},
        {"mechanism": "treaty_body", "status": "not_assessed", "count": 1},
        {"mechanism": "treaty_body", "status": "in_progress", "count": 1},
        {"mechanism": "treaty_body", "status": "implemented", "count": 1},
        {"mechanism": "treaty_body", "status": "not_implemented", "count": 1},
        {"mechanism": "special_procedure", "status": "not_assessed", "count": 1},
    ]
    assert without_labels(body["defenders"]) == {
        "total": 4,
        "by_status": [
            {"status": "not_assessed", "count": 2},
            {"status": "partially_implemented", "count": 1},
            {"status": "not_implemented", "count": 1},
        ],
        "by_mechanism": [
            {"mechanism": "upr", "count": 2},
            {"mechanism": "treaty_body", "count": 1},
            {"mechanism": "special_procedure", "count": 1},
        ],
    }
    assert without_labels(body["positions"]) == [
        {"position": "supported", "count": 2},
        {"position": "noted", "count": 1},
    ]


@pytest.mark.usefixtures("world")
async def test_overdue_and_due_soon_count_open_recommendations_and_actions(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/v1/states/TUN/scorecard")).json()

    # Overdue: paragraph 4 and the ongoing decree. Due soon: paragraph 6 (day 90) and the
    # planned training. Implemented, archived, completed, abandoned and later ones are not.
    assert (body["overdue"], body["due_soon"]) == (2, 2)


@pytest.mark.usefixtures("world")
async def test_trend_counts_each_status_at_the_end_of_each_year(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.get("/v1/states/TUN/scorecard")).json()

    # The restricted `regressed` (2020), the unpublished `not_started` (2022) and the rejected
    # `implemented` (2018) never count; the office's `implemented` wins from 2023, over the
    # later published `regressed`. The undated paragraph 8 is not in the trend.
    expected = [
        {"year": 2017, "counts": counts(not_assessed=3)},
        {"year": 2018, "counts": counts(not_assessed=3)},
        {"year": 2019, "counts": counts(not_assessed=2, in_progress=1)},
        {"year": 2020, "counts": counts(not_assessed=5, not_started=1, in_progress=1)},
        {"year": 2021, "counts": counts(not_assessed=5, not_started=1, partially_implemented=1)},
        {"year": 2022, "counts": counts(not_assessed=5, not_started=1, partially_implemented=1)},
    ] + [
        {"year": year, "counts": counts(not_assessed=5, partially_implemented=1, implemented=1)}
        for year in range(2023, THIS_YEAR + 1)
    ]
    assert body["trend"] == expected


async def test_trend_ignores_unpublished_and_restricted_updates(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(
        session, "TEST/A/HRC/50/4", state="NOR", published=date(2022, 1, 1)
    )
    rec = await factories.recommendation(session, doc, "1")
    for review, confidentiality in [
        (ReviewState.SUBMITTED, Confidentiality.PUBLIC),
        (ReviewState.REJECTED, Confidentiality.PUBLIC),
        (ReviewState.RETRACTED, Confidentiality.PUBLIC),
        (ReviewState.PUBLISHED, Confidentiality.RESTRICTED),
    ]:
        await factories.progress_update(
            session,
            recommendation_id=rec.id,
            review_state=review,
            confidentiality=confidentiality,
            as_of_date=date(2023, 5, 1),
        )

    body = (await client.get("/v1/states/NOR/scorecard")).json()

    assert body["trend"] == [
        {"year": year, "counts": counts(not_assessed=1)} for year in range(2022, THIS_YEAR + 1)
    ]


@pytest.mark.usefixtures("world")
async def test_scorecard_never_names_a_submitter(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/states/TUN/scorecard")

    assert SUBMITTER not in response.text


async def test_country_without_recommendations_has_an_empty_scorecard(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/states/ISL/scorecard")

    assert response.status_code == 200
    assert without_labels(response.json()) == {
        "state": "ISL",
        "total": 0,
        "by_mechanism_status": [],
        "defenders": {"total": 0, "by_status": [], "by_mechanism": []},
        "positions": [],
        "overdue": 0,
        "due_soon": 0,
        "trend": [],
        "recommended_again": 0,
        "oldest_unimplemented_clusters": [],
    }


async def test_unknown_state_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/states/ZZZ/scorecard")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:not-found"
    assert response.json()["instance"] == "/v1/states/ZZZ/scorecard"


@pytest.mark.parametrize("code", ["tun", "TUNI", "T1N"])
async def test_malformed_state_code_is_422_naming_code(
    client: httpx.AsyncClient, code: str
) -> None:
    response = await client.get(f"/v1/states/{code}/scorecard")

    assert response.status_code == 422
    assert [error["name"] for error in response.json()["errors"]] == ["code"]


async def test_unknown_parameter_is_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/states/TUN/scorecard", params={"colour": "blue"})

    assert response.status_code == 422
    assert [error["name"] for error in response.json()["errors"]] == ["colour"]


@pytest.mark.usefixtures("world")
async def test_etag_answers_304(client: httpx.AsyncClient) -> None:
    first = await client.get("/v1/states/TUN/scorecard")

    again = await client.get(
        "/v1/states/TUN/scorecard", headers={"If-None-Match": first.headers["etag"]}
    )

    assert again.status_code == 304
    assert again.content == b""


async def test_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/v1/states/{code}/scorecard"]["get"]

    assert operation["operationId"] == "getStateScorecard"
    assert {"404", "422"} <= set(operation["responses"])
