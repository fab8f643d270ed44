"""Progress updates: submission, review, and the one rule deciding who may see which.

A submitter who asked for confidentiality is named to staff and to its own organisation only;
`visible_to` and `UpdateView` are where that is decided for every read of an update.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    ApiClient,
    Institution,
    Organisation,
    ProgressUpdate,
    Recommendation,
    StateAction,
)
from models.enums import (
    Confidentiality,
    ImplementationStatus,
    OrganisationKind,
    ReviewState,
    Role,
    SourceType,
)
from suivi.errors import Conflict, Forbidden, InvalidField, NotFound, Unprocessable
from suivi.hashing import content_hash
from suivi.services import audit, status
from suivi.services.keys import Caller

# The source each kind of organisation speaks as; an office may record any source.
SOURCE_OF_KIND: dict[OrganisationKind, SourceType] = {
    OrganisationKind.CIVIL_SOCIETY: SourceType.CIVIL_SOCIETY,
    OrganisationKind.NHRI: SourceType.NHRI,
    OrganisationKind.STATE: SourceType.GOVERNMENT,
    OrganisationKind.UN: SourceType.UN,
}

# Roles whose organisation reads back its own submissions in every review state.
_SUBMITTING_ROLES = frozenset({Role.SUBMITTER, Role.FOCAL_POINT})


@dataclass(frozen=True, slots=True)
class UpdateContent:
    """What a submitter sends: the content, never edited once stored."""

    source_type: SourceType
    assessed_status: ImplementationStatus
    narrative: str
    as_of_date: date
    confidentiality: Confidentiality
    evidence_urls: list[str] = field(default_factory=list)
    supersedes_id: int | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    """What an update is about: exactly one recommendation or one State action."""

    recommendation_id: int | None = None
    action_id: int | None = None

    @property
    def path(self) -> str:
        """A stable name of the subject, part of the idempotency hash."""
        if self.recommendation_id is not None:
            return f"recommendations/{self.recommendation_id}"
        return f"actions/{self.action_id}"

    @property
    def described(self) -> str:
        """The subject as a sentence names it."""
        if self.recommendation_id is not None:
            return f"recommendation {self.recommendation_id}"
        return f"State action {self.action_id}"

    def summary(self) -> dict[str, int]:
        """The subject's id, for audit summaries."""
        if self.recommendation_id is not None:
            return {"recommendation_id": self.recommendation_id}
        assert self.action_id is not None
        return {"action_id": self.action_id}


@dataclass(frozen=True, slots=True)
class UpdateView:
    """An update as one caller may see it: identity and review reason only where allowed."""

    id: int
    recommendation_id: int | None
    action_id: int | None
    source_type: SourceType
    assessed_status: ImplementationStatus
    narrative: str
    evidence_urls: list[str]
    as_of_date: date
    confidentiality: Confidentiality
    review_state: ReviewState
    submitted_at: datetime
    reviewed_at: datetime | None
    review_reason: str | None
    supersedes_id: int | None
    superseded_by: int | None
    # The submitting organisation's name; None when the caller may not know it.
    organisation: str | None


@dataclass(frozen=True, slots=True)
class Submitted:
    """The outcome of a submission; `created` is False when an idempotent retry replayed it."""

    update: UpdateView
    created: bool


@dataclass(frozen=True, slots=True)
class UpdateFilters:
    """The queue's filters: AND between filters, OR between the values of one."""

    review_states: Sequence[ReviewState] = ()
    source_types: Sequence[SourceType] = ()
    recommendation_id: int | None = None
    action_id: int | None = None
    organisation_id: int | None = None


def visible_to(
    caller: Caller, update: type[ProgressUpdate] = ProgressUpdate
) -> ColumnElement[bool]:
    """The WHERE clause of the updates `caller` may see (pass an alias to apply it to one)."""
    if caller.is_staff:
        return true()
    published = and_(
        update.review_state == ReviewState.PUBLISHED,
        # Restricted updates are for staff (and their own organisation) even once published.
        update.confidentiality != Confidentiality.RESTRICTED,
    )
    if caller.role in _SUBMITTING_ROLES and caller.organisation_id is not None:
        return or_(published, update.organisation_id == caller.organisation_id)
    return published


def _named_to(caller: Caller, update: type[ProgressUpdate] = ProgressUpdate) -> ColumnElement[bool]:
    """Whether `caller` may know the update's submitter: the SQL twin of `_view`'s `named`."""
    public = update.confidentiality == Confidentiality.PUBLIC
    if caller.is_staff:
        return true()
    if caller.role is not None and caller.organisation_id is not None:
        return or_(public, update.organisation_id.is_not_distinct_from(caller.organisation_id))
    return public


def _linkable(
    caller: Caller, one: type[ProgressUpdate], other: type[ProgressUpdate]
) -> ColumnElement[bool]:
    """Whether `caller` may see that `one` corrects `other`, or the reverse.

    A correction comes from the organisation of the update it corrects (or from the office):
    a link between an update that names its submitter and one that does not would name the
    latter's too.
    """
    if caller.is_staff:
        return true()
    named_one, named_other = _named_to(caller, one), _named_to(caller, other)
    return or_(and_(named_one, named_other), and_(~named_one, ~named_other))


def _is_own(caller: Caller, organisation_id: int | None) -> bool:
    return (
        caller.role is not None
        and caller.organisation_id is not None
        and organisation_id == caller.organisation_id
    )


def _view(
    caller: Caller,
    update: ProgressUpdate,
    organisation: str | None,
    superseded_by: int | None,
    supersedes_visible: bool,
) -> UpdateView:
    insider = caller.is_staff or _is_own(caller, update.organisation_id)
    named = insider or update.confidentiality is Confidentiality.PUBLIC
    return UpdateView(
        id=update.id,
        recommendation_id=update.recommendation_id,
        action_id=update.action_id,
        source_type=update.source_type,
        assessed_status=update.assessed_status,
        narrative=update.narrative,
        evidence_urls=list(update.evidence_urls),
        as_of_date=update.as_of_date,
        confidentiality=update.confidentiality,
        review_state=update.review_state,
        submitted_at=update.created_at,
        reviewed_at=update.reviewed_at,
        review_reason=update.review_reason if insider else None,
        # An update the caller may not see is not even named by its id (see `_linkable`).
        supersedes_id=update.supersedes_id if supersedes_visible else None,
        superseded_by=superseded_by,
        organisation=organisation if named else None,
    )


def _views_query(caller: Caller) -> Select[ProgressUpdate, str | None, int | None, bool]:
    newer = aliased(ProgressUpdate)
    older = aliased(ProgressUpdate)
    superseded_by = (
        select(func.max(newer.id))
        .where(
            newer.supersedes_id == ProgressUpdate.id,
            visible_to(caller, newer),
            _linkable(caller, newer, ProgressUpdate),
        )
        .scalar_subquery()
    )
    supersedes_visible = exists().where(
        older.id == ProgressUpdate.supersedes_id,
        visible_to(caller, older),
        _linkable(caller, ProgressUpdate, older),
    )
    return (
        select(ProgressUpdate, Organisation.name, superseded_by, supersedes_visible)
        .outerjoin(Organisation, Organisation.id == ProgressUpdate.organisation_id)
        .where(visible_to(caller))
    )


async def get(session: AsyncSession, *, caller: Caller, update_id: int) -> UpdateView:
    """The update as `caller` may see it; NotFound when it does not exist or is hidden."""
    row = (
        await session.execute(_views_query(caller).where(ProgressUpdate.id == update_id))
    ).one_or_none()
    if row is None:
        raise NotFound(f"No progress update {update_id}.")
    return _view(caller, row[0], row[1], row[2], row[3])


async def list_page(
    session: AsyncSession,
    *,
    caller: Caller,
    filters: UpdateFilters,
    limit: int,
    after_id: int | None = None,
) -> tuple[list[UpdateView], int | None]:
    """One page, oldest first: staff see every update, others their organisation's.

    Returns the page and the id to continue after, or None on the last page.
    """
    query = _views_query(caller)
    if not caller.is_staff:
        query = query.where(
            ProgressUpdate.organisation_id == caller.organisation_id
            if caller.organisation_id is not None
            else false()
        )
    if filters.review_states:
        query = query.where(ProgressUpdate.review_state.in_(filters.review_states))
    if filters.source_types:
        query = query.where(ProgressUpdate.source_type.in_(filters.source_types))
    if filters.recommendation_id is not None:
        query = query.where(ProgressUpdate.recommendation_id == filters.recommendation_id)
    if filters.action_id is not None:
        query = query.where(ProgressUpdate.action_id == filters.action_id)
    if filters.organisation_id is not None:
        query = query.where(ProgressUpdate.organisation_id == filters.organisation_id)
    if after_id is not None:
        query = query.where(ProgressUpdate.id > after_id)
    rows = (await session.execute(query.order_by(ProgressUpdate.id).limit(limit + 1))).all()
    views = [_view(caller, row[0], row[1], row[2], row[3]) for row in rows[:limit]]
    return views, views[-1].id if len(rows) > limit else None


async def latest_published(
    session: AsyncSession, *, caller: Caller, limit: int
) -> list[UpdateView]:
    """The `limit` updates published last that `caller` may see, newest first."""
    query = (
        _views_query(caller)
        .where(ProgressUpdate.review_state == ReviewState.PUBLISHED)
        .order_by(ProgressUpdate.reviewed_at.desc().nulls_last(), ProgressUpdate.id.desc())
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    return [_view(caller, row[0], row[1], row[2], row[3]) for row in rows]


async def _client_id(session: AsyncSession, caller: Caller) -> int:
    client_id = await session.scalar(select(ApiClient.id).where(ApiClient.prefix == caller.prefix))
    # The caller was authenticated by this very key in this request.
    assert client_id is not None
    return client_id


async def _by_key(session: AsyncSession, *, client_id: int, key: str) -> ProgressUpdate | None:
    return await session.scalar(
        select(ProgressUpdate).where(
            ProgressUpdate.submitted_by_client_id == client_id,
            ProgressUpdate.idempotency_key == key,
        )
    )


def _replay(existing: ProgressUpdate, request_hash: str) -> None:
    if existing.request_hash != request_hash:
        raise Unprocessable(
            "This Idempotency-Key was already used with another request body; "
            "send a new key for a new submission."
        )


async def _check_subject(session: AsyncSession, *, caller: Caller, subject: Subject) -> str:
    """The subject's State code; a focal point may report on its own institution's actions only."""
    if subject.recommendation_id is not None:
        state_code = await session.scalar(
            select(Recommendation.state_code).where(Recommendation.id == subject.recommendation_id)
        )
        if state_code is None:
            raise NotFound(f"No recommendation {subject.recommendation_id}.")
        return state_code
    row = (
        await session.execute(
            select(StateAction.institution_id, StateAction.state_code).where(
                StateAction.id == subject.action_id
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"No State action {subject.action_id}.")
    institution_id, state_code = row
    if caller.role is Role.FOCAL_POINT and (
        caller.institution_id is None or institution_id != caller.institution_id
    ):
        raise Forbidden("A focal point reports only on its own institution's actions.")
    return state_code


async def _check_state(
    session: AsyncSession,
    *,
    caller: Caller,
    subject: Subject,
    state_code: str,
    source: SourceType,
) -> None:
    # A government speaks for its own State only: a `government` update on another State's
    # recommendation would set that State's `status_by_source.government` once published.
    if caller.is_staff or (
        caller.role is not Role.FOCAL_POINT and source is not SourceType.GOVERNMENT
    ):
        return
    own = (
        await session.scalar(
            select(Institution.state_code).where(Institution.id == caller.institution_id)
        )
        if caller.institution_id is not None
        else None
    )
    if own is None:
        raise Forbidden(
            "This key's organisation acts for no State institution, so it speaks for no "
            "State's government."
        )
    if own != state_code:
        raise Forbidden(
            f"This key speaks for the government of {own} only; {subject.described} "
            f"concerns {state_code}."
        )


async def _check_source(session: AsyncSession, *, caller: Caller, source: SourceType) -> None:
    if caller.is_staff:
        return
    kind = await session.scalar(
        select(Organisation.kind).where(Organisation.id == caller.organisation_id)
    )
    expected = SOURCE_OF_KIND.get(kind) if kind is not None else None
    if kind is not OrganisationKind.OFFICE and source is not expected:
        raise InvalidField(
            "source_type",
            f"A {kind} organisation submits as {expected!s}, not {source!s}."
            if expected
            else "This organisation may not submit progress updates.",
        )


def _latest_local_date() -> date:
    # The date is the submitter's; the day already begun furthest east (UTC+14) is not future.
    return (datetime.now(UTC) + timedelta(hours=14)).date()


async def _check_supersedes(
    session: AsyncSession, *, caller: Caller, subject: Subject, supersedes_id: int
) -> None:
    older = await session.scalar(
        select(ProgressUpdate).where(ProgressUpdate.id == supersedes_id, visible_to(caller))
    )
    if (
        older is None
        or older.recommendation_id != subject.recommendation_id
        or older.action_id != subject.action_id
        or not (caller.is_staff or _is_own(caller, older.organisation_id))
    ):
        raise InvalidField(
            "supersedes_id",
            "Only an update about the same subject, submitted by your organisation, "
            "can be superseded.",
        )


async def submit(
    session: AsyncSession,
    *,
    caller: Caller,
    subject: Subject,
    content: UpdateContent,
    idempotency_key: str | None = None,
) -> Submitted:
    """Store a new update in review, or replay the one an earlier identical request stored."""
    client_id = await _client_id(session, caller)
    request_hash = content_hash({"subject": subject.path, "body": asdict(content)})
    if idempotency_key is not None:
        existing = await _by_key(session, client_id=client_id, key=idempotency_key)
        if existing is not None:
            _replay(existing, request_hash)
            return Submitted(await get(session, caller=caller, update_id=existing.id), False)
    state_code = await _check_subject(session, caller=caller, subject=subject)
    await _check_source(session, caller=caller, source=content.source_type)
    await _check_state(
        session,
        caller=caller,
        subject=subject,
        state_code=state_code,
        source=content.source_type,
    )
    if content.as_of_date > _latest_local_date():
        raise InvalidField("as_of_date", "The information cannot be dated in the future.")
    if content.supersedes_id is not None:
        await _check_supersedes(
            session, caller=caller, subject=subject, supersedes_id=content.supersedes_id
        )
    update = ProgressUpdate(
        recommendation_id=subject.recommendation_id,
        action_id=subject.action_id,
        source_type=content.source_type,
        assessed_status=content.assessed_status,
        narrative=content.narrative,
        evidence_urls=list(content.evidence_urls),
        as_of_date=content.as_of_date,
        confidentiality=content.confidentiality,
        supersedes_id=content.supersedes_id,
        organisation_id=caller.organisation_id,
        submitted_by_client_id=client_id,
        review_state=ReviewState.SUBMITTED,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts.
        async with session.begin_nested():
            session.add(update)
            await session.flush()
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its update.
        if idempotency_key is None:
            raise
        winner = await _by_key(session, client_id=client_id, key=idempotency_key)
        if winner is None:
            raise
        _replay(winner, request_hash)
        return Submitted(await get(session, caller=caller, update_id=winner.id), False)
    await audit.record(
        session,
        actor=caller,
        action="update.submitted",
        object_type="progress_update",
        object_id=update.id,
        summary={
            "update_id": update.id,
            **subject.summary(),
            "review_state": ReviewState.SUBMITTED.value,
            "confidentiality": content.confidentiality.value,
            "supersedes_id": content.supersedes_id,
        },
    )
    return Submitted(await get(session, caller=caller, update_id=update.id), True)


async def _for_review(session: AsyncSession, *, caller: Caller, update_id: int) -> ProgressUpdate:
    # Locked: two reviewers acting at once see each other's decision, not the same `submitted`.
    update = await session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.id == update_id, visible_to(caller))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if update is None:
        raise NotFound(f"No progress update {update_id}.")
    return update


def _require_submitted(update: ProgressUpdate, verb: str) -> None:
    if update.review_state is not ReviewState.SUBMITTED:
        raise Conflict(
            f"Progress update {update.id} is {update.review_state.value}; "
            f"only a submitted update can be {verb}."
        )


async def _decide(
    session: AsyncSession,
    *,
    update: ProgressUpdate,
    actor: Caller,
    state: ReviewState,
    action: str,
    reason: str | None = None,
    reviewer_id: int | None = None,
) -> None:
    update.review_state = state
    if reviewer_id is not None:
        update.reviewed_at = datetime.now(UTC)
        update.reviewed_by_client_id = reviewer_id
        update.review_reason = reason
    await session.flush()
    subject = Subject(update.recommendation_id, update.action_id)
    await audit.record(
        session,
        actor=actor,
        action=action,
        object_type="progress_update",
        object_id=update.id,
        summary={
            "update_id": update.id,
            **subject.summary(),
            "from_state": ReviewState.SUBMITTED.value,
            "review_state": state.value,
        },
    )


async def publish(session: AsyncSession, *, update_id: int, reviewer: Caller) -> UpdateView:
    """Publish a submitted update and recompute its recommendation's status."""
    update = await _for_review(session, caller=reviewer, update_id=update_id)
    _require_submitted(update, "published")
    await _decide(
        session,
        update=update,
        actor=reviewer,
        state=ReviewState.PUBLISHED,
        action="update.published",
        reviewer_id=await _client_id(session, reviewer),
    )
    # An action's updates inform its recommendations' readers, not their status; a restricted
    # one cannot move the public status, and recomputing it would still touch the public
    # recommendation (its `updated_at`, the change feed) the moment staff published it.
    if (
        update.recommendation_id is not None
        and update.confidentiality is not Confidentiality.RESTRICTED
    ):
        await status.recompute(session, recommendation_ids=[update.recommendation_id])
    return await get(session, caller=reviewer, update_id=update.id)


async def reject(
    session: AsyncSession, *, update_id: int, reviewer: Caller, reason: str
) -> UpdateView:
    """Reject a submitted update with a reason the submitting organisation reads back."""
    update = await _for_review(session, caller=reviewer, update_id=update_id)
    _require_submitted(update, "rejected")
    await _decide(
        session,
        update=update,
        actor=reviewer,
        state=ReviewState.REJECTED,
        action="update.rejected",
        reason=reason,
        reviewer_id=await _client_id(session, reviewer),
    )
    return await get(session, caller=reviewer, update_id=update.id)


async def retract(session: AsyncSession, *, update_id: int, caller: Caller) -> UpdateView:
    """Withdraw an update its own organisation submitted, before staff reviewed it."""
    update = await _for_review(session, caller=caller, update_id=update_id)
    if not _is_own(caller, update.organisation_id):
        raise Forbidden("Only the submitting organisation can retract its update.")
    _require_submitted(update, "retracted")
    await _decide(
        session,
        update=update,
        actor=caller,
        state=ReviewState.RETRACTED,
        action="update.retracted",
    )
    return await get(session, caller=caller, update_id=update.id)
