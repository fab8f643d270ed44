"""Reads Suivi's own JSON export format, so a database can move between installations.

The format (version 1) is one JSON object, written by Suivi's export:

    {"format": "suivi", "version": 1, "recommendations": [{...}, ...]}

Each recommendation carries `natural_key`, `state`, `mechanism`, `body`, `body_name`,
`document_symbol`, `paragraph`, `annotation_type`, `language`, `texts` (language -> text, the
`language` one included), `recommending_states`, `position`, `action_category`, `session`,
`cycle`, `date`, `themes`, `affected_persons`, `sdgs`, `hrd_relevance`, `hrd_reasons`,
`source_format` and `source_record_id`. Recommendations are read as a stream.
"""

from collections.abc import Iterator
from datetime import date as Date
from typing import Any, BinaryIO, Literal

import ijson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from importers.json_stream import JsonRecords, Overlong, TooDeep
from models.enums import HrdRelevance, MechanismCode, Position, SourceFormat
from suivi.countries import StateResolver, default_resolver, unknown_state_message
from suivi.exporters.suivi_json import FORMAT_NAME, FORMAT_VERSION
from suivi.input_limits import MAX_JSON_DEPTH
from suivi.records import RecommendationRecord, RecordError, SourceLocation


class _Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Literal["tag", "text"]
    match: str


class SuiviJsonRecommendation(BaseModel):
    """One recommendation as the Suivi JSON format writes it."""

    model_config = ConfigDict(extra="forbid")

    natural_key: str = Field(min_length=1)
    state: str = Field(min_length=1, max_length=200)
    mechanism: MechanismCode
    body: str = Field(min_length=1, max_length=32)
    body_name: str | None = None
    document_symbol: str | None = None
    paragraph: str | None = None
    annotation_type: str | None = None
    language: str = Field(min_length=2, max_length=8)
    texts: dict[str, str]
    recommending_states: list[str] = []
    position: Position | None = None
    action_category: int | None = Field(default=None, ge=1, le=5)
    session: int | None = Field(default=None, ge=1)
    cycle: int | None = Field(default=None, ge=1)
    date: Date | None = None
    themes: list[str] = []
    affected_persons: list[str] = []
    sdgs: list[str] = []
    hrd_relevance: HrdRelevance
    hrd_reasons: list[_Reason] = []
    source_format: SourceFormat | None = None
    source_record_id: str | None = None

    def to_record(self, index: int) -> RecommendationRecord:
        """The record the loader takes; ValueError when the text in `language` is missing."""
        if self.language not in self.texts or not self.texts[self.language].strip():
            raise ValueError(f"texts has no text in its language {self.language!r}")
        return RecommendationRecord(
            natural_key=self.natural_key,
            # The illustrative sample stays marked as such wherever it is moved to.
            source_format=SourceFormat.SAMPLE
            if self.source_format is SourceFormat.SAMPLE
            else SourceFormat.SUIVI_JSON,
            location=SourceLocation(record=index),
            state=self.state,
            body=self.body,
            mechanism=self.mechanism,
            body_name=self.body_name,
            language=self.language,
            text=self.texts[self.language],
            translations={k: v for k, v in self.texts.items() if k != self.language},
            source_record_id=self.source_record_id,
            document_symbol=self.document_symbol,
            paragraph=self.paragraph,
            annotation_type=self.annotation_type,
            recommending_states=self.recommending_states,
            position=self.position,
            action_category=self.action_category,
            session=self.session,
            cycle=self.cycle,
            issued_date=self.date,
            themes=self.themes,
            affected_persons=self.affected_persons,
            sdgs=self.sdgs,
            hrd_relevance=self.hrd_relevance,
            hrd_reasons=[reason.model_dump() for reason in self.hrd_reasons],
        )


def _resolved(
    record: RecommendationRecord, states: StateResolver, original: Any
) -> list[RecordError]:
    """Errors of the record's State names; codes stay codes, other names are resolved."""
    errors = []
    code = states.resolve(record.state)
    if code is None:
        message = unknown_state_message("State under review", record.state, states)
        errors.append(RecordError(record.location, "state", message, original=original))
    else:
        record.state = code
    codes = []
    for position, name in enumerate(record.recommending_states):
        code = states.resolve(name)
        if code is None:
            message = unknown_state_message("recommending State", name, states)
            column = f"recommending_states.{position}"
            errors.append(RecordError(record.location, column, message, original=original))
        else:
            codes.append(code)
    record.recommending_states = list(dict.fromkeys(codes))
    return errors


def _convert(
    obj: Any, index: int, states: StateResolver
) -> list[RecommendationRecord | RecordError]:
    location = SourceLocation(record=index)
    original = obj if isinstance(obj, dict) else None
    try:
        record = SuiviJsonRecommendation.model_validate(obj).to_record(index)
    except ValidationError as exc:
        return [
            RecordError(
                location,
                ".".join(str(part) for part in error["loc"]) or None,
                error["msg"],
                original=original,
            )
            for error in exc.errors()
        ]
    except ValueError as exc:
        return [RecordError(location, "texts", str(exc), original=original)]
    record.original = original
    errors = _resolved(record, states, original)
    return [*errors] if errors else [record]


def read_suivi_json(
    stream: BinaryIO, *, states: StateResolver | None = None
) -> Iterator[RecommendationRecord | RecordError]:
    """Records of a Suivi JSON export, validated one by one; States may be given by code or
    by name, resolved by `states` (the built-in names when None)."""
    names = states or default_resolver()
    records = JsonRecords(key="recommendations", header=("format", "version"))
    try:
        for index, item in records.feed(ijson.basic_parse(stream, use_float=True)):
            location = SourceLocation(record=index)
            if isinstance(item, Overlong):
                yield RecordError(location, item.field, item.message())
                continue
            header = records.header
            if header.get("format") != FORMAT_NAME or header.get("version") != FORMAT_VERSION:
                yield RecordError(
                    location,
                    "format",
                    f"not a Suivi JSON export of version {FORMAT_VERSION}: expected "
                    f'"format": "{FORMAT_NAME}" and "version": {FORMAT_VERSION} first',
                )
                return
            if not isinstance(item, dict):
                yield RecordError(location, None, "a recommendation must be an object")
                continue
            yield from _convert(item, index, names)
    except TooDeep:
        yield RecordError(
            SourceLocation(record=records.count),
            None,
            f"the file nests arrays and objects deeper than {MAX_JSON_DEPTH} levels at "
            f"recommendation {records.count}: it is read no further",
        )
        return
    # yajl passes an escaped lone surrogate ("\udc00") on as bytes Python cannot decode.
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        yield RecordError(
            SourceLocation(record=records.count),
            None,
            f"the file is truncated or not JSON: {exc}",
        )
        return
    if not records.header:
        yield RecordError(SourceLocation(record=0), "format", "not a Suivi JSON export")
