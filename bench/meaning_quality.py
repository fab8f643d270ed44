"""Search by meaning, measured through the API on the real UPR Info exports.

    python -m bench.meaning_quality postgresql+asyncpg://postgres@127.0.0.1:5432/meaning_quality

The database is created when missing, migrated, loaded with the real UPR Info files and
embedded (`suivi import`, `suivi embed`), then asked, through the application's own HTTP
interface, what bench/data/meaning_eval.json labels:
- precision@10 of French, Spanish and Arabic queries on the English texts, for `search=hybrid`
  (the default), `semantic` and `lexical`, in each topic's first wording and rephrased;
- recall@10 of cycle-1 repeats among `/v1/recommendations/{id}/similar` of their cycle-2 text,
  with and without `state=` (the repeats are the same State's);
- purity of the clusters on the labelled pairs (repeats together, other topics apart).
Targets (issue): precision@10 at least 0.8, recall@10 at least 0.9.
"""

import asyncio
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from api.app import create_app
from bench.meaning_eval import LANGUAGES, K, load, pair_purity, query_precision
from suivi.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "upr-info"
SUIVI = [str(Path(sys.executable).with_name("suivi"))]
MODES = ("hybrid", "semantic", "lexical")
# The queries the centring was chosen on, and the same topics rephrased afterwards (held out).
WORDINGS = ("first", "rephrased")


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _prepare(url: str) -> None:
    """Create, migrate, load and embed the database unless it holds recommendations."""
    name = make_url(url).database
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    env = {"SUIVI_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    await asyncio.to_thread(subprocess.run, [*SUIVI, "migrate"], env=env, check=True)
    connection = await asyncpg.connect(_dsn(url))
    try:
        loaded = await connection.fetchval("SELECT count(*) FROM recommendations")
    finally:
        await connection.close()
    if not loaded:
        for path in sorted(DATA.glob("*.csv")):
            await asyncio.to_thread(
                subprocess.run, [*SUIVI, "import", str(path)], env=env, check=True
            )
    await asyncio.to_thread(subprocess.run, [*SUIVI, "embed", "--quiet"], env=env, check=True)


async def _ids(url: str, keys: Sequence[str]) -> dict[str, int]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT natural_key, id FROM recommendations WHERE natural_key = ANY($1)", list(keys)
        )
    finally:
        await connection.close()
    return {row["natural_key"]: row["id"] for row in rows}


async def _clusters(url: str, ids: Sequence[int]) -> dict[int, int]:
    connection = await asyncpg.connect(_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT recommendation_id, cluster_id FROM cluster_members "
            "WHERE recommendation_id = ANY($1)",
            list(ids),
        )
    finally:
        await connection.close()
    return {row["recommendation_id"]: row["cluster_id"] for row in rows}


async def _texts(client: httpx.AsyncClient, params: dict[str, Any]) -> list[str]:
    response = await client.get("/v1/recommendations", params=params)
    response.raise_for_status()
    return [item["text"] for item in response.json()["items"]]


async def main(url: str) -> None:
    await _prepare(url)
    evalset = load()
    ids = await _ids(url, list(evalset.rows))
    missing = set(evalset.rows) - set(ids)
    if missing:
        raise SystemExit(f"{len(missing)} rows of the evaluation set are not in the database")

    app = create_app(Settings(database_url=url, embed_in_background=False))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://suivi") as client,
    ):
        print(f"| search | {' | '.join(LANGUAGES)} | all |")
        print("| --- | " + " | ".join("---" for _ in LANGUAGES) + " | --- |")
        for wording in WORDINGS:
            for mode in MODES:
                by_language: dict[str, list[float]] = {code: [] for code in LANGUAGES}
                for topic in evalset.topics:
                    queries = topic.queries if wording == "first" else topic.rephrased
                    for code in LANGUAGES:
                        texts = await _texts(
                            client, {"q": queries[code], "search": mode, "limit": K}
                        )
                        by_language[code].append(query_precision(topic, texts))
                means = [sum(v) / len(v) for v in by_language.values()]
                overall = sum(sum(v) for v in by_language.values()) / sum(
                    len(v) for v in by_language.values()
                )
                cells = " | ".join(f"{m:.2f}" for m in means)
                print(f"| {mode} precision@{K}, {wording} wording | {cells} | {overall:.2f} |")

        for scoped in (True, False):
            found = 0
            for pair in evalset.repeats:
                later = ids[pair.later]
                params: dict[str, str | int] = {"limit": K}
                if scoped:
                    params["state"] = evalset.rows[pair.later].state
                response = await client.get(f"/v1/recommendations/{later}/similar", params=params)
                response.raise_for_status()
                neighbours = [item["id"] for item in response.json()["items"]]
                found += ids[pair.earlier] in neighbours
            recall = found / len(evalset.repeats)
            scope = "same State (state=)" if scoped else "every State"
            print(f"repeat recall@{K} via /similar, {scope}: {recall:.2f}")

    clusters = await _clusters(url, list(ids.values()))
    by_key = {key: clusters.get(ids[key], -ids[key]) for key in evalset.rows}
    purity = pair_purity(by_key, evalset.repeats, evalset.differing)
    print(
        f"cluster purity: repeats together {purity.together:.2f}, other topics apart "
        f"{purity.apart:.2f}, score {purity.score:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
