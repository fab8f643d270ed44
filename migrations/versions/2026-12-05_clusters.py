"""Clusters of recommendations to one State that say the same thing, across cycles and mechanisms.

Kept beside the recommendations, not in their table: the lists' hot path reads that table, and
a cluster is derived data that `suivi/services/clusters.py` recomputes from the vectors of
meaning (0015). Members cascade with their recommendation; a cluster with its representative.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendation_clusters",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("state_code", sa.CHAR(3), nullable=False),
        sa.Column("representative_id", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["representative_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_clusters_representative_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_clusters")),
    )
    op.create_index(
        "ix_recommendation_clusters_state_code_id",
        "recommendation_clusters",
        ["state_code", "id"],
    )
    op.create_index(
        op.f("ix_recommendation_clusters_representative_id"),
        "recommendation_clusters",
        ["representative_id"],
    )
    op.create_table(
        "cluster_members",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column("cluster_id", sa.BigInteger(), nullable=False),
        sa.Column("similarity", sa.REAL(), nullable=False),
        sa.Column("embedding_seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "placed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["recommendation_clusters.id"],
            name=op.f("fk_cluster_members_cluster_id_recommendation_clusters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_cluster_members_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_cluster_members")),
    )
    op.create_index(op.f("ix_cluster_members_cluster_id"), "cluster_members", ["cluster_id"])


def downgrade() -> None:
    op.drop_table("cluster_members")
    op.drop_table("recommendation_clusters")
