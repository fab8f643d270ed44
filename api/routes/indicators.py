"""Indicators of State fulfilment: list, read, create, and record observations."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep, StaffDep, require_role
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, MAX_ID, PageCursor, PageLimit, StateCode
from api.schemas.follow_up import (
    IndicatorCreate,
    IndicatorDetailRead,
    IndicatorPage,
    IndicatorRead,
    ObservationCreate,
    ObservationRead,
)
from api.schemas.problems import problem_responses
from models.enums import IndicatorKind, Role
from suivi.services import indicators as service
from suivi.services.indicators import IndicatorRecord
from suivi.services.keys import Caller

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])

IndicatorId = Annotated[int, Path(ge=1, le=MAX_ID, description="The indicator's id.")]
# Staff observe any indicator; a focal point those of its institution's State (checked after).
ObserverDep = Annotated[Caller, Depends(require_role(Role.STAFF, Role.ADMIN, Role.FOCAL_POINT))]


class IndicatorQuery(BaseModel):
    """The list's query parameters; repeat `state` or `kind` for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="State measured (ISO 3166-1 alpha-3).")
    kind: list[IndicatorKind] = Field([], description="Structural, process or outcome.")
    recommendation_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Attached to this recommendation."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


def _read(record: IndicatorRecord) -> IndicatorRead:
    indicator = record.indicator
    return IndicatorRead(
        id=indicator.id,
        kind=indicator.kind,
        name=indicator.name,
        description=indicator.description,
        unit=indicator.unit,
        state=indicator.state_code,
        reporting_frequency=indicator.reporting_frequency,
        next_reporting_date=indicator.next_reporting_date,
        recommendation_ids=record.recommendation_ids,
        created_at=indicator.created_at,
        updated_at=indicator.updated_at,
    )


@router.get(
    "",
    operation_id="listIndicators",
    summary="List indicators",
    response_model=IndicatorPage,
    responses=problem_responses(422),
)
async def list_indicators(
    session: SessionDep, params: Annotated[IndicatorQuery, Query()]
) -> IndicatorPage:
    """Indicators by id, with the recommendations each is attached to. Keyset-paginated."""
    after_id = decode_cursor(params.cursor, types=(int,))[0] if params.cursor else None
    records, next_after = await service.list_page(
        session,
        states=params.state,
        kinds=params.kind,
        recommendation_id=params.recommendation_id,
        limit=params.limit,
        after_id=after_id,
    )
    return IndicatorPage(
        items=[_read(record) for record in records],
        next_cursor=encode_cursor([next_after]) if next_after is not None else None,
    )


@router.get(
    "/{indicator_id}",
    operation_id="getIndicator",
    summary="One indicator with its observations",
    response_model=IndicatorDetailRead,
    responses=problem_responses(404, 422),
)
async def get_indicator(session: SessionDep, indicator_id: IndicatorId) -> IndicatorDetailRead:
    """The indicator, its recommendation ids and its observations, newest first."""
    record = await service.get(session, indicator_id=indicator_id)
    return IndicatorDetailRead(
        **_read(record).model_dump(),
        observations=[ObservationRead.model_validate(o) for o in record.observations],
    )


@router.post(
    "",
    operation_id="createIndicator",
    summary="Create an indicator attached to recommendations (staff)",
    status_code=201,
    response_model=IndicatorRead,
    responses=problem_responses(401, 403, 422),
)
async def create_indicator(
    response: Response, session: SessionDep, caller: StaffDep, body: IndicatorCreate
) -> IndicatorRead:
    """The recommendations must exist and, when the indicator has a State, concern it (422
    otherwise). `Location` names the new indicator."""
    record = await service.create(
        session,
        kind=body.kind,
        name=body.name,
        description=body.description,
        unit=body.unit,
        state=body.state,
        reporting_frequency=body.reporting_frequency,
        next_reporting_date=body.next_reporting_date,
        recommendation_ids=body.recommendation_ids,
        actor=caller,
    )
    response.headers["Location"] = f"/v1/indicators/{record.indicator.id}"
    return _read(record)


@router.post(
    "/{indicator_id}/observations",
    operation_id="createObservation",
    summary="Record an observed value of an indicator (staff, or the State's focal point)",
    status_code=201,
    response_model=ObservationRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def create_observation(
    session: SessionDep, caller: ObserverDep, indicator_id: IndicatorId, body: ObservationCreate
) -> ObservationRead:
    """A value, a text or both, for a date not in the future. When it covers the reporting
    period due, the indicator's next reporting date moves on by its frequency."""
    observation = await service.observe(
        session,
        indicator_id=indicator_id,
        observed_date=body.observed_date,
        value=body.value,
        value_text=body.value_text,
        source=body.source,
        note=body.note,
        actor=caller,
    )
    return ObservationRead.model_validate(observation)
