"""Vectors of meaning for recommendation texts, and the queue of texts waiting for theirs.

Imports commit as before: triggers queue, in the same transaction, the ids of new
recommendations (a statement trigger with a transition table: one INSERT per statement, so a
COPY of a whole file pays once) and of those whose text changed (a row trigger on the text). `suivi embed` and the worker `suivi serve`
starts drain the queue in batches, after the import, in the background. Every existing
recommendation is queued here. Where pgvector can be installed, the vectors get an HNSW index.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vectors' size in the database's index: the encoder's (suivi/encoder.py). Vectors of a
# model of another size keep only their bytes, searched by the processes' exact copies.
DIMENSIONS = 512

QUEUE_NEW_FUNCTION = """
CREATE FUNCTION suivi_queue_new_texts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO embedding_queue (recommendation_id)
    SELECT id FROM new_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""
QUEUE_NEW_TRIGGER = """
CREATE TRIGGER recommendations_queue_new_texts
AFTER INSERT ON recommendations
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION suivi_queue_new_texts()
"""
QUEUE_CHANGED_FUNCTION = """
CREATE FUNCTION suivi_queue_changed_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO embedding_queue (recommendation_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""
# A row trigger on the text column, with a condition PostgreSQL checks before calling anything:
# an import's or a review's updates of other columns cost nothing. (A statement trigger with
# transition tables cannot name columns, and copying every updated row twice took an import of
# 40,000 rows from 4.6 s to 8.7 s.)
QUEUE_CHANGED_TRIGGER = """
CREATE TRIGGER recommendations_queue_changed_text
AFTER UPDATE OF text ON recommendations
FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text)
EXECUTE FUNCTION suivi_queue_changed_text()
"""


def upgrade() -> None:
    op.create_table(
        "recommendation_embeddings",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.Text(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "embedded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_embeddings_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_recommendation_embeddings")),
        sa.UniqueConstraint("seq", name=op.f("uq_recommendation_embeddings_seq")),
    )
    op.create_table(
        "embedding_queue",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "queued_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_embedding_queue_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recommendation_id", name=op.f("pk_embedding_queue")),
    )
    op.execute(QUEUE_NEW_FUNCTION)
    op.execute(QUEUE_NEW_TRIGGER)
    op.execute(QUEUE_CHANGED_FUNCTION)
    op.execute(QUEUE_CHANGED_TRIGGER)
    op.execute("INSERT INTO embedding_queue (recommendation_id) SELECT id FROM recommendations")
    _add_pgvector_index()


def _add_pgvector_index() -> None:
    """Where the server has pgvector (the embedded one does) and this role may install it: a
    `vector` copy of each vector and an HNSW index, which answer nearest-neighbour queries in
    the database (suivi/reads.py). Elsewhere the processes search their own exact copy."""
    bind = op.get_bind()
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).scalar()
    if not available:
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError:
        # Not this role's to install (a superuser's, or pgvector 0.7's trusted form): the
        # exact copy serves.
        return
    bind.execute(
        sa.text(
            "ALTER TABLE recommendation_embeddings "
            f"ADD COLUMN embedding_vector vector({DIMENSIONS})"
        )
    )
    bind.execute(
        sa.text(
            "CREATE INDEX ix_recommendation_embeddings_hnsw ON recommendation_embeddings "
            "USING hnsw (embedding_vector vector_cosine_ops)"
        )
    )


def downgrade() -> None:
    # The extension stays: other schemas of the database may use it.
    op.execute("DROP TRIGGER recommendations_queue_changed_text ON recommendations")
    op.execute("DROP TRIGGER recommendations_queue_new_texts ON recommendations")
    op.execute("DROP FUNCTION suivi_queue_changed_text()")
    op.execute("DROP FUNCTION suivi_queue_new_texts()")
    op.drop_table("embedding_queue")
    op.drop_table("recommendation_embeddings")
