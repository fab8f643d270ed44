"""Loading sources into the database: idempotent, all or nothing, history kept, runs recorded."""

import io
import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from importers.suivi_json import read_suivi_json
from models import Body, ImportRun, PositionRecord, Recommendation, RecommendationRevision
from models.enums import HrdRelevance, ImportStatus, Position
from suivi.records import RecordError
from suivi.services.import_flow import DocumentOptions, ImportFormat, run_import
from suivi.services.import_preparation import record_content
from suivi.services.import_report import ImportReport
from suivi.services.imports import stored_content
from tests.paths import FIXTURES, UPR_INFO_REAL
from tests.real_data import require

UPR_INFO = FIXTURES / "upr_info"


async def _import(
    session: AsyncSession, path: Path, *, dry_run: bool = False, skip_invalid: bool = False
) -> ImportReport:
    with path.open("rb") as stream:
        return await run_import(
            session,
            stream=stream,
            name=path.name,
            actor="test",
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )


async def _count(session: AsyncSession, model: type[object]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_creates_every_record(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "utf8-lf.csv")

    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    assert report.status is ImportStatus.SUCCEEDED
    assert await _count(session, Recommendation) == 3


async def test_reimport_creates_nothing(session: AsyncSession) -> None:
    await _import(session, UPR_INFO / "utf8-lf.csv")

    again = await _import(session, UPR_INFO / "macroman-cr.csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert await _count(session, Recommendation) == 3


async def test_defenders_tag_makes_a_recommendation_direct(session: AsyncSession) -> None:
    await _import(session, UPR_INFO / "utf8-lf.csv")

    rec = (
        await session.scalars(select(Recommendation).where(Recommendation.state_code == "TUN"))
    ).first()
    assert rec is not None
    assert rec.hrd_relevance is HrdRelevance.DIRECT
    assert {"source": "tag", "match": "Human rights defenders"} in rec.hrd_reasons


async def test_one_bad_row_commits_nothing_and_names_the_row(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "unknown-country.csv")

    assert report.status is ImportStatus.FAILED
    assert report.created == 0
    assert report.rejected == 1
    [error] = report.as_dict()["errors"]
    assert (error["line"], error["column"]) == (3, "From")
    assert error["message"].startswith("unknown recommending State 'Atlantis'")
    assert await _count(session, Recommendation) == 0


async def test_failed_run_is_still_recorded(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "unknown-country.csv")

    run = await session.get(ImportRun, report.import_run_id)
    assert run is not None
    assert run.status is ImportStatus.FAILED
    assert run.rejected == 1
    assert run.errors[0]["line"] == 3


async def test_skip_invalid_commits_the_valid_rows(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "unknown-country.csv", skip_invalid=True)

    assert (report.created, report.rejected) == (2, 1)
    assert report.status is ImportStatus.SUCCEEDED
    assert await _count(session, Recommendation) == 2


async def test_dry_run_counts_but_commits_nothing(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "utf8-lf.csv", dry_run=True)

    assert report.created == 3
    assert report.status is ImportStatus.DRY_RUN
    assert await _count(session, Recommendation) == 0


async def test_exact_duplicate_rows_are_counted_not_inserted(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "duplicate-row.csv")

    assert (report.created, report.duplicates) == (2, 1)


async def test_same_key_with_different_content_is_an_error(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "conflicting-row.csv")

    assert report.status is ImportStatus.FAILED
    [error] = report.errors
    assert error.location.line == 3
    assert "line 2" in error.message


async def test_changed_record_is_updated_and_its_history_kept(session: AsyncSession) -> None:
    await _import(session, UPR_INFO / "utf8-lf.csv")

    report = await _import(session, UPR_INFO / "utf8-lf-changed-response.csv")

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    revisions = (await session.scalars(select(RecommendationRevision))).all()
    assert [r.content["position"] for r in revisions] == ["supported"]
    changed = await session.get(Recommendation, revisions[0].recommendation_id)
    assert changed is not None
    await session.refresh(changed)
    assert changed.position is Position.NOTED
    history = (
        await session.scalars(
            select(PositionRecord.position)
            .where(PositionRecord.recommendation_id == changed.id)
            .order_by(PositionRecord.id)
        )
    ).all()
    assert history == [Position.SUPPORTED, Position.NOTED]


async def test_rows_link_to_their_import_run(session: AsyncSession) -> None:
    report = await _import(session, UPR_INFO / "utf8-lf.csv")

    run_ids = set((await session.scalars(select(Recommendation.import_run_id))).all())
    assert run_ids == {report.import_run_id}


async def test_format_is_detected_from_the_content(session: AsyncSession) -> None:
    with (UPR_INFO / "utf8-lf.csv").open("rb") as stream:
        report = await run_import(
            session, stream=stream, name="export", fmt=ImportFormat.AUTO, actor="test"
        )

    assert report.created == 3


async def test_real_upr_info_export_imports_whole_and_reimports_as_unchanged(
    session: AsyncSession,
) -> None:
    first = await _import(session, require(UPR_INFO_REAL))
    second = await _import(session, UPR_INFO_REAL)

    assert (first.created, first.rejected) == (6094, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6094)
    direct = await session.scalar(
        select(func.count())
        .select_from(Recommendation)
        .where(Recommendation.hrd_relevance == HrdRelevance.DIRECT)
    )
    assert direct is not None
    assert direct >= 138


async def test_uhri_export_loads_documents_and_new_mandates(session: AsyncSession) -> None:
    path = FIXTURES / "uhri" / "export.json"

    first = await _import(session, path)
    again = await _import(session, path)

    assert (first.created, first.rejected) == (5, 0)
    assert (again.created, again.unchanged) == (0, 5)
    food = await session.scalar(select(Body).where(Body.code == "SR-FOOD"))
    assert food is not None
    assert food.mechanism_code == "special_procedure"
    defenders = (
        await session.scalars(
            select(Recommendation)
            .join(Body, Body.id == Recommendation.body_id)
            .where(Body.code == "SR-HRD")
        )
    ).one()
    assert defenders.hrd_relevance is HrdRelevance.DIRECT
    assert defenders.document_id is not None


async def test_report_text_loads_by_document_and_paragraph(session: AsyncSession) -> None:
    path = FIXTURES / "un_text" / "one-per-line.txt"
    with path.open("rb") as stream:
        report = await run_import(
            session,
            stream=stream,
            name=path.name,
            options=DocumentOptions(symbol="A/HRC/99/7", state="TUN", session=27),
            actor="test",
        )

    assert report.rejected == 0
    assert report.created > 0
    keys = (await session.scalars(select(Recommendation.natural_key))).all()
    assert all(key.startswith("doc:A/HRC/99/7#") for key in keys)


async def test_stored_content_says_what_the_record_said(session: AsyncSession) -> None:
    # A revision keeps stored_content; it must be the shape and values record_content hashed.
    path = FIXTURES / "suivi_json" / "two-recommendations.json"
    await _import(session, path)
    with path.open("rb") as stream:
        records = [item for item in read_suivi_json(stream) if not isinstance(item, RecordError)]
    stored = (
        await session.scalars(
            select(Recommendation).options(
                selectinload(Recommendation.body),
                selectinload(Recommendation.document),
                selectinload(Recommendation.translations),
            )
        )
    ).all()
    by_key = {rec.natural_key: stored_content(rec) for rec in stored}

    assert len(records) == 2
    for record in records:
        assert by_key[record.natural_key] == record_content(record)


async def test_changed_translations_replace_the_old_ones(session: AsyncSession) -> None:
    path = FIXTURES / "suivi_json" / "two-recommendations.json"
    await _import(session, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["recommendations"][0]["texts"] = {
        "en": "Guarantee a safe environment for human rights defenders.",
        "es": "Garantizar un entorno seguro para los defensores de derechos humanos.",
    }
    with io.BytesIO(json.dumps(document).encode()) as stream:
        report = await run_import(session, stream=stream, name="changed.json", actor="test")

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    rec = await session.scalar(
        select(Recommendation)
        .where(Recommendation.natural_key == "doc:TEST/A/HRC/52/10#134.12")
        .options(selectinload(Recommendation.translations))
    )
    assert rec is not None
    assert rec.text == "Guarantee a safe environment for human rights defenders."
    assert {t.language: t.text for t in rec.translations} == {
        "es": "Garantizar un entorno seguro para los defensores de derechos humanos."
    }
    revision = await session.scalar(select(RecommendationRevision))
    assert revision is not None
    assert revision.content["translations"] == {
        "fr": "Garantir un environnement sûr aux défenseurs des droits de l'homme."
    }
