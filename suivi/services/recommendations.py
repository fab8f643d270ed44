"""Reading recommendations: keyset-paginated lists and one recommendation in full."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
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
from suivi.errors import NotFound


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


@dataclass(frozen=True, slots=True)
class RecommendationDetail:
    """One recommendation with every text held and its position history."""

    summary: RecommendationSummary
    annotation_type: str | None
    texts: dict[str, str]
    position_history: list[PositionRecord]
    follow_up_selected: bool
    follow_up_deadline_date: date | None
    office_status: ImplementationStatus | None
    source_format: SourceFormat
    source_record_id: str | None
    import_run_id: int | None


SummaryRow = tuple[Recommendation, str, MechanismCode, str | None]


def _summary_query() -> Select[Recommendation, str, MechanismCode, str]:
    return (
        select(Recommendation, Body.code, Body.mechanism_code, Document.symbol)
        .join(Body, Body.id == Recommendation.body_id)
        .outerjoin(Document, Document.id == Recommendation.document_id)
    )


def _summary(row: SummaryRow) -> RecommendationSummary:
    rec, body_code, mechanism, symbol = row
    return RecommendationSummary(
        id=rec.id,
        state=rec.state_code,
        mechanism=mechanism,
        body=body_code,
        document_symbol=symbol,
        paragraph=rec.paragraph,
        text=rec.text,
        language=rec.language,
        recommending_states=list(rec.recommending_states),
        position=rec.position,
        action_category=rec.action_category,
        session=rec.session,
        cycle=rec.cycle,
        date=rec.issued_date,
        themes=list(rec.themes),
        affected_persons=list(rec.affected_persons),
        sdgs=list(rec.sdgs),
        hrd_relevance=rec.hrd_relevance,
        hrd_reasons=list(rec.hrd_reasons),
        status=rec.status,
        updated_at=rec.updated_at,
    )


async def list_page(
    session: AsyncSession,
    *,
    limit: int,
    after_id: int | None = None,
    states: Sequence[str] = (),
) -> tuple[list[RecommendationSummary], int | None]:
    """One page in id order and the id to continue after, or None on the last page."""
    query = _summary_query().order_by(Recommendation.id).limit(limit + 1)
    if after_id is not None:
        query = query.where(Recommendation.id > after_id)
    if states:
        query = query.where(Recommendation.state_code.in_(states))
    rows = (await session.execute(query)).all()
    items = [_summary(row) for row in rows[:limit]]
    next_after = items[-1].id if len(rows) > limit else None
    return items, next_after


async def get_detail(session: AsyncSession, *, recommendation_id: int) -> RecommendationDetail:
    """The recommendation with all its texts and positions; NotFound when there is none."""
    query = (
        _summary_query()
        .where(Recommendation.id == recommendation_id)
        .options(
            selectinload(Recommendation.translations),
            selectinload(Recommendation.position_history),
        )
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise NotFound(f"No recommendation has id {recommendation_id}.")
    rec = row[0]
    return RecommendationDetail(
        summary=_summary(row),
        annotation_type=rec.annotation_type,
        texts={rec.language: rec.text, **{t.language: t.text for t in rec.translations}},
        position_history=list(rec.position_history),
        follow_up_selected=rec.follow_up_selected,
        follow_up_deadline_date=rec.follow_up_deadline_date,
        office_status=rec.office_status,
        source_format=rec.source_format,
        source_record_id=rec.source_record_id,
        import_run_id=rec.import_run_id,
    )
