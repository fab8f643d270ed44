"""Reads OHCHR's Universal Human Rights Index bulk JSON export into recommendation records."""

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Generator, Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any, BinaryIO, TypeVar

import ijson

from importers.json_stream import JsonRecords, Overlong, TooDeep
from models.enums import MechanismCode, Position, SourceFormat
from suivi.countries import StateResolver, default_resolver, unknown_state_message
from suivi.input_limits import MAX_JSON_DEPTH
from suivi.records import RecommendationRecord, RecordError, SourceLocation, upr_cycle

_T = TypeVar("_T")

CHUNK_SIZE = 64 * 1024
REQUIRED_FIELDS = ("AnnotationId", "Body", "Countries", "Text")
TREATY_BODIES = frozenset(
    {"CCPR", "CRC", "CAT", "CEDAW", "CERD", "CESCR", "CMW", "CRPD", "CED", "SPT"}
)
# Seeded mandates (the first migration's BODIES), recognised by a phrase of their name rather
# than one exact spelling: mandate titles change over time ("... against women and girls").
SEEDED_MANDATES = (
    ("defender", "SR-HRD"),
    ("expression", "SR-EXPRESSION"),
    ("assembly", "SR-ASSEMBLY"),
    ("judges", "SR-JUDGES"),
    ("lawyers", "SR-JUDGES"),
    ("torture", "SR-TORTURE"),
    ("terrorism", "SR-TERRORISM"),
    ("violence against women", "SR-VAW"),
    ("arbitrary detention", "WG-AD"),
    ("disappearance", "WG-EID"),
)
BODY_CODE_LENGTH = 32  # bodies.code
# Words every mandate name shares; without them the code keeps what tells mandates apart
# ("SR on the situation of human rights in Belarus" -> "SR-BELARUS").
SLUG_STOP_WORDS = frozenset(
    {"on", "the", "of", "and", "to", "in", "for", "a", "an", "its", "as", "by", "with"}
    | {"situation", "human", "rights", "right", "promotion", "protection", "issue"}
)
ANNOTATION_TYPE_LENGTH = 64  # recommendations.annotation_type
SYMBOL_LENGTH = 200  # documents.symbol
UTF8_BOM = b"\xef\xbb\xbf"

_SPECIAL_PROCEDURE = re.compile(r"(SR|IE|WG)\b[\s:-]*(.*)", re.DOTALL)
_SLUG_WORD = re.compile(r"[A-Za-z0-9]+")
# Tags end at the first "<" or ">", and a comment, script or style block is looked for by hand
# (_without_blocks): a pattern that scans to the end of the text from every "<" that is never
# closed takes quadratic time, minutes on a hostile text of thousands of "<script".
_BLOCK_OPENING = re.compile(r"<!--|<(script|style)\b[^<>]*>", re.IGNORECASE)
_BLOCK_CLOSING = {
    "": re.compile(r"-->"),
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}
_BLOCK_TAG = re.compile(
    r"</?(?:br|p|div|li|ul|ol|dl|dt|dd|tr|table|h[1-6]|blockquote|section|article)\b[^<>]*>",
    re.IGNORECASE,
)
_CELL_TAG = re.compile(r"</?t[dh]\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[!/]?[A-Za-z][^<>]*>")
# "118.7 Ratify", "105.34. Ratify", "4.The Committee", "23. (a) ...": a dotted number ends
# with a dot or a space, a plain number only with a dot, so "2030 Agenda" is not a paragraph.
_PARAGRAPH = re.compile(r"(?:(\d{1,4}(?:\.\d{1,4})+)(?:\.|(?=\s))|(\d{1,4})\.(?!\d))\s*")
_SDG_TARGET = re.compile(r"\s*(\d{1,2}(?:\.[0-9a-z]{1,2})?)\s*(?:-|\u2013|$)")
_NUMBER = re.compile(r"\D*?(\d+)\D*")
_AGREED = re.compile(r"\b(?<!not )(?:supported|accepted)\b")
_REFUSED = re.compile(r"\b(?:noted|rejected|not supported|not accepted)\b")


class _FieldError(ValueError):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _strip_dash(value: str) -> str:
    # The export prefixes Body and AnnotationType with "- "; other UHRI files may not.
    return value.strip().removeprefix("-").strip()


def _string(value: Any, column: str) -> str:
    if not isinstance(value, str):
        raise _FieldError(column, f"{column} must be text, not {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _strings(value: Any, column: str) -> list[str]:
    """A list of non-empty texts, without repeats; null is an empty list."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    elif not isinstance(value, list):
        raise _FieldError(column, f"{column} must be a list of texts, not {_describe(value)}")
    texts: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise _FieldError(column, f"{column} must hold texts, not {_describe(item)}")
        item = item.strip()
        # A plain list beats a set for the handful of tags a record has.
        if item and item not in texts:
            texts.append(item)
    return texts


@lru_cache(maxsize=1024)
def _body(raw: str) -> tuple[str, MechanismCode, str | None]:
    """Body code, mechanism, and the full name when the database may not know the body."""
    name = " ".join(_strip_dash(raw).split())
    if name == "UPR":
        return "UPR", MechanismCode.UPR, None
    if name in TREATY_BODIES:
        return name, MechanismCode.TREATY_BODY, None
    special = _SPECIAL_PROCEDURE.fullmatch(name)
    if special is None:
        raise _FieldError("Body", f"unknown body {raw!r}: not the UPR, a treaty body or a mandate")
    lowered = name.casefold()
    for phrase, code in SEEDED_MANDATES:
        if phrase in lowered:
            return code, MechanismCode.SPECIAL_PROCEDURE, None
    return _mandate_code(special[1], special[2]), MechanismCode.SPECIAL_PROCEDURE, name


def _mandate_code(kind: str, title: str) -> str:
    # ASCII, so "Côte d'Ivoire" becomes COTE-DIVOIRE, not C-TE-D-IVOIRE.
    title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    title = title.replace("'", "")
    words = [w.upper() for w in _SLUG_WORD.findall(title) if w.casefold() not in SLUG_STOP_WORDS]
    code = "-".join([kind, *words])
    if len(code) <= BODY_CODE_LENGTH:
        return code
    # A cut name can collide with another one cut at the same place: a digest keeps them apart.
    digest = hashlib.sha256(" ".join(title.casefold().split()).encode()).hexdigest()[:6]
    code = kind
    for word in words:
        if len(code) + len(word) + len(digest) + 2 > BODY_CODE_LENGTH:
            break
        code += "-" + word
    return f"{code}-{digest}"


def _state_under_review(value: Any, states: StateResolver) -> str:
    countries = _strings(value, "Countries")
    if not countries:
        raise _FieldError("Countries", "no State under review: Countries is empty")
    if len(countries) > 1:
        names = ", ".join(repr(c) for c in countries)
        raise _FieldError("Countries", f"one State under review expected, found {names}")
    code = states.resolve(countries[0])
    if code is None:
        raise _FieldError(
            "Countries", unknown_state_message("State under review", countries[0], states)
        )
    return code


def _recommending_states(value: Any, states: StateResolver) -> list[str]:
    codes = []
    for name in _strings(value, "UprRecommendingCountry"):
        code = states.resolve(name)
        if code is None:
            raise _FieldError(
                "UprRecommendingCountry", unknown_state_message("recommending State", name, states)
            )
        codes.append(code)
    return list(dict.fromkeys(codes))


def _without_blocks(value: str) -> str:
    """`value` without its HTML comments and script and style elements, in one pass."""
    kept: list[str] = []
    unclosed: set[str] = set()
    end = 0
    for opening in _BLOCK_OPENING.finditer(value):
        kind = (opening[1] or "").lower()
        if opening.start() < end or kind in unclosed:
            continue
        closing = _BLOCK_CLOSING[kind].search(value, opening.end())
        if closing is None:
            # Nor will any later opening of its kind be closed: its tag alone goes, as text's.
            unclosed.add(kind)
            continue
        kept.append(value[end : opening.start()])
        end = closing.end()
    kept.append(value[end:])
    return "".join(kept)


def _plain_text(value: str) -> str:
    """Text without HTML: entities decoded, one line per paragraph, spaces collapsed."""
    if "<" in value:
        value = _without_blocks(value)
        value = _BLOCK_TAG.sub("\n", value)
        value = _CELL_TAG.sub(" ", value)
        value = _TAG.sub("", value)
    if "&" in value:
        value = html.unescape(value)
    if "\n" in value or "\r" in value:
        lines = (" ".join(line.split()) for line in value.splitlines())
        return "\n".join(line for line in lines if line)
    # Most texts are one clean paragraph; splitting each costs a sixth of the reading time.
    if "  " in value or "\t" in value or "\xa0" in value:
        return " ".join(value.split())
    return value.strip()


def _paragraph_and_text(value: Any) -> tuple[str | None, str]:
    text = _plain_text(_string(value, "Text"))
    found = _PARAGRAPH.match(text)
    paragraph = None
    if found:
        paragraph = found[1] or found[2]
        text = text[found.end() :]
    if not text:
        raise _FieldError("Text", "the record has no text")
    return paragraph, text


def _optional_text(value: Any, column: str, limit: int) -> str | None:
    if value is None:
        return None
    text = " ".join(_string(value, column).split())
    if len(text) > limit:
        raise _FieldError(column, f"{column} is longer than {limit} characters: {text[:80]!r}...")
    return text or None


def _annotation_type(value: Any) -> str | None:
    if isinstance(value, str):
        value = _strip_dash(value)
    return _optional_text(value, "AnnotationType", ANNOTATION_TYPE_LENGTH)


def _issued_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return datetime.fromisoformat(_string(value, "PublicationDate")).date()
    except ValueError:
        raise _FieldError("PublicationDate", f"malformed date {value!r}") from None


def _sdgs(value: Any) -> list[str]:
    return list(dict.fromkeys(_sdg_target(label) for label in _strings(value, "Sdgs")))


@lru_cache(maxsize=1024)
def _sdg_target(label: str) -> str:
    found = _SDG_TARGET.match(label)
    if found is None:
        raise _FieldError("Sdgs", f"no SDG target number in {label!r}")
    return found[1]


def _whole_number(value: Any, column: str) -> int | None:
    """A positive number given as a number, a text ("40", "Session 40") or a list of one."""
    items = value if isinstance(value, list) else [value]
    numbers = {_one_number(item, column) for item in items if item is not None and item != ""}
    if len(numbers) > 1:
        raise _FieldError(column, f"several values in {column}: {sorted(numbers)}")
    return numbers.pop() if numbers else None


def _one_number(item: Any, column: str) -> int:
    number = None
    # The length first: Python refuses to convert a text of thousands of digits.
    if isinstance(item, str) and (found := _NUMBER.fullmatch(item)) and len(found[1]) <= 9:
        number = int(found[1])
    elif isinstance(item, int) and not isinstance(item, bool):
        number = item
    elif isinstance(item, float) and item.is_integer():
        number = int(item)
    # SMALLINT in the database; no UPR session or cycle comes near it.
    if number is None or not 1 <= number <= 32767:
        raise _FieldError(column, f"{column} must be a positive whole number, not {item!r}")
    return number


@lru_cache(maxsize=256)
def _one_position(raw: str) -> Position:
    words = " ".join(raw.casefold().replace("/", " / ").split())
    if "partial" in words or "in part" in words:
        return Position.SUPPORTED_IN_PART
    if "pledge" in words or "commitment" in words:
        return Position.PLEDGE
    if "pending" in words or "defer" in words or "no response" in words:
        return Position.PENDING
    agreed = _AGREED.search(words) is not None
    refused = _REFUSED.search(words) is not None
    if agreed and refused:
        # "Supported/Noted": the State supported part of the recommendation and noted the rest.
        return Position.SUPPORTED_IN_PART
    if agreed:
        return Position.SUPPORTED
    if refused:
        return Position.NOTED
    raise _FieldError("UprPositions", f"unknown UPR position {raw!r}")


def _position(value: Any) -> Position | None:
    positions = {_one_position(item) for item in _strings(value, "UprPositions")}
    if len(positions) > 1:
        # A pending answer is superseded by the one given later in an addendum.
        positions.discard(Position.PENDING)
    if len(positions) <= 1:
        return positions.pop() if positions else None
    if positions <= {Position.SUPPORTED, Position.NOTED, Position.SUPPORTED_IN_PART}:
        return Position.SUPPORTED_IN_PART
    names = ", ".join(sorted(positions))
    raise _FieldError("UprPositions", f"conflicting UPR positions: {names}")


class _Fields:
    """Reads a record's fields, keeping every field error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[_FieldError] = []

    def get(self, read: Callable[[], _T]) -> _T | None:
        try:
            return read()
        except _FieldError as exc:
            self.errors.append(exc)
            return None


def _record(
    item: dict[str, Any], index: int, states: StateResolver
) -> RecommendationRecord | list[_FieldError]:
    missing = [
        _FieldError(name, f"the record has no {name}")
        for name in REQUIRED_FIELDS
        if name not in item
    ]
    if missing:
        return missing
    fields = _Fields()
    annotation_id = fields.get(lambda: _annotation_id(item["AnnotationId"]))
    body = fields.get(lambda: _body(_string(item["Body"], "Body")))
    paragraph_text = fields.get(lambda: _paragraph_and_text(item["Text"]))
    session = fields.get(lambda: _whole_number(item.get("UprSession"), "UprSession"))
    cycle = fields.get(lambda: _whole_number(item.get("UprCycle"), "UprCycle"))
    state = fields.get(lambda: _state_under_review(item["Countries"], states))
    symbol = fields.get(lambda: _optional_text(item.get("Symbol"), "Symbol", SYMBOL_LENGTH))
    annotation_type = fields.get(lambda: _annotation_type(item.get("AnnotationType")))
    recommending = fields.get(
        lambda: _recommending_states(item.get("UprRecommendingCountry"), states)
    )
    position = fields.get(lambda: _position(item.get("UprPositions")))
    issued = fields.get(lambda: _issued_date(item.get("PublicationDate")))
    themes = fields.get(lambda: _strings(item.get("Themes"), "Themes"))
    affected = fields.get(lambda: _strings(item.get("AffectedPersons"), "AffectedPersons"))
    sdgs = fields.get(lambda: _sdgs(item.get("Sdgs")))
    if fields.errors:
        return fields.errors
    assert annotation_id is not None
    assert body is not None
    assert paragraph_text is not None
    assert state is not None
    code, mechanism, body_name = body
    paragraph, text = paragraph_text
    return RecommendationRecord(
        natural_key=f"uhri:{annotation_id}",
        source_format=SourceFormat.UHRI,
        location=SourceLocation(record=index),
        state=state,
        body=code,
        mechanism=mechanism,
        language="en",
        text=text,
        source_record_id=annotation_id,
        body_name=body_name,
        document_symbol=symbol,
        paragraph=paragraph,
        annotation_type=annotation_type,
        recommending_states=recommending or [],
        position=position,
        session=session,
        cycle=cycle if cycle is not None or session is None else upr_cycle(session),
        issued_date=issued,
        themes=themes or [],
        affected_persons=affected or [],
        sdgs=sdgs or [],
        original=item,
    )


def _annotation_id(value: Any) -> str:
    annotation_id = _string(value, "AnnotationId").strip()
    if not annotation_id:
        raise _FieldError("AnnotationId", "AnnotationId is empty")
    return annotation_id


def _record_or_errors(
    item: Any, index: int, states: StateResolver
) -> Iterator[RecommendationRecord | RecordError]:
    location = SourceLocation(record=index)
    if isinstance(item, Overlong):
        yield RecordError(location, item.field, item.message())
        return
    if not isinstance(item, dict):
        yield RecordError(location, None, f"a record must be a JSON object, not {_describe(item)}")
        return
    result = _record(item, index, states)
    if isinstance(result, RecommendationRecord):
        yield result
        return
    annotation_id = item.get("AnnotationId")
    where = f" (AnnotationId {annotation_id})" if isinstance(annotation_id, str) else ""
    for error in result:
        yield RecordError(location, error.column, error.message + where, original=item)


def _parser_message(exc: Exception) -> str:
    # yajl's message is "<what>\n<context>\n(right here) ---^"; the context is noise in a report.
    text = str(exc)
    if text[:2] in {"b'", 'b"'}:
        text = text[2:].replace("\\n", "\n")
    return text.split("\n", 1)[0].strip()


def _malformed(index: int, start: int, end: int, exc: Exception) -> RecordError:
    return RecordError(
        SourceLocation(record=index),
        None,
        f"the file is malformed at record {index}, within bytes {start}-{end}: "
        f"{_parser_message(exc)}",
    )


def _truncated(index: int, size: int, exc: Exception) -> RecordError:
    return RecordError(
        SourceLocation(record=index),
        None,
        f"the file is truncated at record {index}: it ends at byte {size} ({_parser_message(exc)})",
    )


def _too_deep(index: int, start: int, end: int) -> RecordError:
    return RecordError(
        SourceLocation(record=index),
        None,
        f"record {index} nests arrays and objects deeper than {MAX_JSON_DEPTH} levels, within "
        f"bytes {start}-{end}: the file is read no further",
    )


def _fed(
    records: JsonRecords,
    events: list[tuple[str, Any]],
    states: StateResolver,
    start: int,
    end: int,
) -> Generator[RecommendationRecord | RecordError, None, bool]:
    """The records and errors of `events`, parsed from bytes `start`-`end`, which it empties;
    whether they nest too deep to read on."""
    try:
        for index, item in records.feed(events):
            yield from _record_or_errors(item, index, states)
    except TooDeep:
        yield _too_deep(records.count, start, end)
        return True
    finally:
        del events[:]
    return False


def read_uhri(
    stream: BinaryIO, *, states: StateResolver | None = None
) -> Iterator[RecommendationRecord | RecordError]:
    """Records of a UHRI JSON export (one array of records), parsed as a stream; State names
    are resolved by `states` (the built-in names when None)."""
    names = states or default_resolver()
    events = ijson.sendable_list()
    # ijson picks its C backend (yajl2_c) when it is installed; pushing chunks lets us know
    # how far into the file a parse error is, which ijson's messages do not say.
    parser = ijson.basic_parse_coro(events, use_float=True)
    records = JsonRecords()
    consumed = 0
    started = False
    while chunk := stream.read(CHUNK_SIZE):
        start = consumed
        consumed += len(chunk)
        if not started:
            if start == 0 and chunk.startswith(UTF8_BOM):
                chunk = chunk[len(UTF8_BOM) :]
            head = chunk.lstrip()
            if not head:
                continue
            started = True
            if not head.startswith(b"["):
                yield RecordError(
                    SourceLocation(record=0),
                    None,
                    "not a UHRI export: the file must be one JSON array of records, "
                    f"it starts with {head[:20]!r}",
                )
                return
        failure: Exception | None = None
        try:
            parser.send(chunk)
        # yajl passes an escaped lone surrogate ("\udc00") on as bytes Python cannot decode.
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            failure = exc
        if (yield from _fed(records, events, names, start, consumed)):
            return
        if failure is not None:
            yield _malformed(records.count, start, consumed, failure)
            return
    if not started:
        yield RecordError(SourceLocation(record=0), None, "the file is empty")
        return
    try:
        parser.close()
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        yield _truncated(records.count, consumed, exc)
        return
    yield from _fed(records, events, names, consumed, consumed)
