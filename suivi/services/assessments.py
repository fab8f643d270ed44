"""The office's own assessment of a recommendation, changed only against its current version."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiClient, Recommendation
from models.enums import ImplementationStatus
from suivi.errors import NotFound, PreconditionFailed
from suivi.services import audit, status
from suivi.services.keys import Caller


@dataclass(frozen=True, slots=True)
class Assessment:
    """The office assessment of one recommendation and the headline status it determines."""

    recommendation_id: int
    office_status: ImplementationStatus | None
    office_note: str | None
    assessed_at: datetime | None
    status: ImplementationStatus
    version: int
    follow_up_selected: bool
    follow_up_deadline_date: date | None


@dataclass(frozen=True, slots=True)
class AssessmentChange:
    """New values for the fields named in `fields`; the others are left as they are."""

    fields: frozenset[str]
    office_status: ImplementationStatus | None = None
    office_note: str | None = None
    # A treaty body's follow-up procedure: selected for it, and the reply's due date.
    follow_up_selected: bool | None = None
    follow_up_deadline_date: date | None = None


_COLUMNS = (
    Recommendation.id,
    Recommendation.office_status,
    Recommendation.office_note,
    Recommendation.office_assessed_at,
    Recommendation.status,
    Recommendation.office_version,
    Recommendation.follow_up_selected,
    Recommendation.follow_up_deadline_date,
)


def _value(status: ImplementationStatus | None) -> str | None:
    return None if status is None else status.value


def _not_found(recommendation_id: int) -> NotFound:
    return NotFound(f"No recommendation has id {recommendation_id}.")


async def get(session: AsyncSession, *, recommendation_id: int) -> Assessment:
    """The recommendation's office assessment; NotFound for an unknown recommendation."""
    row = (
        await session.execute(select(*_COLUMNS).where(Recommendation.id == recommendation_id))
    ).one_or_none()
    if row is None:
        raise _not_found(recommendation_id)
    return Assessment(*row)


async def change(
    session: AsyncSession,
    *,
    recommendation_id: int,
    expected_versions: Collection[int] | None,
    change: AssessmentChange,
    actor: Caller,
) -> Assessment:
    """Apply `change` if the assessment is still at one of `expected_versions` (None: any),
    recompute the headline status and audit it; PreconditionFailed when it moved on."""
    current = await get(session, recommendation_id=recommendation_id)
    if expected_versions is not None and current.version not in expected_versions:
        raise PreconditionFailed(
            f"The assessment is at version {current.version}: read it again, then retry."
        )
    values: dict[str, object] = {
        "office_version": Recommendation.office_version + 1,
        "office_assessed_at": func.now(),
        "office_assessed_by_client_id": select(ApiClient.id)
        .where(ApiClient.prefix == actor.prefix)
        .scalar_subquery(),
    }
    if "office_status" in change.fields:
        values["office_status"] = change.office_status
    if "office_note" in change.fields:
        values["office_note"] = change.office_note
    if "follow_up_deadline_date" in change.fields:
        values["follow_up_deadline_date"] = change.follow_up_deadline_date
        # A deadline means the committee selected the recommendation for follow-up.
        values["follow_up_selected"] = change.follow_up_deadline_date is not None
    if "follow_up_selected" in change.fields and change.follow_up_selected is not None:
        values["follow_up_selected"] = change.follow_up_selected
    # The version check and the write are one statement: a concurrent change makes it match
    # no row, so neither writer overwrites the other unseen.
    changed = await session.scalar(
        update(Recommendation)
        .where(
            Recommendation.id == recommendation_id,
            Recommendation.office_version == current.version,
        )
        .values(values)
        .returning(Recommendation.id)
        .execution_options(synchronize_session=False)
    )
    if changed is None:
        raise PreconditionFailed("The assessment changed meanwhile: read it again, then retry.")
    await status.recompute(session, recommendation_ids=[recommendation_id], bump_versions=False)
    new = await get(session, recommendation_id=recommendation_id)
    await audit.record(
        session,
        actor=actor,
        action="assessment.updated",
        object_type="recommendation",
        object_id=recommendation_id,
        summary={
            "old_status": _value(current.office_status),
            "new_status": _value(new.office_status),
            "headline_status": new.status.value,
            "fields": sorted(change.fields),
            "version": new.version,
        },
    )
    return new
