"""Aggregate statistics: recommendations counted by up to three facets, under the list's filters."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Integer,
    SQLColumnExpression,
    cast,
    distinct,
    extract,
    func,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute

from models import Recommendation, RecommendationCount, RecommendationFacetCount
from models.facet_count import ListFacet
from suivi.reads import Reads
from suivi.services import recommendations
from suivi.services.recommendation_filters import Bodies, RecommendationFilters

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
    SOURCE_FORMAT = "source_format"


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
    Dimension.SOURCE_FORMAT: Recommendation.source_format,
}

# Mechanism and body are read off the body id after grouping: a few dozen bodies map in
# Python for less than joining the bodies table to every counted row.
_BY_BODY = frozenset({Dimension.MECHANISM, Dimension.BODY})

# The facets `recommendation_counts` holds (migration 0008): grouping by these alone, under
# the filters below alone, reads some 60,000 summary rows instead of a million wide ones.
_COUNTED: dict[Dimension, SQLColumnExpression[Any]] = {
    Dimension.STATE: RecommendationCount.state_code,
    Dimension.MECHANISM: RecommendationCount.body_id,
    Dimension.BODY: RecommendationCount.body_id,
    Dimension.CYCLE: RecommendationCount.cycle,
    Dimension.SESSION: RecommendationCount.session,
    Dimension.YEAR: RecommendationCount.year,
    Dimension.HRD: RecommendationCount.hrd_relevance,
    Dimension.POSITION: RecommendationCount.position,
    Dimension.STATUS: RecommendationCount.status,
}
# `recommendation_facet_counts` (migration 0009) counts each list facet's values by State and
# body: one list facet, grouped alone or with these, under these filters alone, reads its
# keys (199,176 for the four facets of the benchmark's million) instead of unnesting the lists.
_FACETED_WITH: dict[Dimension, SQLColumnExpression[Any]] = {
    Dimension.STATE: RecommendationFacetCount.state_code,
    Dimension.MECHANISM: RecommendationFacetCount.body_id,
    Dimension.BODY: RecommendationFacetCount.body_id,
}


# The grouping keys in the order asked, the distinct ones selected, and the rows: those
# distinct keys, then the count.
_Grouped = tuple[
    list[SQLColumnExpression[Any]], list[SQLColumnExpression[Any]], Sequence[Sequence[Any]]
]


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


def _sort_key(group: Group) -> tuple[Any, ...]:
    # Null values after the others; `(True, None)` never needs comparing with `<`.
    return (-group.count, *((value is None, value) for value in group.values))


def summarised(dimensions: Sequence[Dimension], filters: RecommendationFilters) -> bool:
    """Whether `recommendation_counts` answers: every facet and every given filter is in it.

    A filter declared without a summary condition (including any added later) sends the
    question to the table, so a new filter can never be silently ignored.
    """
    return all(dimension in _COUNTED for dimension in dimensions) and all(
        declared.counted is not None for declared, _ in filters.given()
    )


def faceted(dimensions: Sequence[Dimension], filters: RecommendationFilters) -> bool:
    """Whether `recommendation_facet_counts` answers: one list facet, any other facet and
    every given filter among those it holds (State, mechanism and body).
    """
    return (
        sum(dimension in _ARRAYS for dimension in dimensions) == 1
        and all(dimension in _ARRAYS or dimension in _FACETED_WITH for dimension in dimensions)
        and all(declared.faceted for declared, _ in filters.given())
    )


def _counted(table: Any, filters: RecommendationFilters, bodies: Bodies) -> list[Any]:
    """The list's conditions, for the filters a summary holds, on the summary `table`."""
    _, values = filters.bound(bodies)
    return [
        declared.counted(table, values[f"f_{declared.name}"])
        for declared, _ in filters.given()
        if declared.counted is not None
    ]


async def _summary_rows(
    reads: Reads,
    dimensions: Sequence[Dimension],
    filters: RecommendationFilters,
    bodies: Bodies,
) -> _Grouped:
    """The counts of `recommendation_counts` grouped by `dimensions` under `filters`."""
    keys = [_COUNTED[dimension] for dimension in dimensions]
    unique_keys = list(dict.fromkeys(keys))
    count = func.sum(RecommendationCount.count)
    # A key's rows may sum to zero until merged: such a group has no recommendation.
    query = (
        select(*unique_keys, count)
        .where(*_counted(RecommendationCount, filters, bodies))
        .group_by(*unique_keys)
        .having(count > 0)
    )
    return keys, unique_keys, await reads.rows(query)


async def _facet_rows(
    reads: Reads,
    dimensions: Sequence[Dimension],
    filters: RecommendationFilters,
    bodies: Bodies,
) -> _Grouped:
    """The counts of `recommendation_facet_counts` grouped by `dimensions` under `filters`."""
    counted = RecommendationFacetCount
    (facet,) = (dimension for dimension in dimensions if dimension in _ARRAYS)
    keys = [
        counted.value if dimension in _ARRAYS else _FACETED_WITH[dimension]
        for dimension in dimensions
    ]
    unique_keys = list(dict.fromkeys(keys))
    conditions = [counted.facet == ListFacet(facet.value), *_counted(counted, filters, bodies)]
    count = func.sum(counted.count)
    # The null value is a group of its own (empty lists), kept; a key's rows may sum to zero
    # until merged, and such a group has no recommendation.
    query = select(*unique_keys, count).where(*conditions).group_by(*unique_keys).having(count > 0)
    return keys, unique_keys, await reads.rows(query)


async def _counted_total(reads: Reads, filters: RecommendationFilters, bodies: Bodies) -> int:
    """Distinct recommendations matching filters `summarised` accepts, from the summary."""
    query = select(func.coalesce(func.sum(RecommendationCount.count), 0)).where(
        *_counted(RecommendationCount, filters, bodies)
    )
    return int((await reads.rows(query))[0][0])


async def _table_rows(
    reads: Reads,
    dimensions: Sequence[Dimension],
    filters: RecommendationFilters,
    bodies: Bodies,
) -> _Grouped:
    """The recommendations themselves grouped by `dimensions` under `filters`."""
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
    # The list's own conditions, from the filters' one declaration: a count and a list of one
    # filter never drift apart.
    query = recommendations.filtered(query.add_columns(*unique_keys, count), filters, bodies)
    return keys, unique_keys, await reads.rows(query.group_by(*unique_keys))


async def count_by(
    reads: Reads, *, dimensions: Sequence[Dimension], filters: RecommendationFilters
) -> Stats:
    """Recommendations matching `filters`, counted by `dimensions` (one to three, distinct).

    Array facets count a recommendation under each of its values, and under null when it has
    none; `total` counts each matching recommendation once whatever the groups. Read from
    `recommendation_counts` when it holds every facet and filter asked, from
    `recommendation_facet_counts` (and the former for `total`) when `faceted`, else from
    the table. Read through `reads`: on the read pool, one autocommit statement and the
    bodies the pool keeps; in a session (`Reads.of_session`), what the session wrote.
    """
    if not 1 <= len(dimensions) <= MAX_DIMENSIONS or len(set(dimensions)) != len(dimensions):
        raise ValueError("one to three distinct dimensions")
    known = await reads.bodies()
    total: int | None = None
    if faceted(dimensions, filters):
        keys, unique_keys, rows = await _facet_rows(reads, dimensions, filters, known)
        total = await _counted_total(reads, filters, known)
    else:
        read = _summary_rows if summarised(dimensions, filters) else _table_rows
        keys, unique_keys, rows = await read(reads, dimensions, filters, known)

    positions = [unique_keys.index(key) for key in keys]
    counts: dict[tuple[Any, ...], int] = {}
    for row in rows:
        values = []
        for dimension, position in zip(dimensions, positions, strict=True):
            value = row[position]
            if dimension is Dimension.BODY:
                value = known.by_id[value][0]
            elif dimension is Dimension.MECHANISM:
                value = known.by_id[value][1]
            values.append(value)
        key = tuple(values)
        # Several bodies make one mechanism; each recommendation has one body, so the sums
        # of distinct counts stay distinct.
        counts[key] = counts.get(key, 0) + row[-1]
    groups = sorted((Group(values, n) for values, n in counts.items()), key=_sort_key)

    if total is None and any(dimension in _ARRAYS for dimension in dimensions):
        counted_rows = select(func.count()).select_from(Recommendation)
        total_query = recommendations.filtered(counted_rows, filters, known)
        total = (await reads.rows(total_query))[0][0]
    elif total is None:
        total = sum(group.count for group in groups)
    return Stats(total=total, groups=groups)
