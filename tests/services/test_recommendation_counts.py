"""recommendation_counts equals grouping the recommendations, whatever writes them and how."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from models import Recommendation
from models.enums import HrdRelevance, ImplementationStatus, Position, ReviewState, Role
from suivi.db import upgrade_database
from suivi.services import status
from suivi.services.import_flow import run_import
from tests import factories
from tests.paths import FIXTURES

Key = tuple[Any, ...]

KEY = "state_code, body_id, status, hrd_relevance, position, cycle, session"
GROUPED = text(
    f"SELECT {KEY}, EXTRACT(YEAR FROM issued_date)::smallint, count(*) "
    f"FROM recommendations GROUP BY {KEY}, 8"
)
SUMMARY = text(f"SELECT {KEY}, year, count FROM recommendation_counts")
SUMMED = text(
    f"SELECT {KEY}, year, sum(count) FROM recommendation_counts GROUP BY {KEY}, year "
    "HAVING sum(count) <> 0"
)
UPR_INFO = FIXTURES / "upr_info"


def _keyed(rows: Any) -> dict[Key, int]:
    counts: dict[Key, int] = {}
    for *key, count in rows:
        assert tuple(key) not in counts, f"two summary rows for {key}"
        counts[tuple(key)] = count
    return counts


async def exact_counts(session: AsyncSession) -> dict[Key, int]:
    """The summary, after checking it against the table: the same count for every key, in
    one row per key (no other transaction holds any), never a zero."""
    await session.flush()
    summary = _keyed(await session.execute(SUMMARY))
    assert summary == _keyed(await session.execute(GROUPED))
    return summary


@pytest.fixture
async def recs(session: AsyncSession) -> list[Recommendation]:
    """Four recommendations: two of one UPR key, a treaty body's, an undated rapporteur's."""
    upr = await factories.document(session, "TEST/A/HRC/52/10")
    ccpr = await factories.document(
        session, "TEST/CCPR/C/TUN/CO/6", body_code="CCPR", cycle=None, session_number=128
    )
    sr = await factories.document(
        session, "TEST/A/HRC/40/60/Add.1", body_code="SR-HRD", state="MAR", published=None
    )
    return [
        await factories.recommendation(session, upr, "1", position=Position.SUPPORTED),
        await factories.recommendation(session, upr, "2", position=Position.SUPPORTED),
        await factories.recommendation(session, ccpr, "12", hrd=HrdRelevance.DIRECT),
        await factories.recommendation(session, sr, "a", hrd=HrdRelevance.RELATED),
    ]


async def test_inserts_are_counted(session: AsyncSession, recs: list[Recommendation]) -> None:
    counts = await exact_counts(session)

    upr_key = ("TUN", recs[0].body_id, "not_assessed", "none", "supported", 4, 41, 2022)
    assert counts[upr_key] == 2
    assert sum(counts.values()) == len(recs)


async def test_changing_a_key_column_moves_the_count(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    before = await exact_counts(session)
    recs[0].position = Position.NOTED
    recs[1].hrd_relevance = HrdRelevance.DIRECT
    recs[2].issued_date = date(2021, 1, 1)
    recs[3].cycle = 3

    after = await exact_counts(session)

    assert after != before
    assert sum(after.values()) == len(recs)


async def test_a_key_whose_last_row_leaves_is_deleted(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    recs[2].position = Position.PLEDGE

    counts = await exact_counts(session)

    old_key = ("TUN", recs[2].body_id, "not_assessed", "direct", None, None, 128, 2022)
    assert old_key not in counts
    assert 0 not in counts.values()


async def test_changing_other_columns_changes_no_count(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    before = await exact_counts(session)
    recs[0].text = "Protect defenders."
    recs[1].themes = ["Human rights defenders"]

    assert await exact_counts(session) == before


async def test_one_statement_moving_rows_both_ways_nets_out(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    await session.execute(
        update(Recommendation)
        .where(Recommendation.id.in_([rec.id for rec in recs]))
        .values(
            position=None,
            status=ImplementationStatus.IN_PROGRESS,
            issued_date=None,
        )
    )

    counts = await exact_counts(session)

    assert sum(counts.values()) == len(recs)


async def test_publishing_an_update_moves_the_status_count(
    session: AsyncSession, client: httpx.AsyncClient, recs: list[Recommendation]
) -> None:
    staff = factories.bearer(await factories.api_key(session, Role.STAFF))
    submitted = await factories.progress_update(
        session,
        recommendation_id=recs[0].id,
        assessed_status=ImplementationStatus.PARTIALLY_IMPLEMENTED,
    )

    response = await client.post(f"/v1/updates/{submitted.id}/publish", headers=staff)

    assert response.status_code == 200, response.text
    counts = await exact_counts(session)
    new_key = ("TUN", recs[0].body_id, "partially_implemented", "none", "supported", 4, 41, 2022)
    assert counts[new_key] == 1


async def test_status_recompute_of_many_rows_is_counted(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    for rec in recs:
        await factories.progress_update(
            session,
            recommendation_id=rec.id,
            assessed_status=ImplementationStatus.IMPLEMENTED,
            review_state=ReviewState.PUBLISHED,
        )

    await status.recompute(session, recommendation_ids=[rec.id for rec in recs])

    counts = await exact_counts(session)
    assert {key[2] for key in counts} == {"implemented"}


async def test_sql_delete_subtracts(session: AsyncSession, recs: list[Recommendation]) -> None:
    await session.execute(
        text("DELETE FROM recommendations WHERE id = ANY (:ids)"),
        {
            "ids": [
                recs[0].id,
                recs[3].id,
            ]
        },
    )

    counts = await exact_counts(session)

    assert sum(counts.values()) == len(recs) - 2


async def test_import_and_changed_reimport_are_counted(session: AsyncSession) -> None:
    for name in ("utf8-lf.csv", "utf8-lf-changed-response.csv"):
        with (UPR_INFO / name).open("rb") as stream:
            await run_import(session, stream=stream, name=name, actor="test")
        counts = await exact_counts(session)
        assert sum(counts.values()) == 3
    assert {key[4] for key in counts} >= {"noted"}


async def test_rolled_back_changes_leave_no_count(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    before = await exact_counts(session)
    savepoint = await session.begin_nested()
    doc = await factories.document(session, "TEST/A/HRC/52/11", state="MAR")
    await factories.recommendation(session, doc, "1")
    await session.execute(
        update(Recommendation)
        .where(Recommendation.id == recs[0].id)
        .values(status=ImplementationStatus.REGRESSED)
    )
    await session.execute(text("DELETE FROM recommendations WHERE id = :id"), {"id": recs[1].id})
    await exact_counts(session)

    await savepoint.rollback()

    assert await exact_counts(session) == before


@pytest.fixture
async def committing_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database of its own, whose transactions really commit."""
    await asyncio.to_thread(upgrade_database, empty_database_url)
    engine = create_async_engine(empty_database_url)
    yield engine
    await engine.dispose()


async def _add(connection: AsyncConnection, natural_key: str) -> None:
    """A UPR recommendation of TUN, undated: every one of them has the same summary key."""
    await connection.execute(
        text(
            "INSERT INTO recommendations (natural_key, state_code, body_id, language, text, "
            "source_format, content_hash) SELECT :key, 'TUN', id, 'en', 'Protect defenders.', "
            "'manual', repeat('0', 64) FROM bodies WHERE code = 'UPR'"
        ),
        {"key": natural_key},
    )


async def test_concurrent_writers_of_one_key_never_wait_and_both_count(
    committing_engine: AsyncEngine,
) -> None:
    async with committing_engine.connect() as first, committing_engine.connect() as second:
        await first.begin()
        await _add(first, "concurrent:1")
        await second.begin()
        # Neither waits for the other, whatever the order of their commits.
        await asyncio.wait_for(_add(second, "concurrent:2"), timeout=5)
        await second.commit()
        await first.commit()
        await first.begin()
        await first.execute(text("DELETE FROM recommendations WHERE natural_key = 'concurrent:1'"))
        await second.begin()
        await asyncio.wait_for(_add(second, "concurrent:3"), timeout=5)
        await first.commit()
        await second.commit()

        # Each saw the other's uncommitted rows as locked or invisible and left them apart.
        assert _keyed(await first.execute(SUMMED)) == _keyed(await first.execute(GROUPED))
        await _add(first, "concurrent:4")
        # The next write merges the key's rows into one.
        summary = _keyed(await first.execute(SUMMARY))
        assert summary == _keyed(await first.execute(GROUPED))
        assert list(summary.values()) == [3]
