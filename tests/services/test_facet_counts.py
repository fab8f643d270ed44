"""recommendation_facet_counts equals unnesting the recommendations' lists, whatever writes them."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from models import Recommendation
from models.enums import ImplementationStatus
from suivi.db import upgrade_database
from suivi.services.import_flow import run_import
from tests import factories
from tests.paths import FIXTURES

Key = tuple[Any, ...]

# Statistics' own grouping: each distinct value once per recommendation, and null for an
# empty list (the outer join) or a null element. Written apart from the triggers' SQL.
GROUPED = text(
    """
    SELECT f.facet, v.value, r.state_code, r.body_id, count(DISTINCT r.id)
    FROM recommendations AS r
    CROSS JOIN LATERAL (VALUES
        ('theme', r.themes),
        ('affected', r.affected_persons),
        ('sdg', r.sdgs::text[]),
        ('recommending_state', r.recommending_states::text[])
    ) AS f (facet, list)
    LEFT JOIN LATERAL unnest(f.list) AS v (value) ON true
    GROUP BY 1, 2, 3, 4
    """
)
SUMMARY = text("SELECT facet, value, state_code, body_id, count FROM recommendation_facet_counts")
SUMMED = text(
    "SELECT facet, value, state_code, body_id, sum(count) FROM recommendation_facet_counts "
    "GROUP BY 1, 2, 3, 4 HAVING sum(count) <> 0"
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


def _values(counts: dict[Key, int], facet: str) -> dict[str | None, int]:
    """The counts of one facet summed over States and bodies."""
    totals: dict[str | None, int] = {}
    for (kind, value, _, _), count in counts.items():
        if kind == facet:
            totals[value] = totals.get(value, 0) + count
    return totals


@pytest.fixture
async def recs(session: AsyncSession) -> list[Recommendation]:
    """Three UPR recommendations of Tunisia with lists, one of them repeating a value, and a
    treaty body's of Morocco with empty lists."""
    upr = await factories.document(session, "TEST/A/HRC/52/10")
    ccpr = await factories.document(session, "TEST/CCPR/C/MAR/CO/7", body_code="CCPR", state="MAR")
    return [
        await factories.recommendation(
            session,
            upr,
            "1",
            themes=["Civil society", "Torture"],
            affected_persons=["Human rights defenders"],
            sdgs=["16.10"],
            recommending_states=["FRA", "DEU"],
        ),
        await factories.recommendation(
            session, upr, "2", themes=["Torture", "Torture"], recommending_states=["FRA", "FRA"]
        ),
        await factories.recommendation(
            session, upr, "3", themes=["Civil society"], sdgs=["16.10", "5.1"]
        ),
        await factories.recommendation(session, ccpr, "12"),
    ]


async def test_inserts_are_counted_once_per_distinct_value(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    counts = await exact_counts(session)

    upr = recs[0].body_id
    assert counts[("theme", "Torture", "TUN", upr)] == 2
    assert counts[("recommending_state", "FRA", "TUN", upr)] == 2
    assert counts[("sdg", "16.10", "TUN", upr)] == 2
    assert _values(counts, "affected") == {"Human rights defenders": 1, None: 3}


async def test_empty_lists_count_under_null(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    counts = await exact_counts(session)

    ccpr = recs[3].body_id
    for facet in ("theme", "affected", "sdg", "recommending_state"):
        assert counts[(facet, None, "MAR", ccpr)] == 1


async def test_adding_and_removing_values_moves_their_counts(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    recs[0].themes = ["Civil society", "Women"]
    recs[1].recommending_states = ["FRA", "DEU", "BRA"]
    recs[2].sdgs = []
    recs[3].affected_persons = ["Journalists"]

    counts = await exact_counts(session)

    assert _values(counts, "theme") == {"Civil society": 2, "Torture": 1, "Women": 1, None: 1}
    assert _values(counts, "recommending_state") == {"FRA": 2, "DEU": 2, "BRA": 1, None: 2}
    assert _values(counts, "sdg") == {"16.10": 1, None: 3}
    assert _values(counts, "affected") == {"Human rights defenders": 1, "Journalists": 1, None: 2}


async def test_duplicating_or_reordering_a_value_changes_no_count(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    before = await exact_counts(session)
    recs[0].themes = ["Torture", "Civil society", "Torture"]
    recs[1].themes = ["Torture"]
    recs[2].sdgs = ["5.1", "16.10", "5.1"]

    assert await exact_counts(session) == before


async def test_a_null_element_counts_under_null(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    await session.execute(
        text("UPDATE recommendations SET themes = ARRAY['Torture', NULL] WHERE id = :id"),
        {"id": recs[0].id},
    )

    counts = await exact_counts(session)

    assert _values(counts, "theme") == {"Civil society": 1, "Torture": 2, None: 2}


async def test_changing_state_or_body_moves_every_facet(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    ccpr = recs[3].body_id
    recs[0].state_code = "MAR"
    recs[1].body_id = ccpr

    counts = await exact_counts(session)

    assert counts[("affected", "Human rights defenders", "MAR", recs[0].body_id)] == 1
    assert counts[("theme", "Torture", "TUN", ccpr)] == 1
    assert counts[("recommending_state", "FRA", "TUN", ccpr)] == 1
    assert ("affected", "Human rights defenders", "TUN", recs[0].body_id) not in counts


async def test_changing_other_columns_changes_no_count(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    before = await exact_counts(session)
    recs[0].text = "Protect defenders."
    recs[1].status = ImplementationStatus.IN_PROGRESS

    assert await exact_counts(session) == before


async def test_one_statement_moving_rows_both_ways_nets_out(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    # Every row takes the others' values: the statement's deltas cancel for most keys.
    await session.execute(
        update(Recommendation)
        .where(Recommendation.id.in_([rec.id for rec in recs]))
        .values(themes=["Torture"], state_code="TUN", body_id=recs[0].body_id)
    )

    counts = await exact_counts(session)

    assert _values(counts, "theme") == {"Torture": 4}
    assert 0 not in counts.values()


async def test_sql_delete_subtracts(session: AsyncSession, recs: list[Recommendation]) -> None:
    await session.execute(
        text("DELETE FROM recommendations WHERE id = ANY (:ids)"),
        {"ids": [recs[0].id, recs[3].id]},
    )

    counts = await exact_counts(session)

    assert _values(counts, "theme") == {"Civil society": 1, "Torture": 1}
    assert _values(counts, "affected") == {None: 2}


async def test_deleting_every_recommendation_empties_the_summary(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    await session.execute(
        text("DELETE FROM recommendations WHERE id = ANY (:ids)"),
        {"ids": [rec.id for rec in recs]},
    )

    assert await exact_counts(session) == {}


async def test_import_and_reimport_with_changed_themes_are_counted(
    session: AsyncSession, tmp_path: Path
) -> None:
    original = UPR_INFO / "utf8-lf.csv"
    changed = tmp_path / "utf8-lf-changed-issues.csv"
    changed.write_text(
        original.read_text(encoding="utf-8").replace(
            '"Human rights defenders,Civil society"', '"Civil society,Women"'
        ),
        encoding="utf-8",
    )
    themes: list[dict[str | None, int]] = []
    for path in (original, changed):
        with path.open("rb") as stream:
            await run_import(session, stream=stream, name=path.name, actor="test")
        themes.append(_values(await exact_counts(session), "theme"))

    assert themes[0]["Human rights defenders"] == 1
    assert "Human rights defenders" not in themes[1]
    assert themes[1]["Women"] == 1
    assert _values(await exact_counts(session), "recommending_state") == {
        "FRA": 1,
        "CIV": 1,
        "VAT": 1,
    }


async def test_rolled_back_changes_leave_no_count(
    session: AsyncSession, recs: list[Recommendation]
) -> None:
    before = await exact_counts(session)
    savepoint = await session.begin_nested()
    doc = await factories.document(session, "TEST/A/HRC/52/11", state="MAR")
    await factories.recommendation(session, doc, "1", themes=["Women"])
    await session.execute(
        update(Recommendation).where(Recommendation.id == recs[0].id).values(sdgs=["1.1"])
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
    """A UPR recommendation of TUN on torture: every one of them has the same summary keys."""
    await connection.execute(
        text(
            "INSERT INTO recommendations (natural_key, state_code, body_id, language, text, "
            "themes, source_format, content_hash) SELECT :key, 'TUN', id, 'en', "
            "'Prevent torture.', ARRAY['Torture'], 'manual', repeat('0', 64) "
            "FROM bodies WHERE code = 'UPR'"
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
        # The next write merges each key's rows into one.
        summary = _keyed(await first.execute(SUMMARY))
        assert summary == _keyed(await first.execute(GROUPED))
        assert set(summary.values()) == {3}
