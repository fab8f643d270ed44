"""The pages' words in English, French, Spanish and Arabic, and how a request picks its language.

Each page module registers its own messages; a message missing in a language falls back to
English, so a page never shows a key.
"""

from collections.abc import Mapping
from types import MappingProxyType

from starlette.requests import Request

from api.languages import negotiate

LANGUAGES = ("en", "fr", "es", "ar")
DEFAULT_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}

_CATALOGUE: dict[str, dict[str, str]] = {}


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add a page's messages: key -> language -> text (English required)."""
    for key, texts in messages.items():
        if DEFAULT_LANGUAGE not in texts:
            raise ValueError(f"message {key!r} has no English text")
        _CATALOGUE[key] = dict(texts)


def catalogue() -> Mapping[str, Mapping[str, str]]:
    """Every message registered so far: key -> language -> text, read-only."""
    return MappingProxyType({key: MappingProxyType(texts) for key, texts in _CATALOGUE.items()})


def translate(language: str, key: str, **values: object) -> str:
    """The message `key` in `language` (English when it lacks one), with `values` filled in."""
    texts = _CATALOGUE.get(key)
    if texts is None:
        raise KeyError(f"no message {key!r}")
    text = texts.get(language) or texts[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def choose_language(request: Request) -> str:
    """`?lang=` when it names a language the pages speak, else the best of Accept-Language."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    return negotiate(request.headers.get("accept-language"), LANGUAGES, DEFAULT_LANGUAGE)


def direction(language: str) -> str:
    """`rtl` for Arabic, `ltr` otherwise."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"
