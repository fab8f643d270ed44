"""A small world of objects owned by different organisations, for the access-control tests.

Two civil-society organisations (A and B), a focal point of one State institution, office staff and
an administrator, each with a key; a recommendation, actions of two institutions, updates of A and
B in several review states and confidentiality levels, a grade and an indicator.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ActionRecommendation,
    ClusterMember,
    FollowUpGrade,
    Indicator,
    IndicatorRecommendation,
)
from models.enums import (
    AssessorKind,
    Confidentiality,
    Grade,
    HrdRelevance,
    IndicatorKind,
    OrganisationKind,
    Position,
    ReportingFrequency,
    ReviewState,
    Role,
    SourceType,
)
from suivi.encoder import get_encoder
from suivi.services import clusters, embeddings, status
from tests import factories

ROLES = ("public", "submitter_a", "submitter_b", "focal_point", "staff", "admin")


@dataclass
class World:
    keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int | str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """The headers `role` sends: none for the public."""
        return {} if role == "public" else factories.bearer(self.keys[role])


async def build_world(
    session: AsyncSession,
    *,
    organisation_a: str = "Ligue tunisienne des droits de l'homme",
    organisation_b: str = "Association des femmes démocrates",
    narrative_b: str = "Two defenders were summoned by the police in Sfax.",
) -> World:
    """Build the world; `organisation_b` and `narrative_b` let the canary test plant markers."""
    world = World()
    justice = await factories.institution(session, "Ministry of Justice")
    interior = await factories.institution(session, "Ministry of the Interior")
    world.keys["admin"] = await factories.api_key(session, Role.ADMIN)
    world.keys["staff"] = await factories.api_key(session, Role.STAFF)
    world.keys["focal_point"] = await factories.api_key(
        session,
        Role.FOCAL_POINT,
        organisation="Ministry of Justice focal point",
        kind=OrganisationKind.STATE,
        institution_id=justice.id,
    )
    world.keys["submitter_a"] = await factories.api_key(
        session, Role.SUBMITTER, organisation=organisation_a, kind=OrganisationKind.CIVIL_SOCIETY
    )
    world.keys["submitter_b"] = await factories.api_key(
        session, Role.SUBMITTER, organisation=organisation_b, kind=OrganisationKind.CIVIL_SOCIETY
    )
    org_a = await factories.organisation_called(session, organisation_a)
    org_b = await factories.organisation_called(session, organisation_b)

    doc = await factories.document(session, "A/HRC/52/12")
    rec = await factories.recommendation(
        session,
        doc,
        "125.1",
        texts={"en": "Protect human rights defenders from reprisals."},
        position=Position.SUPPORTED,
        hrd=HrdRelevance.DIRECT,
        follow_up_deadline_date=date(2024, 11, 10),
    )
    action_a = await factories.action(
        session, "Law on associations", institution_id=justice.id, target_date=date(2025, 6, 1)
    )
    action_b = await factories.action(
        session, "Police training on protests", institution_id=interior.id
    )
    session.add(ActionRecommendation(action_id=action_a.id, recommendation_id=rec.id))

    def update_of(organisation_id: int, **columns: object) -> dict[str, object]:
        return {"recommendation_id": rec.id, "organisation_id": organisation_id, **columns}

    updates = {
        "update_a_submitted": update_of(org_a.id),
        "update_b_submitted": update_of(
            org_b.id, confidentiality=Confidentiality.CONFIDENTIAL_SUBMITTER, narrative=narrative_b
        ),
        "update_b_restricted": update_of(
            org_b.id,
            confidentiality=Confidentiality.RESTRICTED,
            review_state=ReviewState.PUBLISHED,
            narrative=narrative_b,
        ),
        "update_b_published": update_of(
            org_b.id,
            confidentiality=Confidentiality.CONFIDENTIAL_SUBMITTER,
            review_state=ReviewState.PUBLISHED,
        ),
    }
    for name, columns in updates.items():
        row = await factories.progress_update(session, **columns)  # type: ignore[arg-type]
        world.ids[name] = row.id
    government = await factories.progress_update(
        session,
        action_id=action_a.id,
        source_type=SourceType.GOVERNMENT,
        review_state=ReviewState.PUBLISHED,
    )
    grade = FollowUpGrade(
        recommendation_id=rec.id,
        grade=Grade.B,
        sub_grade="B1",
        assessor_kind=AssessorKind.COMMITTEE,
        assessor="Human Rights Committee",
        graded_date=date(2025, 3, 1),
    )
    session.add(grade)
    indicator = Indicator(
        kind=IndicatorKind.PROCESS,
        name="Complaints of reprisals investigated",
        state_code="TUN",
        reporting_frequency=ReportingFrequency.ANNUAL,
        next_reporting_date=date(2026, 12, 31),
    )
    session.add(indicator)
    await session.flush()
    session.add(IndicatorRecommendation(indicator_id=indicator.id, recommendation_id=rec.id))
    await session.flush()
    await status.recompute(session, recommendation_ids=[rec.id])
    await session.refresh(rec, ["office_version"])
    # Vectors and clusters, as `suivi embed` leaves them: /similar and /v1/clusters answer.
    connection = await session.connection()
    await embeddings.embed_queued(connection, get_encoder(), size=100)
    await clusters.place_pending(connection, model=get_encoder().name)
    cluster_id = (
        await session.execute(
            select(ClusterMember.cluster_id).where(ClusterMember.recommendation_id == rec.id)
        )
    ).scalar_one()

    world.ids.update(
        cluster=cluster_id,
        recommendation=rec.id,
        action_a=action_a.id,
        action_b=action_b.id,
        action_update=government.id,
        institution_a=justice.id,
        institution_b=interior.id,
        organisation_a=org_a.id,
        organisation_b=org_b.id,
        indicator=indicator.id,
        grade=grade.id,
        assessment_version=rec.office_version,
        prefix_b=world.keys["submitter_b"].split("_")[1],
        document=doc.symbol,
        state="TUN",
    )
    return world
