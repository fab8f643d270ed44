"""The audit chain against someone who owns the tables: HMAC seals, checkpoints, old chains.

Each attack runs as the tests' connection does, with every right of the tables' owner: it lifts
the append-only trigger, edits or deletes events and reseals what it can without the key.
"""

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine

from models import AuditEvent
from models.audit import Seal
from suivi.db import (
    AUDIT_KEY_OPTION,
    create_engine,
    create_sessionmaker,
    downgrade_database,
    upgrade_database,
)
from suivi.hashing import canonical_json
from suivi.services import audit
from suivi.settings import Settings

KEY = SecretStr("k" * 16 + "e3b0c44298fc1c149afbf4c8996fb924")
GUESS = SecretStr("g" * 48)

SealWith = Callable[[SecretStr | None], Awaitable[None]]


@pytest.fixture
def seal_with(connection: AsyncConnection) -> SealWith:
    """Set the key the test's engine would carry from SUIVI_AUDIT_KEY; None takes it away."""

    async def seal_with(key: SecretStr | None) -> None:
        await connection.execution_options(**{AUDIT_KEY_OPTION: key})

    return seal_with


async def _events(session: AsyncSession, count: int) -> list[int]:
    ids = []
    for n in range(count):
        event = await audit.record(
            session, actor=None, action="test.write", object_type="thing", object_id=n
        )
        ids.append(event.id)
    return ids


async def _as_owner(session: AsyncSession, *statements: str, **params: Any) -> None:
    await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    for statement in statements:
        await session.execute(text(statement), params)
    await session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


async def _reseal(
    session: AsyncSession, first_id: int, *, key: SecretStr | None, seal: Seal | None = None
) -> None:
    """Recompute every event's hash from `first_id` on, as the owner can without the key."""
    previous = await session.scalar(
        text("SELECT hash FROM audit_events WHERE id < :id ORDER BY id DESC LIMIT 1"),
        {"id": first_id},
    )
    rows = (
        await session.execute(
            text("SELECT * FROM audit_events WHERE id >= :id ORDER BY id"), {"id": first_id}
        )
    ).mappings()
    for row in list(rows):
        content = audit.event_content(
            previous_hash=previous,
            occurred_at=row["occurred_at"],
            actor_prefix=row["actor_prefix"],
            actor_organisation_id=row["actor_organisation_id"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            summary=row["summary"],
        )
        resealed = audit.seal_digest(content, key)
        await _as_owner(
            session,
            "UPDATE audit_events SET previous_hash = :previous, hash = :hash, "
            "seal = COALESCE(:seal, seal) WHERE id = :id",
            previous=previous,
            hash=resealed,
            seal=seal.value if seal else None,
            id=row["id"],
        )
        previous = resealed


async def _edit(session: AsyncSession, event_id: int) -> None:
    await _as_owner(
        session,
        """UPDATE audit_events SET summary = '{"rewritten": true}' WHERE id = :id""",
        id=event_id,
    )


async def _checkpoint(session: AsyncSession, key: SecretStr | None) -> audit.Checkpoint:
    report = await audit.check(session, key=key)
    assert report.intact, report.problems()
    return report.checkpoint(recorded_at=datetime.now(UTC))


async def test_a_keyed_event_is_sealed_with_hmac(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    [first] = await _events(session, 1)

    event = await session.get_one(AuditEvent, first)
    content = audit.event_content(
        previous_hash=event.previous_hash,
        occurred_at=event.occurred_at,
        actor_prefix=None,
        actor_organisation_id=None,
        action="test.write",
        object_type="thing",
        object_id="0",
        summary={},
    )
    assert event.seal is Seal.HMAC_SHA256
    assert event.hash != hashlib.sha256(content).hexdigest()
    assert event.hash == audit.seal_digest(content, KEY)
    report = await audit.check(session, key=KEY)
    assert (report.intact, report.keyed) == (True, True)


async def test_without_a_key_events_are_sha256_and_the_chain_is_not_keyed(
    session: AsyncSession,
) -> None:
    await _events(session, 2)

    report = await audit.check(session, key=None)

    assert report.intact
    assert not report.keyed
    assert report.head is not None
    assert report.head.seal == Seal.SHA256


async def test_a_keyed_chain_takes_no_event_from_a_process_without_the_key(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    await _events(session, 1)
    await seal_with(None)

    with pytest.raises(audit.AuditKeyError, match="SUIVI_AUDIT_KEY"):
        await _events(session, 1)


async def test_a_process_with_another_key_records_nothing(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    [first] = await _events(session, 1)
    await seal_with(GUESS)

    with pytest.raises(audit.AuditKeyError, match=f"not the key that sealed audit event {first}"):
        await _events(session, 1)


async def test_an_edited_keyed_event_cannot_be_resealed_without_the_key(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    ids = await _events(session, 4)
    await _edit(session, ids[1])
    await _reseal(session, ids[1], key=GUESS)

    report = await audit.check(session, key=KEY)

    assert report.first_broken_id == ids[1]
    assert "does not match its HMAC-SHA256 seal" in (report.broken or "")


async def test_resealing_keyed_events_as_sha256_shows_as_a_downgrade(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    ids = await _events(session, 4)
    await _edit(session, ids[2])
    await _reseal(session, ids[2], key=None, seal=Seal.SHA256)

    report = await audit.check(session, key=KEY)

    assert report.first_broken_id == ids[2]
    assert "sealed with SHA-256 after events sealed with HMAC" in (report.broken or "")


async def test_an_edit_in_the_sha256_part_breaks_at_the_first_keyed_event(
    session: AsyncSession, seal_with: SealWith
) -> None:
    old = await _events(session, 3)
    await seal_with(KEY)
    keyed = await _events(session, 2)
    # The SHA-256 events can be resealed; the first keyed one links to them and cannot.
    await _edit(session, old[1])
    await _reseal(session, old[1], key=None)
    await _reseal(session, keyed[0], key=GUESS)

    report = await audit.check(session, key=KEY)

    assert report.first_broken_id == keyed[0]


async def test_a_resealed_sha256_chain_verifies_and_only_a_checkpoint_shows_it(
    session: AsyncSession,
) -> None:
    ids = await _events(session, 3)
    checkpoint = await _checkpoint(session, None)
    await _edit(session, ids[0])
    await _reseal(session, ids[0], key=None)

    alone = await audit.check(session, key=None)
    against = await audit.check(session, key=None, checkpoint=checkpoint)

    # SHA-256 needs no secret: the owner recomputes the chain and it holds together.
    assert alone.intact
    assert not against.intact
    assert against.missing is not None
    assert f"Event {ids[-1]} no longer has the hash recorded in the checkpoint" in against.missing


async def test_relabelling_every_keyed_event_as_sha256_shows_against_a_checkpoint(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    ids = await _events(session, 3)
    checkpoint = await _checkpoint(session, KEY)
    await _edit(session, ids[0])
    await _reseal(session, ids[0], key=None, seal=Seal.SHA256)

    report = await audit.check(session, key=KEY, checkpoint=checkpoint)

    assert report.missing is not None
    assert "no longer has the hash" in report.missing
    assert not report.keyed


async def test_deleting_the_last_events_shows_against_a_checkpoint_naming_the_head(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    ids = await _events(session, 4)
    checkpoint = await _checkpoint(session, KEY)
    await _as_owner(session, "DELETE FROM audit_events WHERE id >= :id", id=ids[2])

    alone = await audit.check(session, key=KEY)
    against = await audit.check(session, key=KEY, checkpoint=checkpoint)

    # What remains is a whole chain: nothing in the database says that its end is gone.
    assert alone.intact
    assert against.missing == (
        f"Event {ids[3]} (hash {checkpoint.hash}), recorded in the checkpoint of "
        f"{checkpoint.recorded_at.isoformat(timespec='seconds')}, is missing: "
        f"the chain ends at event {ids[1]}"
    )


async def test_deleting_every_event_shows_against_a_checkpoint(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    ids = await _events(session, 2)
    checkpoint = await _checkpoint(session, KEY)
    await _as_owner(session, "DELETE FROM audit_events")

    report = await audit.check(session, key=KEY, checkpoint=checkpoint)

    assert report.events == 0
    assert report.missing is not None
    assert report.missing.startswith(f"Event {ids[-1]} (hash {checkpoint.hash})")
    assert report.missing.endswith("is missing: the trail holds no event")


async def test_deleting_an_event_inside_the_chain_breaks_the_link(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    ids = await _events(session, 3)
    await _as_owner(session, "DELETE FROM audit_events WHERE id = :id", id=ids[1])

    report = await audit.check(session, key=KEY)

    assert report.first_broken_id == ids[2]
    assert report.broken == f"it does not link to the event before it, event {ids[0]}"


async def test_a_wrong_key_fails_at_the_first_keyed_event(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await _events(session, 1)
    await seal_with(KEY)
    keyed = await _events(session, 2)

    report = await audit.check(session, key=GUESS)

    assert report.first_broken_id == keyed[0]
    assert "SUIVI_AUDIT_KEY is not the key that sealed it" in (report.broken or "")


async def test_without_the_key_keyed_events_are_not_checked(
    session: AsyncSession, seal_with: SealWith
) -> None:
    await seal_with(KEY)
    await _events(session, 2)
    await seal_with(None)

    report = await audit.check(session, key=None)

    assert report.broken is None
    assert report.unchecked >= 2
    assert not report.intact
    assert "SUIVI_AUDIT_KEY is not set" in report.problems()[-1]
    with pytest.raises(audit.AuditKeyError):
        await audit.verify(session)


async def test_a_checkpoint_reads_back_from_its_json(session: AsyncSession) -> None:
    await _events(session, 1)
    checkpoint = await _checkpoint(session, None)

    assert audit.read_checkpoint(checkpoint.to_json()) == checkpoint


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"event_id": 3}',
        '{"format": "suivi-audit-checkpoint/1", "event_id": 3, "hash": null, "seal": null, '
        '"events": 3, "recorded_at": "2026-12-04T10:00:00+00:00"}',
    ],
    ids=["not-json", "incomplete", "head-without-hash"],
)
def test_a_malformed_checkpoint_is_refused(content: str) -> None:
    with pytest.raises(audit.InvalidCheckpoint, match="Not a Suivi audit checkpoint"):
        audit.read_checkpoint(content)


def _old_hash(previous_hash: str | None, occurred_at: datetime, n: int) -> str:
    # The chain as written before migration 0012, spelled out independently of the service.
    content = {
        "previous_hash": previous_hash,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor_prefix": None,
        "actor_organisation_id": None,
        "action": "test.write",
        "object_type": "thing",
        "object_id": str(n),
        "summary": {"n": n},
    }
    return hashlib.sha256(canonical_json(content)).hexdigest()


async def _execute(url: str, statement: str, rows: list[dict[str, Any]] | None = None) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement), rows or {})
    finally:
        await engine.dispose()


@pytest.fixture
async def old_chain(empty_database_url: str) -> str:
    """A database at revision 0011 holding three events chained by SHA-256 alone."""
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url, "0011")
    rows, previous = [], None
    for n in range(3):
        occurred_at = datetime(2026, 11, 30, 9, n, tzinfo=UTC)
        current = _old_hash(previous, occurred_at, n)
        rows.append(
            {
                "at": occurred_at,
                "id": str(n),
                "summary": f'{{"n": {n}}}',
                "previous": previous,
                "hash": current,
            }
        )
        previous = current
    await _execute(
        url,
        "INSERT INTO audit_events (occurred_at, action, object_type, object_id, summary, "
        "previous_hash, hash) VALUES (:at, 'test.write', 'thing', :id, CAST(:summary AS jsonb), "
        ":previous, :hash)",
        rows,
    )
    return url


async def _report(url: str, key: SecretStr | None) -> audit.ChainReport:
    engine = create_engine(url, Settings(database_url=url, audit_key=key))
    try:
        async with create_sessionmaker(engine).begin() as session:
            if key is not None:
                await audit.record(
                    session, actor=None, action="key.set", object_type="audit", object_id=None
                )
            return await audit.check(session, key=key)
    finally:
        await engine.dispose()


async def test_an_existing_sha256_chain_keeps_verifying_after_the_migration(
    old_chain: str,
) -> None:
    await asyncio.to_thread(upgrade_database, old_chain)

    before_key = await _report(old_chain, None)
    keyed = await _report(old_chain, KEY)

    assert (before_key.intact, before_key.seals) == (True, {"sha256": 3})
    assert (keyed.intact, keyed.keyed) == (True, True)
    assert keyed.seals == {"sha256": 3, "hmac-sha256": 1}


async def test_the_migration_is_not_reverted_over_keyed_events(old_chain: str) -> None:
    await asyncio.to_thread(upgrade_database, old_chain)
    await asyncio.to_thread(downgrade_database, old_chain, "0011")
    await asyncio.to_thread(upgrade_database, old_chain)
    await _report(old_chain, KEY)

    with pytest.raises(RuntimeError, match="Downgrade refused"):
        await asyncio.to_thread(downgrade_database, old_chain, "0011")
