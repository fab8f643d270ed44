"""GET /v1/deadlines: what is overdue and what falls due, soonest first."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models import FollowUpGrade, Indicator, Recommendation
from models.enums import ActionStatus, AssessorKind, Grade, IndicatorKind
from suivi import upr_sessions
from suivi.services.indicators import add_months
from tests import factories
from tests.codes import without_labels

TODAY = datetime.now(UTC).date()


def _days(n: int) -> date:
    return TODAY + timedelta(days=n)


async def _follow_up(
    session: AsyncSession, paragraph: str, deadline: date, *, state: str = "TUN"
) -> Recommendation:
    symbol = f"TEST/CCPR/C/{state}/CO/{paragraph}"
    doc = await factories.document(
        session, symbol, body_code="CCPR", state=state, session_number=None, cycle=None
    )
    return await factories.recommendation(
        session, doc, paragraph, follow_up_selected=True, follow_up_deadline_date=deadline
    )


async def _grade(session: AsyncSession, rec: Recommendation, graded: date) -> None:
    session.add(
        FollowUpGrade(
            recommendation_id=rec.id,
            grade=Grade.C,
            assessor_kind=AssessorKind.COMMITTEE,
            assessor="Human Rights Committee",
            graded_date=graded,
        )
    )
    await session.flush()


async def _list(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/deadlines", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_follow_up_replies_overdue_due_and_out_of_window(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    overdue = await _follow_up(session, "10", _days(-10))
    due = await _follow_up(session, "12", _days(30))
    later = await _follow_up(session, "14", _days(200))
    graded = await _follow_up(session, "16", _days(-100))
    await _grade(session, graded, _days(-50))
    graded_before = await _follow_up(session, "18", _days(-100))
    await _grade(session, graded_before, _days(-200))

    items = await _list(client, state="TUN")

    assert [(i["recommendation_id"], i["due_date"], i["overdue"]) for i in items] == [
        (graded_before.id, _days(-100).isoformat(), True),
        (overdue.id, _days(-10).isoformat(), True),
        (due.id, _days(30).isoformat(), False),
    ]
    assert without_labels(items[1]) == {
        "kind": "treaty_body_follow_up",
        "due_date": _days(-10).isoformat(),
        "overdue": True,
        "state": "TUN",
        "recommendation_id": overdue.id,
        "action_id": None,
        "indicator_id": None,
        "title": "Follow-up reply on TEST/CCPR/C/TUN/CO/10 paragraph 10",
        "estimated": False,
    }
    wider = await _list(client, state="TUN", within=365)
    assert [i["recommendation_id"] for i in wider][-1] == later.id


async def test_a_long_overdue_reply_is_listed_whatever_the_window(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    old = await _follow_up(session, "3", _days(-2000))

    items = await _list(client, state="TUN", within=1)

    assert [i["recommendation_id"] for i in items] == [old.id]


async def test_upr_review_and_mid_term_are_estimated_from_the_last_review(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    reviewed = date(TODAY.year - 1, TODAY.month, 15)
    await factories.document(
        session, "TEST/A/HRC/36/5", state="TUN", session_number=27, published=date(2017, 7, 12)
    )
    await factories.document(
        session, "TEST/A/HRC/52/10", state="TUN", session_number=41, published=reviewed
    )
    # An addendum of the same session, published later, does not move the estimate.
    await factories.document(
        session,
        "TEST/A/HRC/52/10/Add.1",
        state="TUN",
        session_number=41,
        published=reviewed + timedelta(days=90),
    )
    # A treaty body's session is no UPR session.
    await factories.document(
        session, "TEST/CCPR/C/TUN/CO/7", body_code="CCPR", state="TUN", session_number=140
    )

    items = await _list(
        client, state="TUN", within=3650, kind=["upr_review", "upr_mid_term_report"]
    )

    assert without_labels(items) == [
        {
            "kind": "upr_mid_term_report",
            "due_date": add_months(reviewed, 27).isoformat(),
            "overdue": False,
            "state": "TUN",
            "recommendation_id": None,
            "action_id": None,
            "indicator_id": None,
            "title": "UPR mid-term report on the session 41 review, before session 55 (estimated)",
            "estimated": True,
        },
        {
            "kind": "upr_review",
            "due_date": add_months(reviewed, 54).isoformat(),
            "overdue": False,
            "state": "TUN",
            "recommendation_id": None,
            "action_id": None,
            "indicator_id": None,
            "title": "Next UPR review, session 55 (estimated)",
            "estimated": True,
        },
    ]
    assert await _list(client, state="TUN", kind="upr_review") == []


async def test_a_first_cycle_review_came_back_twelve_sessions_later(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await factories.document(
        session, "TEST/A/HRC/8/21", state="ISL", session_number=3, published=date(2008, 12, 1)
    )

    items = await _list(client, state="ISL", kind="upr_review")

    # The calendar holds session 15: the review falls within it, from its first day.
    fifteenth = upr_sessions.session(15)
    assert fifteenth is not None
    assert [(i["due_date"], i["title"], i["overdue"]) for i in items] == [
        (fifteenth.start_date.isoformat(), "Next UPR review, session 15 (estimated)", True)
    ]


async def test_open_action_targets_only(client: httpx.AsyncClient, session: AsyncSession) -> None:
    open_ = await factories.action(session, "Register of attacks", target_date=_days(20))
    planned = await factories.action(
        session, "Protection law", status=ActionStatus.PLANNED, target_date=_days(-5)
    )
    await factories.action(session, "Done", status=ActionStatus.COMPLETED, target_date=_days(10))
    await factories.action(session, "Dropped", status=ActionStatus.ABANDONED, target_date=_days(10))
    await factories.action(
        session,
        "Archived",
        target_date=_days(10),
        archived_at=datetime.now(UTC),
    )
    await factories.action(session, "Far", target_date=_days(400))
    await factories.action(session, "Elsewhere", state="NOR", target_date=_days(1))

    items = await _list(client, state="TUN", kind="action_target")

    assert [(i["action_id"], i["title"], i["overdue"]) for i in items] == [
        (planned.id, "Protection law", True),
        (open_.id, "Register of attacks", False),
    ]


async def test_indicator_reporting_dates(client: httpx.AsyncClient, session: AsyncSession) -> None:
    due = Indicator(
        kind=IndicatorKind.OUTCOME,
        name="Defenders killed",
        state_code="TUN",
        next_reporting_date=_days(45),
    )
    undated = Indicator(kind=IndicatorKind.STRUCTURAL, name="Protection law", state_code="TUN")
    session.add_all([due, undated])
    await session.flush()

    items = await _list(client, state="TUN")

    assert [(i["kind"], i["indicator_id"], i["title"]) for i in items] == [
        ("indicator_report", due.id, "Defenders killed")
    ]


async def test_kinds_mix_sorted_by_date_and_paged(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec = await _follow_up(session, "8", _days(5))
    action = await factories.action(session, "Register of attacks", target_date=_days(5))
    indicator = Indicator(
        kind=IndicatorKind.PROCESS, name="Cases", state_code="TUN", next_reporting_date=_days(1)
    )
    session.add(indicator)
    await session.flush()

    first = await client.get("/v1/deadlines", params={"state": "TUN", "limit": 2})
    page = first.json()
    second = await client.get(
        "/v1/deadlines", params={"state": "TUN", "limit": 2, "cursor": page["next_cursor"]}
    )

    assert [(i["kind"], i["due_date"]) for i in page["items"]] == [
        ("indicator_report", _days(1).isoformat()),
        ("action_target", _days(5).isoformat()),
    ]
    assert page["items"][1]["action_id"] == action.id
    assert [i["recommendation_id"] for i in second.json()["items"]] == [rec.id]
    assert second.json()["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"within": 0},
        {"within": 3651},
        {"state": "tun"},
        {"kind": "elections"},
        {"cursor": "not-a-cursor"},
        {"other": "x"},
    ],
)
async def test_invalid_parameters_are_422(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    response = await client.get("/v1/deadlines", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_undated_latest_review_gives_no_stale_estimate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await factories.document(
        session, "TEST/A/HRC/36/5", state="TUN", session_number=27, published=date(2017, 7, 12)
    )
    await factories.document(
        session, "TEST/A/HRC/52/10", state="TUN", session_number=41, published=None
    )

    assert await _list(client, state="TUN", kind=["upr_review", "upr_mid_term_report"]) == []
