"""The change feed: published changes in commit order, followed by a cursor without gaps.

Triggers (migration 0007) append an event for every published change, and number each writing
transaction as it commits, in commit order. The feed reads (commit number, event id) in order: a
transaction that commits late gets a later number, so it can never land behind a cursor a reader
already holds, and a reader never sees a number before the ones below it.

Each item carries the object's current public representation (`data`), or null when it is no
longer public (an unlinked action). Replaying the feed from the start and keeping the last `data`
of each object rebuilds the published state exactly.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Confidentiality
from suivi.services import recommendations

# The cursor of an empty feed: before every event.
START: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class Change:
    """One published change: its position in the feed, what happened, and the object now."""

    cursor: tuple[int, int]
    kind: str
    object_type: str
    object_id: str
    occurred_at: datetime
    data: dict[str, Any] | None


_PAGE = text(
    """
    SELECT t.seq, e.id, e.kind, e.object_type, e.object_id, e.occurred_at
    FROM feed_transactions t
    -- An event's `occurred_at` is its transaction's start: ids alone repeat after a restore.
    JOIN change_events e ON e.txid = t.txid AND e.occurred_at = t.started_at
    WHERE t.seq >= :seq AND (t.seq, e.id) > (:seq, :id)
    ORDER BY t.seq, e.id
    LIMIT :limit
    """
)


async def page(
    session: AsyncSession, *, after: tuple[int, int] = START, limit: int
) -> list[Change]:
    """Up to `limit` changes after the cursor `after`, oldest first."""
    rows = (await session.execute(_PAGE, {"seq": after[0], "id": after[1], "limit": limit})).all()
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        wanted[row.object_type].add(row.object_id)
    current = await _current_data(session, wanted)
    return [
        Change(
            cursor=(row.seq, row.id),
            kind=row.kind,
            object_type=row.object_type,
            object_id=row.object_id,
            occurred_at=row.occurred_at,
            data=current.get((row.object_type, row.object_id)),
        )
        for row in rows
    ]


async def _current_data(
    session: AsyncSession, wanted: dict[str, set[str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The public representation of each object, fetched once per object type (no N+1)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if ids := wanted.get("recommendation"):
        for summary in await recommendations.summaries(session, ids=[int(i) for i in ids]):
            found["recommendation", str(summary.id)] = asdict(summary)
    for object_type, query in _PUBLIC_QUERIES.items():
        if not (ids := wanted.get(object_type)):
            continue
        if object_type == "action_link":
            pairs = [key.split(":") for key in sorted(ids)]
            parameters = {
                "recommendation_ids": [int(rec) for rec, _ in pairs],
                "action_ids": [int(action) for _, action in pairs],
            }
        else:
            parameters = {"ids": sorted(int(key) for key in ids)}
        rows = (await session.execute(query, parameters)).mappings().all()
        for row in rows:
            data = dict(row)
            key = str(data.pop("_key"))
            found[object_type, key] = data
    return found


# One query per object type; each selects only what the public may see, keyed by `_key`.
_PUBLIC_QUERIES = {
    "action": text(
        """
        SELECT a.id::text AS _key, a.id, a.kind, a.title, a.description, a.state_code AS state,
               a.institution_id, i.name AS institution, a.announced_date, a.started_date,
               a.completed_date, a.target_date, a.status, a.evidence_urls,
               a.archived_at IS NOT NULL AS archived, a.updated_at
        FROM state_actions a LEFT JOIN institutions i ON i.id = a.institution_id
        WHERE a.id = ANY(CAST(:ids AS bigint[]))
        """
    ),
    "action_link": text(
        """
        SELECT recommendation_id || ':' || action_id AS _key, recommendation_id, action_id, note
        FROM action_recommendations
        WHERE (recommendation_id, action_id) IN (
            SELECT * FROM unnest(CAST(:recommendation_ids AS bigint[]),
                                 CAST(:action_ids AS bigint[])))
        """
    ),
    # The organisation is named only when the submitter agreed to be (`public`). The update
    # it corrects is named only when public too, and named alike: a correction comes from the
    # same organisation, so a link from an unnamed update to a named one would name both.
    "update": text(
        f"""
        SELECT u.id::text AS _key, u.id, u.recommendation_id, u.action_id, u.source_type,
               u.assessed_status, u.narrative, u.evidence_urls, u.as_of_date,
               u.confidentiality, u.reviewed_at AS published_at,
               CASE WHEN s.id IS NOT NULL THEN u.supersedes_id END AS supersedes_id,
               CASE WHEN u.confidentiality = '{Confidentiality.PUBLIC.value}'
                    THEN o.name END AS organisation
        FROM progress_updates u LEFT JOIN organisations o ON o.id = u.organisation_id
        LEFT JOIN progress_updates s
          ON s.id = u.supersedes_id
         AND s.review_state = 'published'
         AND s.confidentiality <> '{Confidentiality.RESTRICTED.value}'
         AND (s.confidentiality = '{Confidentiality.PUBLIC.value}')
           = (u.confidentiality = '{Confidentiality.PUBLIC.value}')
        WHERE u.id = ANY(CAST(:ids AS bigint[]))
          AND u.review_state = 'published'
          AND u.confidentiality <> '{Confidentiality.RESTRICTED.value}'
        """
    ),
    "grade": text(
        """
        SELECT id::text AS _key, id, recommendation_id, grade, sub_grade, assessor_kind,
               assessor, graded_date, document_symbol
        FROM follow_up_grades
        WHERE id = ANY(CAST(:ids AS bigint[]))
        """
    ),
}
