"""Small typed factories for the rows tests need."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
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
    Role,
    SourceFormat,
    SourceType,
)
from suivi.hashing import content_hash
from suivi.records import natural_key_for_paragraph
from suivi.services import keys


async def body(session: AsyncSession, code: str) -> Body:
    """A body seeded by the migration."""
    return (await session.scalars(select(Body).where(Body.code == code))).one()


async def document(
    session: AsyncSession,
    symbol: str,
    *,
    body_code: str = "UPR",
    state: str = "TUN",
    published: date | None = date(2022, 11, 10),
    session_number: int | None = 41,
    cycle: int | None = 4,
) -> Document:
    doc = Document(
        symbol=symbol,
        body_id=(await body(session, body_code)).id,
        state_code=state,
        published_date=published,
        session=session_number,
        cycle=cycle,
    )
    session.add(doc)
    await session.flush()
    return doc


async def recommendation(
    session: AsyncSession,
    doc: Document,
    paragraph: str,
    *,
    texts: dict[str, str] | None = None,
    language: str = "en",
    position: Position | None = None,
    hrd: HrdRelevance = HrdRelevance.NONE,
    recommending_states: list[str] | None = None,
    **columns: Any,
) -> Recommendation:
    """A recommendation of `doc`; `columns` set any other column (themes, status...)."""
    texts = texts or {language: f"Recommendation {paragraph} of {doc.symbol}."}
    if language not in texts:
        raise ValueError(f"texts must hold the recommendation's language {language!r}")
    rec = Recommendation(
        natural_key=natural_key_for_paragraph(doc.symbol, paragraph),
        state_code=doc.state_code or "TUN",
        body_id=doc.body_id,
        document_id=doc.id,
        paragraph=paragraph,
        language=language,
        text=texts[language],
        recommending_states=recommending_states or [],
        position=position,
        session=doc.session,
        cycle=doc.cycle,
        issued_date=doc.published_date,
        hrd_relevance=hrd,
        source_format=SourceFormat.MANUAL,
        content_hash=content_hash({"paragraph": paragraph, "texts": texts}),
        **columns,
    )
    session.add(rec)
    await session.flush()
    session.add_all(
        RecommendationText(recommendation_id=rec.id, language=lang, text=text)
        for lang, text in texts.items()
        if lang != language
    )
    if position is not None:
        session.add(PositionRecord(recommendation_id=rec.id, position=position, source=doc.symbol))
    await session.flush()
    return rec


async def organisation_called(
    session: AsyncSession,
    name: str,
    *,
    kind: OrganisationKind = OrganisationKind.CIVIL_SOCIETY,
    institution_id: int | None = None,
) -> Organisation:
    """The organisation called `name`, created when it does not exist."""
    org = await session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = await keys.create_organisation(
            session, name=name, kind=kind, institution_id=institution_id
        )
    return org


async def api_key(
    session: AsyncSession,
    role: Role,
    *,
    organisation: str = "OHCHR Tunisia",
    kind: OrganisationKind = OrganisationKind.OFFICE,
    institution_id: int | None = None,
) -> str:
    """A working key of `role` for `organisation` (created when it does not exist).

    A focal point's organisation gets `institution_id`: the institution it acts for.
    """
    org = await organisation_called(session, organisation, kind=kind, institution_id=institution_id)
    _, key = await keys.create_key(session, organisation=org, role=role)
    return key


def bearer(key: str) -> dict[str, str]:
    """The request headers that present `key`."""
    return {"Authorization": f"Bearer {key}"}


async def institution(
    session: AsyncSession, name: str, *, state: str = "TUN", parent_id: int | None = None
) -> Institution:
    row = Institution(name=name, state_code=state, parent_id=parent_id)
    session.add(row)
    await session.flush()
    return row


async def action(
    session: AsyncSession,
    title: str,
    *,
    institution_id: int | None = None,
    state: str = "TUN",
    kind: ActionKind = ActionKind.LEGISLATION,
    status: ActionStatus = ActionStatus.ONGOING,
    **columns: Any,
) -> StateAction:
    row = StateAction(
        title=title,
        kind=kind,
        status=status,
        state_code=state,
        institution_id=institution_id,
        **columns,
    )
    session.add(row)
    await session.flush()
    return row


async def progress_update(
    session: AsyncSession,
    *,
    recommendation_id: int | None = None,
    action_id: int | None = None,
    organisation_id: int | None = None,
    narrative: str = "The bill was tabled in parliament.",
    source_type: SourceType = SourceType.CIVIL_SOCIETY,
    assessed_status: ImplementationStatus = ImplementationStatus.IN_PROGRESS,
    confidentiality: Confidentiality = Confidentiality.PUBLIC,
    review_state: ReviewState = ReviewState.SUBMITTED,
    as_of_date: date = date(2024, 3, 1),
    **columns: Any,
) -> ProgressUpdate:
    """An update written straight to the table (the API's own path is tested through HTTP)."""
    row = ProgressUpdate(
        recommendation_id=recommendation_id,
        action_id=action_id,
        organisation_id=organisation_id,
        narrative=narrative,
        source_type=source_type,
        assessed_status=assessed_status,
        confidentiality=confidentiality,
        review_state=review_state,
        as_of_date=as_of_date,
        **columns,
    )
    session.add(row)
    await session.flush()
    return row
