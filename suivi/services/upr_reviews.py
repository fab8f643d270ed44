"""UPR recommendations placed in their review: the date, cycle and report of their session.

UPR Info exports give only a session number. The Working Group's calendar (suivi/data/
upr_sessions.csv) dates it, so year filters, date sorts, trends, timelines and the next-review
deadlines include those recommendations too.
"""

from datetime import date
from functools import lru_cache

from models.enums import MechanismCode
from suivi import upr_sessions
from suivi.countries import display_name
from suivi.records import RecommendationRecord


def complete(record: RecommendationRecord) -> None:
    """Give a UPR record with a known session what its source left out: the review's date and
    cycle, and its Working Group report as the document."""
    if record.mechanism is not MechanismCode.UPR or record.session is None:
        return
    review = _review(record.state, record.session)
    if review is None:
        return
    issued, cycle, symbol, title = review
    if record.issued_date is None:
        record.issued_date = issued
    if record.cycle is None:
        record.cycle = cycle
    if record.document_symbol is None:
        record.document_symbol, record.document_title = symbol, title


def undated_session(record: RecommendationRecord) -> int | None:
    """The session of a UPR record that neither its source nor the calendar dates, or None."""
    if (
        record.mechanism is not MechanismCode.UPR
        or record.session is None
        or record.issued_date is not None
        or upr_sessions.session(record.session) is not None
    ):
        return None
    return record.session


# A file names the same few hundred reviews thousands of times.
@lru_cache(maxsize=4096)
def _review(state: str, number: int) -> tuple[date, int, str, str] | None:
    review = upr_sessions.session(number)
    if review is None:
        return None
    return (
        review.start_date,
        review.cycle,
        upr_sessions.review_document_symbol(state, number),
        upr_sessions.review_document_title(display_name(state), number),
    )
