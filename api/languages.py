"""Which language an answer is in: Accept-Language negotiated, and said back in the headers.

The JSON API answers in the UN languages Suivi has labels for (suivi/labels.py); the pages in
those they have words for. Both negotiate the same way: the supported language of highest
quality, `fr-CA` counting as `fr`, `*` as any language not named, English when nothing fits.
"""

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Header, Response
from starlette.requests import Request
from starlette.types import Scope

from suivi.labels import DEFAULT_LANGUAGE, LANGUAGES

# No browser sends more; the rest of a longer header is ignored rather than parsed.
MAX_RANGES = 20
ACCEPT_LANGUAGE_DESCRIPTION = (
    "The language of the labels and of problem texts: `en`, `fr`, `es` or `ar`, with quality "
    "values (`fr-CA, fr;q=0.9, en;q=0.5`); English when absent or when none is supported. "
    "Codes and values never change with it."
)
# As OpenAPI documents the header, for routes that read their parameters themselves.
ACCEPT_LANGUAGE_PARAMETER = {
    "name": "accept-language",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": ACCEPT_LANGUAGE_DESCRIPTION,
}


def _quality(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                return 0.0
            # NaN compares false with everything: it is no quality at all.
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0


# Clients send the same few headers again and again.
@lru_cache(maxsize=512)
def negotiate(
    header: str | None, supported: tuple[str, ...] = LANGUAGES, default: str = DEFAULT_LANGUAGE
) -> str:
    """The language of `supported` that `header` (an Accept-Language value) prefers most.

    Ties go to the range named first; a quality of 0 refuses a language.
    """
    if not header:
        return default
    best, best_quality = default, 0.0
    named: set[str] = set()
    any_quality = 0.0
    for part in header.split(",")[:MAX_RANGES]:
        tag, _, parameters = part.strip().partition(";")
        language = tag.strip().lower().replace("_", "-").split("-", 1)[0]
        quality = _quality(parameters)
        if language == "*":
            any_quality = max(any_quality, quality)
            continue
        named.add(language)
        if language in supported and quality > best_quality:
            best, best_quality = language, quality
    if any_quality > best_quality:
        # The default first: `*` alone is English, as no header at all.
        for language in (default, *supported):
            if language not in named:
                return language
    return best


def request_language(request: Request) -> str:
    """The language a request's Accept-Language asks for."""
    return negotiate(request.headers.get("accept-language"))


def scope_language(scope: Scope) -> str:
    """The language of a request seen by middleware, before any Request exists."""
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            return negotiate(value.decode("latin-1"))
    return DEFAULT_LANGUAGE


def language_headers(language: str) -> dict[str, str]:
    """The headers of an answer in `language`: caches keep one copy per Accept-Language."""
    return {"Content-Language": language, "Vary": "Accept-Language"}


async def answer_language(
    response: Response,
    accept_language: Annotated[str | None, Header(description=ACCEPT_LANGUAGE_DESCRIPTION)] = None,
) -> str:
    """The negotiated language, said in the response's headers."""
    language = negotiate(accept_language)
    response.headers.update(language_headers(language))
    return language


# Routes that return a Response themselves must add `language_headers` to it.
LanguageDep = Annotated[str, Depends(answer_language)]
