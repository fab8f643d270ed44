"""State name resolution: real-world spellings, the UN's names in four languages, aliases, limits.

`fixtures/state_names/un_members.csv` holds the UN Terminology Database (UNTERM) short names of
the 193 Member States and 2 observer States, as republished in the datasets/country-codes
repository (data/unterm_names.csv); `fixtures/state_names/real_world_forms.csv` holds spellings
found in UPR Info exports, World Bank and IMF datasets, ISO 3166, UNTERM and CLDR, each with its
source.
"""

import csv
from importlib import resources
from pathlib import Path

import pytest

from suivi.countries import (
    StateResolver,
    configured_resolver,
    default_resolver,
    display_name,
    is_alpha3,
    load_alias_file,
    parse_alias,
    to_alpha3,
    unknown_state_message,
)
from suivi.settings import Settings
from tests.paths import FIXTURES

STATE_NAMES = FIXTURES / "state_names"
UN_LANGUAGES = ("en", "fr", "es", "ar")


def _rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    return list(csv.DictReader(lines))


def _misresolved(pairs: list[tuple[str, str]]) -> list[str]:
    resolver = default_resolver()
    return [
        f"{name!r}: expected {code}, got {resolver.resolve(name)}"
        for name, code in pairs
        if resolver.resolve(name) != code
    ]


def test_real_world_forms_resolve() -> None:
    rows = _rows(STATE_NAMES / "real_world_forms.csv")
    assert len({row["name"] for row in rows}) >= 300
    assert {row["language"] for row in rows} == set(UN_LANGUAGES)
    failures = _misresolved([(row["name"], row["alpha3"]) for row in rows])
    assert not failures, f"{len(failures)} of {len(rows)} forms misresolved:\n" + "\n".join(
        failures
    )


def test_un_members_table_holds_the_195_states() -> None:
    rows = _rows(STATE_NAMES / "un_members.csv")
    codes = [row["alpha3"] for row in rows]
    assert len(rows) == 195
    assert len(set(codes)) == 195
    assert {"VAT", "PSE"} <= set(codes)
    assert all(is_alpha3(code) for code in codes)


def test_un_member_names_resolve_in_four_languages() -> None:
    rows = _rows(STATE_NAMES / "un_members.csv")
    pairs = [(row[language], row["alpha3"]) for row in rows for language in UN_LANGUAGES]
    failures = _misresolved(pairs)
    assert not failures, f"{len(failures)} of {len(pairs)} names misresolved:\n" + "\n".join(
        failures
    )


def test_project_table_entries_resolve_as_written() -> None:
    text = resources.files("suivi").joinpath("data/state_names.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert all(row["note"] for row in rows)
    assert all(is_alpha3(row["alpha3"]) for row in rows if row["alpha3"])
    failures = _misresolved([(row["name"], row["alpha3"] or "") for row in rows if row["alpha3"]])
    unresolved = [row["name"] for row in rows if not row["alpha3"]]
    assert not failures, "\n".join(failures)
    assert [name for name in unresolved if to_alpha3(name) is not None] == []


@pytest.mark.parametrize(
    "name",
    [
        "Korea",
        "Corée",
        "Corea",
        "Virgin Islands",
        "Congo, Dem.",
        "Yugoslavia",
        "Serbia and Montenegro",
        "Czechoslovakia",
        "USSR",
        "Ghana, Uruguay",
        "Republic of Korea, Japan",
        "&#40;Unknown&#41;",
        "Republic",
        "",
    ],
)
def test_ambiguous_or_unknown_names_do_not_resolve(name: str) -> None:
    assert default_resolver().resolve(name) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Congo", "COG"),
        ("Democratic Republic of the Congo", "COD"),
        ("Guinea", "GIN"),
        ("Equatorial Guinea", "GNQ"),
        ("Guinea-Bissau", "GNB"),
        ("Papua New Guinea", "PNG"),
        ("Dominica", "DMA"),
        ("Dominican Republic", "DOM"),
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
        ("Sudan", "SDN"),
        ("South Sudan", "SSD"),
        ("Samoa", "WSM"),
        ("American Samoa", "ASM"),
        ("British Virgin Islands", "VGB"),
        ("United States Virgin Islands", "VIR"),
    ],
)
def test_names_that_contain_one_another_stay_apart(name: str, code: str) -> None:
    assert default_resolver().resolve(name) == code


def test_hong_kong_is_never_china() -> None:
    assert to_alpha3("Hong Kong SAR, China") == "HKG"
    assert to_alpha3("China, P.R.: Hong Kong") is None


def test_alpha3_codes_resolve_in_capitals_only() -> None:
    assert [to_alpha3(code) for code in ("TUN", " AND ")] == ["TUN", "AND"]
    # In running text these are words: "(and)" or "(can)" must not become Andorra or Canada.
    assert [to_alpha3(word) for word in ("and", "can", "XXX")] == [None] * 3


def test_alpha2_codes_resolve_only_on_request() -> None:
    resolver = default_resolver()
    # "(AU)" or "(SC)" in a UN report is the African Union or the Security Council.
    assert [resolver.resolve(code) for code in ("AU", "SC", "TN")] == [None] * 3
    assert [resolver.resolve(code, alpha2=True) for code in ("AU", "TN", "XK")] == [
        "AUS",
        "TUN",
        None,
    ]
    assert resolver.resolve("UK") == "GBR"


def test_former_names_resolve_to_their_single_successor() -> None:
    assert [to_alpha3(name) for name in ("Zaire", "Upper Volta", "Burma")] == ["COD", "BFA", "MMR"]


def test_fuzzy_match_never_resolves() -> None:
    resolver = default_resolver()
    assert resolver.resolve("Tunisa") is None
    assert "Tunisia (TUN)" in resolver.suggestions("Tunisa")


def test_suggestions_name_distinct_states_by_names_that_resolve() -> None:
    resolver = default_resolver()
    for name in ("Korea", "Cote d'Ivore", "Virgin Islands", "Guinee Bisau"):
        suggestions = resolver.suggestions(name)
        assert 1 <= len(suggestions) <= 3
        codes = [suggestion[-4:-1] for suggestion in suggestions]
        assert len(set(codes)) == len(codes)
        assert [resolver.resolve(suggestion[:-6]) for suggestion in suggestions] == codes


def test_unknown_state_message_suggests_the_closest_states() -> None:
    assert unknown_state_message("State under review", "Korea", default_resolver()) == (
        "unknown State under review 'Korea'; did you mean Republic of Korea (KOR) or "
        "Democratic People's Republic of Korea (PRK)?"
    )


def test_unknown_state_message_without_a_close_state() -> None:
    assert unknown_state_message("recommending State", "zzzz qqq") == (
        "unknown recommending State 'zzzz qqq'"
    )


def test_alias_resolves_only_in_the_resolver_that_has_it() -> None:
    office = default_resolver().with_aliases({"Tunisie du Nord": "TUN"})
    assert office.resolve("Tunisie du Nord") == "TUN"
    assert office.resolve("TUNISIE DU NORD") == "TUN"
    assert default_resolver().resolve("Tunisie du Nord") is None
    assert "Tunisie du Nord (TUN)" in office.suggestions("Tunisie du Nor")


def test_alias_wins_over_built_in_names() -> None:
    assert default_resolver().with_aliases({"Congo": "cod"}).resolve("Congo") == "COD"
    assert default_resolver().resolve("Congo") == "COG"


def test_aliases_layer_on_aliases() -> None:
    first = StateResolver().with_aliases({"Nordland": "NOR"})
    second = first.with_aliases({"Sudland": "ZAF"})
    assert (second.resolve("Nordland"), second.resolve("Sudland")) == ("NOR", "ZAF")
    assert first.resolve("Sudland") is None


def test_alias_to_an_unassigned_code_is_refused() -> None:
    with pytest.raises(ValueError, match="'XYZ' is not an assigned"):
        default_resolver().with_aliases({"Atlantis": "XYZ"})


def test_alias_without_letters_is_refused() -> None:
    with pytest.raises(ValueError, match="alias name"):
        default_resolver().with_aliases({" - ": "FRA"})


@pytest.mark.parametrize(
    ("text", "alias"),
    [
        ("Tunisie du Nord=tun", ("Tunisie du Nord", "TUN")),
        (" Nordland = NOR ", ("Nordland", "NOR")),
        ("A=B=FRA", ("A=B", "FRA")),
    ],
)
def test_parse_alias(text: str, alias: tuple[str, str]) -> None:
    assert parse_alias(text) == alias


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Tunisie", "not of the form NAME=ISO3"),
        ("=FRA", "not of the form NAME=ISO3"),
        ("Nordland=", "not of the form NAME=ISO3"),
        ("Nordland=FR", "'FR' is not an assigned"),
        ("Nordland=XYZ", "'XYZ' is not an assigned"),
    ],
)
def test_parse_alias_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_alias(text)


def test_load_alias_file_reads_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_bytes('\ufeffname,alpha3\nTunisie du Nord,tun\n\n"Nord, Royaume du",NOR\n'.encode())
    assert load_alias_file(path) == {"Tunisie du Nord": "TUN", "Nord, Royaume du": "NOR"}


def test_load_alias_file_names_the_file_and_line_of_a_bad_code(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("name,alpha3\nTunisie du Nord,TUN\nAtlantis,XYZ\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"aliases\.csv: line 3, column 2 \(alpha3\): 'XYZ'"):
        load_alias_file(path)


def test_load_alias_file_names_a_line_with_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("name,alpha3\nTunisie du Nord\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"aliases\.csv: line 2: expected 2 columns"):
        load_alias_file(path)


def test_load_alias_file_needs_its_header(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("Tunisie du Nord,TUN\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"aliases\.csv: line 1: the header"):
        load_alias_file(path)


def test_load_alias_file_names_where_it_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_bytes("name,alpha3\nC\u00f4te,CIV\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"aliases\.csv: line 2, column 2: not UTF-8"):
        load_alias_file(path)


def test_configured_resolver_reads_the_aliases_file_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("name,alpha3\nTunisie du Nord,TUN\n", encoding="utf-8")
    monkeypatch.setenv("SUIVI_STATE_ALIASES_FILE", str(path))
    settings = Settings()
    assert settings.state_aliases_file == path
    assert configured_resolver(settings).resolve("Tunisie du Nord") == "TUN"


def test_configured_resolver_without_aliases_file_is_the_default() -> None:
    assert configured_resolver(Settings()) is default_resolver()


def test_hostile_input_resolves_to_nothing() -> None:
    resolver = default_resolver()
    huge = "Tunisia " * 131_072
    assert resolver.resolve(huge) is None
    assert resolver.suggestions(huge) == []
    assert len(unknown_state_message("State under review", huge)) < 200
    for name in ("\x00" * 1000, "\x1b[2J\x1b[31m", "\u202e\u200b", "'''", "()"):
        assert resolver.resolve(name) is None


def test_control_characters_inside_a_name_are_spaces() -> None:
    assert to_alpha3("Viet\tNam\r\n") == "VNM"


def test_built_in_index_is_shared() -> None:
    assert default_resolver() is default_resolver()
    default_resolver().with_aliases({"Nordland": "NOR"})
    assert default_resolver().resolve("Nordland") is None


def test_display_name_is_cldr_in_the_language_asked() -> None:
    assert display_name("CIV") == "Côte d\u2019Ivoire"
    assert display_name("tun", "fr") == "Tunisie"
    assert display_name("MAR", "ar") == "المغرب"


def test_display_name_refuses_an_unassigned_code() -> None:
    with pytest.raises(ValueError, match="'XYZ'"):
        display_name("XYZ")
