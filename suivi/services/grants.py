"""The privileges of the role `suivi serve` runs as: what the application reads and writes.

The role that owns the schema runs the migrations (SUIVI_MIGRATION_DATABASE_URL). The runtime
role owns nothing, so it can neither lift a trigger nor drop a table, and it gets no TRUNCATE,
TRIGGER or REFERENCES: rows kept as written (the audit trail, progress updates, the change feed)
are appended and read, never edited or deleted, whatever happens to the triggers that say so.
"""

from sqlalchemy import Table

from models import AuditEvent, Base, ChangeEvent, Mechanism, ProgressUpdate

SCHEMA = "public"

# Seeded by the migrations; the application only reads them.
READ_ONLY = frozenset({Mechanism.__tablename__})

# Appended and read only.
APPEND_ONLY = frozenset(
    {AuditEvent.__tablename__, ChangeEvent.__tablename__, ProgressUpdate.__tablename__}
)

# Review changes these columns in place (suivi/services/updates.py); the content never changes.
REVIEW_COLUMNS = (
    ProgressUpdate.review_state,
    ProgressUpdate.reviewed_at,
    ProgressUpdate.reviewed_by_client_id,
    ProgressUpdate.review_reason,
)

# Created by migration 0007 outside the models' metadata; the feed's commit trigger draws it.
# The vectors' `seq` is an identity column, whose sequence `_sequences` does not see.
EXTRA_SEQUENCES = ("feed_seq", "recommendation_embeddings_seq_seq")

# Called by the application's SQL: search (suivi/services/search.py) and the search vector.
FUNCTIONS = ("suivi_fold(text)", "suivi_search_config(text)")

WRITE = "SELECT, INSERT, UPDATE, DELETE"

# Names stay out of the comment: only quoted identifiers reach the script.
SCRIPT_HEADER = "-- From `suivi grants`: run as the schema owner after each `suivi migrate`."


def _quote(name: str) -> str:
    # Always quoted: the role is named exactly as given, and no name can end the statement.
    return '"' + name.replace('"', '""') + '"'


def _privileges(table: Table) -> str:
    if table.name in READ_ONLY:
        return "SELECT"
    if table.name in APPEND_ONLY:
        return "SELECT, INSERT"
    return WRITE


def _sequences() -> list[str]:
    # PostgreSQL names the sequence of a serial or identity column `<table>_<column>_seq`.
    owned = [
        f"{table.name}_{table.autoincrement_column.name}_seq"
        for table in Base.metadata.tables.values()
        if table.autoincrement_column is not None
    ]
    return sorted([*owned, *EXTRA_SEQUENCES])


def statements(role: str, *, database: str) -> list[str]:
    """The GRANT statements that let `role` run Suivi on `database`, and nothing more."""
    to = f"TO {_quote(role)}"
    review = ", ".join(_quote(column.key) for column in REVIEW_COLUMNS)
    return [
        f"GRANT CONNECT ON DATABASE {_quote(database)} {to}",
        f"GRANT USAGE ON SCHEMA {_quote(SCHEMA)} {to}",
        *(
            f"GRANT {_privileges(table)} ON TABLE {_quote(name)} {to}"
            for name, table in sorted(Base.metadata.tables.items())
        ),
        f"GRANT UPDATE ({review}) ON TABLE {_quote(ProgressUpdate.__tablename__)} {to}",
        # Read, never written: `suivi serve` checks the schema is current before it serves.
        f"GRANT SELECT ON TABLE {_quote('alembic_version')} {to}",
        *(f"GRANT USAGE ON SEQUENCE {_quote(name)} {to}" for name in _sequences()),
        *(f"GRANT EXECUTE ON FUNCTION {function} {to}" for function in FUNCTIONS),
    ]


def script(role: str, *, database: str) -> str:
    """The statements as a psql script for the schema owner to run after each migration."""
    lines = [f"{statement};" for statement in statements(role, database=database)]
    return "\n".join([SCRIPT_HEADER, *lines]) + "\n"
