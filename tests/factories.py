"""Small typed factories for the rows tests need."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Body,
    Document,
    Organisation,
    PositionRecord,
    Recommendation,
    RecommendationText,
)
from models.enums import HrdRelevance, OrganisationKind, Position, Role, SourceFormat
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


async def api_key(
    session: AsyncSession,
    role: Role,
    *,
    organisation: str = "OHCHR Tunisia",
    kind: OrganisationKind = OrganisationKind.OFFICE,
) -> str:
    """A working key of `role` for `organisation` (created when it does not exist)."""
    org = await session.scalar(select(Organisation).where(Organisation.name == organisation))
    if org is None:
        org = await keys.create_organisation(session, name=organisation, kind=kind)
    _, key = await keys.create_key(session, organisation=org, role=role)
    return key
