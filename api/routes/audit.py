"""The audit trail over HTTP, for administrators: filtered events and a check of the chain."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.deps import AdminDep, SessionDep
from api.pagination import decode_cursor, encode_cursor
from api.params import CURSOR_DESCRIPTION, Label, PageCursor, PageLimit
from api.schemas.audit import AuditChainRead, AuditEventPage, AuditEventRead
from api.schemas.problems import problem_responses
from suivi.services import audit_query as service

router = APIRouter(prefix="/v1/audit", tags=["audit"])

Name = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")
]


class AuditQuery(BaseModel):
    """The list's query parameters; repeat `action` for several (OR)."""

    model_config = ConfigDict(extra="forbid")

    action: list[Name] = Field([], description="e.g. `key.revoked`, `organisation.contact_read`.")
    object_type: Name | None = Field(None, description="e.g. `organisation`, `api_key`.")
    object_id: Label | None = Field(None, description="The object's id or key prefix.")
    actor_prefix: Annotated[str, StringConstraints(max_length=16)] | None = Field(
        None, description="The acting key's prefix."
    )
    since: datetime | None = Field(
        None, description="At or after this instant (ISO 8601; UTC when no offset)."
    )
    until: datetime | None = Field(
        None, description="Before this instant (ISO 8601; UTC when no offset)."
    )
    limit: PageLimit = 50
    cursor: PageCursor | None = Field(None, description=CURSOR_DESCRIPTION)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@router.get(
    "",
    operation_id="listAuditEvents",
    summary="List audit events, newest first",
    response_model=AuditEventPage,
    responses=problem_responses(401, 403, 422),
)
async def list_audit_events(
    session: SessionDep, _caller: AdminDep, params: Annotated[AuditQuery, Query()]
) -> AuditEventPage:
    """Admin only. Filters combine with AND; `action` values with OR."""
    before_id = decode_cursor(params.cursor, types=(int,))[0] if params.cursor else None
    events, next_before = await service.list_page(
        session,
        limit=params.limit,
        filters=service.AuditFilters(
            actions=params.action,
            object_type=params.object_type,
            object_id=params.object_id,
            actor_prefix=params.actor_prefix,
            since=_aware(params.since),
            until=_aware(params.until),
        ),
        before_id=before_id,
    )
    return AuditEventPage(
        items=[AuditEventRead.model_validate(event) for event in events],
        next_cursor=encode_cursor([next_before]) if next_before is not None else None,
    )


@router.get(
    "/verify",
    operation_id="verifyAuditChain",
    summary="Check the audit trail's chain of seals",
    response_model=AuditChainRead,
    responses=problem_responses(401, 403),
)
async def verify_audit_chain(session: SessionDep, _caller: AdminDep) -> AuditChainRead:
    """Admin only. Walks every event, as `suivi audit verify` does, each by its own seal;
    `first_broken_id` names the first event whose seal or link does not hold. Events deleted
    from the end show only against a checkpoint: `suivi audit verify --checkpoint`."""
    report = await service.check_chain(session)
    return AuditChainRead(
        intact=report.intact,
        events=report.events,
        first_broken_id=report.first_broken_id,
        problems=report.problems(),
        seals=report.seals,
        keyed=report.keyed,
        key_missing=report.unchecked > 0,
    )
