"""What the API says about imports and their recorded runs."""

from datetime import datetime
from typing import Any

from pydantic import Field

from api.schemas.base import Schema
from models.enums import ImportStatus, SourceFormat


class ImportErrorRead(Schema):
    """One rejected record: where it is in the file and why it was rejected."""

    line: int | None = Field(default=None, description="1-based line (CSV and text sources).")
    record: int | None = Field(default=None, description="0-based record index (JSON sources).")
    column: str | None = Field(description="The column or field at fault, when one is.")
    message: str


class ImportWarningRead(Schema):
    """Something the import did that its user should know of, e.g. two rows merged into one."""

    message: str
    line: int | None = Field(default=None, description="1-based line (CSV and text sources).")
    record: int | None = Field(default=None, description="0-based record index (JSON sources).")
    first_line: int | None = Field(
        default=None, description="The earlier line it concerns, e.g. a duplicate's first row."
    )
    first_record: int | None = Field(
        default=None, description="The earlier record it concerns (JSON sources)."
    )


class RejectedRecordRead(Schema):
    """A rejected record in its source's own shape, with every reason, to fix and send again."""

    line: int | None = Field(default=None, description="1-based line (CSV and text sources).")
    record: int | None = Field(default=None, description="0-based record index (JSON sources).")
    columns: list[str] = Field(description="The columns or fields at fault.")
    messages: list[str] = Field(description="Every reason the record was rejected.")
    original: dict[str, Any] | None = Field(
        description="The record as the file holds it: a CSV row's cells by column, a JSON "
        "record's fields; null when the file could not be read that far."
    )


class ImportReportRead(Schema):
    """The outcome of one import, as `suivi import --json` prints it."""

    import_run_id: int
    status: ImportStatus
    committed: bool = Field(
        description="Whether records were committed: false for a failed or dry run; true "
        "with `rejected` > 0 when `skip_invalid` loaded the valid records and refused others."
    )
    created: int
    updated: int
    unchanged: int
    duplicates: int
    rejected: int = Field(description="The number of rejected records.")
    errors: list[ImportErrorRead] = Field(description="Every invalid field of every record.")
    warnings: list[ImportWarningRead]
    rejected_records: list[RejectedRecordRead]


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
