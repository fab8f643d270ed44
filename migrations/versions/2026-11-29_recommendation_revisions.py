"""Recommendation revisions: what a recommendation said before an import changed it.

Re-importing a source whose content changed updates the recommendation in place (lists stay
fast) and keeps the replaced content here, with the import run that replaced it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendation_revisions",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("content_hash", sa.CHAR(length=64), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_runs.id"],
            name=op.f("fk_recommendation_revisions_import_run_id_import_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_revisions_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_revisions")),
    )
    op.create_index(
        op.f("ix_recommendation_revisions_import_run_id"),
        "recommendation_revisions",
        ["import_run_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_recommendation_revisions_recommendation_id"),
        "recommendation_revisions",
        ["recommendation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_recommendation_revisions_recommendation_id"), table_name="recommendation_revisions"
    )
    op.drop_index(
        op.f("ix_recommendation_revisions_import_run_id"), table_name="recommendation_revisions"
    )
    op.drop_table("recommendation_revisions")
