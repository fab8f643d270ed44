"""The UPR Working Group's sessions: dates, cycle and adopting Council session, shipped as data."""

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from suivi.records import upr_cycle

TABLE_NAME = "upr_sessions.csv"
COLUMNS = ("session", "cycle", "start_date", "end_date", "hrc_session")
# From the second cycle on, each session reviews again the States of the session 14 before it;
# the first cycle's sessions of 16 States were re-cut into sessions of 14, so the rule starts at 13.
SESSIONS_PER_CYCLE = 14
FIRST_REGULAR_SESSION = 13

_ALPHA3 = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class UprSession:
    """One session of the UPR Working Group and the Council session that adopts its outcomes."""

    number: int
    cycle: int
    start_date: date
    end_date: date
    hrc_session: int


class UprSessionTableError(ValueError):
    """A line of the sessions table that breaks the table's rules."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        where = f"{source} line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line


def read_table(path: Traversable) -> tuple[UprSession, ...]:
    """Read and validate a sessions table, raising UprSessionTableError on the first bad line."""
    return parse_table(path.read_text(encoding="utf-8"), source=path.name)


def parse_table(text: str, *, source: str = TABLE_NAME) -> tuple[UprSession, ...]:
    """Parse and validate the text of a sessions table; '#' lines and blank lines are skipped."""
    header_seen = False
    table: list[UprSession] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = [field.strip() for field in next(csv.reader([line]))]
        if not header_seen:
            if tuple(fields) != COLUMNS:
                raise UprSessionTableError(
                    source, line_number, f"expected the header {','.join(COLUMNS)!r}"
                )
            header_seen = True
            continue
        row = _parse_row(fields, source=source, line=line_number)
        _check_row(row, table[-1] if table else None, source=source, line=line_number)
        table.append(row)
    if not table:
        raise UprSessionTableError(source, None, "the table holds no session")
    return tuple(table)


def _parse_row(fields: list[str], *, source: str, line: int) -> UprSession:
    if len(fields) != len(COLUMNS):
        raise UprSessionTableError(
            source, line, f"expected {len(COLUMNS)} columns, found {len(fields)}"
        )
    number, cycle, start, end, hrc = fields
    return UprSession(
        number=_integer(number, "session", source=source, line=line),
        cycle=_integer(cycle, "cycle", source=source, line=line),
        start_date=_iso_date(start, "start_date", source=source, line=line),
        end_date=_iso_date(end, "end_date", source=source, line=line),
        hrc_session=_integer(hrc, "hrc_session", source=source, line=line),
    )


def _integer(value: str, column: str, *, source: str, line: int) -> int:
    if not (value.isascii() and value.isdigit()):
        raise UprSessionTableError(source, line, f"{column} {value!r} is not a positive integer")
    return int(value)


def _iso_date(value: str, column: str, *, source: str, line: int) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        parsed = None
    # fromisoformat also takes forms such as 20080407; the table keeps one spelling.
    if parsed is None or parsed.isoformat() != value:
        raise UprSessionTableError(source, line, f"{column} {value!r} is not a YYYY-MM-DD date")
    return parsed


def _check_row(row: UprSession, previous: UprSession | None, *, source: str, line: int) -> None:
    expected_number = previous.number + 1 if previous else 1
    if row.number != expected_number:
        raise UprSessionTableError(
            source, line, f"session {row.number} where session {expected_number} was expected"
        )
    if row.cycle != upr_cycle(row.number):
        raise UprSessionTableError(
            source,
            line,
            f"session {row.number} belongs to cycle {upr_cycle(row.number)}, not {row.cycle}",
        )
    if row.end_date <= row.start_date:
        raise UprSessionTableError(
            source, line, f"session {row.number} ends on {row.end_date}, not after its start"
        )
    if row.hrc_session < 1:
        raise UprSessionTableError(source, line, "hrc_session must be at least 1")
    if previous is None:
        return
    if row.start_date <= previous.end_date:
        raise UprSessionTableError(
            source,
            line,
            f"session {row.number} starts on {row.start_date}, "
            f"before session {previous.number} ended ({previous.end_date})",
        )
    if row.hrc_session < previous.hrc_session:
        raise UprSessionTableError(
            source,
            line,
            f"hrc_session {row.hrc_session} is before session {previous.number}'s "
            f"({previous.hrc_session})",
        )


@cache
def sessions() -> tuple[UprSession, ...]:
    """Every session the shipped table holds, in order, read and validated once."""
    return read_table(files("suivi").joinpath("data", TABLE_NAME))


def session(number: int) -> UprSession | None:
    """The session with that number, or None when the table does not hold it."""
    table = sessions()
    if 1 <= number <= len(table):
        return table[number - 1]
    return None


def latest_known() -> UprSession:
    """The last session, held or scheduled, that the table holds."""
    return sessions()[-1]


def review_document_symbol(state: str, number: int) -> str:
    """Suivi's identifier for the Working Group report on a State at a session: UPR/WG/13/TUN."""
    # The real symbol is A/HRC/<hrc>/<n> and its n cannot be derived, so Suivi names the report
    # itself, in a form that no UN document symbol takes.
    code = state.strip().upper()
    if not _ALPHA3.fullmatch(code):
        raise ValueError(f"a State is named by its ISO 3166-1 alpha-3 code, not {state!r}")
    if number < 1:
        raise ValueError(f"UPR sessions start at 1, not {number}")
    return f"UPR/WG/{number}/{code}"


def review_document_title(state_name: str, number: int) -> str:
    """The title of the Working Group report on a State at a session; the year when it is known."""
    if number < 1:
        raise ValueError(f"UPR sessions start at 1, not {number}")
    held = f"{ordinal(number)} session"
    known = session(number)
    if known is not None:
        held += f", {known.start_date.year}"
    return f"Report of the Working Group on the Universal Periodic Review: {state_name} ({held})"


def next_review_estimate(number: int) -> date | None:
    """The start of the session that next reviews a session's States, when the table holds it."""
    if number < FIRST_REGULAR_SESSION:
        return None
    following = session(number + SESSIONS_PER_CYCLE)
    return following.start_date if following else None


def ordinal(number: int) -> str:
    """An English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    if 11 <= number % 100 <= 13:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
