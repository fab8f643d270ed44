"""UPR recommendations placed in their review: the date, cycle and report of their session.

UPR Info exports give only a session number. The Working Group's calendar (suivi/data/
upr_sessions.csv) dates it, so year filters, date sorts, trends, timelines and the next-review
deadlines include those recommendations too.
"""

from models.enums import MechanismCode
from suivi import upr_sessions
from suivi.countries import display_name
from suivi.records import RecommendationRecord


def complete(record: RecommendationRecord) -> None:
    """Give a UPR record with a known session what its source left out: the review's date and
    cycle, and its Working Group report as the document."""
    if record.mechanism is not MechanismCode.UPR or record.session is None:
        return
    review = upr_sessions.session(record.session)
    if review is None:
        return
    if record.issued_date is None:
        record.issued_date = review.start_date
    if record.cycle is None:
        record.cycle = review.cycle
    if record.document_symbol is None:
        record.document_symbol = upr_sessions.review_document_symbol(record.state, review.number)
        record.document_title = upr_sessions.review_document_title(
            display_name(record.state), review.number
        )
