"""Administering organisations and their keys: audited creation, listing, contact reads."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import ApiClient, Institution, Organisation
from models.enums import OrganisationKind, Role
from suivi.errors import NotFound, Unprocessable
from suivi.services import audit, keys
from suivi.services.keys import Caller


async def create(
    session: AsyncSession,
    *,
    actor: Caller | None,
    name: str,
    kind: OrganisationKind,
    institution_id: int | None = None,
    contact: str | None = None,
) -> Organisation:
    """Create an organisation and audit it; Unprocessable for an institution that cannot be
    tied to it, Conflict when the name is taken. `actor` None is the command line."""
    if institution_id is not None:
        if kind is not OrganisationKind.STATE:
            raise Unprocessable("Only a `state` organisation acts for an institution.")
        if await session.get(Institution, institution_id) is None:
            raise Unprocessable(f"No institution has id {institution_id}.")
    organisation = await keys.create_organisation(
        session, name=name, kind=kind, institution_id=institution_id, contact=contact
    )
    # The contact is left out: the trail is read more widely than the contact may be.
    await audit.record(
        session,
        actor=actor,
        action="organisation.created",
        object_type="organisation",
        object_id=organisation.id,
        summary={"name": name, "kind": kind.value, "institution_id": institution_id},
    )
    return organisation


async def list_page(
    session: AsyncSession,
    *,
    limit: int,
    kind: OrganisationKind | None = None,
    after_name: str | None = None,
) -> tuple[list[Organisation], str | None]:
    """Organisations by name, and the name to continue after, or None on the last page."""
    query = select(Organisation).order_by(Organisation.name).limit(limit + 1)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    if after_name is not None:
        query = query.where(Organisation.name > after_name)
    rows = list((await session.scalars(query)).all())
    page = rows[:limit]
    return page, page[-1].name if len(rows) > limit else None


async def read(session: AsyncSession, *, organisation_id: int, reader: Caller) -> Organisation:
    """One organisation with its contact; a contact kept is a contact read, and audited."""
    organisation = await organisation_by_id(session, organisation_id)
    if organisation.contact is not None:
        await audit.record(
            session,
            actor=reader,
            action="organisation.contact_read",
            object_type="organisation",
            object_id=organisation.id,
            summary={"fields": ["contact"]},
        )
    return organisation


async def issue_key(
    session: AsyncSession,
    *,
    actor: Caller | None,
    organisation: Organisation,
    role: Role,
    expires_at: datetime | None = None,
    label: str | None = None,
) -> tuple[ApiClient, str]:
    """Issue a key to `organisation` and audit it: the stored client and the key, shown once."""
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise Unprocessable("A key's expiry must be in the future.")
    client, key = await keys.create_key(
        session, organisation=organisation, role=role, expires_at=expires_at, label=label
    )
    await audit.record(
        session,
        actor=actor,
        action="key.created",
        object_type="api_key",
        object_id=client.prefix,
        summary={
            "organisation_id": organisation.id,
            "role": role.value,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return client, key


async def organisation_by_id(session: AsyncSession, organisation_id: int) -> Organisation:
    """The organisation with `organisation_id`; NotFound otherwise."""
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"No organisation has id {organisation_id}.")
    return organisation


async def revoke_key(session: AsyncSession, *, actor: Caller | None, prefix: str) -> ApiClient:
    """Revoke the key with `prefix` and audit it; revoking it again changes nothing."""
    client = await key_by_prefix(session, prefix)
    if client.revoked_at is None:
        await keys.revoke(session, prefix=prefix)
        await audit.record(
            session, actor=actor, action="key.revoked", object_type="api_key", object_id=prefix
        )
    return client


async def key_by_prefix(session: AsyncSession, prefix: str) -> ApiClient:
    """The key with `prefix` and its organisation; NotFound otherwise."""
    client = await session.scalar(
        select(ApiClient)
        .options(selectinload(ApiClient.organisation))
        .where(ApiClient.prefix == prefix)
    )
    if client is None:
        raise NotFound(f"No key has the prefix {prefix!r}.")
    return client


@dataclass(frozen=True, slots=True)
class KeyFilters:
    """Which keys a list shows; None is any."""

    organisation_id: int | None = None
    role: Role | None = None
    active: bool | None = None


async def list_keys_page(
    session: AsyncSession, *, limit: int, filters: KeyFilters, before_id: int | None = None
) -> tuple[list[ApiClient], int | None]:
    """Keys newest first with their organisation, and the id to continue before, or None."""
    query = (
        select(ApiClient)
        .options(selectinload(ApiClient.organisation))
        .order_by(ApiClient.id.desc())
        .limit(limit + 1)
    )
    if filters.organisation_id is not None:
        query = query.where(ApiClient.organisation_id == filters.organisation_id)
    if filters.role is not None:
        query = query.where(ApiClient.role == filters.role)
    if filters.active is not None:
        now = datetime.now(UTC)
        usable = (ApiClient.revoked_at.is_(None)) & (
            ApiClient.expires_at.is_(None) | (ApiClient.expires_at > now)
        )
        query = query.where(usable if filters.active else ~usable)
    if before_id is not None:
        query = query.where(ApiClient.id < before_id)
    rows = list((await session.scalars(query)).all())
    page = rows[:limit]
    return page, page[-1].id if len(rows) > limit else None


def is_active(client: ApiClient, *, now: datetime | None = None) -> bool:
    """Whether the key would be accepted now: neither revoked nor expired."""
    now = now or datetime.now(UTC)
    return client.revoked_at is None and (client.expires_at is None or client.expires_at > now)


async def list_all(session: AsyncSession) -> list[Organisation]:
    """Every organisation by name, for the command line."""
    return list((await session.scalars(select(Organisation).order_by(Organisation.name))).all())
