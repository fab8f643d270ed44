"""Validated recommendation records: what every importer produces and the pipeline loads."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.enums import HrdRelevance, MechanismCode, Position, SourceFormat


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where in the source a record or an error is: a 1-based line, or a 0-based record index."""

    line: int | None = None
    record: int | None = None


@dataclass(frozen=True, slots=True)
class RecordError:
    """A rejected record: where, which column or field, and why, in words a person can act on."""

    location: SourceLocation
    column: str | None
    message: str
    # The record as the source wrote it (a CSV row's cells by column, a JSON object), so that a
    # rejected record can be written back in its own shape, fixed and imported again.
    original: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The error as the import report prints it."""
        report: dict[str, Any] = {"column": self.column, "message": self.message}
        if self.location.line is not None:
            report["line"] = self.location.line
        if self.location.record is not None:
            report["record"] = self.location.record
        return report


@dataclass(slots=True)
class RecommendationRecord:
    """One recommendation as a source states it, already mapped to Suivi's vocabulary."""

    # Stable identity across imports: `doc:<symbol>#<paragraph>`, `uhri:<AnnotationId>`,
    # `upr-info:<sha256>`; see natural_key_for_paragraph.
    natural_key: str
    source_format: SourceFormat
    location: SourceLocation
    state: str  # ISO 3166-1 alpha-3 of the State under review
    body: str  # body code, e.g. UPR, CCPR, SR-HRD
    mechanism: MechanismCode
    language: str  # ISO 639-1 of `text`
    text: str  # plain text, no HTML
    source_record_id: str | None = None
    body_name: str | None = None  # for a body the database does not know yet
    document_symbol: str | None = None
    # The document's title when the record creates it (e.g. a UPR review's report); not content.
    document_title: str | None = None
    paragraph: str | None = None
    annotation_type: str | None = None
    translations: dict[str, str] = field(default_factory=dict)  # language -> text
    recommending_states: list[str] = field(default_factory=list)
    position: Position | None = None
    action_category: int | None = None
    session: int | None = None
    cycle: int | None = None
    issued_date: date | None = None
    themes: list[str] = field(default_factory=list)
    affected_persons: list[str] = field(default_factory=list)
    sdgs: list[str] = field(default_factory=list)
    # None: the pipeline classifies from tags and text. Set only by formats that carry it.
    hrd_relevance: HrdRelevance | None = None
    hrd_reasons: list[dict[str, str]] | None = None
    # The record as the source wrote it, as RecordError keeps it: a record the loader refuses
    # (a conflicting duplicate, say) goes back to its rejected file in its own shape.
    original: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


def natural_key_for_paragraph(document_symbol: str, paragraph: str) -> str:
    """The key of a recommendation known by its document and paragraph."""
    return f"doc:{document_symbol}#{paragraph}"


def upr_cycle(session: int) -> int:
    """The UPR cycle of a session: 1-12 first, 13-26 second, 27-40 third, 41 on fourth."""
    if session < 1:
        raise ValueError(f"UPR sessions start at 1, not {session}")
    if session <= 12:
        return 1
    if session <= 26:
        return 2
    if session <= 40:
        return 3
    return 4
