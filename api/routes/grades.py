"""Treaty-body follow-up grades of a recommendation: recorded by staff, read by everyone."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import SessionDep, StaffDep
from api.params import MAX_ID, RecommendationId
from api.schemas.follow_up import FollowUpGradeCreate, FollowUpGradeList, FollowUpGradeRead
from api.schemas.problems import problem_responses
from suivi.services import grades as service

router = APIRouter(prefix="/v1/recommendations", tags=["follow-up"])


@router.post(
    "/{recommendation_id}/grades",
    operation_id="createGrade",
    summary="Record a follow-up grade given to the State's reply (staff)",
    status_code=201,
    response_model=FollowUpGradeRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def create_grade(
    response: Response,
    session: SessionDep,
    caller: StaffDep,
    recommendation_id: RecommendationId,
    body: FollowUpGradeCreate,
) -> FollowUpGradeRead:
    """A grade A-E (with the committee's sub-grade) by the committee, the office, the NHRI or
    civil society, on a date not in the future. `Location` names it."""
    grade = await service.create(
        session,
        recommendation_id=recommendation_id,
        grade=body.grade,
        sub_grade=body.sub_grade,
        assessor_kind=body.assessor_kind,
        assessor=body.assessor,
        graded_date=body.graded_date,
        document_symbol=body.document_symbol,
        actor=caller,
    )
    response.headers["Location"] = f"/v1/recommendations/{recommendation_id}/grades/{grade.id}"
    return FollowUpGradeRead.model_validate(grade)


@router.get(
    "/{recommendation_id}/grades",
    operation_id="listGrades",
    summary="A recommendation's follow-up grades, newest first",
    response_model=FollowUpGradeList,
    responses=problem_responses(404, 422),
)
async def list_grades(
    session: SessionDep, recommendation_id: RecommendationId
) -> FollowUpGradeList:
    """Every grade recorded, newest graded first."""
    grades = await service.list_for(session, recommendation_id=recommendation_id)
    return FollowUpGradeList(items=[FollowUpGradeRead.model_validate(g) for g in grades])


@router.get(
    "/{recommendation_id}/grades/{grade_id}",
    operation_id="getGrade",
    summary="One follow-up grade",
    response_model=FollowUpGradeRead,
    responses=problem_responses(404, 422),
)
async def get_grade(
    session: SessionDep,
    recommendation_id: RecommendationId,
    grade_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The grade's id.")],
) -> FollowUpGradeRead:
    """The grade, as it was recorded."""
    grade = await service.get(session, recommendation_id=recommendation_id, grade_id=grade_id)
    return FollowUpGradeRead.model_validate(grade)
