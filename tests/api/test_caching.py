"""ETag, If-None-Match and Cache-Control on reads, through HTTP."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from tests import factories


async def test_get_carries_an_etag_that_answers_304(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "1")

    first = await client.get(f"/v1/recommendations/{rec.id}")
    etag = first.headers["etag"]
    again = await client.get(f"/v1/recommendations/{rec.id}", headers={"If-None-Match": etag})
    weak = await client.get(
        f"/v1/recommendations/{rec.id}", headers={"If-None-Match": f'"other", W/{etag}'}
    )

    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public")
    assert again.status_code == weak.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert "content-type" not in again.headers


async def test_etag_changes_with_the_data(client: httpx.AsyncClient, session: AsyncSession) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    await factories.recommendation(session, doc, "1")
    before = await client.get("/v1/recommendations")

    await factories.recommendation(session, doc, "2")
    after = await client.get(
        "/v1/recommendations", headers={"If-None-Match": before.headers["etag"]}
    )

    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert len(after.json()["items"]) == 2


async def test_errors_and_probes_are_not_cached(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/recommendations/999999")
    health = await client.get("/health")

    assert missing.status_code == 404
    assert "etag" not in missing.headers
    assert health.headers["cache-control"] == "no-store"


async def test_keyed_reads_stay_out_of_shared_caches(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    key = await factories.api_key(session, Role.STAFF)

    public = await client.get("/v1/recommendations")
    keyed = await client.get("/v1/imports", headers={"Authorization": f"Bearer {key}"})

    assert keyed.status_code == 200
    assert keyed.headers["cache-control"] == "private, no-cache"
    assert "etag" in keyed.headers
    assert "Authorization" in keyed.headers["vary"]
    assert "Authorization" in public.headers["vary"]
