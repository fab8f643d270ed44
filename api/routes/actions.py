"""State actions: the list, one action, recording and changing them, and their links to
recommendations."""

import re
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep, require_role
from api.pagination import decode_cursor, encode_cursor
from api.params import (
    CURSOR_DESCRIPTION,
    MAX_ID,
    PageCursor,
    PageLimit,
    RecommendationId,
    RowId,
    StateCode,
)
from api.schemas.actions import (
    ActionCreate,
    ActionPage,
    ActionRead,
    ActionUpdate,
    InstitutionRef,
    LinkRead,
    LinkResult,
    LinkWrite,
)
from api.schemas.problems import problem_responses
from models.enums import ActionKind, ActionStatus, Role
from suivi.services import actions as service
from suivi.services.actions import ActionView, ArchivedFilter
from suivi.services.keys import Caller

router = APIRouter(tags=["actions"])

# Staff and administrators change any action; a focal point its own institution's.
WriterDep = Annotated[Caller, Depends(require_role(Role.STAFF, Role.ADMIN, Role.FOCAL_POINT))]

ActionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The action's id.")]

# One entity tag of an If-Match list: an optional weakness marker, then a quoted opaque tag.
_ENTITY_TAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')


class ActionQuery(BaseModel):
    """The list's query parameters; repeat a parameter for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="The State (ISO 3166-1 alpha-3).")
    institution_id: list[RowId] = Field([], description="The responsible institution.")
    kind: list[ActionKind] = Field([], description="Kind of action.")
    status: list[ActionStatus] = Field([], description="Status of the action.")
    recommendation_id: list[RowId] = Field([], description="Linked to this recommendation.")
    archived: ArchivedFilter = Field(
        ArchivedFilter.FALSE, description="`false` (default) current, `true` archived, `any`."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


def _strong_tags(if_match: str | None) -> list[str] | None:
    # Weak tags never match for If-Match (RFC 9110 section 13.1.1), nor does `*` here:
    # a change must name the version it was based on.
    if if_match is None:
        return None
    return [tag for weak, tag in _ENTITY_TAG.findall(if_match) if not weak]


def _read(view: ActionView) -> ActionRead:
    action = view.action
    institution = action.institution
    return ActionRead(
        id=action.id,
        kind=action.kind,
        title=action.title,
        description=action.description,
        state=action.state_code,
        institution_id=action.institution_id,
        institution=(
            InstitutionRef(id=institution.id, name=institution.name) if institution else None
        ),
        announced_date=action.announced_date,
        started_date=action.started_date,
        completed_date=action.completed_date,
        target_date=action.target_date,
        status=action.status,
        evidence_urls=list(action.evidence_urls),
        archived=action.archived_at is not None,
        archived_at=action.archived_at,
        created_at=action.created_at,
        updated_at=action.updated_at,
        recommendations=[
            LinkRead(id=link.recommendation_id, note=link.note) for link in view.links
        ],
    )


@router.get(
    "/v1/actions",
    operation_id="listActions",
    summary="List State actions",
    response_model=ActionPage,
    responses=problem_responses(422),
)
async def list_actions(session: SessionDep, params: Annotated[ActionQuery, Query()]) -> ActionPage:
    """Public. Archived actions are left out unless `archived` is `true` or `any`.
    Keyset-paginated in id order: follow `next_cursor`."""
    after_id = decode_cursor(params.cursor, types=(int,))[0] if params.cursor else None
    filters = service.ActionFilters(
        states=params.state,
        institution_ids=params.institution_id,
        kinds=params.kind,
        statuses=params.status,
        recommendation_ids=params.recommendation_id,
        archived=params.archived,
    )
    views, next_id = await service.list_page(
        session, filters=filters, limit=params.limit, after_id=after_id
    )
    return ActionPage(
        items=[_read(view) for view in views],
        next_cursor=encode_cursor([next_id]) if next_id is not None else None,
    )


@router.post(
    "/v1/actions",
    operation_id="createAction",
    summary="Record a State action",
    status_code=201,
    response_model=ActionRead,
    responses=problem_responses(401, 403, 422),
)
async def create_action(
    response: Response, session: SessionDep, caller: WriterDep, body: ActionCreate
) -> ActionRead:
    """Staff, admin or focal point. A focal point records actions of its own institution,
    which is the default. `state` comes from the institution; without one it is required.
    The `ETag` of the new action is returned for a later PATCH."""
    view = await service.create(session, actor=caller, **body.model_dump())
    response.headers["Location"] = f"/v1/actions/{view.action.id}"
    response.headers["ETag"] = service.version_tag(view.action)
    return _read(view)


@router.get(
    "/v1/actions/{action_id}",
    operation_id="getAction",
    summary="One State action",
    response_model=ActionRead,
    responses=problem_responses(404, 422),
)
async def get_action(response: Response, session: SessionDep, action_id: ActionId) -> ActionRead:
    """Public, archived or not. Its `ETag` names its version: send it as `If-Match` to PATCH."""
    view = await service.get(session, action_id=action_id)
    response.headers["ETag"] = service.version_tag(view.action)
    return _read(view)


@router.patch(
    "/v1/actions/{action_id}",
    operation_id="updateAction",
    summary="Change a State action; archive or restore it",
    response_model=ActionRead,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_action(
    response: Response,
    session: SessionDep,
    caller: WriterDep,
    action_id: ActionId,
    body: ActionUpdate,
    if_match: Annotated[
        str | None,
        Header(description="The `ETag` of your last read of the action (required)."),
    ] = None,
) -> ActionRead:
    """Staff, admin, or a focal point for its own institution's actions (which it may not move
    to another institution). Only the fields sent change; `archived` archives or restores.
    412 when the action changed since the read named by `If-Match`, 428 without it."""
    view = await service.update(
        session,
        actor=caller,
        action_id=action_id,
        if_match=_strong_tags(if_match),
        changes=body.changes(),
    )
    response.headers["ETag"] = service.version_tag(view.action)
    return _read(view)


@router.put(
    "/v1/recommendations/{recommendation_id}/actions/{action_id}",
    operation_id="linkAction",
    summary="Link a State action to a recommendation it answers",
    response_model=LinkResult,
    responses={
        201: {"model": LinkResult, "description": "Linked"},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def link_action(
    response: Response,
    session: SessionDep,
    caller: WriterDep,
    recommendation_id: RecommendationId,
    action_id: ActionId,
    body: Annotated[LinkWrite | None, Body()] = None,
) -> LinkResult:
    """Staff, admin, or a focal point for its own institution's action. 201 for a new link,
    200 when it existed: its note is replaced (an empty body clears it). Both must concern
    the same State; an archived action cannot be newly linked (409)."""
    note = (body.note.strip() or None) if body is not None and body.note is not None else None
    link, created = await service.link(
        session,
        actor=caller,
        recommendation_id=recommendation_id,
        action_id=action_id,
        note=note,
    )
    response.status_code = 201 if created else 200
    return LinkResult.model_validate(link)


@router.delete(
    "/v1/recommendations/{recommendation_id}/actions/{action_id}",
    operation_id="unlinkAction",
    summary="Unlink a State action from a recommendation",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
async def unlink_action(
    session: SessionDep,
    caller: WriterDep,
    recommendation_id: RecommendationId,
    action_id: ActionId,
) -> Response:
    """Staff, admin, or a focal point for its own institution's action. 404 when the two
    are not linked."""
    await service.unlink(
        session, actor=caller, recommendation_id=recommendation_id, action_id=action_id
    )
    return Response(status_code=204)
