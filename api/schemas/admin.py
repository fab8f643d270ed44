"""What the admin API reads and writes: organisations and the API keys they hold."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from api.params import Label, RowId
from api.schemas.base import Schema
from models.enums import OrganisationKind, Role

# Several lines are allowed (an address, a phone number); NUL is not, PostgreSQL refuses it.
Contact = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"^[^\x00]*$")]


def _in_the_future(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value <= datetime.now(UTC):
        raise ValueError("must be in the future")
    return value


class OrganisationCreate(Schema):
    """A new organisation."""

    name: Label = Field(description="Unique name, e.g. `OHCHR Tunisia`.")
    kind: OrganisationKind
    institution_id: RowId | None = Field(
        default=None,
        description="`state` only: the institution its focal points act for (must exist).",
    )
    contact: Contact | None = Field(
        default=None,
        description="How the office reaches it; readable by staff and admin only, audited.",
    )


class OrganisationRead(Schema):
    """An organisation as lists show it: never its contact."""

    id: int
    name: str
    kind: OrganisationKind
    institution_id: int | None = Field(description="`state`: the institution it acts for.")
    created_at: datetime


class OrganisationDetailRead(OrganisationRead):
    """One organisation with its contact; reading a kept contact is audited."""

    contact: str | None


class OrganisationPage(Schema):
    """One page of organisations, by name."""

    items: list[OrganisationRead]
    next_cursor: str | None


class KeyCreate(Schema):
    """A new API key for an organisation."""

    organisation_id: RowId = Field(description="The organisation that holds the key.")
    role: Role = Field(description="What the key may do.")
    expires_at: Annotated[datetime | None, AfterValidator(_in_the_future)] = Field(
        default=None,
        description="When the key stops working; must be in the future (UTC when no offset).",
    )
    label: Label | None = Field(default=None, description="What the key is for, to recognise it.")


class OrganisationRef(Schema):
    """The organisation a key belongs to."""

    id: int
    name: str
    kind: OrganisationKind


class KeyRead(Schema):
    """An issued key: never the key itself nor its hash."""

    prefix: str = Field(description="The key's public prefix, `sk_<prefix>_...`.")
    organisation: OrganisationRef
    role: Role
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool = Field(description="Accepted now: neither revoked nor expired.")


class KeyCreated(KeyRead):
    """A key just issued: the only response that ever shows it."""

    key: str = Field(description="The key: shown once, stored only as a hash. Keep it now.")
    org: str = Field(description="The organisation's name, as `suivi keys create --json` says.")


class KeyPage(Schema):
    """One page of keys, newest first."""

    items: list[KeyRead]
    next_cursor: str | None
