"""Reading the audit trail: filtered pages of events, newest first, and a check of its chain."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent
from suivi.services import audit


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Which events a page shows; empty or None is any. `since` is inclusive, `until` not."""

    actions: list[str] = field(default_factory=list)
    object_type: str | None = None
    object_id: str | None = None
    actor_prefix: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_page(
    session: AsyncSession, *, limit: int, filters: AuditFilters, before_id: int | None = None
) -> tuple[list[AuditEvent], int | None]:
    """Events newest first, and the id to continue before, or None on the last page."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if filters.actions:
        query = query.where(AuditEvent.action.in_(filters.actions))
    if filters.object_type is not None:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.actor_prefix is not None:
        query = query.where(AuditEvent.actor_prefix == filters.actor_prefix)
    if filters.since is not None:
        query = query.where(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.occurred_at < filters.until)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    events = list((await session.scalars(query)).all())
    page = events[:limit]
    return page, page[-1].id if len(events) > limit else None


async def check_chain(session: AsyncSession) -> audit.ChainReport:
    """Walk the whole chain with the key this process seals with, as `suivi audit verify` does."""
    return await audit.check(session, key=audit.sealing_key(session))
