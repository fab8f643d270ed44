"""`suivi summaries check` and `suivi summaries rebuild` as an operator runs them."""

import asyncio
import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from suivi.db import upgrade_database
from tests.commands import run_suivi

INSERT = (
    "INSERT INTO recommendations (natural_key, state_code, body_id, language, text, "
    "source_format, content_hash, cycle, session, issued_date, hrd_relevance, status, themes) "
    "SELECT 'test:' || n, 'TUN', id, 'en', 'Protect defenders.', 'manual', repeat('0', 64), "
    "4, 41, DATE '2022-11-10', 'direct', 'not_assessed', ARRAY['Civil society'] "
    "FROM bodies, generate_series(1, 2) AS n WHERE code = 'UPR'"
)


async def _execute(url: str, *statements: str) -> list[int]:
    """Run `statements` in one transaction; the first column of each one's first row, if any."""
    engine = create_async_engine(url)
    firsts: list[int] = []
    try:
        async with engine.begin() as connection:
            for statement in statements:
                result = await connection.execute(text(statement))
                if result.returns_rows:
                    firsts.append(result.scalar_one())
    finally:
        await engine.dispose()
    return firsts


async def test_check_exits_1_on_drift_and_rebuild_repairs_it(empty_database_url: str) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url)
    await _execute(url, INSERT)

    def suivi(*args: str) -> tuple[int, str, str]:
        done = run_suivi(*args, database_url=url)
        return done.returncode, done.stdout, done.stderr

    code, _, err = await asyncio.to_thread(suivi, "summaries", "check")
    assert code == 0, err
    assert "match" in err

    await _execute(
        url,
        "DELETE FROM recommendation_counts",
        "UPDATE recommendation_facet_counts SET count = 7 WHERE value = 'Civil society'",
        "INSERT INTO recommendation_facet_counts (facet, value, state_code, body_id, count)"
        " SELECT 'theme', 'Torture', 'TUN', id, 1 FROM bodies WHERE code = 'UPR'",
    )
    code, out, err = await asyncio.to_thread(suivi, "summaries", "check")
    assert code == 1
    assert "drifted" in err
    assert "recommendation_facet_counts" in out
    code, out, _ = await asyncio.to_thread(suivi, "summaries", "check", "--json")
    assert code == 1
    assert json.loads(out) == {"recommendation_counts": 1, "recommendation_facet_counts": 2}

    code, out, err = await asyncio.to_thread(suivi, "summaries", "rebuild", "--json")
    assert code == 0, err
    # One scalar key; the theme and three empty lists of one State and body.
    assert json.loads(out) == {"recommendation_counts": 1, "recommendation_facet_counts": 4}

    code, _, err = await asyncio.to_thread(suivi, "summaries", "check")
    assert code == 0, err
    assert await _execute(
        url, "SELECT count(*) FROM audit_events WHERE action = 'summaries.rebuilt'"
    ) == [1]
    assert (await asyncio.to_thread(suivi, "audit", "verify"))[0] == 0
