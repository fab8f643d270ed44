"""Indicators of State fulfilment (structural, process, outcome) and their observations."""

from datetime import date
from decimal import Decimal

from sqlalchemy import CHAR, Date, ForeignKey, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedMixin, IdMixin, TimestampMixin, enum_column
from models.enums import IndicatorKind, ReportingFrequency


class Indicator(IdMixin, TimestampMixin, Base):
    """What to measure to know whether recommendations are being fulfilled."""

    __tablename__ = "indicators"

    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind, "indicator_kind"))
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text)
    state_code: Mapped[str | None] = mapped_column(CHAR(3), index=True)
    reporting_frequency: Mapped[ReportingFrequency | None] = mapped_column(
        enum_column(ReportingFrequency, "reporting_frequency")
    )
    next_reporting_date: Mapped[date | None] = mapped_column(Date, index=True)


class IndicatorRecommendation(Base):
    """An indicator attached to a recommendation it helps assess."""

    __tablename__ = "indicator_recommendations"

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), primary_key=True, index=True
    )


class IndicatorObservation(IdMixin, CreatedMixin, Base):
    """One observed value of an indicator, numeric or textual (a structural yes/no, say)."""

    __tablename__ = "indicator_observations"

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    observed_date: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(Numeric)
    value_text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
