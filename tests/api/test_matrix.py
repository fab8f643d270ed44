"""GET /v1/states/{code}/matrix.xlsx: the implementation matrix an office hands to mechanisms."""

import io
from datetime import UTC, date, datetime
from typing import Any

import httpx
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from models import ActionRecommendation, FollowUpGrade, Recommendation
from models.enums import (
    AssessorKind,
    Confidentiality,
    Grade,
    HrdRelevance,
    ImplementationStatus,
    Position,
    ReviewState,
    SourceType,
)
from suivi.exporters.matrix import COLUMNS, HEADERS, NO_THEME, MatrixLanguage
from suivi.exporters.table import CUT_MARKER
from tests import factories

URL = "/v1/states/TUN/matrix.xlsx"


def _sheet(response: httpx.Response) -> Worksheet:
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _rows(sheet: Worksheet) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _all_text(sheet: Worksheet) -> str:
    """Every cell of the sheet, header included, as one text to search."""
    return "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)


async def _recommendations(session: AsyncSession) -> list[Recommendation]:
    doc = await factories.document(session, "A/HRC/52/10")
    return [
        await factories.recommendation(
            session,
            doc,
            "105.1",
            texts={
                "en": "Protect defenders from reprisals.",
                "ar": "حماية المدافعين من الانتقام.",
            },
            hrd=HrdRelevance.DIRECT,
            position=Position.SUPPORTED,
            recommending_states=["FRA"],
            themes=["Human rights defenders", "Freedom of expression"],
            affected_persons=["human rights defenders"],
        ),
        await factories.recommendation(
            session,
            doc,
            "105.2",
            hrd=HrdRelevance.RELATED,
            themes=["Human rights defenders"],
        ),
        await factories.recommendation(session, doc, "105.3", texts={"en": "=1+1 ratify."}),
    ]


async def test_one_row_per_recommendation_under_each_of_its_themes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first, second, unthemed = await _recommendations(session)
    elsewhere = await factories.document(session, "A/HRC/52/11", state="EGY")
    await factories.recommendation(session, elsewhere, "1", themes=["Human rights defenders"])

    sheet = _sheet(await client.get(URL))

    rows = [(row["Theme"], row["Id"]) for row in _rows(sheet)]
    assert rows == [
        ("Freedom of expression", first.id),
        ("Human rights defenders", first.id),
        ("Human rights defenders", second.id),
        ("(no theme)", unthemed.id),
    ]


async def test_matrix_opens_ready_to_read(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _recommendations(session)

    response = await client.get(URL)
    sheet = _sheet(response)

    assert [cell.value for cell in sheet[1]] == HEADERS[MatrixLanguage.EN]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M5"
    assert sheet.column_dimensions["C"].width > 50
    assert sheet["C2"].alignment.wrap_text
    assert not sheet.sheet_view.rightToLeft
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="suivi-matrix-TUN-'
    )


async def test_formula_looking_text_is_neutralised(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _recommendations(session)

    sheet = _sheet(await client.get(URL))

    cell = sheet["C5"]
    assert (cell.value, cell.data_type) == ("'=1+1 ratify.", "s")


async def test_follow_up_is_public_only_and_never_names_a_confidential_submitter(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec, *_ = await _recommendations(session)
    ministry = await factories.institution(session, "Ministry of Justice")
    action = await factories.action(
        session, "Draft law on associations", institution_id=ministry.id
    )
    session.add(ActionRecommendation(action_id=action.id, recommendation_id=rec.id))
    session.add(
        FollowUpGrade(
            recommendation_id=rec.id,
            grade=Grade.B,
            sub_grade="B1",
            assessor_kind=AssessorKind.COMMITTEE,
            assessor="Human Rights Committee",
            graded_date=date(2023, 4, 1),
        )
    )
    league = await factories.organisation_called(session, "Tunisian League")
    secret = await factories.organisation_called(session, "Defenders Under Threat")
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        organisation_id=league.id,
        source_type=SourceType.NHRI,
        narrative="Bill tabled.",
        review_state=ReviewState.PUBLISHED,
        as_of_date=date(2024, 1, 1),
    )
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        organisation_id=secret.id,
        narrative="Arrests continue.",
        assessed_status=ImplementationStatus.REGRESSED,
        confidentiality=Confidentiality.CONFIDENTIAL_SUBMITTER,
        review_state=ReviewState.PUBLISHED,
        as_of_date=date(2024, 6, 1),
    )
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        source_type=SourceType.GOVERNMENT,
        narrative="Restricted note.",
        confidentiality=Confidentiality.RESTRICTED,
        review_state=ReviewState.PUBLISHED,
    )
    await factories.progress_update(
        session,
        recommendation_id=rec.id,
        source_type=SourceType.NHRI,
        narrative="Not yet reviewed.",
    )

    response = await client.get(URL, params={"hrd": "direct"})
    rows = _rows(_sheet(response))

    assert [row["Theme"] for row in rows] == ["Freedom of expression", "Human rights defenders"]
    row = rows[1]
    assert row["Actions and institutions"] == (
        "• Draft law on associations — Ministry of Justice (legislation, ongoing)"
    )
    assert row["Status per source"] == "NHRI: in progress\nCivil society: regressed"
    assert row["Latest published assessments"] == (
        "2024-06-01 · Civil society: regressed. Arrests continue.\n\n"
        "2024-01-01 · NHRI (Tunisian League): in progress. Bill tabled."
    )
    assert row["Grade"] == "B1 (Human Rights Committee, 2023-04-01)"
    assert row["Source"] == (
        "UPR · A/HRC/52/10 · para. 105.1\ncycle 4 · session 41 · 2022-11-10\nRecommended by: France"
    )
    assert row["Position"] == "supported"
    # The workbook is compressed: its bytes would not show a leak, its cells do.
    everything = _all_text(_sheet(response))
    for hidden in ("Defenders Under Threat", "Restricted note", "Not yet reviewed"):
        assert hidden not in everything


async def test_hrd_filter_keeps_only_the_relevance_asked(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first, second, _ = await _recommendations(session)

    related = _rows(_sheet(await client.get(URL, params={"hrd": "related"})))
    any_ = _rows(_sheet(await client.get(URL, params={"hrd": "any"})))

    assert {row["Id"] for row in related} == {second.id}
    assert {row["Id"] for row in any_} == {first.id, second.id}


async def test_arabic_matrix_is_right_to_left_with_arabic_headers_and_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first, second, _ = await _recommendations(session)

    sheet = _sheet(await client.get(URL, params={"lang": "ar"}))

    assert sheet.sheet_view.rightToLeft
    assert [cell.value for cell in sheet[1]] == HEADERS[MatrixLanguage.AR]
    texts = {row["الرقم"]: row["التوصية"] for row in _rows(sheet)}
    assert texts[first.id] == "حماية المدافعين من الانتقام."
    assert texts[second.id] == second.text


async def test_a_country_without_recommendations_gets_an_empty_matrix(
    client: httpx.AsyncClient,
) -> None:
    sheet = _sheet(await client.get("/v1/states/NOR/matrix.xlsx"))

    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        HEADERS[MatrixLanguage.EN]
    ]


async def test_unknown_state_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/states/QQQ/matrix.xlsx")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "QQQ" in response.json()["detail"]


async def test_malformed_state_code_and_language_are_422(client: httpx.AsyncClient) -> None:
    lower = await client.get("/v1/states/tun/matrix.xlsx")
    language = await client.get(URL, params={"lang": "de"})

    assert lower.status_code == 422
    assert language.status_code == 422
    assert [error["name"] for error in language.json()["errors"]] == ["lang"]


@pytest.mark.parametrize(
    ("language", "text", "headers"),
    [
        (
            MatrixLanguage.FR,
            "Protéger les défenseurs.",
            ("Thème", "Recommandation", "(sans thème)"),
        ),
        (MatrixLanguage.ES, "Proteger a los defensores.", ("Tema", "Recomendación", "(sin tema)")),
    ],
)
async def test_a_matrix_has_its_language_headers_and_text(
    client: httpx.AsyncClient,
    session: AsyncSession,
    language: MatrixLanguage,
    text: str,
    headers: tuple[str, str, str],
) -> None:
    theme, recommendation, no_theme = headers
    doc = await factories.document(session, "A/HRC/52/10")
    rec = await factories.recommendation(
        session, doc, "105.1", texts={"en": "Protect defenders.", language.value: text}
    )

    sheet = _sheet(await client.get(URL, params={"lang": language.value}))

    assert [cell.value for cell in sheet[1]] == HEADERS[language]
    assert not sheet.sheet_view.rightToLeft
    [row] = _rows(sheet)
    assert (row["Id"], row[theme], row[recommendation]) == (rec.id, no_theme, text)


async def test_every_text_cell_is_neutralised(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "A/HRC/52/10")
    await factories.recommendation(
        session, doc, "1", themes=["=cmd"], affected_persons=["@persons"]
    )

    [row] = _rows(_sheet(await client.get(URL)))

    assert (row["Theme"], row["Themes"], row["Affected persons"]) == ("'=cmd", "'=cmd", "'@persons")


async def test_a_text_over_excel_limit_is_cut_with_a_marker(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "A/HRC/52/10")
    long_text = "Protect defenders 😀. " * 3_000
    await factories.recommendation(session, doc, "1", texts={"en": long_text})

    [row] = _rows(_sheet(await client.get(URL)))

    cell = row["Recommendation"]
    assert len(cell.encode("utf-16-le")) // 2 <= 32_767
    assert cell.endswith(CUT_MARKER)
    assert long_text.startswith(cell.removesuffix(CUT_MARKER))


async def test_rejected_retracted_and_archived_follow_up_stays_out(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rec, *_ = await _recommendations(session)
    archived = await factories.action(
        session, "Withdrawn decree", archived_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    session.add(ActionRecommendation(action_id=archived.id, recommendation_id=rec.id))
    for state, narrative in (
        (ReviewState.REJECTED, "Rejected claim."),
        (ReviewState.RETRACTED, "Retracted claim."),
    ):
        await factories.progress_update(
            session, recommendation_id=rec.id, narrative=narrative, review_state=state
        )
    await session.flush()

    everything = _all_text(_sheet(await client.get(URL)))

    assert "Recommended by" in everything
    for hidden in ("Withdrawn decree", "Rejected claim", "Retracted claim"):
        assert hidden not in everything


def test_every_language_of_the_matrix_has_its_headers_and_no_theme_wording() -> None:
    assert set(HEADERS) == set(NO_THEME) == set(MatrixLanguage)
    assert all(len(headers) == len(COLUMNS) for headers in HEADERS.values())
