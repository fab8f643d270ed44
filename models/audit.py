"""The append-only audit trail; a trigger in the migration refuses UPDATE, DELETE and TRUNCATE."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CHAR, BigInteger, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column


class Seal(StrEnum):
    """How an event's `hash` was computed from its content and the hash before it."""

    # Anyone who can write to the table can recompute it: events before SUIVI_AUDIT_KEY.
    SHA256 = "sha256"
    # Keyed by SUIVI_AUDIT_KEY, held outside the database: a rewrite cannot be resealed.
    HMAC_SHA256 = "hmac-sha256"


class AuditEvent(Base):
    """Who did what to which object, and when; chained by hash or HMAC so tampering shows."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object_type_object_id", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    actor_prefix: Mapped[str | None] = mapped_column(String(16))
    actor_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    previous_hash: Mapped[str | None] = mapped_column(CHAR(64))
    hash: Mapped[str] = mapped_column(CHAR(64))
    seal: Mapped[Seal] = mapped_column(enum_column(Seal, "seal"), server_default=Seal.SHA256.value)
