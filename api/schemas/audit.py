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
    seal: str = Field(
        description="How `hash` was computed: `sha256` of the content, or `hmac-sha256` keyed "
        "by a secret held outside the database."
    )


class AuditEventPage(Schema):
    """One page of events, newest first."""

    items: list[AuditEventRead]
    next_cursor: str | None


class AuditChainRead(Schema):
    """The outcome of walking the whole chain, each event checked by its own seal."""

    intact: bool = Field(description="Every event was checked, and its seal and link hold.")
    events: int = Field(description="Events in the trail.")
    first_broken_id: int | None = Field(description="The first altered event, when one is.")
    problems: list[str] = Field(description="What does not hold or was not checked, in words.")
    seals: dict[str, int] = Field(description="Events by seal: `sha256`, `hmac-sha256`.")
    keyed: bool = Field(
        description="The newest event is sealed with HMAC: the chain's end cannot be rewritten "
        "without the key. False: SHA-256 only, which the database's owner can recompute."
    )
    key_missing: bool = Field(
        description="Events are sealed with HMAC and this server has no key to check them."
    )
