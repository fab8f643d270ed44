"""Recommendation counts by each value of the list columns, kept current by triggers.

`GET /v1/themes`, `/v1/affected-persons` and `/v1/sdgs` unnested the list column of every
recommendation: 2-5 s of SQL on the 1,000,000 of the benchmark corpus. For each list (facet
`theme`, `affected`, `sdg`, `recommending_state`) `recommendation_facet_counts` counts the
recommendations of each State and body that carry each value: 199,176 keys for that corpus
(5,884,010 in all), and the same lists take 30-60 ms, 2.4 ms for one State. A recommendation
counts once per distinct value (a source that repeats a value in one row still counts the row
once) and, as statistics group it, once under a null value when its list is empty or holds a
null.

The rest follows 0008, for the same reasons: statement-level triggers with transition tables,
so any writer keeps the counts exact at the cost of one grouped write per statement; a key may
have several rows, summed; each statement deletes the key's rows no other transaction has
locked (`FOR UPDATE SKIP LOCKED`) and inserts their total and its delta, so writers never wait
for one another; `EXECUTE` re-plans each call. An UPDATE only counts the rows whose State, body
or lists changed: a status recompute of 20,000 rows unnests nothing. The price, at 199,176
keys: 450 ms for a COPY of 20,000 rows (a seventh of the statement), 100-150 ms for an UPDATE
of 20,000 statuses, 10 ms for one row.

A null value has no sentinel (any text may be a theme): the key compares `COALESCE(value, '')`
and `value IS NULL`, two hashable equalities, where `IS NOT DISTINCT FROM` would force a
nested loop over each State and body's values.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "facet, value, state_code, body_id"
_KEY = "facet, state_code, body_id, (COALESCE(value, '')), (value IS NULL)"
_SAME_KEY = (
    "c.facet = d.facet AND c.state_code = d.state_code AND c.body_id = d.body_id"
    " AND COALESCE(c.value, '') = COALESCE(d.value, '')"
    " AND (c.value IS NULL) = (d.value IS NULL)"
)
_GROUPS = "1, 2, 3, 4"
# The columns a count depends on: an UPDATE that changes none of them moves no count.
_COUNTED = ("state_code", "body_id", "themes", "affected_persons", "sdgs", "recommending_states")


# Each facet and its list column, as text[].
_LISTS = (
    ("theme", "themes"),
    ("affected", "affected_persons"),
    ("sdg", "sdgs::text[]"),
    ("recommending_state", "recommending_states::text[]"),
)


def _keys(rows: str) -> str:
    """The (facet, value, State, body) of each recommendation of `rows`, each value once."""
    # One branch per list: a lateral VALUES of the four lists costs twice as much (copies of
    # every array, memoised on them), 300 ms instead of 130 for a batch of 20,000.
    return " UNION ALL ".join(
        f"""
        SELECT '{facet}' AS facet, v.value, r.state_code, r.body_id
        FROM {rows} AS r CROSS JOIN LATERAL (
            SELECT DISTINCT value FROM unnest(
                CASE WHEN cardinality(r.{column}) > 0 THEN r.{column} ELSE '{{NULL}}'::text[] END
            ) AS u (value)
        ) AS v
        """
        for facet, column in _LISTS
    )


def _changed(rows: str, others: str) -> str:
    """The rows of `rows` whose counted columns differ from their row in `others`."""
    theirs = ", ".join(f"o.{column}" for column in _COUNTED)
    ours = ", ".join(f"r.{column}" for column in _COUNTED)
    return f"""(
        SELECT * FROM {rows} AS r WHERE NOT EXISTS (
            SELECT FROM {others} AS o
            WHERE o.id = r.id AND ({theirs}) IS NOT DISTINCT FROM ({ours})
        )
    )"""


def _apply(deltas: str) -> str:
    """Add the (key, delta) rows of `deltas` to the counts, merging each key's free rows."""
    return f"""
        WITH delta ({_COLUMNS}, n) AS ({deltas}),
        merged AS (
            DELETE FROM recommendation_facet_counts
            WHERE id IN (
                SELECT c.id FROM recommendation_facet_counts AS c JOIN delta AS d ON {_SAME_KEY}
                FOR UPDATE OF c SKIP LOCKED
            )
            RETURNING {_COLUMNS}, count
        )
        INSERT INTO recommendation_facet_counts ({_COLUMNS}, count)
        SELECT {_COLUMNS}, sum(n)
        FROM (SELECT * FROM delta UNION ALL SELECT * FROM merged) AS parts ({_COLUMNS}, n)
        GROUP BY {_GROUPS} HAVING sum(n) <> 0
    """


_ADDED = f"SELECT *, count(*) FROM ({_keys('new_rows')}) AS k GROUP BY {_GROUPS}"
_MOVED = f"""
    WITH added AS {_changed("new_rows", "old_rows")}, removed AS {_changed("old_rows", "new_rows")}
    SELECT {_COLUMNS}, sum(delta) FROM (
        SELECT *, 1 AS delta FROM ({_keys("added")}) AS k
        UNION ALL
        SELECT *, -1 AS delta FROM ({_keys("removed")}) AS k
    ) AS changes
    GROUP BY {_GROUPS} HAVING sum(delta) <> 0
"""
_REMOVED = f"SELECT *, -count(*) FROM ({_keys('old_rows')}) AS k GROUP BY {_GROUPS}"

# (event, referencing clause, the (key, delta) rows of the statement).
_TRIGGERS: tuple[tuple[str, str, str], ...] = (
    ("INSERT", "NEW TABLE AS new_rows", _ADDED),
    ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", _MOVED),
    ("DELETE", "OLD TABLE AS old_rows", _REMOVED),
)


def upgrade() -> None:
    op.create_table(
        "recommendation_facet_counts",
        sa.Column(
            "facet",
            sa.Enum(
                "theme",
                "affected",
                "sdg",
                "recommending_state",
                name="facet",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("state_code", sa.CHAR(length=3), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_facet_counts")),
    )
    op.execute(
        f"CREATE INDEX ix_recommendation_facet_counts_key ON recommendation_facet_counts ({_KEY})"
    )
    # No write may fall between the backfill and the triggers; reads go on.
    op.execute("LOCK TABLE recommendations IN SHARE ROW EXCLUSIVE MODE")
    for event, referencing, deltas in _TRIGGERS:
        name = event.lower()
        op.execute(
            f"""
            CREATE FUNCTION suivi_count_facets_{name}() RETURNS trigger
            LANGUAGE plpgsql
            -- The planner overestimates a batch's keys (ten values a list) six-fold: it
            -- compiled the merge (80 ms of JIT) and walked the whole key index in order
            -- (400 ms at 199,176 keys) to meet 11,815 keys it finds by index in 80 ms.
            SET jit = off SET enable_mergejoin = off
            AS $$
            BEGIN
                -- Planned at each call, as in 0008: a cached plan would keep the row
                -- estimates of a session's first statement for every later one.
                EXECUTE $apply$ {_apply(deltas)} $apply$;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER count_facets_{name} AFTER {event} ON recommendations
                REFERENCING {referencing}
                FOR EACH STATEMENT EXECUTE FUNCTION suivi_count_facets_{name}()
            """
        )
    op.execute(
        f"""
        INSERT INTO recommendation_facet_counts ({_COLUMNS}, count)
        SELECT *, count(*) FROM ({_keys("recommendations")}) AS k GROUP BY {_GROUPS}
        """
    )
    op.execute("ANALYZE recommendation_facet_counts")


def downgrade() -> None:
    for event, *_ in reversed(_TRIGGERS):
        name = event.lower()
        op.execute(f"DROP TRIGGER count_facets_{name} ON recommendations")
        op.execute(f"DROP FUNCTION suivi_count_facets_{name}()")
    op.drop_table("recommendation_facet_counts")
