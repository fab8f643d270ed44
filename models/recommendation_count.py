"""Recommendations counted by their scalar facets, kept current by triggers for statistics."""

from sqlalchemy import CHAR, Index, Integer, SmallInteger, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, enum_column
from models.enums import HrdRelevance, ImplementationStatus, Position

# The key of a row. Nullable facets enter the index through COALESCE, as the triggers' merge
# compares them; the sentinels are values the facets never take.
KEY_EXPRESSIONS = (
    "state_code",
    "body_id",
    "status",
    "hrd_relevance",
    "(COALESCE(position, ''))",
    "(COALESCE(cycle, 0))",
    "(COALESCE(session, 0))",
    "(COALESCE(year, 0))",
)


class RecommendationCount(IdMixin, Base):
    """Recommendations of one combination of State, body, status, relevance to defenders,
    position, cycle, session and year of issue.

    A key's count is the sum of its rows: usually one, a few while writers are open
    (migration 0008 has the triggers that keep them).
    """

    __tablename__ = "recommendation_counts"
    __table_args__ = (
        Index(
            "ix_recommendation_counts_key",
            *(text(expression) for expression in KEY_EXPRESSIONS),
        ),
    )

    state_code: Mapped[str] = mapped_column(CHAR(3))
    body_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[ImplementationStatus] = mapped_column(
        enum_column(ImplementationStatus, "implementation_status")
    )
    hrd_relevance: Mapped[HrdRelevance] = mapped_column(enum_column(HrdRelevance, "hrd_relevance"))
    position: Mapped[Position | None] = mapped_column(enum_column(Position, "position"))
    cycle: Mapped[int | None] = mapped_column(SmallInteger)
    session: Mapped[int | None] = mapped_column(SmallInteger)
    # The year of `issued_date`; null for an undated recommendation.
    year: Mapped[int | None] = mapped_column(SmallInteger)
    count: Mapped[int] = mapped_column(Integer)
