"""GET /v1/states, /v1/mechanisms, /v1/bodies, /v1/documents and the facet lists through HTTP."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from models.enums import HrdRelevance, ImplementationStatus, Position
from tests import factories
from tests.codes import without_labels

REFERENCE_PATHS = [
    "/v1/states",
    "/v1/states/TUN",
    "/v1/mechanisms",
    "/v1/bodies",
    "/v1/documents",
    "/v1/themes",
    "/v1/affected-persons",
    "/v1/sdgs",
]


@contextmanager
def counting_selects(connection: AsyncConnection) -> Iterator[list[str]]:
    """The SELECT statements sent on `connection` while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", record)


async def test_states_are_counted_in_code_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tunisia = await factories.document(session, "TEST/TUN/1")
    morocco = await factories.document(session, "TEST/MAR/1", state="MAR")
    await factories.recommendation(session, tunisia, "1", hrd=HrdRelevance.DIRECT)
    await factories.recommendation(session, tunisia, "2", hrd=HrdRelevance.RELATED)
    await factories.recommendation(session, tunisia, "3")
    await factories.recommendation(session, morocco, "1", hrd=HrdRelevance.DIRECT)

    response = await client.get("/v1/states")

    assert response.status_code == 200
    assert without_labels(response.json()) == {
        "items": [
            {
                "code": "MAR",
                "name": "Morocco",
                "recommendations": 1,
                "hrd_direct": 1,
                "hrd_related": 0,
            },
            {
                "code": "TUN",
                "name": "Tunisia",
                "recommendations": 3,
                "hrd_direct": 1,
                "hrd_related": 1,
            },
        ]
    }


async def test_states_mechanism_filter_counts_only_that_mechanism(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    upr = await factories.document(session, "TEST/TUN/UPR")
    ccpr = await factories.document(session, "TEST/TUN/CCPR", body_code="CCPR")
    morocco = await factories.document(session, "TEST/MAR/UPR", state="MAR")
    await factories.recommendation(session, upr, "1")
    await factories.recommendation(session, ccpr, "1")
    await factories.recommendation(session, ccpr, "2")
    await factories.recommendation(session, morocco, "1")

    response = await client.get("/v1/states", params={"mechanism": "treaty_body"})

    assert [(s["code"], s["recommendations"]) for s in response.json()["items"]] == [("TUN", 2)]


async def test_state_outside_iso_is_named_by_its_code(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    kosovo = await factories.document(session, "TEST/XKX/1", state="XKX")
    await factories.recommendation(session, kosovo, "1")

    listed = await client.get("/v1/states")
    detail = await client.get("/v1/states/XKX")

    assert [(s["code"], s["name"]) for s in listed.json()["items"]] == [("XKX", "XKX")]
    assert detail.status_code == 200
    assert detail.json()["name"] == "XKX"
    assert detail.json()["recommendations"] == 1


async def test_state_detail_counts_by_each_facet(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    upr = await factories.document(session, "TEST/TUN/UPR/4", cycle=4)
    ccpr = await factories.document(
        session, "TEST/TUN/CCPR/6", body_code="CCPR", session_number=None, cycle=None
    )
    await factories.recommendation(
        session,
        upr,
        "1",
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        status=ImplementationStatus.IN_PROGRESS,
    )
    await factories.recommendation(session, upr, "2", position=Position.SUPPORTED)
    await factories.recommendation(session, upr, "3", position=Position.NOTED)
    await factories.recommendation(
        session, ccpr, "1", hrd=HrdRelevance.RELATED, status=ImplementationStatus.IN_PROGRESS
    )
    elsewhere = await factories.document(session, "TEST/MAR/UPR/4", state="MAR")
    await factories.recommendation(session, elsewhere, "1", position=Position.NOTED)

    response = await client.get("/v1/states/TUN")

    assert response.status_code == 200
    assert without_labels(response.json()) == {
        "code": "TUN",
        "name": "Tunisia",
        "recommendations": 4,
        "hrd_direct": 1,
        "hrd_related": 1,
        "by_mechanism": [
            {"mechanism": "upr", "recommendations": 3},
            {"mechanism": "treaty_body", "recommendations": 1},
        ],
        "by_status": [
            {"status": "not_assessed", "recommendations": 2},
            {"status": "in_progress", "recommendations": 2},
        ],
        "by_hrd_relevance": [
            {"hrd_relevance": "direct", "recommendations": 1},
            {"hrd_relevance": "related", "recommendations": 1},
            {"hrd_relevance": "none", "recommendations": 2},
        ],
        "by_position": [
            {"position": "supported", "recommendations": 2},
            {"position": "noted", "recommendations": 1},
            {"position": None, "recommendations": 1},
        ],
        "by_cycle": [
            {"cycle": 4, "recommendations": 3},
            {"cycle": None, "recommendations": 1},
        ],
    }


async def test_country_without_recommendations_counts_zero(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/states/ISL")

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["recommendations"], body["hrd_direct"]) == ("Iceland", 0, 0)
    assert body["by_mechanism"] == body["by_position"] == body["by_cycle"] == []


async def test_unknown_code_without_recommendations_is_404_problem(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/states/ZZZ")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:suivi:problem:not-found"
    assert response.json()["instance"] == "/v1/states/ZZZ"


@pytest.mark.parametrize("code", ["tun", "TUNI", "T1N"])
async def test_malformed_state_code_is_422_naming_code(
    client: httpx.AsyncClient, code: str
) -> None:
    response = await client.get(f"/v1/states/{code}")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["name"] for error in response.json()["errors"]] == ["code"]


@pytest.mark.parametrize("path", REFERENCE_PATHS)
async def test_unknown_parameter_is_422_naming_it(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, params={"colour": "blue"})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["name"] for error in response.json()["errors"]] == ["colour"]


async def test_mechanisms_are_all_listed_with_their_counts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    upr = await factories.document(session, "TEST/TUN/UPR")
    cat = await factories.document(session, "TEST/TUN/CAT", body_code="CAT")
    ccpr = await factories.document(session, "TEST/TUN/CCPR", body_code="CCPR")
    await factories.recommendation(session, upr, "1", hrd=HrdRelevance.DIRECT)
    await factories.recommendation(session, cat, "1", hrd=HrdRelevance.RELATED)
    await factories.recommendation(session, ccpr, "1", hrd=HrdRelevance.DIRECT)

    response = await client.get("/v1/mechanisms")

    assert response.status_code == 200
    assert without_labels(response.json()["items"]) == [
        {
            "code": "special_procedure",
            "name": "Special procedures",
            "recommendations": 0,
            "hrd_direct": 0,
            "hrd_related": 0,
        },
        {
            "code": "treaty_body",
            "name": "Treaty bodies",
            "recommendations": 2,
            "hrd_direct": 1,
            "hrd_related": 1,
        },
        {
            "code": "upr",
            "name": "Universal Periodic Review",
            "recommendations": 1,
            "hrd_direct": 1,
            "hrd_related": 0,
        },
    ]


async def test_bodies_include_silent_ones_and_filter_by_mechanism(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ccpr = await factories.document(session, "TEST/TUN/CCPR", body_code="CCPR")
    await factories.recommendation(session, ccpr, "1", hrd=HrdRelevance.DIRECT)
    await factories.recommendation(session, ccpr, "2")
    upr = await factories.document(session, "TEST/TUN/UPR")
    await factories.recommendation(session, upr, "1")

    every = (await client.get("/v1/bodies")).json()["items"]
    treaty = (await client.get("/v1/bodies", params={"mechanism": "treaty_body"})).json()["items"]

    codes = [body["code"] for body in every]
    assert codes == sorted(codes)
    assert {"UPR", "CCPR", "SR-HRD"} <= set(codes)
    by_code = {body["code"]: body for body in treaty}
    assert without_labels(by_code["CCPR"]) == {
        "code": "CCPR",
        "name": "Human Rights Committee",
        "mechanism": "treaty_body",
        "recommendations": 2,
        "hrd_direct": 1,
        "hrd_related": 0,
    }
    assert by_code["CAT"]["recommendations"] == 0
    assert {body["mechanism"] for body in treaty} == {"treaty_body"}


async def test_documents_are_counted_and_paged_with_a_link(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first = await factories.document(session, "TEST/A/1")
    await factories.document(session, "TEST/A/2")
    third = await factories.document(session, "TEST/A/3", body_code="CCPR", cycle=None)
    await factories.recommendation(session, first, "1")
    await factories.recommendation(session, first, "2")
    await factories.recommendation(session, third, "1")

    page_one = await client.get("/v1/documents", params={"limit": 2})
    cursor = page_one.json()["next_cursor"]
    page_two = await client.get("/v1/documents", params={"limit": 2, "cursor": cursor})

    assert page_one.status_code == 200
    assert [(d["symbol"], d["recommendations"]) for d in page_one.json()["items"]] == [
        ("TEST/A/1", 2),
        ("TEST/A/2", 0),
    ]
    assert page_one.headers["link"] == (
        f'<http://suivi.test/v1/documents?limit=2&cursor={cursor}>; rel="next"'
    )
    assert without_labels(page_two.json()) == {
        "items": [
            {
                "symbol": "TEST/A/3",
                "body": "CCPR",
                "mechanism": "treaty_body",
                "state": "TUN",
                "published_date": "2022-11-10",
                "session": 41,
                "cycle": None,
                "recommendations": 1,
            }
        ],
        "next_cursor": None,
    }
    assert "link" not in page_two.headers


async def test_documents_filters_combine(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await factories.document(session, "TEST/TUN/UPR")
    await factories.document(session, "TEST/TUN/CCPR", body_code="CCPR")
    await factories.document(session, "TEST/TUN/CAT", body_code="CAT")
    await factories.document(session, "TEST/MAR/CCPR", body_code="CCPR", state="MAR")

    async def symbols(params: dict[str, str | list[str]]) -> list[str]:
        response = await client.get("/v1/documents", params=params)
        assert response.status_code == 200
        return [d["symbol"] for d in response.json()["items"]]

    assert await symbols({"state": "MAR"}) == ["TEST/MAR/CCPR"]
    assert await symbols({"body": ["CAT", "UPR"]}) == ["TEST/TUN/CAT", "TEST/TUN/UPR"]
    assert await symbols({"mechanism": "treaty_body", "state": "TUN"}) == [
        "TEST/TUN/CAT",
        "TEST/TUN/CCPR",
    ]


@pytest.mark.parametrize(
    ("params", "name"), [({"limit": 501}, "limit"), ({"state": "tunisia"}, "state")]
)
async def test_documents_invalid_parameter_is_422_naming_it(
    client: httpx.AsyncClient, params: dict[str, str | int], name: str
) -> None:
    response = await client.get("/v1/documents", params=params)

    assert response.status_code == 422
    assert [error["name"] for error in response.json()["errors"]] == [name]


async def test_documents_forged_cursor_is_rejected(client: httpx.AsyncClient) -> None:
    for cursor in ["not-a-cursor", "WzFd", "WyJhIiwiYiJd"]:  # garbage, [1], ["a","b"]
        response = await client.get("/v1/documents", params={"cursor": cursor})

        assert response.status_code == 422
        assert response.json()["type"] == "urn:suivi:problem:invalid-cursor"


async def test_themes_most_common_first_then_by_value(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/TUN/UPR")
    await factories.recommendation(session, doc, "1", themes=["Women", "Civil society"])
    await factories.recommendation(session, doc, "2", themes=["Civil society", "Torture"])
    await factories.recommendation(session, doc, "3", themes=["Civil society"])

    response = await client.get("/v1/themes")

    assert response.status_code == 200
    assert without_labels(response.json()) == {
        "items": [
            {"value": "Civil society", "recommendations": 3},
            {"value": "Torture", "recommendations": 1},
            {"value": "Women", "recommendations": 1},
        ]
    }


async def test_value_repeated_in_one_recommendation_counts_it_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/TUN/UPR")
    await factories.recommendation(session, doc, "1", themes=["Torture", "Torture"])

    response = await client.get("/v1/themes")

    assert without_labels(response.json()["items"]) == [{"value": "Torture", "recommendations": 1}]


@pytest.mark.parametrize(
    ("path", "column"), [("/v1/affected-persons", "affected_persons"), ("/v1/sdgs", "sdgs")]
)
async def test_facets_filter_by_state_and_mechanism(
    client: httpx.AsyncClient, session: AsyncSession, path: str, column: str
) -> None:
    upr = await factories.document(session, "TEST/TUN/UPR")
    ccpr = await factories.document(session, "TEST/TUN/CCPR", body_code="CCPR")
    morocco = await factories.document(session, "TEST/MAR/UPR", state="MAR")

    def carrying(*values: str) -> dict[str, Any]:
        return {column: list(values)}

    await factories.recommendation(session, upr, "1", **carrying("16.10"))
    await factories.recommendation(session, ccpr, "1", **carrying("16.10", "5.1"))
    await factories.recommendation(session, morocco, "1", **carrying("5.1"))

    every = await client.get(path)
    tunisia_treaty = await client.get(path, params={"state": "TUN", "mechanism": "treaty_body"})
    morocco_or_upr = await client.get(path, params={"state": ["MAR", "TUN"], "mechanism": "upr"})

    assert without_labels(every.json()["items"]) == [
        {"value": "16.10", "recommendations": 2},
        {"value": "5.1", "recommendations": 2},
    ]
    assert without_labels(tunisia_treaty.json()["items"]) == [
        {"value": "16.10", "recommendations": 1},
        {"value": "5.1", "recommendations": 1},
    ]
    assert without_labels(morocco_or_upr.json()["items"]) == [
        {"value": "16.10", "recommendations": 1},
        {"value": "5.1", "recommendations": 1},
    ]


@pytest.mark.parametrize(
    "path", ["/v1/states", "/v1/states/TUN", "/v1/bodies", "/v1/documents", "/v1/themes"]
)
async def test_counting_takes_one_statement_whatever_the_rows(
    client: httpx.AsyncClient, session: AsyncSession, connection: AsyncConnection, path: str
) -> None:
    for n in range(4):
        doc = await factories.document(session, f"TEST/TUN/{n}", body_code=["UPR", "CAT"][n % 2])
        for paragraph in range(3):
            await factories.recommendation(session, doc, str(paragraph), themes=[f"T{paragraph}"])

    with counting_selects(connection) as statements:
        response = await client.get(path)

    assert response.status_code == 200
    assert len(statements) == 1


async def test_every_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    operations = {path: item["get"] for path, item in spec["paths"].items() if "get" in item}
    ids = {operation["operationId"] for operation in operations.values()}
    assert {
        "listStates",
        "getState",
        "listMechanisms",
        "listBodies",
        "listDocuments",
        "listThemes",
        "listAffectedPersons",
        "listSdgs",
    } <= ids
    for path in ["/v1/states", "/v1/states/{code}", "/v1/documents", "/v1/sdgs"]:
        operation = operations[path]
        assert operation["summary"]
        assert "422" in operation["responses"]
        assert all(parameter.get("description") for parameter in operation["parameters"])
    assert "404" in operations["/v1/states/{code}"]["responses"]


async def test_values_follow_changed_lists_and_deleted_recommendations(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/TUN/UPR")
    first = await factories.recommendation(session, doc, "1", themes=["Torture", "Women"])
    second = await factories.recommendation(session, doc, "2", themes=["Torture"])
    before = (await client.get("/v1/themes")).json()["items"]

    first.themes = ["Civil society", "Civil society"]
    await session.delete(second)
    await session.flush()
    after = (await client.get("/v1/themes")).json()["items"]

    assert without_labels(before) == [
        {"value": "Torture", "recommendations": 2},
        {"value": "Women", "recommendations": 1},
    ]
    assert without_labels(after) == [{"value": "Civil society", "recommendations": 1}]


async def test_recommendations_without_values_list_no_value(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/TUN/UPR")
    await factories.recommendation(session, doc, "1", themes=["Torture"])

    response = await client.get("/v1/sdgs")

    assert response.status_code == 200
    assert response.json() == {"items": []}


async def test_values_sum_their_unmerged_summary_rows(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/TUN/UPR")
    await factories.recommendation(session, doc, "1", themes=["Torture"])
    # What writers still open leave beside a key's row until a later statement merges them.
    await session.execute(
        text(
            "INSERT INTO recommendation_facet_counts (facet, value, state_code, body_id, count) "
            "VALUES ('theme', 'Torture', 'TUN', :body, 2), ('theme', 'Women', 'TUN', :body, 1), "
            "('theme', 'Women', 'TUN', :body, -1)"
        ),
        {"body": doc.body_id},
    )

    response = await client.get("/v1/themes")

    assert without_labels(response.json()["items"]) == [{"value": "Torture", "recommendations": 3}]
