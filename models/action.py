"""State actions (laws, policies, investigations...) and their links to recommendations."""

from datetime import date, datetime

from sqlalchemy import CHAR, Date, DateTime, ForeignKey, Integer, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, CreatedMixin, IdMixin, TimestampMixin, enum_column
from models.enums import ActionKind, ActionStatus
from models.institution import Institution


class StateAction(IdMixin, TimestampMixin, Base):
    """Something a State body did or committed to do; archived, never deleted."""

    __tablename__ = "state_actions"

    kind: Mapped[ActionKind] = mapped_column(enum_column(ActionKind, "action_kind"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    state_code: Mapped[str] = mapped_column(CHAR(3), index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    announced_date: Mapped[date | None] = mapped_column(Date)
    started_date: Mapped[date | None] = mapped_column(Date)
    completed_date: Mapped[date | None] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus, "action_status"))
    evidence_urls: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on every change: the ETag that If-Match compares, and a lost-update guard.
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    institution: Mapped[Institution | None] = relationship(lazy="raise")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ActionRecommendation(CreatedMixin, Base):
    """A State action answering a recommendation, with a note on how."""

    __tablename__ = "action_recommendations"

    action_id: Mapped[int] = mapped_column(ForeignKey("state_actions.id"), primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), primary_key=True, index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
