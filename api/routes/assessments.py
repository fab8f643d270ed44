"""The office's own assessment of a recommendation: read it, change it against its ETag."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from api.deps import SessionDep, StaffDep
from api.params import RecommendationId
from api.schemas.follow_up import AssessmentRead, AssessmentUpdate
from api.schemas.problems import problem_responses
from suivi.errors import PreconditionRequired
from suivi.services import assessments as service
from suivi.services.assessments import Assessment, AssessmentChange

router = APIRouter(prefix="/v1/recommendations", tags=["follow-up"])

# Strong tags only: a weak one (W/"...") never matches If-Match (RFC 9110 section 13.1.1).
_TAG = re.compile(r'"assessment-(\d{1,19})-v(\d{1,9})"')


def etag(assessment: Assessment) -> str:
    """The assessment's strong validator, which `If-Match` must name to change it."""
    return f'"assessment-{assessment.recommendation_id}-v{assessment.version}"'


def _expected_versions(if_match: str, recommendation_id: int) -> frozenset[int] | None:
    """The versions `If-Match` names for this recommendation; None for `*` (any)."""
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return None
    return frozenset(
        int(match[2])
        for tag in tags
        if (match := _TAG.fullmatch(tag)) and int(match[1]) == recommendation_id
    )


def _read(assessment: Assessment, response: Response) -> AssessmentRead:
    response.headers["ETag"] = etag(assessment)
    return AssessmentRead(
        recommendation_id=assessment.recommendation_id,
        office_status=assessment.office_status,
        office_note=assessment.office_note,
        assessed_at=assessment.assessed_at,
        status=assessment.status,
        version=assessment.version,
        follow_up_selected=assessment.follow_up_selected,
        follow_up_deadline_date=assessment.follow_up_deadline_date,
    )


def _precondition_responses() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(401, 403, 404, 412, 422, 428)
    responses[412]["description"] = "`If-Match` names a version that is no longer current"
    responses[428]["description"] = "`If-Match` is missing"
    return responses


@router.get(
    "/{recommendation_id}/assessment",
    operation_id="getAssessment",
    summary="The office's own assessment of a recommendation",
    response_model=AssessmentRead,
    responses=problem_responses(404, 422),
)
async def get_assessment(
    response: Response, session: SessionDep, recommendation_id: RecommendationId
) -> AssessmentRead:
    """The office's status and note beside the headline status. The `ETag` names the version:
    send it as `If-Match` to change the assessment."""
    return _read(await service.get(session, recommendation_id=recommendation_id), response)


@router.patch(
    "/{recommendation_id}/assessment",
    operation_id="updateAssessment",
    summary="Set, change or clear the office's own assessment (staff)",
    response_model=AssessmentRead,
    responses=_precondition_responses(),
)
async def update_assessment(
    response: Response,
    session: SessionDep,
    caller: StaffDep,
    recommendation_id: RecommendationId,
    body: AssessmentUpdate,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=1000,
            description="The `ETag` of the assessment as last read: a change made meanwhile "
            "is a 412, not overwritten.",
        ),
    ] = None,
) -> AssessmentRead:
    """The headline status becomes the office's status, or falls back to the latest published
    assessment when it is cleared (`null`). Returns the new assessment and its `ETag`."""
    if if_match is None:
        # An unknown recommendation is a 404 whatever the headers.
        await service.get(session, recommendation_id=recommendation_id)
        raise PreconditionRequired(
            "Send `If-Match` with the ETag of GET "
            f"/v1/recommendations/{recommendation_id}/assessment."
        )
    fields = frozenset(body.model_fields_set)
    assessment = await service.change(
        session,
        recommendation_id=recommendation_id,
        expected_versions=_expected_versions(if_match, recommendation_id),
        change=AssessmentChange(
            fields=fields,
            office_status=body.office_status,
            office_note=body.office_note,
            follow_up_selected=body.follow_up_selected,
            follow_up_deadline_date=body.follow_up_deadline_date,
        ),
        actor=caller,
    )
    return _read(assessment, response)
