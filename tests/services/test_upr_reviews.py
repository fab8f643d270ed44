"""UPR recommendations take their review's date, cycle and report from the session calendar."""

import io

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import Recommendation
from suivi import upr_sessions
from suivi.services.import_flow import run_import
from tests.paths import FIXTURES

UPR_INFO = FIXTURES / "upr_info"


async def _stored(session: AsyncSession) -> list[Recommendation]:
    query = select(Recommendation).options(selectinload(Recommendation.document))
    return list((await session.scalars(query.order_by(Recommendation.id))).all())


async def test_upr_rows_are_dated_by_their_session(session: AsyncSession) -> None:
    with (UPR_INFO / "utf8-lf.csv").open("rb") as stream:
        await run_import(session, stream=stream, name="upr.csv", actor="test")

    for rec in await _stored(session):
        review = upr_sessions.session(rec.session or 0)
        assert review is not None
        assert rec.issued_date == review.start_date
        assert rec.cycle == review.cycle


async def test_upr_rows_get_their_review_as_document(session: AsyncSession) -> None:
    with (UPR_INFO / "utf8-lf.csv").open("rb") as stream:
        await run_import(session, stream=stream, name="upr.csv", actor="test")

    tunisia = [rec for rec in await _stored(session) if rec.state_code == "TUN"]
    assert tunisia
    for rec in tunisia:
        assert rec.document is not None
        assert rec.document.symbol == f"UPR/WG/{rec.session}/TUN"
        assert rec.document.title is not None
        assert "Tunisia" in rec.document.title
        assert rec.document.published_date == rec.issued_date


async def test_a_session_the_calendar_does_not_hold_stays_undated(session: AsyncSession) -> None:
    unknown = upr_sessions.latest_known().number + 40
    content = (
        "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
        f"Tunisia,African Group,,Protect defenders.,France,WEOG,,Accepted,5,General,{unknown}\n"
    ).encode()

    await run_import(session, stream=io.BytesIO(content), name="upr.csv", actor="test")

    [rec] = await _stored(session)
    assert rec.issued_date is None
    assert rec.document is None
    assert rec.session == unknown
