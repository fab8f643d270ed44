"""GET /v1/recommendations and /v1/recommendations/{id} through HTTP."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import HrdRelevance, Position
from tests import factories

ITEM_FIELDS = {
    "id",
    "source_format",
    "state",
    "mechanism",
    "body",
    "document_symbol",
    "paragraph",
    "text",
    "language",
    "recommending_states",
    "position",
    "action_category",
    "session",
    "cycle",
    "date",
    "themes",
    "affected_persons",
    "sdgs",
    "hrd_relevance",
    "hrd_reasons",
    "status",
    "updated_at",
    "cluster_id",
    # Beside the codes, in the language asked (English here).
    "state_label",
    "mechanism_label",
    "body_label",
    "recommending_state_labels",
    "position_label",
    "theme_labels",
    "affected_person_labels",
    "hrd_relevance_label",
    "status_label",
}


async def test_list_item_carries_every_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    await factories.recommendation(
        session,
        doc,
        "134.12",
        texts={"en": "Protect human rights defenders."},
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        recommending_states=["FRA", "NOR"],
    )

    response = await client.get("/v1/recommendations")

    assert response.status_code == 200
    [item] = response.json()["items"]
    assert set(item) == ITEM_FIELDS
    assert item["state"] == "TUN"
    assert item["mechanism"] == "upr"
    assert item["body"] == "UPR"
    assert item["document_symbol"] == "TEST/A/HRC/52/10"
    assert item["text"] == "Protect human rights defenders."
    assert item["recommending_states"] == ["FRA", "NOR"]
    assert item["position"] == "supported"
    assert item["hrd_relevance"] == "direct"
    assert item["status"] == "not_assessed"
    assert response.json()["next_cursor"] is None
    assert "link" not in response.headers


async def test_pages_cover_every_item_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR")
    created = [(await factories.recommendation(session, doc, str(n))).id for n in range(1, 8)]

    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/v1/recommendations", params=params)
        assert response.status_code == 200
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert f'cursor={cursor}>; rel="next"' in response.headers["link"]

    assert seen == created
    assert pages == 3


async def test_state_filter_keeps_only_that_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tunisia = await factories.document(session, "TEST/TUN")
    morocco = await factories.document(session, "TEST/MAR", state="MAR")
    await factories.recommendation(session, tunisia, "1")
    await factories.recommendation(session, morocco, "1")

    response = await client.get("/v1/recommendations", params={"state": "MAR"})

    assert [item["state"] for item in response.json()["items"]] == ["MAR"]


async def test_limit_above_maximum_is_a_problem_naming_limit(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations", params={"limit": 501})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["name"] for error in response.json()["errors"]] == ["limit"]


async def test_malformed_state_is_a_problem_naming_state(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations", params={"state": ["TUN", "tunisia"]})

    assert response.status_code == 422
    assert [error["name"] for error in response.json()["errors"]] == ["state"]


async def test_forged_cursor_is_rejected(client: httpx.AsyncClient) -> None:
    for cursor in ["not-a-cursor", "WyJ4Il0", "W3RydWVd"]:  # garbage, ["x"], [true]
        response = await client.get("/v1/recommendations", params={"cursor": cursor})

        assert response.status_code == 422
        assert response.json()["type"] == "urn:suivi:problem:invalid-cursor"


async def test_detail_has_every_text_and_position_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/11")
    rec = await factories.recommendation(
        session,
        doc,
        "7",
        texts={
            "en": "Protect journalists.",
            "fr": "Protéger les journalistes.",
            "ar": "حماية الصحفيين.",
        },
        position=Position.NOTED,
    )

    response = await client.get(f"/v1/recommendations/{rec.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["texts"] == {
        "ar": "حماية الصحفيين.",
        "en": "Protect journalists.",
        "fr": "Protéger les journalistes.",
    }
    assert body["text"] == "Protect journalists."
    assert [p["position"] for p in body["position_history"]] == ["noted"]
    assert body["provenance"]["source_format"] == "manual"
    assert body["follow_up_selected"] is False


async def test_unknown_recommendation_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations/987654321")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404
    assert problem["type"] == "urn:suivi:problem:not-found"
    assert problem["instance"] == "/v1/recommendations/987654321"


async def test_non_numeric_id_is_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations/abc")

    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "recommendation_id"
