"""Rendering a page: the template environment, the language, and the helpers templates use."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.pages import i18n, labels

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# Autoescaped everywhere: narratives and names are untrusted text.
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def link(path: str, language: str, params: Iterable[tuple[str, object]] = ()) -> str:
    """`path` with `params` and the page's language, so a followed link keeps the language."""
    query = [(name, str(value)) for name, value in params if value not in (None, "")]
    query.append(("lang", language))
    return f"{path}?{urlencode(query)}"


class Page:
    """What every template may use: the language, its words and labels, links that keep it."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.lang = i18n.choose_language(request)
        self.dir = i18n.direction(self.lang)
        self.languages = [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES]

    def t(self, key: str, **values: object) -> str:
        """A message in the page's language."""
        return i18n.translate(self.lang, key, **values)

    def label(self, kind: str, code: str | None) -> str:
        """A code's label in the page's language."""
        return labels.label(kind, code, self.lang)

    def state(self, code: str | None) -> str:
        """A State's name in the page's language."""
        return labels.state_name(code, self.lang)

    def link(self, path: str, *pairs: tuple[str, object], **params: object) -> str:
        """A link to `path` in this language; repeated parameters as pairs."""
        return link(path, self.lang, [*pairs, *params.items()])

    def switch(self, language: str) -> str:
        """This very page in another language."""
        kept = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return link(self.request.url.path, language, kept)

    def number(self, value: int) -> str:
        """A count as this language writes it: 12,345 in English and Arabic, 12 345 (a narrow
        space) in French and Spanish, where a comma marks decimals; Spanish keeps 1234 whole."""
        if self.lang == "es" and abs(value) < 10_000:
            return str(value)
        return f"{value:,}".replace(",", "\u202f" if self.lang in ("fr", "es") else ",")


def not_found(request: Request, detail: str) -> HTMLResponse:
    """The 404 page in the request's language, saying `detail` (already in that language)."""
    title = i18n.translate(i18n.choose_language(request), "error.not_found")
    return render(request, "error.html", status_code=404, title=title, detail=detail)


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The page `template` in the request's language."""
    page = Page(request)
    html = _environment.get_template(template).render(page=page, **context)
    # The same URL answers in the language of Accept-Language: caches must keep them apart.
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={"Vary": "Accept-Language", "Content-Language": page.lang},
    )
