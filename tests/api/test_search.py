"""Full-text search (`q`) in English, French, Spanish and Arabic through HTTP."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories

TEXTS = {
    "en-defenders": ("en", "Protect human rights defenders from reprisals and harassment."),
    "en-journalists": ("en", "Investigate every attack on journalists and media workers."),
    "en-defender-once": ("en", "Adopt a law on the protection of a defender of rights."),
    "fr-defenseurs": ("fr", "Garantir la sécurité des défenseurs des droits de l'homme."),
    "fr-journalistes": ("fr", "Protéger les journalistes contre les représailles."),
    "es-defensores": ("es", "Proteger a los defensores de derechos humanos y periodistas."),
    "ar-defenders": ("ar", "حماية المُدافِعين عن حقوق الإنسان من الأعمال الانتقامية."),
    "ar-women": ("ar", "تعزيز حقوق المرأة في التعليم."),
}


@pytest.fixture
async def corpus(session: AsyncSession) -> dict[str, int]:
    doc = await factories.document(session, "TEST/A/HRC/49/9")
    ids = {}
    for label, (language, text) in TEXTS.items():
        rec = await factories.recommendation(
            session, doc, label, language=language, texts={language: text}
        )
        ids[label] = rec.id
    translated = await factories.recommendation(
        session,
        doc,
        "en-with-french",
        texts={
            "en": "Ensure an enabling environment for civil society.",
            "fr": "Garantir un environnement favorable à la société civile.",
        },
    )
    ids["en-with-french"] = translated.id
    return ids


async def _search(
    client: httpx.AsyncClient, corpus: dict[str, int], q: str, **params: str
) -> list[str]:
    response = await client.get("/v1/recommendations", params={"q": q, **params})
    assert response.status_code == 200, response.text
    by_id = {rec_id: label for label, rec_id in corpus.items()}
    return [by_id[item["id"]] for item in response.json()["items"]]


async def test_english_query_finds_english_stems(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    found = await _search(client, corpus, "defenders")

    # "defender" and "defenders" share a stem; the text saying it most closely ranks first.
    assert set(found) == {"en-defenders", "en-defender-once"}


async def test_french_query_finds_french_texts_whatever_the_accents(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    assert await _search(client, corpus, "recommandations sur les défenseurs") == []
    assert await _search(client, corpus, "défenseurs") == ["fr-defenseurs"]
    assert await _search(client, corpus, "DEFENSEURS") == ["fr-defenseurs"]
    assert await _search(client, corpus, "securite defenseur") == ["fr-defenseurs"]


async def test_spanish_query(client: httpx.AsyncClient, corpus: dict[str, int]) -> None:
    assert await _search(client, corpus, "defensor") == ["es-defensores"]


async def test_arabic_query_ignores_diacritics_and_letter_variants(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    # The stored text has harakat; the query has none, and writes alef with hamza as plain alef.
    assert await _search(client, corpus, "المدافعين") == ["ar-defenders"]
    assert await _search(client, corpus, "الانسان") == ["ar-defenders"]


async def test_translation_is_searched_in_its_language(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    assert await _search(client, corpus, "société civile") == ["en-with-french"]
    assert await _search(client, corpus, "civil society") == ["en-with-french"]


async def test_websearch_syntax(client: httpx.AsyncClient, corpus: dict[str, int]) -> None:
    assert set(await _search(client, corpus, "defenders OR journalists")) == {
        "en-defenders",
        "en-defender-once",
        "en-journalists",
    }
    assert await _search(client, corpus, "defenders -reprisals") == ["en-defender-once"]
    assert await _search(client, corpus, '"human rights defenders"') == ["en-defenders"]


async def test_relevance_orders_and_pages(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    first = await client.get("/v1/recommendations", params={"q": "protect rights", "limit": 1})
    assert first.status_code == 200
    cursor = first.json()["next_cursor"]
    assert cursor is not None
    second = await client.get(
        "/v1/recommendations", params={"q": "protect rights", "limit": 1, "cursor": cursor}
    )

    by_id = {rec_id: label for label, rec_id in corpus.items()}
    labels = [by_id[page.json()["items"][0]["id"]] for page in (first, second)]
    # Both words, close together and in a short text, rank above one word in a longer text.
    assert labels == ["en-defenders", "en-defender-once"]
    assert second.json()["next_cursor"] is None


async def test_search_combines_with_filters_and_other_orders(
    client: httpx.AsyncClient, corpus: dict[str, int]
) -> None:
    assert await _search(client, corpus, "defenders", sort="-id") == [
        "en-defender-once",
        "en-defenders",
    ]
    assert await _search(client, corpus, "defenders", state="MAR") == []
