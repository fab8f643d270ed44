"""Import runs: one row per load of a source file, linked from the rows it touched."""

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, enum_column
from models.enums import ImportStatus, SourceFormat


class ImportRun(IdMixin, Base):
    """Who loaded what, from where, when, and with which outcome."""

    __tablename__ = "import_runs"

    started_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text)
    format: Mapped[SourceFormat] = mapped_column(enum_column(SourceFormat, "source_format"))
    # An API key prefix, or `cli` for a command run on the server.
    actor: Mapped[str] = mapped_column(Text)
    status: Mapped[ImportStatus] = mapped_column(enum_column(ImportStatus, "import_status"))
    created: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    unchanged: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    duplicates: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rejected: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'"))
