"""Reads recommendations from UN report text as people copy it out of the PDF or Word file."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from importers.encoding import SourceEncodingError, decode_source
from models.enums import MechanismCode, SourceFormat
from suivi.countries import StateResolver, default_resolver
from suivi.input_limits import MAX_FIELD_CHARS
from suivi.records import (
    RecommendationRecord,
    RecordError,
    SourceLocation,
    natural_key_for_paragraph,
    upr_cycle,
)

# "118.7 Ratify", "118.17. Consider", "118.17.Consider", a number alone on its line (the PDF's
# hanging indent), and "118. The following recommendations ..." (a paragraph that is not itself
# a recommendation: the chapeau, or "119. All conclusions ..." after the list).
_NUMBER = re.compile(
    r"(?P<major>\d{1,3})\.(?P<minor>\d{1,3})(?:\.\s*|\s+|$)|(?P<single>\d{1,3})\.(?:\s+|$)"
)
# Where a paragraph may start in the middle of a line: after the previous one's final punctuation.
_MID_LINE_GAP = re.compile(r"(?:;\s*|[.:]\s+)(?=\d)")
_OPENING_QUOTES = "\"'\u201c\u2018\u00ab"
# What a page break leaves on its own line: page numbers, the job number "GE.17-12345 (E)",
# its barcode "*1712345*", and the document symbol (checked separately).
_PAGE_FURNITURE = re.compile(
    r"\d{1,4}|\d{1,4}/\d{1,4}|GE\.\d{2}-\d{3,6}(?:\([A-Z]\))?|\([A-Z]\)|\*\d{5,}\*"
)
_SPACES = re.compile(r"\s+")
_FINAL_PUNCTUATION = re.compile(r"\s*[;.]\s*$")
# Lowercase words State names are made of, in the languages UN reports come in.
_NAME_CONNECTORS = frozenset(
    {"of", "and", "the", "de", "du", "des", "la", "le", "les", "del", "y", "et", "da", "do", "dos"}
)
_ELIDED = ("d'", "d\u2019", "l'", "l\u2019")
# Longest UN short name: "United Kingdom of Great Britain and Northern Ireland".
_MAX_NAME_WORDS = 8
# Characters at the end of a paragraph that hold its final States, with room to spare.
_COMPLETION_TAIL = 1_000
# A line break after "non-" or before "-based" splits a word that keeps its hyphen; any other
# hyphen at the end of a line is the layout's and goes.
_HYPHENATED_PREFIXES = frozenset(
    {"non", "self", "anti", "ex", "well", "follow", "cross", "long", "short", "all", "multi"}
)
_HYPHENATED_SUFFIXES = frozenset(
    {"based", "related", "up", "making", "led", "sensitive", "term", "specific", "responsive"}
    | {"wide", "friendly", "free", "owned", "level", "sharing"}
)
_LEADING_LETTERS = re.compile(r"[^\W\d_]+")
_TRAILING_LETTERS = re.compile(r"[^\W\d_]+$")


@dataclass(slots=True)
class _Paragraph:
    number: str
    line: int
    first_line: int | None  # where the same number was seen before, if it was
    # Its lines as joined, kept apart until the end: adding each line to one growing text
    # would take time quadratic in the paragraph's length.
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def tail(self, size: int) -> str:
        """The last `size` characters of the text."""
        taken: list[str] = []
        length = 0
        for part in reversed(self.parts):
            taken.append(part)
            length += len(part)
            if length >= size:
                break
        return "".join(reversed(taken))[-size:]


@dataclass(frozen=True, slots=True)
class _Group:
    """One parenthesised group at the end of a recommendation."""

    start: int
    codes: list[str]
    unknown: list[str]


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u00ad", "")).strip()


def _join(parts: list[str], line: str) -> None:
    """Add the next line of the same paragraph to `parts`, the lines joined so far."""
    previous = parts[-1] if parts else ""
    if not previous:
        parts.append(line)
        return
    if previous.endswith("\u00ad"):
        parts[-1] = previous[:-1]
        parts.append(line)
        return
    before = _TRAILING_LETTERS.search(previous[:-1]) if previous.endswith("-") else None
    after = _LEADING_LETTERS.match(line)
    if before is None or after is None:
        parts.append(f" {line}")
    elif (
        not line[0].islower()
        or before.group().lower() in _HYPHENATED_PREFIXES
        or after.group().lower() in _HYPHENATED_SUFFIXES
    ):
        parts.append(line)
    else:
        parts[-1] = previous[:-1]
        parts.append(line)


def _is_page_furniture(line: str, symbol: str) -> bool:
    return all(token == symbol or _PAGE_FURNITURE.fullmatch(token) for token in line.split())


def _starts_text(rest: str, *, line_start: bool) -> bool:
    """Whether what follows a number can begin a paragraph (so "16.10 of the Goals" is not one)."""
    if not rest:
        return line_start
    first = rest[0]
    if first.isalpha():
        # Not `isupper()`: Arabic letters have no case and still start a paragraph.
        return not first.islower()
    return first in _OPENING_QUOTES or (line_start and first == "(")


def _opening(text: str, close: int) -> int | None:
    """Index of the "(" that the ")" at `close` closes, counting nested names."""
    depth = 0
    for index in range(close, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                return index
    return None


def _split_top_level(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _looks_like_name(value: str) -> bool:
    """Whether `value` is written like a State name, so an unknown one is an error, not text."""
    if any(char.isdigit() for char in value):
        return False
    words = value.replace("(", " ").replace(")", " ").split()
    if not words or len(words) > _MAX_NAME_WORDS:
        return False
    for word in words:
        if word in _NAME_CONNECTORS:
            continue
        core = word[2:] if word[:2].lower() in _ELIDED else word
        if (
            not core
            or not core[0].isupper()
            or not all(c.isalpha() or c in "'\u2019.-" for c in core)
        ):
            return False
        # An acronym such as "(OPCAT)" names a treaty, not a State.
        if len(core) > 1 and core.isupper():
            return False
    return True


def _classify(inner: str, states: StateResolver) -> tuple[list[str], list[str]] | None:
    """Codes and unknown names of a group, or None when the group is not a list of States."""
    name = _clean(inner)
    code = states.resolve(name)
    if code is not None:
        return [code], []
    # Older reports list several States in one group: "(Ghana, Uruguay)".
    codes: list[str] = []
    unknown: list[str] = []
    for part in _split_top_level(name, ","):
        part_code = states.resolve(part)
        if part_code is not None:
            codes.append(part_code)
        elif _looks_like_name(part):
            unknown.append(part)
        else:
            return None
    return codes, unknown


def _trailing_groups(body: str, states: StateResolver) -> list[_Group]:
    """The parenthesised groups that end `body`, right to left, up to the first that is text."""
    groups: list[_Group] = []
    end = len(body)
    while True:
        end = len(body[:end].rstrip(" ,"))
        if not body[:end].endswith(")"):
            return groups
        start = _opening(body, end - 1)
        if start is None:
            return groups
        classified = _classify(body[start + 1 : end - 1], states)
        if classified is None:
            return groups
        groups.append(_Group(start, *classified))
        end = start


def _split_states(body: str, states: StateResolver) -> tuple[str, list[str], list[str]]:
    """The text, the recommending States' codes and the unknown names at the end of `body`."""
    groups = _trailing_groups(body, states)
    accepted: list[_Group] = []
    for index, group in enumerate(groups):
        if group.unknown:
            left = groups[index + 1] if index + 1 < len(groups) else None
            # An unknown name is a wrong State only where it is plainly inside the list: last,
            # or between States. Further left it may be the text's own "(Protocol of San Salvador)".
            if index == 0 or (left is not None and not left.unknown):
                return body, [], group.unknown
            break
        accepted.append(group)
    if not accepted:
        return body, [], []
    codes = [code for group in reversed(accepted) for code in group.codes]
    return body[: accepted[-1].start].rstrip(" ,;"), list(dict.fromkeys(codes)), []


def _is_complete(paragraph: _Paragraph, states: StateResolver) -> bool:
    """Whether a paragraph already ends with its States and final punctuation."""
    # Asked at each line of the paragraph: read whole, a long passage without a paragraph
    # number (an annex, a hostile file) would take time quadratic in its length.
    last = _clean(paragraph.parts[-1]) if paragraph.parts else ""
    if last and not last.endswith((";", ".")):
        return False
    cleaned = _clean(paragraph.tail(_COMPLETION_TAIL))
    if not cleaned.endswith((";", ".")):
        return False
    _, codes, _ = _split_states(cleaned[:-1].rstrip(), states)
    return bool(codes)


def _next_paragraph(
    line: str, pos: int, major: int | None, minor: int
) -> tuple[int, re.Match[str]] | None:
    """The next paragraph number after `pos` in the middle of `line`, and where its gap starts."""
    if major is None:
        return None
    for gap in _MID_LINE_GAP.finditer(line, pos):
        before = line[pos : gap.start()]
        if before.count("(") != before.count(")"):
            continue
        found = _NUMBER.match(line, gap.end())
        if found is None or not _starts_text(line[found.end() :], line_start=False):
            continue
        # Within a list numbers only go up, so a reference back ("as in 118.3.") is not a paragraph.
        if found["single"] is not None:
            if int(found["single"]) == major + 1:
                return gap.start(), found
        elif int(found["major"]) == major and int(found["minor"]) > minor:
            return gap.start(), found
    return None


def _record_or_error(
    paragraph: _Paragraph,
    *,
    symbol: str,
    state: str,
    session: int | None,
    language: str,
    states: StateResolver,
) -> RecommendationRecord | RecordError:
    where = SourceLocation(line=paragraph.line)
    if paragraph.first_line is not None:
        return RecordError(
            where,
            "paragraph",
            f"paragraph {paragraph.number} appears twice (first on line {paragraph.first_line})",
        )
    body = _FINAL_PUNCTUATION.sub("", _clean(paragraph.text), count=1)
    if len(body) > MAX_FIELD_CHARS:
        return RecordError(
            where,
            "text",
            f"paragraph {paragraph.number} is longer than {MAX_FIELD_CHARS:,} characters",
        )
    text, codes, unknown = _split_states(body, states)
    if not text:
        return RecordError(where, "text", f"paragraph {paragraph.number} has no text")
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        plural = "s" if len(unknown) > 1 else ""
        return RecordError(
            where, "recommending_states", f"unknown recommending State{plural} {names}"
        )
    return RecommendationRecord(
        natural_key=natural_key_for_paragraph(symbol, paragraph.number),
        source_format=SourceFormat.UN_TEXT,
        location=where,
        state=state,
        body="UPR",
        mechanism=MechanismCode.UPR,
        language=language,
        text=text,
        document_symbol=symbol,
        paragraph=paragraph.number,
        recommending_states=codes,
        session=session,
        cycle=upr_cycle(session) if session is not None else None,
    )


def _paragraphs(lines: list[str], symbol: str, states: StateResolver) -> Iterator[_Paragraph]:
    """The numbered recommendations of `lines`, joined, everything else left out."""
    seen: dict[str, int] = {}
    current: _Paragraph | None = None
    complete = False
    major: int | None = None
    minor = 0
    for line_number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or _is_page_furniture(line, symbol):
            continue
        pos = 0
        start = _NUMBER.match(line)
        if start is not None and not _starts_text(line[start.end() :], line_start=True):
            start = None
        while True:
            if start is None:
                following = _next_paragraph(line, pos, major, minor)
                end = following[0] if following else len(line)
                segment = line[pos:end].strip()
                if current is not None and not complete and segment:
                    _join(current.parts, segment)
                if following is None:
                    break
                start = following[1]
            if current is not None:
                yield current
                current = None
            complete = False
            if start["single"] is not None:
                # A paragraph that is not a recommendation: what follows it is left out.
                major, minor = int(start["single"]), 0
            else:
                major, minor = int(start["major"]), int(start["minor"])
                number = f"{major}.{minor}"
                current = _Paragraph(number, line_number, seen.get(number))
                seen.setdefault(number, line_number)
            pos = start.end()
            start = None
        # Once a recommendation has its States and final ";", what follows until the next number
        # is the layout's (a thematic list's "Source of position", themes), not more text.
        if current is not None and not complete:
            complete = _is_complete(current, states)
    if current is not None:
        yield current


def read_un_text(
    stream: BinaryIO,
    *,
    symbol: str,
    state: str,
    session: int | None,
    language: str = "en",
    states: StateResolver | None = None,
) -> Iterator[RecommendationRecord | RecordError]:
    """Records of the numbered recommendations in the copied text of the UN report `symbol`;
    recommending States' names are resolved by `states` (the built-in names when None)."""
    names = states or default_resolver()
    try:
        decoded = decode_source(stream.read())
    except SourceEncodingError as exc:
        yield RecordError(SourceLocation(line=exc.line), f"column {exc.column}", exc.message)
        return
    lines = decoded.text.split("\n")
    overlong = False
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_FIELD_CHARS:
            overlong = True
            yield RecordError(
                SourceLocation(line=number),
                None,
                f"line {number} is longer than {MAX_FIELD_CHARS:,} characters: "
                "is this the text of a report?",
            )
    if overlong:
        return
    found = False
    for paragraph in _paragraphs(lines, symbol, names):
        found = True
        yield _record_or_error(
            paragraph,
            symbol=symbol,
            state=state,
            session=session,
            language=language,
            states=names,
        )
    if not found:
        yield RecordError(
            SourceLocation(line=1),
            None,
            "no numbered recommendation (such as 118.7) found: is this the text of a UPR report?",
        )
