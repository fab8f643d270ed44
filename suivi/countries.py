"""State names as UN sources and statistical datasets spell them, resolved to ISO 3166-1 alpha-3."""

import csv
import gettext
import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import babel
import pycountry
from rapidfuzz import fuzz, process

from suivi.settings import Settings

# The six UN languages: CLDR names in each, and pycountry's translations where it ships them.
UN_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
_GETTEXT_LANGUAGES = ("fr", "es", "ar", "ru", "zh_CN")
_NAME_ATTRIBUTES = ("name", "official_name", "common_name")

# No State name is near this long; past it a cell is prose or an attack, not a name.
MAX_NAME_LENGTH = 200
# Bounded: names come from uploaded files, and a hostile one could hold millions of them.
MAX_CACHED_SUGGESTIONS = 4096

# Tiers, first wins: the project's table, English names, CLDR's other languages, pycountry's
# translations (less carefully kept than CLDR), then forms derived from them (a name without its
# qualifier, former names). Two States behind one key in the same tier make the key ambiguous, which
# resolves to nothing.
_TABLE, _ENGLISH, _CLDR, _GETTEXT, _DERIVED = range(5)

_QUOTES = str.maketrans(dict.fromkeys("\u2018\u2019\u02bc\u02bb`\u00b4\u2032\uff07", "'"))
# Arabic spellings vary in hamza seats (gone with the combining marks), final yeh and teh marbuta.
_ARABIC = str.maketrans(
    {"\u0649": "\u064a", "\u06cc": "\u064a", "\u0629": "\u0647", "\u06a9": "\u0643"}
)
_ARABIC_ARTICLE = "\u0627\u0644"
_ARABIC_AND = "\u0648"
_ARABIC_COMMA = "\u060c"

_ACRONYM = re.compile(r"\b(?:[^\W\d_]\.){2,}")
_ISLAMIC_REPUBLIC = re.compile(r"\bisl\.?\s*rep\b\.?")
_ISLANDS = re.compile(r"\b(?:is|isl|isls)\.")
_SEPARATORS = re.compile(r"[^\w']+|_")
_ELISION = re.compile(r"(?:l|d|qu)'(.+)")
_PARENTHESISED = re.compile(r"\s*([^()]*?)\s*\(([^()]*)\)\s*")
_ENGLISH_TAIL = re.compile(r"(?:\bof(?: the)?|\bthe)\s*$", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]{2,3}")

_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "states",
    "utd": "united",
    "uk": "united kingdom",
    "us": "united states",
    "usa": "united states america",
    "pdr": "peoples democratic republic",
    "dpr": "democratic peoples republic",
    "dr": "democratic republic",
    "rb": "bolivarian republic",
    "fyr": "former yugoslav republic",
    "isl": "islands",
    "isls": "islands",
}
# One spelling for words that differ only by language, abbreviation or transliteration, so
# "Rép. de Corée" meets "République de Corée" and "Fed. Sts." meets "Federated States".
_SYNONYMS = {
    # Arabic "democratic" and "American", each written two ways.
    "ديموقراطيه": "ديمقراطيه",
    "اميركيه": "امريكيه",
    **dict.fromkeys(("rep", "repub", "republique", "republica"), "republic"),
    **dict.fromkeys(("dem", "democratique", "democratica"), "democratic"),
    **dict.fromkeys(
        (
            *("fed", "federated", "federale", "federales", "federe", "federes", "federee"),
            *("federees", "federados", "federadas", "federativa", "federative"),
        ),
        "federal",
    ),
}
# Forms of government that formal names put around the name, as normalised keys spell them.
_FORM_WORDS = frozenset(
    (
        *("republic", "kingdom", "state", "principality", "sultanate", "commonwealth", "union"),
        *("federation", "confederation", "grand", "duchy", "emirate", "independent"),
        *("democratic", "federal", "islamic", "peoples", "socialist", "arab", "co", "operative"),
        *("cooperative", "plurinational", "bolivarian", "hashemite", "eastern", "oriental"),
        *("royaume", "etat", "principaute", "sultanat", "duche", "emirat", "independant"),
        *("islamique", "populaire", "socialiste", "bolivarienne", "hachemite", "orientale"),
        *("arabe", "reino", "estado", "principado", "sultania", "federacion", "confederacion"),
        *("gran", "ducado", "independiente", "islamica", "popular", "socialista", "cooperativa"),
        *("plurinacional", "bolivariana", "hachemita"),
        # Arabic: republic, kingdom, state, emirate, sultanate, union, federal, democratic,
        # Islamic, popular, socialist, independent, co-operative, Hashemite, eastern.
        *("جمهوريه", "مملكه", "دوله", "اماره", "سلطنه", "اتحاد", "اتحاديه", "ديمقراطيه"),
        *("اسلاميه", "شعبيه", "اشتراكيه", "مستقله", "تعاونيه", "هاشميه", "شرقيه"),
    )
)
# Articles, "of" and "and" in the UN languages written in Latin script: sources disagree on them.
_FILLERS = frozenset(
    (
        *("the", "of", "and", "de", "du", "des", "d", "l", "la", "le", "les", "el", "los", "las"),
        *("del", "et", "y", "e"),
    )
)


def _words(text: str) -> list[str]:
    words: list[str] = []
    pending_and = False
    for raw in _SEPARATORS.split(text):
        word = raw.strip("'")
        elided = _ELISION.fullmatch(word)
        if elided:
            word = elided.group(1)
        word = word.replace("'", "")
        if not word:
            continue
        if word == _ARABIC_AND:
            pending_and = True
            continue
        if pending_and:
            word, pending_and = _ARABIC_AND + word, False
        if word.startswith(_ARABIC_AND + _ARABIC_ARTICLE) and len(word) > 4:
            word = _ARABIC_AND + word[3:]
        elif word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
            word = word[2:]
        for part in _ABBREVIATIONS.get(word, word).split():
            part = _SYNONYMS.get(part, part)
            if part not in _FILLERS:
                words.append(part)
    return words


@lru_cache(maxsize=16384)
def _normalise(name: str) -> str:
    """The lookup key of a name: accents, case, punctuation, articles and abbreviations smoothed."""
    text = html.unescape(name).translate(_QUOTES)
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(
        " " if unicodedata.category(ch) == "Cc" else ch
        for ch in text
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )
    text = text.casefold().translate(_ARABIC).replace("\u0640", "")
    text = _ACRONYM.sub(lambda match: match.group(0).replace(".", ""), text)
    text = _ISLAMIC_REPUBLIC.sub(" islamic republic ", text)
    text = _ISLANDS.sub(" islands ", text)
    return " ".join(_words(text.replace("&", " and ")))


def _split(name: str) -> tuple[str, str] | None:
    """The name and its qualifier in "X (Y)" and "X, Y" forms, else None."""
    parenthesised = _PARENTHESISED.fullmatch(name)
    if parenthesised:
        return parenthesised.group(1), parenthesised.group(2)
    head, comma, tail = name.partition(",")
    if comma and "(" not in name:
        return head, tail
    return None


def _natural(name: str) -> str:
    """ISO's inverted "Korea, Republic of" read as "Republic of Korea"; other names as written."""
    parts = _split(name)
    if parts is None or "(" in name:
        return name.strip()
    head, tail = (part.strip() for part in parts)
    if _ENGLISH_TAIL.search(tail) or len(tail.split()) == 1:
        return f"{tail[:1].upper()}{tail[1:]} {head}"
    return name.strip()


def _core(key: str) -> str:
    """A key without the forms of government around the name: "State of Libya" gives "libya"."""
    words = key.split()
    start, end = 0, len(words)
    while start < end and words[start] in _FORM_WORDS:
        start += 1
    while end > start and words[end - 1] in _FORM_WORDS:
        end -= 1
    return " ".join(words[start:end])


@dataclass(frozen=True, slots=True)
class _Parsed:
    keys: tuple[str, ...]
    # Shorter readings, tried only when no key is known: the name without its qualifier, and the
    # name without its form of government; each with the words it dropped.
    shorter: tuple[tuple[str, tuple[str, ...]], ...] = ()


@lru_cache(maxsize=16384)
def _parse(name: str) -> _Parsed:
    """The keys to try for a name, best first, then its shorter readings."""
    full = _normalise(name)
    keys: tuple[str, ...] = (full,) if full else ()
    shorter: list[tuple[str, tuple[str, ...]]] = []
    parts = _split(html.unescape(name))
    if parts is not None:
        head, qualifier = (_normalise(part) for part in parts)
        keys = tuple(dict.fromkeys(key for key in (full, f"{qualifier} {head}".strip()) if key))
        if head:
            shorter.append((head, tuple(qualifier.split())))
    core = _core(full)
    if core and core != full:
        shorter.append((core, ()))
    return _Parsed(keys, tuple(shorter))


@dataclass(frozen=True, slots=True)
class _Index:
    codes: Mapping[str, str | None]
    resolving: Mapping[str, str]
    display: Mapping[str, str]
    choices: tuple[str, ...]
    padded: tuple[tuple[str, str], ...]
    longest: int


class _IndexBuilder:
    def __init__(self) -> None:
        self.tiers: list[dict[str, set[str | None]]] = [{} for _ in range(_DERIVED + 1)]
        self.display: dict[tuple[str, str | None], str] = {}

    def add_key(self, tier: int, key: str, code: str | None, display: str) -> None:
        if key:
            self.tiers[tier].setdefault(key, set()).add(code)
            self.display.setdefault((key, code), display)

    def add(self, tier: int, name: str, code: str | None) -> None:
        display = _natural(name)
        for key in _parse(name).keys:
            self.add_key(tier, key, code, display)
        parts = _split(name)
        if parts is not None:
            self.add_key(_DERIVED, _normalise(parts[0]), code, display)
        # pycountry's Arabic catalogue writes "Korea, Republic of Korea" with an Arabic comma:
        # what follows the comma is a whole name there, not a qualifier.
        _, comma, whole = name.partition(_ARABIC_COMMA)
        if comma:
            self.add_key(tier, _normalise(whole), code, whole.strip())

    def build(self) -> _Index:
        codes: dict[str, str | None] = {}
        for tier in self.tiers:
            for key, found in tier.items():
                if key not in codes:
                    codes[key] = next(iter(found)) if len(found) == 1 else None
        resolving = {key: code for key, code in codes.items() if code is not None}
        return _Index(
            codes=MappingProxyType(codes),
            resolving=MappingProxyType(resolving),
            display=MappingProxyType(
                {key: self.display[key, code] for key, code in resolving.items()}
            ),
            choices=tuple(resolving),
            padded=tuple((f" {key} ", code) for key, code in resolving.items()),
            longest=max(len(key.split()) for key in codes),
        )


def _table_rows() -> Iterator[tuple[str, str | None]]:
    text = resources.files("suivi").joinpath("data/state_names.csv").read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if line and not line.startswith("#"))
    for row in csv.DictReader(lines):
        yield row["name"], (row["alpha3"].strip() or None)


def _cldr_names(language: str) -> Iterator[tuple[str, str]]:
    territories = babel.Locale.parse(language).territories
    for country in pycountry.countries:
        name = territories.get(country.alpha_2)
        if name:
            yield name, country.alpha_3


def _pycountry_names() -> Iterator[tuple[str, str]]:
    for country in pycountry.countries:
        for attribute in _NAME_ATTRIBUTES:
            value = getattr(country, attribute, None)
            if value:
                yield value, country.alpha_3


def _translated_names(language: str) -> Iterator[tuple[str, str]]:
    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:  # a pycountry build without that catalogue
        return
    for name, code in _pycountry_names():
        yield catalogue.gettext(name), code


def _former_names() -> Iterator[tuple[str, str]]:
    # ISO 3166-3 writes the successor's alpha-2 after the former code: "ZRCD" is Zaire, now CD.
    # "HH" (split or merged) and "XX" name no single successor, so Yugoslavia, Czechoslovakia,
    # the USSR and Serbia and Montenegro stay unresolved.
    for former in pycountry.historic_countries:
        successor = former.alpha_4[2:]
        if successor == "AA":
            successor = former.alpha_4[:2]
        country = pycountry.countries.get(alpha_2=successor)
        if country is not None:
            yield former.name, country.alpha_3


@cache
def _builtin_index() -> _Index:
    builder = _IndexBuilder()
    for name, code in _table_rows():
        builder.add(_TABLE, name, code)
    for name, alpha3 in _pycountry_names():
        builder.add(_ENGLISH, name, alpha3)
    for name, alpha3 in _cldr_names("en"):
        builder.add(_ENGLISH, name, alpha3)
    for language in UN_LANGUAGES[1:]:
        for name, alpha3 in _cldr_names(language):
            builder.add(_CLDR, name, alpha3)
    for language in _GETTEXT_LANGUAGES:
        for name, alpha3 in _translated_names(language):
            builder.add(_GETTEXT, name, alpha3)
    for name, alpha3 in _former_names():
        builder.add(_DERIVED, name, alpha3)
    return builder.build()


@lru_cache(maxsize=4096)
def _builtin_codes_containing(head: str) -> frozenset[str]:
    needle = f" {head} "
    return frozenset(code for key, code in _builtin_index().padded if needle in key)


def _code(name: str, *, alpha2: bool) -> str | None:
    text = name.strip()
    # Upper case only: "and", "per" or "can" in running text are words, not Andorra, Peru, Canada.
    if not _CODE.fullmatch(text):
        return None
    if len(text) == 3:
        country = pycountry.countries.get(alpha_3=text)
    elif alpha2:
        country = pycountry.countries.get(alpha_2=text)
    else:
        return None
    return None if country is None else str(country.alpha_3)


@dataclass(frozen=True, slots=True)
class StateResolver:
    """Resolves State names to alpha-3; immutable, office aliases layered on the built-in names."""

    _aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    _alias_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Suggestions by normalised name: a file misspells its few States on thousands of rows,
    # and scoring a name against every known one takes milliseconds.
    _suggested: dict[tuple[str, int], tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def _lookup(self, key: str) -> tuple[bool, str | None]:
        if key in self._aliases:
            return True, self._aliases[key]
        codes = _builtin_index().codes
        if key in codes:
            return True, codes[key]
        return False, None

    def resolve(self, name: str, *, alpha2: bool = False) -> str | None:
        """The alpha-3 code of a State name or code (alpha-2 only when asked); None if unknown."""
        if len(name) > MAX_NAME_LENGTH:
            return None
        # Alpha-2 codes only on request: UN prose puts acronyms such as "(AU)", "(GA)" or "(SC)"
        # in parentheses, where the importers look for recommending States.
        code = _code(name, alpha2=alpha2)
        if code is not None:
            return code
        parsed = _parse(name)
        for key in parsed.keys:
            found, code = self._lookup(key)
            if found:
                return code
        for shorter, dropped in parsed.shorter:
            code = self._by_dropping(shorter, dropped)
            if code is not None:
                return code
        return None

    def _by_dropping(self, shorter: str, dropped: tuple[str, ...]) -> str | None:
        # "Venezuela, RB" or "Co-operative Republic of Guyana": the shorter name alone names the
        # State, provided no other State's name contains it ("Congo, Dem." and "Republic of the
        # Congo" stay with their full names) and the dropped words are not themselves a State
        # ("Ghana, Uruguay" is a list, not a name).
        code = self._lookup(shorter)[1]
        if code is None:
            return None
        needle = f" {shorter} "
        others = set(_builtin_codes_containing(shorter))
        others.update(
            alias_code for key, alias_code in self._aliases.items() if needle in f" {key} "
        )
        if others - {code}:
            return None
        longest = _builtin_index().longest
        for start in range(len(dropped)):
            for end in range(start + 1, min(len(dropped), start + longest) + 1):
                other = self._lookup(" ".join(dropped[start:end]))[1]
                if other is not None and other != code:
                    return None
        return code

    def suggestions(self, name: str, limit: int = 3) -> list[str]:
        """Up to `limit` known States whose names are closest to `name`, as "Name (ISO)"."""
        if len(name) > MAX_NAME_LENGTH or limit < 1:
            return []
        query = _normalise(name)
        if not query:
            return []
        suggested = self._suggested.get((query, limit))
        if suggested is None:
            if len(self._suggested) >= MAX_CACHED_SUGGESTIONS:
                self._suggested.clear()
            suggested = self._suggested[query, limit] = tuple(self._suggest(query, limit))
        return list(suggested)

    def _suggest(self, query: str, limit: int) -> list[str]:
        index = _builtin_index()
        scored = process.extract(
            query, index.choices, scorer=fuzz.WRatio, limit=limit * 10, score_cutoff=70
        )
        matches = [
            (key, score, index.resolving[key], index.display[key]) for key, score, _ in scored
        ]
        for key, code in self._aliases.items():
            score = fuzz.WRatio(query, key)
            if score >= 70:
                matches.append((key, score, code, self._alias_names[key]))
        matches.sort(key=lambda match: -match[1])
        if not matches:
            return []
        best = matches[0][1]
        chosen: dict[str, str] = {}
        for _, score, code, display in matches:
            # Far behind the best, a name is noise rather than a plausible reading of the input.
            if code in chosen or score < best - 15:
                continue
            chosen[code] = f"{display} ({code})"
            if len(chosen) == limit:
                break
        return list(chosen.values())

    def with_aliases(self, aliases: Mapping[str, str]) -> "StateResolver":
        """A resolver that also knows `aliases` (name to alpha-3), which win over built-in names."""
        merged, names = dict(self._aliases), dict(self._alias_names)
        for name, code in aliases.items():
            key = _normalise(name) if len(name) <= MAX_NAME_LENGTH else ""
            if not key:
                raise ValueError(
                    f"alias name {_shown(name)!r} has nothing a State name could match"
                )
            target = code.strip().upper()
            if not is_alpha3(target):
                raise ValueError(
                    f"alias {_shown(name)!r}: {_shown(code)!r} is not an assigned ISO 3166-1 "
                    "alpha-3 code"
                )
            merged[key], names[key] = target, name.strip()
        return StateResolver(MappingProxyType(merged), MappingProxyType(names))


@cache
def default_resolver() -> StateResolver:
    """The resolver of the built-in names, built once per process."""
    _builtin_index()
    return StateResolver()


def parse_alias(text: str) -> tuple[str, str]:
    """The (name, alpha-3) of a "NAME=ISO3" alias; the last "=" separates them."""
    name, equals, code = text.rpartition("=")
    name, code = name.strip(), code.strip().upper()
    if not equals or not name or not code:
        raise ValueError(f"alias {_shown(text)!r} is not of the form NAME=ISO3")
    if not is_alpha3(code):
        raise ValueError(
            f"alias {_shown(text)!r}: {_shown(code)!r} is not an assigned ISO 3166-1 alpha-3 code"
        )
    return name, code


def _shown(text: str) -> str:
    # An alias comes from a form field or a command line: a message quotes only its start.
    return text if len(text) <= 80 else text[:77] + "..."


def _decoded(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ValueError(f"{path}: line {line}, column {column}: not UTF-8") from None


def load_alias_file(path: Path) -> dict[str, str]:
    """The aliases of a UTF-8 CSV file with a `name,alpha3` header, checked line by line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ValueError(f"{path}: cannot read the aliases file ({error.strerror})") from None
    reader = csv.reader(_decoded(path, data).splitlines())
    header = next(reader, None)
    if header is None or [cell.strip().casefold() for cell in header] != ["name", "alpha3"]:
        raise ValueError(f"{path}: line 1: the header must be 'name,alpha3'")
    aliases: dict[str, str] = {}
    # By lookup key: "Rép. du Congo" and "REP DU CONGO" are one name to the resolver.
    lines: dict[str, tuple[int, str]] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise ValueError(
                f"{path}: line {line}: expected 2 columns (name,alpha3), got {len(row)}"
            )
        name, code = row[0].strip(), row[1].strip().upper()
        if not name or len(name) > MAX_NAME_LENGTH or not _normalise(name):
            raise ValueError(f"{path}: line {line}, column 1 (name): not a usable State name")
        if not is_alpha3(code):
            raise ValueError(
                f"{path}: line {line}, column 2 (alpha3): {row[1].strip()!r} is not an assigned "
                "ISO 3166-1 alpha-3 code"
            )
        first, first_name = lines.setdefault(_normalise(name), (line, name))
        if aliases.get(first_name, code) != code:
            raise ValueError(
                f"{path}: line {line}, column 2 (alpha3): {name!r} is already an alias of "
                f"{aliases[first_name]} (line {first}, {first_name!r})"
            )
        aliases[name] = code
    return aliases


@lru_cache(maxsize=8)
def _file_resolver(path: Path, modified_ns: int, size: int) -> StateResolver:
    return default_resolver().with_aliases(load_alias_file(path))


def configured_resolver(settings: Settings) -> StateResolver:
    """The built-in names plus the office's aliases file when the settings name one."""
    path = settings.state_aliases_file
    if path is None:
        return default_resolver()
    try:
        status = path.stat()
    except OSError as error:
        raise ValueError(f"{path}: cannot read the aliases file ({error.strerror})") from None
    return _file_resolver(path, status.st_mtime_ns, status.st_size)


def unknown_state_message(role: str, name: str, resolver: StateResolver | None = None) -> str:
    """The error for an unknown State name, naming the closest known States when there are."""
    shown = name if len(name) <= 80 else name[:77] + "..."
    message = f"unknown {role} {shown!r}"
    suggestions = (resolver or default_resolver()).suggestions(name)
    if not suggestions:
        return message
    if len(suggestions) == 1:
        return f"{message}; did you mean {suggestions[0]}?"
    return f"{message}; did you mean {', '.join(suggestions[:-1])} or {suggestions[-1]}?"


# Bounded: names come from uploaded files, and a hostile one could hold millions of them.
@lru_cache(maxsize=4096)
def to_alpha3(name: str) -> str | None:
    """The alpha-3 code of a State name or alpha-3 code, or None when it is not a known State."""
    return default_resolver().resolve(name)


def is_alpha3(code: str) -> bool:
    """Whether `code` is an assigned ISO 3166-1 alpha-3 code."""
    return pycountry.countries.get(alpha_3=code) is not None


@lru_cache(maxsize=2048)
def display_name(alpha3: str, language: str = "en") -> str:
    """CLDR's name of a State in `language` (falling back on ISO's English name)."""
    country = pycountry.countries.get(alpha_3=alpha3.upper())
    if country is None:
        raise ValueError(f"{alpha3!r} is not an assigned ISO 3166-1 alpha-3 code")
    try:
        territories = babel.Locale.parse(language).territories
    except (ValueError, babel.UnknownLocaleError) as error:
        raise ValueError(f"unknown language {language!r}") from error
    return str(territories.get(country.alpha_2) or country.name)
