"""The /recommendations pages: the search shows the API's items and counts, the detail all of it."""

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.pages import i18n
from models import ActionRecommendation, FollowUpGrade, Recommendation
from models.enums import (
    AssessorKind,
    Confidentiality,
    Grade,
    HrdRelevance,
    ImplementationStatus,
    Position,
    ReviewState,
    SourceFormat,
    SourceType,
)
from suivi.services.recommendation_filters import FILTERS
from tests import factories

PUBLISHED_AT = datetime(2024, 6, 1, tzinfo=UTC)


class _Parsed(HTMLParser):
    """What the tests read off a page: its root, result rows, links, errors and texts."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root: dict[str, str | None] = {}
        self.row_ids: list[int] = []
        self.rel: dict[str, str] = {}
        self.hrefs: list[str] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self._capture: list[str] | None = None
        self._capture_tag = ""
        self.count = ""
        self.errors: list[str] = []
        self.texts: list[tuple[dict[str, str | None], str]] = []
        self._stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.root = found
        if tag == "tr" and found.get("data-id"):
            self.row_ids.append(int(str(found["data-id"])))
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
            if found.get("rel"):
                self.rel[str(found["rel"])] = str(found["href"])
        if tag == "select":
            self._select = str(found["name"])
            self.options[self._select] = []
        if tag == "option" and self._select is not None:
            self._option = str(found["value"])
        if (tag == "h2" and found.get("id") == "count") or (
            tag == "li" and self._stack and self._stack[-1][0] == "error"
        ):
            self._capture, self._capture_tag = [], tag
        if tag == "div" and found.get("class") == "error":
            self._stack.append(("error", found, []))
        elif tag == "p" and "lang" in found:
            self._stack.append(("text", found, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if self._capture is not None and tag == self._capture_tag:
            text = "".join(self._capture).strip()
            if tag == "h2":
                self.count = text
            else:
                self.errors.append(text)
            self._capture = None
        if tag == "div" and self._stack and self._stack[-1][0] == "error":
            self._stack.pop()
        if tag == "p" and self._stack and self._stack[-1][0] == "text":
            _, attrs, parts = self._stack.pop()
            self.texts.append((attrs, "".join(parts)))

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._select is not None:
            self.options[self._select].append((self._option, data.strip()))
            self._option = None
        if self._capture is not None:
            self._capture.append(data)
        if self._stack and self._stack[-1][0] == "text":
            self._stack[-1][2].append(data)


async def _page(client: httpx.AsyncClient, url: str, status: int = 200) -> _Parsed:
    response = await client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    return _Parsed(response.text)


async def _corpus(session: AsyncSession) -> list[Recommendation]:
    """Six recommendations to two States, over two bodies, statuses and relevances."""
    upr = await factories.document(session, "TEST/A/HRC/52/10", published=date(2022, 11, 10))
    upr_old = await factories.document(
        session, "TEST/A/HRC/36/5", published=date(2017, 7, 4), cycle=3
    )
    ccpr = await factories.document(
        session, "TEST/CCPR/C/MAR/CO/7", body_code="CCPR", state="MAR", published=date(2023, 3, 1)
    )
    made = [
        await factories.recommendation(
            session, upr, "1", hrd=HrdRelevance.DIRECT, position=Position.SUPPORTED
        ),
        await factories.recommendation(
            session, upr, "2", hrd=HrdRelevance.RELATED, status=ImplementationStatus.IN_PROGRESS
        ),
        await factories.recommendation(session, upr, "3", hrd=HrdRelevance.NONE),
        await factories.recommendation(session, upr_old, "4", hrd=HrdRelevance.DIRECT),
        await factories.recommendation(
            session, ccpr, "5", hrd=HrdRelevance.DIRECT, status=ImplementationStatus.IMPLEMENTED
        ),
        await factories.recommendation(session, ccpr, "6", hrd=HrdRelevance.RELATED),
    ]
    return made


async def _api_ids(client: httpx.AsyncClient, query: str) -> tuple[list[int], str | None]:
    response = await client.get(f"/v1/recommendations?{query}")
    assert response.status_code == 200
    body = response.json()
    return [item["id"] for item in body["items"]], body["next_cursor"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "hrd=any&sort=-date&limit=2",
        "mechanism=upr&state=TUN&sort=state&limit=2",
        "status=in_progress&status=implemented",
        "year_from=2020&year_to=2023&body=UPR&body=CCPR&limit=1",
    ],
)
async def test_items_are_the_api_items_page_after_page(
    client: httpx.AsyncClient, session: AsyncSession, query: str
) -> None:
    await _corpus(session)
    page = await _page(client, f"/recommendations?{query}")
    api_ids, cursor = await _api_ids(client, query)
    assert page.row_ids == api_ids
    while cursor is not None:
        next_href = page.rel["next"]
        assert dict(parse_qsl(urlsplit(next_href).query))["cursor"] == cursor
        page = await _page(client, next_href)
        api_ids, cursor = await _api_ids(client, f"{query}&cursor={cursor}")
        assert page.row_ids == api_ids
    assert "next" not in page.rel


async def test_count_is_the_api_stats_total(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _corpus(session)
    query = "hrd=any&mechanism=upr&limit=1"
    stats = await client.get(f"/v1/stats?group_by=status&{query.replace('&limit=1', '')}")

    page = await _page(client, f"/recommendations?{query}")

    total = stats.json()["total"]
    assert total == 3
    assert page.count == f"Recommendations found: {total}"


async def test_status_facet_counts_are_the_api_stats_groups(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _corpus(session)
    stats = (await client.get("/v1/stats?group_by=status&hrd=direct")).json()

    response = await client.get("/recommendations?hrd=direct")

    for group in stats["groups"]:
        link = f"/recommendations?hrd=direct&amp;status={group['status']}&amp;lang=en"
        assert f'{link}"><span class="badge s-{group["status"]}">' in response.text
        assert f'<span class="count">{group["count"]}</span>' in response.text


async def test_next_link_keeps_every_filter_and_the_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _corpus(session)
    filters = [
        ("state", "TUN"),
        ("state", "MAR"),
        ("hrd", "any"),
        ("year_from", "2010"),
        ("source_format", "manual"),
        ("sort", "-date"),
        ("limit", "1"),
    ]

    page = await _page(client, f"/recommendations?{urlencode(filters)}&lang=fr")

    kept = parse_qsl(urlsplit(page.rel["next"]).query)
    assert [pair for pair in kept if pair[0] not in {"cursor", "lang"}] == filters
    assert ("lang", "fr") in kept
    assert any(name == "cursor" for name, _ in kept)


async def test_first_page_link_drops_only_the_cursor(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _corpus(session)
    first = await _page(client, "/recommendations?hrd=any&limit=2&lang=ar")

    second = await _page(client, first.rel["next"])

    assert "first" not in first.rel
    assert parse_qsl(urlsplit(second.rel["first"]).query) == [
        ("hrd", "any"),
        ("limit", "2"),
        ("lang", "ar"),
    ]


async def test_empty_form_fields_mean_any(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _corpus(session)
    form = "q=&state=&mechanism=treaty_body&body=&hrd=&year_from=&year_to=&sort=&lang=en"

    page = await _page(client, f"/recommendations?{form}")

    assert page.row_ids == (await _api_ids(client, "mechanism=treaty_body"))[0]
    assert len(page.row_ids) == 2


@pytest.mark.parametrize(
    ("query", "name", "french"),
    [
        ("limit=0", "limit", "doit valoir au moins 1"),
        ("limit=many", "limit", "n'est pas un nombre entier"),
        ("status=done", "status", "ne fait pas partie de"),
        ("state=tunisia", "state", "n'est pas un code d'État"),
        ("colour=red", "colour", "n'est pas un paramètre de cette recherche"),
        ("cursor=not-a-cursor", "cursor", "recommencez depuis la première page"),
        ("year_from=2020&year_to=2010", "year_to", "ne doit pas précéder"),
        ("sort=relevance", "sort", "demande des mots à rechercher"),
        ("updated_since=yesterday", "updated_since", "n'est pas une date et heure"),
    ],
)
async def test_bad_parameter_is_a_422_page_naming_it(
    client: httpx.AsyncClient, query: str, name: str, french: str
) -> None:
    api = await client.get(f"/v1/recommendations?{query}")
    assert api.status_code == 422
    problem = api.json()
    # A bad cursor is a problem type of its own; every other refusal lists the parameter.
    assert name in {error["name"] for error in problem.get("errors", [])} or problem[
        "type"
    ].endswith(f"invalid-{name}")

    page = await _page(client, f"/recommendations?{query}&lang=fr", status=422)

    [message] = page.errors
    assert f"« {name} »" in message
    assert french in message
    assert page.row_ids == []


async def test_bad_parameter_is_marked_on_its_control(client: httpx.AsyncClient) -> None:
    response = await client.get("/recommendations?year_from=1800")

    assert response.status_code == 422
    assert 'name="year_from" min="1945" max="2100" inputmode="numeric" value="1800"' in (
        response.text
    )
    assert 'aria-invalid="true" aria-describedby="error-year_from"' in response.text
    assert '<li id="error-year_from">“year_from” must be at least 1945.</li>' in response.text


async def test_filters_without_a_control_ride_along_in_the_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _corpus(session)

    response = await client.get("/recommendations?theme=Freedom%20of%20expression&limit=5")

    assert '<input type="hidden" name="theme" value="Freedom of expression">' in response.text
    assert '<input type="hidden" name="limit" value="5">' in response.text


async def test_refused_value_is_not_sent_again_by_the_form(client: httpx.AsyncClient) -> None:
    response = await client.get("/recommendations?limit=0&theme=Freedom%20of%20expression")

    assert response.status_code == 422
    assert '<input type="hidden" name="limit"' not in response.text
    assert '<input type="hidden" name="theme" value="Freedom of expression">' in response.text


async def test_state_choices_are_states_with_recommendations_in_the_page_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _corpus(session)

    response = await client.get("/recommendations?lang=fr&state=MAR")

    options = _Parsed(response.text).options["state"]
    assert options == [("", "Indifférent"), ("MAR", "Maroc"), ("TUN", "Tunisie")]
    assert '<option value="MAR" selected>Maroc</option>' in response.text


async def test_sample_is_told_apart_in_the_list_and_the_detail(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/99/1")
    sample = await factories.recommendation(session, doc, "1")
    sample.source_format = SourceFormat.SAMPLE
    await session.flush()

    listed = await client.get("/recommendations?source_format=sample")
    detail = await client.get(f"/recommendations/{sample.id}")

    assert _Parsed(listed.text).row_ids == [sample.id]
    assert '<span class="tag">Sample</span>' in listed.text
    assert "it is not UN data" in detail.text
    assert "Illustrative sample, not UN data" in detail.text


async def _followed_up(session: AsyncSession) -> Recommendation:
    """A recommendation with three texts, an action, a grade and updates of every kind."""
    doc = await factories.document(session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR")
    rec = await factories.recommendation(
        session,
        doc,
        "24",
        texts={
            "en": "Protect human rights defenders.",
            "fr": "Protéger les défenseurs des droits de l'homme.",
            "ar": "حماية المدافعين عن حقوق الإنسان.",
        },
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        follow_up_deadline_date=date(2026, 3, 29),
    )
    law = await factories.action(session, "Draft law on defenders", target_date=date(2025, 12, 31))
    session.add_all(
        [
            ActionRecommendation(action_id=law.id, recommendation_id=rec.id, note="Article 3"),
            FollowUpGrade(
                recommendation_id=rec.id,
                grade=Grade.B,
                sub_grade="B2",
                assessor_kind=AssessorKind.COMMITTEE,
                assessor="Human Rights Committee",
                graded_date=date(2024, 7, 1),
            ),
        ]
    )
    public = await factories.organisation_called(session, "Coalition for defenders")
    hidden = await factories.organisation_called(session, "Quiet defenders' network")
    for narrative, organisation, confidentiality, review in [
        ("The bill was tabled.", public, Confidentiality.PUBLIC, ReviewState.PUBLISHED),
        ("Three were questioned.", hidden, Confidentiality.CONFIDENTIAL_SUBMITTER, None),
        ("Restricted narrative.", public, Confidentiality.RESTRICTED, ReviewState.PUBLISHED),
        ("Unpublished narrative.", public, Confidentiality.PUBLIC, ReviewState.SUBMITTED),
        ("Rejected narrative.", public, Confidentiality.PUBLIC, ReviewState.REJECTED),
    ]:
        await factories.progress_update(
            session,
            recommendation_id=rec.id,
            organisation_id=organisation.id,
            narrative=narrative,
            confidentiality=confidentiality,
            review_state=review or ReviewState.PUBLISHED,
            source_type=SourceType.CIVIL_SOCIETY,
            reviewed_at=PUBLISHED_AT,
        )
    return rec


async def test_detail_shows_texts_updates_grades_and_timeline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec = await _followed_up(session)

    response = await client.get(f"/recommendations/{rec.id}")

    assert response.status_code == 200
    page = _Parsed(response.text)
    texts = {attrs["lang"]: (attrs["dir"], text) for attrs, text in page.texts}
    assert texts == {
        "en": ("ltr", "Protect human rights defenders."),
        "fr": ("ltr", "Protéger les défenseurs des droits de l'homme."),
        "ar": ("rtl", "حماية المدافعين عن حقوق الإنسان."),
    }
    html = response.text
    assert "The bill was tabled." in html
    assert "Three were questioned." in html
    assert "Draft law on defenders" in html
    assert "Article 3" in html
    assert "B: partially satisfactory" in html
    assert "Human Rights Committee" in html
    assert "Grade B2 given by Human Rights Committee" in html
    assert "Follow-up reply to the committee" in html
    assert f"/submit?recommendation={rec.id}&amp;lang=en" in html


async def test_detail_status_by_source_is_the_api_s(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec = await _followed_up(session)
    api = (await client.get(f"/v1/recommendations/{rec.id}")).json()

    response = await client.get(f"/recommendations/{rec.id}")

    table = response.text.split('<table class="by-source">')[1].split("</table>")[0]
    cells = table.split("<td>")[1:]
    shown = [
        cell.split('class="badge s-')[1].split('"')[0] if "badge" in cell else None
        for cell in cells
    ]
    assert shown == [*api["status_by_source"].values(), api["office_status"]]
    assert shown[2] == "in_progress"


async def test_detail_never_names_a_confidential_submitter(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec = await _followed_up(session)

    response = await client.get(f"/recommendations/{rec.id}")

    assert "Quiet defenders" not in response.text
    assert "Name withheld at the submitter&#39;s request" in response.text
    assert "Coalition for defenders" in response.text


async def test_detail_never_shows_restricted_or_unpublished_narratives(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec = await _followed_up(session)

    response = await client.get(f"/recommendations/{rec.id}")

    for narrative in ("Restricted narrative.", "Unpublished narrative.", "Rejected narrative."):
        assert narrative not in response.text


async def test_script_in_a_text_or_narrative_is_escaped(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/66")
    rec = await factories.recommendation(
        session, doc, "1", texts={"en": "<script>alert('text')</script>"}
    )
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        narrative="<script>alert('narrative')</script>",
        review_state=ReviewState.PUBLISHED,
        reviewed_at=PUBLISHED_AT,
    )

    for url in (f"/recommendations/{rec.id}", "/recommendations"):
        response = await client.get(url)
        assert "<script>alert" not in response.text
        assert "&lt;script&gt;alert(" in response.text
        assert "<script" not in response.text
        assert "style=" not in response.text


async def test_arabic_pages_are_right_to_left(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec = await _followed_up(session)

    for url in ("/recommendations?lang=ar", f"/recommendations/{rec.id}?lang=ar"):
        page = await _page(client, url)
        assert page.root == {"lang": "ar", "dir": "rtl"}


async def test_language_follows_accept_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec = await _followed_up(session)

    response = await client.get(f"/recommendations/{rec.id}", headers={"Accept-Language": "fr"})

    assert "Textes disponibles" in response.text
    assert f"/submit?recommendation={rec.id}&amp;lang=fr" in response.text


@pytest.mark.parametrize("path", ["999999999", "abc", "0", "99999999999999999999999", "٣"])
async def test_unknown_recommendation_is_a_404_page(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"/recommendations/{path}?lang=fr")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Introuvable</h1>" in response.text
    assert "Aucune recommandation ne porte le numéro" in response.text


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_filter_has_a_name_on_the_page(language: str) -> None:
    # A filter without a control is listed by name: a missing name was a 500.
    for declared in FILTERS:
        assert i18n.translate(language, f"recommendations.field.{declared.name}")


async def test_how_words_are_matched_rides_along_by_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _corpus(session)

    response = await client.get("/recommendations?q=defenders&search=lexical")

    assert response.status_code == 200
    assert "Found by (<code>search</code>)" in response.text
    assert '<input type="hidden" name="search" value="lexical">' in response.text
