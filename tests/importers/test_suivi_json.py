"""Reading Suivi's own JSON export format."""

from pathlib import Path

from importers.suivi_json import read_suivi_json
from models.enums import HrdRelevance, MechanismCode, Position
from suivi.records import RecommendationRecord, RecordError
from tests.paths import FIXTURES

SUIVI_JSON = FIXTURES / "suivi_json"


def _read(name: str) -> list[RecommendationRecord | RecordError]:
    with Path(SUIVI_JSON / name).open("rb") as stream:
        return list(read_suivi_json(stream))


def test_records_keep_every_field() -> None:
    first, second = _read("two-recommendations.json")

    assert isinstance(first, RecommendationRecord)
    assert first.natural_key == "doc:TEST/A/HRC/52/10#134.12"
    assert first.text == "Guarantee a safe environment for human rights defenders."
    assert first.translations == {
        "fr": "Garantir un environnement sûr aux défenseurs des droits de l'homme."
    }
    assert first.position is Position.SUPPORTED
    assert first.hrd_relevance is HrdRelevance.DIRECT
    assert first.location.record == 0
    assert isinstance(second, RecommendationRecord)
    assert second.mechanism is MechanismCode.SPECIAL_PROCEDURE
    assert second.body_name == "Special Rapporteur on a test mandate"
    assert second.location.record == 1


def test_invalid_field_names_the_record_and_field() -> None:
    first, second = _read("invalid-state.json")

    assert isinstance(first, RecommendationRecord)
    assert isinstance(second, RecordError)
    assert second.location.record == 1
    assert second.column == "state"


def test_other_version_is_refused() -> None:
    [error] = _read("wrong-version.json")

    assert isinstance(error, RecordError)
    assert "version 1" in error.message


def test_truncated_file_is_an_error_after_the_complete_records() -> None:
    items = _read("truncated.json")

    assert isinstance(items[0], RecommendationRecord)
    assert isinstance(items[-1], RecordError)
    assert "truncated" in items[-1].message
