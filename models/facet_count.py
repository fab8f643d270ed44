"""Recommendations counted by each value of their list columns, kept current by triggers."""

from enum import StrEnum

from sqlalchemy import CHAR, Index, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, enum_column


class ListFacet(StrEnum):
    """The list columns of a recommendation counted in `recommendation_facet_counts`; the
    values are the statistics' dimension names."""

    THEME = "theme"
    AFFECTED = "affected"
    SDG = "sdg"
    RECOMMENDING_STATE = "recommending_state"


# The key of a row. A null value has no sentinel: any text may be a theme, so the merge
# compares the value through COALESCE and its nullness apart, both hashable.
KEY_EXPRESSIONS = (
    "facet",
    "state_code",
    "body_id",
    "(COALESCE(value, ''))",
    "(value IS NULL)",
)


class RecommendationFacetCount(IdMixin, Base):
    """Recommendations of one State and body carrying one value of one list column.

    A recommendation counts once per distinct value of the column, and under a null value when
    the column is empty (or holds a null), as statistics group it. A key's count is the sum of
    its rows: usually one, a few while writers are open (migration 0009 has the triggers).
    """

    __tablename__ = "recommendation_facet_counts"
    __table_args__ = (
        Index(
            "ix_recommendation_facet_counts_key",
            *(text(expression) for expression in KEY_EXPRESSIONS),
        ),
    )

    facet: Mapped[ListFacet] = mapped_column(enum_column(ListFacet, "facet"))
    value: Mapped[str | None] = mapped_column(Text)
    state_code: Mapped[str] = mapped_column(CHAR(3))
    body_id: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
