"""State actions: recording them, changing them under If-Match, linking them to recommendations.

A focal point acts for one State institution and edits that institution's actions only;
office staff and administrators edit any. Actions are archived, never deleted.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from models import ActionRecommendation, Institution, Recommendation, StateAction
from models.enums import ActionKind, ActionStatus, Role
from suivi.countries import is_alpha3
from suivi.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from suivi.services import audit
from suivi.services.keys import Caller


class ArchivedFilter(StrEnum):
    """Which actions a list shows: current ones (default), archived ones, or both."""

    FALSE = "false"
    TRUE = "true"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class ActionFilters:
    """The list's filters: AND between filters, OR between the values of one."""

    states: Sequence[str] = ()
    institution_ids: Sequence[int] = ()
    kinds: Sequence[ActionKind] = ()
    statuses: Sequence[ActionStatus] = ()
    recommendation_ids: Sequence[int] = ()
    archived: ArchivedFilter = ArchivedFilter.FALSE


@dataclass(frozen=True, slots=True)
class ActionView:
    """An action with its institution loaded and its links, by recommendation id."""

    action: StateAction
    links: list[ActionRecommendation] = field(default_factory=list)


_DATE_FIELDS = ("announced_date", "started_date", "completed_date", "target_date")
# Dates are calendar days wherever the action happened: allow a day ahead of UTC.
_CLOCK_SLACK = timedelta(days=1)


def version_tag(action: StateAction) -> str:
    """The strong entity tag of the action's current version, as GET sends it in `ETag`."""
    return f'"action-{action.id}-v{action.version}"'


async def list_page(
    session: AsyncSession, *, filters: ActionFilters, limit: int, after_id: int | None = None
) -> tuple[list[ActionView], int | None]:
    """Actions in id order, and the id to continue after, or None on the last page."""
    query = (
        select(StateAction)
        .options(selectinload(StateAction.institution))
        .order_by(StateAction.id)
        .limit(limit + 1)
    )
    if filters.states:
        query = query.where(StateAction.state_code.in_(filters.states))
    if filters.institution_ids:
        query = query.where(StateAction.institution_id.in_(filters.institution_ids))
    if filters.kinds:
        query = query.where(StateAction.kind.in_(filters.kinds))
    if filters.statuses:
        query = query.where(StateAction.status.in_(filters.statuses))
    if filters.recommendation_ids:
        query = query.where(
            StateAction.id.in_(
                select(ActionRecommendation.action_id).where(
                    ActionRecommendation.recommendation_id.in_(filters.recommendation_ids)
                )
            )
        )
    if filters.archived is ArchivedFilter.FALSE:
        query = query.where(StateAction.archived_at.is_(None))
    elif filters.archived is ArchivedFilter.TRUE:
        query = query.where(StateAction.archived_at.is_not(None))
    if after_id is not None:
        query = query.where(StateAction.id > after_id)
    rows = list((await session.scalars(query)).all())
    page = rows[:limit]
    links = await _links(session, [action.id for action in page])
    views = [ActionView(action, links.get(action.id, [])) for action in page]
    return views, page[-1].id if len(rows) > limit else None


async def get(session: AsyncSession, *, action_id: int) -> ActionView:
    """One action, archived or not, with its links; NotFound when there is none."""
    action = await session.scalar(
        select(StateAction)
        .options(selectinload(StateAction.institution))
        .where(StateAction.id == action_id)
    )
    if action is None:
        raise NotFound(f"No action has id {action_id}.")
    return ActionView(action, (await _links(session, [action.id])).get(action.id, []))


async def create(
    session: AsyncSession,
    *,
    actor: Caller,
    kind: ActionKind,
    title: str,
    description: str | None = None,
    institution_id: int | None = None,
    state: str | None = None,
    announced_date: date | None = None,
    started_date: date | None = None,
    completed_date: date | None = None,
    target_date: date | None = None,
    status: ActionStatus = ActionStatus.PLANNED,
    evidence_urls: Sequence[str] = (),
) -> ActionView:
    """Record a new action; a focal point's goes to its own institution."""
    if not actor.is_staff:
        own = _own_institution(actor)
        if institution_id is None:
            institution_id = own
        elif institution_id != own:
            raise Forbidden("A focal point records actions of its own institution only.")
    institution = None
    if institution_id is not None:
        institution = await _institution(session, institution_id)
        if state is not None and state != institution.state_code:
            raise InvalidField(
                "state", f"the institution is of {institution.state_code}, not {state}"
            )
        state = institution.state_code
    elif state is None:
        raise InvalidField("state", "required when no institution_id is given")
    if not is_alpha3(state):
        raise InvalidField("state", f"{state!r} is not an ISO 3166-1 alpha-3 country code")
    _check_dates(
        status=status,
        announced_date=announced_date,
        started_date=started_date,
        completed_date=completed_date,
        target_date=target_date,
    )
    action = StateAction(
        kind=kind,
        title=title,
        description=description,
        state_code=state,
        institution=institution,
        announced_date=announced_date,
        started_date=started_date,
        completed_date=completed_date,
        target_date=target_date,
        status=status,
        evidence_urls=list(evidence_urls),
    )
    session.add(action)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="action.created",
        object_type="action",
        object_id=action.id,
        summary={
            "state": state,
            "institution_id": action.institution_id,
            "kind": kind.value,
            "status": status.value,
        },
    )
    return ActionView(action, [])


async def update(
    session: AsyncSession,
    *,
    actor: Caller,
    action_id: int,
    if_match: Sequence[str] | None,
    changes: dict[str, Any],
) -> ActionView:
    """Change the fields in `changes` (`archived` archives or restores) if `if_match` names
    the current version; PreconditionRequired without it, PreconditionFailed when stale."""
    action = await _locked(session, action_id)
    _may_edit(actor, action)
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag of your last read of this action "
            f"(GET /v1/actions/{action_id})."
        )
    if version_tag(action) not in if_match:
        raise PreconditionFailed(
            "The action has changed since the read If-Match names: read it again, "
            "reapply your change and send its new ETag."
        )
    changes = dict(changes)
    archive = changes.pop("archived", None)
    # Everything is checked before anything is set: a refused change leaves the object clean.
    institution = action.institution
    if "institution_id" in changes:
        institution_id = changes.pop("institution_id")
        if institution_id != action.institution_id:
            if not actor.is_staff:
                raise Forbidden("A focal point may not move an action to another institution.")
            institution = None
            if institution_id is not None:
                institution = await _institution(session, institution_id)
                if institution.state_code != action.state_code:
                    raise InvalidField(
                        "institution_id",
                        f"the institution is of {institution.state_code}, "
                        f"the action of {action.state_code}",
                    )
    merged = {name: changes.get(name, getattr(action, name)) for name in (*_DATE_FIELDS, "status")}
    _check_dates(**merged)
    changed = sorted(name for name, value in changes.items() if getattr(action, name) != value)
    if institution is not action.institution:
        changed = sorted([*changed, "institution_id"])
    archiving = archive is not None and archive != (action.archived_at is not None)
    if not changed and not archiving:
        return ActionView(action, (await _links(session, [action.id])).get(action.id, []))
    for name in changed:
        if name != "institution_id":
            setattr(action, name, changes[name])
    if "institution_id" in changed:
        action.institution = institution
    if archiving:
        action.archived_at = func.now() if archive else None
    await _flush_versioned(session, action)
    if changed:
        await audit.record(
            session,
            actor=actor,
            action="action.updated",
            object_type="action",
            object_id=action.id,
            summary={"fields": changed},
        )
    if archiving:
        await audit.record(
            session,
            actor=actor,
            action="action.archived" if archive else "action.unarchived",
            object_type="action",
            object_id=action.id,
            summary={},
        )
    return ActionView(action, (await _links(session, [action.id])).get(action.id, []))


async def link(
    session: AsyncSession,
    *,
    actor: Caller,
    recommendation_id: int,
    action_id: int,
    note: str | None,
) -> tuple[ActionRecommendation, bool]:
    """Link the action to the recommendation with `note`, or replace the note of the link;
    the link and whether it is new."""
    state = await _recommendation_state(session, recommendation_id)
    action = await _locked(session, action_id)
    _may_edit(actor, action)
    if state != action.state_code:
        raise Unprocessable(
            f"The recommendation is addressed to {state}, the action is of {action.state_code}: "
            "an action answers recommendations of its own State only."
        )
    row = await session.get(ActionRecommendation, (action_id, recommendation_id))
    created = row is None
    note_changed = False
    if row is None:
        if action.archived_at is not None:
            raise Conflict("The action is archived: restore it before linking it.")
        row = ActionRecommendation(
            action_id=action_id, recommendation_id=recommendation_id, note=note
        )
        session.add(row)
        note_changed = note is not None
    elif row.note != note:
        row.note = note
        note_changed = True
    if created or note_changed:
        # The action's representation lists its links: a new version, so older reads are stale.
        action.updated_at = func.now()
        await _flush_versioned(session, action)
    await audit.record(
        session,
        actor=actor,
        action="action.linked",
        object_type="recommendation",
        object_id=recommendation_id,
        summary={"action_id": action_id, "created": created, "note_changed": note_changed},
    )
    return row, created


async def unlink(
    session: AsyncSession, *, actor: Caller, recommendation_id: int, action_id: int
) -> None:
    """Remove the link between the action and the recommendation; NotFound when there is none."""
    await _recommendation_state(session, recommendation_id)
    action = await _locked(session, action_id)
    _may_edit(actor, action)
    row = await session.get(ActionRecommendation, (action_id, recommendation_id))
    if row is None:
        raise NotFound(f"Action {action_id} is not linked to recommendation {recommendation_id}.")
    await session.delete(row)
    action.updated_at = func.now()
    await _flush_versioned(session, action)
    await audit.record(
        session,
        actor=actor,
        action="action.unlinked",
        object_type="recommendation",
        object_id=recommendation_id,
        summary={"action_id": action_id},
    )


def _own_institution(actor: Caller) -> int:
    if actor.role is not Role.FOCAL_POINT:
        raise Forbidden(f"A {actor.role} key may not change State actions.")
    if actor.institution_id is None:
        raise Forbidden("This focal point's organisation acts for no institution.")
    return actor.institution_id


def _may_edit(actor: Caller, action: StateAction) -> None:
    if actor.is_staff:
        return
    if action.institution_id != _own_institution(actor):
        raise Forbidden("A focal point changes the actions of its own institution only.")


async def _institution(session: AsyncSession, institution_id: int) -> Institution:
    institution = await session.get(Institution, institution_id)
    if institution is None:
        raise InvalidField("institution_id", f"no institution has id {institution_id}")
    return institution


async def _recommendation_state(session: AsyncSession, recommendation_id: int) -> str:
    state = await session.scalar(
        select(Recommendation.state_code).where(Recommendation.id == recommendation_id)
    )
    if state is None:
        raise NotFound(f"No recommendation has id {recommendation_id}.")
    return state


async def _locked(session: AsyncSession, action_id: int) -> StateAction:
    # Locked until commit: concurrent writers queue, and the second sees the first's version.
    action = await session.scalar(
        select(StateAction)
        .options(selectinload(StateAction.institution))
        .where(StateAction.id == action_id)
        .with_for_update(of=StateAction)
        .execution_options(populate_existing=True)
    )
    if action is None:
        raise NotFound(f"No action has id {action_id}.")
    return action


async def _flush_versioned(session: AsyncSession, action: StateAction) -> None:
    try:
        await session.flush()
    except StaleDataError as exc:  # a writer that did not take the lock got there first
        raise PreconditionFailed("The action was changed meanwhile: read it again.") from exc
    # Set by the database clock during the flush: read back what it wrote.
    await session.refresh(action, ["updated_at", "archived_at"])


async def _links(
    session: AsyncSession, action_ids: Sequence[int]
) -> dict[int, list[ActionRecommendation]]:
    if not action_ids:
        return {}
    rows = await session.scalars(
        select(ActionRecommendation)
        .where(ActionRecommendation.action_id.in_(action_ids))
        .order_by(ActionRecommendation.action_id, ActionRecommendation.recommendation_id)
    )
    links: dict[int, list[ActionRecommendation]] = {}
    for row in rows:
        links.setdefault(row.action_id, []).append(row)
    return links


def _check_dates(
    *,
    status: ActionStatus,
    announced_date: date | None,
    started_date: date | None,
    completed_date: date | None,
    target_date: date | None,
) -> None:
    if started_date and completed_date and completed_date < started_date:
        raise InvalidField("completed_date", "must not be before started_date")
    if announced_date and target_date and target_date < announced_date:
        raise InvalidField("target_date", "must not be before announced_date")
    if completed_date is not None:
        if status is not ActionStatus.COMPLETED:
            raise InvalidField("completed_date", "set only when the status is completed")
        if completed_date > datetime.now(UTC).date() + _CLOCK_SLACK:
            raise InvalidField("completed_date", "must not be in the future")
