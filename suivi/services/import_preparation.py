"""Preparing an import's records: classified, hashed, checked against the rest of the file,
rows of one recommendation merged, records the database cannot hold refused."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unicodedata import normalize

from suivi import upr_sessions
from suivi.hashing import canonical_json, content_hash
from suivi.input_limits import MAX_SEARCHABLE_BYTES
from suivi.records import RecommendationRecord, RecordError, SourceLocation
from suivi.relevance import classify
from suivi.services import upr_reviews
from suivi.services.import_report import ImportWarning


def record_content(record: RecommendationRecord) -> dict[str, Any]:
    """Everything a record says: what the content hash covers (enumerations hash as their value)."""
    return {
        "state": record.state,
        "body": record.body,
        "document_symbol": record.document_symbol,
        "paragraph": record.paragraph,
        "annotation_type": record.annotation_type,
        "language": record.language,
        "text": record.text,
        "translations": dict(sorted(record.translations.items())),
        "recommending_states": record.recommending_states,
        "position": record.position,
        "action_category": record.action_category,
        "session": record.session,
        "cycle": record.cycle,
        "date": record.issued_date.isoformat() if record.issued_date else None,
        "themes": record.themes,
        "affected_persons": record.affected_persons,
        "sdgs": record.sdgs,
        "hrd_relevance": record.hrd_relevance,
        "hrd_reasons": record.hrd_reasons,
        "source_record_id": record.source_record_id,
    }


def classified(record: RecommendationRecord) -> RecommendationRecord:
    if record.hrd_relevance is None or record.hrd_reasons is None:
        relevance, reasons = classify(
            record.text,
            language=record.language,
            tags=[*record.themes, *record.affected_persons],
        )
        record.hrd_relevance, record.hrd_reasons = relevance, reasons
    return record


@dataclass(slots=True)
class Pending:
    record: RecommendationRecord
    digest: str
    # Whether the import classified it (from its tags and text), so a merge classifies again.
    classified_here: bool = True

    def merge(self, other: RecommendationRecord) -> list[str]:
        """Add `other`'s annotations to this record's; the names of those that grew."""
        grew = []
        for name in ANNOTATIONS:
            mine = getattr(self.record, name)
            extra = [value for value in getattr(other, name) if value not in mine]
            if extra:
                setattr(self.record, name, [*mine, *extra])
                grew.append(name)
        if grew:
            if self.classified_here:
                self.record.hrd_relevance = self.record.hrd_reasons = None
                classified(self.record)
            self.digest = content_hash(record_content(self.record))
        return grew


# What two rows of one recommendation may disagree on: the source's annotations, which are
# merged (UPR Info lists a recommendation once per set of issue tags). Anything else that differs
# makes the two rows a conflict.
ANNOTATIONS = ("themes", "affected_persons", "sdgs")
# Changed records wait for the end of the import (a later row may add annotations to them) up to
# this many; past it they are written at once.
MAX_DEFERRED = 20_000


# What the columns hold (models/recommendation.py): a value past it fails the statement that
# writes a whole batch, so the one record carrying it is refused instead. Index entries (the
# natural key's B-tree, the tags' GIN and facet-count indexes) hold about 2,700 bytes: 500
# characters of UTF-8 fit.
_MAX_LENGTHS = {
    "natural_key": 500,
    "body": 32,
    "language": 8,
    "document_symbol": 200,
    "paragraph": 32,
    "annotation_type": 64,
}
_MAX_TAG_LENGTHS = {"themes": 500, "affected_persons": 500, "sdgs": 16}
_SMALLINT_MAX = 32_767
_TEXT_FIELDS = (
    *_MAX_LENGTHS,
    *("body_name", "text", "source_record_id", "recommending_states", *_MAX_TAG_LENGTHS),
)


def _texts(record: RecommendationRecord) -> Iterator[tuple[str, str]]:
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if isinstance(value, str):
            yield name, value
        elif value:
            yield from ((name, item) for item in value)
    for language, text in record.translations.items():
        yield "translations", language + text
    for reason in record.hrd_reasons or ():
        yield from (("hrd_reasons", value) for value in reason.values())


# No character folds to more bytes than this (NFKD of U+FDFA gives 18 Arabic letters and
# spaces, 33 bytes): a shorter text is never folded here.
_MAX_FOLDED_BYTES_PER_CHAR = 33


def _unsearchable(record: RecommendationRecord) -> Iterator[tuple[str, str]]:
    """The texts PostgreSQL could not index for search: it would refuse the whole batch."""
    texts = [("text", record.text)]
    texts += [("translations", text) for text in record.translations.values()]
    for column, text in texts:
        if len(text) * _MAX_FOLDED_BYTES_PER_CHAR <= MAX_SEARCHABLE_BYTES:
            continue
        # At least the size of the database's fold (suivi_fold): NFKD, less its marks, with a
        # few letters replaced by as many bytes.
        size = len(text) if text.isascii() else len(normalize("NFKD", text.lower()).encode())
        if size > MAX_SEARCHABLE_BYTES:
            yield (
                column,
                f"{column} is too long to be indexed for search: {size:,} bytes once folded, "
                f"at most {MAX_SEARCHABLE_BYTES:,}",
            )


def unstorable(record: RecommendationRecord) -> list[RecordError]:
    """Errors for the fields of `record` that the database cannot hold or index."""
    problems: dict[str, str] = dict(_unsearchable(record))
    for name, limit in _MAX_LENGTHS.items():
        value = getattr(record, name)
        if value is not None and len(value) > limit:
            problems[name] = f"{name} is longer than {limit} characters"
    for name, limit in _MAX_TAG_LENGTHS.items():
        if any(len(value) > limit for value in getattr(record, name)):
            problems[name] = f"a value of {name} is longer than {limit} characters"
    if any(len(language) > _MAX_LENGTHS["language"] for language in record.translations):
        problems["translations"] = "a translation's language is longer than 8 characters"
    for name in ("session", "cycle"):
        value = getattr(record, name)
        if value is not None and value > _SMALLINT_MAX:
            problems[name] = f"{name} must be at most {_SMALLINT_MAX}, not {value}"
    for name, value in _texts(record):
        if "\x00" in value:
            problems.setdefault(
                name, f"{name} holds a NUL character, which the database cannot store"
            )
    return [
        RecordError(record.location, name, message, original=record.original)
        for name, message in problems.items()
    ]


def core_fingerprint(record: RecommendationRecord, *, classified_here: bool) -> int:
    """A fingerprint, within one run, of what a record says besides its annotations."""
    # A relevance the source states (Suivi JSON) is content; one classified here follows the tags.
    relevance = (
        None if classified_here else (record.hrd_relevance, canonical_json(record.hrd_reasons))
    )
    return hash(
        (
            record.state,
            record.body,
            record.document_symbol,
            record.paragraph,
            record.annotation_type,
            record.language,
            record.text,
            tuple(sorted(record.translations.items())),
            tuple(record.recommending_states),
            record.position,
            record.action_category,
            record.session,
            record.cycle,
            record.issued_date,
            record.source_record_id,
            relevance,
        )
    )


@dataclass(slots=True)
class Prepared:
    """One chunk of the source, classified, hashed and checked against the rest of the file."""

    batch: list[Pending]
    errors: list[RecordError]
    duplicates: int
    consumed: int
    warnings: list[ImportWarning] = field(default_factory=list)
    # Rows adding annotations to a record of an earlier chunk.
    merges: list[Pending] = field(default_factory=list)


class Preparer:
    """Turns source items into batches to load; the CPU-bound half of an import."""

    def __init__(
        self, items: Iterator[RecommendationRecord | RecordError], *, batch_size: int
    ) -> None:
        self.items = items
        self.batch_size = batch_size
        # natural key -> content hash, fingerprint without annotations, where first seen
        self.seen: dict[str, tuple[str, int, SourceLocation]] = {}
        self.undated_sessions: set[int] = set()

    def next_chunk(self) -> Prepared | None:
        """The next chunk, or None at the end of the source."""
        chunk = list(itertools.islice(self.items, self.batch_size))
        if not chunk:
            return None
        prepared = Prepared(batch=[], errors=[], duplicates=0, consumed=len(chunk))
        in_chunk: dict[str, Pending] = {}
        for item in chunk:
            if isinstance(item, RecordError):
                prepared.errors.append(item)
                continue
            refused = unstorable(item)
            if refused:
                prepared.errors.extend(refused)
                continue
            self._check_session(prepared, item)
            classified_here = item.hrd_relevance is None or item.hrd_reasons is None
            record = classified(item)
            pending = Pending(record, content_hash(record_content(record)), classified_here)
            key = record.natural_key
            first = self.seen.get(key)
            if first is None:
                core = core_fingerprint(record, classified_here=classified_here)
                self.seen[key] = (pending.digest, core, record.location)
                in_chunk[key] = pending
                prepared.batch.append(pending)
            elif first[0] == pending.digest:
                prepared.duplicates += 1
            elif first[1] != core_fingerprint(record, classified_here=classified_here):
                prepared.errors.append(
                    RecordError(
                        record.location,
                        None,
                        f"the same recommendation as {where(first[2])} with different content "
                        "(position, text, session or another field besides its annotations)",
                        original=record.original,
                    )
                )
            else:
                self._merge(prepared, in_chunk.get(key), pending, first[2])
        return prepared

    def _check_session(self, prepared: Prepared, record: RecommendationRecord) -> None:
        # Once per session: a file beyond the calendar holds thousands of its rows.
        number = upr_reviews.undated_session(record)
        if number is None or number in self.undated_sessions:
            return
        self.undated_sessions.add(number)
        latest = upr_sessions.latest_known().number
        prepared.warnings.append(
            ImportWarning(
                f"UPR session {number} is not in Suivi's session calendar (which ends at "
                f"session {latest}): its recommendations get no date and no review document",
                location=record.location,
            )
        )

    def _merge(
        self,
        prepared: Prepared,
        into: Pending | None,
        later: Pending,
        first: SourceLocation,
    ) -> None:
        prepared.duplicates += 1
        record = later.record
        if into is None:
            prepared.merges.append(later)
            grew = [name for name in ANNOTATIONS if getattr(record, name)]
        else:
            grew = into.merge(record)
            core = core_fingerprint(into.record, classified_here=into.classified_here)
            self.seen[record.natural_key] = (into.digest, core, first)
        if grew:
            names = ", ".join(name.replace("_", " ") for name in grew)
            prepared.warnings.append(
                ImportWarning(
                    f"the same recommendation as {where(first)} with other {names}: "
                    "counted once, with the annotations of both",
                    location=record.location,
                    first=first,
                )
            )


def where(location: SourceLocation) -> str:
    return f"line {location.line}" if location.line is not None else f"record {location.record}"
