"""What the API takes and gives for progress updates and their review."""

from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from api.params import MAX_ID
from api.schemas.base import Schema
from models.enums import Confidentiality, ImplementationStatus, ReviewState, SourceType

# Text may hold line breaks and tabs, never other control characters (PostgreSQL refuses NUL).
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return value


EvidenceUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=r"^\S+$"),
    AfterValidator(_http_url),
]
Narrative = Annotated[str, StringConstraints(min_length=1, max_length=20_000, pattern=_TEXT)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000, pattern=_TEXT)
]


class UpdateCreate(Schema):
    """A progress update to submit for review; it is never edited once stored."""

    source_type: SourceType = Field(
        description="Who the update speaks for; must fit the submitting organisation's kind."
    )
    assessed_status: ImplementationStatus = Field(
        description="The source's assessment of the implementation."
    )
    narrative: Narrative = Field(description="What happened, in the source's words.")
    evidence_urls: list[EvidenceUrl] = Field(
        [], max_length=50, description="http(s) links to the evidence."
    )
    as_of_date: date = Field(description="The date the information refers to; not in the future.")
    confidentiality: Confidentiality = Field(
        description="`public`; `confidential_submitter`: published without naming the "
        "submitter; `restricted`: staff only."
    )
    supersedes_id: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="The earlier update of the same subject, by the same organisation, "
        "that this one corrects.",
    )

    @field_validator("assessed_status")
    @classmethod
    def _is_assessment(cls, value: ImplementationStatus) -> ImplementationStatus:
        # "not assessed" is the absence of an assessment, not one a source can submit.
        if value is ImplementationStatus.NOT_ASSESSED:
            raise ValueError("must be an assessment, not `not_assessed`")
        return value


class UpdateReject(Schema):
    """Why staff reject an update; sent back to the submitting organisation."""

    reason: Reason = Field(description="The reason the submitter reads back.")


class SubmitterRead(Schema):
    """Who submitted an update."""

    organisation: str


class UpdateRead(Schema):
    """A progress update as the caller may see it."""

    id: int
    recommendation_id: int | None
    action_id: int | None
    source_type: SourceType
    assessed_status: ImplementationStatus
    narrative: str
    evidence_urls: list[str]
    as_of_date: date = Field(description="The date the information refers to.")
    confidentiality: Confidentiality
    review_state: ReviewState
    submitted_at: datetime
    reviewed_at: datetime | None
    review_reason: str | None = Field(
        description="Why staff rejected it; shown to staff and the submitting organisation only."
    )
    supersedes_id: int | None = Field(description="The earlier update this one corrects.")
    superseded_by: int | None = Field(description="The newest visible update correcting this one.")
    submitter: SubmitterRead | None = Field(
        description="The submitting organisation; null when it asked not to be named."
    )


class UpdatePage(Schema):
    """One page of updates, oldest first."""

    items: list[UpdateRead]
    next_cursor: str | None
