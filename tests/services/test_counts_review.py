"""recommendation_counts under concurrent writers and TRUNCATE, and statistics read from it
answering exactly what the table answers."""

import asyncio
import itertools
import random
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from models.enums import HrdRelevance, ImplementationStatus, MechanismCode, Position
from suivi.db import upgrade_database
from suivi.reads import Reads
from suivi.services import stats
from suivi.services.recommendations import HrdFilter, RecommendationFilters
from suivi.services.stats import Dimension

Key = tuple[Any, ...]

KEY = "state_code, body_id, status, hrd_relevance, position, cycle, session"
GROUPED = text(
    f"SELECT {KEY}, EXTRACT(YEAR FROM issued_date)::smallint, count(*) "
    f"FROM recommendations GROUP BY {KEY}, 8"
)
SUMMED = text(
    f"SELECT {KEY}, year, sum(count) FROM recommendation_counts GROUP BY {KEY}, year "
    "HAVING sum(count) <> 0"
)
INSERT = text(
    "INSERT INTO recommendations (natural_key, state_code, body_id, language, text, "
    "source_format, content_hash, position, cycle, session, issued_date, hrd_relevance, "
    "status) SELECT :natural_key, :state, id, 'en', 'Protect defenders.', 'manual', "
    "repeat('0', 64), :position, :cycle, :session, :issued, :hrd, :status "
    "FROM bodies WHERE code = :body"
)
STATES = ["TUN", "MAR"]
BODIES = ["UPR", "CCPR", "SR-HRD"]
POSITIONS: list[Position | None] = [None, Position.SUPPORTED, Position.NOTED]
STATUSES = [
    ImplementationStatus.NOT_ASSESSED,
    ImplementationStatus.IN_PROGRESS,
    ImplementationStatus.IMPLEMENTED,
]


def _keyed(rows: Any) -> dict[Key, int]:
    return {tuple(key): count for *key, count in rows}


def _random_row(rng: random.Random, natural_key: str) -> dict[str, Any]:
    """A recommendation's scalar facets, nulls included, from small domains."""
    position = rng.choice(POSITIONS)
    return {
        "natural_key": natural_key,
        "state": rng.choice(STATES),
        "body": rng.choice(BODIES),
        "position": None if position is None else position.value,
        "cycle": rng.choice([None, 3, 4]),
        "session": rng.choice([None, 27, 41]),
        "issued": rng.choice([None, date(2017, 5, 4), date(2022, 11, 10), date(2023, 1, 1)]),
        "hrd": rng.choice(list(HrdRelevance)).value,
        "status": rng.choice(STATUSES).value,
    }


async def test_truncate_cascade_is_refused_so_counts_need_no_truncate_trigger(
    session: AsyncSession,
) -> None:
    """Migration 0008 has no TRUNCATE trigger because no TRUNCATE of recommendations can
    succeed, not even CASCADE (which reaches progress_updates, whose trigger refuses it)."""
    rng = random.Random(1)
    await session.execute(INSERT, _random_row(rng, "truncate:1"))
    savepoint = await session.begin_nested()

    with pytest.raises(IntegrityError, match="TRUNCATE on progress_updates is refused"):
        await session.execute(text("TRUNCATE recommendations CASCADE"))
    await savepoint.rollback()

    assert sum(_keyed(await session.execute(SUMMED)).values()) == 1


@pytest.fixture
async def committing_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database of its own, whose transactions really commit."""
    await asyncio.to_thread(upgrade_database, empty_database_url)
    engine = create_async_engine(empty_database_url)
    yield engine
    await engine.dispose()


async def _step(
    rng: random.Random, connection: AsyncConnection, own: list[str], name: str, n: int
) -> None:
    """One random write on the writer's own rows (rows of others would make it wait on a row
    lock, which is not what is tested): each shares summary keys with the other writers."""
    choice = rng.random()
    if choice < 0.4 or not own:
        key = f"{name}:{n}"
        await connection.execute(INSERT, _random_row(rng, key))
        own.append(key)
    elif choice < 0.6:
        # A key column back and forth, in one statement or in two.
        await connection.execute(
            text(
                "UPDATE recommendations SET position = CASE WHEN position IS NULL "
                "THEN 'noted' ELSE NULL END WHERE natural_key = :k"
            ),
            {"k": rng.choice(own)},
        )
    elif choice < 0.8:
        await connection.execute(
            text(
                "UPDATE recommendations SET status = :s, issued_date = NULL "
                "WHERE natural_key = ANY(:ks)"
            ),
            {"s": rng.choice(STATUSES).value, "ks": rng.sample(own, min(3, len(own)))},
        )
    else:
        key = own.pop(rng.randrange(len(own)))
        await connection.execute(
            text("DELETE FROM recommendations WHERE natural_key = :k"), {"k": key}
        )


@pytest.mark.parametrize("seed", [11, 12, 13])
async def test_counts_equal_grouping_after_interleaved_writers(
    committing_engine: AsyncEngine, seed: int
) -> None:
    """Three writers on shared keys, their statements interleaved at random, each committing
    or rolling back at random; no statement ever waits, and the sums stay exact."""
    rng = random.Random(seed)
    names = ["a", "b", "c"]
    async with (
        committing_engine.connect() as a,
        committing_engine.connect() as b,
        committing_engine.connect() as c,
        committing_engine.connect() as reader,
    ):
        writers = dict(zip(names, (a, b, c), strict=True))
        committed: dict[str, list[str]] = {name: [] for name in names}
        pending: dict[str, list[str]] = {name: [] for name in names}
        for n in range(120):
            name = rng.choice(names)
            connection = writers[name]
            if not connection.in_transaction():
                await connection.begin()
                pending[name] = list(committed[name])
            ending = rng.random()
            if ending < 0.12:
                await connection.commit()
                committed[name] = pending[name]
            elif ending < 0.18:
                await connection.rollback()
            else:
                await asyncio.wait_for(_step(rng, connection, pending[name], name, n), 5)
            if n % 10 == 0:
                assert _keyed(await reader.execute(SUMMED)) == _keyed(await reader.execute(GROUPED))
                await reader.rollback()
        for connection in writers.values():
            if connection.in_transaction():
                await (connection.commit() if rng.random() < 0.5 else connection.rollback())

        assert _keyed(await reader.execute(SUMMED)) == _keyed(await reader.execute(GROUPED))
        zero = await reader.execute(
            text("SELECT count(*) FROM recommendation_counts WHERE count = 0")
        )
        assert zero.scalar_one() == 0


async def test_two_writers_of_one_key_in_either_commit_order(
    committing_engine: AsyncEngine,
) -> None:
    rng = random.Random(5)
    row = _random_row(rng, "")
    async with committing_engine.connect() as first, committing_engine.connect() as second:
        for order, outcome in itertools.product(("first", "second"), ("commit", "rollback")):
            await first.begin()
            await first.execute(INSERT, {**row, "natural_key": f"{order}-{outcome}:1"})
            await second.begin()
            await asyncio.wait_for(
                second.execute(INSERT, {**row, "natural_key": f"{order}-{outcome}:2"}), 5
            )
            # The first moves its row off the key and back, merging what it may.
            await first.execute(
                text("UPDATE recommendations SET status = 'regressed' WHERE natural_key = :k"),
                {"k": f"{order}-{outcome}:1"},
            )
            await first.execute(
                text("UPDATE recommendations SET status = :s WHERE natural_key = :k"),
                {"s": row["status"], "k": f"{order}-{outcome}:1"},
            )
            one, other = (first, second) if order == "first" else (second, first)
            await one.commit()
            await (other.commit() if outcome == "commit" else other.rollback())

            assert _keyed(await first.execute(SUMMED)) == _keyed(await first.execute(GROUPED))
            await first.rollback()


# The facets and filters recommendation_counts answers.
COUNTED = [
    Dimension.STATE,
    Dimension.MECHANISM,
    Dimension.BODY,
    Dimension.CYCLE,
    Dimension.SESSION,
    Dimension.YEAR,
    Dimension.HRD,
    Dimension.POSITION,
    Dimension.STATUS,
]


def _random_filters(rng: random.Random) -> RecommendationFilters:
    def some(values: list[Any]) -> list[Any]:
        return rng.sample(values, rng.randint(1, len(values))) if rng.random() < 0.3 else []

    year_from = rng.choice([None, None, 2017, 2022, 2023])
    return RecommendationFilters(
        state=some(STATES),
        mechanism=some(list(MechanismCode)),
        body=some(BODIES),
        cycle=some([3, 4, 5]),
        session=some([27, 41]),
        position=some([p for p in POSITIONS if p is not None]),
        status=some(STATUSES),
        hrd=rng.choice([None, None, *HrdFilter]),
        year_from=year_from,
        year_to=rng.choice([None, None, 2022, 2023]) if year_from is None else None,
    )


async def test_summary_and_table_give_the_same_statistics(session: AsyncSession) -> None:
    """On a random corpus with nulls in every nullable facet: every one and two facets, and
    random three facets, under random filters, from both paths."""
    rng = random.Random(2026)
    for n in range(300):
        await session.execute(INSERT, _random_row(rng, f"stats:{n}"))
    # Given and not held by the summary, so the table answers; it keeps every row.
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    questions: list[tuple[list[Dimension], RecommendationFilters]] = [
        (list(dims), RecommendationFilters())
        for size in (1, 2)
        for dims in itertools.permutations(COUNTED, size)
    ]
    for _ in range(150):
        dims = rng.sample(COUNTED, rng.randint(1, 3))
        questions.append((dims, _random_filters(rng)))

    answered = 0
    for dimensions, filters in questions:
        assert stats.summarised(dimensions, filters)
        from_table = filters.replace(updated_since=epoch)
        assert not stats.summarised(dimensions, from_table)
        reads = Reads.of_session(session)
        summary = await stats.count_by(reads, dimensions=dimensions, filters=filters)
        table = await stats.count_by(reads, dimensions=dimensions, filters=from_table)
        assert summary == table, (dimensions, filters)
        answered += summary.total > 0
    # The filters are not so narrow that empty answers agree by default.
    assert answered > len(questions) // 2
