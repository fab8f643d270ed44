"""The pages that call the keyed API from the browser: submitting updates, and reviewing them.

Both are served without data: the key stays in the browser tab, and the page's script sends it
to `/v1/...` in an `Authorization` header, so the API's rules, limits and audit apply unchanged.
"""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.pages import (
    contribute_words,  # noqa: F401 - registers the words
    i18n,
    labels,
)
from api.pages.rendering import render
from api.params import MAX_ID
from models.enums import Confidentiality, ImplementationStatus

router = APIRouter()


# The words each script writes into the page itself, sent in the page's language.
_SHARED_SCRIPT_TEXT = (
    "contribute.key.saved",
    "contribute.key.forgotten",
    "contribute.key.missing",
    "contribute.key.present",
    "contribute.key.absent",
    "contribute.network",
    "contribute.refused",
    "contribute.loading",
    "contribute.more",
    "contribute.update",
    "contribute.recommendation",
    "contribute.action",
    "contribute.field.source_type",
    "contribute.field.assessed_status",
    "contribute.field.as_of_date",
    "contribute.field.confidentiality",
    "contribute.field.review_state",
    "contribute.field.submitted_at",
    "contribute.field.organisation",
    "contribute.field.evidence",
    "contribute.field.narrative",
    "contribute.field.reason",
    "contribute.not_named",
    "contribute.none",
)
_SUBMIT_SCRIPT_TEXT = (
    "submit.find.none",
    "submit.find.count",
    "submit.find.choose",
    "submit.find.chosen",
    "submit.sending",
    "submit.submitted",
    "submit.mine.none",
    "submit.mine.count",
    "submit.withdraw",
    "submit.withdrawn",
)
_REVIEW_SCRIPT_TEXT = (
    "review.queue.none",
    "review.queue.count",
    "review.publish",
    "review.reject",
    "review.reason",
    "review.published",
    "review.rejected",
)
_LABEL_KINDS = ("source_type", "status", "review_state", "confidentiality")


def _script_data(language: str, keys: tuple[str, ...]) -> dict[str, object]:
    return {
        "text": {key: i18n.translate(language, key) for key in (*_SHARED_SCRIPT_TEXT, *keys)},
        "labels": {
            kind: {code: labels.label(kind, code, language) for code in labels.codes(kind)}
            for kind in _LABEL_KINDS
        },
    }


def _recommendation_id(value: str | None) -> int | None:
    # A link from a recommendation's page prefills it; anything else is simply not prefilled.
    if value is None or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


@router.get("/submit", response_class=HTMLResponse)
async def submit_page(request: Request) -> HTMLResponse:
    """The form a civil society organisation, NHRI or State focal point submits updates with."""
    page_language = i18n.choose_language(request)
    return render(
        request,
        "submit.html",
        recommendation_id=_recommendation_id(request.query_params.get("recommendation")),
        source_types=labels.codes("source_type"),
        statuses=[
            code
            for code in labels.codes("status")
            if code != ImplementationStatus.NOT_ASSESSED.value
        ],
        confidentialities=[level.value for level in Confidentiality],
        script_data=_script_data(page_language, _SUBMIT_SCRIPT_TEXT),
    )


@router.get("/review", response_class=HTMLResponse)
async def review_page(request: Request) -> HTMLResponse:
    """The office staff's review queue: publish or reject each submitted update."""
    page_language = i18n.choose_language(request)
    return render(
        request, "review.html", script_data=_script_data(page_language, _REVIEW_SCRIPT_TEXT)
    )
