"""What an import reports: counts, every error, warnings, and the rejected records whole."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from models.enums import ImportStatus, SourceFormat
from suivi.records import RecordError, SourceLocation


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """Something the import did that its user should know of: nothing was refused for it."""

    message: str
    location: SourceLocation | None = None
    first: SourceLocation | None = None  # the earlier record it concerns, e.g. a duplicate's

    def as_dict(self) -> dict[str, Any]:
        """The warning as the import report prints it."""
        report: dict[str, Any] = {"message": self.message}
        for name, where in (("", self.location), ("first_", self.first)):
            if where is not None and where.line is not None:
                report[f"{name}line"] = where.line
            if where is not None and where.record is not None:
                report[f"{name}record"] = where.record
        return report


@dataclass(slots=True)
class RejectedRecord:
    """A rejected record with every reason it was refused, in the source's own shape."""

    location: SourceLocation
    columns: list[str]
    messages: list[str]
    original: Mapping[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """The record as the import report prints it: where, which columns, why, and what."""
        report: dict[str, Any] = {}
        if self.location.line is not None:
            report["line"] = self.location.line
        if self.location.record is not None:
            report["record"] = self.location.record
        report["columns"] = self.columns
        report["messages"] = self.messages
        report["original"] = dict(self.original) if self.original is not None else None
        return report


def rejected_records(errors: list[RecordError]) -> list[RejectedRecord]:
    """The errors grouped by record, in the order the source holds them."""
    records: dict[tuple[int | None, int | None], RejectedRecord] = {}
    for error in errors:
        where = (error.location.line, error.location.record)
        rejected = records.get(where)
        if rejected is None:
            rejected = records[where] = RejectedRecord(error.location, [], [], error.original)
        if error.column and error.column not in rejected.columns:
            rejected.columns.append(error.column)
        rejected.messages.append(error.message)
        if rejected.original is None:
            rejected.original = error.original
    return sorted(
        records.values(),
        key=lambda r: (r.location.line or 0, r.location.record or 0),
    )


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    status: ImportStatus = ImportStatus.RUNNING
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RecordError] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    import_run_id: int | None = None
    source_format: SourceFormat | None = None

    @property
    def committed(self) -> bool:
        """Whether records are in the database after this run: it succeeded (not a dry run)
        and found valid records, new, changed or unchanged."""
        loaded = self.created + self.updated + self.unchanged
        return self.status is ImportStatus.SUCCEEDED and loaded > 0

    def as_dict(self) -> dict[str, Any]:
        """The report in the shape `suivi import --json` and `POST /v1/imports` print."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": [error.as_dict() for error in self.errors],
            "warnings": [warning.as_dict() for warning in self.warnings],
            "rejected_records": [record.as_dict() for record in rejected_records(self.errors)],
        }
