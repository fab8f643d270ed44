"""Reference changes announced: every API process drops its copy of the bodies when they change.

The read path binds the bodies a mechanism or body filter stands for as constants (the planner
estimates a mechanism's share from them), and keeps them in each process rather than reading
them per request. Bodies change only on import or migration, from any process: a statement
trigger notifies `suivi_reference` when one does, after its transaction commits, and each API
process listens (suivi/reads.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Statements one by one: asyncpg sends each as a prepared statement.
NOTIFY_FUNCTION = """
CREATE FUNCTION suivi_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('suivi_reference', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""
NOTIFY_TRIGGER = """
CREATE TRIGGER bodies_reference_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON bodies
FOR EACH STATEMENT EXECUTE FUNCTION suivi_reference_changed()
"""


def upgrade() -> None:
    op.execute(NOTIFY_FUNCTION)
    op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER bodies_reference_changed ON bodies")
    op.execute("DROP FUNCTION suivi_reference_changed()")
