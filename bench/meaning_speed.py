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
vector takes, in turn, one of EMBEDDED_URL's real texts' vectors, moved a little by noise (and,
where the database has pgvector, the HNSW index is built once after). A search's cost does not
depend on what the vectors say, only on how many there are and how many answer a query; real
texts' vectors, each given to many rows, answer real queries as a larger real corpus would.
"""

import argparse
import asyncio
import statistics
import struct
import time

import asyncpg
import numpy as np
import numpy.typing as npt

from bench.databases import libpq_dsn
from suivi.encoder import get_encoder
from suivi.reads import ReadPool, Statement
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
COUNT_VECTORS = Statement(
    "SELECT count(*) FROM recommendation_embeddings WHERE model = $1", ("model",), {}
)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


# Each borrowed vector is moved off its source by noise of this norm (cosine about 0.95 to it):
# a million rows sharing 15,690 exact points would be a degenerate graph for an HNSW index.
NOISE = 0.33
BATCH = 50_000


def _pgvector_binary(vector: npt.NDArray[np.float32]) -> bytes:
    # pgvector's binary form: dimensions and a reserved word (int16 each), then big-endian floats.
    return struct.pack(">hh", len(vector), 0) + vector.astype(">f4").tobytes()


async def borrow_vectors(url: str, source_url: str, model: str, *, index_memory: str) -> int:
    """Give every recommendation of `url` without a vector one near one of `source_url`'s."""
    source = await asyncpg.connect(libpq_dsn(source_url))
    try:
        rows = await source.fetch(
            "SELECT embedding FROM recommendation_embeddings WHERE model = $1 ORDER BY seq", model
        )
    finally:
        await source.close()
    if not rows:
        raise SystemExit(f"{source_url} holds no vectors of {model}: run `suivi embed` there")
    base = np.stack([np.frombuffer(row["embedding"], dtype="<f4") for row in rows])
    target = await asyncpg.connect(libpq_dsn(url))
    try:
        index = await target.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'recommendation_embeddings' "
            "AND indexdef LIKE '%hnsw%'"
        )
        if index:
            await target.set_type_codec(
                "vector", encoder=_pgvector_binary, decoder=bytes, format="binary"
            )
            # One build after the load costs far less than a million insertions into the graph.
            await target.execute("DROP INDEX ix_recommendation_embeddings_hnsw")
        try:
            given = await _copy_borrowed(target, base, model, with_vector=bool(index))
        finally:
            if index:
                # Rebuilt whatever happened: a database left without its index would be searched
                # exactly, by every process, without a word.
                await target.execute(f"SET maintenance_work_mem = '{index_memory}'")
                await target.execute(index)
        await target.execute("VACUUM ANALYZE recommendation_embeddings")
    finally:
        await target.close()
    return given


async def _copy_borrowed(
    target: asyncpg.Connection, base: npt.NDArray[np.float32], model: str, *, with_vector: bool
) -> int:
    rng = np.random.default_rng(2026)
    missing = await target.fetch(
        "SELECT id, md5(text) FROM recommendations r WHERE NOT EXISTS "
        "(SELECT 1 FROM recommendation_embeddings e WHERE e.recommendation_id = r.id) "
        "ORDER BY id"
    )
    columns = ["recommendation_id", "model", "text_hash", "embedding"]
    if with_vector:
        columns.append("embedding_vector")
    for first in range(0, len(missing), BATCH):
        batch = missing[first : first + BATCH]
        ids = np.array([row[0] for row in batch])
        noise = rng.standard_normal((len(batch), base.shape[1])).astype(np.float32)
        moved = base[ids % len(base)] + NOISE * noise / np.sqrt(base.shape[1])
        moved /= np.linalg.norm(moved, axis=1, keepdims=True)
        records = [
            (row[0], model, row[1], vector.astype("<f4").tobytes(), vector)[: len(columns)]
            for row, vector in zip(batch, moved, strict=True)
        ]
        await target.copy_records_to_table(
            "recommendation_embeddings", records=records, columns=columns
        )
    await target.execute(
        "DELETE FROM embedding_queue q USING recommendation_embeddings e "
        "WHERE e.recommendation_id = q.recommendation_id"
    )
    return len(missing)


async def main(url: str) -> None:
    encoder = get_encoder()
    meaning.query_vector("warm up")
    pool = ReadPool(url, Settings(database_url=url))
    try:
        if await pool.indexed_dimensions() == encoder.dimensions:
            # The index serves: the process's copy is never read, and not loaded here either.
            rows = await pool.fetch(COUNT_VECTORS, {"model": encoder.name})
            count, how = rows[0][0], "pgvector HNSW"
        else:
            count, how = len(await pool.vectors(encoder.name, encoder.dimensions)), "exact copy"
        print(f"{count:,} vectors; nearest texts by {how}")

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


async def _run(url: str, borrow_from: str | None, index_memory: str) -> None:
    if borrow_from is not None:
        started = time.perf_counter()
        given = await borrow_vectors(
            url, borrow_from, get_encoder().name, index_memory=index_memory
        )
        seconds = time.perf_counter() - started
        print(f"{given:,} recommendations given a borrowed vector in {seconds:.0f} s")
    await main(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="the database to measure")
    parser.add_argument(
        "--borrow-vectors", metavar="EMBEDDED_URL", help="a database with `suivi embed` done"
    )
    parser.add_argument(
        "--index-memory",
        default="4GB",
        help="maintenance_work_mem of the HNSW build: the graph of a million vectors takes 2-3 GB",
    )
    arguments = parser.parse_args()
    asyncio.run(_run(arguments.url, arguments.borrow_vectors, arguments.index_memory))
