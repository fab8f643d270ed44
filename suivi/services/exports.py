"""Reading recommendations for exports: keyset batches in one snapshot, and the State matrix.

Exports hold only public material: recommendations, their stored derived status (which already
leaves restricted updates out) and, in the matrix, the follow-up that `follow_up` makes public.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, String, Text, cast, exists, func, literal_column, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    ActionRecommendation,
    Body,
    Document,
    FollowUpGrade,
    Institution,
    Organisation,
    ProgressUpdate,
    Recommendation,
    RecommendationText,
    StateAction,
)
from models.enums import (
    ActionKind,
    ActionStatus,
    Confidentiality,
    Grade,
    HrdRelevance,
    ImplementationStatus,
    MechanismCode,
    Position,
    ReviewState,
    SourceFormat,
    SourceType,
)
from models.recommendation import SORT_DATE
from suivi.errors import NotFound
from suivi.services.follow_up import public_name
from suivi.services.recommendations import (
    SUMMARY_QUERY,
    HrdFilter,
    RecommendationFilters,
    RecommendationSummary,
    bodies_of,
    filtered,
)
from suivi.services.reference import state_name

# Rows per statement: large enough that round trips cost little, small enough that a batch
# (and its translations) is a few megabytes at most whatever the export's size.
BATCH_SIZE = 2_000
# Recommendations per page of the matrix, whose follow-up is read in one statement per kind.
MATRIX_PAGE = 500

Snapshot = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@asynccontextmanager
async def snapshot(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A read-only REPEATABLE READ session: every batch of an export sees the same data."""
    async with sessionmaker() as session:
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        try:
            yield session
        finally:
            await session.rollback()


async def count(session: AsyncSession, *, filters: RecommendationFilters) -> int:
    """How many recommendations `filters` keep: the total a progress bar counts towards."""
    query = filtered(
        select(func.count(Recommendation.id)).select_from(Recommendation),
        filters,
        await bodies_of(session),
    )
    return int(await session.scalar(query) or 0)


async def _batches(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    filters: RecommendationFilters,
    batch_size: int | None,
) -> AsyncIterator[Sequence[Any]]:
    """The rows of `query` under `filters`, in id order, `batch_size` (BATCH_SIZE) at a time.

    Keyset batches rather than one server-side cursor: each statement is short (the statement
    timeout applies to each), and the id index makes the batch after row N cost what the first
    one costs.
    """
    # Read when called, not when defined: a test sets BATCH_SIZE to put boundaries anywhere.
    size = batch_size or BATCH_SIZE
    query = filtered(query, filters, await bodies_of(session)).order_by(Recommendation.id)
    query = query.limit(size)
    connection = await session.connection()
    after = 0
    while True:
        rows = (await connection.execute(query.where(Recommendation.id > after))).all()
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        after = rows[-1][0]


LIST_SEPARATOR = "; "


def _listed(column: Any) -> Any:
    return func.array_to_string(column, LIST_SEPARATOR)


def _text(column: Any) -> Any:
    return cast(column, Text)


# The columns of a tabular export (suivi/exporters/table.py COLUMNS), already as text where a
# spreadsheet shows text: PostgreSQL joins the lists and spells the enums and instants, which
# costs a fraction of converting each value to Python objects and back to text per row.
_TABLE_QUERY: Select[*tuple[Any, ...]] = (
    select(
        Recommendation.id,
        _text(Recommendation.state_code),
        _text(Body.mechanism_code),
        Body.code,
        Document.symbol,
        Recommendation.paragraph,
        Recommendation.text,
        Recommendation.language,
        _listed(Recommendation.recommending_states),
        _text(Recommendation.position),
        Recommendation.action_category,
        Recommendation.session,
        Recommendation.cycle,
        Recommendation.issued_date,
        _listed(Recommendation.themes),
        _listed(Recommendation.affected_persons),
        _listed(Recommendation.sdgs),
        _text(Recommendation.hrd_relevance),
        # Why a recommendation concerns defenders, readably: `tag: x; text: y`.
        literal_column(
            "(SELECT coalesce(string_agg(concat(e.reason->>'source', ': ', e.reason->>'match'),"
            f" '{LIST_SEPARATOR}' ORDER BY e.n), '')"
            " FROM jsonb_array_elements(recommendations.hrd_reasons)"
            " WITH ORDINALITY AS e(reason, n))",
            String,
        ),
        _text(Recommendation.status),
        func.to_char(
            func.timezone("UTC", Recommendation.updated_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
        ),
        _text(Recommendation.source_format),
    )
    .join(Body, Body.id == Recommendation.body_id)
    .outerjoin(Document, Document.id == Recommendation.document_id)
)

# One row of a tabular export: text, numbers, the date, or None for an empty cell.
TableRow = tuple[Any, ...]


async def table_batches(
    session: AsyncSession,
    *,
    filters: RecommendationFilters,
    batch_size: int | None = None,
) -> AsyncIterator[list[TableRow]]:
    """The rows of a CSV or XLSX export of what `filters` keep, in id order and in batches."""
    async for rows in _batches(session, _TABLE_QUERY, filters, batch_size):
        yield [tuple(row) for row in rows]


@dataclass(frozen=True, slots=True)
class PortableRecommendation:
    """A recommendation with everything the Suivi JSON format carries (importers/suivi_json.py)."""

    # Other languages than `language`: language -> text.
    translations: dict[str, str]
    id: int
    natural_key: str
    state: str
    mechanism: MechanismCode
    body: str
    body_name: str
    document_symbol: str | None
    paragraph: str | None
    annotation_type: str | None
    language: str
    text: str
    recommending_states: list[str]
    position: Position | None
    action_category: int | None
    session: int | None
    cycle: int | None
    date: date | None
    themes: list[str]
    affected_persons: list[str]
    sdgs: list[str]
    hrd_relevance: HrdRelevance
    hrd_reasons: list[dict[str, Any]]
    source_format: SourceFormat
    source_record_id: str | None


_PORTABLE_QUERY: Select[*tuple[Any, ...]] = (
    select(
        Recommendation.id,
        Recommendation.natural_key,
        Recommendation.state_code,
        Body.mechanism_code,
        Body.code,
        Body.name,
        Document.symbol,
        Recommendation.paragraph,
        Recommendation.annotation_type,
        Recommendation.language,
        Recommendation.text,
        Recommendation.recommending_states,
        Recommendation.position,
        Recommendation.action_category,
        Recommendation.session,
        Recommendation.cycle,
        Recommendation.issued_date,
        Recommendation.themes,
        Recommendation.affected_persons,
        Recommendation.sdgs,
        Recommendation.hrd_relevance,
        Recommendation.hrd_reasons,
        Recommendation.source_format,
        Recommendation.source_record_id,
    )
    .join(Body, Body.id == Recommendation.body_id)
    .outerjoin(Document, Document.id == Recommendation.document_id)
)


async def _translations(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, str]]:
    rows = await session.execute(
        select(
            RecommendationText.recommendation_id,
            RecommendationText.language,
            RecommendationText.text,
        )
        .where(RecommendationText.recommendation_id.in_(ids))
        .order_by(RecommendationText.recommendation_id, RecommendationText.language)
    )
    texts: dict[int, dict[str, str]] = {}
    for rec_id, language, text in rows:
        texts.setdefault(rec_id, {})[language] = text
    return texts


async def portable_batches(
    session: AsyncSession,
    *,
    filters: RecommendationFilters,
    batch_size: int | None = None,
) -> AsyncIterator[list[PortableRecommendation]]:
    """The recommendations `filters` keep with their translations, in id order and in batches."""
    async for rows in _batches(session, _PORTABLE_QUERY, filters, batch_size):
        translations = await _translations(session, [row[0] for row in rows])
        yield [PortableRecommendation(translations.get(row[0], {}), *row) for row in rows]


# The implementation matrix.


@dataclass(frozen=True, slots=True)
class MatrixAction:
    """A State action linked to the recommendation, with the institution responsible."""

    title: str
    kind: ActionKind
    status: ActionStatus
    institution: str | None
    target_date: date | None
    completed_date: date | None


@dataclass(frozen=True, slots=True)
class MatrixAssessment:
    """A source's latest published assessment; `organisation` is None when confidential."""

    source_type: SourceType
    assessed_status: ImplementationStatus
    as_of_date: date
    organisation: str | None
    narrative: str


@dataclass(frozen=True, slots=True)
class MatrixGrade:
    """The latest follow-up grade."""

    grade: Grade
    sub_grade: str | None
    assessor: str
    graded_date: date


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One line of the matrix: a recommendation under one of its themes (None: no theme)."""

    theme: str | None
    id: int
    body: str
    mechanism: MechanismCode
    document_symbol: str | None
    paragraph: str | None
    session: int | None
    cycle: int | None
    date: date | None
    language: str
    text: str
    recommending_states: list[str]
    position: Position | None
    themes: list[str]
    affected_persons: list[str]
    hrd_relevance: HrdRelevance
    status: ImplementationStatus
    actions: list[MatrixAction]
    # Newest first, at most one per kind of source: the column "status per source" reads them.
    assessments: list[MatrixAssessment]
    grade: MatrixGrade | None


async def check_state(session: AsyncSession, *, code: str) -> str:
    """The State's name; NotFound for a code that is neither a country nor held by any row."""
    name = state_name(code)
    if name is None:
        held = await session.scalar(select(exists().where(Recommendation.state_code == code)))
        if not held:
            raise NotFound(f"No recommendation concerns {code}, and it is not an ISO 3166-1 code.")
    return name or code


def _hrd_condition(hrd: HrdFilter | None) -> list[Any]:
    if hrd is None:
        return []
    if hrd is HrdFilter.ANY:
        return [Recommendation.hrd_relevance.in_([HrdRelevance.DIRECT, HrdRelevance.RELATED])]
    return [Recommendation.hrd_relevance == HrdRelevance(hrd.value)]


async def _matrix_order(
    session: AsyncSession, *, state: str, hrd: HrdFilter | None
) -> list[tuple[str | None, int]]:
    """(theme, id) in matrix order: themes alphabetically, unthemed last, then by date and id."""
    rows = await session.execute(
        select(Recommendation.id, Recommendation.themes)
        .where(Recommendation.state_code == state, *_hrd_condition(hrd))
        .order_by(SORT_DATE, Recommendation.id)
    )
    entries: list[tuple[str | None, int]] = []
    for rec_id, themes in rows:
        grouped: list[str | None] = [*sorted(set(themes))] or [None]
        entries.extend((theme, rec_id) for theme in grouped)
    # Stable: within a theme the date order of the query stays.
    entries.sort(key=lambda entry: (entry[0] is None, (entry[0] or "").casefold()))
    return entries


async def _matrix_actions(session: AsyncSession, ids: list[int]) -> dict[int, list[MatrixAction]]:
    rows = await session.execute(
        select(
            ActionRecommendation.recommendation_id,
            StateAction.title,
            StateAction.kind,
            StateAction.status,
            Institution.name,
            StateAction.target_date,
            StateAction.completed_date,
        )
        .join(StateAction, StateAction.id == ActionRecommendation.action_id)
        .outerjoin(Institution, Institution.id == StateAction.institution_id)
        .where(ActionRecommendation.recommendation_id.in_(ids), StateAction.archived_at.is_(None))
        .order_by(StateAction.announced_date.desc().nulls_last(), StateAction.id)
    )
    actions: dict[int, list[MatrixAction]] = {}
    for rec_id, title, kind, status, institution, target, completed in rows:
        actions.setdefault(rec_id, []).append(
            MatrixAction(title, kind, status, institution, target, completed)
        )
    return actions


async def _matrix_assessments(
    session: AsyncSession, ids: list[int]
) -> dict[int, list[MatrixAssessment]]:
    # The same rule as follow_up's public record: published, never restricted, and a
    # confidential submitter unnamed (follow_up.public_name decides it for every public read).
    rows = await session.execute(
        select(
            ProgressUpdate.recommendation_id,
            ProgressUpdate.source_type,
            ProgressUpdate.assessed_status,
            ProgressUpdate.as_of_date,
            ProgressUpdate.confidentiality,
            Organisation.name,
            ProgressUpdate.narrative,
        )
        .outerjoin(Organisation, Organisation.id == ProgressUpdate.organisation_id)
        .where(
            ProgressUpdate.recommendation_id.in_(ids),
            ProgressUpdate.review_state == ReviewState.PUBLISHED,
            ProgressUpdate.confidentiality != Confidentiality.RESTRICTED,
        )
        .ext(distinct_on(ProgressUpdate.recommendation_id, ProgressUpdate.source_type))
        .order_by(
            ProgressUpdate.recommendation_id,
            ProgressUpdate.source_type,
            ProgressUpdate.as_of_date.desc(),
            ProgressUpdate.id.desc(),
        )
    )
    assessments: dict[int, list[MatrixAssessment]] = {}
    for rec_id, source, status, as_of, confidentiality, organisation, narrative in rows:
        assert rec_id is not None  # the IN condition excludes updates about an action
        assessments.setdefault(rec_id, []).append(
            MatrixAssessment(
                source_type=source,
                assessed_status=status,
                as_of_date=as_of,
                organisation=public_name(confidentiality, organisation),
                narrative=narrative,
            )
        )
    for items in assessments.values():
        items.sort(key=lambda item: item.as_of_date, reverse=True)
    return assessments


async def _matrix_grades(session: AsyncSession, ids: list[int]) -> dict[int, MatrixGrade]:
    rows = await session.execute(
        select(
            FollowUpGrade.recommendation_id,
            FollowUpGrade.grade,
            FollowUpGrade.sub_grade,
            FollowUpGrade.assessor,
            FollowUpGrade.graded_date,
        )
        .where(FollowUpGrade.recommendation_id.in_(ids))
        .ext(distinct_on(FollowUpGrade.recommendation_id))
        .order_by(
            FollowUpGrade.recommendation_id,
            FollowUpGrade.graded_date.desc(),
            FollowUpGrade.id.desc(),
        )
    )
    return {
        rec_id: MatrixGrade(grade, sub_grade, assessor, graded_date)
        for rec_id, grade, sub_grade, assessor, graded_date in rows
    }


async def _matrix_texts(
    session: AsyncSession, ids: list[int], language: str | None
) -> dict[int, str]:
    if language is None:
        return {}
    rows = await session.execute(
        select(RecommendationText.recommendation_id, RecommendationText.text).where(
            RecommendationText.recommendation_id.in_(ids),
            RecommendationText.language == language,
        )
    )
    return {row[0]: row[1] for row in rows}


async def matrix_pages(
    session: AsyncSession,
    *,
    state: str,
    hrd: HrdFilter | None = None,
    language: str | None = None,
    page_size: int = MATRIX_PAGE,
) -> AsyncIterator[list[MatrixRow]]:
    """The State's implementation matrix, a page of rows at a time, grouped by theme.

    A recommendation with several themes has a row under each of them; one without any theme
    comes last, under None. The text is the one in `language` where it is held, else the
    original. Each page costs five statements, whatever its follow-up.
    """
    entries = await _matrix_order(session, state=state, hrd=hrd)
    for start in range(0, len(entries), page_size):
        page = entries[start : start + page_size]
        ids = sorted({rec_id for _, rec_id in page})
        summaries = {
            row[0]: RecommendationSummary(*row)
            for row in await session.execute(SUMMARY_QUERY.where(Recommendation.id.in_(ids)))
        }
        texts = await _matrix_texts(session, ids, language)
        actions = await _matrix_actions(session, ids)
        assessments = await _matrix_assessments(session, ids)
        grades = await _matrix_grades(session, ids)
        rows = []
        for theme, rec_id in page:
            summary = summaries[rec_id]
            translated = texts.get(rec_id)
            rows.append(
                MatrixRow(
                    theme=theme,
                    id=rec_id,
                    body=summary.body,
                    mechanism=summary.mechanism,
                    document_symbol=summary.document_symbol,
                    paragraph=summary.paragraph,
                    session=summary.session,
                    cycle=summary.cycle,
                    date=summary.date,
                    language=summary.language if translated is None else str(language),
                    text=summary.text if translated is None else translated,
                    recommending_states=summary.recommending_states,
                    position=summary.position,
                    themes=summary.themes,
                    affected_persons=summary.affected_persons,
                    hrd_relevance=summary.hrd_relevance,
                    status=summary.status,
                    actions=actions.get(rec_id, []),
                    assessments=assessments.get(rec_id, []),
                    grade=grades.get(rec_id),
                )
            )
        yield rows
