"""Country names as UN sources spell them, mapped to ISO 3166-1 alpha-3."""

import gettext
import html
import re
import unicodedata
from functools import cache, lru_cache

import pycountry

# UN short names and the variants UN exports use that pycountry does not know.
ALIASES = {
    "Bolivia (Plurinational State of)": "BOL",
    "Bolivia": "BOL",
    "Holy See": "VAT",
    "Iran (Islamic Republic of)": "IRN",
    "Iran": "IRN",
    "Republic of Korea": "KOR",
    "South Korea": "KOR",
    "DPR Korea": "PRK",
    "North Korea": "PRK",
    "Venezuela (Bolivarian Republic of)": "VEN",
    "Venezuela": "VEN",
    "State of Palestine": "PSE",
    "Palestine": "PSE",
    "Micronesia (Federated States of)": "FSM",
    "Micronesia": "FSM",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Macedonia FYR": "MKD",
    "Macedonia": "MKD",
    "Swaziland": "SWZ",
    "Cape Verde": "CPV",
    "Democratic Republic of the Congo": "COD",
    "Democratic Republic of Congo": "COD",
    "DR Congo": "COD",
    "DRC": "COD",
    "Republic of Congo": "COG",
    "Republic of the Congo": "COG",
    "Libyan Arab Jamahiriya": "LBY",
    "Turkey": "TUR",
    "Russia": "RUS",
    "Syria": "SYR",
    "Laos": "LAO",
    "Vietnam": "VNM",
    "Tanzania": "TZA",
    "Moldova": "MDA",
    "Czech Republic": "CZE",
    "Brunei": "BRN",
    "The Gambia": "GMB",
    "Gambia (Republic of The)": "GMB",
    "The Bahamas": "BHS",
    "East Timor": "TLS",
    "Burma": "MMR",
    "United States": "USA",
    "USA": "USA",
    "United Kingdom": "GBR",
    "UK": "GBR",
    "Netherlands (Kingdom of the)": "NLD",
    "Sao Tome": "STP",
    "Saint Kitts & Nevis": "KNA",
    "Ivory Coast": "CIV",
}


def _normalise(name: str) -> str:
    text = html.unescape(name).replace("&", " and ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").casefold()
    return re.sub(r"[\s.]+", " ", text).strip()


# UN documents also come in French, Spanish and Arabic: their names come from pycountry's
# translations, after the English ones, which win where two spellings collide.
TRANSLATED_LANGUAGES = ("fr", "es", "ar")
_NAME_ATTRIBUTES = ("name", "official_name", "common_name")


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in (*_NAME_ATTRIBUTES, "alpha_3"):
            value = getattr(country, attribute, None)
            if value:
                index[_normalise(value)] = country.alpha_3
    for alias, code in ALIASES.items():
        index[_normalise(alias)] = code
    for language in TRANSLATED_LANGUAGES:
        try:
            catalogue = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:  # a pycountry build without that catalogue
            continue
        for country in pycountry.countries:
            for attribute in _NAME_ATTRIBUTES:
                value = getattr(country, attribute, None)
                if value:
                    index.setdefault(_normalise(catalogue.gettext(value)), country.alpha_3)
    return index


# Bounded: names come from uploaded files, and a hostile one could hold millions of them.
@lru_cache(maxsize=4096)
def to_alpha3(name: str) -> str | None:
    """The alpha-3 code of a country name or code, or None when the name is not a country."""
    return _index().get(_normalise(name))


def is_alpha3(code: str) -> bool:
    """Whether `code` is an assigned ISO 3166-1 alpha-3 code."""
    return pycountry.countries.get(alpha_3=code) is not None
