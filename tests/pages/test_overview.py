"""The overview page: the API's figures drawn and tabled, public updates only, every language."""

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.pages import labels
from models.enums import (
    Confidentiality,
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    OrganisationKind,
    ReviewState,
)
from tests import factories
from tests.pages.reading import PageReader

TODAY = datetime.now(UTC).date()
PUBLIC_ORGANISATION = "Ligue publique des libertés"
CONFIDENTIAL_ORGANISATION = "Canary confidential organisation 7f3a"
CONFIDENTIAL_CONTENT = "Published content of a confidential submitter"
RESTRICTED_NARRATIVE = "Canary restricted narrative 91b2"
UNPUBLISHED_NARRATIVE = "Canary unpublished narrative 55c1"
HOSTILE = '<script>alert("suivi")</script> Defenders were summoned.'


@pytest.fixture
async def world(session: AsyncSession) -> None:
    """Tunisia and Morocco across the three mechanisms, with overdue follow-up and updates of
    every confidentiality and review state."""
    upr_tun = await factories.document(session, "TEST/A/HRC/36/5", published=date(2017, 9, 1))
    ccpr_tun = await factories.document(
        session,
        "TEST/CCPR/C/TUN/CO/6",
        body_code="CCPR",
        published=date(2020, 4, 24),
        session_number=128,
        cycle=None,
    )
    upr_mar = await factories.document(
        session, "TEST/A/HRC/52/7", state="MAR", published=date(2023, 1, 5)
    )
    visit_mar = await factories.document(
        session,
        "TEST/A/HRC/40/60/Add.1",
        body_code="SR-HRD",
        state="MAR",
        published=None,
        session_number=None,
        cycle=None,
    )
    statuses = ImplementationStatus
    named = await factories.recommendation(
        session, upr_tun, "1", hrd=HrdRelevance.DIRECT, status=statuses.IMPLEMENTED
    )
    unnamed = await factories.recommendation(
        session, upr_tun, "2", hrd=HrdRelevance.RELATED, status=statuses.IN_PROGRESS
    )
    unpublished = await factories.recommendation(session, upr_tun, "3")
    restricted = await factories.recommendation(
        session,
        ccpr_tun,
        "4",
        hrd=HrdRelevance.DIRECT,
        status=statuses.NOT_IMPLEMENTED,
        follow_up_deadline_date=TODAY - timedelta(days=30),
    )
    await factories.recommendation(
        session, ccpr_tun, "5", follow_up_deadline_date=TODAY - timedelta(days=10)
    )
    await factories.recommendation(
        session, upr_mar, "1", hrd=HrdRelevance.DIRECT, status=statuses.PARTIALLY_IMPLEMENTED
    )
    await factories.recommendation(
        session,
        visit_mar,
        "7",
        hrd=HrdRelevance.RELATED,
        status=statuses.REGRESSED,
        follow_up_deadline_date=TODAY - timedelta(days=5),
    )

    public = await factories.organisation_called(session, PUBLIC_ORGANISATION)
    confidential = await factories.organisation_called(
        session, CONFIDENTIAL_ORGANISATION, kind=OrganisationKind.NHRI
    )
    for rec, organisation, narrative, confidentiality, review, hours in [
        (named, public, HOSTILE, "public", "published", 1),
        (unnamed, confidential, CONFIDENTIAL_CONTENT, "confidential_submitter", "published", 2),
        (restricted, confidential, RESTRICTED_NARRATIVE, "restricted", "published", 3),
        (unpublished, public, UNPUBLISHED_NARRATIVE, "public", "submitted", 4),
    ]:
        await factories.progress_update(
            session,
            recommendation_id=rec.id,
            organisation_id=organisation.id,
            narrative=narrative,
            confidentiality=Confidentiality(confidentiality),
            review_state=ReviewState(review),
            reviewed_at=(
                datetime(2024, 6, 1, hours, tzinfo=UTC) if review == "published" else None
            ),
        )


async def overview(client: httpx.AsyncClient, language: str = "en") -> PageReader:
    response = await client.get("/", params={"lang": language})
    assert response.status_code == 200
    return PageReader(response.text)


async def stats(client: httpx.AsyncClient, group_by: str) -> dict[tuple[str, ...], int]:
    body = (await client.get("/v1/stats", params={"group_by": group_by})).json()
    names = group_by.split(",")
    return {tuple(group[name] for name in names): group["count"] for group in body["groups"]}


@pytest.mark.usefixtures("world")
async def test_status_chart_equals_the_stats_api(client: httpx.AsyncClient) -> None:
    expected = await stats(client, "mechanism,status")
    figure = (await overview(client)).figures["status"]

    assert figure.counts() == expected
    for mechanism in MechanismCode:
        counts = [expected.get((mechanism, status), 0) for status in ImplementationStatus]
        row = figure.table()[labels.label("mechanism", mechanism, "en")]
        assert row == [*counts, sum(counts)]


@pytest.mark.usefixtures("world")
async def test_mechanism_and_defender_charts_equal_the_stats_api(
    client: httpx.AsyncClient,
) -> None:
    by_mechanism = await stats(client, "mechanism")
    by_hrd = await stats(client, "hrd")
    page = await overview(client)

    mechanisms = page.figures["mechanisms"]
    assert {category: n for (category, _), n in mechanisms.counts().items()} == {
        mechanism: count for (mechanism,), count in by_mechanism.items()
    }
    assert mechanisms.table() == {
        labels.label("mechanism", m, "en"): [by_mechanism.get((m,), 0)] for m in MechanismCode
    }
    defenders = page.figures["defenders"]
    assert {category: n for (category, _), n in defenders.counts().items()} == {
        hrd: count for (hrd,), count in by_hrd.items()
    }


@pytest.mark.usefixtures("world")
async def test_figures_and_states_table_equal_the_states_api(client: httpx.AsyncClient) -> None:
    states = (await client.get("/v1/states")).json()["items"]
    total = (await client.get("/v1/stats", params={"group_by": "state"})).json()["total"]
    page = await overview(client)

    table = page.tables["states"]
    rows = {row[1]: values for row, values in zip(table.rows, table.values, strict=True)}
    assert rows == {
        state["code"]: [state["recommendations"], state["hrd_direct"], state["hrd_related"]]
        for state in states
    }
    html = (await client.get("/")).text
    assert f"<strong>{total}</strong>" in html
    assert f"/states/{states[0]['code']}?lang=en" in page.links


@pytest.mark.usefixtures("world")
async def test_most_overdue_states_are_those_of_the_deadlines_api(
    client: httpx.AsyncClient,
) -> None:
    items = (await client.get("/v1/deadlines", params={"within": 1, "limit": 500})).json()
    overdue = Counter(item["state"] for item in items["items"] if item["overdue"])
    table = (await overview(client)).tables["overdue"]

    expected = sorted(overdue.items(), key=lambda pair: (-pair[1], pair[0]))[:10]
    assert [(row[0], values[0]) for row, values in zip(table.rows, table.values, strict=True)] == [
        (labels.state_name(state, "en"), count) for state, count in expected
    ]
    assert overdue["TUN"] >= 2


@pytest.mark.usefixtures("world")
async def test_latest_updates_are_the_published_public_ones(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text

    assert CONFIDENTIAL_CONTENT in html
    assert PUBLIC_ORGANISATION in html
    assert CONFIDENTIAL_ORGANISATION not in html
    assert RESTRICTED_NARRATIVE not in html
    assert UNPUBLISHED_NARRATIVE not in html
    assert html.index(CONFIDENTIAL_CONTENT) < html.index("Defenders were summoned.")


@pytest.mark.usefixtures("world")
async def test_submitted_text_is_escaped(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text

    assert '<script>alert("suivi")' not in html
    assert "&lt;script&gt;alert(&#34;suivi&#34;)&lt;/script&gt; Defenders were summoned." in html


@pytest.mark.usefixtures("world")
async def test_arabic_overview_is_right_to_left_and_in_arabic(client: httpx.AsyncClient) -> None:
    page = await overview(client, "ar")

    assert page.root == {"lang": "ar", "dir": "rtl"}
    assert page.h1 == "توصيات الأمم المتحدة بشأن المدافعين عن حقوق الإنسان"
    assert page.figures["status"].header[0] == "الآلية"


@pytest.mark.usefixtures("world")
async def test_french_links_keep_the_language(client: httpx.AsyncClient) -> None:
    page = await overview(client, "fr")

    own = [
        anchor["href"]
        for anchor in page.anchors
        if anchor["href"].startswith("/")
        and not anchor["href"].startswith(("/v1/", "/docs", "/static/"))
        and "hreflang" not in anchor
    ]
    assert len(own) > 10
    assert all(parse_qs(urlsplit(href).query)["lang"] == ["fr"] for href in own)
    assert page.root["lang"] == "fr"


@pytest.mark.usefixtures("world")
async def test_chart_csv_holds_the_chart_numbers(client: httpx.AsyncClient) -> None:
    expected = await stats(client, "mechanism,status")
    response = await client.get("/charts/status.csv", params={"lang": "fr"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == ["mechanism", "label", *ImplementationStatus, "total"]
    assert rows[1][:2] == ["upr", "Examen périodique universel"]
    assert {
        (row[0], status): int(count)
        for row in rows[1:]
        for status, count in zip(ImplementationStatus, row[2:], strict=False)
        if int(count)
    } == expected


async def test_unknown_chart_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/charts/nothing.csv", params={"lang": "fr"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Introuvable" in response.text


async def test_empty_database_has_an_overview(client: httpx.AsyncClient) -> None:
    page = await overview(client)

    assert page.tables["states"].rows == []
    assert "overdue" not in page.tables


@pytest.mark.parametrize("path", ["/", "/?lang=ar", "/charts/nothing.csv"])
async def test_overview_pages_carry_the_content_security_policy(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
