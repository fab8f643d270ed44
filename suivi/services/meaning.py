"""Search by meaning: the texts nearest to a query, in any language the encoder reads.

The query's vector is computed once per distinct query and process (a few milliseconds), off
the event loop. The neighbours come from
the process's copy of the vectors (suivi/vectors.py) and go into the SQL as bound ids, where
the list's other filters, the counts and the order apply to them as to any filter.
"""

import asyncio
from collections import OrderedDict

from suivi.encoder import Encoder, Vectors, get_encoder
from suivi.reads import Reads
from suivi.services.recommendation_filters import RecommendationFilters, SearchMode
from suivi.vectors import Neighbours

# How many of the nearest texts a query considers, and how similar they must be. On the
# evaluation set (bench/meaning_quality.py) a relevant English text answers a French, Spanish
# or Arabic query at 0.35 and more; unrelated texts stay mostly below.
NEAR_LIMIT = 1000
NEAR_MINIMUM = 0.35
_QUERIES_KEPT = 512


class _QueryVectors:
    """The vectors of recent queries: a dashboard asks the same few again and again."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, str], Vectors] = OrderedDict()

    async def of(self, encoder: Encoder, query: str) -> Vectors:
        key = (encoder.name, query)
        vector = self._kept.get(key)
        if vector is None:
            vector = (await asyncio.to_thread(encoder.encode, [query]))[0]
            self._kept[key] = vector
            if len(self._kept) > _QUERIES_KEPT:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(key)
        return vector


_query_vectors = _QueryVectors()


async def near(reads: Reads, query: str, *, encoder: Encoder | None = None) -> Neighbours:
    """The texts nearest in meaning to `query`, most similar first."""
    encoder = encoder or get_encoder()
    vector = await _query_vectors.of(encoder, query)
    return await reads.nearest(
        encoder.name, encoder.dimensions, vector, limit=NEAR_LIMIT, minimum=NEAR_MINIMUM
    )


async def with_meaning(reads: Reads, filters: RecommendationFilters) -> RecommendationFilters:
    """`filters` ready to bind: with the nearest texts to `q` unless `search=lexical`."""
    query = filters.query
    if query is None or filters.search_mode is SearchMode.LEXICAL:
        return filters
    found = await near(reads, query)
    if not found.ids and filters.search_mode is SearchMode.HYBRID:
        # Nothing near (nothing embedded yet): words alone, by the lexical path's plan.
        return filters
    return filters.with_near(found)


async def similar_to(
    reads: Reads, recommendation_id: int, *, limit: int, encoder: Encoder | None = None
) -> Neighbours | None:
    """The recommendations nearest to one, itself left out; None when it has no vector yet."""
    encoder = encoder or get_encoder()
    vector = await reads.vector_of(encoder.name, encoder.dimensions, recommendation_id)
    if vector is None:
        return None
    found = await reads.nearest(
        encoder.name, encoder.dimensions, vector, limit=limit + 1, minimum=-1.0
    )
    pairs = [
        (i, s) for i, s in zip(found.ids, found.similarities, strict=True) if i != recommendation_id
    ][:limit]
    return Neighbours([i for i, _ in pairs], [s for _, s in pairs])
