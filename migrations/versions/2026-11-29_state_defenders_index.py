"""An index for the office's first question: a State's recommendations about defenders.

`state=...&hrd=direct|related|any`, in id order, is the list country offices open most. With
only single-column indexes PostgreSQL combined three bitmaps and sorted (14 ms for a median
State of a 1,000,000-row corpus); on `(state_code, hrd_relevance, id)` it reads the page in
order (about 1 ms). Partial, like the relevance index: most rows are `none` and never asked for.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_recommendations_state_code_hrd_relevance_id",
        "recommendations",
        ["state_code", "hrd_relevance", "id"],
        postgresql_where=sa.text("hrd_relevance <> 'none'"),
    )


def downgrade() -> None:
    op.drop_index("ix_recommendations_state_code_hrd_relevance_id", table_name="recommendations")
