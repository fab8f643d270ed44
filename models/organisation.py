"""Organisations that use Suivi and the API keys they hold."""

from datetime import datetime

from sqlalchemy import CHAR, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, CreatedMixin, IdMixin, enum_column
from models.enums import OrganisationKind, Role


class Organisation(IdMixin, CreatedMixin, Base):
    """A country office, State institution, NHRI, civil-society organisation or UN entity."""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        enum_column(OrganisationKind, "organisation_kind")
    )
    # A State organisation's focal points act for this institution.
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    # How the office reaches the organisation. Staff/admin only; every read is audited.
    contact: Mapped[str | None] = mapped_column(Text)


class ApiClient(IdMixin, CreatedMixin, Base):
    """An API key: stored only as a hash, recognised by its short public prefix."""

    __tablename__ = "api_clients"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(CHAR(64))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    label: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship(lazy="raise")
