"""What is overdue and what falls due soon, across recommendations, actions and indicators."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep
from api.languages import LanguageDep
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, PageCursor, PageLimit, StateCode
from api.schemas.base import attributes_for
from api.schemas.follow_up import DueItemPage, DueItemRead
from api.schemas.problems import problem_responses
from suivi.errors import InvalidCursor
from suivi.labels import Labeller
from suivi.services import deadlines as service
from suivi.services.deadlines import DeadlineKind, Keyset

router = APIRouter(prefix="/v1/deadlines", tags=["deadlines"])


class DeadlineQuery(BaseModel):
    """The list's query parameters; repeat `state` or `kind` for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="State (ISO 3166-1 alpha-3).")
    within: int = Field(90, ge=1, le=3650, description="Days ahead to list what falls due.")
    kind: list[DeadlineKind] = Field([], description="Kind of deadline.")
    limit: PageLimit = 100
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


def _read_cursor(cursor: str) -> Keyset:
    due, kind, state, ref = decode_cursor(cursor, types=(str, str, str, int))
    try:
        return date.fromisoformat(due), kind, state, ref
    except ValueError as exc:
        raise InvalidCursor("The cursor is not one this API handed out.") from exc


@router.get(
    "",
    operation_id="listDeadlines",
    summary="What is overdue and what falls due soon",
    response_model=DueItemPage,
    responses=problem_responses(422),
)
async def list_deadlines(
    session: SessionDep, params: Annotated[DeadlineQuery, Query()], language: LanguageDep
) -> DueItemPage:
    """Treaty-body follow-up replies not yet graded, the next UPR review and mid-term report
    of each State (estimated from the cycle calendar), open actions' target dates and
    indicators' reporting dates. Everything overdue is listed whatever `within`; soonest first."""
    items, next_keyset = await service.list_page(
        session,
        today=datetime.now(UTC).date(),
        within_days=params.within,
        states=params.state,
        kinds=params.kind,
        limit=params.limit,
        after=_read_cursor(params.cursor) if params.cursor else None,
    )
    next_cursor = None
    if next_keyset is not None:
        due, *rest = next_keyset
        next_cursor = encode_cursor([due.isoformat(), *rest])
    labeller = Labeller.of(language)
    return DueItemPage(
        items=[
            DueItemRead.model_validate(
                {**attributes_for(DueItemRead, item), "state_label": labeller.state(item.state)}
            )
            for item in items
        ],
        next_cursor=next_cursor,
    )
