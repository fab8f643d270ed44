"""Recommendations: the list and one recommendation in full."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import Field

from api.deps import ReadsDep
from api.json import json_response
from api.languages import (
    ACCEPT_LANGUAGE_PARAMETER,
    language_headers,
    request_language,
)
from api.pagination import decode_cursor, encode_cursor, next_link
from api.params import CURSOR_DESCRIPTION, MAX_ID, PageCursor, PageLimit
from api.query import documented_parameters, parse_query
from api.recommendation_filters import RecommendationFilterQuery, invalid_parameter
from api.schemas.base import attributes_for
from api.schemas.problems import problem_responses
from api.schemas.recommendations import (
    DeadlineRead,
    GradeRead,
    LinkedActionRead,
    PublishedUpdateRead,
    RecommendationDetailRead,
    RecommendationPage,
    item_labeller,
)
from suivi.errors import InvalidCursor
from suivi.labels import Kind, Labeller
from suivi.services import meaning
from suivi.services import recommendations as service
from suivi.services.recommendations import Sort

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])


class RecommendationQuery(RecommendationFilterQuery):
    """The list's query parameters: the shared filters, an order and a page."""

    sort: Sort | None = Field(
        None, description="Order; `-` for descending. Default `relevance` with `q`, else `id`."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


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


def read_cursor(cursor: str, sort: Sort) -> service.Keyset:
    """The keyset a list cursor continues after; 422 when it is not one of this order's."""
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


def write_cursor(keyset: service.Keyset, sort: Sort) -> str:
    """The cursor that continues a list of order `sort` after `keyset`."""
    values = [v.isoformat() if isinstance(v, date | datetime) else v for v in keyset]
    return encode_cursor([sort.value, *values])


@router.get(
    "",
    operation_id="listRecommendations",
    summary="List recommendations by any facet, with full-text search",
    response_model=RecommendationPage,
    responses=problem_responses(409, 422),
    # Read by parse_query, documented as FastAPI would document the model.
    openapi_extra={
        "parameters": [
            *documented_parameters(RecommendationQuery)["parameters"],
            ACCEPT_LANGUAGE_PARAMETER,
        ]
    },
)
async def list_recommendations(request: Request, reads: ReadsDep) -> Response:
    """Filters combine with AND; the values of one filter with OR. Keyset-paginated: follow
    `next_cursor` (or the `Link` header), which keeps the filters and the order."""
    params = parse_query(RecommendationQuery, request)
    filters = await meaning.with_meaning(reads, params.to_filters())
    sort = params.sort or (Sort.RELEVANCE if filters.query else Sort.ID)
    if sort is Sort.RELEVANCE and not filters.query:
        raise invalid_parameter("sort", "relevance order needs a search query `q`")
    after = read_cursor(params.cursor, sort) if params.cursor else None
    items, next_keyset = await service.list_page(
        reads, limit=params.limit, filters=filters, sort=sort, after=after
    )
    next_cursor = write_cursor(next_keyset, sort) if next_keyset is not None else None
    language = request_language(request)
    # Labels by dictionary reads on the rows already fetched: no query, a few microseconds.
    add_labels = item_labeller(Labeller.of(language))
    for item in items:
        add_labels(item)
    headers = language_headers(language)
    if next_cursor is not None:
        headers["Link"] = next_link(request, next_cursor)
    # The summaries already have the shape of RecommendationRead (a test holds them to it):
    # serialised directly, a page costs a fraction of validating each item again.
    return json_response({"items": items, "next_cursor": next_cursor}, headers=headers)


@router.get(
    "/{recommendation_id}",
    operation_id="getRecommendation",
    summary="One recommendation in full",
    response_model=RecommendationDetailRead,
    responses=problem_responses(404, 422),
    openapi_extra={"parameters": [ACCEPT_LANGUAGE_PARAMETER]},
)
async def get_recommendation(
    request: Request,
    reads: ReadsDep,
    recommendation_id: Annotated[
        int, Path(ge=1, le=MAX_ID, description="The recommendation's id.")
    ],
) -> Response:
    """Every text held, the position history, linked State actions, published progress
    updates, follow-up grades, open deadlines and each source's view of the status."""
    detail = await service.get_detail(reads, recommendation_id=recommendation_id)
    language = request_language(request)
    return json_response(
        recommendation_detail(detail, Labeller.of(language)), headers=language_headers(language)
    )


def recommendation_detail(
    detail: service.RecommendationDetail, labeller: Labeller
) -> dict[str, Any]:
    """The RecommendationDetailRead of `detail`, as a dict: built in the model's terms and
    serialised directly, it costs a fraction of validating nested models (a test holds it
    to the model)."""
    record = detail.follow_up
    label = labeller.label
    status_by_source = {source.value: status for source, status in record.status_by_source.items()}
    return {
        **item_labeller(labeller)(service.item_of(detail.summary)),
        "annotation_type": detail.annotation_type,
        "texts": detail.texts,
        "position_history": [
            {
                "position": p.position,
                "position_label": label(Kind.POSITION, p.position),
                "stated_date": p.stated_date,
                "source": p.source,
            }
            for p in detail.position_history
        ],
        "follow_up_selected": detail.follow_up_selected,
        "follow_up_deadline": detail.follow_up_deadline_date,
        "office_status": detail.office_status,
        "office_status_label": label(Kind.STATUS, detail.office_status),
        "provenance": {
            "source_format": detail.summary.source_format,
            "source_record_id": detail.source_record_id,
            "import_run_id": detail.import_run_id,
        },
        "actions": [
            {
                **attributes_for(LinkedActionRead, a),
                "kind_label": label(Kind.ACTION_KIND, a.kind),
                "status_label": label(Kind.ACTION_STATUS, a.status),
            }
            for a in record.actions
        ],
        "progress_updates": [
            {
                **attributes_for(PublishedUpdateRead, u),
                "source_type_label": label(Kind.SOURCE_TYPE, u.source_type),
                "assessed_status_label": label(Kind.STATUS, u.assessed_status),
            }
            for u in record.updates
        ],
        "grades": [attributes_for(GradeRead, g) for g in record.grades],
        "deadlines": [attributes_for(DeadlineRead, d) for d in record.deadlines],
        "status_by_source": status_by_source,
        "status_by_source_labels": {
            source: label(Kind.STATUS, status) for source, status in status_by_source.items()
        },
    }
