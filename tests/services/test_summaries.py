"""Checking the statistics summaries against the recommendations, and rebuilding them."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, Recommendation
from models.enums import Position
from suivi.services import summaries
from tests import factories
from tests.services.test_facet_counts import exact_counts as exact_facet_counts
from tests.services.test_recommendation_counts import exact_counts

NO_DRIFT = {"recommendation_counts": 0, "recommendation_facet_counts": 0}
# The keys of `recs`: two UPR scalar keys and the CCPR one; five UPR facet keys (two themes,
# three empty lists) and the CCPR's four empty lists.
KEYS = {"recommendation_counts": 3, "recommendation_facet_counts": 9}


async def _recs(session: AsyncSession) -> list[Recommendation]:
    upr = await factories.document(session, "TEST/A/HRC/52/10")
    ccpr = await factories.document(
        session,
        "TEST/CCPR/C/MAR/CO/7",
        body_code="CCPR",
        state="MAR",
        published=None,
        cycle=None,
    )
    return [
        await factories.recommendation(
            session, upr, "1", position=Position.SUPPORTED, themes=["Civil society", "Torture"]
        ),
        await factories.recommendation(session, upr, "2", themes=["Torture", "Torture"]),
        await factories.recommendation(session, ccpr, "12"),
    ]


@pytest.fixture
async def recs(session: AsyncSession) -> list[Recommendation]:
    """Two UPR recommendations of Tunisia with themes, one repeating a value, and an undated
    treaty body's of Morocco with empty lists and no cycle."""
    return await _recs(session)


async def _corrupt(session: AsyncSession, recs: list[Recommendation]) -> None:
    """Drift each summary as a restore with triggers off would: two keys of the scalar one
    (a lost row, a bogus key), four of the facet one (a lost row, a count off by one, and a
    null value's row moved to '', which is another key), and a key split in rows that still
    sum right."""
    upr, ccpr = recs[0].body_id, recs[2].body_id
    statements = [
        "DELETE FROM recommendation_counts WHERE state_code = 'MAR'",
        "INSERT INTO recommendation_counts (state_code, body_id, status, hrd_relevance, count)"
        f" VALUES ('TUN', {upr}, 'implemented', 'direct', 5)",
        "INSERT INTO recommendation_counts"
        " (state_code, body_id, status, hrd_relevance, position, cycle, session, year, count)"
        " SELECT state_code, body_id, status, hrd_relevance, position, cycle, session, year, v"
        " FROM recommendation_counts, (VALUES (1), (-1)) AS s (v) WHERE position = 'supported'",
        "DELETE FROM recommendation_facet_counts WHERE value = 'Torture'",
        "UPDATE recommendation_facet_counts SET value = ''"
        f" WHERE facet = 'affected' AND body_id = {upr}",
        "UPDATE recommendation_facet_counts SET count = count + 1"
        f" WHERE facet = 'sdg' AND body_id = {ccpr}",
    ]
    for statement in statements:
        await session.execute(text(statement))


async def test_check_finds_no_drift_in_summaries_the_triggers_kept(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    assert await summaries.check(session) == NO_DRIFT


async def test_check_counts_each_key_that_drifted(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    await _corrupt(session, recs)

    assert await summaries.check(session) == {
        "recommendation_counts": 2,
        "recommendation_facet_counts": 4,
    }


async def test_check_finds_rows_written_with_triggers_off(session: AsyncSession) -> None:
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await _recs(session)
    await session.execute(text("SET LOCAL session_replication_role = origin"))

    assert await summaries.check(session) == KEYS


async def test_rebuild_repairs_the_drift(session: AsyncSession, recs: list[Recommendation]) -> None:
    await _corrupt(session, recs)

    written = await summaries.rebuild(session)

    assert written == KEYS
    assert await summaries.check(session) == NO_DRIFT
    # One row per key, each equal to the statistics' own grouping of the table.
    assert len(await exact_counts(session)) == KEYS["recommendation_counts"]
    assert len(await exact_facet_counts(session)) == KEYS["recommendation_facet_counts"]


async def test_rebuild_counts_rows_written_with_triggers_off(session: AsyncSession) -> None:
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await _recs(session)
    await session.execute(text("SET LOCAL session_replication_role = origin"))

    assert await summaries.rebuild(session) == KEYS
    assert await summaries.check(session) == NO_DRIFT


async def test_triggers_count_on_from_a_rebuilt_summary(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    await _corrupt(session, recs)
    await summaries.rebuild(session)

    recs[1].themes = ["Civil society"]
    await session.delete(recs[2])
    await session.flush()

    assert await summaries.check(session) == NO_DRIFT
    assert (await exact_facet_counts(session))[("theme", "Torture", "TUN", recs[0].body_id)] == 1


async def test_rebuild_holds_off_writers_of_recommendations(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    await summaries.rebuild(session)

    modes = await session.scalars(
        text(
            "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid()"
            " AND relation = 'recommendations'::regclass"
        )
    )
    assert "ShareLock" in set(modes)


async def test_rebuild_is_audited_without_an_actor(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    await _corrupt(session, recs)

    await summaries.rebuild(session)

    event = (
        await session.scalars(select(AuditEvent).where(AuditEvent.action == "summaries.rebuilt"))
    ).one()
    assert (event.actor_prefix, event.object_type, event.object_id) == (None, "summaries", None)
    assert event.summary == {
        # The split key's three rows, the other UPR key's and a bogus one (the MAR key's was
        # lost); the eight facet rows left of nine.
        "deleted": {"recommendation_counts": 5, "recommendation_facet_counts": 8},
        "written": KEYS,
    }
