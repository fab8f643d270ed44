"""UPR recommendations already stored get their review's date, cycle and report.

UPR Info exports give a session number and nothing else, so imported rows had no date and no
document: year filters, date sorts, trends, timelines and the next-review deadlines left them
out. Imports now take both from the Working Group's calendar (suivi/data/upr_sessions.csv); this
fills in the rows imported before, from the same table. The content hash is untouched: it covers
what the source said, and these values are derived from it.

Downgrade takes the derived documents away again (their symbols start with `UPR/WG/`) and clears
the dates of the recommendations that pointed at them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from suivi import upr_sessions
from suivi.countries import display_name

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DERIVED_SYMBOLS = "UPR/WG/%"


def _name(state: str) -> str:
    # Older imports accepted any three capital letters as a State: such a code stays a code.
    try:
        return display_name(state)
    except ValueError:
        return state


def upgrade() -> None:
    bind = op.get_bind()
    upr = bind.scalar(sa.text("SELECT id FROM bodies WHERE code = 'UPR'"))
    if upr is None:
        return
    sessions = {session.number: session for session in upr_sessions.sessions()}
    reviews = bind.execute(
        sa.text(
            "SELECT DISTINCT state_code, session FROM recommendations "
            "WHERE body_id = :upr AND session IS NOT NULL AND document_id IS NULL"
        ),
        {"upr": upr},
    ).all()
    documents = [
        {
            "symbol": upr_sessions.review_document_symbol(state, number),
            "body_id": upr,
            "state_code": state,
            "title": upr_sessions.review_document_title(_name(state), number),
            "published_date": sessions[number].start_date,
            "session": number,
            "cycle": sessions[number].cycle,
        }
        for state, number in reviews
        if number in sessions
    ]
    if documents:
        bind.execute(
            sa.text(
                "INSERT INTO documents "
                "(symbol, body_id, state_code, title, published_date, session, cycle) "
                "VALUES (:symbol, :body_id, :state_code, :title, :published_date, :session, "
                ":cycle) ON CONFLICT (symbol) DO NOTHING"
            ),
            documents,
        )
        bind.execute(
            sa.text(
                "UPDATE recommendations AS r SET document_id = d.id FROM documents AS d "
                "WHERE r.body_id = :upr AND r.document_id IS NULL AND r.session IS NOT NULL "
                "AND d.symbol = 'UPR/WG/' || r.session || '/' || r.state_code"
            ),
            {"upr": upr},
        )
    bind.execute(
        sa.text(
            "UPDATE recommendations AS r "
            "SET issued_date = COALESCE(r.issued_date, v.start_date), "
            "cycle = COALESCE(r.cycle, v.cycle) "
            "FROM unnest(CAST(:numbers AS int[]), CAST(:dates AS date[]), "
            "CAST(:cycles AS int[])) AS v(session, start_date, cycle) "
            "WHERE r.body_id = :upr AND r.session = v.session "
            "AND (r.issued_date IS NULL OR r.cycle IS NULL)"
        ),
        {
            "upr": upr,
            "numbers": [s.number for s in sessions.values()],
            "dates": [s.start_date for s in sessions.values()],
            "cycles": [s.cycle for s in sessions.values()],
        },
    )


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE recommendations AS r SET document_id = NULL, issued_date = NULL "
            "FROM documents AS d WHERE r.document_id = d.id AND d.symbol LIKE :derived"
        ).bindparams(derived=DERIVED_SYMBOLS)
    )
    op.execute(
        sa.text("DELETE FROM documents WHERE symbol LIKE :derived").bindparams(
            derived=DERIVED_SYMBOLS
        )
    )
