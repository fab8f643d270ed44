"""The follow-up workflow end to end, through HTTP with real keys.

An administrator sets up the organisations and keys over the API; staff import a treaty-body
recommendation; a focal point records and links an action; two civil-society organisations
disagree (one asks not to be named); staff publish one and reject the other; the public sees each
source's status and never the confidential submitter.
"""

import json
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from tests import factories

CONFIDENTIAL_ORGANISATION = "Réseau des défenseuses du Sud"
PUBLIC_ORGANISATION = "Observatoire des libertés"

EXPORT = {
    "format": "suivi",
    "version": 1,
    "recommendations": [
        {
            "natural_key": "doc:CCPR/C/TUN/CO/6#14",
            "state": "TUN",
            "mechanism": "treaty_body",
            "body": "CCPR",
            "document_symbol": "CCPR/C/TUN/CO/6",
            "paragraph": "14",
            "language": "en",
            "texts": {
                "en": "The State party should protect human rights defenders from reprisals "
                "and investigate every attack against them."
            },
            "date": "2020-04-24",
            "themes": ["Human rights defenders"],
            "hrd_relevance": "direct",
            "hrd_reasons": [{"source": "text", "match": "human rights defenders"}],
        }
    ],
}


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _key(
    client: httpx.AsyncClient, admin: dict[str, str], organisation_id: int, role: str
) -> dict[str, str]:
    key = await _created(
        await client.post(
            "/v1/keys", json={"organisation_id": organisation_id, "role": role}, headers=admin
        )
    )
    return factories.bearer(key["key"])


async def _organisation(
    client: httpx.AsyncClient, admin: dict[str, str], **fields: Any
) -> dict[str, Any]:
    return await _created(await client.post("/v1/organisations", json=fields, headers=admin))


async def test_the_whole_follow_up_flow(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = factories.bearer(await factories.api_key(session, Role.ADMIN))
    office = await _organisation(client, admin, name="Bureau du HCDH en Tunisie", kind="office")
    staff = await _key(client, admin, office["id"], "staff")

    # Staff import the concluding observations.
    imported = await client.post(
        "/v1/imports",
        files={"file": ("ccpr.json", json.dumps(EXPORT).encode(), "application/json")},
        headers=staff,
    )
    assert imported.status_code == 201, imported.text
    [rec] = (await client.get("/v1/recommendations", params={"body": "CCPR"})).json()["items"]
    rec_id = rec["id"]

    # The State's focal point: an institution, its organisation, its key.
    ministry = await _created(
        await client.post(
            "/v1/institutions",
            json={"name": "Ministère de la Justice", "state": "TUN"},
            headers=staff,
        )
    )
    state_org = await _organisation(
        client, admin, name="Point focal, Justice", kind="state", institution_id=ministry["id"]
    )
    focal = await _key(client, admin, state_org["id"], "focal_point")
    cso_hidden = await _key(
        client,
        admin,
        (await _organisation(client, admin, name=CONFIDENTIAL_ORGANISATION, kind="civil_society"))[
            "id"
        ],
        "submitter",
    )
    cso_public = await _key(
        client,
        admin,
        (await _organisation(client, admin, name=PUBLIC_ORGANISATION, kind="civil_society"))["id"],
        "submitter",
    )

    # The focal point records an action and links it; its first ETag goes stale.
    action = await client.post(
        "/v1/actions",
        json={"kind": "legislation", "title": "Draft law on associations", "status": "ongoing"},
        headers=focal,
    )
    first_etag = action.headers["etag"]
    action_id = (await _created(action))["id"]
    linked = await client.put(
        f"/v1/recommendations/{rec_id}/actions/{action_id}",
        json={"note": "Removes prior authorisation for associations."},
        headers=focal,
    )
    assert linked.status_code == 201
    stale = await client.patch(
        f"/v1/actions/{action_id}",
        json={"status": "completed"},
        headers={**focal, "If-Match": first_etag},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")

    # Two civil-society organisations disagree; the confidential one retries its POST.
    hidden_body = {
        "source_type": "civil_society",
        "assessed_status": "not_implemented",
        "narrative": "Three defenders were questioned about their reports in 2024.",
        "as_of_date": "2024-12-01",
        "confidentiality": "confidential_submitter",
    }
    retry = {**cso_hidden, "Idempotency-Key": "report-2024-12"}
    hidden = await _created(
        await client.post(f"/v1/recommendations/{rec_id}/updates", json=hidden_body, headers=retry)
    )
    again = await client.post(
        f"/v1/recommendations/{rec_id}/updates", json=hidden_body, headers=retry
    )
    assert again.status_code == 200
    assert again.json()["id"] == hidden["id"]
    public = await _created(
        await client.post(
            f"/v1/recommendations/{rec_id}/updates",
            json={
                "source_type": "civil_society",
                "assessed_status": "implemented",
                "narrative": "The law was adopted.",
                "as_of_date": "2024-12-15",
                "confidentiality": "public",
            },
            headers=cso_public,
        )
    )
    government = await _created(
        await client.post(
            f"/v1/recommendations/{rec_id}/updates",
            json={
                "source_type": "government",
                "assessed_status": "in_progress",
                "narrative": "The draft law is before parliament.",
                "as_of_date": "2024-11-20",
                "confidentiality": "public",
            },
            headers=focal,
        )
    )
    queue = (await client.get("/v1/updates?review_state=submitted", headers=staff)).json()
    assert {item["id"] for item in queue["items"]} == {hidden["id"], public["id"], government["id"]}

    # Staff publish the confidential report and the government's, and reject the other.
    for update_id in (hidden["id"], government["id"]):
        published = await client.post(f"/v1/updates/{update_id}/publish", headers=staff)
        assert published.status_code == 200
    rejected = await client.post(
        f"/v1/updates/{public['id']}/reject",
        json={"reason": "The law is still a draft: please cite the official journal."},
        headers=staff,
    )
    assert rejected.status_code == 200
    own = (await client.get(f"/v1/updates/{public['id']}", headers=cso_public)).json()
    assert own["review_state"] == "rejected"
    assert own["review_reason"].startswith("The law is still a draft")

    # A grade and a follow-up deadline already passed.
    grade = await client.post(
        f"/v1/recommendations/{rec_id}/grades",
        json={
            "grade": "C",
            "sub_grade": "C1",
            "assessor_kind": "committee",
            "assessor": "Human Rights Committee",
            "graded_date": "2023-07-28",
        },
        headers=staff,
    )
    assert grade.status_code == 201
    assessment = await client.get(f"/v1/recommendations/{rec_id}/assessment")
    overdue = date.today() - timedelta(days=30)
    assessed = await client.patch(
        f"/v1/recommendations/{rec_id}/assessment",
        json={"follow_up_deadline_date": overdue.isoformat()},
        headers={**staff, "If-Match": assessment.headers["etag"]},
    )
    assert assessed.status_code == 200

    # What the public sees: each source's status, the headline, and no confidential name.
    detail = (await client.get(f"/v1/recommendations/{rec_id}")).json()
    assert detail["status_by_source"] == {
        "government": "in_progress",
        "nhri": None,
        "civil_society": "not_implemented",
        "un": None,
    }
    # The most recent published assessment leads: the civil-society report of December.
    assert detail["status"] == "not_implemented"
    assert detail["office_status"] is None
    public_reads = [
        detail,
        (await client.get(f"/v1/updates/{hidden['id']}")).json(),
        (await client.get(f"/v1/recommendations/{rec_id}/timeline")).json(),
        (await client.get("/v1/changes", params={"limit": 500})).json(),
    ]
    assert CONFIDENTIAL_ORGANISATION not in json.dumps(public_reads, ensure_ascii=False)
    assert public_reads[1]["submitter"] is None
    assert (await client.get(f"/v1/updates/{public['id']}")).status_code == 404

    # The timeline holds every step, in order.
    timeline = public_reads[2]["items"]
    kinds = [event["kind"] for event in timeline]
    assert {"action_linked", "update_published", "grade", "deadline"} <= set(kinds)
    assert kinds.count("update_published") == 2
    dates = [event["date"] for event in timeline]
    assert dates == sorted(dates)

    # The overdue follow-up reply is on the deadlines list.
    deadlines = (await client.get("/v1/deadlines", params={"state": "TUN"})).json()["items"]
    [follow_up] = [d for d in deadlines if d["kind"] == "treaty_body_follow_up"]
    assert follow_up["recommendation_id"] == rec_id
    assert follow_up["overdue"] is True
    assert follow_up["due_date"] == overdue.isoformat()
