"""Audit events say how they are sealed: SHA-256 of their content, or HMAC-SHA256 keyed by
SUIVI_AUDIT_KEY.

Whoever owns the tables can lift the append-only trigger, edit an event and recompute the
SHA-256 of every event after it. With the key held outside the database, new events are sealed
by HMAC instead, which cannot be recomputed without it. Events written before stay as they were
and are labelled `sha256`, so an existing chain keeps verifying, event by event, by its own seal.

Downgrade refuses while any event is sealed by HMAC. Relabelling such an event `sha256` would
make the older `suivi audit verify` report it as altered; recomputing it and every later event
as SHA-256 would be the very rewrite the key exists to prevent, done by a migration. An
operator who really means to go back drops the HMAC events' protection by hand, knowingly.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds it without rewriting the table, and without
    # touching the rows the append-only trigger guards.
    op.add_column(
        "audit_events",
        sa.Column("seal", sa.String(length=11), server_default=sa.text("'sha256'"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_audit_events_seal"), "audit_events", "seal IN ('sha256', 'hmac-sha256')"
    )


def downgrade() -> None:
    keyed = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM audit_events WHERE seal = 'hmac-sha256'")
    )
    if keyed:
        raise RuntimeError(
            f"{keyed} audit events are sealed with HMAC-SHA256 (SUIVI_AUDIT_KEY); before "
            "0012 they would read as altered. Downgrade refused: keep this revision."
        )
    op.drop_constraint(op.f("ck_audit_events_seal"), "audit_events", type_="check")
    op.drop_column("audit_events", "seal")
