"""The recommendations pages: a search with facets and paging, and one recommendation in full.

Both read through the same services, filters and cursors as `GET /v1/recommendations` and
`GET /v1/recommendations/{id}`, so a page shows what the public API gives, never more.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, get_origin

import babel
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from api.deps import ReadsDep, SessionDep
from api.pages import (
    i18n,
    labels,
    recommendation_words,  # noqa: F401 - registers the words
)
from api.pages.rendering import link, not_found, render
from api.params import MAX_ID
from api.routes.recommendations import RecommendationQuery, read_cursor, write_cursor
from models.enums import ImplementationStatus, MechanismCode, Position, SourceFormat, SourceType
from suivi.errors import InvalidCursor, MeaningUnavailable, NotFound
from suivi.reads import Reads
from suivi.services import meaning, reference, stats, timeline
from suivi.services import recommendations as service
from suivi.services.keys import PUBLIC
from suivi.services.recommendations import (
    HrdFilter,
    RecommendationFilters,
    RecommendationItem,
    Sort,
)
from suivi.services.stats import Dimension

router = APIRouter()

PATH = "/recommendations"
# The filters the form has a control for; the others ride along as hidden fields.
FORM_FIELDS = (
    "q",
    "state",
    "mechanism",
    "body",
    "hrd",
    "status",
    "position",
    "cycle",
    "year_from",
    "year_to",
    "source_format",
    "sort",
)
_PARAMETERS = frozenset(RecommendationQuery.model_fields)
_LISTS = frozenset(
    name
    for name, field in RecommendationQuery.model_fields.items()
    if get_origin(field.annotation) is list
)
_CHOICES: dict[str, type[StrEnum]] = {
    "mechanism": MechanismCode,
    "position": Position,
    "status": ImplementationStatus,
    "source_format": SourceFormat,
    "hrd": HrdFilter,
    "sort": Sort,
}
_RIGHT_TO_LEFT_TEXT = frozenset({"ar", "fa", "he", "ur"})
_ID = re.compile(r"[0-9]{1,19}")
EXCERPT_LENGTH = 280


@dataclass(frozen=True, slots=True)
class FieldError:
    """A parameter the search refused, and why, in the page's language."""

    name: str
    message: str
    in_form: bool


@dataclass(frozen=True, slots=True)
class Row:
    """A found recommendation as the results table shows it."""

    item: RecommendationItem
    excerpt: str
    direction: str


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet under the current filters, with the link that keeps to it."""

    code: str
    count: int
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class Results:
    """What a valid search found: the count, this page, its facets and the pager's links."""

    total: int
    rows: list[Row]
    by_status: list[FacetValue]
    by_mechanism: list[FacetValue]
    next_href: str | None
    first_href: str | None


def text_direction(language: str) -> str:
    """`rtl` for a text written right to left, `ltr` otherwise."""
    return "rtl" if language.split("-")[0].lower() in _RIGHT_TO_LEFT_TEXT else "ltr"


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """`text` on one line, cut at a word before `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


@dataclass(frozen=True, slots=True)
class Marks:
    """The colon and the list comma as a language writes them."""

    colon: str
    comma: str


def punctuation(language: str) -> Marks:
    """`language`'s colon (French sets it off with a thin space) and list comma."""
    return Marks(
        colon="\u202f:" if language == "fr" else ":",
        comma="\u060c " if language == "ar" else ", ",
    )


def _chosen(request: Request) -> dict[str, list[str]]:
    """The non-empty query values by name: a form sends its empty fields, which mean any."""
    chosen: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name != "lang" and value != "":
            chosen.setdefault(name, []).append(value)
    return chosen


def _model_input(chosen: Mapping[str, list[str]]) -> dict[str, Any]:
    # As FastAPI reads a query model: every value of a list, the last of a single one.
    return {name: values if name in _LISTS else values[-1] for name, values in chosen.items()}


def _shown(value: object) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _explain(language: str, name: str, error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    values = {"name": name, "value": _shown(error.get("input", ""))}

    def say(key: str, **more: object) -> str:
        return i18n.translate(language, f"recommendations.error.{key}", **values, **more)

    if kind == "extra_forbidden":
        return say("unknown")
    if name in _CHOICES and kind in {"enum", "literal_error"}:
        return say("choice", choices=", ".join(member.value for member in _CHOICES[name]))
    if kind in {"int_parsing", "int_from_float", "int_type"}:
        return say("integer")
    if kind == "greater_than_equal":
        return say("minimum", limit=context.get("ge"))
    if kind == "less_than_equal":
        return say("maximum", limit=context.get("le"))
    if kind == "string_too_long":
        return say("too_long")
    if kind == "string_pattern_mismatch" and name in {"state", "recommending_state"}:
        return say("state")
    if kind.startswith("datetime"):
        return say("datetime")
    if kind == "value_error" and name == "year_to":
        return say("year_order")
    if kind == "value_error" and name == "sort":
        return say("relevance")
    return say("invalid")


def field_errors(language: str, errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """One message per refused parameter, naming it, in `language`."""
    found: dict[str, FieldError] = {}
    for error in errors:
        location = [part for part in error.get("loc", ()) if part != "query"]
        name = str(location[0]) if location else "?"
        message = _explain(language, name, error)
        found.setdefault(name, FieldError(name, message, name in FORM_FIELDS))
    return list(found.values())


def _sort_key(name: str) -> str:
    # Accents and case aside, as a reader scans a list of names.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


async def _options(
    session: AsyncSession, language: str, chosen: Mapping[str, list[str]]
) -> dict[str, list[tuple[str, str]]]:
    """The choices of the form's selects: States and bodies with recommendations, cycles held."""
    states = {state.code for state in await reference.list_states(session)}
    states.update(chosen.get("state", []))
    named = [(code, labels.state_name(code, language)) for code in states]
    bodies = [
        (body.code, f"{body.code} · {body.name}")
        for body in await reference.list_bodies(session)
        if body.recommendations or body.code in chosen.get("body", [])
    ]
    held = await stats.count_by(
        Reads.of_session(session), dimensions=[Dimension.CYCLE], filters=RecommendationFilters()
    )
    cycles = {str(group.values[0]) for group in held.groups if group.values[0] is not None}
    cycles.update(value for value in chosen.get("cycle", []) if value.isdigit())

    def say(key: str) -> str:
        return i18n.translate(language, f"recommendations.{key}")

    return {
        "state": sorted(named, key=lambda option: _sort_key(option[1])),
        "mechanism": [(code, labels.label("mechanism", code, language)) for code in MechanismCode],
        "body": bodies,
        "hrd": [
            *((code, labels.label("hrd", code, language)) for code in ("direct", "related")),
            ("any", say("hrd.any")),
        ],
        "status": [(code, labels.label("status", code, language)) for code in ImplementationStatus],
        "position": [(code, labels.label("position", code, language)) for code in Position],
        "cycle": [(cycle, cycle) for cycle in sorted(cycles, key=int)],
        "source_format": [(code, say(f"source.{code}")) for code in SourceFormat],
        "sort": [(code, say(f"sort.{code}")) for code in Sort],
    }


def _facet(
    language: str,
    name: str,
    groups: Sequence[stats.Group],
    kept: Sequence[tuple[str, str]],
    chosen: Sequence[str],
) -> list[FacetValue]:
    """Each value's count, linked to the search kept to that value (the page resets)."""
    others = [(key, value) for key, value in kept if key != name]
    return [
        FacetValue(
            code=str(code),
            count=group.count,
            href=link(PATH, language, [*others, (name, code)]),
            current=chosen == [str(code)],
        )
        for group in groups
        if (code := group.values[0]) is not None
    ]


async def _search(
    session: AsyncSession, reads: Reads, language: str, chosen: Mapping[str, list[str]]
) -> Results | list[FieldError]:
    """The search the API's list would answer for the same parameters, or what was refused."""
    try:
        params = RecommendationQuery.model_validate(_model_input(chosen))
        filters = params.to_filters()
        sort = params.sort or (Sort.RELEVANCE if filters.query else Sort.ID)
        if sort is Sort.RELEVANCE and not filters.query:
            return field_errors(language, [{"loc": ("sort",), "type": "value_error"}])
        after = read_cursor(params.cursor, sort) if params.cursor else None
    except ValidationError as exc:
        return field_errors(language, exc.errors())
    except RequestValidationError as exc:
        return field_errors(language, exc.errors())
    except InvalidCursor:
        message = i18n.translate(language, "recommendations.error.cursor")
        return [FieldError("cursor", message, in_form=False)]
    try:
        filters = await meaning.with_meaning(reads, filters)
    except MeaningUnavailable:
        message = i18n.translate(language, "recommendations.error.meaning")
        return [FieldError("search", message, in_form=False)]
    items, next_keyset = await service.list_page(
        reads, limit=params.limit, filters=filters, sort=sort, after=after
    )
    by_status = await stats.count_by(reads, dimensions=[Dimension.STATUS], filters=filters)
    by_mechanism = await stats.count_by(reads, dimensions=[Dimension.MECHANISM], filters=filters)
    kept = [
        (name, value) for name, values in chosen.items() if name != "cursor" for value in values
    ]
    next_href = None
    if next_keyset is not None:
        next_href = link(PATH, language, [*kept, ("cursor", write_cursor(next_keyset, sort))])
    return Results(
        total=by_status.total,
        rows=[Row(item, excerpt(item["text"]), text_direction(item["language"])) for item in items],
        by_status=_facet(language, "status", by_status.groups, kept, chosen.get("status", [])),
        by_mechanism=_facet(
            language, "mechanism", by_mechanism.groups, kept, chosen.get("mechanism", [])
        ),
        next_href=next_href,
        first_href=link(PATH, language, kept) if params.cursor else None,
    )


@router.get(PATH)
async def search_page(request: Request, session: SessionDep, reads: ReadsDep) -> HTMLResponse:
    """The search form, the count and facets of what it finds, and one page of it: the page
    on the read pool (and the process's vectors), the counts in the request's session."""
    language = i18n.choose_language(request)
    chosen = _chosen(request)
    outcome = await _search(session, reads, language, chosen)
    errors = outcome if isinstance(outcome, list) else []
    invalid = {error.name for error in errors}
    # Sent again with the form; a refused value is left out, so the form can mend the search.
    hidden = [
        (name, value)
        for name, values in chosen.items()
        if name in _PARAMETERS and name not in {*FORM_FIELDS, "cursor", *invalid}
        for value in values
    ]
    return render(
        request,
        "recommendations.html",
        status_code=422 if errors else 200,
        chosen=chosen,
        options=await _options(session, language, chosen),
        hidden=hidden,
        errors=errors,
        invalid=invalid,
        results=outcome if isinstance(outcome, Results) else None,
        marks=punctuation(language),
    )


@dataclass(frozen=True, slots=True)
class TextHeld:
    """One text of a recommendation, with what a reader needs to read it right."""

    language: str
    language_name: str
    direction: str
    text: str
    original: bool


def _language_name(code: str, language: str) -> str:
    name = babel.Locale.parse(language).languages.get(code.split("-")[0], code)
    return str(name)[:1].upper() + str(name)[1:]


@router.get(PATH + "/{recommendation_id}")
async def recommendation_page(
    request: Request, session: SessionDep, reads: ReadsDep, recommendation_id: str
) -> HTMLResponse:
    """Everything the public detail and timeline of one recommendation show."""
    language = i18n.choose_language(request)
    try:
        if not _ID.fullmatch(recommendation_id) or not 1 <= int(recommendation_id) <= MAX_ID:
            raise NotFound(recommendation_id)
        detail = await service.get_detail(reads, recommendation_id=int(recommendation_id))
        events = await timeline.events(session, recommendation_id=detail.summary.id, caller=PUBLIC)
    except NotFound:
        detail_text = i18n.translate(
            language, "recommendations.not_found", id=recommendation_id[:20]
        )
        return not_found(request, detail_text)
    original = detail.summary.language
    texts = [
        TextHeld(code, _language_name(code, language), text_direction(code), text, code == original)
        for code, text in sorted(detail.texts.items(), key=lambda p: (p[0] != original, p[0]))
    ]
    return render(
        request,
        "recommendation.html",
        detail=detail,
        rec=detail.summary,
        record=detail.follow_up,
        texts=texts,
        sources=list(SourceType),
        events=events,
        marks=punctuation(language),
    )
