"""Recommendations: the list and one recommendation in full."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import SessionDep
from api.json import json_response
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, Label, PageCursor, PageLimit, SearchText, StateCode
from api.schemas.problems import problem_responses
from api.schemas.recommendations import (
    DeadlineRead,
    GradeRead,
    LinkedActionRead,
    PositionRead,
    ProvenanceRead,
    PublishedUpdateRead,
    RecommendationDetailRead,
    RecommendationPage,
    RecommendationRead,
    StatusBySourceRead,
)
from models.enums import ImplementationStatus, MechanismCode, Position
from suivi.errors import InvalidCursor
from suivi.services import recommendations as service
from suivi.services.recommendations import HrdFilter, Sort

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])


class RecommendationQuery(BaseModel):
    """The list's query parameters; repeat a parameter for several values (OR)."""

    model_config = ConfigDict(extra="forbid")

    state: list[StateCode] = Field([], description="State under review (ISO 3166-1 alpha-3).")
    mechanism: list[MechanismCode] = Field([], description="UN mechanism.")
    body: list[Label] = Field([], description="Body code, e.g. `CCPR`, `UPR`, `SR-HRD`.")
    cycle: list[Annotated[int, Field(ge=1, le=99)]] = Field([], description="UPR cycle.")
    session: list[Annotated[int, Field(ge=1, le=32767)]] = Field(
        [], description="UPR session or treaty-body session number."
    )
    document: list[Label] = Field([], description="Document symbol, e.g. `A/HRC/52/10`.")
    recommending_state: list[StateCode] = Field(
        [], description="Recommending State (UPR), ISO 3166-1 alpha-3."
    )
    position: list[Position] = Field([], description="The State's current position.")
    action_category: list[Annotated[int, Field(ge=1, le=5)]] = Field(
        [], description="UPR Info action category, 1 (minimal action) to 5 (specific action)."
    )
    theme: list[Label] = Field([], description="Theme, as `GET /v1/themes` lists them.")
    affected: list[Label] = Field(
        [], description="Affected persons, as `GET /v1/affected-persons` lists them."
    )
    sdg: list[Annotated[str, StringConstraints(pattern=r"^\d{1,2}(\.[0-9a-z]{1,2})?$")]] = Field(
        [], description="SDG target or goal as `GET /v1/sdgs` lists them, e.g. `16.10`."
    )
    hrd: HrdFilter | None = Field(
        None, description="Relevance to human rights defenders; `any` is direct or related."
    )
    status: list[ImplementationStatus] = Field([], description="Derived implementation status.")
    year_from: int | None = Field(None, ge=1945, le=2100, description="Issued in or after.")
    year_to: int | None = Field(None, ge=1945, le=2100, description="Issued in or before.")
    updated_since: datetime | None = Field(
        None, description="Changed at or after this instant (ISO 8601; UTC when no offset)."
    )
    q: SearchText | None = Field(
        None,
        description="Full-text search (websearch syntax: quotes, OR, -term) in English, "
        "French, Spanish or Arabic.",
    )
    sort: Sort | None = Field(
        None, description="Order; `-` for descending. Default `relevance` with `q`, else `id`."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


def _invalid(name: str, reason: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": reason, "type": "value_error"}])


# The cursor's values after the sort name, as JSON holds them, and how to read them back.
_CURSOR_TYPES: dict[Sort, tuple[type, ...]] = {
    Sort.ID: (),
    Sort.ID_DESC: (),
    Sort.DATE: (str,),
    Sort.DATE_DESC: (str,),
    Sort.STATE: (str,),
    Sort.STATE_DESC: (str,),
    Sort.UPDATED: (str,),
    Sort.UPDATED_DESC: (str,),
    Sort.RELEVANCE: (float,),
}


def _read_cursor(cursor: str, sort: Sort) -> service.Keyset:
    name, *values = decode_cursor(cursor, types=(str, *_CURSOR_TYPES[sort], int))
    if name != sort.value:
        raise InvalidCursor(f"The cursor continues the order {name!r}, not {sort.value!r}.")
    try:
        if sort in (Sort.DATE, Sort.DATE_DESC):
            values[0] = date.fromisoformat(values[0])
        elif sort in (Sort.UPDATED, Sort.UPDATED_DESC):
            values[0] = datetime.fromisoformat(values[0])
    except ValueError as exc:
        raise InvalidCursor("The cursor is not one this API handed out.") from exc
    return tuple(values)


def _write_cursor(keyset: service.Keyset, sort: Sort) -> str:
    values = [v.isoformat() if isinstance(v, date | datetime) else v for v in keyset]
    return encode_cursor([sort.value, *values])


def _filters(params: RecommendationQuery) -> service.RecommendationFilters:
    if params.year_from and params.year_to and params.year_from > params.year_to:
        raise _invalid("year_to", "must not be before year_from")
    updated_since = params.updated_since
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    query = params.q.strip() if params.q else None
    return service.RecommendationFilters(
        states=params.state,
        mechanisms=params.mechanism,
        bodies=params.body,
        cycles=params.cycle,
        sessions=params.session,
        documents=params.document,
        recommending_states=params.recommending_state,
        positions=params.position,
        action_categories=params.action_category,
        themes=params.theme,
        affected_persons=params.affected,
        sdgs=params.sdg,
        hrd=params.hrd,
        statuses=params.status,
        year_from=params.year_from,
        year_to=params.year_to,
        updated_since=updated_since,
        query=query or None,
    )


@router.get(
    "",
    operation_id="listRecommendations",
    summary="List recommendations by any facet, with full-text search",
    response_model=RecommendationPage,
    responses=problem_responses(422),
)
async def list_recommendations(
    request: Request,
    session: SessionDep,
    params: Annotated[RecommendationQuery, Query()],
) -> Response:
    """Filters combine with AND; the values of one filter with OR. Keyset-paginated: follow
    `next_cursor` (or the `Link` header), which keeps the filters and the order."""
    filters = _filters(params)
    sort = params.sort or (Sort.RELEVANCE if filters.query else Sort.ID)
    if sort is Sort.RELEVANCE and not filters.query:
        raise _invalid("sort", "relevance order needs a search query `q`")
    after = _read_cursor(params.cursor, sort) if params.cursor else None
    items, next_keyset = await service.list_page(
        session, limit=params.limit, filters=filters, sort=sort, after=after
    )
    next_cursor = _write_cursor(next_keyset, sort) if next_keyset is not None else None
    headers = {}
    if next_cursor is not None:
        next_url = request.url.include_query_params(cursor=next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    # The summaries already have the shape of RecommendationRead (a test holds them to it):
    # serialised directly, a page costs a fraction of validating each item again.
    return json_response({"items": items, "next_cursor": next_cursor}, headers=headers)


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
    """Every text held, the position history, linked State actions, published progress
    updates, follow-up grades, open deadlines and each source's view of the status."""
    detail = await service.get_detail(session, recommendation_id=recommendation_id)
    record = detail.follow_up
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
        actions=[LinkedActionRead.model_validate(a) for a in record.actions],
        progress_updates=[PublishedUpdateRead.model_validate(u) for u in record.updates],
        grades=[GradeRead.model_validate(g) for g in record.grades],
        deadlines=[DeadlineRead.model_validate(d) for d in record.deadlines],
        status_by_source=StatusBySourceRead.model_validate(
            {source.value: status for source, status in record.status_by_source.items()}
        ),
    )
