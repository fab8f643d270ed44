"""Aggregate statistics: recommendations counted by up to three facets, under the list's filters."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    SQLColumnExpression,
    cast,
    distinct,
    extract,
    func,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models import Body, Document, Recommendation
from suivi.services import recommendations
from suivi.services.recommendations import RecommendationFilters

MAX_DIMENSIONS = 3


class Dimension(StrEnum):
    """What statistics group by; the names are the list's filter names where one exists."""

    STATE = "state"
    MECHANISM = "mechanism"
    BODY = "body"
    CYCLE = "cycle"
    SESSION = "session"
    YEAR = "year"
    THEME = "theme"
    AFFECTED = "affected"
    SDG = "sdg"
    HRD = "hrd"
    POSITION = "position"
    STATUS = "status"
    ACTION_CATEGORY = "action_category"
    RECOMMENDING_STATE = "recommending_state"


# Array columns: a recommendation counts once under each of its values.
_ARRAYS: dict[Dimension, InstrumentedAttribute[list[str]]] = {
    Dimension.THEME: Recommendation.themes,
    Dimension.AFFECTED: Recommendation.affected_persons,
    Dimension.SDG: Recommendation.sdgs,
    Dimension.RECOMMENDING_STATE: Recommendation.recommending_states,
}

_COLUMNS: dict[Dimension, SQLColumnExpression[Any]] = {
    Dimension.STATE: Recommendation.state_code,
    Dimension.CYCLE: Recommendation.cycle,
    Dimension.SESSION: Recommendation.session,
    Dimension.YEAR: cast(extract("year", Recommendation.issued_date), Integer),
    Dimension.HRD: Recommendation.hrd_relevance,
    Dimension.POSITION: Recommendation.position,
    Dimension.STATUS: Recommendation.status,
    Dimension.ACTION_CATEGORY: Recommendation.action_category,
}

# Mechanism and body are read off the body id after grouping: a few dozen bodies map in
# Python for less than joining the bodies table to every counted row.
_BY_BODY = frozenset({Dimension.MECHANISM, Dimension.BODY})


@dataclass(frozen=True, slots=True)
class Group:
    """One combination of values (in the order asked) and its recommendations."""

    values: tuple[Any, ...]
    count: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Distinct recommendations matching the filters, and the groups in count order."""

    total: int
    groups: list[Group]


async def filtered(
    session: AsyncSession, query: Select[Any], filters: RecommendationFilters
) -> Select[Any]:
    """`query` over recommendations restricted exactly as the list restricts them.

    A thin call into the list's own WHERE builder, so a count and a list of one filter can
    never drift apart.
    """
    body_ids = await recommendations.body_ids_for(session, filters)
    if filters.documents:
        query = query.outerjoin(Document, Document.id == Recommendation.document_id)
    return recommendations.filtered(query, filters, body_ids)


def _sort_key(group: Group) -> tuple[Any, ...]:
    # Null values after the others; `(True, None)` never needs comparing with `<`.
    return (-group.count, *((value is None, value) for value in group.values))


async def count_by(
    session: AsyncSession, *, dimensions: Sequence[Dimension], filters: RecommendationFilters
) -> Stats:
    """Recommendations matching `filters`, counted by `dimensions` (one to three, distinct).

    Array facets count a recommendation under each of its values, and under null when it has
    none; `total` counts each matching recommendation once whatever the groups.
    """
    if not 1 <= len(dimensions) <= MAX_DIMENSIONS or len(set(dimensions)) != len(dimensions):
        raise ValueError("one to three distinct dimensions")
    keys: list[SQLColumnExpression[Any]] = []
    query = select().select_from(Recommendation)
    for dimension in dimensions:
        if dimension in _BY_BODY:
            keys.append(Recommendation.body_id)
        elif dimension in _ARRAYS:
            unnested_values = (
                func.unnest(_ARRAYS[dimension])
                .table_valued("value")
                .render_derived(name=f"{dimension.value}_values")
            )
            # A function in FROM is lateral; the outer join keeps empty arrays as a null value.
            query = query.outerjoin(unnested_values, true())
            keys.append(unnested_values.c.value)
        else:
            keys.append(_COLUMNS[dimension])
    unnested = any(dimension in _ARRAYS for dimension in dimensions)
    # Unnesting repeats a row per value (and a source may repeat a value): count ids then.
    count = func.count(distinct(Recommendation.id)) if unnested else func.count()
    unique_keys = list(dict.fromkeys(keys))
    query = await filtered(session, query.add_columns(*unique_keys, count), filters)
    rows = (await session.execute(query.group_by(*unique_keys))).all()

    bodies: dict[int, tuple[str, str]] = {}
    if _BY_BODY & set(dimensions):
        bodies = {
            body_id: (code, mechanism)
            for body_id, code, mechanism in await session.execute(
                select(Body.id, Body.code, Body.mechanism_code)
            )
        }
    positions = [unique_keys.index(key) for key in keys]
    counts: dict[tuple[Any, ...], int] = {}
    for row in rows:
        values = []
        for dimension, position in zip(dimensions, positions, strict=True):
            value = row[position]
            if dimension is Dimension.BODY:
                value = bodies[value][0]
            elif dimension is Dimension.MECHANISM:
                value = bodies[value][1]
            values.append(value)
        key = tuple(values)
        # Several bodies make one mechanism; each recommendation has one body, so the sums
        # of distinct counts stay distinct.
        counts[key] = counts.get(key, 0) + row[-1]
    groups = sorted((Group(values, n) for values, n in counts.items()), key=_sort_key)

    if unnested:
        total_query = await filtered(
            session, select(func.count()).select_from(Recommendation), filters
        )
        total = (await session.execute(total_query)).scalar_one()
    else:
        total = sum(group.count for group in groups)
    return Stats(total=total, groups=groups)
