"""Loading recommendation records: batched idempotent upserts, history kept, every run recorded.

Preparing records is `import_preparation`; what a run reports, `import_report`.
"""

import asyncio
import operator
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Text, any_, bindparam, delete, func, insert, select, update
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import (
    Body,
    Document,
    ImportRun,
    PositionRecord,
    Recommendation,
    RecommendationRevision,
    RecommendationText,
)
from models.enums import ImportStatus, SourceFormat
from suivi.errors import NotFound
from suivi.hashing import canonical_json
from suivi.records import RecommendationRecord, RecordError
from suivi.services import audit, upr_reviews
from suivi.services.import_preparation import (
    MAX_DEFERRED,
    Pending,
    Prepared,
    Preparer,
)
from suivi.services.import_report import ImportReport
from suivi.services.keys import Caller

BATCH_SIZE = 2_000
STORED_ERRORS = 1_000

Progress = Callable[[int], None]


# The recommendations columns an import writes, besides `id`.
_RECORD_COLUMNS = (
    "natural_key",
    "state_code",
    "body_id",
    "document_id",
    "paragraph",
    "language",
    "text",
    "annotation_type",
    "recommending_states",
    "position",
    "action_category",
    "session",
    "cycle",
    "issued_date",
    "themes",
    "affected_persons",
    "sdgs",
    "hrd_relevance",
    "hrd_reasons",
    "source_format",
    "source_record_id",
    "content_hash",
    "import_run_id",
)


# Columns of _RECORD_COLUMNS named as the record's list fields, with '{}' as their default.
_LIST_COLUMNS = frozenset({"recommending_states", "themes", "affected_persons", "sdgs"})

_TRANSLATION_COLUMNS = ["recommendation_id", "language", "text"]

_INSERT_DOCUMENTS = sql(
    """
    INSERT INTO documents (symbol, body_id, state_code, title, published_date, session, cycle)
    SELECT * FROM unnest(
        CAST(:symbols AS text[]), CAST(:body_ids AS bigint[]), CAST(:states AS char(3)[]),
        CAST(:titles AS text[]), CAST(:dates AS date[]), CAST(:sessions AS smallint[]),
        CAST(:cycles AS smallint[])
    )
    ON CONFLICT (symbol) DO NOTHING
    """
)


class _BatchLoader:
    """Writes batches of new and changed records with a few set-based statements each."""

    def __init__(self, session: AsyncSession, run_id: int) -> None:
        self.session = session
        self.run_id = run_id
        self.bodies: dict[str, int] = {}
        self.documents: dict[str, int] = {}
        self.created = self.updated = self.unchanged = 0
        # natural key -> changed record, written at the end of the import
        self.deferred: dict[str, Pending] = {}
        # natural key -> later rows whose annotations go to a record already written
        self.late: dict[str, list[Pending]] = {}

    async def _body_ids(self, batch: list[Pending]) -> list[RecordError]:
        wanted = {p.record.body for p in batch} - self.bodies.keys()
        if wanted:
            rows = await self.session.execute(
                select(Body.code, Body.id).where(Body.code.in_(wanted))
            )
            self.bodies.update(dict(rows.all()))
        unknown = {p.record.body: p.record for p in batch if p.record.body not in self.bodies}
        errors = []
        for code, record in unknown.items():
            if record.body_name:
                await self.session.execute(
                    pg_insert(Body)
                    .values(code=code, name=record.body_name, mechanism_code=record.mechanism)
                    .on_conflict_do_nothing(index_elements=[Body.code])
                )
                body_id = await self.session.scalar(select(Body.id).where(Body.code == code))
                assert body_id is not None
                self.bodies[code] = body_id
        for pending in batch:
            if pending.record.body not in self.bodies:
                errors.append(
                    RecordError(
                        pending.record.location,
                        "body",
                        f"unknown body {pending.record.body!r}",
                        original=pending.record.original,
                    )
                )
        return errors

    async def _document_ids(self, batch: list[Pending]) -> None:
        firsts: dict[str, RecommendationRecord] = {}
        for pending in batch:
            symbol = pending.record.document_symbol
            if symbol and symbol not in self.documents:
                firsts.setdefault(symbol, pending.record)
        if not firsts:
            return
        records = list(firsts.values())
        # One statement over arrays whatever the number of documents: a multi-row VALUES
        # costs a bind parameter per value to build and to plan.
        await self.session.execute(
            _INSERT_DOCUMENTS,
            {
                "symbols": list(firsts),
                "body_ids": [self.bodies[record.body] for record in records],
                "states": [record.state for record in records],
                "titles": [record.document_title for record in records],
                "dates": [record.issued_date for record in records],
                "sessions": [record.session for record in records],
                "cycles": [record.cycle for record in records],
            },
        )
        rows = await self.session.execute(
            select(Document.symbol, Document.id).where(
                Document.symbol == any_(bindparam("symbols", list(firsts), type_=ARRAY(Text)))
            )
        )
        self.documents.update(dict(rows.all()))

    def _values(self, pending: Pending) -> tuple[Any, ...]:
        """A record's columns in `_RECORD_COLUMNS` order, as COPY takes them."""
        record = pending.record
        return (
            record.natural_key,
            record.state,
            self.bodies[record.body],
            self.documents.get(record.document_symbol or ""),
            record.paragraph,
            record.language,
            record.text,
            record.annotation_type,
            record.recommending_states,
            record.position,
            record.action_category,
            record.session,
            record.cycle,
            record.issued_date,
            record.themes,
            record.affected_persons,
            record.sdgs,
            record.hrd_relevance,
            canonical_json(record.hrd_reasons).decode(),
            record.source_format,
            record.source_record_id,
            pending.digest,
            self.run_id,
        )

    def _row(self, pending: Pending) -> dict[str, Any]:
        """A record's columns by name, as an ORM bulk UPDATE takes them."""
        row = dict(zip(_RECORD_COLUMNS, self._values(pending), strict=True))
        row["hrd_reasons"] = pending.record.hrd_reasons
        return row

    @staticmethod
    def _translations(rec_id: int, record: RecommendationRecord) -> list[tuple[int, str, str]]:
        return [
            (rec_id, language, text)
            for language, text in record.translations.items()
            if language != record.language
        ]

    async def _complete(self, batch: list[Pending]) -> None:
        # Derived from the source (a UPR session's date and report), so after hashing: the
        # content hash says what the source said.
        for pending in batch:
            upr_reviews.complete(pending.record)
        await self._document_ids(batch)

    async def _existing(self, keys: list[str]) -> dict[str, tuple[int, str, int | None]]:
        """natural key -> id, content hash and the run that last wrote it."""
        rows = await self.session.execute(
            select(
                Recommendation.natural_key,
                Recommendation.id,
                Recommendation.content_hash,
                Recommendation.import_run_id,
            ).where(Recommendation.natural_key == any_(bindparam("keys", keys, type_=ARRAY(Text))))
        )
        return {key: (rec_id, digest, run_id) for key, rec_id, digest, run_id in rows}

    async def load(self, batch: list[Pending]) -> list[RecordError]:
        """Write the new records of one batch and count the unchanged; changed ones wait for
        `finish`. Returns the errors found on the way (an unknown body)."""
        errors = await self._body_ids(batch)
        # The source's own record is kept only to write a refused record back; past this
        # point none is refused, and deferred records need not hold a copy of the source.
        for pending in batch:
            pending.record.original = None
        batch = [p for p in batch if p.record.body in self.bodies]
        existing = await self._existing([p.record.natural_key for p in batch])
        new = [p for p in batch if p.record.natural_key not in existing]
        changed = [
            p
            for p in batch
            if p.record.natural_key in existing and existing[p.record.natural_key][1] != p.digest
        ]
        self.unchanged += len(batch) - len(new) - len(changed)
        if new:
            await self._complete(new)
            await self._insert(new)
            self.created += len(new)
        for pending in changed:
            self.deferred[pending.record.natural_key] = pending
        if len(self.deferred) > MAX_DEFERRED:
            await self._write_changed(list(self.deferred.values()))
            self.deferred.clear()
        return errors

    def merge(self, later: list[Pending]) -> None:
        """Take rows that add annotations to a record of an earlier batch."""
        for pending in later:
            pending.record.original = None
            key = pending.record.natural_key
            if key in self.deferred:
                self.deferred[key].merge(pending.record)
            else:
                self.late.setdefault(key, []).append(pending)

    async def finish(self) -> None:
        """Write what waited for the whole file: merged annotations, then changed records."""
        if self.late:
            await self._write_late_merges()
        changed = list(self.deferred.values())
        self.deferred.clear()
        for start in range(0, len(changed), BATCH_SIZE):
            await self._write_changed(changed[start : start + BATCH_SIZE])

    async def _write_changed(self, changed: list[Pending]) -> None:
        existing = await self._existing([p.record.natural_key for p in changed])
        still = [p for p in changed if existing[p.record.natural_key][1] != p.digest]
        self.unchanged += len(changed) - len(still)
        self.updated += len(still)
        if still:
            await self._complete(still)
            await self._update(
                still, {p.record.natural_key: existing[p.record.natural_key][0] for p in still}
            )

    async def _write_late_merges(self) -> None:
        keys = list(self.late)
        self.late, late = {}, self.late
        rows = await self.session.execute(
            select(Recommendation).where(
                Recommendation.natural_key == any_(bindparam("keys", keys, type_=ARRAY(Text)))
            )
        )
        stored = {rec.natural_key: rec for rec in rows.scalars()}
        revised: list[Pending] = []
        rewritten: list[Pending] = []
        for key, pendings in late.items():
            rec = stored.get(key)
            if rec is None:  # its first row was refused: nothing to merge into
                continue
            first = pendings[0]
            as_stored = replace(
                first.record,
                themes=list(rec.themes),
                affected_persons=list(rec.affected_persons),
                sdgs=list(rec.sdgs),
            )
            merged = Pending(as_stored, rec.content_hash, first.classified_here)
            for pending in pendings:
                merged.merge(pending.record)
            if merged.digest == rec.content_hash:
                continue
            if rec.import_run_id == self.run_id:
                rewritten.append(merged)
            else:
                # Counted unchanged when its first row was loaded; the merge changes it.
                self.unchanged -= 1
                self.updated += 1
                revised.append(merged)
        await self._complete([*revised, *rewritten])
        if revised:
            await self._update(
                revised, {p.record.natural_key: stored[p.record.natural_key].id for p in revised}
            )
        if rewritten:
            # Written by this very run: no revision of a state that never outlived it.
            await self._update(
                rewritten,
                {p.record.natural_key: stored[p.record.natural_key].id for p in rewritten},
                revise=False,
            )

    async def _copy(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        # COPY on the session's own connection: inside the import's savepoint, and an order of
        # magnitude cheaper than INSERT for thousands of rows.
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(table, records=rows, columns=columns)

    async def _insert(self, new: list[Pending]) -> None:
        ids = list(
            (
                await self.session.scalars(
                    select(func.nextval("recommendations_id_seq")).select_from(
                        func.generate_series(1, len(new))
                    )
                )
            ).all()
        )
        # A list column empty in every row is left to its default: encoding an array costs
        # more than any other value, and UPR Info rows, say, carry no SDGs.
        columns = [
            column
            for column in _RECORD_COLUMNS
            if column not in _LIST_COLUMNS or any(getattr(p.record, column) for p in new)
        ]
        pick = operator.itemgetter(*(_RECORD_COLUMNS.index(column) for column in columns))
        await self._copy(
            "recommendations",
            ["id", *columns],
            [(rec_id, *pick(self._values(p))) for rec_id, p in zip(ids, new, strict=True)],
        )
        translations = [
            row
            for rec_id, p in zip(ids, new, strict=True)
            for row in self._translations(rec_id, p.record)
        ]
        if translations:
            await self._copy("recommendation_texts", _TRANSLATION_COLUMNS, translations)
        positions = [
            (rec_id, p.record.position.value, p.record.document_symbol)
            for rec_id, p in zip(ids, new, strict=True)
            if p.record.position is not None
        ]
        if positions:
            await self._copy(
                "position_history", ["recommendation_id", "position", "source"], positions
            )

    async def _update(
        self, changed: list[Pending], ids: dict[str, int], *, revise: bool = True
    ) -> None:
        previous = (
            await self.session.scalars(
                select(Recommendation)
                .where(Recommendation.id.in_(ids.values()))
                .options(
                    selectinload(Recommendation.translations),
                    selectinload(Recommendation.body),
                    selectinload(Recommendation.document),
                )
            )
        ).all()
        by_id = {rec.id: rec for rec in previous}
        # Compared before the update below refreshes the loaded objects.
        moved = [
            {
                "recommendation_id": ids[p.record.natural_key],
                "position": p.record.position,
                "source": p.record.document_symbol,
            }
            for p in changed
            if p.record.position is not None
            and by_id[ids[p.record.natural_key]].position != p.record.position
        ]
        if revise:
            await self.session.execute(
                insert(RecommendationRevision),
                [
                    {
                        "recommendation_id": rec.id,
                        "import_run_id": self.run_id,
                        "content": stored_content(rec),
                        "content_hash": rec.content_hash,
                    }
                    for rec in previous
                ],
            )
        await self.session.execute(
            update(Recommendation),
            [
                {"id": ids[p.record.natural_key], **self._row(p), "updated_at": datetime.now(UTC)}
                for p in changed
            ],
        )
        # The translations are replaced as a whole; the revision above keeps the old ones.
        await self.session.execute(
            delete(RecommendationText).where(RecommendationText.recommendation_id.in_(ids.values()))
        )
        translations = [
            dict(zip(_TRANSLATION_COLUMNS, row, strict=True))
            for p in changed
            for row in self._translations(ids[p.record.natural_key], p.record)
        ]
        if translations:
            await self.session.execute(insert(RecommendationText), translations)
        if moved:
            await self.session.execute(insert(PositionRecord), moved)
        self.session.expire_all()


def stored_content(rec: Recommendation) -> dict[str, Any]:
    """What a stored recommendation says, in record_content's shape: a revision's content."""
    return {
        "state": rec.state_code,
        "body": rec.body.code,
        "document_symbol": rec.document.symbol if rec.document else None,
        "paragraph": rec.paragraph,
        "annotation_type": rec.annotation_type,
        "language": rec.language,
        "text": rec.text,
        "translations": {t.language: t.text for t in rec.translations},
        "recommending_states": list(rec.recommending_states),
        "position": rec.position.value if rec.position else None,
        "action_category": rec.action_category,
        "session": rec.session,
        "cycle": rec.cycle,
        "date": rec.issued_date.isoformat() if rec.issued_date else None,
        "themes": list(rec.themes),
        "affected_persons": list(rec.affected_persons),
        "sdgs": list(rec.sdgs),
        "hrd_relevance": rec.hrd_relevance.value,
        "hrd_reasons": rec.hrd_reasons,
        "source_record_id": rec.source_record_id,
    }


async def _settle(read_ahead: asyncio.Future[Prepared | None]) -> None:
    # A read-ahead no longer wanted still runs in its thread: let it finish so that nothing
    # reads the source after the import returns, and retrieve its outcome so none is lost.
    await asyncio.wait({read_ahead})
    if not read_ahead.cancelled():
        read_ahead.exception()


async def import_records(
    session: AsyncSession,
    *,
    items: Iterator[RecommendationRecord | RecordError],
    source: str,
    source_format: SourceFormat,
    actor: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    caller: Caller | None = None,
) -> ImportReport:
    """Load records all or nothing (or only the valid ones with `skip_invalid`), record the run
    and append it to the audit trail (`caller` None: the operator, from the command line)."""
    report = ImportReport(source_format=source_format)
    run = ImportRun(source=source, format=source_format, actor=actor, status=ImportStatus.RUNNING)
    session.add(run)
    await session.flush()
    report.import_run_id = run.id
    loader = _BatchLoader(session, run.id)
    preparer = Preparer(items, batch_size=BATCH_SIZE)
    # Reading, classifying and hashing run in a worker thread, one chunk ahead of the load:
    # Python works on the next chunk while PostgreSQL writes this one, and a server's event
    # loop stays responsive while a large file is read.
    read_ahead = asyncio.ensure_future(asyncio.to_thread(preparer.next_chunk))
    savepoint = await session.begin_nested()
    try:
        while (prepared := await read_ahead) is not None:
            read_ahead = asyncio.ensure_future(asyncio.to_thread(preparer.next_chunk))
            report.duplicates += prepared.duplicates
            report.errors.extend(prepared.errors)
            report.warnings.extend(prepared.warnings)
            if skip_invalid or not report.errors:
                if prepared.batch:
                    report.errors.extend(await loader.load(prepared.batch))
                loader.merge(prepared.merges)
            if progress is not None:
                progress(prepared.consumed)
        if skip_invalid or not report.errors:
            await loader.finish()
        report.created, report.updated = loader.created, loader.updated
        report.unchanged = loader.unchanged
        report.rejected = len({(e.location.line, e.location.record) for e in report.errors})
        failed = bool(report.errors) and not skip_invalid
        if failed or dry_run:
            await savepoint.rollback()
        else:
            await savepoint.commit()
    except BaseException:
        await _settle(read_ahead)
        await savepoint.rollback()
        raise
    if failed:
        report.created = report.updated = report.unchanged = 0
        report.status = ImportStatus.FAILED
    else:
        report.status = ImportStatus.DRY_RUN if dry_run else ImportStatus.SUCCEEDED
    await session.execute(
        update(ImportRun)
        .where(ImportRun.id == report.import_run_id)
        .values(
            status=report.status,
            finished_at=func.now(),
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            duplicates=report.duplicates,
            rejected=report.rejected,
            errors=[_stored_error(error) for error in report.errors[:STORED_ERRORS]],
        )
    )
    counts = {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
    }
    await audit.record(
        session,
        actor=caller,
        action="import",
        object_type="import_run",
        object_id=report.import_run_id,
        summary={"source": source, "format": source_format, "status": report.status, **counts},
    )
    return report


def _stored_error(error: RecordError) -> dict[str, Any]:
    # jsonb holds no NUL character, and a message or a field name may quote a hostile source's.
    return {
        key: value.replace("\x00", "\ufffd") if isinstance(value, str) else value
        for key, value in error.as_dict().items()
    }


async def list_runs(
    session: AsyncSession, *, limit: int, before_id: int | None = None
) -> tuple[list[ImportRun], int | None]:
    """Recorded runs, newest first, and the id to continue before, or None on the last page."""
    query = select(ImportRun).order_by(ImportRun.id.desc()).limit(limit + 1)
    if before_id is not None:
        query = query.where(ImportRun.id < before_id)
    runs = list((await session.scalars(query)).all())
    page = runs[:limit]
    return page, page[-1].id if len(runs) > limit else None


async def get_run(session: AsyncSession, *, run_id: int) -> ImportRun:
    """One recorded run; NotFound when there is none."""
    run = await session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(f"No import run has id {run_id}.")
    return run
