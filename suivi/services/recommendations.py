"""Reading recommendations: keyset-paginated lists and one recommendation in full."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CHAR,
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    Text,
    cast,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import Body, Document, PositionRecord, Recommendation
from models.enums import (
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    SourceFormat,
)
from models.recommendation import SORT_DATE
from suivi.errors import NotFound
from suivi.services import follow_up, search
from suivi.services.follow_up import FollowUpRecord


@dataclass(frozen=True, slots=True)
class RecommendationSummary:
    """A recommendation as lists show it: its original-language text and where it came from."""

    id: int
    state: str
    mechanism: MechanismCode
    body: str
    document_symbol: str | None
    paragraph: str | None
    text: str
    language: str
    recommending_states: list[str]
    position: Position | None
    action_category: int | None
    session: int | None
    cycle: int | None
    date: date | None
    themes: list[str]
    affected_persons: list[str]
    sdgs: list[str]
    hrd_relevance: HrdRelevance
    hrd_reasons: list[dict[str, Any]]
    status: ImplementationStatus
    updated_at: datetime
    source_format: SourceFormat


@dataclass(frozen=True, slots=True)
class RecommendationDetail:
    """One recommendation with every text held, its position history and its follow-up."""

    summary: RecommendationSummary
    annotation_type: str | None
    texts: dict[str, str]
    position_history: list[PositionRecord]
    follow_up_selected: bool
    follow_up_deadline_date: date | None
    office_status: ImplementationStatus | None
    source_record_id: str | None
    import_run_id: int | None
    follow_up: FollowUpRecord


# The columns of a RecommendationSummary, in its field order: lists read plain rows, not ORM
# objects, which costs a fraction of building and tracking an entity per item.
_SUMMARY_COLUMNS = (
    Recommendation.id,
    Recommendation.state_code,
    Body.mechanism_code,
    Body.code,
    Document.symbol,
    Recommendation.paragraph,
    Recommendation.text,
    Recommendation.language,
    Recommendation.recommending_states,
    Recommendation.position,
    Recommendation.action_category,
    Recommendation.session,
    Recommendation.cycle,
    Recommendation.issued_date,
    Recommendation.themes,
    Recommendation.affected_persons,
    Recommendation.sdgs,
    Recommendation.hrd_relevance,
    Recommendation.hrd_reasons,
    Recommendation.status,
    Recommendation.updated_at,
    Recommendation.source_format,
)
SUMMARY_WIDTH = len(_SUMMARY_COLUMNS)


# Statements are immutable: built once, extended per request.
SUMMARY_QUERY: Select[Any] = (
    select(*_SUMMARY_COLUMNS)
    .join(Body, Body.id == Recommendation.body_id)
    .outerjoin(Document, Document.id == Recommendation.document_id)
)


class HrdFilter(StrEnum):
    """Relevance to defenders as lists filter on it: `any` is direct or related."""

    DIRECT = "direct"
    RELATED = "related"
    ANY = "any"


class Sort(StrEnum):
    """List orders; a leading `-` is descending. `relevance` needs a search query."""

    ID = "id"
    ID_DESC = "-id"
    DATE = "date"
    DATE_DESC = "-date"
    STATE = "state"
    STATE_DESC = "-state"
    UPDATED = "updated"
    UPDATED_DESC = "-updated"
    RELEVANCE = "relevance"


@dataclass(frozen=True, slots=True)
class RecommendationFilters:
    """What a list keeps: OR within one filter's values, AND across filters."""

    states: Sequence[str] = ()
    mechanisms: Sequence[MechanismCode] = ()
    bodies: Sequence[str] = ()
    cycles: Sequence[int] = ()
    sessions: Sequence[int] = ()
    documents: Sequence[str] = ()
    recommending_states: Sequence[str] = ()
    positions: Sequence[Position] = ()
    action_categories: Sequence[int] = ()
    themes: Sequence[str] = ()
    affected_persons: Sequence[str] = ()
    sdgs: Sequence[str] = ()
    hrd: HrdFilter | None = None
    statuses: Sequence[ImplementationStatus] = ()
    source_formats: Sequence[SourceFormat] = ()
    year_from: int | None = None
    year_to: int | None = None
    updated_since: datetime | None = None
    query: str | None = None


# Keyset of a page: the sort values of the last item seen, then its id.
Keyset = tuple[Any, ...]


async def body_ids_for(session: AsyncSession, filters: RecommendationFilters) -> list[int] | None:
    """The ids of the bodies the mechanism and body filters allow, or None when unfiltered.

    Given as constants, they let the planner estimate how many recommendations a mechanism
    has (through the join it guessed 6% for the UPR's 60%) and pick the right index.
    """
    if not filters.mechanisms and not filters.bodies:
        return None
    query = select(Body.id)
    if filters.mechanisms:
        query = query.where(Body.mechanism_code.in_(filters.mechanisms))
    if filters.bodies:
        query = query.where(Body.code.in_(filters.bodies))
    return list((await session.scalars(query)).all())


def filtered(
    query: Select[Any], filters: RecommendationFilters, body_ids: list[int] | None
) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    f = filters
    if f.states:
        conditions.append(Recommendation.state_code.in_(f.states))
    if body_ids is not None:
        conditions.append(Recommendation.body_id.in_(body_ids))
    if f.cycles:
        conditions.append(Recommendation.cycle.in_(f.cycles))
    if f.sessions:
        conditions.append(Recommendation.session.in_(f.sessions))
    if f.documents:
        conditions.append(Document.symbol.in_(f.documents))
    if f.positions:
        conditions.append(Recommendation.position.in_(f.positions))
    if f.action_categories:
        conditions.append(Recommendation.action_category.in_(f.action_categories))
    if f.statuses:
        conditions.append(Recommendation.status.in_(f.statuses))
    if f.source_formats:
        conditions.append(Recommendation.source_format.in_(f.source_formats))
    # `&&` (overlaps) is OR within the filter and is what the GIN indexes answer.
    for column, values, item_type in (
        (Recommendation.recommending_states, f.recommending_states, CHAR(3)),
        (Recommendation.themes, f.themes, Text()),
        (Recommendation.affected_persons, f.affected_persons, Text()),
        (Recommendation.sdgs, f.sdgs, String(16)),
    ):
        if values:
            conditions.append(column.overlap(cast(list(values), ARRAY(item_type))))
    if f.hrd is HrdFilter.ANY:
        conditions.append(
            Recommendation.hrd_relevance.in_([HrdRelevance.DIRECT, HrdRelevance.RELATED])
        )
    elif f.hrd is not None:
        conditions.append(Recommendation.hrd_relevance == HrdRelevance(f.hrd.value))
    if f.year_from is not None:
        conditions.append(Recommendation.issued_date >= date(f.year_from, 1, 1))
    if f.year_to is not None:
        conditions.append(Recommendation.issued_date < date(f.year_to + 1, 1, 1))
    if f.updated_since is not None:
        conditions.append(Recommendation.updated_at >= f.updated_since)
    if f.query is not None:
        conditions.append(Recommendation.id.in_(search.matching_ids(f.query)))
    return query.where(*conditions)


def _order(sort: Sort, query_text: str | None) -> tuple[list[SQLColumnExpression[Any]], bool]:
    """The sort key columns (id last) and whether the order is descending."""
    descending = sort.value.startswith("-")
    key: list[SQLColumnExpression[Any]]
    match sort:
        case Sort.ID | Sort.ID_DESC:
            key = []
        case Sort.DATE | Sort.DATE_DESC:
            key = [SORT_DATE]
        case Sort.STATE | Sort.STATE_DESC:
            key = [Recommendation.state_code]
        case Sort.UPDATED | Sort.UPDATED_DESC:
            key = [Recommendation.updated_at]
        case Sort.RELEVANCE:
            assert query_text is not None
            key, descending = [search.rank(query_text)], True
    return [*key, Recommendation.id], descending


async def list_page(
    session: AsyncSession,
    *,
    limit: int,
    filters: RecommendationFilters | None = None,
    sort: Sort = Sort.ID,
    after: Keyset | None = None,
) -> tuple[list[RecommendationSummary], Keyset | None]:
    """One page in `sort` order and the keyset to continue after, or None on the last page.

    Keyset pagination: the page after a given item costs what the first page costs.
    """
    filters = filters or RecommendationFilters()
    if sort is Sort.RELEVANCE and not filters.query:
        raise ValueError("relevance order needs a search query")
    key, descending = _order(sort, filters.query)
    body_ids = await body_ids_for(session, filters)
    query = filtered(SUMMARY_QUERY.add_columns(*key[:-1]), filters, body_ids)
    if after is not None:
        position = tuple_(*key)
        bound = tuple_(*(literal(value) for value in after))
        query = query.where(position < bound if descending else position > bound)
    order = [column.desc() if descending else column.asc() for column in key]
    # A plain Core execution: the rows are tuples, no ORM loading is needed.
    connection = await session.connection()
    rows = (await connection.execute(query.order_by(*order).limit(limit + 1))).all()
    page = rows[:limit]
    items = [RecommendationSummary(*row[:SUMMARY_WIDTH]) for row in page]
    if len(rows) <= limit:
        return items, None
    return items, (*page[-1][SUMMARY_WIDTH:], items[-1].id)


async def summaries(session: AsyncSession, *, ids: Sequence[int]) -> list[RecommendationSummary]:
    """The list items of the recommendations `ids` (those that exist), in id order."""
    if not ids:
        return []
    connection = await session.connection()
    query = SUMMARY_QUERY.where(Recommendation.id.in_(ids)).order_by(Recommendation.id)
    return [RecommendationSummary(*row) for row in (await connection.execute(query)).all()]


async def get_detail(session: AsyncSession, *, recommendation_id: int) -> RecommendationDetail:
    """The recommendation in full: texts, positions and public follow-up; NotFound if none."""
    row = (
        await session.execute(SUMMARY_QUERY.where(Recommendation.id == recommendation_id))
    ).one_or_none()
    if row is None:
        raise NotFound(f"No recommendation has id {recommendation_id}.")
    rec = (
        await session.scalars(
            select(Recommendation)
            .where(Recommendation.id == recommendation_id)
            .options(
                selectinload(Recommendation.translations),
                selectinload(Recommendation.position_history),
            )
        )
    ).one()
    record = await follow_up.public_record(
        session,
        recommendation_id=rec.id,
        follow_up_deadline_date=rec.follow_up_deadline_date,
    )
    return RecommendationDetail(
        summary=RecommendationSummary(*row),
        annotation_type=rec.annotation_type,
        texts={rec.language: rec.text, **{t.language: t.text for t in rec.translations}},
        position_history=list(rec.position_history),
        follow_up_selected=rec.follow_up_selected,
        follow_up_deadline_date=rec.follow_up_deadline_date,
        office_status=rec.office_status,
        source_record_id=rec.source_record_id,
        import_run_id=rec.import_run_id,
        follow_up=record,
    )
