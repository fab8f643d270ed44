"""Latency and throughput of GET /v1/recommendations on a large corpus, through a live server.

Usage: python -m bench.query_api [--records N] [--database-url URL] [--clients C] [--seconds S]
    [--hrd direct|related|any] [--explain]
Without --database-url a corpus of --records rows is generated into a scratch database, dropped
at the end; a given database is used as it is, or filled when it holds no recommendations.
One uvicorn worker serves on a free loopback port, as `suivi serve` would, and a bounded
asyncio load of --clients concurrent clients runs against it:
- a filtered list page (State + UPR + defenders), over States drawn as the data weighs them;
- page 10,000 against page 1 of one broad filter (UPR), with a cursor made as the API makes it;
- full-text queries in English, French and Arabic;
- the API's median latency for one page against the bare SQL the service runs for it, timed
  with asyncpg on the same database: the ratio is the price of HTTP, the ORM and the schemas.
The load generator shares the machine's cores with the server and PostgreSQL; its CPU share is
printed so the figures can be read with that in mind.
"""

import argparse
import asyncio
import itertools
import math
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
from sqlalchemy import event

from api.pagination import encode_cursor
from bench.databases import admin_url, drop, fresh_database, libpq_dsn
from bench.generate_corpus import describe, generate
from models.enums import MechanismCode
from suivi.db import create_engine, create_sessionmaker
from suivi.services import recommendations as service
from suivi.services.recommendations import HrdFilter, RecommendationFilters, Sort
from suivi.settings import Settings

LIMIT = 50  # the API's default page size
DEEP_PAGE = 10_000
STARTUP_SECONDS = 60
TARGET_P99_MS = 50.0
TARGET_RATE = 500.0
TARGET_DEEP_RATIO = 1.2
TARGET_SEARCH_P95_MS = 150.0
SEARCHES = {
    "en": ("human rights defenders", "journalists", "freedom of expression"),
    "fr": ("défenseurs des droits de l'homme", "journalistes", "liberté d'expression"),
    "ar": ("المدافعين عن حقوق الإنسان", "الصحفيين", "حرية التعبير"),
}


@dataclass(frozen=True, slots=True)
class Sample:
    """Latencies of the successful requests of one run, in seconds, and what the run cost."""

    latencies: list[float]
    wall: float
    errors: int
    client_cpu: float

    def ms(self, percent: float) -> float:
        """The nearest-rank percentile, in milliseconds; NaN when nothing succeeded."""
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        rank = max(1, math.ceil(percent / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def summary(self) -> str:
        return (
            f"p50 {self.ms(50):.1f} ms, p95 {self.ms(95):.1f} ms, p99 {self.ms(99):.1f} ms, "
            f"{self.rate:,.0f} req/s ({len(self.latencies):,} requests, {self.errors} errors; "
            f"load generator {self.client_cpu / self.wall:.0%} of a core)"
        )


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _path(**params: Any) -> str:
    return "/v1/recommendations?" + urlencode(
        {k: v for k, v in params.items() if v is not None}, doseq=True
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def serving(url: str) -> AsyncIterator[str]:
    """One uvicorn worker on a free loopback port until it answers /ready; its base URL."""
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            # As `suivi serve`: the application logs requests itself.
            "--no-access-log",
            # Between runs the pooled client connections idle longer than uvicorn's 5 s default,
            # and a request sent as the server closes one fails; a proxy would keep them open.
            "--timeout-keep-alive",
            "300",
            env={**os.environ, "SUIVI_DATABASE_URL": url},
            stdout=log,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await _wait_ready(base, process)
            if process.returncode is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")[-3000:]
                raise RuntimeError(f"uvicorn exited:\n{output}")
            yield base
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), timeout=30)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _wait_ready(base: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(STARTUP_SECONDS * 10):
            if process.returncode is not None:
                return
            try:
                if (await client.get("/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("uvicorn did not become ready")


async def _get(client: httpx.AsyncClient, path: str) -> str | None:
    """GET `path` and read the body; what went wrong, or None for a 200."""
    try:
        response = await client.get(path)
    except httpx.TransportError as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return f"{response.status_code} {response.text[:300]}"
    return None


async def load(
    client: httpx.AsyncClient, paths: Sequence[str], *, clients: int, seconds: float
) -> Sample:
    """`clients` concurrent clients requesting `paths` in turn for `seconds`."""
    latencies: list[float] = []
    errors = 0
    turn = itertools.count()
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            path = paths[next(turn) % len(paths)]
            started = time.perf_counter()
            error = await _get(client, path)
            if error is None:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
                if errors == 1:
                    print(f"  first error: {error}")

    cpu, started = time.process_time(), time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(clients):
            group.create_task(one_client())
    return Sample(latencies, time.perf_counter() - started, errors, time.process_time() - cpu)


async def sequential(
    client: httpx.AsyncClient, paths: Sequence[str], *, count: int, seconds: float
) -> Sample:
    """One client requesting `paths` in turn, `count` times or for `seconds`, whichever ends
    first: the latency of the request alone."""
    latencies: list[float] = []
    errors = 0
    cpu, started = time.process_time(), time.perf_counter()
    for index in range(count):
        if time.perf_counter() - started > seconds:
            break
        began = time.perf_counter()
        error = await _get(client, paths[index % len(paths)])
        if error is None:
            latencies.append(time.perf_counter() - began)
        else:
            errors += 1
            print(f"  error: {error}")
    return Sample(latencies, time.perf_counter() - started, errors, time.process_time() - cpu)


async def service_sql(
    url: str, *, filters: RecommendationFilters, sort: Sort, after: tuple[Any, ...] | None
) -> tuple[str, Sequence[Any]]:
    """The SQL statement and parameters the service runs for one page, as sent to asyncpg."""
    engine = create_engine(url, Settings(database_url=url))
    statements: list[tuple[str, Sequence[Any]]] = []

    def note(*args: Any) -> None:
        # before_cursor_execute(conn, cursor, statement, parameters, context, executemany)
        statements.append((args[2], args[3]))

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        async with create_sessionmaker(engine)() as session:
            await service.list_page(session, limit=LIMIT, filters=filters, sort=sort, after=after)
    finally:
        await engine.dispose()
    return statements[-1]


async def time_sql(url: str, statement: str, parameters: Sequence[Any], count: int) -> list[float]:
    """Seconds per execution of `statement` with asyncpg (prepared once, as the ORM does)."""
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        await connection.fetch(statement, *parameters)
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            await connection.fetch(statement, *parameters)
            timings.append(time.perf_counter() - started)
        return timings
    finally:
        await connection.close()


async def explain(url: str, statement: str, parameters: Sequence[Any]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement."""
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *parameters)
        return "\n".join("    " + row[0] for row in rows)
    finally:
        await connection.close()


async def _hrd_states(url: str, hrd: HrdFilter) -> list[tuple[str, int]]:
    """(State, matching UPR rows) for the list filter, most first."""
    relevance = ["direct", "related"] if hrd is HrdFilter.ANY else [hrd.value]
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        rows = await connection.fetch(
            """
            SELECT r.state_code, count(*) AS n
            FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id
            WHERE b.mechanism_code = 'upr' AND r.hrd_relevance = ANY($1::text[])
            GROUP BY 1 ORDER BY 2 DESC, 1
            """,
            relevance,
        )
    finally:
        await connection.close()
    return [(row["state_code"], row["n"]) for row in rows]


async def _deep_cursors(url: str, page: int) -> dict[Sort, tuple[str, tuple[Any, ...]]]:
    """Cursor (and keyset) of `page` of the UPR list in id and in descending date order, made as
    api/routes/recommendations.py makes them: [sort, *sort values, last id]."""
    offset = (page - 1) * LIMIT - 1
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        by_id = await connection.fetchval(
            """
            SELECT r.id FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id
            WHERE b.mechanism_code = 'upr' ORDER BY r.id OFFSET $1 LIMIT 1
            """,
            offset,
        )
        by_date = await connection.fetchrow(
            """
            SELECT COALESCE(r.issued_date, '-infinity'::date) AS day, r.id
            FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id
            WHERE b.mechanism_code = 'upr' ORDER BY 1 DESC, 2 DESC OFFSET $1 LIMIT 1
            """,
            offset,
        )
    finally:
        await connection.close()
    return {
        Sort.ID: (encode_cursor([Sort.ID.value, by_id]), (by_id,)),
        Sort.DATE_DESC: (
            encode_cursor([Sort.DATE_DESC.value, by_date["day"].isoformat(), by_date["id"]]),
            (by_date["day"], by_date["id"]),
        ),
    }


async def _upr_rows(url: str) -> int:
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id "
            "WHERE b.mechanism_code = 'upr'"
        )
        return count
    finally:
        await connection.close()


async def measure(url: str, args: argparse.Namespace) -> None:
    """Start the server and print every figure with its target."""
    hrd = HrdFilter(args.hrd)
    states = await _hrd_states(url, hrd)

    def listed_filters(state: str) -> RecommendationFilters:
        return RecommendationFilters(states=[state], mechanisms=[MechanismCode.UPR], hrd=hrd)

    rng = random.Random(2026)
    # Requests spread over States as the data is: a busy State is asked about more often.
    drawn = rng.choices([s for s, _ in states], [n for _, n in states], k=500)
    list_paths = [_path(state=s, mechanism="upr", hrd=hrd.value, limit=LIMIT) for s in drawn]
    upr_rows = await _upr_rows(url)
    # Within the dated rows: at the end of `-date` order the undated ones share one sort value.
    page = min(DEEP_PAGE, max(2, int(upr_rows * 0.9) // LIMIT))
    cursors = await _deep_cursors(url, page)
    repeats, cap = args.repeats, args.seconds * 2

    async with (
        serving(url) as base,
        httpx.AsyncClient(
            base_url=base,
            timeout=60,
            limits=httpx.Limits(
                max_connections=args.clients, max_keepalive_connections=args.clients
            ),
        ) as client,
    ):
        print(
            f"server: uvicorn, 1 worker, loopback; {args.clients} clients, "
            f"{args.seconds:g} s per loaded run; {os.cpu_count()} cores"
        )
        await load(client, list_paths, clients=args.clients, seconds=min(3.0, args.seconds))

        listed = await load(client, list_paths, clients=args.clients, seconds=args.seconds)
        print(
            f"list state=<{len(set(drawn))} States>&mechanism=upr&hrd={hrd.value}: "
            f"{listed.summary()}"
        )
        print(
            f"  target p99 < {TARGET_P99_MS:g} ms: {_verdict(listed.ms(99) < TARGET_P99_MS)}; "
            f"target >= {TARGET_RATE:g} req/s: {_verdict(listed.rate >= TARGET_RATE)}"
        )

        for sort, (cursor, _) in cursors.items():
            first = _path(mechanism="upr", sort=sort.value, limit=LIMIT)
            deep = _path(mechanism="upr", sort=sort.value, limit=LIMIT, cursor=cursor)
            returned = len((await client.get(deep)).json()["items"])
            if returned != LIMIT:
                print(f"  page {page:,} of sort={sort.value} holds {returned} items, not {LIMIT}")
            firsts, deeps = [], []
            for _ in range(repeats):
                firsts += (await sequential(client, [first], count=1, seconds=cap)).latencies
                deeps += (await sequential(client, [deep], count=1, seconds=cap)).latencies
            ratio = statistics.median(deeps) / statistics.median(firsts)
            print(
                f"deep page mechanism=upr&sort={sort.value} ({upr_rows:,} rows): page 1 median "
                f"{statistics.median(firsts) * 1000:.1f} ms, page {page:,} median "
                f"{statistics.median(deeps) * 1000:.1f} ms, ratio {ratio:.2f} "
                f"(target <= {TARGET_DEEP_RATIO:g}: {_verdict(ratio <= TARGET_DEEP_RATIO)})"
            )

        for language, queries in SEARCHES.items():
            paths = [_path(q=q, limit=LIMIT) for q in queries]
            alone = await sequential(client, paths, count=repeats, seconds=cap)
            loaded = await load(client, paths, clients=args.clients, seconds=args.seconds)
            print(
                f"full-text {language} q={' | '.join(queries)}:\n"
                f"  1 client: p50 {alone.ms(50):.1f} ms, p95 {alone.ms(95):.1f} ms "
                f"(target p95 < {TARGET_SEARCH_P95_MS:g} ms: "
                f"{_verdict(alone.ms(95) < TARGET_SEARCH_P95_MS)})\n"
                f"  {args.clients} clients: {loaded.summary()} "
                f"(target p95: {_verdict(loaded.ms(95) < TARGET_SEARCH_P95_MS)})"
            )

        # The busiest State's page is the costliest query; the median State's is the typical one.
        for label, (state, rows) in (("busiest", states[0]), ("median", states[len(states) // 2])):
            filters = RecommendationFilters(states=[state], mechanisms=[MechanismCode.UPR], hrd=hrd)
            statement, parameters = await service_sql(
                url, filters=filters, sort=Sort.ID, after=None
            )
            same_page = _path(state=state, mechanism="upr", hrd=hrd.value, limit=LIMIT)
            api = await sequential(client, [same_page], count=repeats * 4, seconds=cap)
            sql = await time_sql(url, statement, parameters, repeats * 4)
            api_median, sql_median = statistics.median(api.latencies), statistics.median(sql)
            print(
                f"API vs SQL, {label} State: state={state}&mechanism=upr&hrd={hrd.value} page 1 "
                f"({rows:,} matching rows), 1 client: API median {api_median * 1000:.2f} ms, "
                f"bare SQL median {sql_median * 1000:.2f} ms, ratio {api_median / sql_median:.1f}"
            )

    if args.explain:
        upr = RecommendationFilters(mechanisms=[MechanismCode.UPR])
        plans: list[tuple[str, RecommendationFilters, Sort, tuple[Any, ...] | None]] = [
            *(
                (f"list page 1 state={state}", listed_filters(state), Sort.ID, None)
                for state in (states[0][0], states[len(states) // 2][0])
            ),
            *((f"page {page:,} sort={s.value}", upr, s, k) for s, (_, k) in cursors.items()),
            *(
                (f"full-text q={q[0]}", RecommendationFilters(query=q[0]), Sort.RELEVANCE, None)
                for q in SEARCHES.values()
            ),
        ]
        for label, where, sort, after in plans:
            statement, parameters = await service_sql(url, filters=where, sort=sort, after=after)
            print(f"EXPLAIN {label}:\n{await explain(url, statement, parameters)}")


async def run(args: argparse.Namespace) -> None:
    # Other work on the machine skews every figure: say how busy it was.
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    scratch = args.database_url is None
    admin = admin_url() if scratch else ""
    url: str = await fresh_database(admin) if scratch else args.database_url
    try:
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
        if scratch:
            await drop(admin, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="use this database instead of a scratch one")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each loaded run")
    parser.add_argument("--repeats", type=int, default=50, help="requests per unloaded figure")
    parser.add_argument("--hrd", choices=[h.value for h in HrdFilter], default="direct")
    parser.add_argument("--explain", action="store_true", help="print the plans of the queries")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
