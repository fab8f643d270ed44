"""Every reader, fed arbitrary bytes or hostile but well-formed input, gives records and
RecordErrors only, in bounded time: it never raises."""

import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, BinaryIO

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from importers.suivi_json import read_suivi_json
from importers.uhri import read_uhri
from importers.un_text import read_un_text
from importers.upr_info import COLUMNS, read_upr_info
from suivi.countries import default_resolver
from suivi.records import RecommendationRecord, RecordError

Reader = Callable[[BinaryIO], Iterator[RecommendationRecord | RecordError]]

# Seconds one input may take to read: inputs here are at most a few hundred kilobytes.
BUDGET = 5.0
# Derandomised and without an example database: CI sees the same inputs every run.
FUZZ = settings(
    max_examples=150,
    deadline=timedelta(seconds=10),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DEEP = 200_000
LONG = 131_073


def _un_text(stream: BinaryIO) -> Iterator[RecommendationRecord | RecordError]:
    return read_un_text(stream, symbol="A/HRC/52/10", state="TUN", session=41)


READERS: dict[str, Reader] = {
    "upr-info": read_upr_info,
    "uhri": read_uhri,
    "suivi-json": read_suivi_json,
    "un-text": _un_text,
}


@pytest.fixture(scope="module", autouse=True)
def _names_loaded() -> None:
    """The State names are read once, before any timing."""
    default_resolver()


def _read(reader: Reader, data: bytes) -> list[RecommendationRecord | RecordError]:
    started = time.perf_counter()
    items = list(reader(io.BytesIO(data)))
    assert time.perf_counter() - started < BUDGET
    assert all(isinstance(item, RecommendationRecord | RecordError) for item in items)
    return items


# Arbitrary bytes.


@pytest.mark.parametrize("name", READERS)
@FUZZ
@given(data=st.binary(max_size=4096))
@example(data=b"")
@example(data=b"\xef\xbb\xbf")
@example(data=b"\xff\xfe\x00\x00")
@example(data=b"[" * DEEP)
@example(data=b"{" * DEEP)
@example(data=b'["\\udc00"]')
@example(data=b'{"format": "suivi", "version": 1, "recommendations": ["\\udc00"]}')
@example(data=b"x" * LONG)
def test_arbitrary_bytes_give_records_or_errors(name: str, data: bytes) -> None:
    _read(READERS[name], data)


# JSON: well-formed documents with hostile values, the readers' own field names as keys.

UHRI_FIELDS = [
    "AnnotationId",
    "AnnotationType",
    "Body",
    "Countries",
    "PublicationDate",
    "Sdgs",
    "Symbol",
    "Text",
    "Themes",
    "AffectedPersons",
    "UprCycle",
    "UprPositions",
    "UprRecommendingCountry",
    "UprSession",
]
SUIVI_FIELDS = [
    "natural_key",
    "state",
    "mechanism",
    "body",
    "body_name",
    "document_symbol",
    "paragraph",
    "annotation_type",
    "language",
    "texts",
    "recommending_states",
    "position",
    "action_category",
    "session",
    "cycle",
    "date",
    "themes",
    "affected_persons",
    "sdgs",
    "hrd_relevance",
    "hrd_reasons",
    "source_format",
    "source_record_id",
]
# Values the readers know, so that records get past their first check.
KNOWN = [
    "Tunisia",
    "TUN",
    "France",
    "- UPR",
    "- CRC",
    "- SR on the situation of human rights defenders",
    "UPR",
    "upr",
    "en",
    "none",
    "direct",
    "supported",
    "Supported/Noted",
    "2017-07-11T00:00:00",
    "2022-11-10",
    "16.10 - Public access to information",
    "125.51 Ensure that defenders can work <b>freely</b> &amp; safely",
    "<script>" * 50,
    "Session 40",
    "",
    " ",
    "\x00",
    "\u202e",
    "=HYPERLINK(1)",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(KNOWN)
    | st.text(max_size=60)
    # Lone surrogates: JSON may escape them ("\udc00"), but they have no UTF-8 form.
    | st.sampled_from(["\ud800", "\udc00", "a\udfffb"])
)


def _values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=30,
    )


def _records(fields: list[str]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(fields) | st.text(max_size=12)
    value = _values(keys)
    return st.dictionaries(keys, value, max_size=len(fields)) | value


@st.composite
def _json_bytes(draw: st.DrawFn, document: st.SearchStrategy[Any]) -> bytes:
    """A document as JSON, sometimes cut short or spliced with a run of nesting."""
    text = json.dumps(draw(document), ensure_ascii=draw(st.booleans()))
    raw = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])), errors="surrogatepass")
    cut = draw(st.sampled_from(["whole", "truncated", "nested"]))
    position = draw(st.integers(min_value=0, max_value=len(raw)))
    if cut == "truncated":
        return raw[:position]
    if cut == "nested":
        depth = draw(st.integers(min_value=60, max_value=5_000))
        return raw[:position] + b"[" * depth + b"]" * depth + raw[position:]
    return raw


uhri_documents = st.lists(_records(UHRI_FIELDS), max_size=6)
suivi_documents = st.fixed_dictionaries(
    {
        "format": st.sampled_from(["suivi", "other"]),
        "version": st.sampled_from([1, 2, "1"]),
        "recommendations": st.lists(_records(SUIVI_FIELDS), max_size=6),
    }
) | _values(st.sampled_from(["format", "version", "recommendations"]))


@FUZZ
@given(data=_json_bytes(uhri_documents))
@example(data=json.dumps([{"Text": "x" * LONG}]).encode())
@example(data=json.dumps([{"x" * LONG: 1}]).encode())
@example(data=json.dumps(["x" * LONG, {"AnnotationId": "a"}]).encode())
def test_hostile_uhri_json_gives_records_or_errors(data: bytes) -> None:
    _read(read_uhri, data)


@FUZZ
@given(data=_json_bytes(suivi_documents))
@example(data=json.dumps({"format": "x" * LONG, "recommendations": [{}]}).encode())
@example(data=json.dumps({"format": "suivi", "version": 1, "rejected": [[[]]]}).encode())
def test_hostile_suivi_json_gives_records_or_errors(data: bytes) -> None:
    _read(read_suivi_json, data)


def test_json_nested_200000_deep_is_one_error_naming_the_record_and_the_depth() -> None:
    nested = b"[" * DEEP + b"]" * DEEP
    uhri = _read(
        read_uhri, b"[" + json.dumps({"AnnotationId": "a"}).encode() + b"," + nested + b"]"
    )
    suivi = _read(
        read_suivi_json,
        b'{"format": "suivi", "version": 1, "recommendations": [{}, ' + nested + b"]}",
    )

    assert isinstance(uhri[-1], RecordError)
    assert isinstance(suivi[-1], RecordError)
    assert uhri[-1].location.record == suivi[-1].location.record == 1
    assert "record 1 nests arrays and objects deeper than 64 levels" in uhri[-1].message
    assert "deeper than 64 levels at recommendation 1" in suivi[-1].message


def test_a_json_string_past_the_limit_rejects_its_record_only() -> None:
    records = [{"AnnotationId": "a", "Text": "x" * LONG}, {"AnnotationId": "b"}]

    items = _read(read_uhri, json.dumps(records).encode())

    errors = [item for item in items if isinstance(item, RecordError)]
    assert [(error.location.record, error.column) for error in errors[:2]] == [
        (0, "Text"),
        (1, "Body"),
    ]
    assert "Text is longer than 131,072 characters" in errors[0].message


# UPR Info CSV: rows of hostile cells, quoted or not, under the real header or not.

cells = st.sampled_from(KNOWN) | st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@st.composite
def _csv(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from([list(COLUMNS), list(reversed(COLUMNS)), []]))
    header += draw(st.lists(cells, max_size=3))
    rows = [header, *draw(st.lists(st.lists(cells, max_size=13), max_size=8))]
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    lines = []
    for row in rows:
        quoted = draw(st.booleans())
        lines.append(",".join(f'"{cell}"' if quoted else cell for cell in row))
    text = ending.join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "mac_roman"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=_csv())
@example(data=(",".join(COLUMNS) + "\r\n" + "x" * LONG).encode())
@example(data=("x" * LONG + "," + ",".join(COLUMNS)).encode())
@example(data=(",".join(COLUMNS) + '\r\nTunisia,,,"' + "x" * LONG).encode())
def test_hostile_upr_info_csv_gives_records_or_errors(data: bytes) -> None:
    _read(read_upr_info, data)


# UN report text: numbered paragraphs, State lists and page furniture, shuffled.

fragments = st.sampled_from(
    [
        "118.7",
        "118.17.",
        "119.",
        "(France)",
        "(Ghana, Uruguay)",
        "(Bolivia (Plurinational State of))",
        "(",
        ")",
        ";",
        ".",
        "-",
        "\u00ad",
        "GE.17-12345(E)",
        "*1712345*",
        "A/HRC/52/10",
        "Protect defenders",
        "non-",
        "based",
        "«",
        "\u202e",
    ]
) | st.text(max_size=20)


@st.composite
def _report(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.lists(fragments, max_size=12).map(" ".join), max_size=30))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    return text.encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1252"])), errors="replace")


@FUZZ
@given(data=_report())
@example(data=("118.1 " + "(France) " * 14_000 + ";").encode())
@example(data=("118.1 Protect\n" + "(" * 50_000 + "\n" + ")" * 50_000 + ";").encode())
@example(data=("118.1 " + "x" * LONG).encode())
@example(data=b"118.1 a\n" + b"118.2 b; " * 14_000)
def test_hostile_report_text_gives_records_or_errors(data: bytes) -> None:
    _read(_un_text, data)
