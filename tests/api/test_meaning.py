"""Search by meaning through HTTP: `q` across languages, `search=`, and `/similar`.

The texts are English, as real UPR Info exports are; the queries French, Spanish and Arabic.
Vectors come from the real encoder, inside the test's transaction.
"""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from suivi.encoder import get_encoder
from suivi.reads import SessionReads
from suivi.services import clusters, embeddings
from tests import factories

ENGLISH = {
    "defenders": "Protect human rights defenders from reprisals, threats and harassment.",
    "defenders-law": "Adopt a law recognising and protecting human rights defenders.",
    "death-penalty": "Abolish the death penalty and commute all death sentences.",
    "girls-school": "Ensure that girls have equal access to primary and secondary education.",
    "torture": "Investigate all allegations of torture by police officers and punish them.",
    "water": "Improve access to safe drinking water in rural areas.",
}
# Cycle 2 saying again what cycle 1 said, in other words.
REPEAT = "Take measures to protect defenders of human rights against reprisals and threats."


@pytest.fixture
async def corpus(session: AsyncSession) -> dict[str, int]:
    first = await factories.document(session, "TEST/A/HRC/8/49", session_number=2, cycle=1)
    second = await factories.document(session, "TEST/A/HRC/21/5", session_number=14, cycle=2)
    ids = {}
    for label, text in ENGLISH.items():
        rec = await factories.recommendation(session, first, label, texts={"en": text})
        ids[label] = rec.id
    repeat = await factories.recommendation(session, second, "repeat", texts={"en": REPEAT})
    ids["repeat"] = repeat.id
    unembedded = await factories.recommendation(
        session, second, "late", texts={"en": "Protect journalists from attacks."}
    )
    ids["late"] = unembedded.id
    await session.flush()
    connection = await session.connection()
    # Everything but the last text: it stands for one still queued.
    await embeddings.embed_queued(connection, get_encoder(), size=len(ids) - 1)
    await clusters.place_pending(connection, model=get_encoder().name)
    return ids


def _labels(corpus: dict[str, int], items: list[dict[str, object]]) -> list[str]:
    by_id = {rec_id: label for label, rec_id in corpus.items()}
    return [by_id[item["id"]] for item in items]  # type: ignore[index]


async def _search(
    client: httpx.AsyncClient, corpus: dict[str, int], q: str, **params: str
) -> list[str]:
    response = await client.get("/v1/recommendations", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return _labels(corpus, response.json()["items"])


@pytest.mark.parametrize(
    "query",
    [
        "défenseurs des droits humains",
        "defensores de derechos humanos",
        "المدافعين عن حقوق الإنسان",
    ],
)
async def test_a_query_in_another_language_finds_english_texts_first(
    client: httpx.AsyncClient, corpus: dict[str, int], query: str
) -> None:
    found = await _search(client, corpus, query)

    assert set(found[:3]) == {"defenders", "defenders-law", "repeat"}
    assert "water" not in found


async def test_lexical_keeps_to_words(client: httpx.AsyncClient, corpus: dict[str, int]) -> None:
    assert await _search(client, corpus, "défenseurs des droits humains", search="lexical") == []
    assert set(await _search(client, corpus, "defenders", search="lexical")) == {
        "defenders",
        "defenders-law",
        "repeat",
    }


async def test_semantic_keeps_to_meaning(client: httpx.AsyncClient, corpus: dict[str, int]) -> None:
    found = await _search(client, corpus, "peine de mort", search="semantic")

    assert found[0] == "death-penalty"
    # A text still waiting for its vector is not found by meaning, only by its words.
    assert "late" not in await _search(client, corpus, "journalists", search="semantic")
    assert await _search(client, corpus, "journalists") == ["late"]


async def test_the_hybrid_list_pages_without_repeats_or_gaps(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    whole = await _search(client, corpus, "protéger les défenseurs")
    seen: list[str] = []
    url: str | None = "/v1/recommendations"
    params: dict[str, str] | None = {"q": "protéger les défenseurs", "limit": "2"}
    while url is not None:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        seen += _labels(corpus, response.json()["items"])
        cursor = response.json()["next_cursor"]
        url, params = (
            (
                "/v1/recommendations",
                {"q": "protéger les défenseurs", "limit": "2", "cursor": cursor},
            )
            if cursor
            else (None, None)
        )

    assert seen == whole
    assert len(seen) == len(set(seen))


async def test_stats_count_what_the_list_finds(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    query = "المدافعين عن حقوق الإنسان"
    listed = await _search(client, corpus, query, limit="100")

    response = await client.get("/v1/stats", params={"q": query, "group_by": "state"})

    assert response.status_code == 200, response.text
    assert response.json()["total"] == len(listed)


async def test_similar_finds_the_repeat_from_another_cycle(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    response = await client.get(f"/v1/recommendations/{corpus['repeat']}/similar?limit=2")

    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert _labels(corpus, items)[0] == "defenders"
    assert corpus["repeat"] not in [item["id"] for item in items]
    assert 0.6 < items[0]["similarity"] <= 1.0
    assert items[0]["similarity"] >= items[1]["similarity"]


async def test_similar_takes_the_list_filters(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    response = await client.get(
        f"/v1/recommendations/{corpus['repeat']}/similar", params={"state": "FRA"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


async def test_similar_of_a_text_without_vector_is_a_conflict(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    waiting = await client.get(f"/v1/recommendations/{corpus['late']}/similar")
    missing = await client.get("/v1/recommendations/999999999/similar")

    assert waiting.status_code == 409
    assert waiting.headers["content-type"] == "application/problem+json"
    assert "suivi embed" in waiting.json()["detail"]
    assert missing.status_code == 404


async def test_list_items_carry_their_cluster(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    response = await client.get("/v1/recommendations", params={"limit": "100"})

    assert response.status_code == 200, response.text
    cluster_of = {item["id"]: item["cluster_id"] for item in response.json()["items"]}
    # The cycle 2 text joins the cycle 1 text it repeats; other topics stay apart.
    assert cluster_of[corpus["repeat"]] == cluster_of[corpus["defenders"]] is not None
    assert cluster_of[corpus["water"]] not in (None, cluster_of[corpus["defenders"]])
    # Still waiting for its vector: in no cluster yet.
    assert cluster_of[corpus["late"]] is None
    cluster = await client.get(f"/v1/clusters/{cluster_of[corpus['repeat']]}")
    assert cluster.status_code == 200, cluster.text
    assert {m["id"] for m in cluster.json()["members"]} >= {corpus["repeat"], corpus["defenders"]}


async def test_the_scorecard_counts_what_was_recommended_again(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    response = await client.get("/v1/states/TUN/scorecard")

    assert response.status_code == 200, response.text
    body = response.json()
    # The defenders' text of cycle 1, said again in cycle 2.
    assert body["recommended_again"] >= 1
    oldest = body["oldest_unimplemented_clusters"][0]
    assert oldest["member_count"] >= 2
    assert oldest["representative_id"] in (corpus["defenders"], corpus["repeat"])


async def test_the_state_page_lists_what_was_asked_longest(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    card = (await client.get("/v1/states/TUN/scorecard")).json()
    html = (await client.get("/states/TUN")).text

    assert (
        f"<strong>{card['recommended_again']}</strong> "
        "Recommended again, across cycles or mechanisms</li>"
    ) in html
    oldest = card["oldest_unimplemented_clusters"][0]
    assert f"/recommendations/{oldest['representative_id']}?" in html
    assert oldest["representative_text"] in html


async def _no_pgvector(_reads: SessionReads) -> None:
    return None


@pytest.fixture
def too_many_vectors(monkeypatch: pytest.MonkeyPatch, corpus: dict[str, int]) -> None:
    """A server without pgvector, and a copy allowed fewer vectors than the corpus has (7).

    The refusal holds for the rest of the process for this bound: no other test uses it.
    """
    monkeypatch.setattr(SessionReads, "indexed_dimensions", _no_pgvector)
    monkeypatch.setenv("SUIVI_EXACT_VECTORS_MAX", "3")


@pytest.mark.usefixtures("too_many_vectors")
async def test_past_the_copys_limit_q_finds_by_words(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    hybrid = await _search(client, corpus, "défenseurs des droits humains")
    lexical = await _search(client, corpus, "défenseurs des droits humains", search="lexical")
    # By meaning it finds the English texts on defenders first (the test above); by words,
    # French finds none of them.
    assert hybrid == lexical == []


@pytest.mark.usefixtures("too_many_vectors")
async def test_past_the_copys_limit_meaning_alone_is_a_conflict(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    semantic = await client.get(
        "/v1/recommendations", params={"q": "défenseurs", "search": "semantic"}
    )
    similar = await client.get(f"/v1/recommendations/{corpus['repeat']}/similar")
    page = await client.get("/recommendations", params={"q": "défenseurs", "search": "semantic"})

    for response in (semantic, similar):
        assert response.status_code == 409
        problem = response.json()
        assert problem["type"].endswith("meaning-unavailable")
        assert "SUIVI_EXACT_VECTORS_MAX" in problem["detail"]
    assert page.status_code == 422
    assert "search by meaning is not available" in page.text


@pytest.mark.usefixtures("too_many_vectors")
async def test_past_the_copys_limit_an_export_by_meaning_is_refused_before_it_starts(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/v1/exports/recommendations.csv", params={"q": "défenseurs", "search": "semantic"}
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
