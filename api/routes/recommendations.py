"""Recommendations: the list and one recommendation in full."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import StringConstraints

from api.deps import SessionDep
from api.pagination import decode_cursor, encode_cursor
from api.schemas.problems import problem_responses
from api.schemas.recommendations import (
    PositionRead,
    ProvenanceRead,
    RecommendationDetailRead,
    RecommendationPage,
    RecommendationRead,
)
from suivi.services import recommendations as service

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])

MAX_LIMIT = 500

StateCode = Annotated[str, StringConstraints(pattern="^[A-Z]{3}$")]


@router.get(
    "",
    operation_id="listRecommendations",
    summary="List recommendations, keyset-paginated",
    responses=problem_responses(422),
)
async def list_recommendations(
    request: Request,
    response: Response,
    session: SessionDep,
    state: Annotated[
        list[StateCode] | None,
        Query(description="State under review (ISO 3166-1 alpha-3); repeat for several."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    cursor: Annotated[
        str | None, Query(description="`next_cursor` of the previous page.", max_length=200)
    ] = None,
) -> RecommendationPage:
    """Recommendations in a stable order; follow `next_cursor` (or the `Link` header) to page."""
    after_id = decode_cursor(cursor, types=(int,))[0] if cursor else None
    items, next_after = await service.list_page(
        session, limit=limit, after_id=after_id, states=state or ()
    )
    next_cursor = encode_cursor([next_after]) if next_after is not None else None
    if next_cursor is not None:
        next_url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return RecommendationPage(
        items=[RecommendationRead.model_validate(item) for item in items],
        next_cursor=next_cursor,
    )


@router.get(
    "/{recommendation_id}",
    operation_id="getRecommendation",
    summary="One recommendation in full",
    responses=problem_responses(404, 422),
)
async def get_recommendation(
    session: SessionDep,
    recommendation_id: Annotated[
        int, Path(ge=1, le=2**63 - 1, description="The recommendation's id.")
    ],
) -> RecommendationDetailRead:
    """Every text held, the position history and the follow-up selection."""
    detail = await service.get_detail(session, recommendation_id=recommendation_id)
    return RecommendationDetailRead(
        **RecommendationRead.model_validate(detail.summary).model_dump(),
        annotation_type=detail.annotation_type,
        texts=detail.texts,
        position_history=[PositionRead.model_validate(p) for p in detail.position_history],
        follow_up_selected=detail.follow_up_selected,
        follow_up_deadline=detail.follow_up_deadline_date,
        office_status=detail.office_status,
        provenance=ProvenanceRead(
            source_format=detail.source_format,
            source_record_id=detail.source_record_id,
            import_run_id=detail.import_run_id,
        ),
    )
