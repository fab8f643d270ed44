"""Reading recommendations from the text of UN reports as people copy it."""

import io
from pathlib import Path

import pytest

from importers.un_text import read_un_text
from models.enums import MechanismCode, SourceFormat
from suivi.records import RecommendationRecord, RecordError
from tests.paths import FIXTURES

UN_TEXT = FIXTURES / "un_text"
SYMBOL = "A/HRC/99/7"


def _read(path: Path, *, session: int | None = 27) -> list[RecommendationRecord | RecordError]:
    with path.open("rb") as stream:
        return list(read_un_text(stream, symbol=SYMBOL, state="TUN", session=session))


def _records(path: Path) -> list[RecommendationRecord]:
    items = _read(path)
    assert all(isinstance(item, RecommendationRecord) for item in items), items
    return [item for item in items if isinstance(item, RecommendationRecord)]


def _errors(path: Path) -> list[RecordError]:
    return [item for item in _read(path) if isinstance(item, RecordError)]


def test_one_recommendation_per_line() -> None:
    records = _records(UN_TEXT / "one-per-line.txt")

    assert [r.paragraph for r in records] == ["120.1", "120.2", "120.3", "120.4"]
    assert [r.location.line for r in records] == [5, 6, 7, 8]
    assert records[0].text == (
        "Ratify the Optional Protocol to the Convention against Torture without further delay"
    )
    assert [r.recommending_states for r in records] == [
        ["DNK", "GHA"],
        ["NOR"],
        ["CAN", "CIV"],
        ["IRL"],
    ]


def test_record_carries_the_document_state_and_session() -> None:
    record = _records(UN_TEXT / "one-per-line.txt")[1]

    assert record.natural_key == "doc:A/HRC/99/7#120.2"
    assert record.source_format is SourceFormat.UN_TEXT
    assert record.state == "TUN"
    assert (record.body, record.mechanism) == ("UPR", MechanismCode.UPR)
    assert (record.document_symbol, record.paragraph) == (SYMBOL, "120.2")
    assert record.language == "en"
    assert (record.session, record.cycle) == (27, 3)


def test_without_session_the_cycle_is_unknown() -> None:
    [record, *_] = _read(UN_TEXT / "one-per-line.txt", session=None)

    assert isinstance(record, RecommendationRecord)
    assert (record.session, record.cycle) == (None, None)


def test_language_is_the_one_given() -> None:
    with (UN_TEXT / "one-per-line.txt").open("rb") as stream:
        [record, *_] = read_un_text(stream, symbol=SYMBOL, state="TUN", session=27, language="fr")

    assert isinstance(record, RecommendationRecord)
    assert record.language == "fr"


def test_headings_chapeau_and_closing_paragraph_are_left_out() -> None:
    records = _records(UN_TEXT / "one-per-line.txt")

    assert len(records) == 4
    assert records[-1].text == (
        "Revise the law on associations so that organizations can register by simple notification"
    )


def test_wrapped_lines_are_joined() -> None:
    first = _records(UN_TEXT / "wrapped.txt")[0]

    assert first.text == (
        "Establish a national protection mechanism for human rights defenders, with a budget and "
        "staff of its own, designed in consultation with civil society"
    )
    assert first.recommending_states == ["MEX", "ESP"]
    assert first.location.line == 2


def test_hyphenated_line_break_is_joined() -> None:
    second = _records(UN_TEXT / "wrapped.txt")[1]

    assert second.text == (
        "Guarantee the effective protection of women human rights defenders and of "
        "non-governmental organizations against intimidation"
    )


def test_number_alone_on_its_line_starts_the_paragraph() -> None:
    third = _records(UN_TEXT / "wrapped.txt")[2]

    assert third.paragraph == "120.3"
    assert third.location.line == 8
    assert third.text.startswith("Repeal the provisions of the Penal Code")


def test_number_inside_wrapped_text_is_not_a_paragraph() -> None:
    records = _records(UN_TEXT / "wrapped.txt")

    assert [r.paragraph for r in records] == ["120.1", "120.2", "120.3", "120.4"]
    assert records[3].text.endswith(
        "in line with target 16.10 of the Sustainable Development Goals"
    )


def test_several_recommendations_on_one_line_are_split() -> None:
    records = _records(UN_TEXT / "run-together.txt")

    assert [(r.paragraph, r.location.line) for r in records] == [
        ("120.1", 2),
        ("120.2", 2),
        ("120.3", 2),
        ("120.4", 3),
    ]
    assert [r.recommending_states for r in records] == [["ARG", "FRA"], ["URY"], ["LVA"], ["CZE"]]


def test_trailing_dot_after_the_number_is_not_text() -> None:
    second = _records(UN_TEXT / "run-together.txt")[1]

    assert second.text == (
        "Consider accepting the competence of the Committee on Enforced Disappearances to receive "
        "individual complaints"
    )


def test_state_names_with_nested_parentheses() -> None:
    records = _records(UN_TEXT / "nested-names.txt")

    assert records[0].recommending_states == ["BOL", "IRN"]
    assert records[0].text == (
        "Bring the law on public gatherings into line with international standards"
    )
    assert records[1].recommending_states == ["VEN"]


def test_parenthesised_text_that_is_not_a_state_stays_in_the_text() -> None:
    records = _records(UN_TEXT / "nested-names.txt")

    assert "(see para. 35 above)" in records[1].text
    assert records[2].text == (
        "Ratify the regional protocol on the rights of defenders (Protocol of Cartagena)"
    )
    assert records[2].recommending_states == ["PER"]


@pytest.mark.parametrize(
    "name",
    ["cote-divoire-utf8-lf.txt", "cote-divoire-cp1252-crlf.txt", "cote-divoire-utf8-cr.txt"],
)
def test_every_encoding_and_line_ending_reads_the_same(name: str) -> None:
    records = _records(UN_TEXT / name)

    assert [r.recommending_states for r in records] == [["CIV", "SEN"], ["CIV"]]
    assert [r.location.line for r in records] == [2, 3]
    assert records[1].text == "Train police officers in the policing of peaceful assemblies"


def test_garbled_text_is_one_error_and_nothing_else() -> None:
    [error] = _read(UN_TEXT / "cote-divoire-mojibake.txt")

    assert isinstance(error, RecordError)
    assert error.location.line == 3
    assert "garbled" in error.message


def test_page_headers_and_footers_are_left_out() -> None:
    records = _records(UN_TEXT / "page-headers.txt")

    assert [r.paragraph for r in records] == ["120.1", "120.2"]
    assert records[0].text == (
        "Ensure prompt and impartial investigations into threats and attacks against human rights "
        "defenders, and bring those responsible to justice"
    )
    assert records[0].recommending_states == ["NLD", "CHE"]


def test_unknown_state_is_an_error_naming_it() -> None:
    first = _errors(UN_TEXT / "unknown-country.txt")[0]

    assert first.location.line == 2
    assert first.column == "recommending_states"
    assert "'Atlantis'" in first.message


def test_unknown_state_between_known_states_is_an_error() -> None:
    second = _errors(UN_TEXT / "unknown-country.txt")[1]

    assert second.location.line == 3
    assert "'Atlantis'" in second.message


def test_recommendations_after_an_error_are_still_read() -> None:
    items = _read(UN_TEXT / "unknown-country.txt")

    assert isinstance(items[-1], RecommendationRecord)
    assert items[-1].recommending_states == ["AUT"]


def test_text_without_state_list_has_no_recommending_states() -> None:
    records = _records(UN_TEXT / "no-state-list.txt")

    assert [r.recommending_states for r in records] == [[], []]
    assert [r.text for r in records] == [
        "Adopt a comprehensive strategy for the protection of human rights defenders",
        "Publish a yearly account of the implementation of the supported recommendations",
    ]


def test_numbered_paragraph_without_text_is_an_error() -> None:
    items = _read(UN_TEXT / "no-text.txt")

    errors = [item for item in items if isinstance(item, RecordError)]
    assert [(e.location.line, e.column) for e in errors] == [(2, "text"), (3, "text")]
    assert "120.1" in errors[0].message
    assert isinstance(items[-1], RecommendationRecord)


def test_duplicate_paragraph_number_is_an_error_on_the_second() -> None:
    items = _read(UN_TEXT / "duplicate-paragraph.txt")

    assert [type(item) for item in items] == [
        RecommendationRecord,
        RecommendationRecord,
        RecordError,
    ]
    error = items[-1]
    assert isinstance(error, RecordError)
    assert (error.location.line, error.column) == (4, "paragraph")
    assert "120.2" in error.message
    assert "line 3" in error.message


def test_thematic_list_layout_lines_are_not_text() -> None:
    records = _records(UN_TEXT / "thematic-list.txt")

    assert [(r.paragraph, r.recommending_states) for r in records] == [
        ("120.5", ["NOR"]),
        ("120.9", ["IRL"]),
    ]
    assert records[0].text == ("Create a safe and enabling environment for human rights defenders")
    assert records[1].text.endswith("who cooperate with the United Nations")


def test_text_without_numbered_recommendations_is_an_error() -> None:
    [error] = read_un_text(
        io.BytesIO(b"Report of the Working Group\n"), symbol=SYMBOL, state="TUN", session=27
    )

    assert isinstance(error, RecordError)
    assert "no numbered recommendation" in error.message


def test_french_report_names_states_in_french() -> None:
    with (UN_TEXT / "french.txt").open("rb") as stream:
        items = list(read_un_text(stream, symbol=SYMBOL, state="TUN", session=27, language="fr"))

    records = [item for item in items if isinstance(item, RecommendationRecord)]
    assert len(records) == len(items) == 2
    assert [r.recommending_states for r in records] == [
        ["ARG", "CIV", "NAM", "TGO"],
        ["DEU", "USA"],
    ]
    assert records[1].language == "fr"
    assert records[1].text == "Garantir la sécurité des défenseurs des droits de l\u2019homme"
