"""Organisations and their API keys: issued once, stored as a hash, revoked at once."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import ApiClient, Organisation
from models.enums import OrganisationKind, Role
from suivi.errors import Conflict, InvalidField, NotFound, Unauthenticated

KEY_PREFIX = "sk"
PREFIX_LENGTH = 8
_PREFIX_DRAWS = 5

# Staff and administrators read restricted reports and confidential submitters' names: only
# the office itself holds such keys, never an organisation whose members could be reported on.
OFFICE_ROLES = frozenset({Role.STAFF, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a key's prefix, role and organisation. `None` role is the public.

    `institution_id` is the State institution a focal point acts for (its organisation's).
    """

    prefix: str | None
    role: Role | None
    organisation_id: int | None
    organisation: str | None
    institution_id: int | None = None

    @property
    def is_staff(self) -> bool:
        """Office staff and administrators: they review, publish and read everything."""
        return self.role in (Role.STAFF, Role.ADMIN)


PUBLIC = Caller(prefix=None, role=None, organisation_id=None, organisation=None)


def _hash(key: str) -> str:
    # Keys carry 190 random bits: a plain SHA-256 cannot be reversed, no slow hash is needed.
    return hashlib.sha256(key.encode()).hexdigest()


async def create_organisation(
    session: AsyncSession,
    *,
    name: str,
    kind: OrganisationKind,
    institution_id: int | None = None,
    contact: str | None = None,
) -> Organisation:
    """A new organisation; Conflict when the name is taken.

    `institution_id` ties a State organisation to the institution its focal points act for.
    """
    organisation = Organisation(
        name=name, kind=kind, institution_id=institution_id, contact=contact
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
        async with session.begin_nested():
            session.add(organisation)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"An organisation is already named {name!r}.") from exc
    return organisation


async def organisation_named(session: AsyncSession, name: str) -> Organisation:
    """The organisation called `name`; NotFound otherwise."""
    organisation = await session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        raise NotFound(f"No organisation is named {name!r}.")
    return organisation


def role_fits(kind: OrganisationKind, role: Role) -> bool:
    """Whether an organisation of `kind` may hold a key with `role`."""
    return role not in OFFICE_ROLES or kind is OrganisationKind.OFFICE


async def create_key(
    session: AsyncSession,
    *,
    organisation: Organisation,
    role: Role,
    expires_at: datetime | None = None,
    label: str | None = None,
) -> tuple[ApiClient, str]:
    """A new key for `organisation`: the stored client and the key, which is never seen again."""
    if not role_fits(organisation.kind, role):
        raise InvalidField(
            "role",
            f"A {role} key is issued only to an office organisation; "
            f"{organisation.name!r} is a {organisation.kind} organisation.",
        )
    # Prefixes are 32 random bits: two keys may draw the same one. Another draw, not a 500
    # whose logged database error names the existing key's prefix.
    for _ in range(_PREFIX_DRAWS):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
        client = ApiClient(
            organisation_id=organisation.id,
            prefix=prefix,
            key_hash=_hash(key),
            role=role,
            label=label,
            expires_at=expires_at,
        )
        try:
            # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
            async with session.begin_nested():
                session.add(client)
                await session.flush()
        except IntegrityError:
            continue
        return client, key
    raise Conflict("No free key prefix was drawn; issue the key again.")


async def list_keys(session: AsyncSession) -> list[ApiClient]:
    """Every key issued, newest first, with its organisation; never the key itself."""
    return list(
        (
            await session.scalars(
                select(ApiClient)
                .options(selectinload(ApiClient.organisation))
                .order_by(ApiClient.id.desc())
            )
        ).all()
    )


async def revoke(session: AsyncSession, *, prefix: str) -> ApiClient:
    """Revoke the key with `prefix`; the next request made with it is refused."""
    client = await session.scalar(select(ApiClient).where(ApiClient.prefix == prefix))
    if client is None:
        raise NotFound(f"No key has the prefix {prefix!r}.")
    if client.revoked_at is None:
        client.revoked_at = datetime.now(UTC)
        await session.flush()
    return client


async def authenticate(session: AsyncSession, *, key: str) -> Caller:
    """The caller a key stands for; Unauthenticated for a malformed, unknown, expired or
    revoked key (one message for all, so the answer tells an attacker nothing)."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != PREFIX_LENGTH:
        raise Unauthenticated("The API key is not valid.")
    row = (
        await session.execute(
            select(ApiClient, Organisation.name, Organisation.institution_id)
            .join(Organisation, Organisation.id == ApiClient.organisation_id)
            .where(ApiClient.prefix == parts[1])
        )
    ).one_or_none()
    now = datetime.now(UTC)
    if (
        row is None
        or not secrets.compare_digest(row[0].key_hash, _hash(key))
        or row[0].revoked_at is not None
        or (row[0].expires_at is not None and row[0].expires_at <= now)
    ):
        raise Unauthenticated("The API key is not valid.")
    client, organisation, institution_id = row
    return Caller(
        prefix=client.prefix,
        role=client.role,
        organisation_id=client.organisation_id,
        organisation=organisation,
        institution_id=institution_id,
    )
