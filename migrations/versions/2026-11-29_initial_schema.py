"""Initial schema: the whole follow-up domain, its reference data and its append-only guards.

Enumerations are VARCHAR + CHECK rather than PostgreSQL enum types, so a later migration can add
a value inside a transaction. Mechanisms and bodies are seeded here because every recommendation
needs one. Two kinds of rows are protected by triggers rather than by application code alone:
progress updates (content never edited in place, never deleted) and audit events (never changed).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MECHANISMS = [
    {"code": "upr", "name": "Universal Periodic Review"},
    {"code": "treaty_body", "name": "Treaty bodies"},
    {"code": "special_procedure", "name": "Special procedures"},
]

BODIES = [
    ("UPR", "Working Group on the Universal Periodic Review", "upr"),
    ("CCPR", "Human Rights Committee", "treaty_body"),
    ("CESCR", "Committee on Economic, Social and Cultural Rights", "treaty_body"),
    ("CERD", "Committee on the Elimination of Racial Discrimination", "treaty_body"),
    ("CEDAW", "Committee on the Elimination of Discrimination against Women", "treaty_body"),
    ("CAT", "Committee against Torture", "treaty_body"),
    ("SPT", "Subcommittee on Prevention of Torture", "treaty_body"),
    ("CRC", "Committee on the Rights of the Child", "treaty_body"),
    ("CMW", "Committee on Migrant Workers", "treaty_body"),
    ("CRPD", "Committee on the Rights of Persons with Disabilities", "treaty_body"),
    ("CED", "Committee on Enforced Disappearances", "treaty_body"),
    (
        "SR-HRD",
        "Special Rapporteur on the situation of human rights defenders",
        "special_procedure",
    ),
    (
        "SR-EXPRESSION",
        "Special Rapporteur on the promotion and protection of the right to freedom of opinion"
        " and expression",
        "special_procedure",
    ),
    (
        "SR-ASSEMBLY",
        "Special Rapporteur on the rights to freedom of peaceful assembly and of association",
        "special_procedure",
    ),
    (
        "SR-JUDGES",
        "Special Rapporteur on the independence of judges and lawyers",
        "special_procedure",
    ),
    (
        "SR-TORTURE",
        "Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment",
        "special_procedure",
    ),
    (
        "SR-TERRORISM",
        "Special Rapporteur on the promotion and protection of human rights and fundamental"
        " freedoms while countering terrorism",
        "special_procedure",
    ),
    ("SR-VAW", "Special Rapporteur on violence against women and girls", "special_procedure"),
    ("WG-AD", "Working Group on Arbitrary Detention", "special_procedure"),
    ("WG-EID", "Working Group on Enforced or Involuntary Disappearances", "special_procedure"),
]

# One statement each: asyncpg sends every statement as a prepared statement.
APPEND_ONLY_SQL = [
    """
    CREATE FUNCTION suivi_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% on % is refused: these rows are kept as written', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE FUNCTION progress_updates_keep_content() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Only the review columns may change; a correction is a new update superseding this one.
        IF (NEW.id, NEW.recommendation_id, NEW.action_id, NEW.source_type, NEW.assessed_status,
            NEW.narrative, NEW.evidence_urls, NEW.as_of_date, NEW.organisation_id,
            NEW.submitted_by_client_id, NEW.confidentiality, NEW.supersedes_id,
            NEW.idempotency_key, NEW.request_hash, NEW.created_at)
           IS DISTINCT FROM
           (OLD.id, OLD.recommendation_id, OLD.action_id, OLD.source_type, OLD.assessed_status,
            OLD.narrative, OLD.evidence_urls, OLD.as_of_date, OLD.organisation_id,
            OLD.submitted_by_client_id, OLD.confidentiality, OLD.supersedes_id,
            OLD.idempotency_key, OLD.request_hash, OLD.created_at)
        THEN
            RAISE EXCEPTION 'progress update % is never edited in place', OLD.id
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER progress_updates_content_is_immutable BEFORE UPDATE ON progress_updates
        FOR EACH ROW EXECUTE FUNCTION progress_updates_keep_content()
    """,
    """
    CREATE TRIGGER progress_updates_are_never_deleted BEFORE DELETE ON progress_updates
        FOR EACH ROW EXECUTE FUNCTION suivi_refuse_change()
    """,
    """
    CREATE TRIGGER progress_updates_are_never_truncated BEFORE TRUNCATE ON progress_updates
        FOR EACH STATEMENT EXECUTE FUNCTION suivi_refuse_change()
    """,
    """
    CREATE TRIGGER audit_events_are_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION suivi_refuse_change()
    """,
    """
    CREATE TRIGGER audit_events_are_never_truncated BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION suivi_refuse_change()
    """,
]

DROP_APPEND_ONLY_SQL = [
    "DROP TRIGGER audit_events_are_never_truncated ON audit_events",
    "DROP TRIGGER audit_events_are_append_only ON audit_events",
    "DROP TRIGGER progress_updates_are_never_truncated ON progress_updates",
    "DROP TRIGGER progress_updates_are_never_deleted ON progress_updates",
    "DROP TRIGGER progress_updates_content_is_immutable ON progress_updates",
    "DROP FUNCTION progress_updates_keep_content()",
    "DROP FUNCTION suivi_refuse_change()",
]


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "upr_info",
                "uhri",
                "un_text",
                "suivi_json",
                "sample",
                "manual",
                name="source_format",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "succeeded",
                "failed",
                "dry_run",
                name="import_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("unchanged", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("duplicates", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "errors",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_index(op.f("ix_import_runs_started_at"), "import_runs", ["started_at"], unique=False)
    op.create_table(
        "indicators",
        sa.Column(
            "kind",
            sa.Enum(
                "structural",
                "process",
                "outcome",
                name="indicator_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("state_code", sa.CHAR(length=3), nullable=True),
        sa.Column(
            "reporting_frequency",
            sa.Enum(
                "monthly",
                "quarterly",
                "biannual",
                "annual",
                "per_cycle",
                name="reporting_frequency",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("next_reporting_date", sa.Date(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
    )
    op.create_index(
        op.f("ix_indicators_next_reporting_date"),
        "indicators",
        ["next_reporting_date"],
        unique=False,
    )
    op.create_index(op.f("ix_indicators_state_code"), "indicators", ["state_code"], unique=False)
    op.create_table(
        "institutions",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state_code", sa.CHAR(length=3), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["institutions.id"], name=op.f("fk_institutions_parent_id_institutions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
        sa.UniqueConstraint("state_code", "name", name=op.f("uq_institutions_state_code")),
    )
    op.create_index(op.f("ix_institutions_parent_id"), "institutions", ["parent_id"], unique=False)
    op.create_table(
        "mechanisms",
        sa.Column(
            "code",
            sa.Enum(
                "upr",
                "treaty_body",
                "special_procedure",
                name="mechanism_code",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_mechanisms")),
    )
    op.create_table(
        "bodies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "mechanism_code",
            sa.Enum(
                "upr",
                "treaty_body",
                "special_procedure",
                name="mechanism_code",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["mechanism_code"],
            ["mechanisms.code"],
            name=op.f("fk_bodies_mechanism_code_mechanisms"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bodies")),
        sa.UniqueConstraint("code", name=op.f("uq_bodies_code")),
    )
    op.create_index(op.f("ix_bodies_mechanism_code"), "bodies", ["mechanism_code"], unique=False)
    op.create_table(
        "indicator_observations",
        sa.Column("indicator_id", sa.BigInteger(), nullable=False),
        sa.Column("observed_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_observations_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_observations")),
    )
    op.create_index(
        op.f("ix_indicator_observations_indicator_id"),
        "indicator_observations",
        ["indicator_id"],
        unique=False,
    )
    op.create_table(
        "organisations",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "office",
                "state",
                "nhri",
                "civil_society",
                "un",
                name="organisation_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("institution_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_organisations_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_index(
        op.f("ix_organisations_institution_id"), "organisations", ["institution_id"], unique=False
    )
    op.create_table(
        "state_actions",
        sa.Column(
            "kind",
            sa.Enum(
                "legislation",
                "regulation",
                "policy",
                "institution",
                "budget",
                "judicial_decision",
                "investigation",
                "training",
                "other",
                name="action_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("state_code", sa.CHAR(length=3), nullable=False),
        sa.Column("institution_id", sa.BigInteger(), nullable=True),
        sa.Column("announced_date", sa.Date(), nullable=True),
        sa.Column("started_date", sa.Date(), nullable=True),
        sa.Column("completed_date", sa.Date(), nullable=True),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "ongoing",
                "completed",
                "abandoned",
                name="action_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "evidence_urls",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_state_actions_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_actions")),
    )
    op.create_index(
        op.f("ix_state_actions_institution_id"), "state_actions", ["institution_id"], unique=False
    )
    op.create_index(
        op.f("ix_state_actions_state_code"), "state_actions", ["state_code"], unique=False
    )
    op.create_index(
        op.f("ix_state_actions_target_date"), "state_actions", ["target_date"], unique=False
    )
    op.create_table(
        "api_clients",
        sa.Column("organisation_id", sa.BigInteger(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.CHAR(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "staff",
                "focal_point",
                "submitter",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_api_clients_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_clients_prefix")),
    )
    op.create_index(
        op.f("ix_api_clients_organisation_id"), "api_clients", ["organisation_id"], unique=False
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor_prefix", sa.String(length=16), nullable=True),
        sa.Column("actor_organisation_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=True),
        sa.Column(
            "summary",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("previous_hash", sa.CHAR(length=64), nullable=True),
        sa.Column("hash", sa.CHAR(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_events_actor_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(
        "ix_audit_events_object_type_object_id",
        "audit_events",
        ["object_type", "object_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_audit_events_occurred_at"), "audit_events", ["occurred_at"], unique=False
    )
    op.create_table(
        "documents",
        sa.Column("symbol", sa.String(length=200), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("state_code", sa.CHAR(length=3), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published_date", sa.Date(), nullable=True),
        sa.Column("session", sa.SmallInteger(), nullable=True),
        sa.Column("cycle", sa.SmallInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_documents_body_id_bodies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("symbol", name=op.f("uq_documents_symbol")),
    )
    op.create_index(op.f("ix_documents_body_id"), "documents", ["body_id"], unique=False)
    op.create_index(op.f("ix_documents_state_code"), "documents", ["state_code"], unique=False)
    op.create_table(
        "recommendations",
        sa.Column("natural_key", sa.Text(), nullable=False),
        sa.Column("state_code", sa.CHAR(length=3), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=True),
        sa.Column("paragraph", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("annotation_type", sa.String(length=64), nullable=True),
        sa.Column(
            "recommending_states",
            postgresql.ARRAY(sa.CHAR(length=3)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "position",
            sa.Enum(
                "supported",
                "supported_in_part",
                "noted",
                "pending",
                "pledge",
                name="position",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("action_category", sa.SmallInteger(), nullable=True),
        sa.Column("session", sa.SmallInteger(), nullable=True),
        sa.Column("cycle", sa.SmallInteger(), nullable=True),
        sa.Column("issued_date", sa.Date(), nullable=True),
        sa.Column(
            "themes", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "affected_persons",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "sdgs",
            postgresql.ARRAY(sa.String(length=16)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "hrd_relevance",
            sa.Enum(
                "direct",
                "related",
                "none",
                name="hrd_relevance",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="none",
            nullable=False,
        ),
        sa.Column(
            "hrd_reasons",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column(
            "follow_up_selected", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("follow_up_deadline_date", sa.Date(), nullable=True),
        sa.Column(
            "office_status",
            sa.Enum(
                "not_assessed",
                "not_started",
                "in_progress",
                "partially_implemented",
                "implemented",
                "not_implemented",
                "regressed",
                name="office_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "not_assessed",
                "not_started",
                "in_progress",
                "partially_implemented",
                "implemented",
                "not_implemented",
                "regressed",
                name="implementation_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="not_assessed",
            nullable=False,
        ),
        sa.Column(
            "source_format",
            sa.Enum(
                "upr_info",
                "uhri",
                "un_text",
                "suivi_json",
                "sample",
                "manual",
                name="source_format",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("source_record_id", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.CHAR(length=64), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action_category BETWEEN 1 AND 5", name=op.f("ck_recommendations_action_category_range")
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_recommendations_body_id_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_recommendations_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_runs.id"],
            name=op.f("fk_recommendations_import_run_id_import_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint("natural_key", name=op.f("uq_recommendations_natural_key")),
    )
    op.create_index(
        "ix_recommendations_affected_persons",
        "recommendations",
        ["affected_persons"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        op.f("ix_recommendations_body_id"), "recommendations", ["body_id"], unique=False
    )
    op.create_index(op.f("ix_recommendations_cycle"), "recommendations", ["cycle"], unique=False)
    op.create_index(
        op.f("ix_recommendations_follow_up_deadline_date"),
        "recommendations",
        ["follow_up_deadline_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_recommendations_hrd_relevance"), "recommendations", ["hrd_relevance"], unique=False
    )
    op.create_index(
        op.f("ix_recommendations_import_run_id"), "recommendations", ["import_run_id"], unique=False
    )
    op.create_index(
        op.f("ix_recommendations_issued_date"), "recommendations", ["issued_date"], unique=False
    )
    op.create_index(
        "ix_recommendations_recommending_states",
        "recommendations",
        ["recommending_states"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_recommendations_sdgs", "recommendations", ["sdgs"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        op.f("ix_recommendations_session"), "recommendations", ["session"], unique=False
    )
    op.create_index(
        "ix_recommendations_state_code_id", "recommendations", ["state_code", "id"], unique=False
    )
    op.create_index(op.f("ix_recommendations_status"), "recommendations", ["status"], unique=False)
    op.create_index(
        "ix_recommendations_themes",
        "recommendations",
        ["themes"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_recommendations_updated_at_id", "recommendations", ["updated_at", "id"], unique=False
    )
    op.create_index(
        "ix_recommendations_document_id_paragraph",
        "recommendations",
        ["document_id", "paragraph"],
        unique=False,
    )
    op.create_table(
        "action_recommendations",
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["state_actions.id"],
            name=op.f("fk_action_recommendations_action_id_state_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_action_recommendations_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint(
            "action_id", "recommendation_id", name=op.f("pk_action_recommendations")
        ),
    )
    op.create_index(
        op.f("ix_action_recommendations_recommendation_id"),
        "action_recommendations",
        ["recommendation_id"],
        unique=False,
    )
    op.create_table(
        "follow_up_grades",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "grade",
            sa.Enum(
                "A", "B", "C", "D", "E", name="grade", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("sub_grade", sa.String(length=8), nullable=True),
        sa.Column(
            "assessor_kind",
            sa.Enum(
                "committee",
                "office",
                "nhri",
                "civil_society",
                name="assessor_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("assessor", sa.Text(), nullable=False),
        sa.Column("graded_date", sa.Date(), nullable=False),
        sa.Column("document_symbol", sa.String(length=200), nullable=True),
        sa.Column("recorded_by_client_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_follow_up_grades_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_client_id"],
            ["api_clients.id"],
            name=op.f("fk_follow_up_grades_recorded_by_client_id_api_clients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_grades")),
    )
    op.create_index(
        op.f("ix_follow_up_grades_recommendation_id"),
        "follow_up_grades",
        ["recommendation_id"],
        unique=False,
    )
    op.create_table(
        "indicator_recommendations",
        sa.Column("indicator_id", sa.BigInteger(), nullable=False),
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_recommendations_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_indicator_recommendations_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint(
            "indicator_id", "recommendation_id", name=op.f("pk_indicator_recommendations")
        ),
    )
    op.create_index(
        op.f("ix_indicator_recommendations_recommendation_id"),
        "indicator_recommendations",
        ["recommendation_id"],
        unique=False,
    )
    op.create_table(
        "position_history",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "position",
            sa.Enum(
                "supported",
                "supported_in_part",
                "noted",
                "pending",
                "pledge",
                name="position",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("stated_date", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_position_history_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_history")),
    )
    op.create_index(
        op.f("ix_position_history_recommendation_id"),
        "position_history",
        ["recommendation_id"],
        unique=False,
    )
    op.create_table(
        "progress_updates",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=True),
        sa.Column("action_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "source_type",
            sa.Enum(
                "government",
                "nhri",
                "civil_society",
                "un",
                name="source_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "assessed_status",
            sa.Enum(
                "not_assessed",
                "not_started",
                "in_progress",
                "partially_implemented",
                "implemented",
                "not_implemented",
                "regressed",
                name="assessed_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column(
            "evidence_urls",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.BigInteger(), nullable=True),
        sa.Column("submitted_by_client_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "confidentiality",
            sa.Enum(
                "public",
                "confidential_submitter",
                "restricted",
                name="confidentiality",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "review_state",
            sa.Enum(
                "submitted",
                "published",
                "rejected",
                "retracted",
                name="review_state",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="submitted",
            nullable=False,
        ),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_client_id", sa.BigInteger(), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("supersedes_id", sa.BigInteger(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.CHAR(length=64), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "assessed_status <> 'not_assessed'",
            name=op.f("ck_progress_updates_assessed_status_is_assessment"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(recommendation_id, action_id) = 1",
            name=op.f("ck_progress_updates_about_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["state_actions.id"],
            name=op.f("fk_progress_updates_action_id_state_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_progress_updates_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_progress_updates_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_client_id"],
            ["api_clients.id"],
            name=op.f("fk_progress_updates_reviewed_by_client_id_api_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_client_id"],
            ["api_clients.id"],
            name=op.f("fk_progress_updates_submitted_by_client_id_api_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["progress_updates.id"],
            name=op.f("fk_progress_updates_supersedes_id_progress_updates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_updates")),
    )
    op.create_index(
        op.f("ix_progress_updates_action_id"), "progress_updates", ["action_id"], unique=False
    )
    op.create_index(
        op.f("ix_progress_updates_organisation_id"),
        "progress_updates",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_progress_updates_recommendation_id"),
        "progress_updates",
        ["recommendation_id"],
        unique=False,
    )
    op.create_index(
        "ix_progress_updates_review_state_id",
        "progress_updates",
        ["review_state", "id"],
        unique=False,
    )
    op.create_index(
        "uq_progress_updates_submitted_by_client_id_idempotency_key",
        "progress_updates",
        ["submitted_by_client_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_table(
        "recommendation_texts",
        sa.Column("recommendation_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_texts_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "language", name=op.f("pk_recommendation_texts")
        ),
    )

    mechanisms = sa.table("mechanisms", sa.column("code", sa.String), sa.column("name", sa.Text))
    op.bulk_insert(mechanisms, MECHANISMS)
    bodies = sa.table(
        "bodies",
        sa.column("code", sa.String),
        sa.column("name", sa.Text),
        sa.column("mechanism_code", sa.String),
    )
    op.bulk_insert(
        bodies,
        [
            {"code": code, "name": name, "mechanism_code": mechanism}
            for code, name, mechanism in BODIES
        ],
    )
    for statement in APPEND_ONLY_SQL:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_APPEND_ONLY_SQL:
        op.execute(statement)
    op.drop_table("recommendation_texts")
    op.drop_index(
        "uq_progress_updates_submitted_by_client_id_idempotency_key",
        table_name="progress_updates",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_index("ix_progress_updates_review_state_id", table_name="progress_updates")
    op.drop_index(op.f("ix_progress_updates_recommendation_id"), table_name="progress_updates")
    op.drop_index(op.f("ix_progress_updates_organisation_id"), table_name="progress_updates")
    op.drop_index(op.f("ix_progress_updates_action_id"), table_name="progress_updates")
    op.drop_table("progress_updates")
    op.drop_index(op.f("ix_position_history_recommendation_id"), table_name="position_history")
    op.drop_table("position_history")
    op.drop_index(
        op.f("ix_indicator_recommendations_recommendation_id"),
        table_name="indicator_recommendations",
    )
    op.drop_table("indicator_recommendations")
    op.drop_index(op.f("ix_follow_up_grades_recommendation_id"), table_name="follow_up_grades")
    op.drop_table("follow_up_grades")
    op.drop_index(
        op.f("ix_action_recommendations_recommendation_id"), table_name="action_recommendations"
    )
    op.drop_table("action_recommendations")
    op.drop_index("ix_recommendations_document_id_paragraph", table_name="recommendations")
    op.drop_index("ix_recommendations_updated_at_id", table_name="recommendations")
    op.drop_index("ix_recommendations_themes", table_name="recommendations", postgresql_using="gin")
    op.drop_index(op.f("ix_recommendations_status"), table_name="recommendations")
    op.drop_index("ix_recommendations_state_code_id", table_name="recommendations")
    op.drop_index(op.f("ix_recommendations_session"), table_name="recommendations")
    op.drop_index("ix_recommendations_sdgs", table_name="recommendations", postgresql_using="gin")
    op.drop_index(
        "ix_recommendations_recommending_states",
        table_name="recommendations",
        postgresql_using="gin",
    )
    op.drop_index(op.f("ix_recommendations_issued_date"), table_name="recommendations")
    op.drop_index(op.f("ix_recommendations_import_run_id"), table_name="recommendations")
    op.drop_index(op.f("ix_recommendations_hrd_relevance"), table_name="recommendations")
    op.drop_index(op.f("ix_recommendations_follow_up_deadline_date"), table_name="recommendations")
    op.drop_index(op.f("ix_recommendations_cycle"), table_name="recommendations")
    op.drop_index(op.f("ix_recommendations_body_id"), table_name="recommendations")
    op.drop_index(
        "ix_recommendations_affected_persons", table_name="recommendations", postgresql_using="gin"
    )
    op.drop_table("recommendations")
    op.drop_index(op.f("ix_documents_state_code"), table_name="documents")
    op.drop_index(op.f("ix_documents_body_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_index(op.f("ix_audit_events_occurred_at"), table_name="audit_events")
    op.drop_index("ix_audit_events_object_type_object_id", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index(op.f("ix_api_clients_organisation_id"), table_name="api_clients")
    op.drop_table("api_clients")
    op.drop_index(op.f("ix_state_actions_target_date"), table_name="state_actions")
    op.drop_index(op.f("ix_state_actions_state_code"), table_name="state_actions")
    op.drop_index(op.f("ix_state_actions_institution_id"), table_name="state_actions")
    op.drop_table("state_actions")
    op.drop_index(op.f("ix_organisations_institution_id"), table_name="organisations")
    op.drop_table("organisations")
    op.drop_index(
        op.f("ix_indicator_observations_indicator_id"), table_name="indicator_observations"
    )
    op.drop_table("indicator_observations")
    op.drop_index(op.f("ix_bodies_mechanism_code"), table_name="bodies")
    op.drop_table("bodies")
    op.drop_table("mechanisms")
    op.drop_index(op.f("ix_institutions_parent_id"), table_name="institutions")
    op.drop_table("institutions")
    op.drop_index(op.f("ix_indicators_state_code"), table_name="indicators")
    op.drop_index(op.f("ix_indicators_next_reporting_date"), table_name="indicators")
    op.drop_table("indicators")
    op.drop_index(op.f("ix_import_runs_started_at"), table_name="import_runs")
    op.drop_table("import_runs")
