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

from models.enums import HrdRelevance, MechanismCode, Position, SourceFormat
from suivi.records import RecommendationRecord, RecordError, SourceLocation

FORMAT_NAME = "suivi"
FORMAT_VERSION = 1
_ITEM = "recommendations.item"

StateCode = Field(pattern="^[A-Z]{3}$")


class _Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Literal["tag", "text"]
    match: str


class SuiviJsonRecommendation(BaseModel):
    """One recommendation as the Suivi JSON format writes it."""

    model_config = ConfigDict(extra="forbid")

    natural_key: str = Field(min_length=1)
    state: str = StateCode
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
            source_format=SourceFormat.SUIVI_JSON,
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


def _convert(obj: Any, index: int) -> RecommendationRecord | RecordError:
    location = SourceLocation(record=index)
    try:
        return SuiviJsonRecommendation.model_validate(obj).to_record(index)
    except ValidationError as exc:
        first = exc.errors()[0]
        column = ".".join(str(part) for part in first["loc"]) or None
        return RecordError(location, column, first["msg"])
    except ValueError as exc:
        return RecordError(location, "texts", str(exc))


def read_suivi_json(stream: BinaryIO) -> Iterator[RecommendationRecord | RecordError]:
    """Records of a Suivi JSON export, validated one by one."""
    header: dict[str, Any] = {}
    builder: ijson.ObjectBuilder | None = None
    index = 0
    try:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if builder is not None:
                builder.event(event, value)
                # Nested objects end under longer prefixes; this is the recommendation's own end.
                if prefix == _ITEM and event == "end_map":
                    yield _convert(builder.value, index)
                    builder = None
                    index += 1
                continue
            if prefix in {"format", "version"}:
                header[prefix] = value
            elif prefix == _ITEM and event == "start_map":
                if header.get("format") != FORMAT_NAME or header.get("version") != FORMAT_VERSION:
                    yield RecordError(
                        SourceLocation(record=index),
                        "format",
                        f"not a Suivi JSON export of version {FORMAT_VERSION}: expected "
                        f'"format": "{FORMAT_NAME}" and "version": {FORMAT_VERSION} first',
                    )
                    return
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
            elif prefix == _ITEM:
                yield RecordError(
                    SourceLocation(record=index), None, "a recommendation must be an object"
                )
                index += 1
    except ijson.JSONError as exc:
        yield RecordError(
            SourceLocation(record=index), None, f"the file is truncated or not JSON: {exc}"
        )
        return
    if not header:
        yield RecordError(SourceLocation(record=0), "format", "not a Suivi JSON export")
