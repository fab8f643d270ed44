"""Reference data with recommendation counts: States, mechanisms, bodies, documents, facets."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVarTuple

import pycountry
from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    func,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Body,
    Document,
    Mechanism,
    Recommendation,
    RecommendationCount,
    RecommendationFacetCount,
)
from models.enums import HrdRelevance, ImplementationStatus, MechanismCode, Position
from models.facet_count import ListFacet
from suivi.errors import NotFound

Columns = TypeVarTuple("Columns")


@dataclass(frozen=True, slots=True)
class StateCounts:
    """A State under review and how many recommendations it received."""

    code: str
    name: str
    recommendations: int
    hrd_direct: int
    hrd_related: int


@dataclass(frozen=True, slots=True)
class StateDetail:
    """One State's recommendations counted along each facet; `None` keys are unset values."""

    code: str
    name: str
    recommendations: int
    hrd_direct: int
    hrd_related: int
    by_mechanism: dict[MechanismCode, int]
    by_status: dict[ImplementationStatus, int]
    by_hrd_relevance: dict[HrdRelevance, int]
    by_position: dict[Position | None, int]
    by_cycle: dict[int | None, int]


@dataclass(frozen=True, slots=True)
class MechanismCounts:
    """A UN mechanism and how many recommendations its bodies issued."""

    code: MechanismCode
    name: str
    recommendations: int
    hrd_direct: int
    hrd_related: int


@dataclass(frozen=True, slots=True)
class BodyCounts:
    """A body and how many recommendations it issued."""

    code: str
    name: str
    mechanism: MechanismCode
    recommendations: int
    hrd_direct: int
    hrd_related: int


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A document as lists show it, with how many recommendations it holds."""

    symbol: str
    body: str
    mechanism: MechanismCode
    state: str | None
    published_date: date | None
    session: int | None
    cycle: int | None
    recommendations: int


@dataclass(frozen=True, slots=True)
class ValueCount:
    """One value of a list column and how many recommendations carry it."""

    value: str
    recommendations: int


class Facet(StrEnum):
    """The list columns of a recommendation whose values are counted."""

    THEMES = "themes"
    AFFECTED_PERSONS = "affected_persons"
    SDGS = "sdgs"


# Each facet's name in `recommendation_facet_counts`.
_COUNTED_FACETS: dict[Facet, ListFacet] = {
    Facet.THEMES: ListFacet.THEME,
    Facet.AFFECTED_PERSONS: ListFacet.AFFECTED,
    Facet.SDGS: ListFacet.SDG,
}


def state_name(code: str) -> str | None:
    """The ISO 3166-1 name of an alpha-3 code, or None when ISO assigns no country to it."""
    country = pycountry.countries.get(alpha_3=code)
    return None if country is None else str(country.name)


# States, mechanisms and bodies are counted from `recommendation_counts` (migration 0008),
# which triggers keep exact: tens of thousands of rows to sum instead of a million to read.
_COUNTED = RecommendationCount.count


def _summed(condition: ColumnElement[bool] | None = None) -> ColumnElement[int]:
    total = func.sum(_COUNTED) if condition is None else func.sum(_COUNTED).filter(condition)
    return func.coalesce(total, 0)


def _summary_counts() -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
    """Recommendations, then those directly about defenders, then those about civic space."""
    return (
        _summed(),
        _summed(RecommendationCount.hrd_relevance == HrdRelevance.DIRECT),
        _summed(RecommendationCount.hrd_relevance == HrdRelevance.RELATED),
    )


def _where_mechanisms(
    query: Select[*Columns],
    mechanisms: Sequence[MechanismCode],
    body_id: SQLColumnExpression[int] = RecommendationCount.body_id,
) -> Select[*Columns]:
    """`query` kept to `mechanisms`; `body_id` is the body column of the table counted."""
    if not mechanisms:
        return query
    return query.join(Body, Body.id == body_id).where(Body.mechanism_code.in_(mechanisms))


async def list_states(
    session: AsyncSession, *, mechanisms: Sequence[MechanismCode] = ()
) -> list[StateCounts]:
    """Every State with recommendations (of `mechanisms`, when given), in code order."""
    query = _where_mechanisms(
        select(RecommendationCount.state_code, *_summary_counts()).select_from(RecommendationCount),
        mechanisms,
    )
    query = (
        query.group_by(RecommendationCount.state_code)
        .having(func.sum(_COUNTED) > 0)
        .order_by(RecommendationCount.state_code)
    )
    return [
        StateCounts(
            code=code,
            name=state_name(code) or code,
            recommendations=total,
            hrd_direct=direct,
            hrd_related=related,
        )
        for code, total, direct, related in (await session.execute(query))
    ]


def _in_order(counts: dict[Any, int], order: Sequence[Any]) -> dict[Any, int]:
    return {key: counts[key] for key in order if key in counts}


async def get_state(session: AsyncSession, *, code: str) -> StateDetail:
    """One State's counts by mechanism, status, relevance, position and cycle.

    NotFound when no recommendation names the code and ISO assigns no country to it: a real
    country without recommendations is an answer (zero), a made-up code is not.
    """
    facets: list[SQLColumnExpression[Any]] = [
        Body.mechanism_code,
        RecommendationCount.status,
        RecommendationCount.hrd_relevance,
        RecommendationCount.position,
        RecommendationCount.cycle,
    ]
    # One grouping set per facet: a single scan of the State's summary rows counts all of
    # them, and GROUPING() tells a facet's null value (no position, no cycle) from the facets
    # not grouped.
    query = (
        select(*facets, *(func.grouping(facet) for facet in facets), func.sum(_COUNTED))
        .select_from(RecommendationCount)
        .join(Body, Body.id == RecommendationCount.body_id)
        .where(RecommendationCount.state_code == code)
        .group_by(func.grouping_sets(*(tuple_(facet) for facet in facets)))
        .having(func.sum(_COUNTED) > 0)
    )
    counts: list[dict[Any, int]] = [{} for _ in facets]
    for row in (await session.execute(query)).all():
        values, grouped, count = row[: len(facets)], row[len(facets) : -1], row[-1]
        index = grouped.index(0)
        counts[index][values[index]] = int(count)
    mechanisms, statuses, relevances, positions, cycles = counts
    by_hrd = _in_order(relevances, list(HrdRelevance))
    by_mechanism = _in_order(mechanisms, list(MechanismCode))
    name = state_name(code)
    if name is None and not by_mechanism:
        raise NotFound(f"No recommendation concerns {code}, and it is not an ISO 3166-1 code.")
    return StateDetail(
        code=code,
        name=name or code,
        recommendations=sum(by_mechanism.values()),
        hrd_direct=by_hrd.get(HrdRelevance.DIRECT, 0),
        hrd_related=by_hrd.get(HrdRelevance.RELATED, 0),
        by_mechanism=by_mechanism,
        by_status=_in_order(statuses, list(ImplementationStatus)),
        by_hrd_relevance=by_hrd,
        by_position=_in_order(positions, [*Position, None]),
        by_cycle=_in_order(cycles, sorted(cycles, key=lambda cycle: (cycle is None, cycle or 0))),
    )


async def list_mechanisms(session: AsyncSession) -> list[MechanismCounts]:
    """The mechanisms in code order, each with its bodies' recommendations counted."""
    query = (
        select(Mechanism.code, Mechanism.name, *_summary_counts())
        .outerjoin(Body, Body.mechanism_code == Mechanism.code)
        .outerjoin(RecommendationCount, RecommendationCount.body_id == Body.id)
        .group_by(Mechanism.code, Mechanism.name)
        .order_by(Mechanism.code)
    )
    return [
        MechanismCounts(
            code=code, name=name, recommendations=total, hrd_direct=direct, hrd_related=related
        )
        for code, name, total, direct, related in (await session.execute(query))
    ]


async def list_bodies(
    session: AsyncSession, *, mechanisms: Sequence[MechanismCode] = ()
) -> list[BodyCounts]:
    """Every body (of `mechanisms`, when given) in code order, silent ones counted as zero."""
    query = (
        select(Body.code, Body.name, Body.mechanism_code, *_summary_counts())
        .outerjoin(RecommendationCount, RecommendationCount.body_id == Body.id)
        .group_by(Body.id)
        .order_by(Body.code)
    )
    if mechanisms:
        query = query.where(Body.mechanism_code.in_(mechanisms))
    return [
        BodyCounts(
            code=code,
            name=name,
            mechanism=mechanism,
            recommendations=total,
            hrd_direct=direct,
            hrd_related=related,
        )
        for code, name, mechanism, total, direct, related in (await session.execute(query))
    ]


@dataclass(frozen=True, slots=True)
class DocumentFilters:
    """What a document list keeps: OR within one filter's values, AND across filters."""

    states: Sequence[str] = ()
    bodies: Sequence[str] = ()
    mechanisms: Sequence[MechanismCode] = ()


async def list_documents(
    session: AsyncSession,
    *,
    limit: int,
    filters: DocumentFilters | None = None,
    after_symbol: str | None = None,
) -> tuple[list[DocumentSummary], str | None]:
    """One page of documents in symbol order and the symbol to continue after, or None.

    The page is chosen first and only its documents' recommendations are counted.
    """
    filters = filters or DocumentFilters()
    page = select(Document.id).join(Body, Body.id == Document.body_id)
    if filters.states:
        page = page.where(Document.state_code.in_(filters.states))
    if filters.bodies:
        page = page.where(Body.code.in_(filters.bodies))
    if filters.mechanisms:
        page = page.where(Body.mechanism_code.in_(filters.mechanisms))
    if after_symbol is not None:
        page = page.where(Document.symbol > after_symbol)
    page_ids = page.order_by(Document.symbol).limit(limit + 1).subquery()
    query = (
        select(Document, Body.code, Body.mechanism_code, func.count(Recommendation.id))
        .join(page_ids, page_ids.c.id == Document.id)
        .join(Body, Body.id == Document.body_id)
        .outerjoin(Recommendation, Recommendation.document_id == Document.id)
        .group_by(Document.id, Body.id)
        .order_by(Document.symbol)
    )
    rows = (await session.execute(query)).all()
    items = [
        DocumentSummary(
            symbol=doc.symbol,
            body=body,
            mechanism=mechanism,
            state=doc.state_code,
            published_date=doc.published_date,
            session=doc.session,
            cycle=doc.cycle,
            recommendations=count,
        )
        for doc, body, mechanism, count in rows[:limit]
    ]
    return items, items[-1].symbol if len(rows) > limit else None


async def list_values(
    session: AsyncSession,
    *,
    facet: Facet,
    states: Sequence[str] = (),
    mechanisms: Sequence[MechanismCode] = (),
) -> list[ValueCount]:
    """Each value of the `facet` column, most common first, with its recommendations counted."""
    # From `recommendation_facet_counts` (migration 0009): its triggers count a recommendation
    # once per distinct value, so the sums are counts of distinct recommendations.
    counted = RecommendationFacetCount
    total = func.sum(counted.count)
    query = _where_mechanisms(
        select(counted.value, total)
        .select_from(counted)
        .where(counted.facet == _COUNTED_FACETS[facet], counted.value.is_not(None)),
        mechanisms,
        counted.body_id,
    )
    if states:
        query = query.where(counted.state_code.in_(states))
    # A key's rows may sum to zero until merged: such a value has no recommendation.
    query = query.group_by(counted.value).having(total > 0).order_by(total.desc(), counted.value)
    return [
        ValueCount(value=text, recommendations=int(count))
        for text, count in (await session.execute(query))
        if text is not None  # excluded above; the column is nullable for statistics
    ]
