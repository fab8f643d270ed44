"""GET /v1/stats through HTTP: grouped counts agree with the paged list, under every filter."""

import random
from collections import Counter
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from api.schemas.stats import StatsGroup, StatsRead
from models.enums import HrdRelevance, ImplementationStatus, Position, SourceFormat
from suivi.services.stats import Dimension
from tests import factories

Params = list[tuple[str, str | int | float | bool | None]]

# Where each group_by name reads its value(s) in a list item.
ITEM_FIELDS = {
    "state": "state",
    "mechanism": "mechanism",
    "body": "body",
    "cycle": "cycle",
    "session": "session",
    "year": "date",
    "theme": "themes",
    "affected": "affected_persons",
    "sdg": "sdgs",
    "hrd": "hrd_relevance",
    "position": "position",
    "status": "status",
    "action_category": "action_category",
    "recommending_state": "recommending_states",
    "source_format": "source_format",
}


@pytest.fixture
async def corpus(session: AsyncSession) -> None:
    """Recommendations of two States and three mechanisms, varied in every facet."""
    upr_tun = await factories.document(session, "TEST/A/HRC/36/5", published=date(2017, 9, 1))
    upr_mar = await factories.document(
        session, "TEST/A/HRC/52/7", state="MAR", published=date(2023, 1, 5)
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
    await factories.recommendation(
        session,
        upr_tun,
        "1",
        texts={"en": "Protect human rights defenders from reprisals."},
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        recommending_states=["FRA", "NOR"],
        action_category=5,
        themes=["Human rights defenders", "Freedom of expression"],
        affected_persons=["Human rights defenders"],
        sdgs=["16.10"],
        status=ImplementationStatus.IN_PROGRESS,
    )
    await factories.recommendation(
        session,
        upr_tun,
        "2",
        position=Position.NOTED,
        hrd=HrdRelevance.RELATED,
        recommending_states=["BRA"],
        action_category=2,
        themes=["Freedom of expression"],
        status=ImplementationStatus.IN_PROGRESS,
    )
    await factories.recommendation(
        session,
        upr_tun,
        "3",
        position=Position.SUPPORTED,
        recommending_states=["FRA"],
        action_category=4,
        themes=["Women's rights"],
        sdgs=["5.1"],
    )
    await factories.recommendation(
        session,
        upr_mar,
        "1",
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        recommending_states=["FRA"],
        themes=["Human rights defenders"],
        status=ImplementationStatus.IMPLEMENTED,
    )
    await factories.recommendation(
        session,
        ccpr,
        "12",
        texts={"en": "Guarantee the freedom of association of defenders."},
        hrd=HrdRelevance.DIRECT,
        themes=["Freedom of association"],
        affected_persons=["Human rights defenders", "Journalists"],
        status=ImplementationStatus.NOT_IMPLEMENTED,
    )
    await factories.recommendation(
        session,
        ccpr,
        "13",
        affected_persons=["Women"],
        status=ImplementationStatus.IN_PROGRESS,
    )
    await factories.recommendation(
        session, rapporteur, "a", hrd=HrdRelevance.DIRECT, themes=["Human rights defenders"]
    )


async def listed(client: httpx.AsyncClient, params: Params) -> list[dict[str, Any]]:
    """Every item of the list with `params`, paged through 500 at a time."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page_params = [*params, ("limit", 500), *([("cursor", cursor)] if cursor else [])]
        response = await client.get("/v1/recommendations", params=page_params)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def values_of(item: dict[str, Any], name: str) -> list[Any]:
    """The group values of `name` a list item falls under (several for a list facet)."""
    value = item[ITEM_FIELDS[name]]
    if name == "year":
        return [None if value is None else int(value[:4])]
    if isinstance(value, list):
        return list(dict.fromkeys(value)) or [None]
    return [value]


def expected_groups(items: list[dict[str, Any]], names: list[str]) -> Counter[tuple[Any, ...]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    for item in items:
        combinations: list[tuple[Any, ...]] = [()]
        for name in names:
            combinations = [(*c, v) for c in combinations for v in values_of(item, name)]
        counts.update(combinations)
    return counts


def groups_of(body: dict[str, Any], names: list[str]) -> Counter[tuple[Any, ...]]:
    counts: Counter[tuple[Any, ...]] = Counter()
    # Beside each grouped value that has a label, its label (in English here).
    labels = {f"{name}_label" for name in names} & set(StatsGroup.model_fields)
    for group in body["groups"]:
        assert set(group) == {*names, *labels, "count"}
        counts[tuple(group[name] for name in names)] = group["count"]
    return counts


# Filters recommendation_counts holds: with `group_by=state,status` the summary answers.
SUMMARISED_FILTERS: list[Params] = [
    [],
    [("mechanism", "upr")],
    [("hrd", "any")],
    [("state", "TUN"), ("status", "in_progress")],
    [("body", "CCPR"), ("body", "SR-HRD")],
    [("year_from", 2018), ("year_to", 2020), ("hrd", "direct")],
    [("cycle", 4), ("position", "supported"), ("position", "noted")],
    [("session", 128), ("state", "TUN")],
]
# Filters it does not: the recommendations table answers.
TABLE_FILTERS: list[Params] = [
    [("theme", "Human rights defenders"), ("theme", "Women's rights")],
    [("document", "TEST/CCPR/C/TUN/CO/6")],
    [("year_from", 2018), ("affected", "Human rights defenders")],
    [("q", "defenders")],
    [("mechanism", "upr"), ("action_category", 5), ("action_category", 2)],
    [("recommending_state", "FRA")],
    [("updated_since", "2000-01-01T00:00:00Z"), ("hrd", "any")],
]
FILTERS = [
    *(pytest.param(filters, id=f"summary-{i}") for i, filters in enumerate(SUMMARISED_FILTERS)),
    *(pytest.param(filters, id=f"table-{i}") for i, filters in enumerate(TABLE_FILTERS)),
]


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize("filters", FILTERS)
async def test_counts_equal_the_paged_list(client: httpx.AsyncClient, filters: Params) -> None:
    items = await listed(client, filters)

    response = await client.get("/v1/stats", params=[*filters, ("group_by", "state,status")])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(items)
    assert groups_of(body, ["state", "status"]) == expected_groups(items, ["state", "status"])


def _by_values(body: dict[str, Any]) -> dict[tuple[Any, ...], int]:
    return {
        tuple(value for name, value in group.items() if name != "count"): group["count"]
        for group in body["groups"]
    }


async def _stats_with_summary_inflated(
    client: httpx.AsyncClient, session: AsyncSession, params: Params
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answer to `params`, then again after adding 1,000 to every count of both
    summaries (`recommendation_counts` and `recommendation_facet_counts`)."""
    before = (await client.get("/v1/stats", params=params)).json()
    await session.execute(text("UPDATE recommendation_counts SET count = count + 1000"))
    await session.execute(text("UPDATE recommendation_facet_counts SET count = count + 1000"))
    after = (await client.get("/v1/stats", params=params)).json()
    return before, after


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    "params",
    [
        *([*filters, ("group_by", "state,status")] for filters in SUMMARISED_FILTERS),
        [("group_by", "mechanism,body,year")],
        [("group_by", "cycle,session,position"), ("hrd", "related")],
        [("group_by", "hrd")],
    ],
)
async def test_summarised_questions_read_the_counts(
    client: httpx.AsyncClient, session: AsyncSession, params: Params
) -> None:
    before, after = await _stats_with_summary_inflated(client, session, params)

    counts, grown = _by_values(before), _by_values(after)
    assert counts
    assert grown.keys() == counts.keys()
    assert all(grown[values] >= counts[values] + 1000 for values in counts)


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    "params",
    [
        *([*filters, ("group_by", "state,status")] for filters in TABLE_FILTERS),
        [("group_by", "state,action_category")],
        [("group_by", "theme"), ("mechanism", "upr"), ("hrd", "any")],
        [("group_by", "theme,status")],
        [("group_by", "status,recommending_state")],
        [("group_by", "theme,sdg"), ("state", "TUN")],
        [("group_by", "affected"), ("theme", "Human rights defenders")],
    ],
)
async def test_other_questions_read_the_table(
    client: httpx.AsyncClient, session: AsyncSession, params: Params
) -> None:
    before, after = await _stats_with_summary_inflated(client, session, params)

    assert after == before


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize(
    "params",
    [
        [("group_by", "theme")],
        [("group_by", "affected"), ("state", "TUN")],
        [("group_by", "sdg"), ("mechanism", "upr")],
        [("group_by", "recommending_state"), ("body", "UPR")],
        [("group_by", "theme,mechanism"), ("state", "TUN"), ("mechanism", "upr")],
        [("group_by", "state,affected,body")],
    ],
)
async def test_list_facet_questions_read_the_facet_counts(
    client: httpx.AsyncClient, session: AsyncSession, params: Params
) -> None:
    before, after = await _stats_with_summary_inflated(client, session, params)

    counts, grown = _by_values(before), _by_values(after)
    assert counts
    assert grown.keys() == counts.keys()
    assert all(grown[values] >= counts[values] + 1000 for values in counts)
    # `total` counts distinct recommendations: recommendation_counts has them.
    assert after["total"] >= before["total"] + 1000


LIST_FACETS = ["theme", "affected", "sdg", "recommending_state"]
FACET_FILTERS: dict[str, Params] = {
    "none": [],
    "state": [("state", "TUN")],
    "mechanism": [("mechanism", "treaty_body")],
    "body": [("body", "CCPR"), ("body", "SR-HRD")],
    "state+mechanism": [("state", "MAR"), ("mechanism", "upr"), ("mechanism", "treaty_body")],
}
# Every row was written after this: adding it sends the same question to the table.
EVERYTHING_SINCE = ("updated_since", "2000-01-01T00:00:00Z")


@pytest.fixture
async def lists_corpus(session: AsyncSession) -> None:
    """Forty recommendations of three States and four bodies (two of one mechanism), drawn at
    random but reproducibly: lists of zero to three values from small vocabularies, values
    repeated within a list, and one list holding a null."""
    vocabularies = {
        "themes": ["Human rights defenders", "Freedom of expression", "Torture", "Women's rights"],
        "affected_persons": ["Human rights defenders", "Journalists", "Women", "Children"],
        "sdgs": ["16.10", "5.1", "16.3"],
        "recommending_states": ["FRA", "NOR", "BRA", "ZAF"],
    }
    documents = [
        await factories.document(
            session, f"TEST/LISTS/{body}/{state}", body_code=body, state=state, cycle=None
        )
        for body in ("UPR", "CCPR", "CAT", "SR-HRD")
        for state in ("TUN", "MAR", "EGY")
    ]
    draw = random.Random(2026)
    for number in range(40):
        lists: dict[str, Any] = {
            column: list(draw.choices(values, k=draw.randint(0, 3)))
            for column, values in vocabularies.items()
        }
        if number == 0:
            lists["themes"] = ["Torture", None, "Torture"]
        await factories.recommendation(
            session,
            draw.choice(documents),
            str(number),
            status=draw.choice(list(ImplementationStatus)),
            **lists,
        )


@pytest.mark.usefixtures("lists_corpus")
@pytest.mark.parametrize("second", [None, "state", "mechanism", "body"])
@pytest.mark.parametrize("filters", FACET_FILTERS.values(), ids=FACET_FILTERS.keys())
@pytest.mark.parametrize("facet", LIST_FACETS)
async def test_facet_counts_answer_as_the_table(
    client: httpx.AsyncClient, facet: str, filters: Params, second: str | None
) -> None:
    params: Params = [*filters, ("group_by", ",".join([facet, *([second] if second else [])]))]

    faceted = await client.get("/v1/stats", params=params)
    table = await client.get("/v1/stats", params=[*params, EVERYTHING_SINCE])

    assert faceted.status_code == 200, faceted.text
    assert table.status_code == 200, table.text
    assert faceted.json()["groups"]
    assert faceted.json() == table.json()


@pytest.mark.usefixtures("corpus")
@pytest.mark.parametrize("name", [dimension.value for dimension in Dimension])
async def test_each_group_by_name_counts_as_the_list(client: httpx.AsyncClient, name: str) -> None:
    items = await listed(client, [])

    response = await client.get("/v1/stats", params={"group_by": name})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(items)
    assert groups_of(body, [name]) == expected_groups(items, [name])


@pytest.mark.usefixtures("corpus")
async def test_three_names_with_a_list_facet_count_as_the_list(client: httpx.AsyncClient) -> None:
    names = ["mechanism", "theme", "hrd"]
    items = await listed(client, [("state", "TUN")])

    response = await client.get(
        "/v1/stats", params=[("state", "TUN"), ("group_by", ",".join(names))]
    )

    body = response.json()
    assert body["total"] == len(items)
    assert groups_of(body, names) == expected_groups(items, names)


@pytest.mark.usefixtures("corpus")
async def test_repeated_group_by_is_the_same_as_commas(client: httpx.AsyncClient) -> None:
    repeated = await client.get("/v1/stats", params=[("group_by", "body"), ("group_by", "year")])
    commas = await client.get("/v1/stats", params={"group_by": "body,year"})

    assert repeated.status_code == 200
    assert repeated.json() == commas.json()
    assert list(repeated.json()["groups"][0]) == ["body", "body_label", "year", "count"]


@pytest.mark.usefixtures("corpus")
async def test_a_recommendation_counts_under_each_of_its_themes(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/stats", params={"group_by": "theme", "state": "TUN"})

    body = response.json()
    # TUN: UPR 1 has two themes, 2 and 3 one each, CCPR 12 one, CCPR 13 none.
    assert body["total"] == 5
    assert [(group["theme"], group["count"]) for group in body["groups"]] == [
        ("Freedom of expression", 2),
        ("Freedom of association", 1),
        ("Human rights defenders", 1),
        ("Women's rights", 1),
        (None, 1),
    ]


@pytest.mark.usefixtures("corpus")
async def test_missing_values_form_the_null_group_and_sort_last(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/stats", params={"group_by": "year,cycle"})

    assert response.json()["groups"] == [
        {"year": 2017, "cycle": 4, "count": 3},
        {"year": 2020, "cycle": None, "count": 2},
        {"year": 2023, "cycle": 4, "count": 1},
        {"year": None, "cycle": None, "count": 1},
    ]


@pytest.mark.usefixtures("corpus")
async def test_groups_sort_by_count_then_values(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/stats", params={"group_by": "mechanism,state"})

    assert response.json() == {
        "total": 7,
        "groups": [
            {
                "mechanism": "upr",
                "mechanism_label": "Universal Periodic Review",
                "state": "TUN",
                "state_label": "Tunisia",
                "count": 3,
            },
            {
                "mechanism": "treaty_body",
                "mechanism_label": "Treaty bodies",
                "state": "TUN",
                "state_label": "Tunisia",
                "count": 2,
            },
            {
                "mechanism": "special_procedure",
                "mechanism_label": "Special procedures",
                "state": "MAR",
                "state_label": "Morocco",
                "count": 1,
            },
            {
                "mechanism": "upr",
                "mechanism_label": "Universal Periodic Review",
                "state": "MAR",
                "state_label": "Morocco",
                "count": 1,
            },
        ],
    }


@pytest.mark.usefixtures("corpus")
async def test_response_has_the_documented_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/stats", params={"group_by": "hrd,position,sdg"})

    StatsRead.model_validate(response.json())


async def test_no_recommendation_counts_zero(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/stats", params={"group_by": "state", "state": "ISL"})

    assert response.json() == {"total": 0, "groups": []}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"group_by": ""},
        {"group_by": "colour"},
        {"group_by": "state,state"},
        {"group_by": "state,status,body,year"},
        {"group_by": "state,"},
    ],
    ids=["missing", "empty", "unknown", "repeated", "four", "trailing-comma"],
)
async def test_bad_group_by_is_422_naming_it(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/v1/stats", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {error["name"] for error in response.json()["errors"]} == {"group_by"}


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"group_by": "state", "colour": "blue"}, "colour"),
        ({"group_by": "state", "hrd": "maybe"}, "hrd"),
        ({"group_by": "state", "year_from": "2020", "year_to": "2019"}, "year_to"),
    ],
)
async def test_bad_filter_is_422_naming_it(
    client: httpx.AsyncClient, params: dict[str, str], name: str
) -> None:
    response = await client.get("/v1/stats", params=params)

    assert response.status_code == 422
    assert [error["name"] for error in response.json()["errors"]] == [name]


@pytest.mark.usefixtures("corpus")
async def test_etag_answers_304_until_the_counts_change(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    params = {"group_by": "state,status"}
    first = await client.get("/v1/stats", params=params)
    etag = first.headers["etag"]

    again = await client.get("/v1/stats", params=params, headers={"If-None-Match": etag})
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    await factories.recommendation(session, doc, "99")
    changed = await client.get("/v1/stats", params=params, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_operation_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/v1/stats"]["get"]

    assert operation["operationId"] == "getStats"
    assert "each of its values" in operation["description"]
    assert "422" in operation["responses"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"group_by", "state", "mechanism", "theme", "hrd", "q"} <= parameters


async def test_source_format_filter_counts_as_the_list_and_reads_the_table(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "TEST/A/HRC/52/10")
    for paragraph, source_format in (
        ("1", SourceFormat.SAMPLE),
        ("2", SourceFormat.UPR_INFO),
        ("3", SourceFormat.UHRI),
    ):
        rec = await factories.recommendation(session, doc, paragraph)
        rec.source_format = source_format
    await session.flush()

    for formats, expected in ((["sample"], 1), (["upr_info", "uhri"], 2), (["un_text"], 0)):
        filters: Params = [("source_format", f) for f in formats]
        items = await listed(client, filters)
        # No summary holds the source format: inflating both must not change the answer.
        before, after = await _stats_with_summary_inflated(
            client, session, [*filters, ("group_by", "state,status")]
        )
        assert after == before, formats
        assert before["total"] == len(items) == expected, formats
        assert {item["source_format"] for item in items} <= set(formats)
    grouped = await client.get("/v1/stats", params={"group_by": "source_format"})
    assert grouped.json()["groups"] == [
        {"source_format": "sample", "count": 1},
        {"source_format": "uhri", "count": 1},
        {"source_format": "upr_info", "count": 1},
    ]
    bogus = await client.get("/v1/stats", params={"group_by": "state", "source_format": "bogus"})
    assert bogus.status_code == 422
    assert [error["name"] for error in bogus.json()["errors"]] == ["source_format"]
