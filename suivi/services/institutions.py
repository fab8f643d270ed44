"""State institutions: the ministries, courts and commissions responsible for State actions."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import Institution
from suivi.countries import is_alpha3
from suivi.errors import Conflict, InvalidField, NotFound
from suivi.services import audit
from suivi.services.keys import Caller


async def list_page(
    session: AsyncSession,
    *,
    states: Sequence[str] = (),
    parent_id: int | None = None,
    limit: int,
    after_id: int | None = None,
) -> tuple[list[Institution], int | None]:
    """Institutions in id order, and the id to continue after, or None on the last page."""
    query = select(Institution).order_by(Institution.id).limit(limit + 1)
    if states:
        query = query.where(Institution.state_code.in_(states))
    if parent_id is not None:
        query = query.where(Institution.parent_id == parent_id)
    if after_id is not None:
        query = query.where(Institution.id > after_id)
    rows = list((await session.scalars(query)).all())
    page = rows[:limit]
    return page, page[-1].id if len(rows) > limit else None


async def get(session: AsyncSession, *, institution_id: int) -> Institution:
    """One institution; NotFound when there is none."""
    institution = await session.get(Institution, institution_id)
    if institution is None:
        raise NotFound(f"No institution has id {institution_id}.")
    return institution


async def create(
    session: AsyncSession, *, actor: Caller, name: str, state: str, parent_id: int | None
) -> Institution:
    """A new institution; Conflict when its State already has one of that name."""
    if not is_alpha3(state):
        raise InvalidField("state", f"{state!r} is not an ISO 3166-1 alpha-3 country code")
    if parent_id is not None:
        parent = await session.get(Institution, parent_id)
        if parent is None:
            raise InvalidField("parent_id", f"no institution has id {parent_id}")
        if parent.state_code != state:
            raise InvalidField(
                "parent_id", f"the parent is an institution of {parent.state_code}, not {state}"
            )
    institution = Institution(name=name, state_code=state, parent_id=parent_id)
    try:
        # Added inside the savepoint: when the insert fails, the object leaves the session too.
        async with session.begin_nested():
            session.add(institution)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{state} already has an institution named {name!r}.") from exc
    await audit.record(
        session,
        actor=actor,
        action="institution.created",
        object_type="institution",
        object_id=institution.id,
        summary={"state": state, "parent_id": parent_id},
    )
    return institution
