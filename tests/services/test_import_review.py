"""Messy and hostile sources: conflicts written back, values the database cannot hold refused."""

import copy
import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from importers.uhri import read_uhri
from importers.upr_info import read_upr_info
from models import Recommendation
from models.enums import ImportStatus
from suivi import upr_sessions
from suivi.records import RecommendationRecord
from suivi.services import imports
from suivi.services.import_flow import (
    DocumentOptions,
    ImportFormat,
    run_import,
    write_rejected_report,
)
from suivi.services.import_report import ImportReport
from tests.paths import FIXTURES

HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
JOURNALISTS = "Guarantee that journalists can work without reprisals."
UHRI_RECORD: dict[str, Any] = json.loads((FIXTURES / "uhri" / "export.json").read_text())[0]
SUIVI_RECORD: dict[str, Any] = json.loads(
    (FIXTURES / "suivi_json" / "two-recommendations.json").read_text()
)["recommendations"][0]


async def _import(
    session: AsyncSession, content: bytes, *, name: str = "upr.csv", skip_invalid: bool = False
) -> ImportReport:
    return await run_import(
        session, stream=io.BytesIO(content), name=name, actor="test", skip_invalid=skip_invalid
    )


def _row(text: str, issues: str, *, response: str = "Accepted", session: int | str = 13) -> str:
    return f'Tunisia,African Group,,{text},France,WEOG,EU,{response},5,"{issues}",{session}\n'


def _suivi_json(*records: dict[str, Any]) -> bytes:
    return json.dumps({"format": "suivi", "version": 1, "recommendations": records}).encode()


def _uhri(*records: dict[str, Any]) -> bytes:
    return json.dumps(records).encode()


async def test_conflicting_row_is_written_back_in_its_own_columns(
    session: AsyncSession, tmp_path: Path
) -> None:
    content = (
        HEADER
        + _row(JOURNALISTS, "Freedom of the press")
        + _row(JOURNALISTS, "Freedom of the press", response="Noted")
    ).encode()
    report = await _import(session, content, skip_invalid=True)
    path = tmp_path / "upr.csv.rejected.csv"

    write_rejected_report(path, report=report)

    [row] = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert (row["To"], row["Text"], row["Response"], row["line"]) == (
        "Tunisia",
        JOURNALISTS,
        "Noted",
        "3",
    )


async def test_conflicting_row_fixed_in_the_rejected_file_imports_again(
    session: AsyncSession, tmp_path: Path
) -> None:
    content = (
        HEADER
        + _row(JOURNALISTS, "Freedom of the press")
        + _row(JOURNALISTS, "Freedom of the press", response="Noted")
    ).encode()
    path = tmp_path / "upr.csv.rejected.csv"
    write_rejected_report(path, report=await _import(session, content, skip_invalid=True))
    fixed = path.read_bytes().replace(b",Noted,", b",Accepted,")

    again = await _import(session, fixed, name=path.name, skip_invalid=True)

    assert (again.status, again.rejected, again.unchanged) == (ImportStatus.SUCCEEDED, 0, 1)


async def test_conflicting_uhri_record_is_written_back_whole(
    session: AsyncSession, tmp_path: Path
) -> None:
    other = {**copy.deepcopy(UHRI_RECORD), "UprPositions": ["Noted"]}
    report = await _import(session, _uhri(UHRI_RECORD, other), name="uhri.json", skip_invalid=True)
    path = tmp_path / "uhri.json.rejected.json"

    write_rejected_report(path, report=report)

    [written] = json.loads(path.read_bytes())
    assert written["UprPositions"] == ["Noted"]
    assert written["AnnotationId"] == UHRI_RECORD["AnnotationId"]
    assert written["rejected"]["record"] == 1


async def test_conflicting_suivi_json_record_is_written_back_whole(
    session: AsyncSession, tmp_path: Path
) -> None:
    other = {**copy.deepcopy(SUIVI_RECORD), "position": "noted"}
    report = await _import(
        session, _suivi_json(SUIVI_RECORD, other), name="suivi.json", skip_invalid=True
    )
    path = tmp_path / "suivi.json.rejected.json"

    write_rejected_report(path, report=report)

    assert json.loads(path.read_bytes())["recommendations"] == [other]


async def test_session_past_the_database_bound_is_a_rejected_row(session: AsyncSession) -> None:
    content = (
        HEADER
        + _row(JOURNALISTS, "Freedom of the press", session=40000)
        + _row("Protect defenders.", "General", session="9" * 5000)
    ).encode()

    report = await _import(session, content, skip_invalid=True)

    assert [(e.location.line, e.column) for e in report.errors] == [(2, "Session"), (3, "Session")]


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"paragraph": "1" * 40}, "paragraph"),
        ({"annotation_type": "x" * 100}, "annotation_type"),
        ({"session": 40000}, "session"),
        ({"cycle": 40000}, "cycle"),
        ({"sdgs": ["16.10." * 4]}, "sdgs"),
        ({"texts": {"en": "Protect defenders.", "en-GB-oxendict": "x"}}, "translations"),
        ({"document_symbol": "S" * 300}, "document_symbol"),
        ({"themes": ["Defenders " * 60]}, "themes"),
        ({"texts": {"en": "Protect\u0000 defenders."}}, "text"),
        ({"hrd_reasons": [{"source": "tag", "match": "a\u0000b"}]}, "hrd_reasons"),
    ],
)
async def test_suivi_json_value_the_database_cannot_hold_is_a_rejected_record(
    session: AsyncSession, change: dict[str, Any], column: str
) -> None:
    record = {**copy.deepcopy(SUIVI_RECORD), **change}

    report = await _import(session, _suivi_json(record), name="suivi.json", skip_invalid=True)

    assert [(e.location.record, e.column) for e in report.errors] == [(0, column)]
    assert report.errors[0].original == record


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"AnnotationId": "a" * 3000}, "natural_key"),
        ({"Themes": ["Defenders " * 300]}, "themes"),
        ({"Text": "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1 Ratify the Protocol"}, "paragraph"),
        ({"Text": "125.51 Ratify \u0000 the Protocol"}, "text"),
        ({"UprSession": ["Session " + "9" * 5000]}, "UprSession"),
    ],
)
async def test_uhri_value_the_database_cannot_hold_is_a_rejected_record(
    session: AsyncSession, change: dict[str, Any], column: str
) -> None:
    record = {**copy.deepcopy(UHRI_RECORD), **change}

    report = await _import(session, _uhri(record), name="uhri.json", skip_invalid=True)

    assert [(e.location.record, e.column) for e in report.errors] == [(0, column)]


async def test_nul_character_in_a_csv_cell_is_a_rejected_row(session: AsyncSession) -> None:
    content = (HEADER + _row("Protect\x00 defenders.", "General")).encode()

    report = await _import(session, content, skip_invalid=True)

    assert [(e.location.line, e.column) for e in report.errors] == [(2, "text")]


async def test_session_beyond_the_calendar_is_a_warning_once(session: AsyncSession) -> None:
    beyond = upr_sessions.latest_known().number + 1
    content = (
        HEADER
        + _row(JOURNALISTS, "General", session=beyond)
        + _row("Protect defenders.", "General", session=beyond)
    ).encode()

    report = await _import(session, content)

    [warning] = report.as_dict()["warnings"]
    assert warning["line"] == 2
    assert f"session {beyond} is not in" in warning["message"]


def test_unknown_state_spelling_is_scored_once_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    extract = process.extract

    def counting(query: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(query)
        return extract(query, *args, **kwargs)

    monkeypatch.setattr(process, "extract", counting)
    rows = "".join(
        f"Tunisie du Nordd,,,Recommendation {n}.,Atlantiss,,,Accepted,5,General,13\n"
        for n in range(50)
    )

    items = list(read_upr_info(io.BytesIO((HEADER + rows).encode())))

    assert len(items) == 100
    assert sorted(calls) == ["atlantiss", "tunisie nordd"]


async def test_error_quoting_a_nul_character_is_recorded_with_the_run(
    session: AsyncSession,
) -> None:
    record = {**copy.deepcopy(UHRI_RECORD), "AnnotationId": "a\u0000b"}
    del record["Body"]

    report = await _import(session, _uhri(record), name="uhri.json", skip_invalid=True)

    run = await imports.get_run(session, run_id=report.import_run_id or 0)
    assert [error["column"] for error in run.errors] == ["Body"]
    assert "\ufffd" in run.errors[0]["message"]


async def test_un_names_in_russian_chinese_and_formal_forms_resolve(
    session: AsyncSession,
) -> None:
    named = {
        "la République tunisienne": "TUN",
        "Кыргызстан": "KGZ",
        "俄罗斯联邦": "RUS",
        "Святой Престол": "VAT",
        "多民族玻利维亚国": "BOL",
        "Тимор-Лешти": "TLS",
    }
    content = HEADER + "".join(
        f"{name},,,Protect defenders in {code}.,{name},,,Accepted,5,General,13\n"
        for name, code in named.items()
    )

    report = await _import(session, content.encode())

    assert report.rejected == 0, report.as_dict()["errors"]
    stored = (await session.execute(select(Recommendation.state_code))).scalars().all()
    assert sorted(stored) == sorted(named.values())


async def test_suivi_json_duplicate_with_other_relevance_is_a_conflict(
    session: AsyncSession,
) -> None:
    other = {**copy.deepcopy(SUIVI_RECORD), "hrd_relevance": "none", "hrd_reasons": []}

    report = await _import(session, _suivi_json(SUIVI_RECORD, other), name="suivi.json")

    assert [(e.location.record, e.column) for e in report.errors] == [(1, None)]
    assert "record 0" in report.errors[0].message


def test_uhri_text_of_unclosed_tags_is_read_in_linear_time() -> None:
    # Just under the longest string a record may hold (131,072 characters).
    record = {**copy.deepcopy(UHRI_RECORD), "Text": "125.51 Ratify " + "<script><a<!--" * 9_000}
    started = time.perf_counter()

    [item] = read_uhri(io.BytesIO(_uhri(record)))

    # Quadratic, this text took about five seconds; read in one pass, a few milliseconds.
    assert time.perf_counter() - started < 2
    assert isinstance(item, RecommendationRecord)


async def test_long_unnumbered_passage_is_read_in_linear_time(session: AsyncSession) -> None:
    text = "120.1 Protect human rights defenders (France);\n" + "an annex line.\n" * 50_000
    started = time.perf_counter()

    report = await run_import(
        session,
        stream=io.BytesIO(text.encode()),
        name="report.txt",
        actor="test",
        options=DocumentOptions(symbol="A/HRC/99/7", state="Tunisia", session=27),
    )

    # Quadratic, this text took over ten minutes.
    assert time.perf_counter() - started < 10
    assert report.created == 1


async def test_utf16_upr_info_export_is_recognised_without_a_format(
    session: AsyncSession,
) -> None:
    content = (FIXTURES / "upr_info" / "utf8-lf.csv").read_text(encoding="utf-8")

    report = await _import(session, content.encode("utf-16"))

    assert (report.status, report.created) == (ImportStatus.SUCCEEDED, 3)


async def test_rows_after_a_malformed_row_are_still_read(session: AsyncSession) -> None:
    content = (
        HEADER
        + _row("Protect defenders.", "General")
        + 'Tunisia,,,"Protect "journalists" now",France,,,Accepted,5,General,13\n'
        + _row("Protect lawyers.", "General")
    ).encode()

    report = await _import(session, content, skip_invalid=True)

    assert (report.created, report.rejected) == (2, 1)
    [rejected] = report.as_dict()["rejected_records"]
    assert rejected["line"] == 3
    assert (rejected["original"]["To"], rejected["original"]["From"]) == ("Tunisia", "France")


async def test_malformed_header_is_a_rejected_file_not_a_crash(session: AsyncSession) -> None:
    report = await run_import(
        session,
        stream=io.BytesIO(b'"To"x,To-Rgrp\nTunisia,African Group\n'),
        name="upr.csv",
        actor="test",
        fmt=ImportFormat.UPR_INFO,
    )

    assert report.status is ImportStatus.FAILED
    assert [(e.location.line, e.message[:20]) for e in report.errors] == [
        (1, "malformed CSV header")
    ]
