"""Reading UPR Info CSV exports as they really come."""

import io
from pathlib import Path

import pytest

from importers.upr_info import read_upr_info
from models.enums import Position
from suivi.countries import default_resolver
from suivi.records import RecommendationRecord, RecordError
from tests.paths import FIXTURES, UPR_INFO_REAL
from tests.real_data import require

UPR_INFO = FIXTURES / "upr_info"


def _read(path: Path) -> list[RecommendationRecord | RecordError]:
    with path.open("rb") as stream:
        return list(read_upr_info(stream))


def _records(path: Path) -> list[RecommendationRecord]:
    items = _read(path)
    assert all(isinstance(item, RecommendationRecord) for item in items), items
    return [item for item in items if isinstance(item, RecommendationRecord)]


@pytest.mark.parametrize(
    "name", ["utf8-lf.csv", "utf8-bom-crlf.csv", "cp1252-crlf.csv", "macroman-cr.csv"]
)
def test_every_encoding_and_line_ending_reads_the_same(name: str) -> None:
    records = _records(UPR_INFO / name)

    assert [r.recommending_states for r in records] == [["FRA"], ["CIV"], ["VAT"]]
    assert [r.location.line for r in records] == [2, 3, 4]
    assert records[0].natural_key == _records(UPR_INFO / "utf8-lf.csv")[0].natural_key


def test_row_maps_to_the_record() -> None:
    first, second, third = _records(UPR_INFO / "utf8-lf.csv")

    assert first.state == "TUN"
    assert first.body == "UPR"
    assert first.text == "Guarantee that human rights defenders can work without reprisals."
    assert first.position is Position.SUPPORTED
    assert first.action_category == 5
    assert first.themes == ["Human rights defenders", "Civil society"]
    assert (first.session, first.cycle) == (1, 1)
    assert second.position is Position.NOTED
    assert third.state == "BOL"
    assert third.position is Position.PLEDGE
    assert (third.session, third.cycle) == (13, 2)


def test_unknown_country_is_a_row_error_naming_it() -> None:
    items = _read(UPR_INFO / "unknown-country.csv")

    [error] = [item for item in items if isinstance(item, RecordError)]
    assert error.location.line == 3
    assert error.column == "From"
    assert "'Atlantis'" in error.message
    assert sum(isinstance(item, RecommendationRecord) for item in items) == 2


def test_garbled_text_is_an_error_not_data() -> None:
    [error] = _read(UPR_INFO / "mojibake.csv")

    assert isinstance(error, RecordError)
    assert "garbled" in error.message
    assert error.location.line == 3


def test_truncated_file_reports_the_unfinished_row() -> None:
    items = _read(UPR_INFO / "truncated.csv")

    assert isinstance(items[0], RecommendationRecord)
    assert isinstance(items[-1], RecordError)
    assert items[-1].location.line == 3


def test_formula_looking_cell_is_kept_as_text() -> None:
    [record] = _records(UPR_INFO / "formula-cell.csv")

    assert record.text.startswith('=HYPERLINK("http://example.org"')
    assert record.cycle == 4


def test_unknown_recommending_state_means_none() -> None:
    [record] = _records(UPR_INFO / "unknown-from.csv")

    assert record.recommending_states == []


def test_not_a_upr_info_file_names_the_missing_columns() -> None:
    items = list(read_upr_info(io.BytesIO(b"Name,Text\nx,y\n")))

    assert len(items) == 1
    assert isinstance(items[0], RecordError)
    assert "To" in (items[0].column or "")


def test_real_export_reads_without_errors() -> None:
    records = _records(require(UPR_INFO_REAL))

    assert len(records) == 6094
    assert len({r.natural_key for r in records}) == 6094
    assert sum("Human rights defenders" in r.themes for r in records) == 138


def test_a_rejected_row_reports_every_invalid_cell() -> None:
    items = _read(UPR_INFO / "many-bad-cells.csv")

    errors = [item for item in items if isinstance(item, RecordError)]
    assert {error.location.line for error in errors} == {2}
    assert [error.column for error in errors] == ["To", "From", "Response", "Action", "Session"]
    assert all(error.original is not None for error in errors)
    assert errors[0].original is not None
    assert errors[0].original["To"] == "Tunisie du Nord"
    assert isinstance(items[-1], RecommendationRecord)


def test_unknown_state_suggests_the_closest_names() -> None:
    [error] = [
        item for item in _read(UPR_INFO / "unknown-country.csv") if isinstance(item, RecordError)
    ]

    assert error.message.startswith("unknown recommending State 'Atlantis'")


def test_states_spelt_by_other_conventions_and_languages() -> None:
    records = _records(UPR_INFO / "other-spellings.csv")

    assert [(r.state, r.recommending_states) for r in records] == [
        ("KOR", ["VEN"]),
        ("TUN", ["CIV"]),
        ("TUN", ["VCT"]),
        ("FSM", ["GNB"]),
    ]


def test_office_aliases_name_states_the_built_in_names_do_not() -> None:
    resolver = default_resolver().with_aliases({"Tunisie du Nord": "TUN", "Atlantis": "FRA"})
    with (UPR_INFO / "many-bad-cells.csv").open("rb") as stream:
        items = list(read_upr_info(stream, states=resolver))

    errors = [item for item in items if isinstance(item, RecordError)]
    assert [error.column for error in errors] == ["Response", "Action", "Session"]
