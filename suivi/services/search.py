"""Full-text search over recommendation texts, each in its own language's configuration.

The vectors are built by the database (migration 0004): `to_tsvector(config of the row's
language, suivi_fold(text))`. A query is folded the same way and parsed with websearch syntax
(quotes, OR, -term) once per configuration; a text matches the query parsed in its own
language, so "recommandations sur les défenseurs" finds French texts by their French stems.
"""

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    union,
)

from models import Recommendation, RecommendationText

# ISO 639-1 code -> PostgreSQL text-search configuration; other languages use `simple`.
CONFIGURATIONS = {"en": "english", "fr": "french", "es": "spanish", "ar": "arabic"}
FALLBACK = "simple"


def _tsquery(configuration: str, query: str) -> ColumnElement[Any]:
    # The configuration is a literal so that the planner sees a constant and uses the index.
    return func.websearch_to_tsquery(
        literal_column(f"'{configuration}'::regconfig"), func.suivi_fold(query)
    )


def _matches(
    vector: SQLColumnExpression[Any], language: SQLColumnExpression[str], query: str
) -> ColumnElement[bool]:
    """Whether a text matches `query` parsed in the text's own language."""
    per_language = [
        and_(language == code, vector.op("@@")(_tsquery(configuration, query)))
        for code, configuration in CONFIGURATIONS.items()
    ]
    others = and_(language.not_in(list(CONFIGURATIONS)), vector.op("@@")(_tsquery(FALLBACK, query)))
    return or_(*per_language, others)


def matching_ids(query: str) -> Select[tuple[int]]:
    """Ids of the recommendations whose original text or a translation matches `query`."""
    originals = select(Recommendation.id).where(
        _matches(Recommendation.search_vector, Recommendation.language, query)
    )
    translations = select(RecommendationText.recommendation_id).where(
        _matches(RecommendationText.search_vector, RecommendationText.language, query)
    )
    return select(union(originals, translations).subquery().c[0])


def rank(query: str) -> ColumnElement[float]:
    """How well the original text matches `query` (ts_rank_cd, normalised by length)."""
    whens = [
        (
            Recommendation.language == code,
            func.ts_rank_cd(Recommendation.search_vector, _tsquery(configuration, query), 1),
        )
        for code, configuration in CONFIGURATIONS.items()
    ]
    fallback = func.ts_rank_cd(Recommendation.search_vector, _tsquery(FALLBACK, query), 1)
    return case(*whens, else_=fallback)
