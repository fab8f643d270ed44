"""Indicators over HTTP: create, list, read, and the observation flow."""

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
async def recs(session: AsyncSession) -> list[Recommendation]:
    """Two Tunisian recommendations and one Norwegian."""
    tun = await factories.document(session, "TEST/A/HRC/52/10")
    nor = await factories.document(session, "TEST/A/HRC/56/9", state="NOR")
    return [
        await factories.recommendation(session, tun, "105.34"),
        await factories.recommendation(session, tun, "105.35"),
        await factories.recommendation(session, nor, "140.1"),
    ]


async def _key(session: AsyncSession, role: Role, **kwargs: Any) -> dict[str, str]:
    return factories.bearer(await factories.api_key(session, role, **kwargs))


def _indicator(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "outcome",
        "name": "Attacks on defenders recorded",
        "description": "Physical attacks and threats reported to the NHRI.",
        "unit": "cases",
        "state": "TUN",
        "reporting_frequency": "quarterly",
        "next_reporting_date": "2026-03-31",
        **fields,
    }


async def _create(
    client: httpx.AsyncClient, session: AsyncSession, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/indicators", json=_indicator(**fields), headers=await _key(session, Role.STAFF)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_staff_create_an_indicator_attached_to_recommendations(
    client: httpx.AsyncClient, session: AsyncSession, recs: list[Recommendation]
) -> None:
    response = await client.post(
        "/v1/indicators",
        json=_indicator(recommendation_ids=[recs[1].id, recs[0].id]),
        headers=await _key(session, Role.STAFF),
    )

    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"/v1/indicators/{created['id']}"
    assert created["recommendation_ids"] == sorted([recs[0].id, recs[1].id])
    assert created["state"] == "TUN"
    detail = (await client.get(response.headers["location"])).json()
    assert detail == {**created, "observations": []}
    event = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "indicator.created"))
    ).one()
    assert event.object_id == str(created["id"])


@pytest.mark.parametrize("which", ["missing", "other_state"])
async def test_recommendations_must_exist_and_be_of_the_state(
    client: httpx.AsyncClient, session: AsyncSession, recs: list[Recommendation], which: str
) -> None:
    wrong = 999_999_999 if which == "missing" else recs[2].id

    response = await client.post(
        "/v1/indicators",
        json=_indicator(recommendation_ids=[recs[0].id, wrong]),
        headers=await _key(session, Role.STAFF),
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:unprocessable"
    assert str(wrong) in response.json()["detail"]
    assert (await client.get("/v1/indicators")).json()["items"] == []


async def test_an_indicator_without_state_takes_any_recommendation(
    client: httpx.AsyncClient, session: AsyncSession, recs: list[Recommendation]
) -> None:
    created = await _create(
        client, session, state=None, recommendation_ids=[recs[0].id, recs[2].id]
    )

    assert created["recommendation_ids"] == [recs[0].id, recs[2].id]


@pytest.mark.parametrize(
    "fields",
    [{"kind": "impact"}, {"state": "XXX"}, {"name": ""}, {"id": 5}, {"recommendation_ids": [0]}],
)
async def test_invalid_indicators_are_422(
    client: httpx.AsyncClient, session: AsyncSession, fields: dict[str, Any]
) -> None:
    response = await client.post(
        "/v1/indicators", json=_indicator(**fields), headers=await _key(session, Role.STAFF)
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:invalid-parameters"


async def test_create_is_refused_to_the_public_and_to_submitters(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    submitter = await _key(
        session, Role.SUBMITTER, organisation="Defenders NGO", kind=OrganisationKind.CIVIL_SOCIETY
    )

    public = await client.post("/v1/indicators", json=_indicator())
    refused = await client.post("/v1/indicators", json=_indicator(), headers=submitter)

    assert (public.status_code, refused.status_code) == (401, 403)
    assert public.json()["type"] == "urn:suivi:problem:unauthenticated"
    assert refused.json()["type"] == "urn:suivi:problem:forbidden"


async def test_list_filters_and_pages(
    client: httpx.AsyncClient, session: AsyncSession, recs: list[Recommendation]
) -> None:
    attacks = await _create(client, session, recommendation_ids=[recs[0].id])
    law = await _create(client, session, kind="structural", name="Protection law adopted")
    norway = await _create(
        client, session, state="NOR", name="Registrations refused", recommendation_ids=[recs[2].id]
    )

    def ids(response: httpx.Response) -> list[int]:
        return [item["id"] for item in response.json()["items"]]

    assert ids(await client.get("/v1/indicators", params={"state": "TUN"})) == [
        attacks["id"],
        law["id"],
    ]
    assert ids(await client.get("/v1/indicators", params={"kind": "structural"})) == [law["id"]]
    assert ids(await client.get("/v1/indicators", params={"recommendation_id": recs[2].id})) == [
        norway["id"]
    ]
    first = await client.get("/v1/indicators", params={"limit": 2})
    second = await client.get(
        "/v1/indicators", params={"limit": 2, "cursor": first.json()["next_cursor"]}
    )
    assert ids(first) + ids(second) == [attacks["id"], law["id"], norway["id"]]
    assert second.json()["next_cursor"] is None


async def test_unknown_indicator_is_404(client: httpx.AsyncClient, session: AsyncSession) -> None:
    read = await client.get("/v1/indicators/999999999")
    observed = await client.post(
        "/v1/indicators/999999999/observations",
        json={"observed_date": "2026-01-01", "value": 1, "source": "NHRI"},
        headers=await _key(session, Role.STAFF),
    )

    assert (read.status_code, observed.status_code) == (404, 404)
    assert read.json()["type"] == "urn:suivi:problem:not-found"


async def test_observations_advance_the_reporting_date_when_they_cover_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    indicator = await _create(client, session, next_reporting_date="2026-03-31")
    staff = await _key(session, Role.STAFF)
    url = f"/v1/indicators/{indicator['id']}/observations"

    covering = await client.post(
        url,
        json={"observed_date": "2026-03-15", "value": 12, "source": "NHRI annual report"},
        headers=staff,
    )
    after_first = (await client.get(f"/v1/indicators/{indicator['id']}")).json()
    backfill = await client.post(
        url,
        json={"observed_date": "2025-06-30", "value": "7.5", "source": "NHRI", "note": "Late."},
        headers=staff,
    )
    after_backfill = (await client.get(f"/v1/indicators/{indicator['id']}")).json()

    assert covering.status_code == 201
    assert covering.json()["value"] == 12
    assert after_first["next_reporting_date"] == "2026-06-30"
    assert backfill.status_code == 201
    assert after_backfill["next_reporting_date"] == "2026-06-30"
    assert [(o["observed_date"], o["value"]) for o in after_backfill["observations"]] == [
        ("2026-03-15", 12),
        ("2025-06-30", 7.5),
    ]
    events = (
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "indicator_observation.created")
            .order_by(AuditEvent.id)
        )
    ).all()
    assert [e.summary["new_next_reporting_date"] for e in events] == ["2026-06-30", "2026-06-30"]


async def test_a_late_observation_moves_past_every_period_it_covers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    indicator = await _create(
        client, session, reporting_frequency="monthly", next_reporting_date="2026-01-31"
    )

    await client.post(
        f"/v1/indicators/{indicator['id']}/observations",
        json={"observed_date": "2026-04-02", "value_text": "yes", "source": "Official gazette"},
        headers=await _key(session, Role.STAFF),
    )

    detail = (await client.get(f"/v1/indicators/{indicator['id']}")).json()
    assert detail["next_reporting_date"] == "2026-04-30"
    assert detail["observations"][0]["value"] is None
    assert detail["observations"][0]["value_text"] == "yes"


async def test_focal_point_of_the_indicators_state_may_observe(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    indicator = await _create(client, session)
    ministry = await factories.institution(session, "Ministry of Justice", state="TUN")
    foreign = await factories.institution(session, "Justisdepartementet", state="NOR")
    focal = await _key(
        session,
        Role.FOCAL_POINT,
        organisation="Ministry of Justice focal point",
        kind=OrganisationKind.STATE,
        institution_id=ministry.id,
    )
    other = await _key(
        session,
        Role.FOCAL_POINT,
        organisation="Norwegian focal point",
        kind=OrganisationKind.STATE,
        institution_id=foreign.id,
    )
    submitter = await _key(
        session, Role.SUBMITTER, organisation="Defenders NGO", kind=OrganisationKind.CIVIL_SOCIETY
    )
    url = f"/v1/indicators/{indicator['id']}/observations"
    body = {"observed_date": "2026-02-01", "value": 3, "source": "Ministry statistics"}

    accepted = await client.post(url, json=body, headers=focal)
    foreign_state = await client.post(url, json=body, headers=other)
    refused = await client.post(url, json=body, headers=submitter)
    public = await client.post(url, json=body)

    assert accepted.status_code == 201
    assert foreign_state.status_code == 403
    assert foreign_state.json()["type"] == "urn:suivi:problem:forbidden"
    assert refused.status_code == 403
    assert public.status_code == 401
    detail = (await client.get(f"/v1/indicators/{indicator['id']}")).json()
    assert len(detail["observations"]) == 1


async def test_focal_point_may_not_observe_an_indicator_without_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    indicator = await _create(client, session, state=None)
    ministry = await factories.institution(session, "Ministry of Justice", state="TUN")
    focal = await _key(
        session,
        Role.FOCAL_POINT,
        organisation="Ministry of Justice focal point",
        kind=OrganisationKind.STATE,
        institution_id=ministry.id,
    )

    response = await client.post(
        f"/v1/indicators/{indicator['id']}/observations",
        json={"observed_date": "2026-02-01", "value": 3, "source": "Ministry statistics"},
        headers=focal,
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"observed_date": "2026-02-01", "source": "NHRI"},
        {"observed_date": "2026-02-01", "value": "many", "source": "NHRI"},
        {
            "observed_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat(),
            "value": 1,
            "source": "NHRI",
        },
        {"observed_date": "2026-02-01", "value": 1},
    ],
)
async def test_invalid_observations_are_422(
    client: httpx.AsyncClient, session: AsyncSession, body: dict[str, Any]
) -> None:
    indicator = await _create(client, session)

    response = await client.post(
        f"/v1/indicators/{indicator['id']}/observations",
        json=body,
        headers=await _key(session, Role.STAFF),
    )

    assert response.status_code == 422
    assert response.json()["type"] == "urn:suivi:problem:invalid-parameters"


def test_reporting_dates_stay_within_the_month() -> None:
    from suivi.services.indicators import add_months

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -3) == date(2025, 12, 31)
