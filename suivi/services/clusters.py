"""Recommendations to one State that say the same thing, across cycles and mechanisms.

Placement is incremental: a recommendation with a vector and no place (or a vector newer than
its place: its text changed) joins the cluster of its most similar placed recommendation to
the same State when their cosine similarity reaches THRESHOLD, else starts a cluster of its
own. New texts are taken in id order, so a run gives the same clusters whatever its batches.
The similarity is a numpy matrix product per State: a State holds a few thousand texts at most.

"Recommended again" is a cluster whose members span more than one cycle or more than one
mechanism (a treaty body's recommendation the UPR repeats has no second cycle of its own).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Exists,
    Select,
    bindparam,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.types import REAL

from models import Body, ClusterMember, Recommendation, RecommendationCluster
from models.enums import HrdRelevance, ImplementationStatus, MechanismCode
from suivi.encoder import Vectors
from suivi.errors import NotFound

# Cosine similarity from which two texts say the same thing, measured with use-multilingual-v3
# on bench/data/meaning_eval.json (283 second-cycle UPR recommendations and the first-cycle ones
# they repeat; 283 pairs of the same State on other topics, which peak at 0.42). Clustered at
# 0.72, 97% of the repeats share a cluster (88% at 0.75, 81% at 0.80) and no other pair does.
# The hard negatives, same-State pairs naming different treaties ("Ratify the OP-CAT" /
# "Ratify the OP-CEDAW"), peak at 0.69 over 915 pairs: the margin keeps one false link from
# merging two whole clusters.
THRESHOLD = 0.72
# pg_advisory_xact_lock key, "suivi" "clus" in ASCII: one placement at a time.
LOCK_KEY = 0x7375697669_636C
# Pending texts compared at once: a chunk's own similarity matrix is CHUNK² floats.
CHUNK = 1024

_PENDING_CONDITION = (
    "e.model = :model AND (m.recommendation_id IS NULL OR m.embedding_seq < e.seq "
    "OR c.state_code <> r.state_code)"
)
_PENDING_FROM = (
    "FROM recommendation_embeddings e JOIN recommendations r ON r.id = e.recommendation_id "
    "LEFT JOIN cluster_members m ON m.recommendation_id = e.recommendation_id "
    "LEFT JOIN recommendation_clusters c ON c.id = m.cluster_id "
)
_PENDING_STATES = text(
    f"SELECT DISTINCT r.state_code {_PENDING_FROM} WHERE {_PENDING_CONDITION} ORDER BY 1"
)
_PENDING = text(
    "SELECT e.recommendation_id, e.embedding, e.seq, m.recommendation_id IS NOT NULL "
    f"{_PENDING_FROM} WHERE {_PENDING_CONDITION} AND r.state_code = :state "
    "ORDER BY e.recommendation_id"
)
_DETACH = text(
    "DELETE FROM cluster_members WHERE recommendation_id = ANY(:ids) RETURNING cluster_id"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger())))
_DROP_EMPTY = text(
    "DELETE FROM recommendation_clusters c WHERE c.id = ANY(:ids) "
    "AND NOT EXISTS (SELECT FROM cluster_members m WHERE m.cluster_id = c.id)"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger())))
# A cluster whose representative left it is represented by its oldest remaining member.
_NEW_REPRESENTATIVES = text(
    "UPDATE recommendation_clusters c SET updated_at = now(), representative_id = "
    "(SELECT min(m.recommendation_id) FROM cluster_members m WHERE m.cluster_id = c.id) "
    "WHERE c.id = ANY(:ids) AND NOT EXISTS (SELECT FROM cluster_members m "
    "WHERE m.cluster_id = c.id AND m.recommendation_id = c.representative_id)"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger())))
_PLACED = text(
    "SELECT m.recommendation_id, m.cluster_id, e.embedding FROM cluster_members m "
    "JOIN recommendation_clusters c ON c.id = m.cluster_id "
    "JOIN recommendation_embeddings e ON e.recommendation_id = m.recommendation_id "
    "WHERE c.state_code = :state AND e.model = :model ORDER BY m.recommendation_id"
)
_CREATE = text(
    "INSERT INTO recommendation_clusters (state_code, representative_id, model) "
    "SELECT :state, representative, :model FROM unnest(:representatives) AS representative "
    "RETURNING id, representative_id"
).bindparams(bindparam("representatives", type_=ARRAY(BigInteger())))
_JOIN = text(
    "INSERT INTO cluster_members (recommendation_id, cluster_id, similarity, embedding_seq) "
    "SELECT * FROM unnest(:ids, :clusters, :similarities, :seqs)"
).bindparams(
    bindparam("ids", type_=ARRAY(BigInteger())),
    bindparam("clusters", type_=ARRAY(BigInteger())),
    bindparam("similarities", type_=ARRAY(REAL())),
    bindparam("seqs", type_=ARRAY(BigInteger())),
)
_TOUCH = text(
    "UPDATE recommendation_clusters SET updated_at = now() WHERE id = ANY(:ids)"
).bindparams(bindparam("ids", type_=ARRAY(BigInteger())))


def _matrix(embeddings: Sequence[bytes], dimensions: int) -> Vectors:
    if not embeddings:
        return np.zeros((0, dimensions), dtype=np.float32)
    return np.vstack([np.frombuffer(value, dtype="<f4") for value in embeddings])


@dataclass(slots=True)
class _Placement:
    """Where each pending text goes: an existing cluster id, or -k for the k-th new cluster."""

    clusters: list[int]
    similarities: list[float]
    representatives: list[int]


def _place(
    placed: Vectors,
    placed_clusters: Sequence[int],
    pending_ids: Sequence[int],
    pending: Vectors,
    threshold: float,
) -> _Placement:
    # Ties go to the earliest candidate: the placed ones in id order, then earlier pending ones.
    result = _Placement([], [], [])
    matrix, owners = placed, list(placed_clusters)
    for start in range(0, len(pending_ids), CHUNK):
        chunk = pending[start : start + CHUNK]
        to_placed = chunk @ matrix.T
        to_chunk = chunk @ chunk.T
        for row in range(chunk.shape[0]):
            best, cluster = -2.0, 0
            if matrix.shape[0]:
                column = int(np.argmax(to_placed[row]))
                best, cluster = float(to_placed[row, column]), owners[column]
            if row:
                column = int(np.argmax(to_chunk[row, :row]))
                if float(to_chunk[row, column]) > best:
                    best = float(to_chunk[row, column])
                    cluster = result.clusters[start + column]
            if best >= threshold:
                result.clusters.append(cluster)
                result.similarities.append(best)
            else:
                result.representatives.append(pending_ids[start + row])
                result.clusters.append(-len(result.representatives))
                result.similarities.append(1.0)
        matrix = np.vstack([matrix, chunk]) if matrix.shape[0] else chunk
        owners.extend(result.clusters[start : start + chunk.shape[0]])
    return result


async def _detach(connection: AsyncConnection, ids: list[int]) -> None:
    if not ids:
        return
    left = sorted({row[0] for row in await connection.execute(_DETACH, {"ids": ids})})
    await connection.execute(_DROP_EMPTY, {"ids": left})
    await connection.execute(_NEW_REPRESENTATIVES, {"ids": left})


async def place_state(
    connection: AsyncConnection, *, state: str, model: str, threshold: float = THRESHOLD
) -> int:
    """Place one State's pending texts in the caller's transaction; how many were placed."""
    await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    rows = (await connection.execute(_PENDING, {"model": model, "state": state})).all()
    if not rows:
        return 0
    await _detach(connection, [row[0] for row in rows if row[3]])
    pending_ids = [int(row[0]) for row in rows]
    pending = _matrix([row[1] for row in rows], len(rows[0][1]) // 4)
    placed_rows = (await connection.execute(_PLACED, {"model": model, "state": state})).all()
    # Vectors of another size (another model's, mid-change) are never compared.
    placed_rows = [row for row in placed_rows if len(row[2]) == pending.shape[1] * 4]
    placement = _place(
        _matrix([row[2] for row in placed_rows], pending.shape[1]),
        [int(row[1]) for row in placed_rows],
        pending_ids,
        pending,
        threshold,
    )
    created: dict[int, int] = {}
    if placement.representatives:
        result = await connection.execute(
            _CREATE,
            {"state": state, "model": model, "representatives": placement.representatives},
        )
        created = {int(rep): int(cluster) for cluster, rep in result.all()}
    clusters = [
        created[placement.representatives[-cluster - 1]] if cluster < 0 else cluster
        for cluster in placement.clusters
    ]
    await connection.execute(
        _JOIN,
        {
            "ids": pending_ids,
            "clusters": clusters,
            "similarities": placement.similarities,
            "seqs": [int(row[2]) for row in rows],
        },
    )
    joined = sorted({cluster for cluster in placement.clusters if cluster > 0})
    if joined:
        await connection.execute(_TOUCH, {"ids": joined})
    return len(rows)


async def pending_states(connection: AsyncConnection, *, model: str) -> list[str]:
    """The States with texts waiting for a place."""
    return [row[0] for row in await connection.execute(_PENDING_STATES, {"model": model})]


async def place_pending(
    connection: AsyncConnection, *, model: str, threshold: float = THRESHOLD
) -> int:
    """Place every State's pending texts in the caller's transaction; how many were placed."""
    placed = 0
    for state in await pending_states(connection, model=model):
        placed += await place_state(connection, state=state, model=model, threshold=threshold)
    return placed


async def update_clusters(engine: AsyncEngine, *, model: str, threshold: float = THRESHOLD) -> int:
    """Place every text waiting for a cluster, one State per transaction; how many were placed.

    Run after `embeddings.drain`: only texts with a vector of `model` are placed.
    """
    async with engine.connect() as connection:
        states = await pending_states(connection, model=model)
        await connection.rollback()
    placed = 0
    for state in states:
        async with engine.begin() as connection:
            placed += await place_state(connection, state=state, model=model, threshold=threshold)
    return placed


# --- Reading ---------------------------------------------------------------------------------

M = ClusterMember
R = Recommendation
C = RecommendationCluster


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """A cluster as lists show it."""

    id: int
    state: str
    representative_id: int
    representative_text: str
    member_count: int
    first_date: date | None
    last_date: date | None
    mechanisms: list[MechanismCode]
    cycles: list[int]


@dataclass(frozen=True, slots=True)
class Member:
    """One recommendation of a cluster."""

    id: int
    text: str
    issued_date: date | None
    cycle: int | None
    session: int | None
    mechanism: MechanismCode
    body: str
    status: ImplementationStatus
    similarity: float


@dataclass(frozen=True, slots=True)
class ClusterDetail:
    """A cluster and its members, oldest first."""

    summary: ClusterSummary
    members: list[Member]


def _member_count() -> Select[int]:
    return select(func.count()).where(M.cluster_id == C.id)


def _has_member(*conditions: ColumnElement[bool]) -> Exists:
    return exists(
        select(1)
        .select_from(M)
        .join(R, R.id == M.recommendation_id)
        .join(Body, Body.id == R.body_id)
        .where(M.cluster_id == C.id, *conditions)
    )


async def _summaries(session: AsyncSession, ids: Sequence[int]) -> list[ClusterSummary]:
    if not ids:
        return []
    representative = R.__table__.alias("representative")
    query = (
        select(
            C.id,
            C.state_code,
            C.representative_id,
            representative.c.text,
            func.count(M.recommendation_id),
            func.min(R.issued_date),
            func.max(R.issued_date),
            func.array_agg(func.distinct(Body.mechanism_code)),
            func.array_remove(func.array_agg(func.distinct(R.cycle)), None),
        )
        .join(representative, representative.c.id == C.representative_id)
        .join(M, M.cluster_id == C.id)
        .join(R, R.id == M.recommendation_id)
        .join(Body, Body.id == R.body_id)
        .where(C.id.in_(ids))
        .group_by(C.id, representative.c.text)
        .order_by(C.id)
    )
    return [
        ClusterSummary(
            id=row[0],
            state=row[1],
            representative_id=row[2],
            representative_text=row[3],
            member_count=row[4],
            first_date=row[5],
            last_date=row[6],
            mechanisms=sorted(MechanismCode(value) for value in row[7]),
            cycles=sorted(int(value) for value in row[8]),
        )
        for row in await session.execute(query)
    ]


def relevances(hrd: str | None) -> list[HrdRelevance]:
    """The relevances an `hrd` filter (direct, related or any) keeps; none when absent."""
    if hrd is None:
        return []
    if hrd == "any":
        return [HrdRelevance.DIRECT, HrdRelevance.RELATED]
    return [HrdRelevance(hrd)]


async def list_page(
    session: AsyncSession,
    *,
    states: Sequence[str] = (),
    mechanisms: Sequence[MechanismCode] = (),
    hrd: Sequence[HrdRelevance] = (),
    min_members: int = 2,
    limit: int,
    after_id: int | None = None,
) -> tuple[list[ClusterSummary], int | None]:
    """Clusters in id order with at least `min_members`, and the id to continue after.

    `mechanisms` and `hrd` keep the clusters with at least one such member.
    """
    query = select(C.id).order_by(C.id).limit(limit + 1)
    if states:
        query = query.where(C.state_code.in_(states))
    if mechanisms:
        query = query.where(_has_member(Body.mechanism_code.in_(mechanisms)))
    if hrd:
        query = query.where(_has_member(R.hrd_relevance.in_(hrd)))
    if min_members > 1:
        query = query.where(_member_count().scalar_subquery() >= min_members)
    if after_id is not None:
        query = query.where(C.id > after_id)
    ids = list((await session.scalars(query)).all())
    page = ids[:limit]
    return await _summaries(session, page), page[-1] if len(ids) > limit else None


async def get(session: AsyncSession, *, cluster_id: int) -> ClusterDetail:
    """One cluster and its members; NotFound when there is none."""
    summaries = await _summaries(session, [cluster_id])
    if not summaries:
        raise NotFound(f"No cluster has id {cluster_id}.")
    query = (
        select(
            R.id,
            R.text,
            R.issued_date,
            R.cycle,
            R.session,
            Body.mechanism_code,
            Body.code,
            R.status,
            M.similarity,
        )
        .join(M, M.recommendation_id == R.id)
        .join(Body, Body.id == R.body_id)
        .where(M.cluster_id == cluster_id)
        .order_by(R.issued_date.asc().nulls_last(), R.id)
    )
    members = [Member(*row) for row in await session.execute(query)]
    return ClusterDetail(summary=summaries[0], members=members)


def _again() -> ColumnElement[bool]:
    return (func.count(func.distinct(R.cycle)) > 1) | (
        func.count(func.distinct(Body.mechanism_code)) > 1
    )


def _state_clusters(state: str) -> Select[int]:
    return (
        select(C.id)
        .join(M, M.cluster_id == C.id)
        .join(R, R.id == M.recommendation_id)
        .join(Body, Body.id == R.body_id)
        .where(C.state_code == state)
        .group_by(C.id)
        .having(_again())
    )


async def recommended_again(session: AsyncSession, *, state: str) -> int:
    """How many of the State's clusters span more than one cycle or mechanism."""
    subquery = _state_clusters(state).subquery()
    return int(await session.scalar(select(func.count()).select_from(subquery)) or 0)


async def oldest_unimplemented(
    session: AsyncSession, *, state: str, limit: int = 5
) -> list[ClusterSummary]:
    """The State's clusters recommended again of which no member is implemented, oldest first."""
    query = (
        _state_clusters(state)
        .having(
            func.count().filter(R.status == ImplementationStatus.IMPLEMENTED) == 0,
        )
        .order_by(func.min(R.issued_date).asc().nulls_last(), C.id)
        .limit(limit)
    )
    ids = list((await session.scalars(query)).all())
    by_id = {summary.id: summary for summary in await _summaries(session, ids)}
    return [by_id[cluster_id] for cluster_id in ids]


__all__ = [
    "THRESHOLD",
    "ClusterDetail",
    "ClusterSummary",
    "Member",
    "get",
    "list_page",
    "oldest_unimplemented",
    "place_pending",
    "place_state",
    "recommended_again",
    "relevances",
    "update_clusters",
]
