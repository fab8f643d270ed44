"""Follow-up grades given to a State's reply on a recommendation."""

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedMixin, IdMixin, enum_column
from models.enums import AssessorKind, Grade


class FollowUpGrade(IdMixin, CreatedMixin, Base):
    """A grade A-E (with the committee's sub-grade, e.g. `B1`) by a named assessor on a date."""

    __tablename__ = "follow_up_grades"

    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"), index=True)
    grade: Mapped[Grade] = mapped_column(enum_column(Grade, "grade"))
    sub_grade: Mapped[str | None] = mapped_column(String(8))
    assessor_kind: Mapped[AssessorKind] = mapped_column(enum_column(AssessorKind, "assessor_kind"))
    assessor: Mapped[str] = mapped_column(Text)
    graded_date: Mapped[date] = mapped_column(Date)
    document_symbol: Mapped[str | None] = mapped_column(String(200))
    recorded_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
