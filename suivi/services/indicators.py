"""Indicators of State fulfilment, attached to recommendations and observed over time."""

import calendar
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Indicator,
    IndicatorObservation,
    IndicatorRecommendation,
    Institution,
    Recommendation,
)
from models.enums import IndicatorKind, ReportingFrequency, Role
from suivi.errors import Forbidden, NotFound, Unprocessable
from suivi.services import audit
from suivi.services.keys import Caller

MONTHS: dict[ReportingFrequency, int] = {
    ReportingFrequency.MONTHLY: 1,
    ReportingFrequency.QUARTERLY: 3,
    ReportingFrequency.BIANNUAL: 6,
    ReportingFrequency.ANNUAL: 12,
    # A UPR cycle: 14 sessions, about four and a half years.
    ReportingFrequency.PER_CYCLE: 54,
}


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """An indicator, the recommendations it helps assess and, when asked, its observations."""

    indicator: Indicator
    recommendation_ids: list[int]
    observations: list[IndicatorObservation]


def add_months(day: date, months: int) -> date:
    """`day` moved by `months`, kept within the month (31 January + 1 month is 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_reporting_date(
    due: date | None, frequency: ReportingFrequency | None, observed: date
) -> date | None:
    """The reporting date after an observation of `observed`.

    An observation covers the report due on `due` when it falls in the period that ends then
    (or later): the date moves on by the frequency until it is after the observation. An older
    observation fills in the past and leaves the date alone.
    """
    if due is None or frequency is None:
        return due
    months = MONTHS[frequency]
    if observed <= add_months(due, -months):
        return due
    step = 1
    while (moved := add_months(due, months * step)) <= observed:
        step += 1
    return moved


async def _recommendation_ids(
    session: AsyncSession, indicator_ids: Sequence[int]
) -> dict[int, list[int]]:
    rows = await session.execute(
        select(
            IndicatorRecommendation.indicator_id,
            func.array_agg(IndicatorRecommendation.recommendation_id).label("ids"),
        )
        .where(IndicatorRecommendation.indicator_id.in_(indicator_ids))
        .group_by(IndicatorRecommendation.indicator_id)
    )
    return {indicator_id: sorted(ids) for indicator_id, ids in rows}


async def list_page(
    session: AsyncSession,
    *,
    states: Collection[str],
    kinds: Collection[IndicatorKind],
    recommendation_id: int | None,
    limit: int,
    after_id: int | None,
) -> tuple[list[IndicatorRecord], int | None]:
    """A page of indicators by id, and the id the next page starts after (None at the end)."""
    query = select(Indicator).order_by(Indicator.id).limit(limit + 1)
    if states:
        query = query.where(Indicator.state_code.in_(states))
    if kinds:
        query = query.where(Indicator.kind.in_(kinds))
    if recommendation_id is not None:
        query = query.where(
            Indicator.id.in_(
                select(IndicatorRecommendation.indicator_id).where(
                    IndicatorRecommendation.recommendation_id == recommendation_id
                )
            )
        )
    if after_id is not None:
        query = query.where(Indicator.id > after_id)
    rows = list((await session.scalars(query)).all())
    page = rows[:limit]
    linked = await _recommendation_ids(session, [row.id for row in page]) if page else {}
    items = [IndicatorRecord(row, linked.get(row.id, []), []) for row in page]
    return items, (page[-1].id if len(rows) > limit else None)


async def get(session: AsyncSession, *, indicator_id: int) -> IndicatorRecord:
    """The indicator with its recommendation ids and observations newest first; NotFound."""
    indicator = await session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound(f"No indicator has id {indicator_id}.")
    observations = (
        await session.scalars(
            select(IndicatorObservation)
            .where(IndicatorObservation.indicator_id == indicator_id)
            .order_by(IndicatorObservation.observed_date.desc(), IndicatorObservation.id.desc())
        )
    ).all()
    linked = await _recommendation_ids(session, [indicator_id])
    return IndicatorRecord(indicator, linked.get(indicator_id, []), list(observations))


async def create(
    session: AsyncSession,
    *,
    kind: IndicatorKind,
    name: str,
    description: str | None,
    unit: str | None,
    state: str | None,
    reporting_frequency: ReportingFrequency | None,
    next_reporting_date: date | None,
    recommendation_ids: Collection[int],
    actor: Caller,
) -> IndicatorRecord:
    """A new indicator attached to `recommendation_ids`, which must exist and, when the
    indicator has a State, concern it (Unprocessable otherwise); audited."""
    wanted = sorted(set(recommendation_ids))
    if wanted:
        rows = await session.execute(
            select(Recommendation.id, Recommendation.state_code).where(
                Recommendation.id.in_(wanted)
            )
        )
        found: dict[int, str] = dict(rows.all())
        missing = [rid for rid in wanted if rid not in found]
        if missing:
            raise Unprocessable(f"No recommendation has id {', '.join(map(str, missing))}.")
        elsewhere = [rid for rid in wanted if state is not None and found[rid] != state]
        if elsewhere:
            raise Unprocessable(
                f"Recommendation(s) {', '.join(map(str, elsewhere))} do not concern {state}."
            )
    indicator = Indicator(
        kind=kind,
        name=name,
        description=description,
        unit=unit,
        state_code=state,
        reporting_frequency=reporting_frequency,
        next_reporting_date=next_reporting_date,
    )
    session.add(indicator)
    await session.flush()
    session.add_all(
        IndicatorRecommendation(indicator_id=indicator.id, recommendation_id=rid) for rid in wanted
    )
    await session.flush()
    await session.refresh(indicator, ["created_at", "updated_at"])
    await audit.record(
        session,
        actor=actor,
        action="indicator.created",
        object_type="indicator",
        object_id=indicator.id,
        summary={"kind": kind.value, "state": state, "recommendation_ids": wanted},
    )
    return IndicatorRecord(indicator, wanted, [])


async def _may_observe(session: AsyncSession, caller: Caller, indicator: Indicator) -> bool:
    if caller.is_staff:
        return True
    if caller.role is not Role.FOCAL_POINT or caller.institution_id is None:
        return False
    if indicator.state_code is None:
        return False
    institution_state = await session.scalar(
        select(Institution.state_code).where(Institution.id == caller.institution_id)
    )
    return institution_state == indicator.state_code


async def observe(
    session: AsyncSession,
    *,
    indicator_id: int,
    observed_date: date,
    value: Decimal | None,
    value_text: str | None,
    source: str,
    note: str | None,
    actor: Caller,
) -> IndicatorObservation:
    """Record an observation and move the next reporting date on when it covers it; audited.

    Staff may observe any indicator, a focal point those of its institution's State.
    """
    # Locked: two observations posted together must not both move the date from the same value.
    indicator = await session.scalar(
        select(Indicator).where(Indicator.id == indicator_id).with_for_update()
    )
    if indicator is None:
        raise NotFound(f"No indicator has id {indicator_id}.")
    if not await _may_observe(session, actor, indicator):
        raise Forbidden("Only staff, or a focal point of the indicator's State, may observe it.")
    observation = IndicatorObservation(
        indicator_id=indicator_id,
        observed_date=observed_date,
        value=value,
        value_text=value_text,
        source=source,
        note=note,
    )
    session.add(observation)
    previous = indicator.next_reporting_date
    indicator.next_reporting_date = next_reporting_date(
        previous, indicator.reporting_frequency, observed_date
    )
    await session.flush()
    await session.refresh(observation, ["created_at"])
    await audit.record(
        session,
        actor=actor,
        action="indicator_observation.created",
        object_type="indicator_observation",
        object_id=observation.id,
        summary={
            "indicator_id": indicator_id,
            "observed_date": observed_date.isoformat(),
            "old_next_reporting_date": previous.isoformat() if previous else None,
            "new_next_reporting_date": indicator.next_reporting_date.isoformat()
            if indicator.next_reporting_date
            else None,
        },
    )
    return observation
