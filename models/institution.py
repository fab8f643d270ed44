"""State institutions: the bodies responsible for State actions."""

from sqlalchemy import CHAR, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedMixin, IdMixin


class Institution(IdMixin, CreatedMixin, Base):
    """A ministry, court, commission or other State body, possibly part of a larger one."""

    __tablename__ = "institutions"
    __table_args__ = (UniqueConstraint("state_code", "name"),)

    name: Mapped[str] = mapped_column(Text)
    state_code: Mapped[str] = mapped_column(CHAR(3))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
