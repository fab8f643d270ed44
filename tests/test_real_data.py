"""The real UPR Info exports, whole: they load, re-spelt they load the same, and they answer."""

import asyncio
import csv
import io
import json
import unicodedata
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from importers.encoding import decode_source
from models import Recommendation
from suivi.countries import display_name, to_alpha3
from suivi.services.import_flow import run_import
from suivi.services.import_report import ImportReport
from tests.app_client import api_client
from tests.commands import run_suivi
from tests.paths import UPR_INFO_REAL, UPR_INFO_REAL_FILES
from tests.real_data import require


async def _import(session: AsyncSession, content: bytes, name: str) -> ImportReport:
    return await run_import(session, stream=io.BytesIO(content), name=name, actor="test")


def _read_bytes(path: Path) -> bytes:
    return require(path).read_bytes()


@pytest.mark.parametrize("path", UPR_INFO_REAL_FILES, ids=lambda path: path.name)
async def test_real_file_imports_whole_with_plain_import(
    path: Path, empty_database_url: str
) -> None:
    source = str(require(path))

    first = await asyncio.to_thread(
        run_suivi, "import", source, "--json", database_url=empty_database_url
    )
    again = await asyncio.to_thread(
        run_suivi, "import", source, "--json", database_url=empty_database_url
    )

    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["rejected"] == 0
    assert report["created"] > 5000
    assert again.returncode == 0, again.stderr
    repeated = json.loads(again.stdout)
    assert (repeated["created"], repeated["updated"]) == (0, 0)
    assert repeated["unchanged"] == report["created"]


# Other sources' conventions for the same names, applied in turn to each State a file names.
def _world_bank(name: str) -> str:
    for head in ("Republic of ", "Kingdom of ", "State of "):
        if name.startswith(head):
            return f"{name[len(head) :]}, {head.split()[0]}"
    return name


def _spelt_otherwise(code: str, turn: int) -> str:
    english = display_name(code, "en")
    forms = [
        display_name(code, "fr"),
        display_name(code, "es"),
        display_name(code, "ar"),
        english.upper(),
        english.replace("'", "\u2019").replace(" and ", " & ").replace("Saint ", "St. "),
        "".join(
            ch
            for ch in unicodedata.normalize("NFKD", english.replace("-", " "))
            if not unicodedata.combining(ch)
        ),
        _world_bank(english),
    ]
    return forms[turn % len(forms)]


def _respelt(content: bytes) -> bytes:
    text = decode_source(content).text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    codes: dict[str, str | None] = {}
    spelt: dict[str, str] = {}
    for row in rows[1:]:
        for column in (0, 4):  # To, From
            name = row[column]
            if name not in codes:
                codes[name] = to_alpha3(name)
            code = codes[name]
            if code is None:  # "(Unknown)": no State at all
                continue
            spelt.setdefault(name, _spelt_otherwise(code, len(spelt)))
            row[column] = spelt[name]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


async def _per_state(session: AsyncSession) -> Counter[str]:
    rows = await session.execute(
        select(Recommendation.state_code, func.count()).group_by(Recommendation.state_code)
    )
    return Counter(dict(rows.all()))


async def test_real_file_respelt_by_other_conventions_loads_the_same(session: AsyncSession) -> None:
    content = _read_bytes(UPR_INFO_REAL_FILES[1])
    original = await _import(session, content, "real.csv")
    counts = await _per_state(session)

    respelt = await _import(session, _respelt(content), "respelt.csv")

    assert respelt.rejected == 0, respelt.as_dict()["errors"][:5]
    # Every name resolved to the same State: every row is the same recommendation again.
    assert (respelt.created, respelt.updated) == (0, 0)
    assert respelt.unchanged == original.created
    assert await _per_state(session) == counts


async def test_tunisia_real_recommendations_are_dated_and_followed_up(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    await _import(session, _read_bytes(UPR_INFO_REAL), "real.csv")
    total = await session.scalar(
        select(func.count()).select_from(Recommendation).where(Recommendation.state_code == "TUN")
    )
    assert total

    listed = await client.get("/v1/recommendations", params={"state": "TUN", "limit": 500})
    in_2008 = await client.get(
        "/v1/recommendations",
        params={"state": "TUN", "year_from": 2008, "year_to": 2008, "limit": 500},
    )
    scorecard = await client.get("/v1/states/TUN/scorecard")
    deadlines = await client.get("/v1/deadlines", params={"state": "TUN"})

    items = listed.json()["items"]
    assert len(items) == total
    assert {(item["session"], item["cycle"], item["date"]) for item in items} == {
        (1, 1, "2008-04-07")
    }
    assert {item["document_symbol"] for item in items} == {"UPR/WG/1/TUN"}
    assert len(in_2008.json()["items"]) == total
    assert 2008 in {year["year"] for year in scorecard.json()["trend"]}
    kinds = {item["kind"] for item in deadlines.json()["items"]}
    assert {"upr_review", "upr_mid_term_report"} <= kinds


async def _answers(url: str) -> dict[str, object]:
    """What the public sees through the API of the database at `url`."""
    paths = {
        "sample": "/v1/recommendations?source_format=sample",
        "stats": "/v1/stats?group_by=source_format",
        "documents": "/v1/documents?limit=500",
        "actions": "/v1/actions",
        "export": "/v1/exports/recommendations.csv?state=TUN",
    }
    answers: dict[str, object] = {}
    async with api_client(url) as client:
        for name, path in paths.items():
            response = await client.get(path)
            assert response.status_code == 200, (path, response.text)
            answers[name] = response.text if name == "export" else response.json()
    return answers


async def test_sample_removed_after_a_real_import_leaves_only_real_answers(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    real = str(require(UPR_INFO_REAL))
    for args in (("demo",), ("import", real), ("demo", "--remove")):
        result = await asyncio.to_thread(run_suivi, *args, database_url=url)
        assert result.returncode == 0, (args, result.stderr)

    answers = await _answers(url)
    verify = await asyncio.to_thread(run_suivi, "audit", "verify", database_url=url)

    assert answers["sample"] == {"items": [], "next_cursor": None}
    stats = answers["stats"]
    assert isinstance(stats, dict)
    assert [group["source_format"] for group in stats["groups"]] == ["upr_info"]
    documents = answers["documents"]
    assert isinstance(documents, dict)
    assert not [d for d in documents["items"] if d["symbol"].startswith("SAMPLE/")]
    assert answers["actions"] == {"items": [], "next_cursor": None}
    assert "sample" not in str(answers["export"]).lower()
    assert verify.returncode == 0, verify.stdout + verify.stderr
