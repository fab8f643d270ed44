"""The illustrative sample: its record shapes and how it is written to the database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ActionRecommendation,
    Body,
    Document,
    Institution,
    Organisation,
    PositionRecord,
    ProgressUpdate,
    Recommendation,
    RecommendationText,
    StateAction,
)
from models.enums import (
    ActionKind,
    ActionStatus,
    Confidentiality,
    HrdRelevance,
    ImplementationStatus,
    OrganisationKind,
    Position,
    ReviewState,
    SourceFormat,
    SourceType,
)
from suivi.errors import SuiviError
from suivi.hashing import content_hash
from suivi.records import natural_key_for_paragraph
from suivi.services import status

StateCode = str
RecommendationKey = tuple[str, str]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleInstitution(_Record):
    key: str
    name: str
    state: StateCode = Field(pattern="^[A-Z]{3}$")
    parent: str | None = None


class SampleOrganisation(_Record):
    name: str
    kind: OrganisationKind


class SampleDocument(_Record):
    symbol: str
    body: str
    state: StateCode | None = Field(default=None, pattern="^[A-Z]{3}$")
    date: date
    session: int | None
    cycle: int | None
    title: str


class SampleReason(_Record):
    source: Literal["tag", "text"]
    match: str


class SampleRecommendation(_Record):
    document: str
    paragraph: str
    language: str
    texts: dict[str, str]
    recommending_states: list[StateCode]
    position: Position | None
    position_date: date | None
    action_category: int | None = Field(ge=1, le=5)
    themes: list[str]
    affected_persons: list[str]
    sdgs: list[str]
    hrd_relevance: HrdRelevance
    hrd_reasons: list[SampleReason]
    follow_up_deadline: date | None

    @model_validator(mode="after")
    def _has_original_text(self) -> "SampleRecommendation":
        if not self.texts.get(self.language, "").strip():
            raise ValueError(
                f"texts has no text in the recommendation's language {self.language!r}"
            )
        return self


class SampleAction(_Record):
    key: str
    kind: ActionKind
    title: str
    description: str
    institution: str | None
    state: StateCode
    announced_date: date | None
    started_date: date | None
    completed_date: date | None
    target_date: date | None
    status: ActionStatus
    evidence_urls: list[str]
    recommendations: list[RecommendationKey]


class SampleUpdate(_Record):
    recommendation: RecommendationKey
    source_type: SourceType
    organisation: str
    assessed_status: ImplementationStatus
    narrative: str
    evidence_urls: list[str]
    as_of_date: date
    confidentiality: Confidentiality
    review_state: Literal["submitted", "published", "rejected"]


class SampleData(_Record):
    """The whole sample, validated before anything is written."""

    notice: str
    institutions: list[SampleInstitution]
    organisations: list[SampleOrganisation]
    documents: list[SampleDocument]
    recommendations: list[SampleRecommendation]
    actions: list[SampleAction]
    updates: list[SampleUpdate]


@dataclass(frozen=True, slots=True)
class SampleReport:
    """What loading the sample did."""

    already_loaded: bool
    recommendations: int = 0
    actions: int = 0
    updates: int = 0


class SampleInconsistent(SuiviError):
    type_slug = "sample-inconsistent"
    title = "The sample refers to something it does not define"


def _recommendation_row(
    item: SampleRecommendation, document: Document, body: Body
) -> Recommendation:
    content = item.model_dump(mode="json", exclude={"document", "paragraph"})
    return Recommendation(
        natural_key=natural_key_for_paragraph(document.symbol, item.paragraph),
        state_code=document.state_code,
        body_id=body.id,
        document_id=document.id,
        paragraph=item.paragraph,
        language=item.language,
        text=item.texts[item.language],
        recommending_states=item.recommending_states,
        position=item.position,
        action_category=item.action_category,
        session=document.session,
        cycle=document.cycle,
        issued_date=document.published_date,
        themes=item.themes,
        affected_persons=item.affected_persons,
        sdgs=item.sdgs,
        hrd_relevance=item.hrd_relevance,
        hrd_reasons=[reason.model_dump() for reason in item.hrd_reasons],
        follow_up_selected=item.follow_up_deadline is not None,
        follow_up_deadline_date=item.follow_up_deadline,
        source_format=SourceFormat.SAMPLE,
        content_hash=content_hash(content),
    )


async def load(session: AsyncSession, *, sample: SampleData) -> SampleReport:
    """Write the sample once; a second call finds it and writes nothing."""
    if await is_loaded(session):
        return SampleReport(already_loaded=True)

    def missing(kind: str, name: object) -> SampleInconsistent:
        return SampleInconsistent(f"The sample names an unknown {kind}: {name!r}.")

    bodies = {body.code: body for body in (await session.scalars(select(Body))).all()}

    institutions: dict[str, Institution] = {}
    for item in sample.institutions:
        institutions[item.key] = Institution(name=item.name, state_code=item.state)
    session.add_all(institutions.values())
    await session.flush()
    for item in sample.institutions:
        if item.parent is not None:
            if item.parent not in institutions:
                raise missing("institution", item.parent)
            institutions[item.key].parent_id = institutions[item.parent].id

    organisations = {
        org.name: Organisation(name=org.name, kind=org.kind) for org in sample.organisations
    }
    session.add_all(organisations.values())

    documents: dict[str, Document] = {}
    for doc in sample.documents:
        if doc.body not in bodies:
            raise missing("body", doc.body)
        documents[doc.symbol] = Document(
            symbol=doc.symbol,
            body_id=bodies[doc.body].id,
            state_code=doc.state,
            title=doc.title,
            published_date=doc.date,
            session=doc.session,
            cycle=doc.cycle,
        )
    session.add_all(documents.values())
    await session.flush()

    body_of = {doc.symbol: bodies[doc.body] for doc in sample.documents}
    recommendations: dict[RecommendationKey, Recommendation] = {}
    for rec_item in sample.recommendations:
        if rec_item.document not in documents:
            raise missing("document", rec_item.document)
        recommendations[(rec_item.document, rec_item.paragraph)] = _recommendation_row(
            rec_item, documents[rec_item.document], body_of[rec_item.document]
        )
    session.add_all(recommendations.values())
    await session.flush()

    for rec_item in sample.recommendations:
        rec = recommendations[(rec_item.document, rec_item.paragraph)]
        session.add_all(
            RecommendationText(recommendation_id=rec.id, language=language, text=text)
            for language, text in rec_item.texts.items()
            if language != rec_item.language
        )
        if rec_item.position is not None:
            session.add(
                PositionRecord(
                    recommendation_id=rec.id,
                    position=rec_item.position,
                    stated_date=rec_item.position_date,
                    source=rec_item.document,
                )
            )

    for action_item in sample.actions:
        if action_item.institution is not None and action_item.institution not in institutions:
            raise missing("institution", action_item.institution)
        action = StateAction(
            kind=action_item.kind,
            title=action_item.title,
            description=action_item.description,
            state_code=action_item.state,
            institution_id=institutions[action_item.institution].id
            if action_item.institution
            else None,
            announced_date=action_item.announced_date,
            started_date=action_item.started_date,
            completed_date=action_item.completed_date,
            target_date=action_item.target_date,
            status=action_item.status,
            evidence_urls=action_item.evidence_urls,
        )
        session.add(action)
        await session.flush()
        for key in action_item.recommendations:
            if tuple(key) not in recommendations:
                raise missing("recommendation", key)
            session.add(
                ActionRecommendation(action_id=action.id, recommendation_id=recommendations[key].id)
            )

    await session.flush()
    reviewed_at = datetime.now(UTC)
    for update in sample.updates:
        if update.organisation not in organisations:
            raise missing("organisation", update.organisation)
        if tuple(update.recommendation) not in recommendations:
            raise missing("recommendation", update.recommendation)
        review_state = ReviewState(update.review_state)
        session.add(
            ProgressUpdate(
                recommendation_id=recommendations[update.recommendation].id,
                source_type=update.source_type,
                assessed_status=update.assessed_status,
                narrative=update.narrative,
                evidence_urls=update.evidence_urls,
                as_of_date=update.as_of_date,
                organisation_id=organisations[update.organisation].id,
                confidentiality=update.confidentiality,
                review_state=review_state,
                reviewed_at=None if review_state is ReviewState.SUBMITTED else reviewed_at,
                review_reason="Sample rejection: the evidence links could not be checked."
                if review_state is ReviewState.REJECTED
                else None,
            )
        )
    await session.flush()
    await status.recompute(session, recommendation_ids=[r.id for r in recommendations.values()])
    return SampleReport(
        already_loaded=False,
        recommendations=len(recommendations),
        actions=len(sample.actions),
        updates=len(sample.updates),
    )


# What marks a sample record: the sample is recognised by this and nothing else.
IS_SAMPLE = Recommendation.source_format == SourceFormat.SAMPLE


async def is_loaded(session: AsyncSession) -> bool:
    """Whether any sample recommendation is in the database."""
    found = await session.scalar(select(Recommendation.id).where(IS_SAMPLE).limit(1))
    return found is not None
