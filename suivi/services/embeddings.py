"""Vectors for queued texts: in batches, after the imports, resumably, one embedder at a time.

The queue (migration 0015) holds every recommendation whose text is new or changed. A drain
reads a batch of texts, computes their vectors outside any transaction (a second or two of
CPU), then writes them and takes from the queue only the entries whose text is still the one
embedded: a text changed meanwhile stays queued and is embedded again. An interrupted drain
loses at most the batch in hand. A PostgreSQL advisory lock lets one process drain at a time,
whichever started it (`suivi embed`, or the worker of one `suivi serve` process).
"""

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import BigInteger, LargeBinary, Text

from suivi.encoder import Encoder
from suivi.reads import PGVECTOR_DIMENSIONS
from suivi.vectors import vector_literal

# pg_advisory_lock's key: "suivi" and "embed" in ASCII, held by the one process draining.
LOCK_KEY = 0x7375697669_656D
DEFAULT_BATCH_SIZE = 64

_REQUEUE_OTHER_MODELS = text(
    "INSERT INTO embedding_queue (recommendation_id) "
    "SELECT recommendation_id FROM recommendation_embeddings WHERE model <> :model "
    "ON CONFLICT DO NOTHING"
)
_REQUEUE_ALL = text(
    "INSERT INTO embedding_queue (recommendation_id) SELECT id FROM recommendations "
    "ON CONFLICT DO NOTHING"
)
_PENDING = text("SELECT count(*) FROM embedding_queue")
_BATCH = text(
    "SELECT q.recommendation_id, r.text FROM embedding_queue q "
    "JOIN recommendations r ON r.id = q.recommendation_id "
    "ORDER BY q.recommendation_id LIMIT :size"
)
_WRITE = text(
    "INSERT INTO recommendation_embeddings (recommendation_id, model, text_hash, embedding) "
    "SELECT * FROM unnest(:ids, :models, :hashes, :embeddings) "
    "ON CONFLICT (recommendation_id) DO UPDATE SET model = excluded.model, "
    "text_hash = excluded.text_hash, embedding = excluded.embedding, seq = DEFAULT, "
    "embedded_at = now()"
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())),
    bindparam("models", type_=ARRAY(Text())),
    bindparam("hashes", type_=ARRAY(Text())),
    bindparam("embeddings", type_=ARRAY(LargeBinary())),
)
_WRITE_INDEXED = text(
    "UPDATE recommendation_embeddings e SET embedding_vector = v.literal::vector "
    "FROM unnest(:ids, :literals) AS v(id, literal) WHERE e.recommendation_id = v.id"
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())),
    bindparam("literals", type_=ARRAY(Text())),
)
# Only entries whose text is the one embedded: a text changed since stays queued.
_DEQUEUE = text(
    "DELETE FROM embedding_queue q USING recommendations r, "
    "unnest(:ids, :hashes) AS done(id, text_hash) "
    "WHERE q.recommendation_id = done.id AND r.id = done.id AND md5(r.text) = done.text_hash"
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())),
    bindparam("hashes", type_=ARRAY(Text())),
)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a drain stands: vectors written so far, texts still queued, seconds spent."""

    embedded: int
    remaining: int
    seconds: float

    @property
    def rate(self) -> float:
        """Texts per second so far."""
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


def text_hash(value: str) -> str:
    """md5 of a text, as PostgreSQL's md5() writes it: tells an embedded text from a changed one."""
    return hashlib.md5(value.encode(), usedforsecurity=False).hexdigest()


async def pending(connection: AsyncConnection) -> int:
    """How many texts wait for their vector."""
    return int((await connection.execute(_PENDING)).scalar_one())


async def requeue_all(engine: AsyncEngine) -> int:
    """Queue every recommendation again (after a model change, or to start afresh)."""
    async with engine.begin() as connection:
        await connection.execute(_REQUEUE_ALL)
        return await pending(connection)


@asynccontextmanager
async def embedder_lock(engine: AsyncEngine, *, wait: bool) -> AsyncIterator[bool]:
    """Whether this process holds the embedder's lock (held until the block ends).

    Without `wait`, False at once when another process holds it.
    """
    async with engine.connect() as connection:
        if wait:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            held = True
        else:
            held = bool(
                (
                    await connection.execute(
                        text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
                    )
                ).scalar_one()
            )
        await connection.commit()
        try:
            yield held
        finally:
            if held:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                await connection.commit()


async def _queued(connection: AsyncConnection, size: int) -> list[tuple[int, str]]:
    rows = (await connection.execute(_BATCH, {"size": size})).all()
    return [(row[0], row[1]) for row in rows]


async def _write(
    connection: AsyncConnection, encoder: Encoder, rows: Sequence[tuple[int, str]]
) -> int:
    """Compute and write the vectors of `rows`; how many entries left the queue."""
    ids = [recommendation_id for recommendation_id, _ in rows]
    texts = [value for _, value in rows]
    vectors = await asyncio.to_thread(encoder.encode, texts)
    hashes = [text_hash(value) for value in texts]
    await connection.execute(
        _WRITE,
        {
            "ids": ids,
            "models": [encoder.name] * len(ids),
            "hashes": hashes,
            "embeddings": [vector.astype("<f4").tobytes() for vector in vectors],
        },
    )
    indexed = await _indexed_dimensions(connection)
    if indexed is not None:
        # pgvector's copy, for its index: these vectors if their size is the index's, else none.
        literals = (
            [vector_literal(vector) for vector in vectors]
            if indexed == encoder.dimensions
            else [None] * len(ids)
        )
        await connection.execute(_WRITE_INDEXED, {"ids": ids, "literals": literals})
    taken = await connection.execute(_DEQUEUE, {"ids": ids, "hashes": hashes})
    return int(taken.rowcount)


async def _indexed_dimensions(connection: AsyncConnection) -> int | None:
    row = (await connection.execute(text(PGVECTOR_DIMENSIONS.sql))).first()
    return None if row is None else int(row[0])


async def embed_queued(connection: AsyncConnection, encoder: Encoder, *, size: int) -> int:
    """Embed up to `size` queued texts inside the caller's transaction (a small job, a test)."""
    rows = await _queued(connection, size)
    return await _write(connection, encoder, rows) if rows else 0


async def _embed_batch(engine: AsyncEngine, encoder: Encoder, size: int) -> int:
    # Read, then encode with no transaction open (a second or two), then write.
    async with engine.connect() as connection:
        rows = await _queued(connection, size)
        await connection.rollback()
    if not rows:
        return 0
    async with engine.begin() as connection:
        taken = await _write(connection, encoder, rows)
    # Vectors written, entries taken off the queue (fewer when texts changed meanwhile).
    return len(rows) if taken else 0


async def drain(
    engine: AsyncEngine,
    encoder: Encoder,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[Progress], None] | None = None,
) -> Progress:
    """Embed queued texts until none is left; the caller holds `embedder_lock`.

    Vectors of another model are queued again first, so a model change recomputes them all.
    """
    started = time.monotonic()
    async with engine.begin() as connection:
        await connection.execute(_REQUEUE_OTHER_MODELS, {"model": encoder.name})
    embedded = 0
    while True:
        # 0 also when no entry could be taken: the texts keep changing; the next drain retries.
        done = await _embed_batch(engine, encoder, batch_size)
        embedded += done
        async with engine.connect() as connection:
            remaining = await pending(connection)
        progress = Progress(embedded, remaining, time.monotonic() - started)
        if on_progress is not None and done:
            on_progress(progress)
        if not done or not remaining:
            return progress
