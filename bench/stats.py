"""Latency of GET /v1/stats, State scorecards and pages on a large corpus, via a live server.

Usage: python -m bench.stats [--records N] [--database-url URL] [--keep] [--repeats R]
    [--explain]
Without --database-url a corpus of --records rows is generated (bench/generate_corpus.py) into a
scratch database, dropped at the end unless --keep prints its URL for a later
--database-url run; a given database is used as it is (refused when its schema is behind the
migrations, which `suivi serve` would apply), or filled when it holds no recommendations.
`suivi serve --workers 1` runs as a subprocess on a free loopback port (as bench/query_api.py
starts it) and one client asks, one request at a time:
- `group_by=state,status` with `mechanism=upr`, with `hrd=any`, and with both: questions the
  `recommendation_counts` summary answers (migration 0008);
- the same three with `updated_since=2000-01-01T00:00:00+00:00` added, which every row matches but
  the summary does not hold: the plain GROUP BY over the recommendations table answers them;
- `group_by=theme` with `state=<the busiest State>` and with `mechanism=upr`: questions
  `recommendation_facet_counts` answers (migration 0009), and the same two with
  `updated_since` added, which unnest every matching row's themes;
- the scorecard of the busiest State and of the median one;
- the pages built on them: the overview `/` and the State pages `/states/<busiest>` and
  `/states/<median>`, whole HTML documents with their SVG charts.
Figures are the nearest-rank median and p95 of --repeats requests (a quarter, at least 5, for
the scorecards), after a few that do not count. Each stats figure is set beside the bare SQL
the service runs for it, timed with asyncpg on the same database: the difference is the price
of HTTP and serialisation, the rest is PostgreSQL.
"""

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from bench.databases import admin_url, drop, fresh_database, libpq_dsn
from bench.generate_corpus import describe, generate
from bench.query_api import (
    CLIENT_LIMITS,
    _free_port,
    _percentile_ms,
    explain,
    schema_behind,
    sequential,
    serving,
    suivi_command,
)
from models.enums import MechanismCode
from suivi.db import create_engine, create_sessionmaker
from suivi.reads import SessionReads, Statement
from suivi.services import stats as service
from suivi.services.recommendation_filters import HrdFilter, RecommendationFilters
from suivi.services.stats import Dimension
from suivi.settings import Settings

TARGET_P95_MS = 100.0
GROUP_BY = [Dimension.STATE, Dimension.STATUS]
THEME = [Dimension.THEME]
# A figure's label, its query parameters besides group_by, and the service's filters.
Cases = dict[str, tuple[dict[str, str], RecommendationFilters]]
SUMMARISED: Cases = {
    "mechanism=upr": (
        {"mechanism": "upr"},
        RecommendationFilters(mechanism=[MechanismCode.UPR]),
    ),
    "hrd=any": ({"hrd": "any"}, RecommendationFilters(hrd=HrdFilter.ANY)),
    "mechanism=upr&hrd=any": (
        {"mechanism": "upr", "hrd": "any"},
        RecommendationFilters(mechanism=[MechanismCode.UPR], hrd=HrdFilter.ANY),
    ),
}
# A filter every row passes and the summary does not hold: the same question, from the table.
EVERYTHING_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
# Requests before a figure, not counted: the server's statement caches and the database's
# buffers filled first.
WARM_UP = 3
# No figure waits longer than this, whatever --repeats asks.
CAP_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Sample:
    """Seconds per request of one figure, read as percentiles."""

    seconds: Sequence[float]

    def ms(self, percent: float) -> float:
        """Nearest-rank percentile in milliseconds (as bench/query_api.py reads its own);
        NaN when nothing succeeded."""
        return _percentile_ms(self.seconds, percent)

    def met(self) -> str:
        """Whether the p95 is under the target; a figure without requests meets nothing."""
        return "met" if self.seconds and self.ms(95) < TARGET_P95_MS else "MISSED"


async def timed(client: httpx.AsyncClient, path: str, *, warm_up: int, count: int) -> Sample:
    """`count` requests of `path` one at a time, after `warm_up` that do not count."""
    await sequential(client, [path], count=warm_up, seconds=CAP_SECONDS)
    return Sample(await sequential(client, [path], count=count, seconds=CAP_SECONDS))


async def time_sql(
    url: str, statement: str, parameters: Sequence[Any], repeats: int
) -> list[float]:
    """Seconds per run of `statement`, `repeats` times on one connection set up as the
    service's (no JIT), after one run that prepares it and fills the buffers."""
    connection = await asyncpg.connect(libpq_dsn(url), server_settings={"jit": "off"})
    try:
        await connection.fetch(statement, *parameters)
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            await connection.fetch(statement, *parameters)
            seconds.append(time.perf_counter() - started)
    finally:
        await connection.close()
    return seconds


def with_table(cases: Cases) -> Cases:
    """`cases`, then each again with `updated_since` added, which the table answers."""
    return {
        **cases,
        **{
            f"{label}&updated_since=2000": (
                {**params, "updated_since": EVERYTHING_SINCE.isoformat()},
                filters.replace(updated_since=EVERYTHING_SINCE),
            )
            for label, (params, filters) in cases.items()
        },
    }


def faceted_cases(busiest: str) -> Cases:
    """The `group_by=theme` questions `recommendation_facet_counts` answers."""
    return {
        f"state={busiest}": ({"state": busiest}, RecommendationFilters(state=[busiest])),
        "mechanism=upr": (
            {"mechanism": "upr"},
            RecommendationFilters(mechanism=[MechanismCode.UPR]),
        ),
    }


def _path(group_by: Sequence[Dimension], params: dict[str, str]) -> str:
    return "/v1/stats?" + urlencode({"group_by": ",".join(group_by), **params})


def _source(group_by: Sequence[Dimension], filters: RecommendationFilters) -> str:
    if service.faceted(group_by, filters):
        return "facet counts"
    return "summary" if service.summarised(group_by, filters) else "table"


class _Noting(SessionReads):
    """Reads in a session that note each statement sent."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.sent: list[tuple[str, Sequence[Any]]] = []

    async def fetch(self, statement: Statement, values: Mapping[str, Any]) -> list[asyncpg.Record]:
        self.sent.append((statement.sql, statement.arguments(values)))
        return await super().fetch(statement, values)


async def stats_sql(
    url: str, group_by: Sequence[Dimension], filters: RecommendationFilters
) -> tuple[str, Sequence[Any]]:
    """The grouping statement the service runs for `group_by` under `filters`, as sent to
    asyncpg."""
    engine = create_engine(url, Settings(database_url=url))
    try:
        async with create_sessionmaker(engine)() as session:
            reads = _Noting(session)
            await service.count_by(reads, dimensions=group_by, filters=filters)
    finally:
        await engine.dispose()
    return next(s for s in reads.sent if "GROUP BY" in s[0])


async def _states(url: str) -> tuple[list[tuple[str, int]], int, int]:
    """(State, recommendations) most first, and the rows of the two summaries."""
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT state_code, count(*) AS n FROM recommendations GROUP BY 1 ORDER BY 2 DESC, 1"
        )
        summary_rows = await connection.fetchval("SELECT count(*) FROM recommendation_counts")
        facet_rows = await connection.fetchval("SELECT count(*) FROM recommendation_facet_counts")
    finally:
        await connection.close()
    return [(row["state_code"], row["n"]) for row in rows], summary_rows, facet_rows


def _figures(sample: Sample) -> str:
    if not sample.seconds:
        return "no request succeeded, no figure"
    return f"median {sample.ms(50):.1f} ms, p95 {sample.ms(95):.1f} ms"


async def measure(url: str, args: argparse.Namespace) -> None:
    """Start the server and print each figure with the target."""
    states, summary_rows, facet_rows = await _states(url)
    print(
        f"recommendation_counts: {summary_rows:,} rows; "
        f"recommendation_facet_counts: {facet_rows:,} rows"
    )
    port = _free_port()
    async with (
        serving("suivi serve", suivi_command(port, 1), port, url) as base,
        httpx.AsyncClient(base_url=base, timeout=60, limits=CLIENT_LIMITS) as client,
    ):
        print(f"server: suivi serve, 1 worker, loopback, 1 client; {os.cpu_count()} cores")
        questions = [
            *((GROUP_BY, label, case) for label, case in with_table(SUMMARISED).items()),
            *(
                (THEME, label, case)
                for label, case in with_table(faceted_cases(states[0][0])).items()
            ),
        ]
        for group_by, label, (params, filters) in questions:
            path = _path(group_by, params)
            response = await client.get(path)
            response.raise_for_status()
            body = response.json()
            api = await timed(client, path, warm_up=WARM_UP, count=args.repeats)
            statement, parameters = await stats_sql(url, group_by, filters)
            sql = await time_sql(url, statement, parameters, args.repeats)
            print(
                f"stats group_by={','.join(group_by)}&{label} from the "
                f"{_source(group_by, filters)} ({body['total']:,} rows, "
                f"{len(body['groups']):,} groups): API {_figures(api)} "
                f"(target p95 < {TARGET_P95_MS:g} ms: {api.met()}); "
                f"bare SQL median {statistics.median(sql) * 1000:.1f} ms"
            )
            if args.explain:
                plan = await explain(url, statement, parameters)
                print(f"EXPLAIN group_by={','.join(group_by)}&{label}:\n{plan}")
        for label, (state, rows) in (("busiest", states[0]), ("median", states[len(states) // 2])):
            path = f"/v1/states/{state}/scorecard"
            card = await timed(client, path, warm_up=2, count=max(5, args.repeats // 4))
            print(f"scorecard of the {label} State {state} ({rows:,} rows): {_figures(card)}")
        pages = [
            ("overview /", "/"),
            *(
                (f"State page of the {label} State ({rows:,} rows)", f"/states/{state}")
                for label, (state, rows) in (
                    ("busiest", states[0]),
                    ("median", states[len(states) // 2]),
                )
            ),
        ]
        for label, path in pages:
            page = await timed(client, path, warm_up=WARM_UP, count=args.repeats)
            print(
                f"page {label}: {_figures(page)} (target p95 < {TARGET_P95_MS:g} ms: {page.met()})"
            )


async def run(args: argparse.Namespace) -> None:
    # Other work on the machine skews every figure: say how busy it was.
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    scratch = args.database_url is None
    admin = admin_url() if scratch else ""
    url: str = await fresh_database(admin) if scratch else args.database_url
    try:
        behind = None if scratch else await schema_behind(url)
        if behind:
            raise SystemExit(f"{behind}: run `suivi migrate` on it first")
        connection = await asyncpg.connect(libpq_dsn(url))
        try:
            empty = not await connection.fetchval("SELECT EXISTS (SELECT 1 FROM recommendations)")
        finally:
            await connection.close()
        if empty:
            started = time.perf_counter()
            timings = await generate(url, records=args.records)
            print(
                f"corpus generated in {time.perf_counter() - started:.1f} s: "
                + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in timings.items())
            )
        for line in await describe(url):
            print(line)
        await measure(url, args)
    finally:
        if scratch and not args.keep:
            await drop(admin, url)
        elif scratch:
            print(f"kept: {url} (pass it as --database-url to measure again)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="use this database instead of a scratch one")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--repeats", type=int, default=50, help="requests per figure")
    parser.add_argument("--explain", action="store_true", help="print the plans of the queries")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
