"""The shared catalogue of labels: every code Suivi knows in four languages, and the fallbacks."""

import csv
import io
import json
from collections.abc import Iterator
from enum import StrEnum
from importlib import resources

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from importers.encoding import decode_source
from models import Body
from models.enums import (
    ActionKind,
    ActionStatus,
    Confidentiality,
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    ReviewState,
    SourceType,
)
from suivi import labels
from suivi.labels import LANGUAGES, Kind, Labeller
from tests.paths import UHRI_REAL_RECORD, UPR_INFO_REAL_FILES

ENUMS: dict[Kind, type[StrEnum]] = {
    Kind.MECHANISM: MechanismCode,
    Kind.STATUS: ImplementationStatus,
    Kind.POSITION: Position,
    Kind.HRD_RELEVANCE: HrdRelevance,
    Kind.SOURCE_TYPE: SourceType,
    Kind.CONFIDENTIALITY: Confidentiality,
    Kind.REVIEW_STATE: ReviewState,
    Kind.ACTION_KIND: ActionKind,
    Kind.ACTION_STATUS: ActionStatus,
}


def _sample_values(field: str) -> set[str]:
    sample = resources.files("importers").joinpath("sample_data/demo.json").read_text("utf-8")
    return {value for rec in json.loads(sample)["recommendations"] for value in rec[field]}


@pytest.fixture
def partial_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A catalogue whose one theme has an English and a French label only."""
    rows = [
        {"kind": "theme", "code": "Prisons", "en": "Prisons", "fr": "Prisons", "es": "", "ar": ""}
    ]
    caches = (labels._catalogue, labels._table, labels._labeller)
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(labels, "_rows", lambda: iter(rows))
    yield
    monkeypatch.undo()
    for cached in caches:
        cached.cache_clear()


@pytest.mark.parametrize("kind", list(ENUMS))
def test_every_code_of_suivi_has_a_label_in_every_language(kind: Kind) -> None:
    for code in ENUMS[kind]:
        assert set(labels.texts(kind, code)) == set(LANGUAGES), code


async def test_every_seeded_body_has_its_name_in_every_language(session: AsyncSession) -> None:
    rows = await session.execute(select(Body.code, Body.name))
    seeded: dict[str, str] = dict(rows.all())

    assert seeded
    for code, name in seeded.items():
        texts = labels.texts(Kind.BODY, code)
        assert set(texts) == set(LANGUAGES), code
        assert texts["en"] == name


def test_the_body_names_are_the_un_s() -> None:
    assert labels.label(Kind.BODY, "CCPR", "fr") == "Comité des droits de l'homme"
    assert labels.label(Kind.BODY, "CAT", "es") == "Comité contra la Tortura"
    assert labels.label(Kind.BODY, "SR-HRD", "ar") == (
        "المقرر الخاص المعني بحالة المدافعين عن حقوق الإنسان"
    )


@pytest.mark.parametrize(
    ("kind", "field"), [(Kind.THEME, "themes"), (Kind.AFFECTED_PERSON, "affected_persons")]
)
def test_the_sample_s_themes_and_affected_persons_have_labels(kind: Kind, field: str) -> None:
    for value in _sample_values(field):
        assert set(labels.texts(kind, value)) == set(LANGUAGES), value


@pytest.mark.skipif(not UPR_INFO_REAL_FILES[0].exists(), reason="real exports not beside")
def test_the_upr_info_issues_of_real_exports_have_labels() -> None:
    issues: set[str] = set()
    for path in UPR_INFO_REAL_FILES:
        text = decode_source(path.read_bytes()).text
        for row in csv.DictReader(io.StringIO(text, newline="")):
            issues.update(" ".join(part.split()) for part in row["Issue"].split(","))
    issues.discard("")

    assert issues
    assert sorted(issue for issue in issues if not labels.texts(Kind.THEME, issue)) == []


@pytest.mark.skipif(not UHRI_REAL_RECORD.exists(), reason="real exports not beside")
def test_the_uhri_vocabulary_of_a_real_record_has_labels() -> None:
    [record] = json.loads(UHRI_REAL_RECORD.read_text("utf-8"))

    for theme in record["Themes"]:
        assert labels.texts(Kind.THEME, theme), theme
    for group in record["AffectedPersons"]:
        assert labels.texts(Kind.AFFECTED_PERSON, group), group


def test_states_are_named_by_cldr_in_each_language() -> None:
    names = {language: labels.state_name("TUN", language) for language in LANGUAGES}

    assert names == {"en": "Tunisia", "fr": "Tunisie", "es": "Túnez", "ar": "تونس"}


def test_a_code_that_is_no_state_reads_as_itself() -> None:
    assert labels.state_name("XKX", "ar") == "XKX"
    assert Labeller.of("fr").state(None) is None


def test_a_source_s_spelling_of_a_value_finds_its_label() -> None:
    assert labels.label(Kind.AFFECTED_PERSON, "women AND  girls", "es") == "Mujeres y niñas"
    assert labels.label(Kind.THEME, "Rights of the Child", "fr") == "Droits de l'enfant"


def test_an_unknown_code_reads_as_itself() -> None:
    assert labels.label(Kind.THEME, "Something new", "fr") == "Something new"
    assert labels.label(Kind.STATUS, "unheard_of", "ar") == "unheard_of"


def test_a_language_without_labels_reads_in_english() -> None:
    assert labels.label(Kind.STATUS, "implemented", "de") == "Implemented"
    assert labels.state_name("TUN", "zz") == "Tunisia"


def test_a_regional_tag_reads_in_its_language() -> None:
    assert labels.label(Kind.STATUS, "implemented", "fr-CA") == "Mise en œuvre"
    assert Labeller.of("es_MX").language == "es"


@pytest.mark.usefixtures("partial_catalogue")
def test_a_label_missing_in_a_language_falls_back_to_english() -> None:
    assert labels.label(Kind.THEME, "Prisons", "ar") == "Prisons"
    assert labels.texts(Kind.THEME, "Prisons") == {"en": "Prisons", "fr": "Prisons"}


def test_lists_keep_their_order() -> None:
    labeller = Labeller.of("fr")

    assert labeller.states(["NOR", "FRA"]) == ["Norvège", "France"]
    assert labeller.labels(Kind.THEME, ["Impunity", "Media"]) == ["Impunité", "Médias"]


def test_phrases_are_every_distinct_label_in_every_language() -> None:
    phrases = labels.phrases()
    assert len(phrases) == len(set(phrases))
    for language in labels.LANGUAGES:
        own = [
            labels.texts(labels.Kind.THEME, code).get(language)
            for code in labels.codes(labels.Kind.THEME)
        ]
        assert own, language
        assert all(text in phrases for text in own), language
