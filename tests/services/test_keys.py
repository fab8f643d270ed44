"""API keys: shown once, stored as a hash, refused when malformed, unknown, expired or revoked."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import OrganisationKind, Role
from suivi.errors import Conflict, Unauthenticated
from suivi.services import keys


async def test_a_key_authenticates_as_its_organisation_and_role(session: AsyncSession) -> None:
    org = await keys.create_organisation(
        session, name="Coalition", kind=OrganisationKind.CIVIL_SOCIETY
    )
    client, key = await keys.create_key(session, organisation=org, role=Role.SUBMITTER)

    caller = await keys.authenticate(session, key=key)

    assert caller == keys.Caller(
        prefix=client.prefix, role=Role.SUBMITTER, organisation_id=org.id, organisation="Coalition"
    )
    assert key not in (client.key_hash, client.prefix)
    assert client.prefix in key


@pytest.mark.parametrize("mangle", ["wrong-secret", "malformed", "unknown-prefix"])
async def test_a_wrong_key_is_refused(session: AsyncSession, mangle: str) -> None:
    org = await keys.create_organisation(session, name="Office", kind=OrganisationKind.OFFICE)
    _, key = await keys.create_key(session, organisation=org, role=Role.STAFF)
    scheme, prefix, secret = key.split("_", 2)
    bad = {
        "wrong-secret": f"{scheme}_{prefix}_{secret[::-1]}",
        "malformed": secret,
        "unknown-prefix": f"{scheme}_{'0' * len(prefix)}_{secret}",
    }[mangle]

    with pytest.raises(Unauthenticated):
        await keys.authenticate(session, key=bad)


async def test_expired_and_revoked_keys_are_refused(session: AsyncSession) -> None:
    org = await keys.create_organisation(session, name="Office", kind=OrganisationKind.OFFICE)
    _, expired = await keys.create_key(
        session,
        organisation=org,
        role=Role.STAFF,
        expires_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    revoked_client, revoked = await keys.create_key(session, organisation=org, role=Role.STAFF)
    await keys.revoke(session, prefix=revoked_client.prefix)

    for key in (expired, revoked):
        with pytest.raises(Unauthenticated):
            await keys.authenticate(session, key=key)


async def test_organisation_names_are_unique(session: AsyncSession) -> None:
    await keys.create_organisation(session, name="Office", kind=OrganisationKind.OFFICE)

    with pytest.raises(Conflict):
        await keys.create_organisation(session, name="Office", kind=OrganisationKind.UN)
