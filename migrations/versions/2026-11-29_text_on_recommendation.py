"""The original text on the recommendation's row; leaner secondary indexes.

Every list page shows the text in its original language, and every import writes it: keeping it
on the row saves a join per page and a second row per recommendation. `recommendation_texts`
now holds translations only (languages other than `recommendations.language`).

Indexes that cost each import more than they serve a query go:
- `cycle` has four values: no query is narrowed by an index on it.
- `import_run_id` is never searched by; runs are never deleted, so the foreign key needs none.
Indexes whose common value is never the one looked for become partial, so most rows skip them:
`hrd_relevance` (most rows are `none`), `status` (most are `not_assessed`), `session` (UPR
only) and `follow_up_deadline_date` (set on the few selected for follow-up).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, column, predicate) of the indexes made partial.
PARTIAL_INDEXES = (
    ("ix_recommendations_hrd_relevance", "hrd_relevance", "hrd_relevance <> 'none'"),
    ("ix_recommendations_status", "status", "status <> 'not_assessed'"),
    ("ix_recommendations_session", "session", "session IS NOT NULL"),
    (
        "ix_recommendations_follow_up_deadline_date",
        "follow_up_deadline_date",
        "follow_up_deadline_date IS NOT NULL",
    ),
)


def upgrade() -> None:
    op.add_column("recommendations", sa.Column("text", sa.Text(), nullable=True))
    op.execute(
        """
        UPDATE recommendations AS r SET text = t.text
        FROM recommendation_texts AS t
        WHERE t.recommendation_id = r.id AND t.language = r.language
        """
    )
    # A recommendation without a text in its own language cannot be shown: refuse to go on
    # rather than invent one.
    op.execute(
        """
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM recommendations WHERE text IS NULL) THEN
                RAISE EXCEPTION 'recommendations without a text in their own language';
            END IF;
        END
        $$
        """
    )
    op.alter_column("recommendations", "text", nullable=False)
    op.execute(
        """
        DELETE FROM recommendation_texts AS t
        USING recommendations AS r
        WHERE t.recommendation_id = r.id AND t.language = r.language
        """
    )
    op.drop_index("ix_recommendations_cycle", table_name="recommendations")
    op.drop_index("ix_recommendations_import_run_id", table_name="recommendations")
    for name, column, predicate in PARTIAL_INDEXES:
        op.drop_index(name, table_name="recommendations")
        op.create_index(name, "recommendations", [column], postgresql_where=sa.text(predicate))


def downgrade() -> None:
    for name, column, _ in PARTIAL_INDEXES:
        op.drop_index(name, table_name="recommendations")
        op.create_index(name, "recommendations", [column])
    op.create_index("ix_recommendations_import_run_id", "recommendations", ["import_run_id"])
    op.create_index("ix_recommendations_cycle", "recommendations", ["cycle"])
    op.execute(
        """
        INSERT INTO recommendation_texts (recommendation_id, language, text)
        SELECT id, language, text FROM recommendations
        """
    )
    op.drop_column("recommendations", "text")
