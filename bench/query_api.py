"""Suivi's read path against a bare asyncpg app serving the same pages, loaded by wrk.

Usage: python -m bench.query_api [--records N] [--database-url URL] [--seconds S] [--rounds R]
    [--connections C] [--workers W] [--repeats N] [--hrd direct|related|any] [--explain]
Without --database-url a corpus of --records rows is generated into a scratch database, dropped
at the end; a given database is used as it is, or filled when it holds no recommendations.

`suivi serve` and bench/bare_app.py (under uvicorn, same worker count) run side by side on
loopback ports. Before measuring, the same list pages, details and stats are fetched from both
and compared: the run stops if they differ (the details on the bare app's fields). Then wrk
(`-t2 -c<connections>`, a C load generator: a Python one would take the cores the servers need)
loads each app in turn, bare then Suivi, for --rounds rounds of --seconds; the medians of the
rounds are printed side by side with their ratio:
- the list page `state=X&mechanism=upr&hrd=<--hrd>&limit=50`, over States drawn as the data
  weighs them, the same request sequence for both apps;
- `GET /v1/recommendations/{id}` over ids drawn at random (the bare detail omits the follow-up
  record: a lower bound);
- `GET /v1/stats?group_by=state&mechanism=upr`.
Then, against Suivi alone and one request at a time: page 10,000 against page 1 of one broad
filter (UPR), and full-text queries in English, French and Arabic (p50, p95).
--explain prints the plans of the bare app's statements (list pages of the busiest and the
median State, a detail, the stats): Suivi's list page must use the same plan, one index scan of
(state_code, hrd_relevance, id).
"""

import argparse
import asyncio
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
import orjson
from alembic.script import ScriptDirectory

from api.pagination import encode_cursor
from bench.bare_app import DETAIL_SQL, LIST_SQL, STATS_SQL
from bench.databases import admin_url, drop, fresh_database, libpq_dsn
from bench.generate_corpus import describe, generate
from suivi.db import alembic_config

LIMIT = 50  # the API's default page size
DEEP_PAGE = 10_000
DRAWN = 500  # list paths and detail ids a wrk run cycles through
STARTUP_SECONDS = 60
WRK_THREADS = 2
WRK_TIMEOUT = "10s"
WARM_UP_SECONDS = 3.0
TARGET_RATE_RATIO = 0.8  # Suivi's throughput at least this share of the bare app's
TARGET_P99_RATIO = 1.5  # Suivi's p99 at most this multiple of the bare app's
# Scenarios whose bare page does less work than Suivi's (the detail omits the follow-up record):
# their ratio is printed, but no bare equivalent exists to hold it to a target.
LESS_THAN_SUIVI = frozenset({"detail"})
TARGET_DEEP_RATIO = 1.2
TARGET_SEARCH_P95_MS = 150.0
STATS_PATH = "/v1/stats?group_by=state&mechanism=upr"
SEARCHES = {
    "en": ("human rights defenders", "journalists", "freedom of expression"),
    "fr": ("défenseurs des droits de l'homme", "journalistes", "liberté d'expression"),
    "ar": ("المدافعين عن حقوق الإنسان", "الصحفيين", "حرية التعبير"),
}
# uvicorn closes a connection idle for 5 s, httpx reuses one idle for up to 5 s: a request sent
# as the server closes fails. Dropped sooner here, an idle connection is never raced.
CLIENT_LIMITS = httpx.Limits(keepalive_expiry=2.0)
REPOSITORY = Path(__file__).resolve().parent.parent


class Mismatch(Exception):
    """The bare app's page is not Suivi's: a comparison of the two would mean nothing."""


@dataclass(frozen=True, slots=True)
class WrkFigures:
    """What one wrk run reports: throughput, latency percentiles and failed requests."""

    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int

    @property
    def failures(self) -> int:
        return self.non_2xx + self.socket_errors

    def summary(self) -> str:
        failed = ""
        if self.failures:
            failed = f", {self.non_2xx} non-2xx, {self.socket_errors} socket errors"
        return (
            f"{self.rate:8,.0f} req/s, p50 {self.p50_ms:7.1f} ms, p99 {self.p99_ms:7.1f} ms{failed}"
        )


_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(output: str) -> WrkFigures:
    """The figures of `wrk --latency` output; ValueError when it holds none."""
    rate = _RATE.search(output)
    requests = _REQUESTS.search(output)
    percentiles = {
        float(share): float(value) * _TIME_UNITS_MS[unit]
        for share, value, unit in _PERCENTILE.findall(output)
    }
    if rate is None or requests is None or not {50.0, 99.0} <= percentiles.keys():
        raise ValueError(f"not the output of wrk --latency:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket_errors = _SOCKET_ERRORS.search(output)
    return WrkFigures(
        rate=float(rate.group(1)),
        p50_ms=percentiles[50.0],
        p99_ms=percentiles[99.0],
        requests=int(requests.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(map(int, socket_errors.groups())) if socket_errors else 0,
    )


def median_figures(runs: Sequence[WrkFigures]) -> WrkFigures:
    """Each figure's median over the rounds (failures summed): one noisy round weighs less."""
    return WrkFigures(
        rate=statistics.median(run.rate for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        requests=sum(run.requests for run in runs),
        non_2xx=sum(run.non_2xx for run in runs),
        socket_errors=sum(run.socket_errors for run in runs),
    )


def lua_script(paths: Sequence[str], threads: int) -> str:
    """A wrk script requesting `paths` in turn, each thread from its own share of the list, so
    every app loaded with it gets the same request sequence."""
    for path in paths:
        # Paths are URL-encoded, hence ASCII: a Lua string needs no other escaping.
        if not path.isascii() or '"' in path or "\\" in path:
            raise ValueError(f"path not URL-encoded: {path!r}")
    listed = ",\n".join(f'  "{path}"' for path in paths)
    return f"""paths = {{
{listed}
}}
local created = 0
function setup(thread)
  thread:set("first", math.floor(created * #paths / {threads}))
  created = created + 1
end
local turn = nil
function request()
  turn = ((turn or first or 0) % #paths) + 1
  return wrk.format(nil, paths[turn])
end
"""


def ensure_wrk() -> str:
    """wrk's path, installing the Debian package when it is missing and this user may."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing: install the Debian package `wrk` (apt-get install wrk)")
    print("installing wrk (apt-get install -y wrk)")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    if subprocess.run(install, check=False, capture_output=True).returncode != 0:
        # A fresh image has no package lists yet.
        subprocess.run(["apt-get", "update"], check=True, capture_output=True)
        subprocess.run(install, check=True, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get installed wrk, but it is not on PATH")
    return found


async def run_wrk(
    wrk: str, base: str, script: Path, *, connections: int, seconds: float
) -> WrkFigures:
    """One wrk run of `script` against `base`."""
    process = await asyncio.create_subprocess_exec(
        wrk,
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={WRK_TIMEOUT}",
        "--latency",
        "-s",
        str(script),
        base,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{text}")
    return parse_wrk(text)


def _path(base: str = "/v1/recommendations", **params: Any) -> str:
    return f"{base}?" + urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _percentile_ms(latencies: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile of `latencies` (seconds), in milliseconds."""
    ordered = sorted(latencies)
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1] * 1000


# Servers ---------------------------------------------------------------------------------------


def serve_takes_workers() -> bool:
    """Whether `suivi serve` has a --workers option: asked of the command, not assumed."""
    result = subprocess.run(
        [sys.executable, "-m", "suivi.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPOSITORY,
        # Wide enough that the help table never wraps an option name.
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"suivi serve --help failed:\n{result.stdout}{result.stderr}")
    return "--workers" in result.stdout


def suivi_command(port: int, workers: int | None) -> list[str]:
    command = [sys.executable, "-m", "suivi.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port)]
    return command + (["--workers", str(workers)] if workers is not None else [])


def bare_command(port: int, workers: int) -> list[str]:
    return [
        *(sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1"),
        *("--port", str(port), "--workers", str(workers)),
        *("--no-access-log", "--log-level", "warning"),
    ]


@asynccontextmanager
async def serving(name: str, command: list[str], port: int, url: str) -> AsyncIterator[str]:
    """`command` running until it answers /ready on `port`; its base URL. Its output goes to
    a temporary file, shown if it stops early."""
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=REPOSITORY,
            # The generated texts are never embedded (a million take hours on these cores):
            # the background embedder would spend the cores being measured, where a deployment
            # whose texts have their vectors has it idle.
            env={**os.environ, "SUIVI_DATABASE_URL": url, "SUIVI_EMBED_IN_BACKGROUND": "false"},
            stdout=log,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            if not await _ready(base, process):
                log.seek(0)
                output = log.read().decode(errors="replace")[-3000:]
                raise RuntimeError(f"{name} did not start ({' '.join(command)}):\n{output}")
            yield base
        finally:
            if process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), timeout=30)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _ready(base: str, process: asyncio.subprocess.Process) -> bool:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(STARTUP_SECONDS * 10):
            if process.returncode is not None:
                return False
            try:
                if (await client.get("/ready")).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    return False


# Same pages ------------------------------------------------------------------------------------


def _difference(suivi: Any, bare: Any, ordered: int, where: str = "") -> str | None:
    """Where `bare` first differs from `suivi`, None if nowhere. The order of an object's
    fields counts in the `ordered` outer levels of nesting (those of the API's own schemas),
    not in the JSON a column holds."""
    if isinstance(suivi, dict) and isinstance(bare, dict):
        if (list(suivi) if ordered > 0 else set(suivi)) != (
            list(bare) if ordered > 0 else set(bare)
        ):
            return f"{where or 'body'}: fields {list(suivi)} (Suivi) != {list(bare)} (bare)"
        for key in suivi:
            found = _difference(suivi[key], bare[key], ordered - 1, f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(suivi, list) and isinstance(bare, list):
        if len(suivi) != len(bare):
            return f"{where}: {len(suivi)} entries (Suivi) != {len(bare)} (bare)"
        for index, (a, b) in enumerate(zip(suivi, bare, strict=True)):
            found = _difference(a, b, ordered - 1, f"{where}[{index}]")
            if found:
                return found
        return None
    if suivi != bare or type(suivi) is not type(bare):
        return f"{where}: {suivi!r:.200} (Suivi) != {bare!r:.200} (bare)"
    return None


async def _both(suivi: httpx.AsyncClient, bare: httpx.AsyncClient, path: str) -> list[bytes]:
    bodies = []
    for name, client in (("Suivi", suivi), ("bare app", bare)):
        response = await client.get(path)
        if response.status_code != 200:
            raise Mismatch(f"{name} answered {path} with {response.status_code}: {response.text}")
        bodies.append(response.content)
    return bodies


async def check_same_pages(
    suivi: httpx.AsyncClient,
    bare: httpx.AsyncClient,
    list_paths: Sequence[str],
    detail_paths: Sequence[str],
) -> list[str]:
    """Lines saying what was compared; Mismatch if the list pages or stats differ, or the bare
    detail differs from Suivi's on a field it has."""
    notes = []
    identical = 0
    for path in list_paths:
        suivi_body, bare_body = await _both(suivi, bare, path)
        # The page, its items, each item's fields.
        found = _difference(orjson.loads(suivi_body), orjson.loads(bare_body), ordered=3)
        if found:
            raise Mismatch(f"{path}: {found}")
        identical += suivi_body == bare_body
    notes.append(
        f"list: {len(list_paths)} pages equal, items and next_cursor ({identical} byte for byte)"
    )
    omitted: list[str] = []
    for path in detail_paths:
        suivi_body, bare_body = await _both(suivi, bare, path)
        whole, lean = orjson.loads(suivi_body), orjson.loads(bare_body)
        omitted = [key for key in whole if key not in lean]
        found = _difference({k: v for k, v in whole.items() if k in lean}, lean, ordered=1)
        if found:
            raise Mismatch(f"{path}: {found}")
    notes.append(
        f"detail: {len(detail_paths)} equal on the bare app's fields; it omits "
        + ", ".join(omitted)
    )
    suivi_body, bare_body = await _both(suivi, bare, STATS_PATH)
    found = _difference(orjson.loads(suivi_body), orjson.loads(bare_body), ordered=3)
    if found:
        raise Mismatch(f"{STATS_PATH}: {found}")
    notes.append(f"stats: equal ({'byte for byte' if suivi_body == bare_body else 'as JSON'})")
    return notes


# One client ------------------------------------------------------------------------------------


async def sequential(
    client: httpx.AsyncClient, paths: Sequence[str], *, count: int, seconds: float
) -> list[float]:
    """Seconds per request of one client requesting `paths` in turn, `count` times or for
    `seconds`, whichever ends first: the latency of the request alone. Failures are left out,
    counted and the first one shown."""
    latencies: list[float] = []
    failures: list[str] = []
    started = time.perf_counter()
    for index in range(count):
        if time.perf_counter() - started > seconds:
            break
        path = paths[index % len(paths)]
        began = time.perf_counter()
        try:
            response = await client.get(path)
        except httpx.TransportError as exc:
            failures.append(f"{path}: {type(exc).__name__} {exc}")
            continue
        if response.status_code == 200:
            latencies.append(time.perf_counter() - began)
        else:
            failures.append(f"{path}: {response.status_code} {response.text[:300]}")
    if failures:
        print(f"  {len(failures)} failed requests, the first: {failures[0]}")
    return latencies


# The corpus ------------------------------------------------------------------------------------


async def _fetch(url: str, query: str, *args: Any) -> list[Any]:
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


def _relevance(hrd: str) -> list[str]:
    return ["direct", "related"] if hrd == "any" else [hrd]


async def _hrd_states(url: str, hrd: str) -> list[tuple[str, int]]:
    """(State, matching UPR rows) for the list filter, most first."""
    rows = await _fetch(
        url,
        """
        SELECT r.state_code, count(*) AS n
        FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id
        WHERE b.mechanism_code = 'upr' AND r.hrd_relevance = ANY($1::text[])
        GROUP BY 1 ORDER BY 2 DESC, 1
        """,
        _relevance(hrd),
    )
    return [(row["state_code"], row["n"]) for row in rows]


async def _drawn_ids(url: str, rng: random.Random, count: int) -> list[int]:
    """`count` recommendation ids drawn at random, in the order drawn."""
    ((low, high),) = await _fetch(url, "SELECT min(id), max(id) FROM recommendations")
    candidates = [rng.randint(low, high) for _ in range(count * 2)]
    rows = await _fetch(url, "SELECT id FROM recommendations WHERE id = ANY($1)", candidates)
    present = {row["id"] for row in rows}
    return [id_ for id_ in dict.fromkeys(candidates) if id_ in present][:count]


async def schema_behind(url: str) -> str | None:
    """What `suivi serve` would migrate in `url`, or None: a given database is measured as it
    is, never changed behind the caller's back."""
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    rows = await _fetch(url, "SELECT version_num FROM alembic_version")
    current = {row["version_num"] for row in rows}
    if current == heads:
        return None
    return f"the database is at {sorted(current)}, the migrations at {sorted(heads)}"


async def _upr_body_ids(url: str) -> list[int]:
    rows = await _fetch(url, "SELECT id FROM bodies WHERE mechanism_code = 'upr' ORDER BY id")
    return [row["id"] for row in rows]


async def _upr_rows(url: str) -> int:
    ((count,),) = await _fetch(
        url,
        "SELECT count(*) FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id "
        "WHERE b.mechanism_code = 'upr'",
    )
    return int(count)


async def _deep_cursors(url: str, page: int) -> dict[str, str]:
    """Cursor of `page` of the UPR list in id and in descending date order, made as the API
    makes them: [sort, *sort values, last id]."""
    offset = (page - 1) * LIMIT - 1
    ((by_id,),) = await _fetch(
        url,
        """
        SELECT r.id FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id
        WHERE b.mechanism_code = 'upr' ORDER BY r.id OFFSET $1 LIMIT 1
        """,
        offset,
    )
    ((day, date_id),) = await _fetch(
        url,
        """
        SELECT COALESCE(r.issued_date, '-infinity'::date) AS day, r.id
        FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id
        WHERE b.mechanism_code = 'upr' ORDER BY 1 DESC, 2 DESC OFFSET $1 LIMIT 1
        """,
        offset,
    )
    return {
        "id": encode_cursor(["id", by_id]),
        "-date": encode_cursor(["-date", day.isoformat(), date_id]),
    }


# Plans -----------------------------------------------------------------------------------------


async def explain(url: str, statement: str, parameters: Sequence[Any]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement, without JIT as both apps run them."""
    connection = await asyncpg.connect(libpq_dsn(url), server_settings={"jit": "off"})
    try:
        rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *parameters)
    finally:
        await connection.close()
    return "\n".join("    " + row[0] for row in rows)


async def print_plans(url: str, hrd: str, states: Sequence[str], detail_id: int) -> None:
    """The plans of the bare app's statements: Suivi's list page must have the same one, and
    the benchmark holds no SQL of Suivi's own, which its service modules may change."""
    upr = await _upr_body_ids(url)
    plans: list[tuple[str, str, list[Any]]] = [
        *(
            (
                f"list page state={state}&mechanism=upr&hrd={hrd}",
                LIST_SQL[hrd],
                [state, upr, 0, LIMIT + 1],
            )
            for state in states
        ),
        (f"detail {detail_id}", DETAIL_SQL, [detail_id]),
        (STATS_PATH, STATS_SQL, [upr]),
    ]
    for label, statement, parameters in plans:
        print(f"EXPLAIN bare app, {label}:\n{await explain(url, statement, parameters)}")


# The run ---------------------------------------------------------------------------------------


async def compare(
    wrk: str,
    bases: dict[str, str],
    scenarios: Sequence[tuple[str, Sequence[str], str]],
    args: argparse.Namespace,
) -> None:
    """wrk against each app in turn, each scenario for --rounds rounds; medians and ratios."""
    with tempfile.TemporaryDirectory() as scripts:
        warm_up = Path(scripts) / "warm_up.lua"
        warm_up.write_text(
            lua_script([p for _, paths, _ in scenarios for p in paths[:50]], WRK_THREADS)
        )
        # Statement caches, pools and the database's buffers filled before anything counts.
        for base in bases.values():
            await run_wrk(wrk, base, warm_up, connections=args.connections, seconds=WARM_UP_SECONDS)
        for name, paths, label in scenarios:
            script = Path(scripts) / f"{name}.lua"
            script.write_text(lua_script(paths, WRK_THREADS))
            runs: dict[str, list[WrkFigures]] = {app: [] for app in bases}
            for _ in range(args.rounds):
                for app, base in bases.items():
                    runs[app].append(
                        await run_wrk(
                            wrk, base, script, connections=args.connections, seconds=args.seconds
                        )
                    )
            print(f"{name} {label}:")
            medians = {app: median_figures(figures) for app, figures in runs.items()}
            for app, figures in medians.items():
                rounds = " / ".join(f"{run.rate:,.0f}" for run in runs[app])
                each = f" (rounds: {rounds} req/s)" if args.rounds > 1 else ""
                print(f"  {app:5} {figures.summary()}{each}")
            suivi, bare = medians["suivi"], medians["bare"]
            if suivi.failures or bare.failures:
                print("  failed requests: no ratio")
                continue
            rate, p99 = suivi.rate / bare.rate, suivi.p99_ms / bare.p99_ms
            if name in LESS_THAN_SUIVI:
                print(
                    f"  Suivi/bare: throughput {rate:.2f}x, p99 {p99:.2f}x (no target: the bare "
                    "page holds less than Suivi's)"
                )
                continue
            print(
                f"  Suivi/bare: throughput {rate:.2f}x (target >= {TARGET_RATE_RATIO:g}x: "
                f"{_verdict(rate >= TARGET_RATE_RATIO)}), p99 {p99:.2f}x "
                f"(target <= {TARGET_P99_RATIO:g}x: {_verdict(p99 <= TARGET_P99_RATIO)})"
            )


async def deep_pages(client: httpx.AsyncClient, url: str, args: argparse.Namespace) -> None:
    """Page 10,000 against page 1 of the UPR list in both orders, one request at a time."""
    upr_rows = await _upr_rows(url)
    # Within the dated rows: at the end of `-date` order the undated ones share one sort value.
    page = min(DEEP_PAGE, max(2, int(upr_rows * 0.9) // LIMIT))
    for sort, cursor in (await _deep_cursors(url, page)).items():
        first = _path(mechanism="upr", sort=sort, limit=LIMIT)
        deep = _path(mechanism="upr", sort=sort, limit=LIMIT, cursor=cursor)
        response = await client.get(deep)
        returned = len(response.json()["items"]) if response.status_code == 200 else 0
        if returned != LIMIT:
            print(f"  page {page:,} of sort={sort} holds {returned} items, not {LIMIT}")
        firsts: list[float] = []
        deeps: list[float] = []
        # Alternated, so that a change in the machine's load weighs on both alike.
        for _ in range(args.repeats):
            firsts += await sequential(client, [first], count=1, seconds=args.seconds)
            deeps += await sequential(client, [deep], count=1, seconds=args.seconds)
        if not firsts or not deeps:
            print(f"deep page mechanism=upr&sort={sort}: no request succeeded, no figure")
            continue
        first_ms, deep_ms = statistics.median(firsts) * 1000, statistics.median(deeps) * 1000
        print(
            f"deep page mechanism=upr&sort={sort} ({upr_rows:,} rows), 1 client: page 1 median "
            f"{first_ms:.1f} ms, page {page:,} median {deep_ms:.1f} ms, ratio "
            f"{deep_ms / first_ms:.2f} (target <= {TARGET_DEEP_RATIO:g}: "
            f"{_verdict(deep_ms / first_ms <= TARGET_DEEP_RATIO)})"
        )


async def full_text(client: httpx.AsyncClient, args: argparse.Namespace) -> None:
    for language, queries in SEARCHES.items():
        paths = [_path(q=q, limit=LIMIT) for q in queries]
        # Each query once first, timed apart: its first request reads its rows from disk and
        # (the first of a process) loads the sentence encoder, costs that 3 of 50 requests
        # would otherwise make the p95.
        first = await sequential(client, paths, count=len(paths), seconds=args.seconds * 2)
        latencies = await sequential(client, paths, count=args.repeats, seconds=args.seconds * 2)
        if not latencies:
            print(f"full-text {language}: no request succeeded, no figure")
            continue
        p95 = _percentile_ms(latencies, 95)
        print(
            f"full-text {language} q={' | '.join(queries)}, 1 client, {len(latencies)} requests: "
            f"p50 {_percentile_ms(latencies, 50):.1f} ms, p95 {p95:.1f} ms "
            f"(target p95 < {TARGET_SEARCH_P95_MS:g} ms: {_verdict(p95 < TARGET_SEARCH_P95_MS)}); "
            f"each query's first request before: "
            + " / ".join(f"{seconds * 1000:.0f}" for seconds in first)
            + " ms"
        )


async def measure(url: str, args: argparse.Namespace) -> None:
    """Start both apps, check they serve the same pages, and print every figure."""
    wrk = ensure_wrk()
    rng = random.Random(2026)
    states = await _hrd_states(url, args.hrd)
    # Requests spread over States as the data is: a busy State is asked about more often.
    drawn = rng.choices([s for s, _ in states], [n for _, n in states], k=DRAWN)
    list_paths = [_path(state=s, mechanism="upr", hrd=args.hrd, limit=LIMIT) for s in drawn]
    detail_ids = await _drawn_ids(url, rng, DRAWN)
    detail_paths = [f"/v1/recommendations/{id_}" for id_ in detail_ids]
    busiest, median_state = states[0][0], states[len(states) // 2][0]
    compared = [
        _path(state=s, mechanism="upr", hrd=args.hrd, limit=LIMIT)
        for s in dict.fromkeys([busiest, median_state, states[-1][0], *drawn[:7]])
    ]

    workers: int | None = args.workers
    if not serve_takes_workers():
        if args.workers != 1:
            print(f"suivi serve has no --workers: both apps run 1 worker, not {args.workers}")
        workers = None
    ports = {"bare": _free_port(), "suivi": _free_port()}
    async with (
        serving("bare app", bare_command(ports["bare"], workers or 1), ports["bare"], url) as bare,
        serving(
            "suivi serve", suivi_command(ports["suivi"], workers), ports["suivi"], url
        ) as suivi,
        httpx.AsyncClient(base_url=suivi, timeout=60, limits=CLIENT_LIMITS) as suivi_client,
        httpx.AsyncClient(base_url=bare, timeout=60, limits=CLIENT_LIMITS) as bare_client,
    ):
        print(
            f"apps: suivi serve and bench/bare_app.py under uvicorn, {workers or 1} worker(s) "
            f"each, loopback; wrk -t{WRK_THREADS} -c{args.connections} --latency, "
            f"{args.seconds:g} s per run, median of {args.rounds} round(s), bare then Suivi"
        )
        for note in await check_same_pages(suivi_client, bare_client, compared, detail_paths[:5]):
            print(f"same pages: {note}")
        scenarios = [
            (
                "list",
                list_paths,
                f"/v1/recommendations?state=<{len(set(drawn))} States>&mechanism=upr"
                f"&hrd={args.hrd}&limit={LIMIT}",
            ),
            (
                "detail",
                detail_paths,
                f"/v1/recommendations/<{len(detail_paths)} ids> (bare: no follow-up record)",
            ),
            ("stats", [STATS_PATH], STATS_PATH),
        ]
        await compare(wrk, {"bare": bare, "suivi": suivi}, scenarios, args)
        await deep_pages(suivi_client, url, args)
        await full_text(suivi_client, args)

    if args.explain:
        await print_plans(url, args.hrd, [busiest, median_state], detail_ids[0])


async def run(args: argparse.Namespace) -> None:
    # Other work on the machine skews every figure: say how busy it was.
    print(f"load average at start: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
    scratch = args.database_url is None
    admin = admin_url() if scratch else ""
    url: str = await fresh_database(admin) if scratch else args.database_url
    try:
        behind = None if scratch else await schema_behind(url)
        if behind:
            raise SystemExit(f"{behind}: run `suivi migrate` on it first")
        ((empty,),) = await _fetch(url, "SELECT NOT EXISTS (SELECT 1 FROM recommendations)")
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
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="wrk runs per app and scenario")
    parser.add_argument("--connections", type=int, default=32, help="wrk's open connections")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each app")
    parser.add_argument("--repeats", type=int, default=50, help="requests per one-client figure")
    parser.add_argument("--hrd", choices=["direct", "related", "any"], default="direct")
    parser.add_argument("--explain", action="store_true", help="print the plans of the queries")
    args = parser.parse_args()
    try:
        asyncio.run(run(args))
    except Mismatch as exc:
        sys.exit(f"the bare app does not serve Suivi's page, nothing measured: {exc}")


if __name__ == "__main__":
    main()
