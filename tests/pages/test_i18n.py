"""The pages' languages: every message in each of them, and whole pages in Spanish."""

import json
import string
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

import api.pages  # noqa: F401 - registers every page's messages
from api.pages import i18n, states
from api.pages.rendering import Page
from models import Recommendation
from models.enums import (
    Confidentiality,
    HrdRelevance,
    ImplementationStatus,
    Position,
    ReviewState,
)
from tests import factories
from tests.pages.reading import Document, PageReader

SPANISH_TITLE = (
    "Recomendaciones de las Naciones Unidas sobre los defensores de los derechos humanos"
)
SPANISH_TEXT = "Proteger a los defensores de los derechos humanos."


def _page_in(language: str) -> Page:
    query = f"lang={language}".encode()
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": query, "headers": []}
    return Page(Request(scope))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# Every message, every language


def test_the_pages_register_messages() -> None:
    assert len(i18n.catalogue()) > 300


def test_every_message_has_a_text_in_every_language() -> None:
    lacking = {
        key: sorted(set(i18n.LANGUAGES) - {lang for lang, text in texts.items() if text.strip()})
        for key, texts in i18n.catalogue().items()
    }

    assert {key: missing for key, missing in lacking.items() if missing} == {}


def test_no_message_speaks_a_language_the_pages_do_not() -> None:
    extra = {
        key: sorted(set(texts) - set(i18n.LANGUAGES)) for key, texts in i18n.catalogue().items()
    }

    assert {key: languages for key, languages in extra.items() if languages} == {}


def test_every_translation_keeps_the_english_placeholders() -> None:
    differing = {
        (key, language): _placeholders(text)
        for key, texts in i18n.catalogue().items()
        for language, text in texts.items()
        if _placeholders(text) != _placeholders(texts["en"])
    }

    assert differing == {}


def test_every_language_has_a_name_and_a_direction() -> None:
    assert set(i18n.LANGUAGE_NAMES) == set(i18n.LANGUAGES)
    assert i18n.LANGUAGE_NAMES["es"] == "Español"
    assert {language: i18n.direction(language) for language in i18n.LANGUAGES} == {
        "en": "ltr",
        "fr": "ltr",
        "es": "ltr",
        "ar": "rtl",
    }


def test_the_matrix_download_speaks_every_language_of_the_pages() -> None:
    assert set(i18n.LANGUAGES) <= states.MATRIX_LANGUAGES


def test_spanish_messages_are_spanish() -> None:
    assert i18n.translate("es", "nav.recommendations") == "Recomendaciones"
    assert i18n.translate("es", "recommendations.numbered", id=7) == "Recomendación 7"
    assert i18n.translate("es", "states.deadline.upr_review") == "Próximo examen del EPU"


@pytest.mark.parametrize(
    ("value", "written"),
    [(7, "7"), (1234, "1234"), (12345, "12\u202f345"), (1234567, "1\u202f234\u202f567")],
)
def test_spanish_numbers_group_by_a_narrow_space_from_five_digits(value: int, written: str) -> None:
    assert _page_in("es").number(value) == written


# Pages in Spanish


def _languages(page: Document) -> dict[str, str]:
    """The header's language links: hreflang -> the name shown."""
    return {str(a.get("hreflang")): a.content for a in page.all("a") if a.get("hreflang")}


@pytest.fixture
async def spanish_world(session: AsyncSession) -> Recommendation:
    """A recommendation to Tunisia held in four languages, with a published update and an
    action under way."""
    doc = await factories.document(session, "TEST/A/HRC/52/10", published=date(2022, 11, 10))
    rec = await factories.recommendation(
        session,
        doc,
        "105.1",
        texts={
            "en": "Protect human rights defenders.",
            "fr": "Protéger les défenseurs des droits de l'homme.",
            "es": SPANISH_TEXT,
            "ar": "حماية المدافعين عن حقوق الإنسان.",
        },
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        status=ImplementationStatus.IN_PROGRESS,
    )
    organisation = await factories.organisation_called(session, "Coalición de defensores")
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        organisation_id=organisation.id,
        narrative="Se presentó el proyecto de ley.",
        confidentiality=Confidentiality.PUBLIC,
        review_state=ReviewState.PUBLISHED,
        reviewed_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    await factories.action(session, "Ley sobre los defensores", target_date=date(2030, 1, 1))
    await session.flush()
    return rec


def _pages(rec: Recommendation) -> dict[str, str]:
    """Each page and a phrase only its Spanish version says."""
    return {
        "/": SPANISH_TITLE,
        "/states/TUN": "Matriz de aplicación (Excel)",
        "/recommendations": "Recomendaciones encontradas: 1",
        f"/recommendations/{rec.id}": "Textos disponibles",
        "/submit": "Enviar una actualización sobre los avances",
        "/review": "Revisar las actualizaciones sobre los avances",
    }


def _own_links(html: str) -> list[str]:
    """The page's links to pages of its own (not the API, the docs, files or other languages)."""
    return [
        anchor["href"]
        for anchor in PageReader(html).anchors
        if anchor["href"].startswith("/")
        and not anchor["href"].startswith(("/v1/", "/docs", "/static/"))
        and "hreflang" not in anchor
    ]


async def test_pages_speak_spanish_when_asked_by_the_query(
    client: httpx.AsyncClient, spanish_world: Recommendation
) -> None:
    for path, phrase in _pages(spanish_world).items():
        response = await client.get(path, params={"lang": "es"})

        assert response.status_code == 200, path
        assert response.headers["content-language"] == "es", path
        page = Document(response.text)
        assert page.all("html")[0].attrs == {"lang": "es", "dir": "ltr"}, path
        assert phrase in response.text, path
        assert _languages(page) == {
            "en": "English",
            "fr": "Français",
            "es": "Español",
            "ar": "العربية",
        }
        own = _own_links(response.text)
        assert own, path
        assert all(parse_qs(urlsplit(href).query)["lang"] == ["es"] for href in own), path


@pytest.mark.parametrize("header", ["es", "es-MX,es;q=0.9,en;q=0.5", "de, es;q=0.8, fr;q=0.2"])
async def test_pages_speak_spanish_when_the_browser_prefers_it(
    client: httpx.AsyncClient, spanish_world: Recommendation, header: str
) -> None:
    for path, phrase in _pages(spanish_world).items():
        response = await client.get(path, headers={"Accept-Language": header})

        assert response.status_code == 200, path
        assert Document(response.text).all("html")[0].attrs == {"lang": "es", "dir": "ltr"}, path
        assert phrase in response.text, path
        assert "Accept-Language" in response.headers["vary"], path


async def test_spanish_overview_draws_its_charts_in_spanish(
    client: httpx.AsyncClient, spanish_world: Recommendation
) -> None:
    page = PageReader((await client.get("/", params={"lang": "es"})).text)

    assert page.h1 == SPANISH_TITLE
    assert page.figures["status"].header[0] == "Mecanismo"
    assert "Examen Periódico Universal" in [row for row, _ in page.figures["status"].rows]


async def test_spanish_state_page_names_the_state_and_offers_the_spanish_matrix(
    client: httpx.AsyncClient, spanish_world: Recommendation
) -> None:
    page = PageReader((await client.get("/states/TUN", params={"lang": "es"})).text)

    assert page.h1.startswith("Túnez")
    downloads = [link for link in page.links if link.startswith("/v1/states/")]
    assert "/v1/states/TUN/matrix.xlsx?lang=es" in downloads
    assert "/v1/states/TUN/matrix.xlsx?hrd=any&lang=es" in downloads
    for link in downloads:
        assert (await client.get(link)).status_code == 200, link


async def test_spanish_detail_shows_the_spanish_text_and_links_the_form_in_spanish(
    client: httpx.AsyncClient, spanish_world: Recommendation
) -> None:
    rec = spanish_world
    html = (await client.get(f"/recommendations/{rec.id}", params={"lang": "es"})).text

    assert "Recomendación dirigida a Túnez" in html
    assert f'<p class="text" lang="es" dir="ltr">{SPANISH_TEXT}</p>' in html
    assert "Actualizaciones publicadas" in html
    assert f"/submit?recommendation={rec.id}&amp;lang=es" in html


@pytest.mark.parametrize(
    ("path", "key", "spanish"),
    [
        ("/submit", "submit.find.none", "Ninguna recomendación coincide."),
        ("/submit", "contribute.update", "Actualización n.º {id}"),
        ("/review", "review.queue.none", "No hay ninguna actualización pendiente de revisión."),
    ],
)
async def test_contribution_scripts_get_their_words_in_spanish(
    client: httpx.AsyncClient, path: str, key: str, spanish: str
) -> None:
    response = await client.get(path, params={"lang": "es"})
    data = json.loads(Document(response.text).by_id("page-data").content)

    assert data["text"][key] == spanish
    assert data["labels"]["status"]["implemented"] == "Aplicada"
    assert data["labels"]["review_state"]["submitted"] == "Pendiente de revisión"


async def test_a_missing_page_says_so_in_spanish(client: httpx.AsyncClient) -> None:
    response = await client.get("/recommendations/999999999", params={"lang": "es"})

    assert response.status_code == 404
    assert "<h1>No encontrado</h1>" in response.text
    assert "Ninguna recomendación tiene el número 999999999." in response.text
