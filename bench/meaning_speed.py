"""How long search by meaning takes: a query's vector, the nearest texts, a whole list page.

    python -m bench.meaning_speed postgresql+asyncpg://...   # a database with `suivi embed` done

Prints, for queries in four languages: the encoder's time per new query, the nearest-texts
search (pgvector's index where the database has one, else the process's exact copy), and a
first list page of `q` by `search=lexical`, `hybrid` and `semantic` through the read pool, as
the API reads it (median and 95th percentile of repeated runs, query vectors cached as in a
server).
"""

import asyncio
import statistics
import sys
import time

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


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
