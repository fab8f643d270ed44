"""What the API says about State actions, and what it accepts to record or change one."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from api.params import STATE_PATTERN, RowId
from api.schemas.base import Schema
from models.enums import ActionKind, ActionStatus

Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
# Free text keeps its line breaks; only NUL, which PostgreSQL refuses, is rejected.
Description = Annotated[str, StringConstraints(max_length=20_000, pattern=r"^[^\x00]*$")]
Note = Annotated[str, StringConstraints(max_length=4_000, pattern=r"^[^\x00]*$")]
EvidenceUrl = Annotated[
    str, StringConstraints(max_length=2_000, pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")
]
# Actions postdate the UN Charter; a year outside this range is a typing error.
ActionDate = Annotated[date, Field(ge=date(1945, 1, 1), le=date(2100, 12, 31))]

_EVIDENCE_DESCRIPTION = "Links to evidence (official gazette, decree, court decision...)."


class InstitutionRef(Schema):
    """The responsible institution, by id and name."""

    id: int
    name: str


class LinkRead(Schema):
    """A recommendation the action answers, with the note on how."""

    id: int = Field(description="The recommendation's id.")
    note: str | None


class ActionRead(Schema):
    """A State action: what a State body did or committed to do."""

    id: int
    kind: ActionKind
    title: str
    description: str | None
    state: str = Field(description="The State, ISO 3166-1 alpha-3.")
    institution_id: int | None = Field(description="The responsible institution.")
    institution: InstitutionRef | None
    announced_date: date | None
    started_date: date | None
    completed_date: date | None
    target_date: date | None
    status: ActionStatus
    evidence_urls: list[str]
    archived: bool = Field(description="Archived actions are hidden from lists by default.")
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    recommendations: list[LinkRead] = Field(description="The recommendations it answers.")


class ActionPage(Schema):
    """One page of State actions, in id order."""

    items: list[ActionRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ActionCreate(Schema):
    """A new State action; `state` comes from the institution when one is given."""

    kind: ActionKind
    title: Title
    description: Description | None = None
    institution_id: RowId | None = Field(
        None, description="The responsible institution; a focal point's own by default."
    )
    state: Annotated[str, StringConstraints(pattern=STATE_PATTERN)] | None = Field(
        None, description="ISO 3166-1 alpha-3; required when no institution is given."
    )
    announced_date: ActionDate | None = None
    started_date: ActionDate | None = None
    completed_date: ActionDate | None = None
    target_date: ActionDate | None = None
    status: ActionStatus = ActionStatus.PLANNED
    evidence_urls: list[EvidenceUrl] = Field([], max_length=50, description=_EVIDENCE_DESCRIPTION)


# Fields a PATCH may set but not clear: they have no "unknown" value.
_REQUIRED_FIELDS = ("kind", "title", "status", "evidence_urls", "archived")


class ActionUpdate(Schema):
    """A partial change: only the fields sent are changed; `null` clears an optional one."""

    kind: ActionKind | None = None
    title: Title | None = None
    description: Description | None = None
    institution_id: RowId | None = Field(None, description="Another institution of the same State.")
    announced_date: ActionDate | None = None
    started_date: ActionDate | None = None
    completed_date: ActionDate | None = None
    target_date: ActionDate | None = None
    status: ActionStatus | None = None
    evidence_urls: list[EvidenceUrl] | None = Field(
        None, max_length=50, description=_EVIDENCE_DESCRIPTION
    )
    archived: bool | None = Field(None, description="`true` archives, `false` restores.")

    @field_validator(*_REQUIRED_FIELDS, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Runs only for fields sent: an omitted field keeps its None, meaning "unchanged".
        if value is None:
            raise ValueError("may be changed but not cleared")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent, with their values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class LinkWrite(Schema):
    """How the action answers the recommendation; the whole link is replaced."""

    note: Note | None = Field(None, description="How the action answers the recommendation.")


class LinkResult(Schema):
    """A link between a recommendation and a State action."""

    recommendation_id: int
    action_id: int
    note: str | None
    created_at: datetime
