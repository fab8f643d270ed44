"""Full-text relevance pages in SQL, one client: p50 and p95 per language against 150 ms.

Usage: python -m bench.search_sql --database-url URL [--runs N] [--limit L] [--deep D]
    [--state CODE] [--shape bounded|full]

Times the statement a relevance list runs for the nine common-word queries of
bench/query_api.py (three per language), on a database already filled (bench/generate_corpus.py
--keep): page 1; the page after the D-th match (default 2,000, past the exactly ranked head;
half the matches when a query has fewer); page 1 with a State filter; page 1 with
`hrd=direct`, a filter that keeps many of the matches. Each statement is built by
suivi.services.search with bind parameters, compiled for asyncpg and prepared once, as the read
path runs it, and joined to the columns of a list item; the queries take turns, one at a time
on one connection. `--shape full` times the order before the bound, every match ranked by
ts_rank_cd (`matching_ids` and `rank`), for comparison.
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import (
    CHAR,
    BigInteger,
    BindParameter,
    ColumnElement,
    Double,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql.compiler import SQLCompiler

from bench.databases import libpq_dsn
from bench.query_api import SEARCHES, TARGET_SEARCH_P95_MS
from models import Body, Document, Recommendation
from suivi.services import search

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
WARM_UP_RUNS = 2
# What a list item shows: the row without its vector, its body and document.
ITEM_COLUMNS = (
    *(c for c in Recommendation.__table__.c if c.name != "search_vector"),
    Body.code,
    Document.symbol,
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One figure: whether it follows a cursor, and the filter it adds, by parameter name."""

    name: str
    deep: bool = False
    filter: str | None = None


SCENARIOS = (
    Scenario("page 1"),
    Scenario("deep page", deep=True),
    Scenario("State filter", filter="state"),
    Scenario("hrd=direct", filter="hrd"),
)


def _condition(name: str) -> ColumnElement[bool]:
    # Given at each run; None here only so that an IN list can be expanded when compiling.
    if name == "state":
        return Recommendation.state_code == bindparam("state", None, type_=CHAR(3))
    return Recommendation.hrd_relevance == bindparam("hrd", None, type_=String())


def page_query(shape: str, scenario: Scenario) -> Select[Any]:
    """A relevance list page: its items' columns and rank, best first."""
    query = bindparam("q", None, type_=Text())
    limit = bindparam("limit", None, type_=Integer())
    after: tuple[BindParameter[float], BindParameter[int]] = (
        bindparam("after_rank", None, type_=Double()),
        bindparam("after_id", None, type_=BigInteger()),
    )
    conditions = [_condition(scenario.filter)] if scenario.filter else []
    items = (
        select(*ITEM_COLUMNS)
        .join(Body, Body.id == Recommendation.body_id)
        .outerjoin(Document, Document.id == Recommendation.document_id)
    )
    if shape == "full":
        rank = search.rank(query)
        full = items.add_columns(rank.label("rank")).where(
            Recommendation.id.in_(search.matching_ids(query)), *conditions
        )
        if scenario.deep:
            full = full.where(tuple_(rank, Recommendation.id) < tuple_(*after))
        return full.order_by(rank.desc(), Recommendation.id.desc()).limit(limit)
    page = search.relevance_page(
        query, conditions, limit=limit, after=after if scenario.deep else None
    ).subquery("page")
    return (
        items.add_columns(page.c.rank)
        .join(page, page.c.id == Recommendation.id)
        .order_by(page.c.rank.desc(), Recommendation.id.desc())
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement compiled for asyncpg, prepared on the benchmark's connection."""

    statement: asyncpg.prepared_stmt.PreparedStatement
    names: tuple[str, ...]
    constants: dict[str, Any]

    @classmethod
    async def of(cls, connection: asyncpg.Connection, statement: Select[Any]) -> "Prepared":
        # IN lists expanded: a prepared statement takes no list to expand.
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        assert isinstance(compiled, SQLCompiler)
        # Values the statement holds itself (none in the bounded shape), bound as compiled.
        constants = {name: value for name, value in compiled.params.items() if value is not None}
        prepared = await connection.prepare(compiled.string)
        return cls(prepared, tuple(compiled.positiontup or ()), constants)

    async def fetch(self, values: dict[str, Any]) -> list[asyncpg.Record]:
        merged = {**self.constants, **values}
        rows: list[asyncpg.Record] = await self.statement.fetch(*(merged[n] for n in self.names))
        return rows


def percentile(values: Sequence[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))]


async def deep_cursors(
    connection: asyncpg.Connection, shape: str, queries: Sequence[str], deep: int
) -> dict[str, tuple[float, int, int]]:
    """Per query: the keyset (rank, id) after its `deep`-th match, or its middle one if it
    has fewer, and that match's position."""
    first = await Prepared.of(connection, page_query(shape, SCENARIOS[0]))
    cursors = {}
    for query in queries:
        rows = await first.fetch({"q": query, "limit": deep})
        position = deep if len(rows) >= deep else max(1, len(rows) // 2)
        last = rows[position - 1]
        cursors[query] = (float(last["rank"]), int(last["id"]), position)
    return cursors


async def measure(
    connection: asyncpg.Connection, args: argparse.Namespace
) -> dict[tuple[str, str], list[float]]:
    """Milliseconds per (scenario, language), the queries taking turns."""
    queries = [q for group in SEARCHES.values() for q in group]
    cursors = await deep_cursors(connection, args.shape, queries, args.deep)
    for query, (_, _, position) in cursors.items():
        print(f"  deep page of {query!r}: after match {position:,}")
    filters = {"state": args.state, "hrd": "direct"}
    timings: dict[tuple[str, str], list[float]] = {}
    for scenario in SCENARIOS:
        prepared = await Prepared.of(connection, page_query(args.shape, scenario))
        for run_index in range(WARM_UP_RUNS + args.runs):
            for language, group in SEARCHES.items():
                for query in group:
                    values: dict[str, Any] = {"q": query, "limit": args.limit + 1}
                    if scenario.deep:
                        rank, last_id, _ = cursors[query]
                        values |= {"after_rank": rank, "after_id": last_id}
                    if scenario.filter:
                        values[scenario.filter] = filters[scenario.filter]
                    started = time.perf_counter()
                    await prepared.fetch(values)
                    elapsed = (time.perf_counter() - started) * 1000
                    if run_index >= WARM_UP_RUNS:
                        timings.setdefault((scenario.name, language), []).append(elapsed)
    return timings


async def run(args: argparse.Namespace) -> None:
    # As the application connects: no JIT compilation of its short queries.
    connection = await asyncpg.connect(libpq_dsn(args.database_url), server_settings={"jit": "off"})
    try:
        count = await connection.fetchval("SELECT count(*) FROM recommendations")
        print(
            f"{args.shape} relevance order, {count:,} recommendations, limit {args.limit}, "
            f"{args.runs} runs per query and scenario, 1 client, State filter {args.state}"
        )
        timings = await measure(connection, args)
    finally:
        await connection.close()
    target = f"target p95 < {TARGET_SEARCH_P95_MS:g} ms"
    print(f"{'scenario':<14} {'language':<9} {'p50 ms':>8} {'p95 ms':>8}  {target}")
    for scenario in SCENARIOS:
        for language in SEARCHES:
            samples = timings[(scenario.name, language)]
            p95 = percentile(samples, 95)
            print(
                f"{scenario.name:<14} {language:<9} {statistics.median(samples):8.1f} "
                f"{p95:8.1f}  {'met' if p95 < TARGET_SEARCH_P95_MS else 'MISSED'}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a filled, migrated database")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query and scenario")
    parser.add_argument("--limit", type=int, default=50, help="items per page")
    parser.add_argument("--deep", type=int, default=2000, help="the deep page follows this match")
    parser.add_argument("--state", default="TUN", help="the State filter's value")
    parser.add_argument("--shape", choices=("bounded", "full"), default="bounded")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
