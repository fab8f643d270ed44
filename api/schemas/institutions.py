"""What the API says about State institutions, and what it accepts to create one."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from api.params import MAX_ID, STATE_PATTERN
from api.schemas.base import Schema

# No control characters: PostgreSQL refuses NUL, and none belongs in a name.
InstitutionName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=300, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]


class InstitutionRead(Schema):
    """A ministry, court, commission or other State body."""

    id: int
    name: str
    state: str = Field(description="The State, ISO 3166-1 alpha-3.")
    parent_id: int | None = Field(description="The larger institution it is part of, if any.")
    created_at: datetime


class InstitutionCreate(Schema):
    """A new institution; its name is unique within its State."""

    name: InstitutionName = Field(description="The institution's name, unique within its State.")
    state: Annotated[str, StringConstraints(pattern=STATE_PATTERN)] = Field(
        description="The State, ISO 3166-1 alpha-3."
    )
    parent_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The larger institution of the same State."
    )


class InstitutionPage(Schema):
    """One page of institutions, in id order."""

    items: list[InstitutionRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
