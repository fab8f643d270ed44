"""The office's own assessment of a recommendation, and organisations' contact details.

The office assessment gets a note, who set it and when, and a version: `PATCH` needs
`If-Match` naming that version, so two staff members never overwrite each other unseen.
Organisations get a contact: it is readable by staff and admins only, each read audited.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("recommendations", sa.Column("office_note", sa.Text(), nullable=True))
    op.add_column(
        "recommendations",
        sa.Column("office_assessed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "recommendations",
        sa.Column(
            "office_assessed_by_client_id",
            sa.BigInteger(),
            sa.ForeignKey(
                "api_clients.id",
                name="fk_recommendations_office_assessed_by_client_id_api_clients",
            ),
            nullable=True,
        ),
    )
    # A constant default: PostgreSQL adds it without rewriting the table.
    op.add_column(
        "recommendations",
        sa.Column("office_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column("organisations", sa.Column("contact", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("organisations", "contact")
    op.drop_column("recommendations", "office_version")
    op.drop_column("recommendations", "office_assessed_by_client_id")
    op.drop_column("recommendations", "office_assessed_at")
    op.drop_column("recommendations", "office_note")
