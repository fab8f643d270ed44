"""The follow-up in GET /v1/recommendations/{id}: actions, published updates, grades, deadlines."""

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.recommendations import RecommendationDetailRead
from models import (
    ActionRecommendation,
    FollowUpGrade,
    Institution,
    Organisation,
    ProgressUpdate,
    Recommendation,
    StateAction,
)
from models.enums import (
    ActionKind,
    ActionStatus,
    AssessorKind,
    Confidentiality,
    Grade,
    ImplementationStatus,
    OrganisationKind,
    ReviewState,
    SourceType,
)
from tests import factories


async def _update(
    session: AsyncSession,
    rec: Recommendation,
    organisation: Organisation,
    *,
    source: SourceType,
    status: ImplementationStatus,
    as_of: date,
    confidentiality: Confidentiality = Confidentiality.PUBLIC,
    review: ReviewState = ReviewState.PUBLISHED,
) -> ProgressUpdate:
    update = ProgressUpdate(
        recommendation_id=rec.id,
        source_type=source,
        assessed_status=status,
        narrative=f"{source} says {status} as of {as_of}.",
        as_of_date=as_of,
        organisation_id=organisation.id,
        confidentiality=confidentiality,
        review_state=review,
        reviewed_at=datetime(2024, 6, 1, tzinfo=UTC) if review is ReviewState.PUBLISHED else None,
    )
    session.add(update)
    await session.flush()
    return update


async def test_detail_shows_the_public_follow_up(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR")
    rec = await factories.recommendation(
        session, doc, "24", follow_up_selected=True, follow_up_deadline_date=date(2026, 3, 29)
    )
    ministry = Institution(name="Ministry of Justice", state_code="TUN")
    ngo = Organisation(name="Coalition for defenders", kind=OrganisationKind.CIVIL_SOCIETY)
    hidden = Organisation(name="A defenders' network", kind=OrganisationKind.CIVIL_SOCIETY)
    government = Organisation(name="Focal point", kind=OrganisationKind.STATE)
    session.add_all([ministry, ngo, hidden, government])
    await session.flush()
    law = StateAction(
        kind=ActionKind.LEGISLATION,
        title="Draft law on defenders",
        state_code="TUN",
        institution_id=ministry.id,
        status=ActionStatus.ONGOING,
        target_date=date(2025, 12, 31),
    )
    archived = StateAction(
        kind=ActionKind.POLICY,
        title="Withdrawn plan",
        state_code="TUN",
        status=ActionStatus.ABANDONED,
        archived_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    session.add_all([law, archived])
    await session.flush()
    session.add_all(
        [
            ActionRecommendation(action_id=law.id, recommendation_id=rec.id, note="Article 3"),
            ActionRecommendation(action_id=archived.id, recommendation_id=rec.id),
            FollowUpGrade(
                recommendation_id=rec.id,
                grade=Grade.B,
                sub_grade="B2",
                assessor_kind=AssessorKind.COMMITTEE,
                assessor="Human Rights Committee",
                graded_date=date(2024, 7, 1),
            ),
        ]
    )
    await _update(
        session,
        rec,
        government,
        source=SourceType.GOVERNMENT,
        status=ImplementationStatus.IMPLEMENTED,
        as_of=date(2024, 5, 1),
    )
    await _update(
        session,
        rec,
        ngo,
        source=SourceType.CIVIL_SOCIETY,
        status=ImplementationStatus.NOT_STARTED,
        as_of=date(2024, 2, 1),
    )
    confidential = await _update(
        session,
        rec,
        hidden,
        source=SourceType.CIVIL_SOCIETY,
        status=ImplementationStatus.REGRESSED,
        as_of=date(2024, 4, 1),
        confidentiality=Confidentiality.CONFIDENTIAL_SUBMITTER,
    )
    await _update(
        session,
        rec,
        ngo,
        source=SourceType.NHRI,
        status=ImplementationStatus.IN_PROGRESS,
        as_of=date(2024, 6, 1),
        confidentiality=Confidentiality.RESTRICTED,
    )
    await _update(
        session,
        rec,
        ngo,
        source=SourceType.UN,
        status=ImplementationStatus.IN_PROGRESS,
        as_of=date(2024, 6, 1),
        review=ReviewState.SUBMITTED,
    )

    # The follow-up is read as JSON, which writes instants in the session's time zone.
    await session.execute(text("SET LOCAL TIME ZONE 'Asia/Kolkata'"))

    response = await client.get(f"/v1/recommendations/{rec.id}")

    assert response.status_code == 200
    body = response.json()
    # Built as a dict and serialised directly: exactly what the documented model says.
    assert RecommendationDetailRead.model_validate(body).model_dump(mode="json") == body
    assert [a["title"] for a in body["actions"]] == ["Draft law on defenders"]
    assert body["actions"][0]["target_date"] == "2025-12-31"
    assert body["actions"][0]["status"] == "ongoing"
    assert body["actions"][0]["institution"] == "Ministry of Justice"
    assert body["actions"][0]["note"] == "Article 3"
    # Published and not restricted only, newest first; the confidential submitter is unnamed.
    assert [(u["source_type"], u["organisation"]) for u in body["progress_updates"]] == [
        ("government", "Focal point"),
        ("civil_society", None),
        ("civil_society", "Coalition for defenders"),
    ]
    assert body["progress_updates"][1]["id"] == confidential.id
    assert {u["published_at"] for u in body["progress_updates"]} == {"2024-06-01T00:00:00Z"}
    assert "A defenders' network" not in response.text
    assert body["status_by_source"] == {
        "government": "implemented",
        "nhri": None,
        "civil_society": "regressed",
        "un": None,
    }
    assert body["grades"] == [
        {
            "grade": "B",
            "sub_grade": "B2",
            "assessor_kind": "committee",
            "assessor": "Human Rights Committee",
            "graded_date": "2024-07-01",
            "document_symbol": None,
        }
    ]
    assert body["deadlines"] == [
        {"kind": "action_target", "due_date": "2025-12-31", "action_id": law.id},
        {"kind": "follow_up", "due_date": "2026-03-29", "action_id": None},
    ]


async def test_a_page_of_500_costs_a_constant_number_of_statements(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    for n in range(501):
        session.add(
            Recommendation(
                natural_key=f"test:{n}",
                state_code="TUN",
                body_id=doc.body_id,
                document_id=doc.id,
                paragraph=str(n),
                language="en",
                text=f"Recommendation {n}.",
                themes=["Human rights defenders", f"Theme {n % 7}"],
                recommending_states=["FRA"],
                source_format="manual",
                content_hash="0" * 64,
            )
        )
    await session.flush()
    statements: list[str] = []
    connection = await session.connection()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(connection.sync_connection, "before_cursor_execute", count)
    try:
        small = await client.get("/v1/recommendations", params={"limit": 5, "theme": "Theme 1"})
        small_count = len(statements)
        statements.clear()
        large = await client.get("/v1/recommendations", params={"limit": 500})
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", count)

    assert small.status_code == large.status_code == 200
    assert len(large.json()["items"]) == 500
    assert len(statements) == small_count <= 2


async def test_a_graded_follow_up_reply_is_no_longer_a_deadline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR")
    rec = await factories.recommendation(
        session, doc, "14", follow_up_deadline_date=date(2022, 3, 27)
    )
    before = (await client.get(f"/v1/recommendations/{rec.id}")).json()["deadlines"]
    session.add(
        FollowUpGrade(
            recommendation_id=rec.id,
            grade=Grade.B,
            assessor_kind=AssessorKind.COMMITTEE,
            assessor="Human Rights Committee",
            graded_date=date(2022, 7, 28),
        )
    )
    await session.flush()

    after = (await client.get(f"/v1/recommendations/{rec.id}")).json()["deadlines"]

    assert [d["kind"] for d in before] == ["follow_up"]
    assert after == []


async def test_text_values_that_look_like_json_stay_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    rec = await factories.recommendation(
        session, doc, "7", source_record_id="[UPR-123", annotation_type="[1, 2]"
    )

    response = await client.get(f"/v1/recommendations/{rec.id}")
    page = await client.get(f"/recommendations/{rec.id}")

    assert response.status_code == 200, response.text
    assert response.json()["provenance"]["source_record_id"] == "[UPR-123"
    assert response.json()["annotation_type"] == "[1, 2]"
    assert page.status_code == 200
