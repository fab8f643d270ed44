"""Which read statements keep a prepared plan, and which are planned with their values."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.exc import CompileError

from models import Recommendation
from suivi.reads import ReadPool, Statement
from suivi.services import recommendations as service
from suivi.services.recommendation_filters import (
    BY_NAME,
    Bodies,
    Compared,
    HrdFilter,
    RecommendationFilters,
    SearchMode,
    conditions,
    one_plan,
)
from suivi.services.recommendations import Sort
from suivi.settings import Settings
from tests.databases import migrated_database

# PostgreSQL plans a prepared statement with its values five times before it may keep a
# generic plan: past this many runs, a statement that may keep one has.
RUNS = 8
DEFENDERS_PAGE = RecommendationFilters(state=["TUN"], mechanism=["upr"], hrd=HrdFilter.DIRECT)
SEARCH = RecommendationFilters(q="defenders", search=SearchMode.LEXICAL)
# A year's share of the rows differs by orders of magnitude: planned with its value each time.
SEARCH_IN_A_YEAR = RecommendationFilters(q="defenders", search=SearchMode.LEXICAL, year_from=2020)
PLANS = Statement(
    "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements",
    (),
    {},
    one_plan=True,
)


@pytest.fixture
async def pool(admin_url: str) -> AsyncIterator[ReadPool]:
    """A read pool of one connection, so that its prepared statements can be read back."""
    async with migrated_database(admin_url, prefix="suivi_scratch") as url:
        pool = ReadPool(url, Settings(database_url=url, db_pool_size=1))
        try:
            yield pool
        finally:
            await pool.close()


async def _page(pool: ReadPool, filters: RecommendationFilters) -> None:
    sort = Sort.RELEVANCE if filters.query else Sort.ID
    await service.list_page(pool, limit=50, filters=filters, sort=sort)


async def _plans(pool: ReadPool, marker: str) -> tuple[int, int]:
    """The generic and the custom plans made for the one prepared statement holding `marker`."""
    rows = [row for row in await pool.fetch(PLANS, {}) if marker in row[0]]
    assert len(rows) == 1, [row[0][:80] for row in rows]
    return int(rows[0][1]), int(rows[0][2])


async def test_a_states_page_of_defenders_keeps_one_plan(pool: ReadPool) -> None:
    for _ in range(RUNS):
        await _page(pool, DEFENDERS_PAGE)

    generic, custom = await _plans(pool, "hrd_relevance = 'direct'")

    assert generic > 0
    assert custom <= 5


async def test_a_search_keeps_one_plan_since_no_plan_sees_its_words(pool: ReadPool) -> None:
    for _ in range(RUNS):
        await _page(pool, SEARCH)

    generic, _ = await _plans(pool, "websearch_to_tsquery")

    assert generic > 0


async def test_a_search_in_a_year_is_planned_with_its_values_every_time(pool: ReadPool) -> None:
    for _ in range(RUNS):
        await _page(pool, SEARCH_IN_A_YEAR)

    generic, custom = await _plans(pool, "websearch_to_tsquery")

    assert generic == 0
    assert custom >= RUNS


async def test_one_connection_switches_between_the_two(pool: ReadPool) -> None:
    for _ in range(RUNS):
        await _page(pool, DEFENDERS_PAGE)
        await _page(pool, SEARCH_IN_A_YEAR)

    searched = await _plans(pool, "websearch_to_tsquery")
    listed = await _plans(pool, "hrd_relevance = 'direct'")

    assert searched[0] == 0
    assert listed[0] > 0


async def test_skewed_filters_are_written_as_constants(pool: ReadPool) -> None:
    bodies = await pool.bodies()
    shape, values = DEFENDERS_PAGE.bound(bodies)
    sql = str(
        select(Recommendation.id)
        .where(*conditions(shape))
        .compile(compile_kwargs={"literal_binds": False})
    )

    (upr,) = bodies.of_mechanisms(["upr"])
    assert "hrd_relevance = 'direct'" in sql
    assert f"body_id = {upr}" in sql
    # The State stays a parameter: one plan serves every State.
    assert ":f_state" in sql
    assert one_plan(shape)
    # Every value stays available to what counts from summaries (suivi/services/stats.py).
    assert values["f_hrd"] == "direct"


def test_a_shape_with_a_parameter_whose_value_decides_the_plan_is_planned_each_time() -> None:
    for filters in (
        SEARCH_IN_A_YEAR,
        RecommendationFilters(state=["TUN"], year_from=2020),
        RecommendationFilters(theme=["Human rights defenders"]),
    ):
        shape, _ = filters.bound(Bodies([]))
        assert not one_plan(shape), filters


def test_every_form_of_a_search_may_keep_one_plan() -> None:
    for form in ("q", "q~hybrid", "q~semantic"):
        assert one_plan((Compared(form, False),))
    assert one_plan(DEFENDERS_PAGE.bound(Bodies([]))[0] + SEARCH.bound(Bodies([]))[0])


def test_a_constant_outside_its_columns_values_is_refused() -> None:
    with pytest.raises(CompileError, match="Could not render literal value"):
        BY_NAME["hrd"].constant_condition(("direct' OR 'x' = 'x",))


def test_the_same_constants_in_any_order_make_one_statement() -> None:
    given = RecommendationFilters(status=["regressed", "implemented", "regressed"])
    ordered = RecommendationFilters(status=["implemented", "regressed"])

    assert given.bound(Bodies([]))[0] == ordered.bound(Bodies([]))[0]


class _Interrupted(Exception):
    pass


class _Connection:
    """A connection whose `SET` may be cut off before the server's answer is read."""

    def __init__(self, *, interrupt: bool) -> None:
        self.interrupt = interrupt
        self.sent: list[str] = []

    def get_server_pid(self) -> int:
        return 4242

    async def execute(self, sql: str) -> None:
        self.sent.append(sql)
        if self.interrupt:
            raise _Interrupted


async def test_a_switch_cut_off_is_sent_again(pool: ReadPool) -> None:
    keeping = Statement("SELECT 1", (), {}, one_plan=True)
    planned = Statement("SELECT 2", (), {})
    connection = _Connection(interrupt=True)

    with pytest.raises(_Interrupted):
        await pool._plan_as(connection, keeping)
    connection.interrupt = False
    # The server may or may not have taken it: both kinds of statement set the mode again.
    await pool._plan_as(connection, planned)
    await pool._plan_as(connection, planned)
    await pool._plan_as(connection, keeping)

    assert connection.sent == [
        "SET plan_cache_mode = auto",
        "SET plan_cache_mode = force_custom_plan",
        "SET plan_cache_mode = auto",
    ]
