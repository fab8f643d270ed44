"""Recommendations similar in meaning to one: its repeats across cycles, mechanisms, languages."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from pydantic import Field

from api.deps import ReadsDep
from api.json import json_response
from api.params import MAX_ID
from api.query import documented_parameters, parse_query
from api.recommendation_filters import RecommendationFilterQuery
from api.schemas.problems import problem_responses
from api.schemas.similar import SimilarPage
from suivi.services import recommendations as service

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])

MAX_SIMILAR = 100


class SimilarQuery(RecommendationFilterQuery):
    """The list's filters, applied to the nearest texts, and how many to return."""

    limit: int = Field(10, ge=1, le=MAX_SIMILAR, description="How many similar recommendations.")


@router.get(
    "/{recommendation_id}/similar",
    operation_id="listSimilarRecommendations",
    summary="Recommendations nearest in meaning to one, in any language",
    response_model=SimilarPage,
    responses=problem_responses(404, 409, 422),
    openapi_extra=documented_parameters(SimilarQuery),
)
async def list_similar(
    request: Request,
    reads: ReadsDep,
    recommendation_id: Annotated[
        int, Path(ge=1, le=MAX_ID, description="The recommendation's id.")
    ],
) -> Response:
    """What the same or another mechanism recommended in other words, in this cycle or an
    earlier one: the nearest texts by their vectors of meaning (`suivi embed`), among
    those the list's filters keep (`state`, `mechanism`...), most similar first. 409 while the
    recommendation's own text waits for its vector."""
    params = parse_query(SimilarQuery, request)
    items = await service.similar_page(
        reads,
        recommendation_id=recommendation_id,
        limit=params.limit,
        filters=params.to_filters(),
    )
    return json_response({"items": items})
