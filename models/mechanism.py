"""The three UN mechanisms and the bodies (committees, mandates, the UPR) that speak for them."""

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column
from models.enums import MechanismCode


class Mechanism(Base):
    """UPR, treaty bodies or special procedures; seeded by the first migration."""

    __tablename__ = "mechanisms"

    code: Mapped[MechanismCode] = mapped_column(
        enum_column(MechanismCode, "mechanism_code"), primary_key=True
    )
    name: Mapped[str] = mapped_column(Text)


class Body(Base):
    """A body that issues recommendations, e.g. `CCPR` or `SR-HRD`; seeded, extensible."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    mechanism_code: Mapped[MechanismCode] = mapped_column(
        enum_column(MechanismCode, "mechanism_code"),
        ForeignKey("mechanisms.code"),
        index=True,
    )
