"""Accept-Language through HTTP: labels beside the codes, problems in the language, caches apart."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api import problem_texts
from api.languages import negotiate
from models.enums import HrdRelevance, Position, Role
from tests import factories
from tests.codes import without_labels

ARABIC = {"Accept-Language": "ar"}
FRENCH = {"Accept-Language": "fr"}


async def _recommendation(session: AsyncSession, **columns: Any) -> int:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    rec = await factories.recommendation(
        session,
        doc,
        "134.12",
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        recommending_states=["FRA", "NOR"],
        themes=["Human rights defenders"],
        affected_persons=["Journalists"],
        **columns,
    )
    return rec.id


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("ES_mx", "es"),
        ("de, ar;q=0.5, fr;q=0.4", "ar"),
        ("fr;q=0.4, es;q=0.9", "es"),
        ("fr, es", "fr"),
        ("de", "en"),
        ("*", "en"),
        ("en;q=0, *;q=0.5", "fr"),
        ("fr;q=0, ar;q=0.1", "ar"),
        ("fr;q=0", "en"),
        ("fr;q=high, es;q=0.2", "es"),
        ("fr;q=nan, es;q=0.2", "es"),
        ("fr;level=1;q=0.3, ar;q=0.2", "fr"),
    ],
)
def test_accept_language_is_negotiated(header: str | None, language: str) -> None:
    assert negotiate(header) == language


async def test_arabic_names_tunisia_in_a_list_item(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendation(session)

    response = await client.get("/v1/recommendations", headers=ARABIC)

    [item] = response.json()["items"]
    assert item["state"] == "TUN"
    assert item["state_label"] == "تونس"
    assert item["recommending_state_labels"] == ["فرنسا", "النرويج"]
    assert item["theme_labels"] == ["المدافعون عن حقوق الإنسان"]
    assert item["affected_person_labels"] == ["الصحفيون"]
    assert response.headers["content-language"] == "ar"
    assert "Accept-Language" in response.headers["vary"]


async def test_arabic_names_tunisia_in_the_reference_states(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendation(session)

    listed = await client.get("/v1/states", headers=ARABIC)
    one = await client.get("/v1/states/TUN", headers=ARABIC)

    [state] = listed.json()["items"]
    assert (state["code"], state["name"], state["label"]) == ("TUN", "Tunisia", "تونس")
    assert one.json()["label"] == "تونس"
    assert one.json()["by_status"][0]["status_label"] == "لم تُقيَّم"


@pytest.mark.parametrize(
    ("language", "status", "mechanism"),
    [
        ("en", "Not assessed", "Universal Periodic Review"),
        ("fr", "Non évaluée", "Examen périodique universel"),
        ("es", "Sin evaluar", "Examen Periódico Universal"),
        ("ar", "لم تُقيَّم", "الاستعراض الدوري الشامل"),
    ],
)
async def test_status_and_mechanism_read_in_the_language(
    client: httpx.AsyncClient, session: AsyncSession, language: str, status: str, mechanism: str
) -> None:
    rec_id = await _recommendation(session)

    listed = await client.get("/v1/recommendations", headers={"Accept-Language": language})
    detail = await client.get(
        f"/v1/recommendations/{rec_id}", headers={"Accept-Language": language}
    )

    [item] = listed.json()["items"]
    for read in (item, detail.json()):
        assert (read["status"], read["status_label"]) == ("not_assessed", status)
        assert (read["mechanism"], read["mechanism_label"]) == ("upr", mechanism)
    assert detail.headers["content-language"] == language


async def test_codes_and_values_are_the_same_in_every_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec_id = await _recommendation(session)
    paths = [
        "/v1/recommendations",
        f"/v1/recommendations/{rec_id}",
        "/v1/states",
        "/v1/states/TUN",
        "/v1/states/TUN/scorecard",
        "/v1/mechanisms",
        "/v1/bodies",
        "/v1/documents",
        "/v1/themes",
        "/v1/affected-persons",
        "/v1/stats?group_by=state,status,theme",
    ]

    for path in paths:
        answers = [
            (await client.get(path, headers={"Accept-Language": language})).json()
            for language in ("en", "fr", "es", "ar")
        ]
        english = without_labels(answers[0])
        assert all(without_labels(answer) == english for answer in answers[1:]), path
        assert answers[0] != answers[3], path


async def test_an_unknown_language_reads_in_english(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendation(session)

    response = await client.get("/v1/recommendations", headers={"Accept-Language": "de-CH"})

    [item] = response.json()["items"]
    assert item["state_label"] == "Tunisia"
    assert item["position_label"] == "Supported"
    assert response.headers["content-language"] == "en"


async def test_a_code_without_a_label_reads_as_itself(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendation(session, sdgs=["16.10"])
    doc = await factories.document(session, "TEST/A/HRC/52/11")
    await factories.recommendation(session, doc, "1", themes=["Brand new theme"])

    listed = await client.get("/v1/recommendations", params={"sort": "-id"}, headers=FRENCH)
    themes = await client.get("/v1/themes", headers=FRENCH)
    sdgs = await client.get("/v1/sdgs", headers=FRENCH)

    assert listed.json()["items"][0]["theme_labels"] == ["Brand new theme"]
    labelled = {item["value"]: item["label"] for item in themes.json()["items"]}
    assert labelled == {
        "Brand new theme": "Brand new theme",
        "Human rights defenders": "Défenseurs des droits de l'homme",
    }
    assert sdgs.json()["items"] == [{"value": "16.10", "label": "16.10", "recommendations": 1}]


async def test_the_detail_labels_its_history_and_follow_up(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec_id = await _recommendation(session)

    detail = (await client.get(f"/v1/recommendations/{rec_id}", headers=FRENCH)).json()

    assert detail["body_label"] == "Groupe de travail sur l'Examen périodique universel"
    assert detail["hrd_relevance_label"] == "Concerne les défenseurs"
    assert detail["position_history"][0]["position_label"] == "Acceptée"
    assert detail["office_status_label"] is None
    assert detail["status_by_source_labels"] == dict.fromkeys(
        ("government", "nhri", "civil_society", "un")
    )


async def test_stats_groups_carry_labels(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _recommendation(session)

    response = await client.get(
        "/v1/stats", params={"group_by": "state,position,cycle"}, headers=ARABIC
    )

    [group] = response.json()["groups"]
    assert group == {
        "state": "TUN",
        "state_label": "تونس",
        "position": "supported",
        "position_label": "مقبولة",
        "cycle": 4,
        "count": 1,
    }
    assert response.headers["content-language"] == "ar"


async def test_the_scorecard_names_its_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendation(session)

    card = (await client.get("/v1/states/TUN/scorecard", headers={"Accept-Language": "es"})).json()

    assert card["state_label"] == "Túnez"
    assert card["positions"] == [
        {"position": "supported", "position_label": "Aceptada", "count": 1}
    ]


async def test_the_etag_differs_by_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendation(session)

    english = await client.get("/v1/recommendations")
    french = await client.get("/v1/recommendations", headers=FRENCH)
    sdgs_en = await client.get("/v1/sdgs")
    sdgs_fr = await client.get("/v1/sdgs", headers=FRENCH)

    assert english.headers["etag"] != french.headers["etag"]
    # The same bytes, but not the same Content-Language: not the same representation.
    assert sdgs_en.content == sdgs_fr.content
    assert sdgs_en.headers["etag"] != sdgs_fr.headers["etag"]


async def test_if_none_match_across_languages_gets_the_body(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendation(session)
    english = await client.get("/v1/states")

    french = await client.get(
        "/v1/states", headers={**FRENCH, "If-None-Match": english.headers["etag"]}
    )
    english_again = await client.get(
        "/v1/states", headers={"If-None-Match": english.headers["etag"]}
    )

    assert french.status_code == 200
    assert french.json()["items"][0]["label"] == "Tunisie"
    assert english_again.status_code == 304
    assert "Accept-Language" in english_again.headers["vary"]


async def test_a_problem_reads_in_french(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations/999999", headers=FRENCH)

    assert response.status_code == 404
    assert response.json() == {
        "type": "urn:suivi:problem:not-found",
        "title": "Introuvable",
        "status": 404,
        "detail": "Aucune recommandation n'a l'identifiant 999999.",
        "instance": "/v1/recommendations/999999",
    }
    assert response.headers["content-language"] == "fr"
    assert "Accept-Language" in response.headers["vary"]


async def test_a_validation_problem_keeps_its_parameter_names(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/recommendations", params={"limit": "many"}, headers=ARABIC)

    problem = response.json()
    assert response.status_code == 422
    assert problem["type"] == "urn:suivi:problem:invalid-parameters"
    assert problem["title"] == "معلمات غير صالحة"
    assert problem["detail"] == "قيمة غير صالحة لـ: limit"
    assert [(error["name"], error["location"]) for error in problem["errors"]] == [
        ("limit", "query")
    ]


async def test_an_unknown_route_s_problem_reads_in_spanish(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nowhere", headers={"Accept-Language": "es"})

    assert response.status_code == 404
    assert response.json()["type"] == "about:blank"
    assert response.json()["title"] == "No encontrado"


async def test_a_refusal_reads_in_french(client: httpx.AsyncClient, session: AsyncSession) -> None:
    key = await factories.api_key(session, Role.SUBMITTER)

    response = await client.post(
        "/v1/institutions",
        json={"name": "Ministry", "state": "TUN"},
        headers={**FRENCH, **factories.bearer(key)},
    )

    assert response.status_code == 403
    assert response.json()["type"] == "urn:suivi:problem:forbidden"
    assert response.json()["title"] == "Interdit"
    assert response.json()["detail"] == "Une clé `submitter` ne permet pas de faire ceci."


def test_a_detail_without_a_translation_stays_in_english() -> None:
    said = "An organisation is already named 'X'."

    assert problem_texts.detail(said, "ar") == said
    assert problem_texts.title("Some new title", "fr") == "Some new title"
