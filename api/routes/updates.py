"""Progress updates over HTTP: submit, read back, and the staff's review queue."""

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CallerDep, SessionDep, StaffDep, require_role
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, MAX_ID, PageCursor, PageLimit
from api.schemas.problems import problem_responses
from api.schemas.updates import SubmitterRead, UpdateCreate, UpdatePage, UpdateRead, UpdateReject
from models.enums import ReviewState, Role, SourceType
from suivi.services import updates as service
from suivi.services.keys import Caller
from suivi.services.updates import Subject, UpdateContent, UpdateView

router = APIRouter(tags=["updates"])

# Submitting, listing and retracting need a key; any role may hold it.
KeyedDep = Annotated[Caller, Depends(require_role(*Role))]

_T = TypeVar("_T")

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Makes a retry safe: the same key and body return the first result "
        "with 200 and `Idempotent-Replayed: true`, and create nothing; the same key with "
        "another body is a 422.",
    ),
]

# Answered with a replay: a client tells it from a creation without comparing bodies.
REPLAYED = "Idempotent-Replayed"


def _read(view: UpdateView) -> UpdateRead:
    submitter = SubmitterRead(organisation=view.organisation) if view.organisation else None
    fields = {name: getattr(view, name) for name in UpdateRead.model_fields if name != "submitter"}
    return UpdateRead(**fields, submitter=submitter)


async def _submit(
    response: Response,
    session: SessionDep,
    caller: Caller,
    subject: Subject,
    body: UpdateCreate,
    idempotency_key: str | None,
) -> UpdateRead:
    content = UpdateContent(**body.model_dump())
    submitted = await service.submit(
        session,
        caller=caller,
        subject=subject,
        content=content,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = f"/v1/updates/{submitted.update.id}"
    if not submitted.created:
        response.status_code = 200
        response.headers[REPLAYED] = "true"
    return _read(submitted.update)


_SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Submitted: the update waits in review; `Location` names it."},
    200: {
        "model": UpdateRead,
        "description": "A retry with an `Idempotency-Key` already used with the same body: "
        "the update the first request created, and nothing new.",
        "headers": {
            REPLAYED: {
                "description": "`true`: this answer replays an earlier submission.",
                "schema": {"type": "string", "enum": ["true"]},
            }
        },
    },
    **problem_responses(401, 403, 404, 422),
}


@router.post(
    "/v1/recommendations/{recommendation_id}/updates",
    operation_id="createRecommendationUpdate",
    summary="Submit a progress update about a recommendation",
    status_code=201,
    response_model=UpdateRead,
    responses=_SUBMIT_RESPONSES,
)
async def create_recommendation_update(
    response: Response,
    session: SessionDep,
    caller: KeyedDep,
    recommendation_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The recommendation.")],
    body: UpdateCreate,
    idempotency_key: IdempotencyKey = None,
) -> UpdateRead:
    """The update waits in review until staff publish or reject it. `Location` names it.
    A `government` update concerns the State of the submitter's institution (staff: any)."""
    return await _submit(
        response,
        session,
        caller,
        Subject(recommendation_id=recommendation_id),
        body,
        idempotency_key,
    )


@router.post(
    "/v1/actions/{action_id}/updates",
    operation_id="createActionUpdate",
    summary="Submit a progress update about a State action",
    status_code=201,
    response_model=UpdateRead,
    responses=_SUBMIT_RESPONSES,
)
async def create_action_update(
    response: Response,
    session: SessionDep,
    caller: KeyedDep,
    action_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The State action.")],
    body: UpdateCreate,
    idempotency_key: IdempotencyKey = None,
) -> UpdateRead:
    """A focal point reports only on its own institution's actions, and a `government`
    update only on its own State's."""
    return await _submit(
        response, session, caller, Subject(action_id=action_id), body, idempotency_key
    )


class UpdateQuery(BaseModel):
    """The queue's query parameters; repeat a parameter for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    review_state: list[ReviewState] = Field([], description="Review state, e.g. `submitted`.")
    source_type: list[SourceType] = Field([], description="Who the update speaks for.")
    recommendation_id: int | None = Field(None, ge=1, le=MAX_ID, description="Its subject.")
    action_id: int | None = Field(None, ge=1, le=MAX_ID, description="Its subject.")
    organisation_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The submitting organisation."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


@router.get(
    "/v1/updates",
    operation_id="listUpdates",
    summary="List progress updates: the review queue, or your organisation's own",
    response_model=UpdatePage,
    responses=problem_responses(401, 403, 422),
)
async def list_updates(
    session: SessionDep, caller: KeyedDep, params: Annotated[UpdateQuery, Query()]
) -> UpdatePage:
    """Staff see every update (`review_state=submitted` is the queue); submitters and focal
    points their own organisation's, in every state. Oldest first; follow `next_cursor`."""
    after_id = decode_cursor(params.cursor, types=(int,))[0] if params.cursor else None
    views, next_after = await service.list_page(
        session,
        caller=caller,
        filters=service.UpdateFilters(
            review_states=params.review_state,
            source_types=params.source_type,
            recommendation_id=params.recommendation_id,
            action_id=params.action_id,
            organisation_id=params.organisation_id,
        ),
        limit=params.limit,
        after_id=after_id,
    )
    return UpdatePage(
        items=[_read(view) for view in views],
        next_cursor=encode_cursor([next_after]) if next_after is not None else None,
    )


@router.get(
    "/v1/updates/{update_id}",
    operation_id="getUpdate",
    summary="One progress update",
    response_model=UpdateRead,
    responses=problem_responses(401, 404, 422),
)
async def get_update(
    session: SessionDep,
    caller: CallerDep,
    update_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The update's id.")],
) -> UpdateRead:
    """Published updates to all; unpublished and restricted ones to staff and their own
    organisation only (404 to anyone else)."""
    return _read(await service.get(session, caller=caller, update_id=update_id))


@router.post(
    "/v1/updates/{update_id}/publish",
    operation_id="publishUpdate",
    summary="Publish a submitted progress update (staff)",
    response_model=UpdateRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def publish_update(
    session: SessionDep,
    caller: StaffDep,
    update_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The update's id.")],
) -> UpdateRead:
    """Only a `submitted` update can be published; its recommendation's status follows."""
    return _read(await service.publish(session, update_id=update_id, reviewer=caller))


@router.post(
    "/v1/updates/{update_id}/reject",
    operation_id="rejectUpdate",
    summary="Reject a submitted progress update, with a reason (staff)",
    response_model=UpdateRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reject_update(
    session: SessionDep,
    caller: StaffDep,
    update_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The update's id.")],
    body: UpdateReject,
) -> UpdateRead:
    """Only a `submitted` update can be rejected; the submitter reads the reason back."""
    return _read(
        await service.reject(session, update_id=update_id, reviewer=caller, reason=body.reason)
    )


@router.post(
    "/v1/updates/{update_id}/retract",
    operation_id="retractUpdate",
    summary="Retract your organisation's update before it is reviewed",
    response_model=UpdateRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def retract_update(
    session: SessionDep,
    caller: KeyedDep,
    update_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The update's id.")],
) -> UpdateRead:
    """Only the submitting organisation, and only while the update is `submitted`."""
    return _read(await service.retract(session, update_id=update_id, caller=caller))
