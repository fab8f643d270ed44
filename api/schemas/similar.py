"""Recommendations similar in meaning to one: list items with their similarity."""

from pydantic import Field

from api.schemas.base import Schema
from api.schemas.recommendations import RecommendationRead


class SimilarRecommendationRead(RecommendationRead):
    """A recommendation as lists show it, with how close its meaning is."""

    similarity: float = Field(
        description="Cosine similarity of the two texts' vectors of meaning: 1 the same "
        "meaning, about 0.7 and more a repeat in other words, below 0.4 mostly unrelated."
    )


class SimilarPage(Schema):
    """The nearest recommendations in meaning, most similar first."""

    items: list[SimilarRecommendationRead]
