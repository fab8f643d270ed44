"""Clusters of recommendations to one State that say the same thing, across cycles and
mechanisms."""

from datetime import datetime

from sqlalchemy import (
    CHAR,
    REAL,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TimestampMixin


class RecommendationCluster(IdMixin, TimestampMixin, Base):
    """Recommendations to `state_code` whose vectors of meaning are near (services/clusters.py).

    Deleting the representative dissolves the cluster; the next update places its other
    members again.
    """

    __tablename__ = "recommendation_clusters"
    __table_args__ = (Index("ix_recommendation_clusters_state_code_id", "state_code", "id"),)

    state_code: Mapped[str] = mapped_column(CHAR(3))
    representative_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    # The model whose vectors placed the members: a new model places them all again.
    model: Mapped[str] = mapped_column(Text)


class ClusterMember(Base):
    """A recommendation's place in one cluster, and the vector (`embedding_seq`) that placed it."""

    __tablename__ = "cluster_members"

    recommendation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recommendation_clusters.id", ondelete="CASCADE"), index=True
    )
    # Cosine similarity to the member it joined through; 1 for the representative.
    similarity: Mapped[float] = mapped_column(REAL)
    # recommendation_embeddings.seq of the vector placed: a newer one (changed text) is re-placed.
    embedding_seq: Mapped[int] = mapped_column(BigInteger)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
