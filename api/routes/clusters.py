"""Clusters of recommendations to one State that say the same thing: the list and one cluster."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, MAX_ID, PageCursor, PageLimit, StateCode
from api.schemas.clusters import ClusterDetailRead, ClusterMemberRead, ClusterPage, ClusterRead
from api.schemas.problems import problem_responses
from models.enums import MechanismCode
from suivi.services import clusters as service
from suivi.services.recommendation_filters import HrdFilter

router = APIRouter(prefix="/v1/clusters", tags=["clusters"])

MAX_MEMBERS = 1000


class ClusterQuery(BaseModel):
    """The list's query parameters; repeat `state` or `mechanism` for several (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="The State (ISO 3166-1 alpha-3).")
    mechanism: list[MechanismCode] = Field(
        [], description="Clusters with at least one member of this mechanism."
    )
    hrd: HrdFilter | None = Field(
        None, description="Clusters with at least one member of this relevance to defenders."
    )
    # A cluster of one says nothing twice: lists leave them out unless asked.
    min_members: int = Field(
        2, ge=1, le=MAX_MEMBERS, description="Clusters of at least this many recommendations."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


def _read(summary: service.ClusterSummary) -> ClusterRead:
    return ClusterRead(**asdict(summary))


@router.get(
    "",
    operation_id="listClusters",
    summary="List clusters of recommendations that say the same thing",
    response_model=ClusterPage,
    responses=problem_responses(422),
)
async def list_clusters(
    session: SessionDep, params: Annotated[ClusterQuery, Query()]
) -> ClusterPage:
    """Public. Recommendations to one State whose meaning is the same (their vectors, `suivi
    embed`), across cycles and mechanisms. Keyset-paginated in id order: follow `next_cursor`."""
    after_id = decode_cursor(params.cursor, types=(int,))[0] if params.cursor else None
    rows, next_id = await service.list_page(
        session,
        states=params.state,
        mechanisms=params.mechanism,
        hrd=service.relevances(params.hrd.value if params.hrd else None),
        min_members=params.min_members,
        limit=params.limit,
        after_id=after_id,
    )
    return ClusterPage(
        items=[_read(row) for row in rows],
        next_cursor=encode_cursor([next_id]) if next_id is not None else None,
    )


@router.get(
    "/{cluster_id}",
    operation_id="getCluster",
    summary="One cluster and its recommendations",
    response_model=ClusterDetailRead,
    responses=problem_responses(404, 422),
)
async def get_cluster(
    session: SessionDep,
    cluster_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The cluster's id.")],
) -> ClusterDetailRead:
    """Public. Its members oldest first."""
    detail = await service.get(session, cluster_id=cluster_id)
    return ClusterDetailRead(
        **asdict(detail.summary),
        members=[ClusterMemberRead(**asdict(member)) for member in detail.members],
    )
