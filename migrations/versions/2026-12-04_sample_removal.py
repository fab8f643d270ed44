"""Removing the illustrative sample: its progress updates may be deleted, no one else's.

Progress updates are never deleted (0001), yet `suivi demo --remove` must take the sample's
away with the recommendations they are about. The trigger that refuses DELETE on
`progress_updates` now runs a function of its own, which lets a row through only when both
hold:
- the transaction has turned `suivi.removing_sample` on (`SET LOCAL`, so it ends with the
  transaction and never outlives the removal);
- the update is about a sample recommendation (`source_format = 'sample'`), or about an action
  linked to sample recommendations and to no other.
Any other update is refused as before, with the setting on or not; TRUNCATE still is. The
removal itself refuses to run when an organisation outside the sample wrote one of these
updates: the trigger is the last guard, not the only one.

State actions, progress updates and grades were never deleted, so the change feed (0007) had
no event for it. The removal deletes them, so the feed now hears of it (`action.deleted`,
`update.deleted` for an update it had published, `grade.deleted`): a copy kept from the feed
would otherwise hold the removed objects for ever.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Statements one by one: asyncpg sends each as a prepared statement.
REFUSE_DELETE_FUNCTION = """
CREATE FUNCTION progress_updates_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('suivi.removing_sample', true) = 'on' AND (
        EXISTS (
            SELECT 1 FROM recommendations AS r
            WHERE r.id = OLD.recommendation_id AND r.source_format = 'sample'
        )
        OR (
            EXISTS (
                SELECT 1 FROM action_recommendations AS l
                JOIN recommendations AS r ON r.id = l.recommendation_id
                WHERE l.action_id = OLD.action_id AND r.source_format = 'sample'
            )
            AND NOT EXISTS (
                SELECT 1 FROM action_recommendations AS l
                JOIN recommendations AS r ON r.id = l.recommendation_id
                WHERE l.action_id = OLD.action_id AND r.source_format <> 'sample'
            )
        )
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% on % is refused: these rows are kept as written', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""

# (trigger name, table, function body's INSERT ... SELECT), as the feed's triggers in 0007.
_FEED_TRIGGERS: tuple[tuple[str, str, str], ...] = (
    (
        "actions_deleted",
        "state_actions",
        "SELECT 'action.deleted', 'action', id::text FROM old_rows",
    ),
    (
        "updates_deleted",
        "progress_updates",
        """SELECT 'update.deleted', 'update', id::text FROM old_rows
           WHERE review_state = 'published' AND confidentiality <> 'restricted'""",
    ),
    (
        "grades_deleted",
        "follow_up_grades",
        "SELECT 'grade.deleted', 'grade', id::text FROM old_rows",
    ),
)


def _point_delete_trigger_at(function: str) -> None:
    # PostgreSQL 13 has no CREATE OR REPLACE TRIGGER; the migration's transaction leaves no
    # moment without the trigger.
    op.execute("DROP TRIGGER progress_updates_are_never_deleted ON progress_updates")
    op.execute(
        f"""
        CREATE TRIGGER progress_updates_are_never_deleted BEFORE DELETE ON progress_updates
            FOR EACH ROW EXECUTE FUNCTION {function}()
        """
    )


def upgrade() -> None:
    op.execute(REFUSE_DELETE_FUNCTION)
    _point_delete_trigger_at("progress_updates_refuse_delete")
    for name, table, select in _FEED_TRIGGERS:
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
            CREATE TRIGGER feed_{name} AFTER DELETE ON {table}
                REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION suivi_feed_{name}()
            """
        )


def downgrade() -> None:
    for name, table, _ in reversed(_FEED_TRIGGERS):
        op.execute(f"DROP TRIGGER feed_{name} ON {table}")
        op.execute(f"DROP FUNCTION suivi_feed_{name}()")
    _point_delete_trigger_at("suivi_refuse_change")
    op.execute("DROP FUNCTION progress_updates_refuse_delete()")
