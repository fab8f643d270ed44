"""The audit trail: every write appends an event chained to the previous one by its hash.

The database refuses UPDATE and DELETE on `audit_events` (migration 0001); the chain makes a
change made anyway, by someone who could lift that guard, show up in `verify`.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent
from suivi.hashing import canonical_json
from suivi.services.keys import Caller

# Serialises appends so that two writers never chain onto the same previous event.
_CHAIN_LOCK = 0x5_0155_A0D1


def event_hash(
    *,
    previous_hash: str | None,
    occurred_at: datetime,
    actor_prefix: str | None,
    actor_organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str | None,
    summary: dict[str, Any],
) -> str:
    """The hash of an event's content and of the event before it."""
    content = {
        "previous_hash": previous_hash,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor_prefix": actor_prefix,
        "actor_organisation_id": actor_organisation_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "summary": summary,
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()


async def record(
    session: AsyncSession,
    *,
    actor: Caller | None,
    action: str,
    object_type: str,
    object_id: str | int | None,
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event; `actor` None is the command line run by the operator."""
    await session.execute(select(func.pg_advisory_xact_lock(_CHAIN_LOCK)))
    previous_hash = await session.scalar(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    fields: dict[str, Any] = {
        "occurred_at": datetime.now(UTC),
        "actor_prefix": actor.prefix if actor else None,
        "actor_organisation_id": actor.organisation_id if actor else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "summary": summary or {},
    }
    event = AuditEvent(
        **fields,
        previous_hash=previous_hash,
        hash=event_hash(previous_hash=previous_hash, **fields),
    )
    session.add(event)
    await session.flush()
    return event


async def verify(session: AsyncSession) -> AuditEvent | None:
    """The first event whose hash or link does not hold, or None when the chain is intact."""
    previous_hash: str | None = None
    result = await session.stream_scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    )
    async for event in result:
        expected = event_hash(
            previous_hash=previous_hash,
            occurred_at=event.occurred_at,
            actor_prefix=event.actor_prefix,
            actor_organisation_id=event.actor_organisation_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            summary=event.summary,
        )
        if event.previous_hash != previous_hash or event.hash != expected:
            return event
        previous_hash = event.hash
    return None
