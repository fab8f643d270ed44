"""UN documents that hold recommendations: UPR reports, concluding observations, visit reports."""

from datetime import date

from sqlalchemy import CHAR, Date, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TimestampMixin
from models.mechanism import Body


class Document(IdMixin, TimestampMixin, Base):
    """One UN document, identified by its symbol (e.g. `A/HRC/36/5`, `CCPR/C/TUN/CO/6`)."""

    __tablename__ = "documents"

    symbol: Mapped[str] = mapped_column(String(200), unique=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    # Null for thematic documents that address no single State.
    state_code: Mapped[str | None] = mapped_column(CHAR(3), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    published_date: Mapped[date | None] = mapped_column(Date)
    session: Mapped[int | None] = mapped_column(SmallInteger)
    cycle: Mapped[int | None] = mapped_column(SmallInteger)

    body: Mapped[Body] = relationship(lazy="raise")
