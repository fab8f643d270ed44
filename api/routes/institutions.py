"""State institutions: the list, one institution, and recording a new one."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep, StaffDep
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, MAX_ID, PageCursor, PageLimit, StateCode
from api.schemas.institutions import InstitutionCreate, InstitutionPage, InstitutionRead
from api.schemas.problems import problem_responses
from models import Institution
from suivi.services import institutions as service

router = APIRouter(prefix="/v1/institutions", tags=["institutions"])


class InstitutionQuery(BaseModel):
    """The list's query parameters; repeat `state` for several States (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="The State (ISO 3166-1 alpha-3).")
    parent_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only the direct parts of this institution."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


def _read(institution: Institution) -> InstitutionRead:
    return InstitutionRead(
        id=institution.id,
        name=institution.name,
        state=institution.state_code,
        parent_id=institution.parent_id,
        created_at=institution.created_at,
    )


@router.get(
    "",
    operation_id="listInstitutions",
    summary="List State institutions",
    response_model=InstitutionPage,
    responses=problem_responses(422),
)
async def list_institutions(
    session: SessionDep, params: Annotated[InstitutionQuery, Query()]
) -> InstitutionPage:
    """Public. Keyset-paginated in id order: follow `next_cursor`."""
    after_id = decode_cursor(params.cursor, types=(int,))[0] if params.cursor else None
    rows, next_id = await service.list_page(
        session,
        states=params.state,
        parent_id=params.parent_id,
        limit=params.limit,
        after_id=after_id,
    )
    return InstitutionPage(
        items=[_read(row) for row in rows],
        next_cursor=encode_cursor([next_id]) if next_id is not None else None,
    )


@router.post(
    "",
    operation_id="createInstitution",
    summary="Record a State institution",
    status_code=201,
    response_model=InstitutionRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_institution(
    response: Response, session: SessionDep, caller: StaffDep, body: InstitutionCreate
) -> InstitutionRead:
    """Staff or admin. `parent_id` must be an institution of the same State; a State's
    institution names are unique (409)."""
    institution = await service.create(
        session, actor=caller, name=body.name, state=body.state, parent_id=body.parent_id
    )
    response.headers["Location"] = f"/v1/institutions/{institution.id}"
    return _read(institution)


@router.get(
    "/{institution_id}",
    operation_id="getInstitution",
    summary="One State institution",
    response_model=InstitutionRead,
    responses=problem_responses(404, 422),
)
async def get_institution(
    session: SessionDep,
    institution_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The institution's id.")],
) -> InstitutionRead:
    """Public."""
    return _read(await service.get(session, institution_id=institution_id))
