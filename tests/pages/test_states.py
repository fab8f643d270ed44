"""A State's page: the scorecard's numbers drawn and tabled, its deadlines, actions, downloads."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.pages import i18n, labels
from models import ActionRecommendation
from models.enums import (
    ActionStatus,
    Confidentiality,
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    OrganisationKind,
    Position,
    ReviewState,
)
from tests import factories
from tests.pages.reading import PageReader

TODAY = datetime.now(UTC).date()
CONFIDENTIAL_ORGANISATION = "Canary confidential organisation 3c9d"
RESTRICTED_NARRATIVE = "Canary restricted narrative 0a17"
ARCHIVED_ACTION = "Canary archived action e442"
HOSTILE_TITLE = "<script>alert(1)</script> Decree on associations"


@pytest.fixture
async def world(session: AsyncSession) -> None:
    """Tunisia: recommendations of three mechanisms with positions, a history of updates,
    follow-up deadlines and State actions; Morocco beside it."""
    upr = await factories.document(session, "TEST/A/HRC/36/5", published=date(2017, 9, 1))
    ccpr = await factories.document(
        session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR", published=date(2020, 4, 24)
    )
    visit = await factories.document(
        session, "TEST/A/HRC/40/60/Add.1", body_code="SR-HRD", published=None
    )
    morocco = await factories.document(session, "TEST/A/HRC/52/7", state="MAR")
    confidential = await factories.organisation_called(
        session, CONFIDENTIAL_ORGANISATION, kind=OrganisationKind.NHRI
    )
    defenders = await factories.recommendation(
        session,
        upr,
        "1",
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        status=ImplementationStatus.PARTIALLY_IMPLEMENTED,
    )
    for as_of, status, confidentiality, narrative in [
        (date(2019, 5, 1), "in_progress", "public", "Public progress"),
        (date(2020, 6, 1), "regressed", "restricted", RESTRICTED_NARRATIVE),
        (date(2021, 3, 1), "partially_implemented", "confidential_submitter", "Partly done"),
    ]:
        await factories.progress_update(
            session,
            recommendation_id=defenders.id,
            organisation_id=confidential.id,
            narrative=narrative,
            assessed_status=ImplementationStatus(status),
            confidentiality=Confidentiality(confidentiality),
            review_state=ReviewState.PUBLISHED,
            reviewed_at=datetime(2024, 6, 1, tzinfo=UTC),
            as_of_date=as_of,
        )
    await factories.recommendation(
        session, upr, "2", position=Position.NOTED, status=ImplementationStatus.IMPLEMENTED
    )
    await factories.recommendation(
        session, upr, "3", position=Position.SUPPORTED, hrd=HrdRelevance.RELATED
    )
    for paragraph, status, days, hrd in [
        ("4", "not_implemented", -30, HrdRelevance.DIRECT),
        ("5", "implemented", -30, HrdRelevance.NONE),
        ("6", "in_progress", 60, HrdRelevance.NONE),
    ]:
        await factories.recommendation(
            session,
            ccpr,
            paragraph,
            hrd=hrd,
            status=ImplementationStatus(status),
            follow_up_selected=True,
            follow_up_deadline_date=TODAY + timedelta(days=days),
        )
    await factories.recommendation(session, visit, "8", hrd=HrdRelevance.DIRECT)
    await factories.recommendation(session, morocco, "1", hrd=HrdRelevance.DIRECT)

    institution = await factories.institution(session, "Ministry of Justice")
    current = await factories.action(
        session,
        HOSTILE_TITLE,
        institution_id=institution.id,
        target_date=TODAY - timedelta(days=10),
    )
    session.add(ActionRecommendation(action_id=current.id, recommendation_id=defenders.id))
    await factories.action(
        session, "Training of judges", status=ActionStatus.PLANNED, target_date=TODAY
    )
    await factories.action(session, ARCHIVED_ACTION, archived_at=datetime(2025, 1, 1, tzinfo=UTC))
    await factories.action(session, "Moroccan decree", state="MAR")
    await session.flush()


async def state_page(client: httpx.AsyncClient, code: str, language: str = "en") -> PageReader:
    response = await client.get(f"/states/{code}", params={"lang": language})
    assert response.status_code == 200
    return PageReader(response.text)


async def scorecard(client: httpx.AsyncClient, code: str = "TUN") -> dict[str, Any]:
    response = await client.get(f"/v1/states/{code}/scorecard")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.usefixtures("world")
async def test_status_chart_equals_the_scorecard_api(client: httpx.AsyncClient) -> None:
    card = await scorecard(client)
    figure = (await state_page(client, "TUN")).figures["status"]

    expected = {(c["mechanism"], c["status"]): c["count"] for c in card["by_mechanism_status"]}
    assert figure.counts() == expected
    for mechanism in MechanismCode:
        counts = [expected.get((mechanism, status), 0) for status in ImplementationStatus]
        row = figure.table()[labels.label("mechanism", mechanism, "en")]
        assert row == [*counts, sum(counts)]


@pytest.mark.usefixtures("world")
async def test_positions_and_defenders_equal_the_scorecard_api(client: httpx.AsyncClient) -> None:
    card = await scorecard(client)
    page = await state_page(client, "TUN")

    positions = {p["position"]: p["count"] for p in card["positions"]}
    assert {c: n for (c, _), n in page.figures["positions"].counts().items()} == positions
    assert page.figures["positions"].table() == {
        labels.label("position", p, "en"): [positions.get(p, 0)] for p in Position
    }
    defenders = card["defenders"]
    by_status = {s["status"]: s["count"] for s in defenders["by_status"]}
    assert {c: n for (c, _), n in page.figures["defenders"].counts().items()} == by_status
    table = page.tables["defenders-by-mechanism"]
    assert [(row[0], values) for row, values in zip(table.rows, table.values, strict=True)] == [
        (labels.label("mechanism", m["mechanism"], "en"), [m["count"]])
        for m in defenders["by_mechanism"]
    ]


@pytest.mark.usefixtures("world")
async def test_trend_equals_the_scorecard_api(client: httpx.AsyncClient) -> None:
    card = await scorecard(client)
    figure = (await state_page(client, "TUN")).figures["trend"]

    trend = card["trend"]
    assert figure.table() == {
        str(year["year"]): [year["counts"][s] for s in ImplementationStatus] for year in trend
    }
    drawn = figure.counts()
    assert drawn == {
        (str(year["year"]), status): count
        for year in trend
        for status, count in year["counts"].items()
        if any(other["counts"][status] for other in trend)
    }
    assert figure.lines == len({status for _, status in drawn})


@pytest.mark.usefixtures("world")
async def test_figures_equal_the_state_and_scorecard_apis(client: httpx.AsyncClient) -> None:
    card = await scorecard(client)
    state = (await client.get("/v1/states/TUN")).json()
    html = (await client.get("/states/TUN")).text

    for figure, words in [
        (card["total"], "Recommendations"),
        (state["hrd_direct"], "About defenders"),
        (state["hrd_related"], "Civic space"),
        (card["overdue"], "Past their follow-up deadline or target date"),
        (card["due_soon"], "Due within 90 days"),
        (card["recommended_again"], "Recommended again, across cycles or mechanisms"),
    ]:
        assert f"<strong>{figure}</strong> {words}</li>" in html
    assert f"<strong>{card['defenders']['total']}</strong>" in html


@pytest.mark.usefixtures("world")
async def test_deadlines_are_those_of_the_deadlines_api(client: httpx.AsyncClient) -> None:
    items = (await client.get("/v1/deadlines", params={"state": "TUN", "within": 90})).json()
    table = (await state_page(client, "TUN")).tables["deadlines"]

    assert [row[0].split(" ")[0] for row in table.rows] == [
        item["due_date"] for item in items["items"]
    ]
    assert [row[1] for row in table.rows] == [
        "Overdue" if item["overdue"] else "Upcoming" for item in items["items"]
    ]


@pytest.mark.usefixtures("world")
async def test_actions_are_the_current_ones_as_the_actions_api_lists_them(
    client: httpx.AsyncClient,
) -> None:
    listed = (await client.get("/v1/actions", params={"state": "TUN"})).json()["items"]
    page = await state_page(client, "TUN")
    html = (await client.get("/states/TUN")).text

    rows = page.tables["actions"].rows
    assert [row[0] for row in rows] == [action["title"] for action in listed]
    assert [row[-1] for row in rows] == [str(len(action["recommendations"])) for action in listed]
    assert rows[0][1:4] == ["Legislation", "Ministry of Justice", "Ongoing"]
    assert ARCHIVED_ACTION not in html
    assert "Moroccan decree" not in html


@pytest.mark.usefixtures("world")
async def test_action_titles_are_escaped(client: httpx.AsyncClient) -> None:
    html = (await client.get("/states/TUN")).text

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Decree on associations" in html


@pytest.mark.usefixtures("world")
async def test_no_confidential_submitter_or_restricted_narrative_appears(
    client: httpx.AsyncClient,
) -> None:
    for language in i18n.LANGUAGES:
        html = (await client.get("/states/TUN", params={"lang": language})).text
        assert CONFIDENTIAL_ORGANISATION not in html
        assert RESTRICTED_NARRATIVE not in html


@pytest.mark.usefixtures("world")
async def test_downloads_are_the_api_exports_in_the_page_language(
    client: httpx.AsyncClient,
) -> None:
    page = await state_page(client, "TUN", "fr")

    downloads = [link for link in page.links if link.startswith("/v1/")]
    assert "/v1/exports/recommendations.csv?state=TUN" in downloads
    assert "/v1/exports/recommendations.xlsx?state=TUN" in downloads
    assert "/v1/states/TUN/matrix.xlsx?lang=fr" in downloads
    assert "/v1/states/TUN/matrix.xlsx?hrd=any&lang=fr" in downloads
    for link in downloads:
        assert (await client.get(link)).status_code == 200, link


@pytest.mark.usefixtures("world")
async def test_chart_csv_equals_the_chart_table(client: httpx.AsyncClient) -> None:
    page = await state_page(client, "TUN", "ar")
    figure = page.figures["positions"]
    assert figure.csv is not None
    response = await client.get(figure.csv)

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == ["position", "label", "count"]
    assert {row[1]: [int(row[2])] for row in rows[1:]} == figure.table()


@pytest.mark.usefixtures("world")
async def test_arabic_page_is_right_to_left_and_in_arabic(client: httpx.AsyncClient) -> None:
    page = await state_page(client, "TUN", "ar")

    assert page.root == {"lang": "ar", "dir": "rtl"}
    assert page.h1.startswith("تونس")
    assert page.figures["status"].header[0] == "الآلية"
    assert 'direction="rtl"' in (await client.get("/states/TUN?lang=ar")).text


@pytest.mark.usefixtures("world")
async def test_french_links_keep_the_language(client: httpx.AsyncClient) -> None:
    page = await state_page(client, "TUN", "fr")

    own = [
        anchor["href"]
        for anchor in page.anchors
        if anchor["href"].startswith("/")
        and not anchor["href"].startswith(("/v1/", "/docs", "/static/"))
        and "hreflang" not in anchor
    ]
    assert any("/charts/" in href for href in own)
    assert all(parse_qs(urlsplit(href).query)["lang"] == ["fr"] for href in own)


async def test_unknown_state_is_a_404_page_in_its_language(client: httpx.AsyncClient) -> None:
    response = await client.get("/states/ZZZ", params={"lang": "fr"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    page = PageReader(response.text)
    assert page.root["lang"] == "fr"
    assert page.h1 == "Introuvable"
    assert "ZZZ" in response.text


@pytest.mark.parametrize("code", ["tun", "TUNI", "T%3CN", "123"])
async def test_malformed_code_is_a_404_page_that_does_not_repeat_it(
    client: httpx.AsyncClient, code: str
) -> None:
    response = await client.get(f"/states/{code}")

    assert response.status_code == 404
    assert "three capital letters" in response.text
    assert "T<N" not in response.text


async def test_unknown_chart_of_a_state_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/states/NOR/charts/nothing.csv")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


async def test_country_without_recommendations_has_a_page_of_zeros(
    client: httpx.AsyncClient,
) -> None:
    page = await state_page(client, "NOR")

    assert page.h1.startswith("Norway")
    assert page.figures["status"].marks == []
    assert page.figures["trend"].rows == []


@pytest.mark.parametrize(
    "path", ["/states/TUN", "/states/TUN?lang=ar", "/states/ZZZ", "/states/tun"]
)
@pytest.mark.usefixtures("world")
async def test_state_pages_carry_the_content_security_policy(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
