"""What is overdue and what falls due soon: follow-up replies, UPR reviews, targets, indicators.

One UNION ALL query, filtered and ordered by PostgreSQL and read a page at a time: however many
recommendations, actions and indicators there are, only a page of rows reaches Python.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import (
    BigInteger,
    Date,
    Interval,
    Select,
    SmallInteger,
    Subquery,
    Text,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from models import Body, Document, FollowUpGrade, Indicator, Recommendation, StateAction
from models.enums import ActionStatus
from suivi import upr_sessions

DeadlineKind = Literal[
    "treaty_body_follow_up",
    "upr_review",
    "upr_mid_term_report",
    "action_target",
    "indicator_report",
]
KINDS: tuple[DeadlineKind, ...] = get_args(DeadlineKind)

# The UPR reviews every State once per cycle of 14 sessions, about four and a half years;
# cycle 1 had 12 sessions, so a State reviewed at session s <= 12 came back at s + 12.
UPR_CYCLE_SESSIONS = 14
UPR_FIRST_CYCLE_SESSIONS = 12
UPR_CYCLE = literal_column("INTERVAL '54 months'", Interval)
# The voluntary mid-term report is expected halfway through the cycle.
UPR_MID_TERM = literal_column("INTERVAL '27 months'", Interval)

# due date, kind, State ('' for none), the row's id (the session for UPR estimates).
Keyset = tuple[date, str, str, int]


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something due by `due_date`; `estimated` when computed from the UPR calendar."""

    kind: DeadlineKind
    due_date: date
    overdue: bool
    state: str | None
    recommendation_id: int | None
    action_id: int | None
    indicator_id: int | None
    title: str
    estimated: bool


def _no_id() -> Any:
    return null().cast(BigInteger)


def _kind(kind: DeadlineKind) -> Any:
    return cast(literal(kind), Text).label("kind")


def _state(column: Any) -> Any:
    return cast(column, Text)


def _follow_up_replies(horizon: date, states: Collection[str]) -> Select[Any]:
    deadline = Recommendation.follow_up_deadline_date
    # A grade given on or after the deadline answers it: the committee has assessed the reply.
    graded = exists().where(
        FollowUpGrade.recommendation_id == Recommendation.id,
        FollowUpGrade.graded_date >= deadline,
    )
    query = (
        select(
            _kind("treaty_body_follow_up"),
            deadline.label("due_date"),
            _state(Recommendation.state_code).label("state"),
            Recommendation.id.label("recommendation_id"),
            _no_id().label("action_id"),
            _no_id().label("indicator_id"),
            func.concat(
                "Follow-up reply on ",
                func.coalesce(Document.symbol, "recommendation " + cast(Recommendation.id, Text)),
                " paragraph " + Recommendation.paragraph,
            ).label("title"),
            false().label("estimated"),
            Recommendation.id.label("ref"),
        )
        .outerjoin(Document, Document.id == Recommendation.document_id)
        .where(deadline.is_not(None), deadline <= horizon, ~graded)
    )
    if states:
        query = query.where(Recommendation.state_code.in_(states))
    return query


def _upr_estimates(
    horizon: date, states: Collection[str], kinds: Collection[DeadlineKind]
) -> list[Select[Any]]:
    upr = select(Body.id).where(Body.code == "UPR").scalar_subquery()
    # Each State's latest review: its UPR document of the highest session, dated by the
    # earliest document of that session (the Working Group report precedes its addenda). A
    # State whose latest session is undated gets no estimate rather than one from an older one.
    latest = (
        select(
            Document.state_code,
            Document.session,
            Document.published_date.label("reviewed_date"),
        )
        .where(
            Document.body_id == upr,
            Document.state_code.is_not(None),
            Document.session.is_not(None),
        )
        .ext(distinct_on(Document.state_code))
        .order_by(
            Document.state_code, Document.session.desc(), Document.published_date.asc().nulls_last()
        )
    )
    if states:
        latest = latest.where(Document.state_code.in_(states))
    reviews = latest.subquery()
    next_session = cast(
        case(
            (
                reviews.c.session <= UPR_FIRST_CYCLE_SESSIONS,
                reviews.c.session + UPR_FIRST_CYCLE_SESSIONS,
            ),
            else_=reviews.c.session + UPR_CYCLE_SESSIONS,
        ),
        SmallInteger,
    )
    # When the Working Group's calendar holds the next session, the review falls within it.
    # Bound as arrays, so the statement stays the same and its compiled form is reused.
    sessions = upr_sessions.sessions()
    calendar = (
        func.unnest(
            bindparam("calendar_sessions", [s.number for s in sessions], type_=ARRAY(SmallInteger)),
            bindparam("calendar_starts", [s.start_date for s in sessions], type_=ARRAY(Date)),
        )
        .table_valued("session", "start_date", name="upr_calendar")
        .render_derived()
    )
    next_start = (
        select(calendar.c.start_date).where(calendar.c.session == next_session).scalar_subquery()
    )
    review_date = func.coalesce(next_start, cast(reviews.c.reviewed_date + UPR_CYCLE, Date))
    mid_term_date = cast(reviews.c.reviewed_date + UPR_MID_TERM, Date)
    estimates: list[tuple[DeadlineKind, Any, Any]] = [
        (
            "upr_review",
            review_date,
            func.concat("Next UPR review, session ", next_session, " (estimated)"),
        ),
        (
            "upr_mid_term_report",
            mid_term_date,
            func.concat(
                "UPR mid-term report on the session ",
                reviews.c.session,
                " review, before session ",
                next_session,
                " (estimated)",
            ),
        ),
    ]
    branches: list[Select[Any]] = []
    for kind, due, title in estimates:
        if kind not in kinds:
            continue
        branches.append(
            select(
                _kind(kind),
                due.label("due_date"),
                _state(reviews.c.state_code).label("state"),
                _no_id().label("recommendation_id"),
                _no_id().label("action_id"),
                _no_id().label("indicator_id"),
                title.label("title"),
                true().label("estimated"),
                cast(next_session, BigInteger).label("ref"),
            ).where(reviews.c.reviewed_date.is_not(None), due <= horizon)
        )
    return branches


def _action_targets(horizon: date, states: Collection[str]) -> Select[Any]:
    query = select(
        _kind("action_target"),
        StateAction.target_date.label("due_date"),
        _state(StateAction.state_code).label("state"),
        _no_id().label("recommendation_id"),
        StateAction.id.label("action_id"),
        _no_id().label("indicator_id"),
        StateAction.title.label("title"),
        false().label("estimated"),
        StateAction.id.label("ref"),
    ).where(
        StateAction.archived_at.is_(None),
        StateAction.status.in_([ActionStatus.PLANNED, ActionStatus.ONGOING]),
        StateAction.target_date.is_not(None),
        StateAction.target_date <= horizon,
    )
    if states:
        query = query.where(StateAction.state_code.in_(states))
    return query


def _indicator_reports(horizon: date, states: Collection[str]) -> Select[Any]:
    query = select(
        _kind("indicator_report"),
        Indicator.next_reporting_date.label("due_date"),
        _state(Indicator.state_code).label("state"),
        _no_id().label("recommendation_id"),
        _no_id().label("action_id"),
        Indicator.id.label("indicator_id"),
        Indicator.name.label("title"),
        false().label("estimated"),
        Indicator.id.label("ref"),
    ).where(
        Indicator.next_reporting_date.is_not(None),
        Indicator.next_reporting_date <= horizon,
    )
    if states:
        query = query.where(Indicator.state_code.in_(states))
    return query


def _due(horizon: date, states: Collection[str], kinds: Collection[DeadlineKind]) -> Subquery:
    """Everything of `kinds` due by `horizon`, as one subquery of the rows `list_page` reads."""
    branches: list[Select[Any]] = []
    if "treaty_body_follow_up" in kinds:
        branches.append(_follow_up_replies(horizon, states))
    branches += _upr_estimates(horizon, states, kinds)
    if "action_target" in kinds:
        branches.append(_action_targets(horizon, states))
    if "indicator_report" in kinds:
        branches.append(_indicator_reports(horizon, states))
    return union_all(*branches).subquery()


async def list_page(
    session: AsyncSession,
    *,
    today: date,
    within_days: int,
    states: Collection[str],
    kinds: Collection[DeadlineKind],
    limit: int,
    after: Keyset | None,
) -> tuple[list[DueItem], Keyset | None]:
    """Everything overdue, and what falls due within `within_days` of `today`, soonest first.

    Filters combine with AND; empty `states` or `kinds` mean all. Returns a page and the keyset
    that continues it, or None at the end.
    """
    due = _due(today + timedelta(days=within_days), states, set(kinds or KINDS))
    state_key = func.coalesce(due.c.state, "")
    sort_key = (due.c.due_date, due.c.kind, state_key, due.c.ref)
    query = select(due).order_by(*sort_key).limit(limit + 1)
    if after is not None:
        query = query.where(tuple_(*sort_key) > tuple_(*after))
    rows = (await session.execute(query)).all()
    items = [
        DueItem(
            kind=row.kind,
            due_date=row.due_date,
            overdue=row.due_date < today,
            state=row.state,
            recommendation_id=row.recommendation_id,
            action_id=row.action_id,
            indicator_id=row.indicator_id,
            title=row.title,
            estimated=row.estimated,
        )
        for row in rows[:limit]
    ]
    if len(rows) <= limit:
        return items, None
    last = rows[limit - 1]
    return items, (last.due_date, last.kind, last.state or "", last.ref)


async def overdue_by_state(
    session: AsyncSession, *, today: date, limit: int
) -> list[tuple[str, int]]:
    """The States with the most overdue items (as `list_page` marks them), most first."""
    # Overdue means due before today: due by yesterday.
    due = _due(today - timedelta(days=1), (), KINDS)
    overdue = func.count()
    query = (
        select(due.c.state, overdue)
        .where(due.c.state.is_not(None))
        .group_by(due.c.state)
        .order_by(overdue.desc(), due.c.state)
        .limit(limit)
    )
    return [(state, count) for state, count in await session.execute(query)]
