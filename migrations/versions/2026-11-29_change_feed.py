"""The change feed: every published change appends a row to `change_events`, by trigger.

Triggers rather than application code, so that no writer (the API, an import's COPY, a
command-line fix) can change published data without the feed hearing of it. They are
statement-level with transition tables: an import of 270,000 rows costs one INSERT ... SELECT,
not 270,000 trigger calls. Only published, non-restricted material is ever written here, so the
table is public by construction.

Commit order: each writing transaction also registers itself once in `feed_transactions`. A
deferred constraint trigger on that row runs as the transaction commits: it takes an exclusive
advisory lock (held until the commit is complete) and numbers the transaction from `feed_seq`.
So numbers are handed out in commit order, and a transaction numbered N+1 becomes visible only
after N did: a reader that sees N+1 sees N. The feed reads (seq, event id) in order and can
never skip an event that commits late, whatever else runs on the server.

A transaction is known by its id *and* its start time (`now()`, which is also each of its
events' `occurred_at`): a dump restored on another server brings ids that server hands out
again, and a new transaction joined to an old one's row would take its old number, behind
every reader's cursor.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.types import UserDefinedType

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id (a copy: migrations never import the models)."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "XID8"


# Serialises the numbering of committing transactions (any constant unique to Suivi).
FEED_LOCK = 0x5_0155_FEED


# (trigger name, table, event, referencing clause, function body's INSERT ... SELECT).
_TRIGGERS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "recommendations_created",
        "recommendations",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT 'recommendation.created', 'recommendation', id::text FROM new_rows",
    ),
    (
        "recommendations_changed",
        "recommendations",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        """SELECT CASE WHEN o.status IS DISTINCT FROM n.status
                      THEN 'recommendation.status_changed' ELSE 'recommendation.updated' END,
                  'recommendation', n.id::text
           FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE (o.*) IS DISTINCT FROM (n.*)""",
    ),
    (
        "recommendations_deleted",
        "recommendations",
        "DELETE",
        "OLD TABLE AS old_rows",
        "SELECT 'recommendation.deleted', 'recommendation', id::text FROM old_rows",
    ),
    (
        "actions_created",
        "state_actions",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT 'action.created', 'action', id::text FROM new_rows",
    ),
    (
        "actions_changed",
        "state_actions",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        """SELECT 'action.updated', 'action', n.id::text
           FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE (o.*) IS DISTINCT FROM (n.*)""",
    ),
    (
        "action_links_created",
        "action_recommendations",
        "INSERT",
        "NEW TABLE AS new_rows",
        """SELECT 'link.created', 'action_link', recommendation_id || ':' || action_id
           FROM new_rows""",
    ),
    (
        "action_links_changed",
        "action_recommendations",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        """SELECT 'link.updated', 'action_link', n.recommendation_id || ':' || n.action_id
           FROM new_rows n""",
    ),
    (
        "action_links_deleted",
        "action_recommendations",
        "DELETE",
        "OLD TABLE AS old_rows",
        """SELECT 'link.deleted', 'action_link', recommendation_id || ':' || action_id
           FROM old_rows""",
    ),
    (
        "updates_published_on_insert",
        "progress_updates",
        "INSERT",
        "NEW TABLE AS new_rows",
        """SELECT 'update.published', 'update', id::text FROM new_rows
           WHERE review_state = 'published' AND confidentiality <> 'restricted'""",
    ),
    (
        "updates_published",
        "progress_updates",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        """SELECT 'update.published', 'update', n.id::text
           FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE n.review_state = 'published' AND o.review_state <> 'published'
             AND n.confidentiality <> 'restricted'""",
    ),
    # An action's public data names its institution.
    (
        "institutions_renamed",
        "institutions",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        """SELECT 'action.updated', 'action', a.id::text
           FROM new_rows n JOIN old_rows o ON o.id = n.id
           JOIN state_actions a ON a.institution_id = n.id
           WHERE o.name IS DISTINCT FROM n.name""",
    ),
    (
        "grades_created",
        "follow_up_grades",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT 'grade.created', 'grade', id::text FROM new_rows",
    ),
)


def upgrade() -> None:
    op.create_table(
        "change_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column(
            "txid",
            Xid8(),
            server_default=sa.text("pg_current_xact_id()"),
            nullable=False,
        ),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(32), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_events"),
    )
    op.create_index("ix_change_events_txid_id", "change_events", ["txid", "id"])
    op.execute("CREATE SEQUENCE feed_seq")
    op.create_table(
        "feed_transactions",
        sa.Column("txid", Xid8(), server_default=sa.text("pg_current_xact_id()"), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        # Set as the transaction commits; null only while it is still running.
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("txid", "started_at", name="pk_feed_transactions"),
    )
    op.create_index("ix_feed_transactions_seq", "feed_transactions", ["seq"], unique=True)
    op.execute(
        f"""
        CREATE FUNCTION suivi_feed_number_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Held until the commit completes: the next transaction is numbered after it.
            PERFORM pg_advisory_xact_lock({FEED_LOCK});
            UPDATE feed_transactions SET seq = nextval('feed_seq')
            WHERE txid = NEW.txid AND started_at = NEW.started_at;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER feed_number_transaction AFTER INSERT ON feed_transactions
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION suivi_feed_number_transaction()
        """
    )
    op.execute(
        """
        CREATE TRIGGER change_events_are_append_only BEFORE UPDATE OR DELETE ON change_events
            FOR EACH ROW EXECUTE FUNCTION suivi_refuse_change()
        """
    )
    for select in _BACKFILL:
        op.execute(f"INSERT INTO change_events (kind, object_type, object_id) {select}")
    op.execute("INSERT INTO feed_transactions DEFAULT VALUES ON CONFLICT DO NOTHING")
    for name, table, event, referencing, select in _TRIGGERS:
        op.execute(
            f"""
            CREATE FUNCTION suivi_feed_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO change_events (kind, object_type, object_id) {select};
                IF FOUND THEN
                    INSERT INTO feed_transactions DEFAULT VALUES ON CONFLICT DO NOTHING;
                END IF;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER feed_{name} AFTER {event} ON {table}
                REFERENCING {referencing}
                FOR EACH STATEMENT EXECUTE FUNCTION suivi_feed_{name}()
            """
        )


# What was already published before the feed existed, so that replaying from the start
# rebuilds everything: one event per object, in id order.
_BACKFILL = (
    "SELECT 'recommendation.created', 'recommendation', id::text FROM recommendations ORDER BY id",
    "SELECT 'action.created', 'action', id::text FROM state_actions ORDER BY id",
    """SELECT 'link.created', 'action_link', recommendation_id || ':' || action_id
       FROM action_recommendations ORDER BY recommendation_id, action_id""",
    """SELECT 'update.published', 'update', id::text FROM progress_updates
       WHERE review_state = 'published' AND confidentiality <> 'restricted' ORDER BY id""",
    "SELECT 'grade.created', 'grade', id::text FROM follow_up_grades ORDER BY id",
)


def downgrade() -> None:
    for name, table, *_ in reversed(_TRIGGERS):
        op.execute(f"DROP TRIGGER feed_{name} ON {table}")
        op.execute(f"DROP FUNCTION suivi_feed_{name}()")
    op.execute("DROP TRIGGER feed_number_transaction ON feed_transactions")
    op.execute("DROP FUNCTION suivi_feed_number_transaction()")
    op.drop_table("feed_transactions")
    op.execute("DROP SEQUENCE feed_seq")
    op.execute("DROP TRIGGER change_events_are_append_only ON change_events")
    op.drop_table("change_events")
