"""The vectors of meaning as one process holds them: exact nearest neighbours in numpy.

PostgreSQL keeps the vectors (`recommendation_embeddings`); each API process keeps a copy in
one float32 matrix and reads only the rows written since (`seq`), so a search costs one matrix
product and a partial sort: 10 ms median for the 1,000 nearest of 15,690 texts here, round trip
included (bench/meaning_speed.py), growing linearly (the matrix is 2 KB a text).
Exact, so nothing depends on an index extension the server may lack.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from suivi.encoder import Vectors


@dataclass(frozen=True, slots=True)
class Neighbours:
    """Recommendation ids, most similar first, with their cosine similarity."""

    ids: list[int]
    similarities: list[float]


NO_NEIGHBOURS = Neighbours([], [])


def vector_literal(vector: Vectors) -> str:
    """A vector as pgvector reads it from text: `[0.1,0.2,...]`."""
    return "[" + ",".join(format(float(x), ".8g") for x in vector) + "]"


class VectorCopy:
    """One model's vectors: ids, a matrix grown in place, and the last `seq` read."""

    def __init__(self, model: str, dimensions: int) -> None:
        self.model = model
        self.dimensions = dimensions
        self.last_seq = 0
        self._ids: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._matrix: Vectors = np.zeros((0, dimensions), dtype=np.float32)
        self._count = 0
        self._rows: dict[int, int] = {}

    def __len__(self) -> int:
        return self._count

    def add(self, rows: Sequence[tuple[int, bytes, int]]) -> None:
        """Take (recommendation id, vector bytes, seq) rows: a known id's vector is replaced."""
        for recommendation_id, embedding, seq in rows:
            vector = np.frombuffer(embedding, dtype="<f4")
            if vector.shape[0] != self.dimensions:
                continue
            row = self._rows.get(recommendation_id)
            if row is None:
                row = self._count
                self._grow(row + 1)
                self._rows[recommendation_id] = row
                self._ids[row] = recommendation_id
                self._count += 1
            self._matrix[row] = vector
            self.last_seq = max(self.last_seq, seq)

    def _grow(self, needed: int) -> None:
        if needed <= self._ids.shape[0]:
            return
        capacity = max(needed, 2 * self._ids.shape[0], 1024)
        ids = np.zeros(capacity, dtype=np.int64)
        ids[: self._count] = self._ids[: self._count]
        matrix = np.zeros((capacity, self.dimensions), dtype=np.float32)
        matrix[: self._count] = self._matrix[: self._count]
        self._ids, self._matrix = ids, matrix

    def nearest(self, vector: Vectors, *, limit: int, minimum: float = -1.0) -> Neighbours:
        """The `limit` most similar texts to `vector` whose similarity is at least `minimum`."""
        if not self._count or limit <= 0:
            return NO_NEIGHBOURS
        scores = self._matrix[: self._count] @ vector.astype(np.float32)
        if limit < self._count:
            best = np.argpartition(-scores, limit - 1)[:limit]
        else:
            best = np.arange(self._count)
        best = best[scores[best] >= minimum]
        # Most similar first; equal scores by id, descending, as the lists order ties.
        order = np.lexsort((-self._ids[best], -scores[best]))
        chosen = best[order]
        return Neighbours([int(i) for i in self._ids[chosen]], [float(s) for s in scores[chosen]])
