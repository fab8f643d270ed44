"""How long search by meaning takes: a query's vector, the nearest texts, a whole list page.

    python -m bench.meaning_speed postgresql+asyncpg://...   # a database with `suivi embed` done
    python -m bench.meaning_speed URL --borrow-vectors EMBEDDED_URL   # a generated corpus

Prints, for queries in four languages: the encoder's time per new query, the nearest-texts
search (pgvector's index where the database has one, else the process's exact copy), and a
first list page of `q` by `search=lexical`, `hybrid` and `semantic` through the read pool, as
the API reads it (median and 95th percentile of repeated runs, query vectors cached as in a
server).

`--borrow-vectors` measures a large generated corpus (bench/generate_corpus.py) without
embedding a million generated texts (half an hour of a core): every recommendation without a
vector takes, in turn, the vector of one of EMBEDDED_URL's real texts. A search's cost does not
depend on what the vectors say, only on how many there are and how many answer a query; real
texts' vectors, each given to many rows, answer real queries as a larger real corpus would.
"""

import argparse
import asyncio
import statistics
import time

import asyncpg
from sqlalchemy.engine import make_url

from suivi.encoder import get_encoder
from suivi.reads import ReadPool
from suivi.services import meaning
from suivi.services.recommendation_filters import RecommendationFilters, SearchMode
from suivi.services.recommendations import Sort, list_page
from suivi.services.search import NEAR_LIMIT
from suivi.settings import Settings

QUERIES = (
    "human rights defenders",
    "défenseurs des droits humains",
    "libertad de expresión de los periodistas",
    "حقوق المرأة",
    "abolish the death penalty",
    "prévenir la torture dans les prisons",
)
ROUNDS = 20


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def borrow_vectors(url: str, source_url: str, model: str) -> int:
    """Give every recommendation of `url` without a vector one of `source_url`'s, in turn."""
    source = await asyncpg.connect(_dsn(source_url))
    try:
        vectors = await source.fetch(
            "SELECT embedding FROM recommendation_embeddings WHERE model = $1 ORDER BY seq", model
        )
    finally:
        await source.close()
    if not vectors:
        raise SystemExit(f"{source_url} holds no vectors of {model}: run `suivi embed` there")
    target = await asyncpg.connect(_dsn(url))
    try:
        async with target.transaction():
            await target.execute("CREATE TEMPORARY TABLE borrowed (n int, embedding bytea)")
            await target.copy_records_to_table(
                "borrowed", records=[(n, row["embedding"]) for n, row in enumerate(vectors)]
            )
            status = await target.execute(
                "INSERT INTO recommendation_embeddings (recommendation_id, model, text_hash, "
                "embedding) SELECT r.id, $1, md5(r.text), b.embedding FROM recommendations r "
                "JOIN borrowed b ON b.n = r.id % $2 WHERE NOT EXISTS (SELECT 1 FROM "
                "recommendation_embeddings e WHERE e.recommendation_id = r.id)",
                model,
                len(vectors),
            )
            await target.execute(
                "DELETE FROM embedding_queue q USING recommendation_embeddings e "
                "WHERE e.recommendation_id = q.recommendation_id"
            )
        await target.execute("VACUUM ANALYZE recommendation_embeddings")
    finally:
        await target.close()
    return int(status.split()[-1])


async def main(url: str) -> None:
    encoder = get_encoder()
    meaning.query_vector("warm up")
    pool = ReadPool(url, Settings(database_url=url))
    try:
        indexed = await pool.indexed_dimensions() == encoder.dimensions
        copy = await pool.vectors(encoder.name, encoder.dimensions)
        how = "pgvector HNSW" if indexed else "exact numpy copy"
        print(f"{len(copy):,} vectors; nearest texts by {how}")

        encoding = []
        for query in QUERIES:
            started = time.perf_counter()
            encoder.encode([query + " ?"])
            encoding.append(time.perf_counter() - started)
        print(f"query vector (new query): {_ms(encoding)}")

        nearest = []
        for _ in range(ROUNDS):
            for query in QUERIES:
                vector = meaning.query_vector(query)
                started = time.perf_counter()
                await pool.nearest(
                    encoder.name,
                    encoder.dimensions,
                    vector,
                    limit=NEAR_LIMIT,
                    minimum=meaning.NEAR_MINIMUM,
                )
                nearest.append(time.perf_counter() - started)
        print(f"nearest {NEAR_LIMIT:,} texts: {_ms(nearest)}")

        for mode in SearchMode:
            pages = []
            for _ in range(ROUNDS):
                for query in QUERIES:
                    started = time.perf_counter()
                    filters = await meaning.with_meaning(
                        pool, RecommendationFilters(q=query, search=mode)
                    )
                    await list_page(pool, limit=50, filters=filters, sort=Sort.RELEVANCE)
                    pages.append(time.perf_counter() - started)
            print(f"first page of 50, search={mode.value}: {_ms(pages)}")
    finally:
        await pool.close()


async def _run(url: str, borrow_from: str | None) -> None:
    if borrow_from is not None:
        started = time.perf_counter()
        given = await borrow_vectors(url, borrow_from, get_encoder().name)
        seconds = time.perf_counter() - started
        print(f"{given:,} recommendations given a borrowed vector in {seconds:.0f} s")
    await main(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="the database to measure")
    parser.add_argument(
        "--borrow-vectors", metavar="EMBEDDED_URL", help="a database with `suivi embed` done"
    )
    arguments = parser.parse_args()
    asyncio.run(_run(arguments.url, arguments.borrow_vectors))
