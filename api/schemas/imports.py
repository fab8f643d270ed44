"""What the API says about imports and their recorded runs."""

from datetime import datetime

from pydantic import Field

from api.schemas.base import Schema
from models.enums import ImportStatus, SourceFormat


class ImportErrorRead(Schema):
    """One rejected record: where it is in the file and why it was rejected."""

    line: int | None = Field(default=None, description="1-based line (CSV and text sources).")
    record: int | None = Field(default=None, description="0-based record index (JSON sources).")
    column: str | None = Field(description="The column or field at fault, when one is.")
    message: str


class ImportReportRead(Schema):
    """The outcome of one import, as `suivi import --json` prints it."""

    import_run_id: int
    status: ImportStatus
    created: int
    updated: int
    unchanged: int
    duplicates: int
    rejected: int
    errors: list[ImportErrorRead]


class ImportRunRead(Schema):
    """A recorded import run."""

    id: int
    source: str
    format: SourceFormat
    actor: str
    status: ImportStatus
    started_at: datetime
    finished_at: datetime | None
    created: int
    updated: int
    unchanged: int
    duplicates: int
    rejected: int
    errors: list[ImportErrorRead] = Field(description="The first 1,000 errors.")


class ImportRunPage(Schema):
    """One page of recorded runs, newest first."""

    items: list[ImportRunRead]
    next_cursor: str | None
