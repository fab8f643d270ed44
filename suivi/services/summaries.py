"""Checking and rebuilding the statistics summaries that triggers keep (migrations 0008, 0009).

The triggers keep `recommendation_counts` and `recommendation_facet_counts` exact for every
writer, but a restore or a repair run with triggers off (`session_replication_role = replica`)
bypasses them, and nothing else would notice or repair the drift.
"""

from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.ext.asyncio import AsyncSession

from suivi.services import audit

COUNTS = "recommendation_counts"
FACET_COUNTS = "recommendation_facet_counts"

_COUNT_COLUMNS = "state_code, body_id, status, hrd_relevance, position, cycle, session, year"
# Mirrors the backfill of migration 0008: the scalar facets of each recommendation, counted.
_COUNTED = """
    SELECT state_code, body_id, status, hrd_relevance, position, cycle, session,
        EXTRACT(YEAR FROM issued_date)::smallint AS year, count(*) AS n
    FROM recommendations
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""
# The key of 0008's merge: nullable facets through sentinels they never take, so that the
# full join below compares keys by equalities it can hash.
_COUNT_KEY = (
    "state_code, body_id, status, hrd_relevance, COALESCE(position, '') AS position, "
    "COALESCE(cycle, 0) AS cycle, COALESCE(session, 0) AS session, COALESCE(year, 0) AS year"
)
_COUNT_JOIN = (
    "state_code",
    "body_id",
    "status",
    "hrd_relevance",
    "position",
    "cycle",
    "session",
    "year",
)

_FACET_COLUMNS = "facet, value, state_code, body_id"
# Mirrors the backfill of migration 0009: once per distinct value of each list, once under
# a null value for an empty list or a null element; one branch per list, as there.
_FACETED = " UNION ALL ".join(
    f"""
        SELECT '{facet}' AS facet, v.value, r.state_code, r.body_id
        FROM recommendations AS r CROSS JOIN LATERAL (
            SELECT DISTINCT value FROM unnest(
                CASE WHEN cardinality(r.{column}) > 0 THEN r.{column} ELSE '{{NULL}}'::text[] END
            ) AS u (value)
        ) AS v
        """
    for facet, column in (
        ("theme", "themes"),
        ("affected", "affected_persons"),
        ("sdg", "sdgs::text[]"),
        ("recommending_state", "recommending_states::text[]"),
    )
)
_FACET_COUNTED = f"SELECT *, count(*) AS n FROM ({_FACETED}) AS k GROUP BY 1, 2, 3, 4"
# The key of 0009's merge: any text may be a value, so nullness is compared apart.
_FACET_KEY = (
    "facet, state_code, body_id, COALESCE(value, '') AS value, value IS NULL AS value_is_null"
)
_FACET_JOIN = ("facet", "state_code", "body_id", "value", "value_is_null")


def _drift(summary: str, key: str, join: tuple[str, ...], counted: str) -> str:
    """The number of keys whose summed rows of `summary` differ from `counted`'s count."""
    # By position: a name would group by the input column, not the key's expression.
    groups = ", ".join(str(i) for i in range(1, len(join) + 1))
    return f"""
        SELECT count(*) FROM (
            SELECT {key}, sum(count) AS n FROM {summary} GROUP BY {groups}
        ) AS summed
        FULL JOIN (
            SELECT {key}, sum(n) AS n FROM ({counted}) AS c GROUP BY {groups}
        ) AS counted USING ({", ".join(join)})
        WHERE COALESCE(summed.n, 0) <> COALESCE(counted.n, 0)
    """


_COUNT_DRIFT = text(_drift(COUNTS, _COUNT_KEY, _COUNT_JOIN, _COUNTED))
_FACET_DRIFT = text(_drift(FACET_COUNTS, _FACET_KEY, _FACET_JOIN, _FACET_COUNTED))


async def check(session: AsyncSession) -> dict[str, int]:
    """The number of keys of each summary whose count differs from the recommendations'."""
    return {
        COUNTS: await session.scalar(_COUNT_DRIFT) or 0,
        FACET_COUNTS: await session.scalar(_FACET_DRIFT) or 0,
    }


async def rebuild(session: AsyncSession) -> dict[str, int]:
    """Rewrite both summaries from the recommendations; the rows written to each."""
    # SHARE waits for open writers and holds off new ones until commit, so no trigger adds a
    # delta between the delete and the insert; reads, of the summaries too, go on.
    await session.execute(text("LOCK TABLE recommendations IN SHARE MODE"))
    deleted: dict[str, int] = {}
    written: dict[str, int] = {}
    for table, columns, counted in (
        (COUNTS, _COUNT_COLUMNS, _COUNTED),
        (FACET_COUNTS, _FACET_COLUMNS, _FACET_COUNTED),
    ):
        # DELETE, not TRUNCATE: its ACCESS EXCLUSIVE lock would stop statistics reads.
        removed = cast(CursorResult[Any], await session.execute(text(f"DELETE FROM {table}")))
        insert = text(f"INSERT INTO {table} ({columns}, count) SELECT * FROM ({counted}) AS c")
        added = cast(CursorResult[Any], await session.execute(insert))
        deleted[table] = removed.rowcount
        written[table] = added.rowcount
    await audit.record(
        session,
        actor=None,
        action="summaries.rebuilt",
        object_type="summaries",
        object_id=None,
        summary={"deleted": deleted, "written": written},
    )
    return written
