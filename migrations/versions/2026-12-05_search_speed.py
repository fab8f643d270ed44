"""One full-text index per language on recommendations, in place of one for all.

A text matches a query parsed in its own language's configuration, so a search condition is one
`language = 'xx' AND search_vector @@ <query parsed for xx>` arm per configuration (English,
French, Spanish, Arabic, `simple` for the rest). With a single index each arm's scan also
returned the texts of other languages that share the query's stems ("journalistes" parsed for
Spanish finds every English text about journalists), and every match was tested again against
the whole OR on its row. An index per language answers each arm exactly: the rows the scans
return are the matches, with nothing left to test. The codes must be written into the SQL for
the planner to use them (suivi/services/search.py). Each row is in one of the five, so
together they are the size of the one they replace and writes cost the same.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, predicate): the languages with a configuration of their own, then the others.
LANGUAGE_INDEXES = (
    ("ix_recommendations_search_vector_en", "language = 'en'"),
    ("ix_recommendations_search_vector_fr", "language = 'fr'"),
    ("ix_recommendations_search_vector_es", "language = 'es'"),
    ("ix_recommendations_search_vector_ar", "language = 'ar'"),
    ("ix_recommendations_search_vector_other", "language NOT IN ('en', 'fr', 'es', 'ar')"),
)


def upgrade() -> None:
    for name, predicate in LANGUAGE_INDEXES:
        op.create_index(
            name,
            "recommendations",
            ["search_vector"],
            postgresql_using="gin",
            postgresql_where=sa.text(predicate),
        )
    op.drop_index("ix_recommendations_search_vector", table_name="recommendations")


def downgrade() -> None:
    op.create_index(
        "ix_recommendations_search_vector",
        "recommendations",
        ["search_vector"],
        postgresql_using="gin",
    )
    for name, _ in LANGUAGE_INDEXES:
        op.drop_index(name, table_name="recommendations")
