"""`suivi demo --remove`, run as a process against a real database."""

import asyncio

from sqlalchemy import text

from suivi.db import create_engine, create_sessionmaker
from suivi.settings import Settings
from tests.app_client import api_client
from tests.commands import run_suivi


async def _recommendations(url: str) -> list[object]:
    """The items of `GET /v1/recommendations`, as the API serves them from `url`."""
    async with api_client(url) as client:
        response = await client.get("/v1/recommendations")
    assert response.status_code == 200, response.text
    items: list[object] = response.json()["items"]
    return items


async def test_demo_remove_takes_the_sample_away_and_can_run_again(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    loaded = await asyncio.to_thread(run_suivi, "demo", database_url=url)
    assert loaded.returncode == 0, loaded.stderr
    assert await _recommendations(url)

    removed = await asyncio.to_thread(run_suivi, "demo", "--remove", database_url=url)

    assert removed.returncode == 0, removed.stderr
    assert "Removed the illustrative sample" in removed.stderr
    assert await _recommendations(url) == []
    again = await asyncio.to_thread(run_suivi, "demo", "--remove", database_url=url)
    assert again.returncode == 0, again.stderr
    assert "The sample is not loaded; nothing to remove." in again.stderr
    for check in (("audit", "verify"), ("summaries", "check")):
        result = await asyncio.to_thread(run_suivi, *check, database_url=url)
        assert result.returncode == 0, result.stdout + result.stderr


async def test_demo_remove_refuses_when_a_real_organisation_reported_on_the_sample(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    loaded = await asyncio.to_thread(run_suivi, "demo", database_url=url)
    assert loaded.returncode == 0, loaded.stderr
    engine = create_engine(url, Settings(database_url=url))
    try:
        async with create_sessionmaker(engine).begin() as session:
            await session.execute(
                text(
                    "INSERT INTO organisations (name, kind) "
                    "VALUES ('Tunisian League for Human Rights', 'civil_society')"
                )
            )
            await session.execute(
                text(
                    """
                    INSERT INTO progress_updates (recommendation_id, source_type,
                        assessed_status, narrative, as_of_date, organisation_id, confidentiality)
                    SELECT (SELECT min(id) FROM recommendations WHERE source_format = 'sample'),
                        'civil_society', 'in_progress', 'A real report.', DATE '2025-01-01',
                        id, 'public'
                    FROM organisations WHERE name = 'Tunisian League for Human Rights'
                    """
                )
            )
    finally:
        await engine.dispose()

    refused = await asyncio.to_thread(run_suivi, "demo", "--remove", database_url=url)

    assert refused.returncode == 1
    assert "1 progress update" in refused.stderr
    assert "nothing was removed" in refused.stderr
    assert await _recommendations(url)
