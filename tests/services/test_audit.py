"""The audit chain: appended in order, and any edit made behind the database guard shows."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from suivi.services import audit


async def _three_events(session: AsyncSession) -> list[int]:
    ids = []
    for n in range(3):
        event = await audit.record(
            session,
            actor=None,
            action="test.write",
            object_type="thing",
            object_id=n,
            summary={"n": n},
        )
        ids.append(event.id)
    return ids


async def test_events_chain_and_verify(session: AsyncSession) -> None:
    ids = await _three_events(session)

    assert await audit.verify(session) is None
    hashes = (
        await session.execute(
            text("SELECT previous_hash, hash FROM audit_events WHERE id = ANY(:ids) ORDER BY id"),
            {"ids": ids},
        )
    ).all()
    assert [previous for previous, _ in hashes[1:]] == [current for _, current in hashes[:-1]]


async def test_the_database_refuses_to_edit_an_event(session: AsyncSession) -> None:
    [first, *_] = await _three_events(session)

    with pytest.raises(DBAPIError, match="UPDATE on audit_events is refused"):
        async with session.begin_nested():
            await session.execute(
                text("UPDATE audit_events SET summary = '{}' WHERE id = :id"), {"id": first}
            )


async def test_verify_names_the_first_altered_event(session: AsyncSession) -> None:
    ids = await _three_events(session)
    # Someone able to lift the guard (the database owner) rewrites the middle event.
    await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    await session.execute(
        text("""UPDATE audit_events SET summary = '{"n": 99}' WHERE id = :id"""), {"id": ids[1]}
    )
    await session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    session.expire_all()

    broken = await audit.verify(session)

    assert broken is not None
    assert broken.id == ids[1]
