"""Reads UPR Info database exports (CSV, `To,To-Rgrp,...,Session`) into recommendation records."""

import csv
import hashlib
import html
import io
from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO

from importers.encoding import SourceEncodingError, decode_source
from models.enums import MechanismCode, Position, SourceFormat
from suivi.countries import to_alpha3
from suivi.records import RecommendationRecord, RecordError, SourceLocation, upr_cycle

COLUMNS = (
    "To",
    "To-Rgrp",
    "To-Org",
    "Text",
    "From",
    "From-Rgrp",
    "From-Org",
    "Response",
    "Action",
    "Issue",
    "Session",
)

RESPONSES = {
    "accepted": Position.SUPPORTED,
    "supported": Position.SUPPORTED,
    "noted": Position.NOTED,
    "rejected": Position.NOTED,
    "voluntary pledge": Position.PLEDGE,
    "pledge": Position.PLEDGE,
    "partially accepted": Position.SUPPORTED_IN_PART,
    "partially supported": Position.SUPPORTED_IN_PART,
    "supported in part": Position.SUPPORTED_IN_PART,
    "pending": Position.PENDING,
    "no response": Position.PENDING,
}
# UPR Info writes "(Unknown)" when the source did not say which State recommended.
UNKNOWN_STATE = "(unknown)"


def _clean(value: str) -> str:
    """A cell with HTML entities decoded and runs of whitespace made one space."""
    if "&" in value:
        value = html.unescape(value)
    return " ".join(value.split())


def natural_key(state: str, session: int, recommending_state: str | None, text: str) -> str:
    """Identity of a UPR Info row: State, session, recommending State and normalised text."""
    basis = "|".join((state, str(session), recommending_state or "", text.casefold()))
    return "upr-info:" + hashlib.sha256(basis.encode()).hexdigest()[:40]


class _RowError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@lru_cache(maxsize=4096)
def _country(cell: str) -> str | None:
    # A file names the same few hundred States thousands of times.
    return to_alpha3(_clean(cell))


def _state(value: str, column: str, role: str) -> str:
    code = _country(value)
    if code is None:
        raise _RowError(column, f"unknown {role} {_clean(value)!r}")
    return code


_ACTIONS = frozenset("12345")


@lru_cache(maxsize=4096)
def _themes(issues: str) -> tuple[str, ...]:
    """The comma-separated `Issue` cell as distinct themes, in the order given.

    A file repeats a few hundred combinations of issues thousands of times: cached.
    """
    themes: list[str] = []
    for part in _clean(issues).split(","):
        theme = part.strip()
        if theme and theme not in themes:
            themes.append(theme)
    return tuple(themes)


def _row_record(row: dict[str, str], line: int) -> RecommendationRecord:
    state = _state(row["To"], "To", "State under review")
    text = _clean(row["Text"])
    if not text:
        raise _RowError("Text", "the recommendation has no text")
    recommending = row["From"]
    from_state = (
        None
        if _clean(recommending).casefold() in {"", UNKNOWN_STATE}
        else _state(recommending, "From", "recommending State")
    )
    response = _clean(row["Response"]).casefold()
    if response and response not in RESPONSES:
        raise _RowError("Response", f"unknown response {row['Response']!r}")
    action = _clean(row["Action"])
    if action and action not in _ACTIONS:
        raise _RowError("Action", f"action category must be 1 to 5, not {action!r}")
    session_text = _clean(row["Session"])
    if not (session_text.isascii() and session_text.isdecimal()) or int(session_text) < 1:
        raise _RowError("Session", f"session must be a positive whole number, not {session_text!r}")
    session = int(session_text)
    return RecommendationRecord(
        natural_key=natural_key(state, session, from_state, text),
        source_format=SourceFormat.UPR_INFO,
        location=SourceLocation(line=line),
        state=state,
        body="UPR",
        mechanism=MechanismCode.UPR,
        language="en",
        text=text,
        recommending_states=[from_state] if from_state else [],
        position=RESPONSES[response] if response else None,
        action_category=int(action) if action else None,
        session=session,
        cycle=upr_cycle(session),
        themes=list(_themes(row["Issue"])),
    )


def read_upr_info(stream: BinaryIO) -> Iterator[RecommendationRecord | RecordError]:
    """Records of a UPR Info CSV in any of the encodings and line endings it comes in."""
    try:
        decoded = decode_source(stream.read())
    except SourceEncodingError as exc:
        yield RecordError(SourceLocation(line=exc.line), f"column {exc.column}", exc.message)
        return
    reader = csv.reader(io.StringIO(decoded.text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield RecordError(SourceLocation(line=1), None, "the file is empty")
        return
    header = [name.strip() for name in header]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        yield RecordError(
            SourceLocation(line=1),
            ", ".join(missing),
            f"not a UPR Info export: missing column(s) {', '.join(missing)}",
        )
        return
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(SourceLocation(line=line), None, f"malformed CSV: {exc}")
            return
        start, line = line, reader.line_num + 1
        if not values or values == [""]:
            continue
        if len(values) != len(header):
            yield RecordError(
                SourceLocation(line=start),
                None,
                f"expected {len(header)} fields, found {len(values)}",
            )
            continue
        try:
            yield _row_record(dict(zip(header, values, strict=True)), start)
        except _RowError as exc:
            yield RecordError(SourceLocation(line=start), exc.column, exc.message)
