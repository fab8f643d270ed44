"""Rows of one recommendation that differ only in annotations are one record, merged."""

import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Recommendation, RecommendationRevision
from models.enums import HrdRelevance, ImportStatus
from suivi.services import imports
from suivi.services.import_flow import run_import
from suivi.services.import_report import ImportReport
from tests.paths import FIXTURES

ANNOTATION_DUPLICATE = (FIXTURES / "upr_info" / "annotation-duplicate.csv").read_bytes()
HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
JOURNALISTS = "Guarantee that journalists can work without reprisals."


async def _import(session: AsyncSession, content: bytes) -> ImportReport:
    return await run_import(session, stream=io.BytesIO(content), name="upr.csv", actor="test")


def _row(text: str, issues: str, *, response: str = "Accepted", session: int = 13) -> str:
    return f'Tunisia,African Group,,{text},France,WEOG,EU,{response},5,"{issues}",{session}\n'


def _filler(count: int) -> str:
    return "".join(_row(f"Recommendation number {n}.", "General") for n in range(count))


async def _journalists(session: AsyncSession) -> Recommendation:
    return (
        await session.scalars(select(Recommendation).where(Recommendation.text == JOURNALISTS))
    ).one()


async def test_rows_differing_in_tags_are_one_recommendation(session: AsyncSession) -> None:
    report = await _import(session, ANNOTATION_DUPLICATE)

    assert (report.created, report.duplicates, report.rejected) == (2, 1, 0)
    rec = await _journalists(session)
    assert rec.themes == ["Freedom of the press", "Human rights defenders"]
    # The merged tags classify it: the defenders' tag came from the second row.
    assert rec.hrd_relevance is HrdRelevance.DIRECT


async def test_merge_is_reported_with_both_lines(session: AsyncSession) -> None:
    report = await _import(session, ANNOTATION_DUPLICATE)

    [warning] = report.as_dict()["warnings"]
    assert (warning["line"], warning["first_line"]) == (4, 2)
    assert "themes" in warning["message"]


async def test_reimport_of_merged_rows_changes_nothing(session: AsyncSession) -> None:
    await _import(session, ANNOTATION_DUPLICATE)

    again = await _import(session, ANNOTATION_DUPLICATE)

    assert (again.created, again.updated, again.unchanged, again.duplicates) == (0, 0, 2, 1)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 5 rows, so that a duplicate falls in a later batch than its first row."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 5)


@pytest.mark.usefixtures("small_batches")
async def test_rows_merge_across_batches(session: AsyncSession) -> None:
    content = (
        HEADER
        + _row(JOURNALISTS, "Freedom of the press")
        + _filler(12)
        + _row(JOURNALISTS, "Human rights defenders")
    ).encode()

    first = await _import(session, content)
    again = await _import(session, content)

    assert (first.created, first.updated, first.duplicates) == (13, 0, 1)
    assert (await _journalists(session)).themes == [
        "Freedom of the press",
        "Human rights defenders",
    ]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 13)
    revisions = await session.scalar(select(func.count()).select_from(RecommendationRevision))
    assert revisions == 0


@pytest.mark.usefixtures("small_batches")
async def test_a_new_tag_in_a_later_batch_updates_a_stored_recommendation(
    session: AsyncSession,
) -> None:
    await _import(session, (HEADER + _row(JOURNALISTS, "Freedom of the press")).encode())
    content = (
        HEADER
        + _row(JOURNALISTS, "Freedom of the press")
        + _filler(12)
        + _row(JOURNALISTS, "Human rights defenders")
    ).encode()

    report = await _import(session, content)

    assert (report.created, report.updated, report.unchanged) == (12, 1, 0)
    assert (await _journalists(session)).themes == [
        "Freedom of the press",
        "Human rights defenders",
    ]
    revisions = await session.scalar(select(func.count()).select_from(RecommendationRevision))
    assert revisions == 1


async def test_rows_differing_in_position_stay_a_conflict(session: AsyncSession) -> None:
    content = (
        HEADER
        + _row(JOURNALISTS, "Freedom of the press")
        + _row(JOURNALISTS, "Freedom of the press", response="Noted")
    ).encode()

    report = await _import(session, content)

    assert report.status is ImportStatus.FAILED
    [error] = report.as_dict()["errors"]
    assert error["line"] == 3
    assert "line 2" in error["message"]
