"""Search by meaning: the texts nearest to a query, in any language the encoder reads.

The query's vector is computed once per distinct query and process (a few milliseconds), off
the event loop; the first query of a process also computes the centre the queries are moved by
(about 1 s). The neighbours come from pgvector's index or the process's copy of the vectors
(suivi/reads.py, suivi/vectors.py) and go into the SQL as bound ids, where the list's other
filters, the counts and the order apply to them as to any filter.
"""

import asyncio
import threading
from functools import cache, lru_cache

import numpy as np

from suivi import labels
from suivi.encoder import Vectors, get_encoder
from suivi.errors import MeaningUnavailable
from suivi.reads import Reads
from suivi.services.recommendation_filters import RecommendationFilters, SearchMode
from suivi.services.search import NEAR_LIMIT
from suivi.vectors import Neighbours

# How similar a text must be to a query to count as found by meaning, the query centred (below).
# Measured on bench/data/meaning_eval.json: texts a topic's rule calls relevant answer its French,
# Spanish or Arabic queries at 0.01-0.52 (5th-95th percentile, median 0.26), the others at 0.18
# (95th percentile) and 0.29 (99th). Per query, on average, at 0.30 the first page's precision@10
# is 0.86 and 70% of the (at most 1,000) texts kept are relevant; at 0.25, 0.88 and 57%; at
# 0.35, 0.81 and 72%.
NEAR_MINIMUM = 0.30


_centre_lock = threading.Lock()


@cache
def _centre(model: str) -> Vectors:
    centre: Vectors = get_encoder().encode(labels.phrases()).mean(axis=0)
    centre.setflags(write=False)
    return centre


def phrase_centre() -> Vectors:
    """The direction every short phrase shares, whatever it says: the mean of the labels' vectors.

    A query of three words lies nearer to short generic texts ("Combat extreme poverty") than to
    the long recommendations that answer it; taking this common part away leaves what the words
    mean. Estimated from the label catalogue (its distinct phrases in four languages), never
    from the evaluation's queries: precision@10 of those rises from 0.82 to 0.89 (pure cosine
    ranking). Computed once per process and model (about 1 s), by one thread while the others
    wait.
    """
    with _centre_lock:
        return _centre(get_encoder().name)


@lru_cache(maxsize=512)
def query_vector(query: str) -> Vectors:
    """A query's vector, centred; a dashboard asks the same few queries: each is encoded once."""
    shifted = get_encoder().encode([query])[0] - phrase_centre()
    vector: Vectors = (shifted / np.linalg.norm(shifted)).astype(np.float32)
    # Shared by every request that asks the same words: nobody may change it.
    vector.setflags(write=False)
    return vector


async def near(reads: Reads, query: str) -> Neighbours:
    """The texts nearest in meaning to `query`, most similar first."""
    encoder = get_encoder()
    vector = await asyncio.to_thread(query_vector, query)
    return await reads.nearest(
        encoder.name, encoder.dimensions, vector, limit=NEAR_LIMIT, minimum=NEAR_MINIMUM
    )


async def with_meaning(reads: Reads, filters: RecommendationFilters) -> RecommendationFilters:
    """`filters` ready to bind: with the nearest texts to `q` unless `search=lexical`."""
    query = filters.query
    if query is None or filters.search_mode is SearchMode.LEXICAL:
        return filters
    try:
        found = await near(reads, query)
    except MeaningUnavailable:
        if filters.search_mode is SearchMode.HYBRID:
            # Words alone, as before the texts had vectors; the refusal is logged once.
            return filters
        raise
    if not found.ids and filters.search_mode is SearchMode.HYBRID:
        # Nothing near (nothing embedded yet): words alone, by the lexical path's plan.
        return filters
    return filters.with_near(found)


async def similar_to(reads: Reads, recommendation_id: int, *, limit: int) -> Neighbours | None:
    """The recommendations nearest to one, itself left out; None when it has no vector yet."""
    encoder = get_encoder()
    vector = await reads.vector_of(encoder.name, encoder.dimensions, recommendation_id)
    if vector is None:
        return None
    found = await reads.nearest(
        encoder.name, encoder.dimensions, vector, limit=limit + 1, minimum=-1.0
    )
    kept = [i for i, found_id in enumerate(found.ids) if found_id != recommendation_id][:limit]
    return Neighbours([found.ids[i] for i in kept], [found.similarities[i] for i in kept])
