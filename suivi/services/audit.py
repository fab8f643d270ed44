"""The audit trail: every write appends an event sealed together with the event before it.

The database refuses UPDATE and DELETE on `audit_events` (migration 0001) and the runtime role
is granted neither (`suivi grants`), but whoever owns the tables can lift that guard. Events
sealed with HMAC-SHA256 under SUIVI_AUDIT_KEY (migration 0012), a key kept outside the database,
cannot be resealed after an edit; a checkpoint of the head, kept elsewhere, shows events deleted
from the end. Events sealed before the key was set keep their SHA-256 seal: only a checkpoint
taken after them can show them recomputed.
"""

import hashlib
import hmac
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from sqlalchemy import Row, String, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent
from models.audit import Seal
from suivi.db import AUDIT_KEY_OPTION
from suivi.errors import SuiviError
from suivi.hashing import canonical_json
from suivi.services.keys import Caller

# Serialises appends so that two writers never chain onto the same previous event.
_CHAIN_LOCK = 0x5_0155_A0D1

_PAGE = 1000

CHECKPOINT_FORMAT: Final = "suivi-audit-checkpoint/1"

# Every column, the seal read as text: a label the model does not know (written by hand, the
# CHECK dropped) is reported as a broken event instead of failing the walk.
_ROW = (
    *(column for column in AuditEvent.__table__.c if column.name != "seal"),
    type_coerce(AuditEvent.seal, String()).label("seal"),
)


class AuditKeyError(SuiviError):
    """The chain is sealed with SUIVI_AUDIT_KEY and this process lacks it, or holds another."""

    status = 503
    type_slug = "audit-key"
    title = "Audit key missing or wrong"


class InvalidCheckpoint(SuiviError):
    """A checkpoint file that is not one `suivi audit checkpoint` wrote."""

    type_slug = "invalid-checkpoint"
    title = "Invalid checkpoint"


def sealing_key(session: AsyncSession) -> SecretStr | None:
    """The SUIVI_AUDIT_KEY of the engine `session` goes through, or None when it has none."""
    key = session.get_bind().get_execution_options().get(AUDIT_KEY_OPTION)
    return key if isinstance(key, SecretStr) else None


def event_content(
    *,
    previous_hash: str | None,
    occurred_at: datetime,
    actor_prefix: str | None,
    actor_organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str | None,
    summary: dict[str, Any],
) -> bytes:
    """The bytes an event's seal covers: its content and the hash of the event before it."""
    return canonical_json(
        {
            "previous_hash": previous_hash,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(),
            "actor_prefix": actor_prefix,
            "actor_organisation_id": actor_organisation_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "summary": summary,
        }
    )


def seal_digest(content: bytes, key: SecretStr | None) -> str:
    """HMAC-SHA256 of `content` under `key`, or its plain SHA-256 when there is no key."""
    if key is None:
        return hashlib.sha256(content).hexdigest()
    return hmac.new(key.get_secret_value().encode(), content, hashlib.sha256).hexdigest()


async def record(
    session: AsyncSession,
    *,
    actor: Caller | None,
    action: str,
    object_type: str,
    object_id: str | int | None,
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event; `actor` None is the command line run by the operator."""
    key = sealing_key(session)
    await session.execute(select(func.pg_advisory_xact_lock(_CHAIN_LOCK)))
    previous = (
        await session.execute(select(*_ROW).order_by(AuditEvent.id.desc()).limit(1))
    ).first()
    if previous is not None and previous.seal == Seal.HMAC_SHA256:
        # A SHA-256 event after keyed ones would read as a downgrade, and one sealed with
        # another key as an edit: a process without the right key records nothing.
        if key is None:
            raise AuditKeyError(
                "The audit trail is sealed with SUIVI_AUDIT_KEY, which this process does not "
                "have: set it to record changes."
            )
        if not hmac.compare_digest(previous.hash, seal_digest(_content(previous), key)):
            raise AuditKeyError(
                f"SUIVI_AUDIT_KEY is not the key that sealed audit event {previous.id}, or that "
                "event was altered: nothing is recorded until `suivi audit verify` holds."
            )
    previous_hash = previous.hash if previous else None
    fields: dict[str, Any] = {
        "occurred_at": datetime.now(UTC),
        "actor_prefix": actor.prefix if actor else None,
        "actor_organisation_id": actor.organisation_id if actor else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "summary": summary or {},
    }
    event = AuditEvent(
        **fields,
        previous_hash=previous_hash,
        hash=seal_digest(event_content(previous_hash=previous_hash, **fields), key),
        seal=Seal.SHA256 if key is None else Seal.HMAC_SHA256,
    )
    session.add(event)
    await session.flush()
    return event


class Checkpoint(BaseModel):
    """The chain's head as it was, kept outside the database: its id, hash, seal and count."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["suivi-audit-checkpoint/1"] = CHECKPOINT_FORMAT
    event_id: int | None = Field(ge=1)
    hash: str | None = Field(pattern="^[0-9a-f]{64}$")
    seal: Seal | None
    events: int = Field(ge=0)
    recorded_at: AwareDatetime

    @model_validator(mode="after")
    def _head_or_empty(self) -> Self:
        empty = (self.event_id, self.hash, self.seal) == (None, None, None)
        head = None not in (self.event_id, self.hash, self.seal)
        if not (empty and self.events == 0) and not (head and self.events >= 1):
            raise ValueError("event_id, hash and seal name the head, or all are null with 0 events")
        return self

    def to_json(self) -> str:
        """The checkpoint as the JSON `suivi audit checkpoint` writes."""
        return self.model_dump_json(indent=2) + "\n"


def read_checkpoint(text: str | bytes) -> Checkpoint:
    """Parse a checkpoint file; InvalidCheckpoint names the fields that do not fit."""
    try:
        return Checkpoint.model_validate_json(text)
    except ValidationError as exc:
        where = ", ".join(".".join(map(str, e["loc"])) or e["msg"] for e in exc.errors())
        raise InvalidCheckpoint(f"Not a Suivi audit checkpoint ({where}).") from exc


@dataclass(frozen=True, slots=True)
class Head:
    """The newest event of the chain."""

    event_id: int
    hash: str
    seal: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of walking the chain: its seals, and whatever does not hold."""

    events: int
    seals: dict[str, int]
    head: Head | None
    first_broken_id: int | None = None
    broken: str | None = None
    unchecked: int = 0
    missing: str | None = None

    @property
    def keyed(self) -> bool:
        """The newest event is sealed with HMAC: rewriting the chain's end needs the key."""
        return self.head is not None and self.head.seal == Seal.HMAC_SHA256

    @property
    def intact(self) -> bool:
        """Every event was checked and holds, and nothing a checkpoint recorded is gone."""
        return self.broken is None and self.missing is None and not self.unchecked

    def problems(self) -> list[str]:
        """What does not hold, or could not be checked, as sentences."""
        found = []
        if self.broken:
            found.append(
                f"The audit chain is broken at event {self.first_broken_id}: {self.broken}."
            )
        if self.missing:
            found.append(f"{self.missing}.")
        if self.unchecked:
            found.append(
                f"{self.unchecked} events are sealed with HMAC-SHA256 and SUIVI_AUDIT_KEY is not "
                "set: they cannot be checked."
            )
        return found

    def checkpoint(self, *, recorded_at: datetime) -> Checkpoint:
        """A checkpoint of the head this walk found."""
        head = self.head
        return Checkpoint(
            event_id=head.event_id if head else None,
            hash=head.hash if head else None,
            seal=Seal(head.seal) if head else None,
            events=self.events,
            recorded_at=recorded_at,
        )


def _content(row: Any) -> bytes:
    return event_content(
        previous_hash=row.previous_hash,
        occurred_at=row.occurred_at,
        actor_prefix=row.actor_prefix,
        actor_organisation_id=row.actor_organisation_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        summary=row.summary,
    )


def _fault(
    row: Any, *, previous: Head | None, keyed_before: bool, key: SecretStr | None
) -> str | None:
    if row.previous_hash != (previous.hash if previous else None):
        if previous is None:
            return "it is the first event left, yet links to an event before it"
        return f"it does not link to the event before it, event {previous.event_id}"
    if row.seal not in (Seal.SHA256, Seal.HMAC_SHA256):
        return f"it has an unknown seal {row.seal!r}"
    if row.seal == Seal.SHA256 and keyed_before:
        return "it is sealed with SHA-256 after events sealed with HMAC: it was resealed"
    if row.seal == Seal.HMAC_SHA256 and key is None:
        return None
    content = _content(row)
    if row.seal == Seal.SHA256:
        if hmac.compare_digest(row.hash, seal_digest(content, None)):
            return None
        return "it does not match its SHA-256 seal: it was altered"
    if hmac.compare_digest(row.hash, seal_digest(content, key)):
        return None
    return (
        "it does not match its HMAC-SHA256 seal: it was altered, or SUIVI_AUDIT_KEY is not "
        "the key that sealed it"
    )


def _missing(
    checkpoint: Checkpoint, *, found_hash: str | None, counted: int, head: Head | None
) -> str | None:
    if checkpoint.event_id is None:
        return None
    recorded = (
        f"recorded in the checkpoint of {checkpoint.recorded_at.isoformat(timespec='seconds')}"
    )
    if found_hash is None:
        now = f"the chain ends at event {head.event_id}" if head else "the trail holds no event"
        return (
            f"Event {checkpoint.event_id} (hash {checkpoint.hash}), {recorded}, is missing: {now}"
        )
    if found_hash != checkpoint.hash:
        return (
            f"Event {checkpoint.event_id} no longer has the hash {recorded}: the chain up to it "
            "was rewritten"
        )
    if counted != checkpoint.events:
        return (
            f"{checkpoint.events} events up to event {checkpoint.event_id} were {recorded}; "
            f"{counted} remain"
        )
    return None


async def _in_order(session: AsyncSession) -> AsyncIterator[Row[Any]]:
    # Pages by id rather than a server-side cursor, which would stay open in the transaction
    # and hold off whatever the caller does next to the table.
    after = 0
    while True:
        page = (
            await session.execute(
                select(*_ROW).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(_PAGE)
            )
        ).all()
        for row in page:
            yield row
        if len(page) < _PAGE:
            return
        after = page[-1].id


async def check(
    session: AsyncSession, *, key: SecretStr | None, checkpoint: Checkpoint | None = None
) -> ChainReport:
    """Walk the chain checking each event by its own seal, and against `checkpoint` if given."""
    seals: Counter[str] = Counter()
    previous: Head | None = None
    keyed_before = False
    first_broken_id: int | None = None
    broken: str | None = None
    found_hash: str | None = None
    counted = 0
    async for row in _in_order(session):
        seals[row.seal] += 1
        if broken is None:
            broken = _fault(row, previous=previous, keyed_before=keyed_before, key=key)
            first_broken_id = row.id if broken else None
        keyed_before = keyed_before or row.seal == Seal.HMAC_SHA256
        if checkpoint is not None and checkpoint.event_id is not None:
            if row.id <= checkpoint.event_id:
                counted += 1
            if row.id == checkpoint.event_id:
                found_hash = row.hash
        previous = Head(event_id=row.id, hash=row.hash, seal=row.seal)
    return ChainReport(
        events=seals.total(),
        seals=dict(seals),
        head=previous,
        first_broken_id=first_broken_id,
        broken=broken,
        unchecked=0 if key is not None else seals[Seal.HMAC_SHA256],
        missing=None
        if checkpoint is None
        else _missing(checkpoint, found_hash=found_hash, counted=counted, head=previous),
    )


async def verify(session: AsyncSession) -> AuditEvent | None:
    """The first event whose seal or link does not hold, or None when the chain is intact."""
    report = await check(session, key=sealing_key(session))
    if report.first_broken_id is not None:
        return await session.get(AuditEvent, report.first_broken_id)
    if report.unchecked:
        raise AuditKeyError(
            f"{report.unchecked} events are sealed with HMAC-SHA256 and this process has no "
            "SUIVI_AUDIT_KEY to check them."
        )
    return None
