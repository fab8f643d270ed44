"""Every filter and sort of GET /v1/recommendations, on a small corpus, through HTTP."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Recommendation
from models.enums import HrdRelevance, ImplementationStatus, Position, SourceFormat
from tests import factories

Params = list[tuple[str, str | int | float | bool | None]]


@pytest.fixture
async def corpus(session: AsyncSession) -> dict[str, int]:
    """Six recommendations that differ in every facet, two undated; paragraph label -> id."""
    upr_tun = await factories.document(session, "TEST/A/HRC/36/5", published=date(2017, 9, 1))
    upr_mar = await factories.document(
        session,
        "TEST/A/HRC/52/7",
        state="MAR",
        published=date(2023, 1, 5),
        session_number=41,
        cycle=4,
    )
    ccpr = await factories.document(
        session,
        "TEST/CCPR/C/TUN/CO/6",
        body_code="CCPR",
        published=date(2020, 4, 24),
        session_number=128,
        cycle=None,
    )
    rapporteur = await factories.document(
        session,
        "TEST/A/HRC/40/60/Add.1",
        body_code="SR-HRD",
        state="MAR",
        published=None,
        session_number=None,
        cycle=None,
    )
    rows = {
        "a": await factories.recommendation(
            session,
            upr_tun,
            "a",
            position=Position.SUPPORTED,
            hrd=HrdRelevance.DIRECT,
            recommending_states=["FRA", "NOR"],
            action_category=5,
            themes=["Human rights defenders"],
            affected_persons=["Human rights defenders"],
            sdgs=["16.10"],
            status=ImplementationStatus.IN_PROGRESS,
        ),
        "b": await factories.recommendation(
            session,
            upr_tun,
            "b",
            position=Position.NOTED,
            hrd=HrdRelevance.RELATED,
            recommending_states=["BRA"],
            action_category=2,
            themes=["Freedom of association"],
        ),
        "c": await factories.recommendation(
            session,
            upr_mar,
            "c",
            position=Position.SUPPORTED,
            recommending_states=["FRA"],
            action_category=4,
            themes=["Women's rights"],
            sdgs=["5.1"],
        ),
        "d": await factories.recommendation(
            session,
            ccpr,
            "d",
            hrd=HrdRelevance.DIRECT,
            affected_persons=["Journalists"],
            status=ImplementationStatus.IMPLEMENTED,
        ),
        "e": await factories.recommendation(session, rapporteur, "e", hrd=HrdRelevance.RELATED),
        "f": await factories.recommendation(session, rapporteur, "f"),
    }
    return {label: rec.id for label, rec in rows.items()}


async def _labels(client: httpx.AsyncClient, corpus: dict[str, int], params: Params) -> list[str]:
    response = await client.get("/v1/recommendations", params=params)
    assert response.status_code == 200, response.text
    by_id = {rec_id: label for label, rec_id in corpus.items()}
    return [by_id[item["id"]] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([], "abcdef"),
        ([("state", "TUN")], "abd"),
        ([("state", "TUN"), ("state", "MAR")], "abcdef"),
        ([("mechanism", "upr")], "abc"),
        ([("mechanism", "treaty_body"), ("mechanism", "special_procedure")], "def"),
        ([("body", "CCPR")], "d"),
        ([("cycle", "4")], "abc"),
        ([("session", "128")], "d"),
        ([("document", "TEST/A/HRC/52/7")], "c"),
        ([("recommending_state", "FRA")], "ac"),
        ([("recommending_state", "BRA"), ("recommending_state", "NOR")], "ab"),
        ([("position", "noted")], "b"),
        ([("action_category", "4"), ("action_category", "5")], "ac"),
        ([("theme", "Freedom of association")], "b"),
        ([("affected", "Journalists")], "d"),
        ([("sdg", "16.10"), ("sdg", "5.1")], "ac"),
        ([("hrd", "direct")], "ad"),
        ([("hrd", "related")], "be"),
        ([("hrd", "any")], "abde"),
        ([("status", "implemented"), ("status", "in_progress")], "ad"),
        ([("status", "not_assessed")], "bcef"),
        ([("year_from", "2020")], "cd"),
        ([("year_to", "2020")], "abd"),
        ([("year_from", "2018"), ("year_to", "2021")], "d"),
        ([("state", "TUN"), ("mechanism", "upr"), ("hrd", "any")], "ab"),
    ],
)
async def test_filter(
    client: httpx.AsyncClient,
    corpus: dict[str, int],
    params: Params,
    expected: str,
) -> None:
    assert "".join(await _labels(client, corpus, params)) == expected


async def test_updated_since(
    client: httpx.AsyncClient, session: AsyncSession, corpus: dict[str, int]
) -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    await session.execute(
        update(Recommendation).where(Recommendation.id != corpus["c"]).values(updated_at=long_ago)
    )
    since = (long_ago + timedelta(days=1)).isoformat()

    assert await _labels(client, corpus, [("updated_since", since)]) == ["c"]
    # Without an offset the instant is read as UTC.
    assert await _labels(client, corpus, [("updated_since", "2020-01-02T00:00:00")]) == ["c"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("id", "abcdef"),
        ("-id", "fedcba"),
        # Undated recommendations come first ascending and last descending.
        ("date", "efabdc"),
        ("-date", "cdbafe"),
        ("state", "cefabd"),
        ("-state", "dbafec"),
    ],
)
async def test_sort_pages_through_every_item_once(
    client: httpx.AsyncClient, corpus: dict[str, int], sort: str, expected: str
) -> None:
    labels: list[str] = []
    params: Params = [("sort", sort), ("limit", "2")]
    cursor = None
    for _ in range(len(corpus) + 1):  # a cursor that does not advance fails, not hangs
        page_params = [*params, ("cursor", cursor)] if cursor else params
        response = await client.get("/v1/recommendations", params=page_params)
        assert response.status_code == 200, response.text
        by_id = {rec_id: label for label, rec_id in corpus.items()}
        labels += [by_id[item["id"]] for item in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            break
        assert f"sort={sort}" in response.headers["link"]
    assert cursor is None
    assert "".join(labels) == expected


async def test_sort_by_update_time(
    client: httpx.AsyncClient, session: AsyncSession, corpus: dict[str, int]
) -> None:
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for offset, label in enumerate("dbeca"):
        await session.execute(
            update(Recommendation)
            .where(Recommendation.id == corpus[label])
            .values(updated_at=base + timedelta(hours=offset))
        )

    # "f" keeps the time it was written, after all of these.
    assert "".join(await _labels(client, corpus, [("sort", "updated")])) == "dbecaf"
    assert "".join(await _labels(client, corpus, [("sort", "-updated"), ("limit", "2")])) == "fa"


async def test_link_header_keeps_filters(client: httpx.AsyncClient, corpus: dict[str, int]) -> None:
    first = await client.get(
        "/v1/recommendations", params=[("state", "TUN"), ("state", "MAR"), ("limit", "2")]
    )
    next_url = first.headers["link"].removeprefix("<").split(">;")[0]

    second = await client.get(next_url)

    assert second.status_code == 200
    assert len(second.json()["items"]) == 2
    assert {item["id"] for item in second.json()["items"]}.isdisjoint(
        item["id"] for item in first.json()["items"]
    )


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ([("colour", "blue")], "colour"),
        ([("state", "Tunisia")], "state"),
        ([("mechanism", "court")], "mechanism"),
        ([("hrd", "maybe")], "hrd"),
        ([("cycle", "one")], "cycle"),
        ([("action_category", "6")], "action_category"),
        ([("limit", "501")], "limit"),
        ([("sort", "colour")], "sort"),
        ([("sort", "relevance")], "sort"),
        ([("year_from", "2021"), ("year_to", "2020")], "year_to"),
        ([("updated_since", "yesterday")], "updated_since"),
        ([("q", "")], "q"),
    ],
)
async def test_bad_parameter_is_a_problem_naming_it(
    client: httpx.AsyncClient, params: Params, named: str
) -> None:
    response = await client.get("/v1/recommendations", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert named in [error["name"] for error in response.json()["errors"]]


async def test_cursor_of_another_order_is_refused(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    first = await client.get("/v1/recommendations", params={"sort": "date", "limit": 1})
    cursor = first.json()["next_cursor"]

    response = await client.get("/v1/recommendations", params={"sort": "state", "cursor": cursor})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("name", ["body", "document", "theme", "affected", "q"])
async def test_control_characters_are_refused_not_sent_to_the_database(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.get("/v1/recommendations", params={name: "defenders\x00"})

    assert response.status_code == 422
    assert [error["name"] for error in response.json()["errors"]] == [name]


async def test_source_format_filter_tells_the_sample_from_real_records(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    sample = await factories.recommendation(session, doc, "1")
    real = await factories.recommendation(session, doc, "2")
    sample.source_format = SourceFormat.SAMPLE
    real.source_format = SourceFormat.UPR_INFO
    await session.flush()
    labels = {sample.id: "sample", real.id: "real"}

    async def listed(*formats: str) -> list[tuple[str, str]]:
        response = await client.get(
            "/v1/recommendations", params=[("source_format", f) for f in formats]
        )
        assert response.status_code == 200, response.text
        return [(labels[item["id"]], item["source_format"]) for item in response.json()["items"]]

    assert await listed("sample") == [("sample", "sample")]
    assert await listed("upr_info") == [("real", "upr_info")]
    assert await listed("upr_info", "sample") == [("sample", "sample"), ("real", "upr_info")]
    assert await listed("uhri") == []
    assert await listed() == [("sample", "sample"), ("real", "upr_info")]
    bogus = await client.get("/v1/recommendations", params={"source_format": "bogus"})
    assert bogus.status_code == 422
    assert [error["name"] for error in bogus.json()["errors"]] == ["source_format"]
