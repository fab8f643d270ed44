"""Hand-made vectors of meaning for cluster tests: fast and exact, no encoder needed."""

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from models import Recommendation, RecommendationEmbedding
from suivi.services import clusters

# Another model's name than the encoder's: no other test's vectors are ever compared with these.
MODEL = "test-vectors"
DIMENSIONS = 512


def vector(*weights: tuple[int, float]) -> bytes:
    """A unit vector from (axis, weight) pairs: an axis is a topic, a small weight a rewording."""
    values = np.zeros(DIMENSIONS, dtype=np.float32)
    for axis, weight in weights:
        values[axis] = weight
    return (values / np.linalg.norm(values)).astype("<f4").tobytes()


async def embed(session: AsyncSession, rec: Recommendation, embedding: bytes) -> None:
    """Store `embedding` as the recommendation's vector, as the drain would."""
    session.add(
        RecommendationEmbedding(
            recommendation_id=rec.id, model=MODEL, text_hash="x", embedding=embedding
        )
    )
    await session.flush()


async def place(session: AsyncSession) -> int:
    """Place every pending text, inside the test's transaction."""
    return await clusters.place_pending(await session.connection(), model=MODEL)
