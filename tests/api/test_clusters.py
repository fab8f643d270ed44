"""GET /v1/clusters and GET /v1/clusters/{id}, through HTTP."""

from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models import Recommendation
from models.enums import HrdRelevance
from suivi.services import clusters
from tests import factories
from tests.cluster_vectors import embed, place, vector


async def _repeated(
    session: AsyncSession, *, state: str = "TUN", axis: int = 0, hrd: HrdRelevance | None = None
) -> list[Recommendation]:
    """A recommendation of cycle 1 and its repeat in cycle 2, placed in one cluster."""
    recs = []
    for cycle, published in ((1, date(2008, 6, 1)), (2, date(2012, 9, 1))):
        doc = await factories.document(
            session, f"A/HRC/{cycle}/{state}/{axis}", state=state, published=published, cycle=cycle
        )
        rec = await factories.recommendation(
            session, doc, "1", hrd=hrd or HrdRelevance.NONE, texts={"en": f"Topic {axis}."}
        )
        await embed(session, rec, vector((axis, 1.0), (100 + cycle, 0.2)))
        recs.append(rec)
    await place(session)
    return recs


async def test_list_shows_a_repeat_across_cycles(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    old, _ = await _repeated(session)

    response = await client.get("/v1/clusters", params={"state": "TUN"})

    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["representative_id"] == old.id
    assert item["representative_text"] == "Topic 0."
    assert item["member_count"] == 2
    assert item["cycles"] == [1, 2]
    assert item["mechanisms"] == ["upr"]
    assert (item["first_date"], item["last_date"]) == ("2008-06-01", "2012-09-01")


async def test_list_filters_by_state_and_hrd(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _repeated(session)
    defenders, _ = await _repeated(session, axis=1, hrd=HrdRelevance.DIRECT)
    await _repeated(session, state="EGY")

    response = await client.get("/v1/clusters", params={"state": "TUN", "hrd": "any"})

    assert [item["representative_id"] for item in response.json()["items"]] == [defenders.id]


async def test_list_filters_by_mechanism(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _repeated(session)

    response = await client.get("/v1/clusters", params={"state": "TUN", "mechanism": "treaty_body"})

    assert response.json()["items"] == []


async def test_list_pages_with_the_cursor(client: httpx.AsyncClient, session: AsyncSession) -> None:
    firsts = [(await _repeated(session, axis=axis))[0] for axis in range(3)]

    seen: list[int] = []
    params: dict[str, str | int] = {"state": "TUN", "limit": 2}
    while True:
        page = (await client.get("/v1/clusters", params=params)).json()
        seen.extend(item["representative_id"] for item in page["items"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert seen == [rec.id for rec in firsts]


async def test_one_cluster_lists_its_members(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    old, again = await _repeated(session)
    listed = (await client.get("/v1/clusters", params={"state": "TUN"})).json()["items"][0]

    response = await client.get(f"/v1/clusters/{listed['id']}")

    assert response.status_code == 200
    members = response.json()["members"]
    assert [member["id"] for member in members] == [old.id, again.id]
    assert members[1]["issued_date"] == "2012-09-01"
    assert members[1]["body"] == "UPR"
    assert members[1]["similarity"] > clusters.THRESHOLD


async def test_unknown_cluster_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/clusters/{2**62}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_bad_cursor_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/clusters", params={"cursor": "nonsense"})

    assert response.status_code == 422
