"""A recommendation's timeline: every dated event, oldest first."""

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import CallerDep, SessionDep
from api.params import MAX_ID
from api.schemas.follow_up import TimelineRead
from api.schemas.problems import problem_responses
from suivi.services import timeline as service

router = APIRouter(prefix="/v1/recommendations", tags=["follow-up"])


@router.get(
    "/{recommendation_id}/timeline",
    operation_id="getTimeline",
    summary="Every dated event of a recommendation, oldest first",
    response_model=TimelineRead,
    responses=problem_responses(401, 404, 422),
)
async def get_timeline(
    session: SessionDep,
    caller: CallerDep,
    recommendation_id: Annotated[
        int, Path(ge=1, le=MAX_ID, description="The recommendation's id.")
    ],
) -> TimelineRead:
    """Positions, linked actions, published updates (as the caller may see them: a submitter
    who asked for confidentiality is not named), grades, the office assessment and deadlines.
    Events of one day come in that order."""
    events = await service.events(session, recommendation_id=recommendation_id, caller=caller)
    return TimelineRead.model_validate({"items": [event.as_dict() for event in events]})
