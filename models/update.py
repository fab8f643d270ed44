"""Progress updates: dated statements by a source about a recommendation or an action."""

from datetime import date, datetime

from sqlalchemy import (
    CHAR,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedMixin, IdMixin, enum_column
from models.enums import Confidentiality, ImplementationStatus, ReviewState, SourceType


class ProgressUpdate(IdMixin, CreatedMixin, Base):
    """A submission; its content is never edited (a database trigger refuses it) nor deleted.

    Only the review columns change. A correction is a new update that `supersedes_id` the old.
    No IP address, user agent or contact detail is stored here, by design.
    """

    __tablename__ = "progress_updates"
    __table_args__ = (
        CheckConstraint("num_nonnulls(recommendation_id, action_id) = 1", name="about_one_subject"),
        CheckConstraint("assessed_status <> 'not_assessed'", name="assessed_status_is_assessment"),
        Index("ix_progress_updates_review_state_id", "review_state", "id"),
        Index(
            "uq_progress_updates_submitted_by_client_id_idempotency_key",
            "submitted_by_client_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(ForeignKey("state_actions.id"), index=True)
    source_type: Mapped[SourceType] = mapped_column(enum_column(SourceType, "source_type"))
    assessed_status: Mapped[ImplementationStatus] = mapped_column(
        enum_column(ImplementationStatus, "assessed_status")
    )
    narrative: Mapped[str] = mapped_column(Text)
    evidence_urls: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    as_of_date: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    submitted_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    confidentiality: Mapped[Confidentiality] = mapped_column(
        enum_column(Confidentiality, "confidentiality")
    )
    review_state: Mapped[ReviewState] = mapped_column(
        enum_column(ReviewState, "review_state"), server_default=ReviewState.SUBMITTED.value
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    # Sent back to the submitter when staff reject an update.
    review_reason: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("progress_updates.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    # sha256 of the submitted body: the same Idempotency-Key with another body is refused.
    request_hash: Mapped[str | None] = mapped_column(CHAR(64))
