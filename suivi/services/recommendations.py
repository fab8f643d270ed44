"""Reading recommendations: keyset-paginated lists and one recommendation in full."""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Double,
    Integer,
    Select,
    SQLColumnExpression,
    Text,
    bindparam,
    cast,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Body,
    ClusterMember,
    Document,
    PositionRecord,
    Recommendation,
    RecommendationText,
)
from models.enums import (
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    SourceFormat,
)
from models.recommendation import SORT_DATE
from suivi.errors import NotEmbedded, NotFound
from suivi.reads import Reads, Statement
from suivi.services import follow_up, meaning, search
from suivi.services.follow_up import FollowUpRecord
from suivi.services.recommendation_filters import (
    BODIES_QUERY,
    Bodies,
    HrdFilter,
    RecommendationFilters,
    Shape,
    conditions,
    one_plan,
)

__all__ = ["HrdFilter", "RecommendationFilters"]


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
    cluster_id: int | None


@dataclass(frozen=True, slots=True)
class RecommendationDetail:
    """One recommendation with every text held, its position history and its follow-up."""

    summary: RecommendationSummary
    annotation_type: str | None
    texts: dict[str, str]
    position_history: list["StatedPosition"]
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
    ClusterMember.cluster_id,
)
SUMMARY_WIDTH = len(_SUMMARY_COLUMNS)


# Statements are immutable: built once, extended per request.
SUMMARY_QUERY: Select[Any] = (
    select(*_SUMMARY_COLUMNS)
    .join(Body, Body.id == Recommendation.body_id)
    .outerjoin(Document, Document.id == Recommendation.document_id)
    .outerjoin(ClusterMember, ClusterMember.recommendation_id == Recommendation.id)
)


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


# Keyset of a page: the sort values of the last item seen, then its id.
Keyset = tuple[Any, ...]

# The fields of a list item, in the order of `_SUMMARY_COLUMNS`.
ITEM_FIELDS = tuple(field.name for field in fields(RecommendationSummary))
# A list item: RecommendationSummary's fields as a dict.
RecommendationItem = dict[str, Any]
_LIMIT = bindparam("limit", type_=Integer())
_QUERY = bindparam("f_q", type_=Text())
_NEAR_IDS = bindparam("f_q_near", type_=ARRAY(BigInteger()))
_NEAR_SIMILARITIES: BindParameter[Any] = bindparam("f_q_similarity", type_=ARRAY(Double[float]()))


async def bodies_of(session: AsyncSession) -> Bodies:
    """The bodies the filters bind, as `session` sees them."""
    rows = (await session.execute(text(BODIES_QUERY))).all()
    return Bodies([(row[0], row[1], row[2]) for row in rows])


def filtered(query: Select[Any], filters: RecommendationFilters, bodies: Bodies) -> Select[Any]:
    """`query` over recommendations restricted to `filters`, with their values bound."""
    shape, values = filters.bound(bodies)
    return query.where(*conditions(shape)).params(values)


def _order(sort: Sort) -> tuple[list[SQLColumnExpression[Any]], bool]:
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
            raise ValueError("relevance order is built by search.relevance_page")
    return [*key, Recommendation.id], descending


@lru_cache(maxsize=1024)
def _page_statement(shape: Shape, sort: Sort, continued: bool) -> Statement:
    """The statement of a page of one filter shape and order, compiled once."""
    if sort is Sort.RELEVANCE:
        return _relevance_statement(shape, continued)
    key, descending = _order(sort)
    query = SUMMARY_QUERY.add_columns(*key[:-1]).where(*conditions(shape))
    if continued:
        position = tuple_(*key)
        # Untyped: PostgreSQL takes each sort column's type.
        bound = tuple_(*(bindparam(f"after_{i}") for i in range(len(key))))
        query = query.where(position < bound if descending else position > bound)
    order = [column.desc() if descending else column.asc() for column in key]
    return Statement.compile(query.order_by(*order).limit(_LIMIT), one_plan=one_plan(shape))


def _relevance_statement(shape: Shape, continued: bool) -> Statement:
    """A page in relevance order: the search ranks the matches of the other filters, a
    bounded number of them exactly (search.relevance_page), and the page joins its ids."""
    form = next(item.name for item in shape if item.name.startswith("q"))
    others = conditions(tuple(item for item in shape if not item.name.startswith("q")))
    after: tuple[BindParameter[Any], BindParameter[Any]] | None = (
        (bindparam("after_0"), bindparam("after_1")) if continued else None
    )
    if form == "q~semantic":
        return _semantic_statement(others, after, one_plan=one_plan(shape))
    if form == "q~hybrid":
        ranked = search.hybrid_page(_QUERY, _NEAR_IDS, others, limit=_LIMIT, after=after)
    else:
        ranked = search.relevance_page(_QUERY, others, limit=_LIMIT, after=after)
    page = ranked.subquery("page")
    query = (
        SUMMARY_QUERY.add_columns(page.c.rank)
        .join(page, page.c.id == Recommendation.id)
        # The join keeps no order.
        .order_by(page.c.rank.desc(), Recommendation.id.desc())
    )
    return Statement.compile(query, one_plan=one_plan(shape))


def _semantic_statement(
    others: Sequence[ColumnElement[bool]],
    after: tuple[BindParameter[Any], BindParameter[Any]] | None,
    *,
    one_plan: bool,
) -> Statement:
    """A page of the nearest texts in meaning that satisfy the other filters: `rank` is the
    cosine similarity, ties by id descending."""
    near = (
        func.unnest(_NEAR_IDS, _NEAR_SIMILARITIES)
        .table_valued("id", "similarity")
        .render_derived("near", with_types=False)
    )
    rank: ColumnElement[float] = cast(near.c.similarity, Double[float]())
    chosen = (
        select(Recommendation.id, rank.label("rank"))
        .select_from(near)
        .join(Recommendation, Recommendation.id == near.c.id)
        .where(*others)
    )
    if after is not None:
        keyset: tuple[ColumnElement[Any], ...] = (
            cast(after[0], Double[float]()),
            cast(after[1], BigInteger()),
        )
        chosen = chosen.where(tuple_(rank, Recommendation.id) < tuple_(*keyset))
    # The page's ids first, then their columns: only the page's rows are read whole.
    page = chosen.order_by(rank.desc(), Recommendation.id.desc()).limit(_LIMIT).subquery("page")
    query = (
        SUMMARY_QUERY.add_columns(page.c.rank)
        .join(page, page.c.id == Recommendation.id)
        .order_by(page.c.rank.desc(), Recommendation.id.desc())
    )
    return Statement.compile(query, one_plan=one_plan)


async def list_page(
    reads: Reads,
    *,
    limit: int,
    filters: RecommendationFilters | None = None,
    sort: Sort = Sort.ID,
    after: Keyset | None = None,
) -> tuple[list[RecommendationItem], Keyset | None]:
    """One page in `sort` order and the keyset to continue after, or None on the last page.

    Items are dicts of the summary's fields (`ITEM_FIELDS`): a list page serialises them
    several times faster than dataclasses, and builds them faster than frozen ones.

    Keyset pagination: the page after a given item costs what the first page costs.
    """
    filters = filters or RecommendationFilters()
    if sort is Sort.RELEVANCE and not filters.query:
        raise ValueError("relevance order needs a search query")
    shape, values = filters.bound(await reads.bodies())
    statement = _page_statement(shape, sort, after is not None)
    values["limit"] = limit + 1
    if after is not None:
        values.update({f"after_{i}": value for i, value in enumerate(after)})
    rows = await reads.fetch(statement, values)
    page = rows[:limit]
    items = [_item(row) for row in page]
    if len(rows) <= limit:
        return items, None
    return items, (*page[-1][SUMMARY_WIDTH:], items[-1]["id"])


@lru_cache(maxsize=256)
def _similar_statement(shape: Shape) -> Statement:
    return _semantic_statement(conditions(shape), None, one_plan=one_plan(shape))


_EXISTS = Statement("SELECT 1 FROM recommendations WHERE id = $1", ("id",), {}, one_plan=True)


async def similar_page(
    reads: Reads,
    *,
    recommendation_id: int,
    limit: int,
    filters: RecommendationFilters | None = None,
) -> list[RecommendationItem]:
    """The `limit` recommendations nearest in meaning to one, among those `filters` keep,
    most similar first; each item with its `similarity` (cosine, 1 the same meaning).

    NotFound when there is no such recommendation, NotEmbedded when its text has no vector yet.
    """
    near = await meaning.similar_to(reads, recommendation_id, limit=search.NEAR_LIMIT)
    if near is None:
        # Asked only then: a recommendation with a vector exists.
        if not await reads.fetch(_EXISTS, {"id": recommendation_id}):
            raise NotFound(f"No recommendation has id {recommendation_id}.")
        raise NotEmbedded(
            f"Recommendation {recommendation_id} has no vector of meaning yet: its text is "
            "queued, and `suivi embed` (or the server, in the background) computes it."
        )
    shape, values = (filters or RecommendationFilters()).bound(await reads.bodies())
    values.update({"f_q_near": near.ids, "f_q_similarity": near.similarities, "limit": limit})
    rows = await reads.fetch(_similar_statement(shape), values)
    items = []
    for row in rows:
        item = _item(row)
        item["similarity"] = round(float(row[SUMMARY_WIDTH]), 4)
        items.append(item)
    return items


_REASONS = ITEM_FIELDS.index("hrd_reasons")


def item_of(summary: RecommendationSummary) -> RecommendationItem:
    """A summary as a list item."""
    return {name: getattr(summary, name) for name in ITEM_FIELDS}


def _item(row: Sequence[Any]) -> RecommendationItem:
    # zip stops at the item's fields: the sort key columns after them are the keyset's.
    item = dict(zip(ITEM_FIELDS, row, strict=False))
    reasons = item["hrd_reasons"]
    if isinstance(reasons, str):
        # Through an ORM session's connection JSONB arrives as text; the read pool parses it.
        item["hrd_reasons"] = orjson.loads(reasons)
    return item


async def summaries(session: AsyncSession, *, ids: Sequence[int]) -> list[RecommendationSummary]:
    """The list items of the recommendations `ids` (those that exist), in id order."""
    if not ids:
        return []
    connection = await session.connection()
    query = SUMMARY_QUERY.where(Recommendation.id.in_(ids)).order_by(Recommendation.id)
    return [RecommendationSummary(*row) for row in (await connection.execute(query)).all()]


@dataclass(frozen=True, slots=True)
class StatedPosition:
    """A position the State took on the recommendation, when and where it said so."""

    position: Position
    stated_date: date | None
    source: str | None


@lru_cache(maxsize=1)
def _detail_statement() -> Statement:
    """The recommendation in full in one statement: its list fields, then its other columns,
    texts and positions, then its public follow-up (follow_up.public_record_columns)."""
    translations = (
        select(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(RecommendationText.language, RecommendationText.text),
                    RecommendationText.language,
                )
            )
        )
        .where(RecommendationText.recommendation_id == Recommendation.id)
        .scalar_subquery()
    )
    positions = (
        select(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(
                        PositionRecord.position, PositionRecord.stated_date, PositionRecord.source
                    ),
                    PositionRecord.id,
                )
            )
        )
        .where(PositionRecord.recommendation_id == Recommendation.id)
        .scalar_subquery()
    )
    query = SUMMARY_QUERY.add_columns(
        Recommendation.annotation_type,
        Recommendation.follow_up_selected,
        Recommendation.follow_up_deadline_date,
        Recommendation.office_status,
        Recommendation.source_record_id,
        Recommendation.import_run_id,
        translations,
        positions,
        *follow_up.public_record_columns(Recommendation.id),
    ).where(Recommendation.id == bindparam("id", type_=BigInteger()))
    # A primary-key lookup: one plan serves every id.
    return Statement.compile(query, one_plan=True)


async def get_detail(reads: Reads, *, recommendation_id: int) -> RecommendationDetail:
    """The recommendation in full: texts, positions and public follow-up; NotFound if none."""
    rows = await reads.fetch(_detail_statement(), {"id": recommendation_id})
    if not rows:
        raise NotFound(f"No recommendation has id {recommendation_id}.")
    row = rows[0]
    (
        annotation_type,
        follow_up_selected,
        deadline,
        office_status,
        source_record_id,
        import_run_id,
        *arrays,
    ) = row[SUMMARY_WIDTH:]
    translations, positions, actions, updates, grades = (_parsed(value) for value in arrays)
    summary = _summary(row)
    return RecommendationDetail(
        summary=summary,
        annotation_type=annotation_type,
        texts={summary.language: summary.text, **dict(translations or ())},
        position_history=[
            StatedPosition(Position(position), follow_up.json_day(stated), source)
            for position, stated, source in positions or ()
        ],
        follow_up_selected=follow_up_selected,
        follow_up_deadline_date=deadline,
        office_status=ImplementationStatus(office_status) if office_status else None,
        source_record_id=source_record_id,
        import_run_id=import_run_id,
        follow_up=follow_up.public_record(
            actions, updates, grades, follow_up_deadline_date=deadline
        ),
    )


def _summary(row: Sequence[Any]) -> RecommendationSummary:
    """A summary from a plain row: codes as the enums the ORM would give."""
    item = _item(row)
    position = item["position"]
    return RecommendationSummary(
        **{
            **item,
            "mechanism": MechanismCode(item["mechanism"]),
            "position": Position(position) if position is not None else None,
            "hrd_relevance": HrdRelevance(item["hrd_relevance"]),
            "status": ImplementationStatus(item["status"]),
            "source_format": SourceFormat(item["source_format"]),
        }
    )


def _parsed(value: Any) -> Any:
    # A JSON array (or null): through an ORM session's connection it arrives as text, the
    # read pool parses it.
    return orjson.loads(value) if isinstance(value, str) else value
