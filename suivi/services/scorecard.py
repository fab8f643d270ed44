"""A State's scorecard: its recommendations by mechanism and status, deadlines, and the trend."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from models import Body, ProgressUpdate, Recommendation, StateAction
from models.enums import (
    ActionStatus,
    Confidentiality,
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    ReviewState,
)
from suivi.errors import NotFound
from suivi.services import clusters
from suivi.services.clusters import ClusterSummary
from suivi.services.reference import state_name

DUE_SOON_DAYS = 90
# The trend covers at most this many years: a stray early date cannot make it unbounded.
MAX_TREND_YEARS = 100
_DEFENDERS = (HrdRelevance.DIRECT, HrdRelevance.RELATED)
_OPEN_ACTIONS = (ActionStatus.PLANNED, ActionStatus.ONGOING)


@dataclass(frozen=True, slots=True)
class Defenders:
    """The recommendations about defenders or civic space (relevance direct or related)."""

    total: int
    by_status: dict[ImplementationStatus, int]
    by_mechanism: dict[MechanismCode, int]


@dataclass(frozen=True, slots=True)
class YearStatus:
    """How many of the State's recommendations had each status on 31 December of `year`."""

    year: int
    counts: dict[ImplementationStatus, int]


@dataclass(frozen=True, slots=True)
class Scorecard:
    """One State's public figures; every status is the public one (published, not restricted)."""

    state: str
    total: int
    by_mechanism_status: dict[tuple[MechanismCode, ImplementationStatus], int]
    defenders: Defenders
    positions: dict[Position, int]
    overdue: int
    due_soon: int
    trend: list[YearStatus]
    # Clusters spanning more than one cycle or mechanism (suivi/services/clusters.py), and the
    # oldest of them with no member implemented.
    recommended_again: int
    oldest_unimplemented_clusters: list[ClusterSummary]


# What the public may know of updates: restricted ones are for staff only.
_PUBLISHED = (
    ProgressUpdate.review_state == ReviewState.PUBLISHED,
    ProgressUpdate.confidentiality != Confidentiality.RESTRICTED,
)


async def get(session: AsyncSession, *, code: str, today: date | None = None) -> Scorecard:
    """The scorecard of State `code` as of `today` (UTC); NotFound for a code that is neither a
    country nor held by any recommendation."""
    today = today or datetime.now(UTC).date()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    deadline = Recommendation.follow_up_deadline_date
    open_recommendation = Recommendation.status != ImplementationStatus.IMPLEMENTED
    defender = Recommendation.hrd_relevance.in_(_DEFENDERS)
    query = (
        select(
            Body.mechanism_code,
            Recommendation.status,
            defender,
            Recommendation.position,
            func.count(),
            func.count().filter(open_recommendation, deadline < today),
            func.count().filter(open_recommendation, deadline >= today, deadline <= soon),
        )
        .select_from(Recommendation)
        .join(Body, Body.id == Recommendation.body_id)
        .where(Recommendation.state_code == code)
        .group_by(Body.mechanism_code, Recommendation.status, defender, Recommendation.position)
    )
    rows = (await session.execute(query)).all()
    if not rows and state_name(code) is None:
        raise NotFound(f"No recommendation concerns {code}, and it is not an ISO 3166-1 code.")

    by_mechanism_status: dict[tuple[MechanismCode, ImplementationStatus], int] = {}
    defenders_by_status: dict[ImplementationStatus, int] = {}
    defenders_by_mechanism: dict[MechanismCode, int] = {}
    positions: dict[Position, int] = {}
    total = overdue = due_soon = 0
    for mechanism, status, is_defender, position, count, late, near in rows:
        total += count
        overdue += late
        due_soon += near
        key = (mechanism, status)
        by_mechanism_status[key] = by_mechanism_status.get(key, 0) + count
        if is_defender:
            defenders_by_status[status] = defenders_by_status.get(status, 0) + count
            defenders_by_mechanism[mechanism] = defenders_by_mechanism.get(mechanism, 0) + count
        if position is not None:
            positions[position] = positions.get(position, 0) + count

    target = StateAction.target_date
    actions = select(
        func.count().filter(target < today),
        func.count().filter(target >= today, target <= soon),
    ).where(
        StateAction.state_code == code,
        StateAction.archived_at.is_(None),
        StateAction.status.in_(_OPEN_ACTIONS),
    )
    late_actions, near_actions = (await session.execute(actions)).one()

    statuses = list(ImplementationStatus)
    mechanisms = list(MechanismCode)
    return Scorecard(
        state=code,
        total=total,
        by_mechanism_status={
            (m, s): by_mechanism_status[m, s]
            for m in mechanisms
            for s in statuses
            if (m, s) in by_mechanism_status
        },
        defenders=Defenders(
            total=sum(defenders_by_status.values()),
            by_status={s: defenders_by_status[s] for s in statuses if s in defenders_by_status},
            by_mechanism={
                m: defenders_by_mechanism[m] for m in mechanisms if m in defenders_by_mechanism
            },
        ),
        positions={p: positions[p] for p in Position if p in positions},
        overdue=overdue + late_actions,
        due_soon=due_soon + near_actions,
        trend=await _trend(session, code=code, this_year=today.year),
        recommended_again=await clusters.recommended_again(session, state=code),
        oldest_unimplemented_clusters=await clusters.oldest_unimplemented(session, state=code),
    )


async def _trend(session: AsyncSession, *, code: str, this_year: int) -> list[YearStatus]:
    """Statuses at the end of each year from the State's first dated recommendation to now.

    On 31 December of a year a recommendation issued by then has the office's status if the
    office assessed it by then, else that of the latest published, non-restricted update dated
    by then, else none (`not_assessed`). Undated recommendations are left out: when they
    entered the record is unknown.
    """
    dated = and_(Recommendation.state_code == code, Recommendation.issued_date.is_not(None))
    published = select(ProgressUpdate.recommendation_id).where(*_PUBLISHED)
    # Hashed once per statement, not probed per row: the IN list is the published updates.
    assessed = or_(
        Recommendation.office_status.is_not(None), Recommendation.id.in_(published)
    ).label("assessed")
    issue_year = cast(extract("year", Recommendation.issued_date), Integer).label("issue_year")
    by_issue_year = (
        await session.execute(
            select(issue_year, assessed, func.count()).where(dated).group_by(issue_year, assessed)
        )
    ).all()
    if not by_issue_year:
        return []
    first_year = min(year for year, _, _ in by_issue_year)
    if first_year > this_year:
        return []
    first_year = max(first_year, this_year - MAX_TREND_YEARS + 1)
    counts: dict[int, dict[str, int]] = {year: {} for year in range(first_year, this_year + 1)}

    # Most recommendations have never been assessed: not_assessed from their issue year on,
    # counted from the grouped rows instead of once per recommendation and year.
    not_assessed = ImplementationStatus.NOT_ASSESSED.value
    for issued, was_assessed, count in by_issue_year:
        if not was_assessed:
            for year in range(max(issued, first_year), this_year + 1):
                counts[year][not_assessed] = counts[year].get(not_assessed, 0) + count

    if any(was_assessed for _, was_assessed, _ in by_issue_year):
        for year, status, count in await session.execute(
            _assessed_trend(dated, assessed, first_year, this_year)
        ):
            counts[year][status] = counts[year].get(status, 0) + count
    return [
        YearStatus(year=year, counts={s: by_status.get(s.value, 0) for s in ImplementationStatus})
        for year, by_status in counts.items()
    ]


def _assessed_trend(
    dated: ColumnElement[bool], assessed: ColumnElement[bool], first_year: int, last_year: int
) -> Select[Any]:
    """(year, status, recommendations) of the assessed recommendations at each year's end."""
    recs = (
        select(
            Recommendation.id,
            Recommendation.issued_date,
            Recommendation.office_status,
            Recommendation.office_assessed_at,
        )
        .where(dated, assessed)
        .cte("assessed_recs")
        .prefix_with("MATERIALIZED")
    )
    years = func.generate_series(first_year, last_year).table_valued("year").render_derived("years")
    year_end = func.make_date(years.c.year, 12, 31)
    # The office's assessment counts if made by the end of 31 December, UTC.
    next_year = func.make_timestamptz(years.c.year + 1, 1, 1, 0, 0, 0, literal("UTC"))
    latest_update = (
        select(ProgressUpdate.assessed_status)
        .where(
            ProgressUpdate.recommendation_id == recs.c.id,
            *_PUBLISHED,
            ProgressUpdate.as_of_date <= year_end,
        )
        .order_by(ProgressUpdate.as_of_date.desc(), ProgressUpdate.id.desc())
        .limit(1)
        .lateral("latest")
    )
    status = func.coalesce(
        case((recs.c.office_assessed_at < next_year, recs.c.office_status)),
        latest_update.c.assessed_status,
        literal(ImplementationStatus.NOT_ASSESSED.value),
    )
    per_year = (
        select(years.c.year, status.label("status"))
        .select_from(years)
        .join(recs, recs.c.issued_date <= year_end)
        .outerjoin(latest_update, true())
        .subquery("per_year")
    )
    return select(per_year.c.year, per_year.c.status, func.count()).group_by(
        per_year.c.year, per_year.c.status
    )
