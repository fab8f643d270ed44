"""What a person reads for Suivi's codes, in the UN languages the API answers in (en, fr, es, ar).

Codes never change with the language; only their labels do. The labels of Suivi's own codes and
of the seeded bodies live in `data/labels.csv`, those of the sources' themes and affected persons
in `data/labels_sources.csv`; State names come from CLDR (babel). A code without a label in a
language reads in English, then as itself: a label is never an error.
"""

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import overload

import babel
import pycountry

LANGUAGES = ("en", "fr", "es", "ar")
DEFAULT_LANGUAGE = "en"
_FILES = ("data/labels.csv", "data/labels_sources.csv")


class Kind(StrEnum):
    """The kinds of codes that have labels; a code is unique within its kind only."""

    MECHANISM = "mechanism"
    STATUS = "status"
    POSITION = "position"
    HRD_RELEVANCE = "hrd_relevance"
    BODY = "body"
    THEME = "theme"
    AFFECTED_PERSON = "affected_person"
    SOURCE_TYPE = "source_type"
    CONFIDENTIALITY = "confidentiality"
    REVIEW_STATE = "review_state"
    ACTION_KIND = "action_kind"
    ACTION_STATUS = "action_status"


def _key(code: str) -> str:
    """A code as lookups compare it: sources vary in case, spacing and "&" for "and"."""
    return " ".join(code.replace("&", " and ").split()).casefold()


def _rows() -> Iterator[dict[str, str]]:
    for name in _FILES:
        text = resources.files("suivi").joinpath(name).read_text(encoding="utf-8")
        lines = (line for line in text.splitlines() if line and not line.startswith("#"))
        yield from csv.DictReader(lines)


@cache
def _catalogue() -> Mapping[Kind, Mapping[str, Mapping[str, str]]]:
    """Kind -> code -> language -> label, as the data files hold them (English required)."""
    catalogue: dict[Kind, dict[str, Mapping[str, str]]] = {kind: {} for kind in Kind}
    seen: set[tuple[Kind, str]] = set()
    for row in _rows():
        kind, code = Kind(row["kind"]), row["code"]
        if not row["en"]:
            raise ValueError(f"label of {kind} {code!r} has no English text")
        if (kind, _key(code)) in seen:
            raise ValueError(f"{kind} {code!r} has two rows")
        seen.add((kind, _key(code)))
        catalogue[kind][code] = {lang: row[lang] for lang in LANGUAGES if row[lang]}
    return MappingProxyType({kind: MappingProxyType(rows) for kind, rows in catalogue.items()})


def language_of(language: str) -> str:
    """One of LANGUAGES for a tag (`fr-CA` is French); English for any other language."""
    base = language.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def _table(kind: Kind, language: str) -> Mapping[str, str]:
    """Code -> label in `language` (English where it has none), by code and by lookup key."""
    table: dict[str, str] = {}
    for code, texts in _catalogue()[kind].items():
        text = texts.get(language) or texts[DEFAULT_LANGUAGE]
        table[_key(code)] = table[code] = text
    # A plain dict, read by lists for every item: a mapping proxy's reads cost twice as much.
    return table


@cache
def _state_table(language: str) -> Mapping[str, str]:
    """Alpha-3 -> the State's CLDR name in `language` (else in English, else ISO's)."""
    territories = babel.Locale.parse(language).territories
    english = babel.Locale.parse(DEFAULT_LANGUAGE).territories
    return {
        country.alpha_3: str(
            territories.get(country.alpha_2) or english.get(country.alpha_2) or country.name
        )
        for country in pycountry.countries
    }


def codes(kind: Kind) -> list[str]:
    """Every code of `kind` that has a label, in the order the data file lists them."""
    return list(_catalogue()[kind])


def texts(kind: Kind, code: str) -> Mapping[str, str]:
    """The label of `code` in each language the data file gives it in (empty when none)."""
    table = _catalogue()[kind]
    found = table.get(code)
    if found is None:
        found = next((texts for known, texts in table.items() if _key(known) == _key(code)), {})
    return found


def phrases() -> list[str]:
    """Every distinct label the data files hold, in every language: short, plain phrases."""
    return list(
        dict.fromkeys(
            text for rows in _catalogue().values() for row in rows.values() for text in row.values()
        )
    )


def label(kind: Kind, code: str, language: str) -> str:
    """The label of `code` in `language`; in English, then the code itself, when it has none."""
    return Labeller.of(language).label(kind, code)


def state_name(code: str, language: str) -> str:
    """A State's name in `language` from CLDR; the code itself when it is no ISO 3166-1 alpha-3."""
    return Labeller.of(language).state(code)


class Labeller:
    """The labels of one language, looked up by plain dictionary reads: lists label every item."""

    __slots__ = ("_states", "_tables", "language")

    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self._tables = {kind: _table(kind, self.language) for kind in Kind}
        self._states = _state_table(self.language)

    @staticmethod
    def of(language: str) -> "Labeller":
        """The labeller of `language` (English for a language without labels), built once."""
        return _labeller(language_of(language))

    @overload
    def label(self, kind: Kind, code: str) -> str: ...
    @overload
    def label(self, kind: Kind, code: None) -> None: ...
    @overload
    def label(self, kind: Kind, code: str | None) -> str | None: ...
    def label(self, kind: Kind, code: str | None) -> str | None:
        """The label of `code` of `kind`; the code itself when it has none; None for None."""
        if code is None:
            return None
        table = self._tables[kind]
        found = table.get(code)
        if found is None:
            found = table.get(_key(code), code)
        return found

    def table(self, kind: Kind) -> Mapping[str, str]:
        """Code -> label of `kind`, for lookups in a loop; a miss is for `label` to settle."""
        return self._tables[kind]

    @property
    def state_table(self) -> Mapping[str, str]:
        """Alpha-3 -> the State's name, for lookups in a loop; a miss reads as the code."""
        return self._states

    def labels(self, kind: Kind, codes: Iterable[str]) -> list[str]:
        """The labels of `codes`, in their order."""
        return [self.label(kind, code) for code in codes]

    @overload
    def state(self, code: str) -> str: ...
    @overload
    def state(self, code: None) -> None: ...
    @overload
    def state(self, code: str | None) -> str | None: ...
    def state(self, code: str | None) -> str | None:
        """A State's name; the code itself when it is no ISO 3166-1 alpha-3; None for None."""
        if code is None:
            return None
        return self._states.get(code, code)

    def states(self, codes: Sequence[str]) -> list[str]:
        """The names of the States `codes`, in their order."""
        states = self._states
        return [states.get(code, code) for code in codes]


@cache
def _labeller(language: str) -> Labeller:
    return Labeller(language)
