"""Removing the illustrative sample and everything that hangs off it, never a real record."""

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Select, delete, func, or_, select, text, tuple_
from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from models import (
    ActionRecommendation,
    ApiClient,
    AuditEvent,
    Document,
    FollowUpGrade,
    IndicatorRecommendation,
    Institution,
    Organisation,
    PositionRecord,
    ProgressUpdate,
    Recommendation,
    RecommendationRevision,
    RecommendationText,
    StateAction,
)
from suivi.errors import Conflict
from suivi.services import audit
from suivi.services.keys import Caller
from suivi.services.sample import IS_SAMPLE, SampleData

# The kinds of record a removal deletes, and those it keeps when a record outside the sample
# still refers to them, as `SampleRemoval` names its counts.
REMOVED_KINDS = (
    "recommendations",
    "translations",
    "positions",
    "revisions",
    "action_links",
    "grades",
    "indicator_links",
    "updates",
    "actions",
    "documents",
    "institutions",
    "organisations",
    "keys",
)
KEPT_KINDS = ("documents", "institutions", "organisations", "keys")


@dataclass(frozen=True, slots=True)
class SampleRemoval:
    """What removing the sample deleted, and what it kept because other records refer to it.

    A kept key is revoked: it no longer opens the API, but a review, an assessment or a grade
    outside the sample still names it.
    """

    loaded: bool
    recommendations: int = 0
    translations: int = 0
    positions: int = 0
    revisions: int = 0
    action_links: int = 0
    grades: int = 0
    indicator_links: int = 0
    updates: int = 0
    actions: int = 0
    documents: int = 0
    institutions: int = 0
    organisations: int = 0
    keys: int = 0
    kept_documents: int = 0
    kept_institutions: int = 0
    kept_organisations: int = 0
    kept_keys: int = 0

    def counts(self) -> dict[str, dict[str, int]]:
        """The counts by kind: `removed` and `kept`."""
        values = asdict(self)
        return {
            "removed": {kind: values[kind] for kind in REMOVED_KINDS},
            "kept": {kind: values[f"kept_{kind}"] for kind in KEPT_KINDS},
        }


class SampleHasRealUpdates(Conflict):
    """Someone outside the sample submitted updates about it: real submissions are never
    deleted, so the sample stays."""

    type_slug = "sample-has-real-updates"
    title = "Organisations outside the sample submitted updates about it"

    def __init__(self, count: int) -> None:
        updates = "1 progress update" if count == 1 else f"{count} progress updates"
        super().__init__(
            f"{updates} about the sample's recommendations or actions came from organisations "
            "outside the sample. Real submissions are never deleted, so nothing was removed."
        )
        self.count = count


async def _ids(session: AsyncSession, query: Select[int | None]) -> set[int]:
    return {value for value in (await session.scalars(query)).all() if value is not None}


async def _delete(session: AsyncSession, statement: Delete) -> int:
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount


async def _sample_actions(session: AsyncSession, sample: SampleData) -> set[int]:
    """The sample's actions, locked: as the sample describes them, and linked to sample
    recommendations and to no other."""
    institution_of = {item.key: (item.name, item.state) for item in sample.institutions}
    described = {
        (
            item.title,
            item.kind,
            item.state,
            institution_of.get(item.institution) if item.institution else None,
        )
        for item in sample.actions
    }
    rows = (
        await session.execute(
            select(
                StateAction.id,
                StateAction.title,
                StateAction.kind,
                StateAction.state_code,
                Institution.name,
                Institution.state_code,
            )
            .outerjoin(Institution, Institution.id == StateAction.institution_id)
            .where(StateAction.title.in_({item.title for item in sample.actions}))
            .with_for_update(of=StateAction)
        )
    ).all()
    candidates = {
        row.id
        for row in rows
        if (row[1], row[2], row[3], None if row[4] is None else (row[4], row[5])) in described
    }
    if not candidates:
        return set()
    # An action that also answers a recommendation from elsewhere is not the sample's, whatever
    # its title; one with no link left cannot be told from an office's own.
    return await _ids(
        session,
        select(ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .where(ActionRecommendation.action_id.in_(candidates))
        .group_by(ActionRecommendation.action_id)
        .having(func.bool_and(IS_SAMPLE)),
    )


async def _still_referred_to(
    session: AsyncSession, ids: Collection[int], columns: Collection[QueryableAttribute[Any]]
) -> set[int]:
    """The ids among `ids` that one of `columns` still holds."""
    if not ids:
        return set()
    referred: set[int] = set()
    for column in columns:
        referred |= await _ids(session, select(column).where(column.in_(ids)).distinct())
    return referred


async def _kept_institutions(session: AsyncSession, ids: set[int]) -> set[int]:
    """The institutions among `ids` that a record outside them refers to, with their parents."""
    kept = await _still_referred_to(
        session, ids, (StateAction.institution_id, Organisation.institution_id)
    )
    children = (
        await session.execute(
            select(Institution.id, Institution.parent_id).where(Institution.parent_id.in_(ids))
        )
    ).all()
    # A kept institution keeps its parent, up the tree.
    while True:
        parents = {
            parent
            for child, parent in children
            if parent is not None and (child not in ids or child in kept)
        } - kept
        if not parents:
            return kept
        kept |= parents


async def remove(
    session: AsyncSession, *, sample: SampleData, caller: Caller | None = None
) -> SampleRemoval:
    """Delete the sample and everything attached to it, and audit it; refuse, changing
    nothing, when an organisation outside the sample submitted an update about it."""
    # Locked first: a link, an update or a grade written meanwhile would wait for these rows,
    # then find them gone, rather than be deleted unseen or block the removal half-way.
    recommendation_ids = await _ids(
        session, select(Recommendation.id).where(IS_SAMPLE).with_for_update()
    )
    if not recommendation_ids:
        return SampleRemoval(loaded=False)
    organisation_ids = await _ids(
        session,
        select(Organisation.id)
        .where(
            tuple_(Organisation.name, Organisation.kind).in_(
                [(item.name, item.kind) for item in sample.organisations]
            )
        )
        .with_for_update(),
    )
    key_ids = await _ids(
        session,
        select(ApiClient.id)
        .where(ApiClient.organisation_id.in_(organisation_ids))
        .with_for_update(),
    )
    document_ids = await _ids(
        session,
        select(Document.id)
        .where(Document.symbol.in_({item.symbol for item in sample.documents}))
        .with_for_update(),
    )
    institution_ids = await _ids(
        session,
        select(Institution.id)
        .where(
            tuple_(Institution.name, Institution.state_code).in_(
                [(item.name, item.state) for item in sample.institutions]
            )
        )
        .with_for_update(),
    )
    action_ids = await _sample_actions(session, sample)

    about_sample = or_(
        ProgressUpdate.recommendation_id.in_(recommendation_ids),
        ProgressUpdate.action_id.in_(action_ids),
    )
    updates = (
        await session.execute(
            select(ProgressUpdate.id, ProgressUpdate.organisation_id)
            .where(about_sample)
            .with_for_update()
        )
    ).all()
    update_ids = {row.id for row in updates}
    real = sum(1 for row in updates if row.organisation_id not in organisation_ids)
    # A correction from elsewhere of a sample update is a real submission about the sample.
    real += (
        await session.scalar(
            select(func.count())
            .select_from(ProgressUpdate)
            .where(ProgressUpdate.supersedes_id.in_(update_ids), ~ProgressUpdate.id.in_(update_ids))
        )
        or 0
    )
    if real:
        raise SampleHasRealUpdates(real)

    # Actions kept (an office's own) that answered sample recommendations lose those links.
    relinked_actions = await _ids(
        session,
        select(ActionRecommendation.action_id)
        .where(
            ActionRecommendation.recommendation_id.in_(recommendation_ids),
            ~ActionRecommendation.action_id.in_(action_ids),
        )
        .distinct(),
    )

    # Transaction-local, and off again at once: the trigger of migration 0011 lets these rows
    # go, and still refuses any update about a recommendation from elsewhere.
    await session.execute(text("SET LOCAL suivi.removing_sample = 'on'"))
    removed_updates = await _delete(
        session, delete(ProgressUpdate).where(ProgressUpdate.id.in_(update_ids))
    )
    await session.execute(text("SET LOCAL suivi.removing_sample = 'off'"))

    removed: dict[str, int] = {"updates": removed_updates}
    removed["action_links"] = await _delete(
        session,
        delete(ActionRecommendation).where(
            or_(
                ActionRecommendation.recommendation_id.in_(recommendation_ids),
                ActionRecommendation.action_id.in_(action_ids),
            )
        ),
    )
    if relinked_actions:
        # As an unlink does: the action's representation lists its links, so it is a new version.
        await session.execute(
            update_rows(StateAction)
            .where(StateAction.id.in_(relinked_actions))
            .values(updated_at=func.now(), version=StateAction.version + 1)
            .execution_options(synchronize_session="fetch")
        )
    for kind, column in (
        ("grades", FollowUpGrade.recommendation_id),
        ("indicator_links", IndicatorRecommendation.recommendation_id),
        ("translations", RecommendationText.recommendation_id),
        ("positions", PositionRecord.recommendation_id),
        ("revisions", RecommendationRevision.recommendation_id),
        ("recommendations", Recommendation.id),
    ):
        removed[kind] = await _delete(
            session, delete(column.class_).where(column.in_(recommendation_ids))
        )
    removed["actions"] = await _delete(
        session, delete(StateAction).where(StateAction.id.in_(action_ids))
    )

    kept_documents = await _still_referred_to(session, document_ids, (Recommendation.document_id,))
    removed["documents"] = await _delete(
        session, delete(Document).where(Document.id.in_(document_ids - kept_documents))
    )

    # Whatever still names a key is outside the sample now: it keeps the key, revoked.
    kept_keys = await _still_referred_to(
        session,
        key_ids,
        (
            ProgressUpdate.submitted_by_client_id,
            ProgressUpdate.reviewed_by_client_id,
            Recommendation.office_assessed_by_client_id,
            FollowUpGrade.recorded_by_client_id,
        ),
    )
    if kept_keys:
        await session.execute(
            update_rows(ApiClient)
            .where(ApiClient.id.in_(kept_keys), ApiClient.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
            .execution_options(synchronize_session="fetch")
        )
    removed["keys"] = await _delete(
        session, delete(ApiClient).where(ApiClient.id.in_(key_ids - kept_keys))
    )

    # The audit trail is never changed: an organisation it names as an actor stays.
    kept_organisations = await _still_referred_to(
        session,
        organisation_ids,
        (
            AuditEvent.actor_organisation_id,
            ProgressUpdate.organisation_id,
            ApiClient.organisation_id,
        ),
    )
    removed["organisations"] = await _delete(
        session,
        delete(Organisation).where(Organisation.id.in_(organisation_ids - kept_organisations)),
    )

    kept_institutions = await _kept_institutions(session, institution_ids)
    removed["institutions"] = await _delete(
        session, delete(Institution).where(Institution.id.in_(institution_ids - kept_institutions))
    )

    removal = SampleRemoval(
        loaded=True,
        **removed,
        kept_documents=len(kept_documents),
        kept_institutions=len(kept_institutions),
        kept_organisations=len(kept_organisations),
        kept_keys=len(kept_keys),
    )
    await audit.record(
        session,
        actor=caller,
        action="sample.removed",
        object_type="sample",
        object_id=None,
        summary=removal.counts(),
    )
    return removal
