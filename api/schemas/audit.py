"""What the API says about the audit trail and the state of its hash chain."""

from datetime import datetime
from typing import Any

from pydantic import Field

from api.schemas.base import Schema


class AuditEventRead(Schema):
    """Who did what to which object, and when, chained to the event before by its hash."""

    id: int
    occurred_at: datetime
    actor_prefix: str | None = Field(description="The key's prefix; null for the command line.")
    actor_organisation_id: int | None
    action: str = Field(description="e.g. `organisation.created`, `key.revoked`, `import`.")
    object_type: str
    object_id: str | None
    summary: dict[str, Any] = Field(description="Ids, states and field names; never contacts.")
    previous_hash: str | None
    hash: str


class AuditEventPage(Schema):
    """One page of events, newest first."""

    items: list[AuditEventRead]
    next_cursor: str | None


class AuditChainRead(Schema):
    """The outcome of walking the whole chain."""

    intact: bool = Field(description="Every event's hash and link hold.")
    events: int = Field(description="Events in the trail.")
    first_broken_id: int | None = Field(description="The first altered event, when one is.")
