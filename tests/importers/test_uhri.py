"""Reading OHCHR's Universal Human Rights Index JSON export as it really comes."""

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from importers.uhri import read_uhri
from models.enums import MechanismCode, Position, SourceFormat
from suivi.records import RecommendationRecord, RecordError, SourceLocation
from tests.paths import UHRI_REAL_RECORD
from tests.real_data import require

UHRI = Path(__file__).resolve().parents[1] / "fixtures" / "uhri"


def _read(path: Path) -> list[RecommendationRecord | RecordError]:
    with path.open("rb") as stream:
        return list(read_uhri(stream))


def _records(items: list[RecommendationRecord | RecordError]) -> list[RecommendationRecord]:
    assert all(isinstance(item, RecommendationRecord) for item in items), items
    return [item for item in items if isinstance(item, RecommendationRecord)]


def _errors(items: list[RecommendationRecord | RecordError]) -> list[RecordError]:
    return [item for item in items if isinstance(item, RecordError)]


def _annotation(**fields: Any) -> dict[str, Any]:
    """A treaty-body record in the export's shape, with `fields` replaced."""
    annotation: dict[str, Any] = {
        "AffectedPersons": [],
        "AnnotationId": "e3b0c442-98fc-4c14-9afb-f4c8996fb901",
        "AnnotationType": "- Recommendations",
        "Body": "- CCPR",
        "Countries": ["Tunisia"],
        "DocumentId": "a1b2c3d4-0000-4000-8000-000000000001",
        "PublicationDate": "2020-04-24T00:00:00",
        "PublicationDateOnUhri": "2020-06-15T09:30:00.000",
        "Regions": ["Africa"],
        "Sdgs": [],
        "Symbol": "CCPR/C/TUN/CO/6",
        "Text": "44. The State party should protect human rights defenders.",
        "Themes": [],
        "UprCycle": None,
        "UprPositions": [],
        "UprRecommendingCountry": [],
        "UprRecommendingRegions": [],
        "UprSession": [],
    }
    annotation.update(fields)
    return annotation


def _read_annotations(*annotations: Any) -> list[RecommendationRecord | RecordError]:
    return list(read_uhri(io.BytesIO(json.dumps(list(annotations)).encode())))


def _only_record(**fields: Any) -> RecommendationRecord:
    [record] = _records(_read_annotations(_annotation(**fields)))
    return record


def _only_error(**fields: Any) -> RecordError:
    [error] = _errors(_read_annotations(_annotation(**fields)))
    return error


def test_upr_recommendation_maps_positions_states_session_and_cycle() -> None:
    upr = _records(_read(UHRI / "export.json"))[0]

    assert upr.natural_key == "uhri:0d5f7c1e-2b4a-4c8e-9f10-1a2b3c4d5e01"
    assert upr.source_record_id == "0d5f7c1e-2b4a-4c8e-9f10-1a2b3c4d5e01"
    assert upr.source_format is SourceFormat.UHRI
    assert upr.location == SourceLocation(record=0)
    assert (upr.state, upr.body, upr.mechanism) == ("TUN", "UPR", MechanismCode.UPR)
    assert upr.language == "en"
    assert upr.annotation_type == "Recommendations"
    assert upr.document_symbol == "A/HRC/36/5"
    assert upr.paragraph == "125.51"
    assert upr.text.startswith("Ensure that human rights defenders")
    assert upr.position is Position.SUPPORTED
    assert upr.recommending_states == ["FRA", "NOR"]
    assert (upr.session, upr.cycle) == (27, 3)
    assert upr.issued_date == date(2017, 7, 11)
    assert upr.sdgs == ["16.10"]
    assert upr.affected_persons == ["Human rights defenders", "Journalists & media workers"]
    assert (upr.hrd_relevance, upr.hrd_reasons) == (None, None)


def test_missing_upr_cycle_is_derived_from_the_session() -> None:
    upr = _records(_read(UHRI / "export.json"))[1]

    assert (upr.state, upr.session, upr.cycle) == ("BOL", 34, 3)
    assert upr.recommending_states == ["CIV"]
    assert upr.affected_persons == []


def test_supported_and_noted_together_is_supported_in_part() -> None:
    upr = _records(_read(UHRI / "export.json"))[1]

    assert upr.position is Position.SUPPORTED_IN_PART


def test_treaty_body_recommendation_keeps_committee_and_paragraph() -> None:
    ccpr = _records(_read(UHRI / "export.json"))[2]

    assert (ccpr.body, ccpr.mechanism, ccpr.body_name) == ("CCPR", MechanismCode.TREATY_BODY, None)
    assert ccpr.paragraph == "44"
    assert ccpr.text.startswith("The State party should take all measures")
    assert not ccpr.text.endswith(" ")
    assert (ccpr.position, ccpr.session, ccpr.cycle, ccpr.recommending_states) == (
        None,
        None,
        None,
        [],
    )
    assert ccpr.sdgs == ["16.3", "16.10"]


def test_special_rapporteur_on_defenders_is_the_seeded_mandate() -> None:
    sr = _records(_read(UHRI / "export.json"))[3]

    assert (sr.body, sr.mechanism, sr.body_name) == (
        "SR-HRD",
        MechanismCode.SPECIAL_PROCEDURE,
        None,
    )
    assert (sr.state, sr.paragraph) == ("MEX", "112")
    assert sr.text.startswith("The Special Rapporteur recommends")


def test_mandate_not_seeded_gets_a_derived_code_and_its_full_name() -> None:
    food = _records(_read(UHRI / "export.json"))[4]

    assert (food.body, food.mechanism) == ("SR-FOOD", MechanismCode.SPECIAL_PROCEDURE)
    assert food.body_name == "SR on the right to food"


def test_html_text_becomes_readable_plain_text() -> None:
    food = _records(_read(UHRI / "export.json"))[4]

    assert food.paragraph == "87"
    assert food.text == (
        "The Special Rapporteur recommends that the State:\n"
        "(a) Adopt a framework law on the right to food & nutrition;\n"
        "(b) Guarantee school meals for every child in rural areas."
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("- SR on freedom of opinion and expression", "SR-EXPRESSION"),
        ("- SR on the rights to freedom of peaceful assembly and of association", "SR-ASSEMBLY"),
        ("- SR on the independence of judges and lawyers", "SR-JUDGES"),
        ("- SR on torture", "SR-TORTURE"),
        ("- SR on human rights and counter-terrorism", "SR-TERRORISM"),
        ("- SR on violence against women and girls", "SR-VAW"),
        ("- WG on arbitrary detention", "WG-AD"),
        ("- WG on enforced or involuntary disappearances", "WG-EID"),
    ],
)
def test_seeded_mandates_are_recognised_by_name(body: str, code: str) -> None:
    record = _only_record(Body=body)

    assert (record.body, record.body_name) == (code, None)


def test_long_mandate_name_gets_a_stable_code_of_at_most_32_characters() -> None:
    body = "- SR on adequate housing as a component of the right to an adequate standard of living"

    first, second = _records(_read_annotations(_annotation(Body=body), _annotation(Body=body)))

    assert len(first.body) <= 32
    assert first.body.startswith("SR-ADEQUATE-HOUSING")
    assert first.body == second.body
    assert first.body_name == body.removeprefix("- ")


def test_unknown_body_is_an_error_naming_it() -> None:
    error = _only_error(Body="- Human Rights Council")

    assert error.column == "Body"
    assert "'- Human Rights Council'" in error.message


@pytest.mark.parametrize(
    ("text", "paragraph", "rest"),
    [
        ("4.The Committee reminds", "4", "The Committee reminds"),
        ("118.7 Ratify the Convention", "118.7", "Ratify the Convention"),
        ("105.34. Ratify the Convention", "105.34", "Ratify the Convention"),
        ("23. (a) Investigate all attacks", "23", "(a) Investigate all attacks"),
        ("2030 Agenda targets should guide", None, "2030 Agenda targets should guide"),
        ("Ratify the Convention", None, "Ratify the Convention"),
    ],
)
def test_paragraph_number_is_taken_from_the_start_of_the_text(
    text: str, paragraph: str | None, rest: str
) -> None:
    record = _only_record(Text=text)

    assert (record.paragraph, record.text) == (paragraph, rest)


def test_unknown_country_is_an_error_naming_it() -> None:
    items = _read(UHRI / "unknown-country.json")

    [error] = _errors(items)
    assert error.location == SourceLocation(record=1)
    assert error.column == "Countries"
    assert "'Atlantis'" in error.message
    assert [r.state for r in _records(items[:1])] == ["MAR"]


def test_several_countries_is_an_error_naming_them() -> None:
    error = _only_error(Countries=["Tunisia", "Morocco"])

    assert error.column == "Countries"
    assert "'Tunisia'" in error.message
    assert "'Morocco'" in error.message


def test_no_country_is_an_error() -> None:
    error = _only_error(Countries=[])

    assert error.column == "Countries"


def test_unknown_recommending_state_is_an_error_naming_it() -> None:
    error = _only_error(Body="- UPR", UprRecommendingCountry=["France", "Freedonia"])

    assert error.column == "UprRecommendingCountry"
    assert "'Freedonia'" in error.message


@pytest.mark.parametrize(
    ("positions", "position"),
    [
        (["Supported"], Position.SUPPORTED),
        (["Accepted"], Position.SUPPORTED),
        (["Noted"], Position.NOTED),
        (["Rejected"], Position.NOTED),
        (["Partially supported"], Position.SUPPORTED_IN_PART),
        (["Supported", "Noted"], Position.SUPPORTED_IN_PART),
        (["Voluntary pledge"], Position.PLEDGE),
        (["Pending"], Position.PENDING),
        (["Deferred"], Position.PENDING),
        (["Pending", "Supported"], Position.SUPPORTED),
        ([], None),
        (None, None),
    ],
)
def test_upr_positions_map_to_the_state_answer(
    positions: list[str] | None, position: Position | None
) -> None:
    record = _only_record(Body="- UPR", UprPositions=positions, UprSession=[30])

    assert record.position is position


def test_unknown_upr_position_is_an_error_naming_it() -> None:
    error = _only_error(Body="- UPR", UprPositions=["Maybe later"])

    assert error.column == "UprPositions"
    assert "'Maybe later'" in error.message


def test_upr_session_given_as_text_or_number_reads_the_same() -> None:
    as_text = _only_record(Body="- UPR", UprSession=["41"], UprCycle="4")
    as_number = _only_record(Body="- UPR", UprSession=41, UprCycle=None)

    assert (as_text.session, as_text.cycle) == (41, 4)
    assert (as_number.session, as_number.cycle) == (41, 4)


def test_malformed_date_is_an_error_naming_the_field() -> None:
    error = _only_error(PublicationDate="12/02/2025")

    assert error.column == "PublicationDate"
    assert "'12/02/2025'" in error.message


def test_empty_text_is_an_error() -> None:
    error = _only_error(Text="<p>&nbsp;</p>")

    assert error.column == "Text"


def test_null_lists_read_as_empty() -> None:
    record = _only_record(Themes=None, AffectedPersons=None, Sdgs=None, UprSession=None)

    assert (record.themes, record.affected_persons, record.sdgs) == ([], [], [])
    assert record.session is None


def test_missing_field_and_non_object_are_errors_with_record_and_field() -> None:
    items = _read(UHRI / "missing-field.json")

    missing, not_object = _errors(items)
    assert missing.location == SourceLocation(record=0)
    assert missing.column == "Countries"
    assert "c4d2e1f0-9a8b-4c7d-b6e5-f4a3b2c1d001" in missing.message
    assert not_object.location == SourceLocation(record=1)
    assert "JSON object" in not_object.message
    assert [r.location.record for r in items if isinstance(r, RecommendationRecord)] == [2]


def test_truncated_file_ends_with_an_error_at_the_cut_record() -> None:
    items = _read(UHRI / "truncated.json")

    assert isinstance(items[0], RecommendationRecord)
    last = items[-1]
    assert len(items) == 2
    assert isinstance(last, RecordError)
    assert last.location == SourceLocation(record=1)
    assert "truncated" in last.message
    assert f"byte {(UHRI / 'truncated.json').stat().st_size}" in last.message


def test_malformed_file_stops_with_an_error_naming_record_and_bytes() -> None:
    good = json.dumps(_annotation()).encode()
    items = list(read_uhri(io.BytesIO(b"[" + good + b", {oops}, " + good + b"]")))

    assert isinstance(items[0], RecommendationRecord)
    [error] = items[1:]
    assert isinstance(error, RecordError)
    assert error.location == SourceLocation(record=1)
    assert "malformed" in error.message
    assert "bytes 0-" in error.message


def test_file_that_is_not_an_array_is_rejected() -> None:
    [error] = list(read_uhri(io.BytesIO(json.dumps(_annotation()).encode())))

    assert isinstance(error, RecordError)
    assert "one JSON array" in error.message


def test_empty_file_is_an_error() -> None:
    [error] = list(read_uhri(io.BytesIO(b" \n")))

    assert isinstance(error, RecordError)
    assert "empty" in error.message


def test_byte_order_mark_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + json.dumps([_annotation()]).encode()

    [record] = _records(list(read_uhri(io.BytesIO(data))))
    assert record.state == "TUN"


def test_records_come_before_the_whole_file_is_read() -> None:
    stream = io.BytesIO(json.dumps([_annotation() for _ in range(2000)]).encode())

    first = next(read_uhri(stream))

    assert isinstance(first, RecommendationRecord)
    assert stream.tell() < len(stream.getbuffer()) / 2


def test_real_export_record_maps_to_the_record() -> None:
    path = require(UHRI_REAL_RECORD)

    [record] = _records(_read(path))

    assert record.natural_key == "uhri:a9ceae8c-fe1c-40f9-a326-1529e0ab678f"
    assert (record.body, record.mechanism) == ("CRC", MechanismCode.TREATY_BODY)
    assert record.state == "PER"
    assert record.paragraph == "4"
    assert record.text.startswith("The Committee reminds the State party")
    assert record.annotation_type == "Concerns/Observations"
    assert record.document_symbol == "CRC/C/PER/CO/6-7"
    assert record.issued_date == date(2025, 2, 12)
    assert record.sdgs == ["16.2", "5.2", "16.9"]
    assert "Disappeared persons" in record.affected_persons
    assert (record.session, record.cycle, record.position) == (None, None, None)
