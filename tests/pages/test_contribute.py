"""The submission and review pages over HTTP, and the API answers their scripts rely on."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.pages.security import PAGE_POLICY
from models import ProgressUpdate
from models.enums import OrganisationKind, Role
from tests import factories
from tests.pages.reading import Document

PAGES = ("/submit", "/review")
LANGUAGES = (("en", "ltr"), ("fr", "ltr"), ("es", "ltr"), ("ar", "rtl"))
SCRIPTS = ("/static/api-client.js", "/static/submit.js", "/static/review.js")
CONTROLS = frozenset({"input", "select", "textarea"})
CSO = "Defenders Network"


async def _page(client: httpx.AsyncClient, path: str, language: str = "en") -> Document:
    response = await client.get(path, params={"lang": language})
    assert response.status_code == 200, response.text
    return Document(response.text)


def _script_data(document: Document) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(document.by_id("page-data").content)
    return data


# The pages themselves


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("language", "direction"), LANGUAGES)
async def test_page_renders_in_each_language(
    client: httpx.AsyncClient, path: str, language: str, direction: str
) -> None:
    document = await _page(client, path, language)

    [html] = document.all("html")
    assert (html.get("lang"), html.get("dir")) == (language, direction)


async def test_pages_speak_their_language(client: httpx.AsyncClient) -> None:
    titles = {
        language: (await _page(client, "/submit", language)).all("h1")[0].content
        for language, _ in LANGUAGES
    }

    assert titles == {
        "en": "Submit a progress update",
        "fr": "Soumettre un suivi",
        "es": "Enviar una actualización sobre los avances",
        "ar": "تقديم تحديث عن التقدم",
    }


@pytest.mark.parametrize("path", PAGES)
async def test_page_carries_the_strict_policy(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.headers["content-security-policy"] == PAGE_POLICY
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", PAGES)
async def test_page_has_no_inline_script(client: httpx.AsyncClient, path: str) -> None:
    document = await _page(client, path)

    for script in document.all("script"):
        if script.get("src") is None:
            assert script.get("type") == "application/json"
            json.loads(script.content)
        else:
            assert not script.content


@pytest.mark.parametrize("path", PAGES)
async def test_page_has_no_handler_or_style_attribute(client: httpx.AsyncClient, path: str) -> None:
    document = await _page(client, path)

    assert not document.all("style")
    for element in document.elements:
        assert not [name for name in element.attrs if name.startswith("on") or name == "style"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", [language for language, _ in LANGUAGES])
async def test_every_control_is_labelled(
    client: httpx.AsyncClient, path: str, language: str
) -> None:
    document = await _page(client, path, language)
    labelled = {label.get("for") for label in document.all("label") if label.content}

    controls = [e for e in document.elements if e.tag in CONTROLS and e.get("type") != "hidden"]

    assert controls
    for control in controls:
        assert control.get("id") in labelled or "label" in control.ancestors, control.attrs


@pytest.mark.parametrize("path", PAGES)
async def test_page_loads_only_its_own_static_files(client: httpx.AsyncClient, path: str) -> None:
    document = await _page(client, path)
    sources = [e.get("src") for e in document.all("script") if e.get("src")]
    sheets = [e.get("href") for e in document.all("link") if e.get("rel") == "stylesheet"]

    assert sources
    for url in [*sources, *sheets]:
        assert url is not None
        assert url.startswith("/static/"), url
        assert (await client.get(url)).status_code == 200, url


@pytest.mark.parametrize("path", PAGES)
async def test_scripts_are_deferred(client: httpx.AsyncClient, path: str) -> None:
    document = await _page(client, path)

    for script in document.all("script"):
        if script.get("src"):
            assert "defer" in script.attrs


@pytest.mark.parametrize("script", SCRIPTS)
async def test_script_is_served_as_javascript(client: httpx.AsyncClient, script: str) -> None:
    response = await client.get(script)

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/javascript"


@pytest.mark.parametrize("script", SCRIPTS)
async def test_script_builds_no_html_from_strings(client: httpx.AsyncClient, script: str) -> None:
    source = (await client.get(script)).text

    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


async def test_key_is_kept_in_session_storage_only(client: httpx.AsyncClient) -> None:
    source = (await client.get("/static/api-client.js")).text

    assert "sessionStorage" in source
    assert "localStorage" not in source
    assert "document.cookie" not in source


@pytest.mark.parametrize("path", PAGES)
async def test_key_field_is_a_password_no_form_can_send(
    client: httpx.AsyncClient, path: str
) -> None:
    document = await _page(client, path)

    key = document.by_id("api-key")

    assert key.get("type") == "password"
    assert key.get("name") is None
    assert document.by_id("save-key").tag == "button"
    assert document.by_id("forget-key").tag == "button"


@pytest.mark.parametrize("path", PAGES)
async def test_page_sets_no_cookie(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert "set-cookie" not in response.headers


async def test_submit_page_has_what_a_browser_test_needs(client: httpx.AsyncClient) -> None:
    document = await _page(client, "/submit")

    tags = {
        element_id: document.by_id(element_id).tag
        for element_id in (
            "api-key",
            "save-key",
            "forget-key",
            "recommendation-search",
            "recommendation-results",
            "recommendation-id",
            "source-type",
            "assessed-status",
            "narrative",
            "evidence-urls",
            "as-of-date",
            "submit-update",
            "messages",
            "my-updates",
        )
    }

    assert tags == {
        "api-key": "input",
        "save-key": "button",
        "forget-key": "button",
        "recommendation-search": "input",
        "recommendation-results": "ul",
        "recommendation-id": "input",
        "source-type": "select",
        "assessed-status": "select",
        "narrative": "textarea",
        "evidence-urls": "textarea",
        "as-of-date": "input",
        "submit-update": "button",
        "messages": "div",
        "my-updates": "ul",
    }
    assert document.by_id("messages").get("aria-live") == "polite"
    assert document.by_id("submit-update").get("type") == "submit"


async def test_review_page_has_what_a_browser_test_needs(client: httpx.AsyncClient) -> None:
    document = await _page(client, "/review")

    assert document.by_id("api-key").tag == "input"
    assert document.by_id("save-key").tag == "button"
    assert document.by_id("queue").tag == "div"
    assert document.by_id("messages").get("aria-live") == "polite"


async def test_review_script_builds_the_queue_controls(client: httpx.AsyncClient) -> None:
    source = (await client.get("/static/review.js")).text

    # Each article is built in the browser; the browser test finds it by these names.
    for name in ('"article"', "updateId", '"publish"', '"reason"', '"reject secondary"', "htmlFor"):
        assert name in source


async def test_source_types_are_those_the_api_takes(client: httpx.AsyncClient) -> None:
    document = await _page(client, "/submit")
    values = [e.get("value") for e in document.all("option") if "select" in e.ancestors]

    sources = values[: values.index("", 1)]

    assert sources == ["", "government", "nhri", "civil_society", "un"]


async def test_not_assessed_is_not_offered_as_an_assessment(client: httpx.AsyncClient) -> None:
    document = await _page(client, "/submit")
    values = [e.get("value") for e in document.all("option")]

    statuses = values[values.index("", 1) :]

    assert "not_assessed" not in statuses
    assert "implemented" in statuses
    assert "regressed" in statuses


@pytest.mark.parametrize(
    ("language", "public", "confidential", "restricted"),
    [
        ("en", "organisation is named", "known to the office's staff only", "never published"),
        ("fr", "organisation est nommée", "que du personnel du bureau", "jamais publié"),
        (
            "es",
            "nombre de su organización",
            "solo el personal de la oficina sabrá",
            "nunca se publica",
        ),
        ("ar", "يُذكر اسم منظمتك", "إلا موظفو المكتب", "لا يُنشر أبداً"),
    ],
)
async def test_confidentiality_is_explained_beside_each_choice(
    client: httpx.AsyncClient,
    language: str,
    public: str,
    confidential: str,
    restricted: str,
) -> None:
    document = await _page(client, "/submit", language)
    radios = [e for e in document.all("input") if e.get("name") == "confidentiality"]

    explained = {
        radio.get("value"): document.by_id(str(radio.get("aria-describedby"))).content
        for radio in radios
    }

    assert all(radio.get("type") == "radio" for radio in radios)
    assert explained.keys() == {"public", "confidential_submitter", "restricted"}
    assert public in explained["public"]
    assert confidential in explained["confidential_submitter"]
    assert restricted in explained["restricted"]


async def test_recommendation_parameter_prefills_the_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/submit", params={"recommendation": "12"})

    assert Document(response.text).by_id("recommendation-id").get("value") == "12"


@pytest.mark.parametrize("value", ["0", "12abc", "-3", "٣", "99999999999999999999", "<b>"])
async def test_malformed_recommendation_parameter_is_not_prefilled(
    client: httpx.AsyncClient, value: str
) -> None:
    response = await client.get("/submit", params={"recommendation": value})

    assert response.status_code == 200
    assert Document(response.text).by_id("recommendation-id").get("value") is None


@pytest.mark.parametrize("path", PAGES)
async def test_script_words_come_in_the_page_language(client: httpx.AsyncClient, path: str) -> None:
    data = _script_data(await _page(client, path, "fr"))

    assert data["text"]["contribute.key.forgotten"] == "La clé est oubliée."
    assert data["labels"]["review_state"]["rejected"] == "Rejetée"
    assert data["labels"]["confidentiality"].keys() == {
        "public",
        "confidential_submitter",
        "restricted",
    }


# What the scripts ask of the API


@dataclass
class Keys:
    recommendation_id: int
    cso: dict[str, str]
    staff: dict[str, str]


@pytest.fixture
async def keys(session: AsyncSession) -> Keys:
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(session, doc, "105.34")
    cso = await factories.api_key(
        session, Role.SUBMITTER, organisation=CSO, kind=OrganisationKind.CIVIL_SOCIETY
    )
    staff = await factories.api_key(session, Role.STAFF)
    return Keys(rec.id, factories.bearer(cso), factories.bearer(staff))


def _form(**overrides: Any) -> dict[str, Any]:
    """The body submit.js builds from the form."""
    return {
        "source_type": "civil_society",
        "assessed_status": "not_implemented",
        "narrative": "Three defenders were questioned in 2024.\nNone was charged.",
        "evidence_urls": ["https://example.org/report"],
        "as_of_date": "2024-12-01",
        "confidentiality": "confidential_submitter",
    } | overrides


async def _submit(
    client: httpx.AsyncClient, keys: Keys, idempotency_key: str, **overrides: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/recommendations/{keys.recommendation_id}/updates",
        json=_form(**overrides),
        headers={**keys.cso, "Idempotency-Key": idempotency_key},
    )


async def test_double_submission_creates_one_update(
    client: httpx.AsyncClient, session: AsyncSession, keys: Keys
) -> None:
    idempotency_key = str(uuid.uuid4())

    first = await _submit(client, keys, idempotency_key)
    second = await _submit(client, keys, idempotency_key)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert await session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1


async def test_own_submissions_list_their_review_state(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    submitted = (await _submit(client, keys, str(uuid.uuid4()))).json()

    page = (await client.get("/v1/updates", headers=keys.cso)).json()

    assert [(u["id"], u["review_state"]) for u in page["items"]] == [(submitted["id"], "submitted")]
    assert page["next_cursor"] is None


async def test_staff_queue_names_a_confidential_submitter(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    await _submit(client, keys, str(uuid.uuid4()))

    page = (
        await client.get("/v1/updates", params={"review_state": "submitted"}, headers=keys.staff)
    ).json()

    [update] = page["items"]
    assert update["submitter"] == {"organisation": CSO}
    assert update["confidentiality"] == "confidential_submitter"
    assert update["narrative"] == _form()["narrative"]


async def test_rejection_reason_reads_back_to_the_submitter(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    update_id = (await _submit(client, keys, str(uuid.uuid4()))).json()["id"]

    rejected = await client.post(
        f"/v1/updates/{update_id}/reject",
        json={"reason": "Please name the court."},
        headers=keys.staff,
    )
    [mine] = (await client.get("/v1/updates", headers=keys.cso)).json()["items"]

    assert rejected.status_code == 200
    assert (mine["review_state"], mine["review_reason"]) == ("rejected", "Please name the court.")


async def test_published_update_leaves_the_queue(client: httpx.AsyncClient, keys: Keys) -> None:
    update_id = (await _submit(client, keys, str(uuid.uuid4()))).json()["id"]

    published = await client.post(f"/v1/updates/{update_id}/publish", headers=keys.staff)
    queue = await client.get(
        "/v1/updates", params={"review_state": "submitted"}, headers=keys.staff
    )

    assert published.json()["review_state"] == "published"
    assert queue.json()["items"] == []


async def test_submitter_withdraws_an_update_awaiting_review(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    update_id = (await _submit(client, keys, str(uuid.uuid4()))).json()["id"]

    retracted = await client.post(f"/v1/updates/{update_id}/retract", headers=keys.cso)

    assert retracted.status_code == 200
    assert retracted.json()["review_state"] == "retracted"


async def test_submitter_key_cannot_review(client: httpx.AsyncClient, keys: Keys) -> None:
    update_id = (await _submit(client, keys, str(uuid.uuid4()))).json()["id"]

    response = await client.post(f"/v1/updates/{update_id}/publish", headers=keys.cso)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


async def test_refusal_names_each_invalid_field(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await _submit(
        client, keys, str(uuid.uuid4()), narrative="", evidence_urls=["javascript:alert(1)"]
    )

    problem = response.json()
    assert response.status_code == 422
    assert problem["detail"]
    assert {error["name"] for error in problem["errors"]} >= {"narrative", "evidence_urls.0"}
    assert all(error["reason"] for error in problem["errors"])
