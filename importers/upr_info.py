"""Reads UPR Info database exports (CSV, `To,To-Rgrp,...,Session`) into recommendation records."""

import csv
import hashlib
import html
import io
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import BinaryIO, TypeVar

from importers.encoding import SourceEncodingError, decode_source
from models.enums import MechanismCode, Position, SourceFormat
from suivi.countries import StateResolver, default_resolver, unknown_state_message
from suivi.records import RecommendationRecord, RecordError, SourceLocation, upr_cycle

_T = TypeVar("_T")

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


class _States:
    """The import's State names resolved once per distinct cell: a file names the same few
    hundred States thousands of times."""

    def __init__(self, resolver: StateResolver) -> None:
        self.resolver = resolver
        self.codes: dict[str, str | None] = {}

    def code(self, cell: str, column: str, role: str) -> str:
        if cell not in self.codes:
            if len(self.codes) > MAX_CACHED_NAMES:
                self.codes.clear()
            self.codes[cell] = self.resolver.resolve(_clean(cell))
        code = self.codes[cell]
        if code is None:
            raise _RowError(column, unknown_state_message(role, _clean(cell), self.resolver))
        return code


# A hostile file could name millions of distinct "States"; the cache stays bounded.
MAX_CACHED_NAMES = 4096
_ACTIONS = frozenset("12345")
MAX_SESSION = 32_767


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


def _checked(errors: list[_RowError], check: Callable[[], _T]) -> _T | None:
    """The value of `check()`, or None with its error kept: a row reports every bad cell."""
    try:
        return check()
    except _RowError as exc:
        errors.append(exc)
        return None


def _session(cell: str) -> int:
    text = _clean(cell)
    # SMALLINT in the database; no UPR session comes near its bound. The length first: Python
    # refuses to convert a text of thousands of digits.
    if not (text.isascii() and text.isdecimal() and len(text) <= 9) or not (
        1 <= int(text) <= MAX_SESSION
    ):
        raise _RowError(
            "Session", f"session must be a whole number from 1 to {MAX_SESSION}, not {text!r}"
        )
    return int(text)


def _response(cell: str) -> Position | None:
    response = _clean(cell).casefold()
    if response and response not in RESPONSES:
        raise _RowError("Response", f"unknown response {cell!r}")
    return RESPONSES[response] if response else None


def _action(cell: str) -> int | None:
    action = _clean(cell)
    if action and action not in _ACTIONS:
        raise _RowError("Action", f"action category must be 1 to 5, not {action!r}")
    return int(action) if action else None


def _text(cell: str) -> str:
    text = _clean(cell)
    if not text:
        raise _RowError("Text", "the recommendation has no text")
    return text


def _recommending(cell: str, states: _States) -> str | None:
    if _clean(cell).casefold() in {"", UNKNOWN_STATE}:
        return None
    return states.code(cell, "From", "recommending State")


def _row_record(row: dict[str, str], line: int, states: _States) -> RecommendationRecord:
    """The row's record; _RowError at its first invalid cell."""
    state = states.code(row["To"], "To", "State under review")
    text = _text(row["Text"])
    from_state = _recommending(row["From"], states)
    session = _session(row["Session"])
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
        position=_response(row["Response"]),
        action_category=_action(row["Action"]),
        session=session,
        cycle=upr_cycle(session),
        themes=list(_themes(row["Issue"])),
        original=row,
    )


def _row_errors(row: dict[str, str], states: _States) -> list[_RowError]:
    """Every invalid cell of a row known to have one: a person fixes them all at once."""
    errors: list[_RowError] = []
    _checked(errors, lambda: states.code(row["To"], "To", "State under review"))
    _checked(errors, lambda: _text(row["Text"]))
    _checked(errors, lambda: _recommending(row["From"], states))
    _checked(errors, lambda: _response(row["Response"]))
    _checked(errors, lambda: _action(row["Action"]))
    _checked(errors, lambda: _session(row["Session"]))
    return errors


def _original(header: list[str], values: list[str]) -> dict[str, str]:
    """A row's cells by column name; cells past the header are kept under numbered names."""
    original = dict(zip(header, values, strict=False))
    for extra, value in enumerate(values[len(header) :], start=1):
        original[f"extra {extra}"] = value
    return original


def _leniently(header: list[str], raw: str) -> dict[str, str] | None:
    """The cells of a malformed row as a lenient reader splits them, for the person fixing it."""
    try:
        values = next(csv.reader(io.StringIO(raw, newline="")), [])
    except csv.Error:
        return None
    return _original(header, values)


def _csv_problem(exc: csv.Error) -> str:
    # The csv module's words for a cell past its limit give neither the limit's unit nor a cause.
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    return str(exc)


def read_upr_info(
    stream: BinaryIO, *, states: StateResolver | None = None
) -> Iterator[RecommendationRecord | RecordError]:
    """Records of a UPR Info CSV in any of the encodings and line endings it comes in; State
    names are resolved by `states` (the built-in names when None)."""
    names = _States(states or default_resolver())
    try:
        decoded = decode_source(stream.read())
    except SourceEncodingError as exc:
        yield RecordError(SourceLocation(line=exc.line), f"column {exc.column}", exc.message)
        return
    buffer = io.StringIO(decoded.text, newline="")
    reader = csv.reader(buffer, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield RecordError(SourceLocation(line=1), None, "the file is empty")
        return
    except csv.Error as exc:
        yield RecordError(
            SourceLocation(line=1), None, f"malformed CSV header: {_csv_problem(exc)}"
        )
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
        offset = buffer.tell()
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader goes on at the next line: a broken row costs that row, not the rows
            # after it, and goes to the rejected file as a lenient reader splits it.
            raw = decoded.text[offset : buffer.tell()]
            yield RecordError(
                SourceLocation(line=line),
                None,
                f"malformed CSV: {_csv_problem(exc)}",
                original=_leniently(header, raw),
            )
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not values or values == [""]:
            continue
        if len(values) != len(header):
            yield RecordError(
                SourceLocation(line=start),
                None,
                f"expected {len(header)} fields, found {len(values)}",
                original=_original(header, values),
            )
            continue
        row = dict(zip(header, values, strict=True))
        try:
            yield _row_record(row, start, names)
        except _RowError:
            for error in _row_errors(row, names):
                yield RecordError(
                    SourceLocation(line=start), error.column, error.message, original=row
                )
