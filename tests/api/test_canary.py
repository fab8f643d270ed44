"""Canary: a confidential submitter's name and unpublished narratives leak through no GET.

Confidential submissions carry unique marker strings in their organisation's name and narrative.
Every GET operation of the OpenAPI document is called, for every object of the world, as the
public, a focal point and another submitter; no marker may appear in a response body, a response
header or a log line.
"""

import itertools
import re

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from api import pages
from api.pages import i18n
from tests.world import World, build_world

ORGANISATION_MARKER = "CANARY-ORG-5d1e8a"
NARRATIVE_MARKER = "CANARY-NARRATIVE-93b7c2"
OUTSIDERS = ("public", "focal_point", "submitter_a")

# The stream never ends; it sends exactly the items of `/v1/changes`, which is probed.
ENDLESS = frozenset({"/v1/changes/stream"})

# Extra queries that could surface an update or an organisation by search or filter.
EXTRA_QUERIES = (
    f"/v1/recommendations?q={NARRATIVE_MARKER}",
    f"/v1/recommendations?q={ORGANISATION_MARKER}",
    "/v1/updates?review_state=submitted",
    "/v1/updates?review_state=published",
    "/v1/updates?review_state=rejected",
    "/v1/deadlines?within=3650",
)


def _path_values(world: World) -> dict[str, list[str]]:
    """Every value each path parameter can take in the world: all updates, both actions..."""
    ids = world.ids
    updates = [str(ids[name]) for name in ids if str(name).startswith("update_")]
    return {
        "recommendation_id": [str(ids["recommendation"])],
        "cluster_id": [str(ids["cluster"])],
        "action_id": [str(ids["action_a"]), str(ids["action_b"])],
        "update_id": [*updates, str(ids["action_update"])],
        "institution_id": [str(ids["institution_a"]), str(ids["institution_b"])],
        "organisation_id": [str(ids["organisation_a"]), str(ids["organisation_b"])],
        "indicator_id": [str(ids["indicator"])],
        "grade_id": [str(ids["grade"])],
        "code": ["TUN"],
        "symbol": [str(ids["document"])],
        "import_id": ["1"],
        "prefix": [world.keys["submitter_b"].split("_")[1]],
    }


def _urls(spec: dict[str, object], world: World) -> list[str]:
    values = _path_values(world)
    urls: list[str] = []
    paths = spec["paths"]
    assert isinstance(paths, dict)
    for template, item in paths.items():
        if "get" not in item or template in ENDLESS:
            continue
        names = re.findall(r"{(\w+)}", template)
        missing = [name for name in names if name not in values]
        assert not missing, f"the canary does not know how to fill {missing} in {template}"
        for combination in itertools.product(*(values[name] for name in names)):
            url = template
            for name, value in zip(names, combination, strict=True):
                url = url.replace("{" + name + "}", value)
            urls.append(url)
    return [*urls, *EXTRA_QUERIES]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(
        session,
        organisation_b=f"Collectif {ORGANISATION_MARKER}",
        narrative_b=f"Defender summoned in Sfax {NARRATIVE_MARKER}.",
    )


async def test_markers_never_reach_outsiders(
    client: httpx.AsyncClient, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (await client.get("/openapi.json")).json()
    markers = (ORGANISATION_MARKER, NARRATIVE_MARKER, world.keys["submitter_b"].split("_")[1])
    urls = _urls(spec, world)
    answered = 0
    for role in OUTSIDERS:
        for url in urls:
            response = await client.get(url, headers=world.headers(role))
            assert response.status_code < 500, (role, url, response.text)
            answered += response.status_code == 200
            for marker in markers:
                assert marker not in response.text, (role, url, marker)
                assert marker not in str(response.headers), (role, url, marker)
    logged = capsys.readouterr()
    for marker in markers:
        assert marker not in logged.err
        assert marker not in logged.out
    # The canary is only worth something if the outsiders were really answered.
    assert answered > len(urls)


async def test_the_markers_are_there_to_be_found(client: httpx.AsyncClient, world: World) -> None:
    """Staff and the submitting organisation do see them: the canary's probes can detect a leak."""
    update_id = world.ids["update_b_submitted"]
    for role in ("staff", "submitter_b"):
        response = await client.get(f"/v1/updates/{update_id}", headers=world.headers(role))
        assert response.status_code == 200
        assert NARRATIVE_MARKER in response.text
    staff_view = await client.get(f"/v1/updates/{update_id}", headers=world.headers("staff"))
    assert ORGANISATION_MARKER in staff_view.text


# Every chart a page offers for download, overview's and a State's.
CHART_NAMES = ("mechanisms", "status", "defenders", "positions", "trend")
PAGE_LANGUAGES = i18n.LANGUAGES


def _page_urls(world: World) -> list[str]:
    """Every page, in every language, with every value its path can take in the world."""
    values = {
        **_path_values(world),
        "name": list(CHART_NAMES),
        "recommendation_id": [str(world.ids["recommendation"])],
    }
    urls: list[str] = []
    for route in pages.router.routes:
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or set()):
            continue
        if route.path.startswith("/docs/assets"):  # a fixed set of vendored files
            continue
        names = re.findall(r"{(\w+)}", route.path)
        for combination in itertools.product(*(values[name] for name in names)):
            url = route.path
            for name, value in zip(names, combination, strict=True):
                url = url.replace("{" + name + "}", value)
            urls.append(url)
    # Words of the confidential narrative and organisation, not the markers: a search page
    # rightly shows back what it was asked.
    searches = [
        "/recommendations?q=Sfax",
        "/recommendations?q=Collectif",
        "/recommendations?state=TUN&hrd=any",
    ]
    return [
        f"{url}{'&' if '?' in url else '?'}lang={language}"
        for url in [*urls, *searches]
        for language in PAGE_LANGUAGES
    ]


async def test_markers_never_reach_a_page(
    client: httpx.AsyncClient, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    markers = (ORGANISATION_MARKER, NARRATIVE_MARKER, world.keys["submitter_b"].split("_")[1])
    urls = _page_urls(world)
    answered = 0
    for role in OUTSIDERS:
        for url in urls:
            response = await client.get(url, headers=world.headers(role))
            assert response.status_code < 500, (role, url, response.text[:500])
            answered += response.status_code == 200
            for marker in markers:
                assert marker not in response.text, (role, url, marker)
                assert marker not in str(response.headers), (role, url, marker)
    logged = capsys.readouterr()
    for marker in markers:
        assert marker not in logged.err
        assert marker not in logged.out
    assert answered > len(urls)
