"""Recommendation texts as vectors of meaning, and the texts waiting for theirs."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    LargeBinary,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class RecommendationEmbedding(Base):
    """The vector of a recommendation's original text under one model.

    `embedding` is the L2-normalised float32 vector, little-endian bytes: each process reads
    them straight into one matrix. `text_hash` (md5 of the text embedded) tells a vector
    computed for an older text; `seq` grows with every write, so a process that holds a copy
    reads only what was written since.
    """

    __tablename__ = "recommendation_embeddings"

    recommendation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(Text)
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    embedded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class EmbeddingQueueEntry(Base):
    """A recommendation whose text is new or changed since its vector: queued by triggers
    (migration 0015) in the same transaction as the text, so none is missed or embedded twice.
    """

    __tablename__ = "embedding_queue"

    recommendation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
