"""Recommendation counts by scalar facets, kept current by triggers, for statistics.

`GET /v1/stats` grouped the wide `recommendations` table: 400-800 ms of SQL on 1,000,000 rows
for `group_by=state,status` with `mechanism=upr`, `hrd=any` or both. `recommendation_counts`
counts the recommendations of each combination of State, body (hence mechanism), derived
status, relevance to defenders, position, cycle, session and year of issue: 62,575 keys for the
1,000,000 of the benchmark corpus, and the same SQL takes 12-31 ms. Action category would make
it 99,853 keys, so statistics grouping or filtering on it, or on any list facet, still read
the table.

Triggers rather than application code, as for the change feed (0007): an import's COPY, the
status recompute's UPDATE, the ORM and a fix by hand in SQL all keep the counts exact. They are
statement-level with transition tables, so a COPY of 20,000 rows costs one grouped write of its
few thousand keys, not 20,000 trigger calls.

A key may have several rows, and its count is their sum. Each statement sums its new rows and
subtracts its old ones per key, deletes the key's rows that no other transaction has locked
(`FOR UPDATE SKIP LOCKED`) and inserts one row of their total and its delta, none when that is
zero. So a key normally has one row, and writers never wait for one another: an upsert of one
row per key would hold that row's lock until commit, and any two transactions writing
recommendations of one State, body, status... would queue behind each other (an import behind
a publication, or worse, as the change feed's late-commit test showed: a transaction that
waits for a later one to commit would wait forever). Rows locked by a transaction still open
stay beside the new one until a later statement merges them.
No TRUNCATE trigger: progress_updates refers to recommendations and refuses TRUNCATE, so a
TRUNCATE of recommendations cannot succeed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "state_code, body_id, status, hrd_relevance, position, cycle, session, year"
# The same facets read off a recommendations row (or a transition table of them).
_OF_ROW = (
    "state_code, body_id, status, hrd_relevance, position, cycle, session, "
    "EXTRACT(YEAR FROM issued_date)::smallint"
)
# The key index's expressions: `''` and 0 are never values of these facets.
_KEY = (
    "state_code, body_id, status, hrd_relevance, (COALESCE(position, '')), "
    "(COALESCE(cycle, 0)), (COALESCE(session, 0)), (COALESCE(year, 0))"
)
_SAME_KEY = (
    "c.state_code = d.state_code AND c.body_id = d.body_id AND c.status = d.status"
    " AND c.hrd_relevance = d.hrd_relevance"
    " AND COALESCE(c.position, '') = COALESCE(d.position, '')"
    " AND COALESCE(c.cycle, 0) = COALESCE(d.cycle, 0)"
    " AND COALESCE(c.session, 0) = COALESCE(d.session, 0)"
    " AND COALESCE(c.year, 0) = COALESCE(d.year, 0)"
)
_GROUPS = "1, 2, 3, 4, 5, 6, 7, 8"


def _apply(deltas: str) -> str:
    """Add the (key, delta) rows of `deltas` to the counts, merging each key's free rows."""
    return f"""
        WITH delta ({_COLUMNS}, n) AS ({deltas}),
        merged AS (
            DELETE FROM recommendation_counts
            WHERE id IN (
                SELECT c.id FROM recommendation_counts AS c JOIN delta AS d ON {_SAME_KEY}
                FOR UPDATE OF c SKIP LOCKED
            )
            RETURNING {_COLUMNS}, count
        )
        INSERT INTO recommendation_counts ({_COLUMNS}, count)
        SELECT {_COLUMNS}, sum(n)
        FROM (SELECT * FROM delta UNION ALL SELECT * FROM merged) AS parts ({_COLUMNS}, n)
        GROUP BY {_GROUPS} HAVING sum(n) <> 0
    """


_ADDED = f"SELECT {_OF_ROW}, count(*) FROM new_rows GROUP BY {_GROUPS}"
_MOVED = f"""
    SELECT {_COLUMNS}, sum(delta) FROM (
        SELECT {_OF_ROW}, 1 AS delta FROM new_rows
        UNION ALL
        SELECT {_OF_ROW}, -1 AS delta FROM old_rows
    ) AS changes ({_COLUMNS}, delta)
    GROUP BY {_GROUPS} HAVING sum(delta) <> 0
"""
_REMOVED = f"SELECT {_OF_ROW}, -count(*) FROM old_rows GROUP BY {_GROUPS}"

# (event, referencing clause, the (key, delta) rows of the statement).
_TRIGGERS: tuple[tuple[str, str, str], ...] = (
    ("INSERT", "NEW TABLE AS new_rows", _ADDED),
    ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", _MOVED),
    ("DELETE", "OLD TABLE AS old_rows", _REMOVED),
)


def upgrade() -> None:
    op.create_table(
        "recommendation_counts",
        sa.Column("state_code", sa.CHAR(length=3), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
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
        sa.Column("cycle", sa.SmallInteger(), nullable=True),
        sa.Column("session", sa.SmallInteger(), nullable=True),
        sa.Column("year", sa.SmallInteger(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_counts")),
    )
    op.execute(f"CREATE INDEX ix_recommendation_counts_key ON recommendation_counts ({_KEY})")
    # No write may fall between the backfill and the triggers; reads go on.
    op.execute("LOCK TABLE recommendations IN SHARE ROW EXCLUSIVE MODE")
    for event, referencing, deltas in _TRIGGERS:
        name = event.lower()
        op.execute(
            f"""
            CREATE FUNCTION suivi_count_recommendations_{name}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                -- Planned at each call: a plan cached at a session's first statement would
                -- keep that statement's row estimates (a few rows, an empty summary) for
                -- every later one, and join 20,000-row batches by nested loops.
                EXECUTE $apply$ {_apply(deltas)} $apply$;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER count_recommendations_{name} AFTER {event} ON recommendations
                REFERENCING {referencing}
                FOR EACH STATEMENT EXECUTE FUNCTION suivi_count_recommendations_{name}()
            """
        )
    op.execute(
        f"""
        INSERT INTO recommendation_counts ({_COLUMNS}, count)
        SELECT {_OF_ROW}, count(*) FROM recommendations GROUP BY {_GROUPS}
        """
    )
    op.execute("ANALYZE recommendation_counts")


def downgrade() -> None:
    for event, *_ in reversed(_TRIGGERS):
        name = event.lower()
        op.execute(f"DROP TRIGGER count_recommendations_{name} ON recommendations")
        op.execute(f"DROP FUNCTION suivi_count_recommendations_{name}()")
    op.drop_table("recommendation_counts")
