"""Full-text search over recommendation texts, each in its own language's configuration.

The vectors are built by the database (migration 0004): `to_tsvector(config of the row's
language, suivi_fold(text))`. A query is folded the same way and parsed with websearch syntax
(quotes, OR, -term) once per configuration; a text matches the query parsed in its own
language, so "recommandations sur les défenseurs" finds French texts by their French stems.

Relevance is `ts_rank_cd` of the original text, computed for a bounded number of matches:
at about 4 µs a row it took 100 ms for the 25,000 rows that "journalists" matches in a million.
`relevance_page` orders the matches by `ts_rank` instead (an eighth of the cost, nearly the
same order), ranks the `RANKED` best of those exactly and lists them first; its docstring says
what comes after. Reading a match costs more than ranking it: 25,000 matches lie on about as
many heap pages. So a broad query ranks its recent matches, a few thousand in a window of the
newest ids, and lists the older ones after them (`_matches_by_prerank`): the first pages cost
the same whether a query matches 3,000 rows or 80,000.

A query may be a string or a bind parameter; its text is bound wherever it appears. Only the
configuration names and language codes are written into the SQL: the planner must see them to
use each language's partial index (migration 0013), in a generic plan too.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    ColumnElement,
    CompoundSelect,
    Double,
    Integer,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal_column,
    not_,
    or_,
    select,
    tuple_,
    union,
    union_all,
)

from models import Recommendation, RecommendationText

# ISO 639-1 code -> PostgreSQL text-search configuration; other languages use `simple`.
CONFIGURATIONS = {"en": "english", "fr": "french", "es": "spanish", "ar": "arabic"}
FALLBACK = "simple"

# How many matches a relevance list ranks exactly: the best by ts_rank. On the benchmark corpus
# the true top 50 of each common query lies within its first 200 by ts_rank.
RANKED = 1000
# A broad query ranks its most recent matches (`_matches_by_prerank`): about RECENT_ENOUGH of
# them, in a window of newest ids sized from the density of matches among the newest
# RECENT_SAMPLE ids. At a million rows a common word matches 23,000 to 81,000 texts on as many
# heap pages: a first page took 100 to 476 ms in SQL, and takes 28 to 43 ms from the window.
RECENT_SAMPLE = 25_000
# At least a first page's bound (RANKED + NEAR_LIMIT + the largest page, 500), so that a first
# page never reads the older matches.
RECENT_ENOUGH = 2_500
# A window spans at most this share of the ids: 1 / RECENT_SHARE of the table, the newest.
RECENT_SHARE = 4

Query = str | ColumnElement[str]
# A relevance keyset: the rank of the last item seen, then its id (values or bind parameters).
After = tuple[float | ColumnElement[float], int | ColumnElement[int]]

_FLOAT8: Double[float] = Double()
_ID_ARRAY: ARRAY[int] = ARRAY(BigInteger())


def _integer(value: int) -> ColumnElement[int]:
    """A constant of the statement's shape, written into the SQL rather than bound."""
    return literal_column(str(value), Integer())


# ts_rank and ts_rank_cd's normalisation: divide by 1 + log(length), as lists always have.
_BY_LENGTH = _integer(1)


def _tsquery(configuration: str, query: Query) -> ScalarSelect[Any]:
    # A scalar subquery is computed once per statement (an InitPlan). Written inline, the fold
    # and the parse would run again for every row the statement looks at whenever the query
    # is a parameter of a generic plan, which prepared statements end up using.
    return select(
        func.websearch_to_tsquery(
            literal_column(f"'{configuration}'::regconfig"), func.suivi_fold(query)
        )
    ).scalar_subquery()


def _by_language(
    language: SQLColumnExpression[str],
) -> list[tuple[ColumnElement[bool], str]]:
    """(condition on the row's language, configuration), the fallback last.

    The codes are constants: a parameter would hide from the planner which partial index
    (`... WHERE language = 'en'`) the condition may use.
    """
    codes = {code: literal_column(f"'{code}'", String()) for code in CONFIGURATIONS}
    arms = [(language == codes[code], name) for code, name in CONFIGURATIONS.items()]
    return [*arms, (language.not_in(list(codes.values())), FALLBACK)]


def _matches(
    vector: SQLColumnExpression[Any], language: SQLColumnExpression[str], query: Query
) -> ColumnElement[bool]:
    """Whether a text matches `query` parsed in the text's own language."""
    return or_(
        *(
            and_(is_language, vector.bool_op("@@")(_tsquery(configuration, query)))
            for is_language, configuration in _by_language(language)
        )
    )


def _score(
    function: Any,
    vector: SQLColumnExpression[Any],
    language: SQLColumnExpression[str],
    query: Query,
) -> ColumnElement[float]:
    """`function` (ts_rank or ts_rank_cd) of a text against `query` parsed in its language."""
    *arms, (_, fallback) = _by_language(language)
    return case(
        *(
            (is_language, function(vector, _tsquery(configuration, query), _BY_LENGTH))
            for is_language, configuration in arms
        ),
        else_=function(vector, _tsquery(fallback, query), _BY_LENGTH),
    )


def _translated_ids(query: Query) -> Select[Any]:
    return select(RecommendationText.recommendation_id).where(
        _matches(RecommendationText.search_vector, RecommendationText.language, query)
    )


def _translated_id_array(query: Query) -> ColumnElement[Any]:
    """`_translated_ids` as one bigint array."""
    ids = func.array_agg(RecommendationText.recommendation_id)
    # Cast: in ANY((SELECT ...)) PostgreSQL would read a subquery of arrays, not an array.
    return cast(_translated_ids(query).with_only_columns(ids).scalar_subquery(), _ID_ARRAY)


def matching_ids(query: Query) -> Select[Any]:
    """Ids of the recommendations whose original text or a translation matches `query`."""
    originals = select(Recommendation.id).where(
        _matches(Recommendation.search_vector, Recommendation.language, query)
    )
    return select(union(originals, _translated_ids(query)).subquery().c[0])


def matches(query: Query) -> ColumnElement[bool]:
    """The condition on `recommendations` rows that their text or a translation matches."""
    return Recommendation.id.in_(matching_ids(query))


def rank(query: Query) -> ColumnElement[float]:
    """ts_rank_cd of the original text, normalised by length: the relevance of one row.

    Computed for every row it is selected on; a list ordered by relevance uses
    `relevance_page`, which computes it for a bounded number of rows.
    """
    return _score(func.ts_rank_cd, Recommendation.search_vector, Recommendation.language, query)


def _prerank(query: Query, *, part: int = 0) -> ColumnElement[float]:
    """part - 1 / (1 + ts_rank): the cheap order of the matches, in [part - 1, part), best
    highest. Part 0 holds the ranked matches, part -1 a broad query's older ones.

    Negative, so that a match listed by it sorts below every exactly ranked one (ts_rank_cd is
    never negative), and the keyset tells which part of the list a cursor is in.
    """
    cheap = _score(func.ts_rank, Recommendation.search_vector, Recommendation.language, query)
    one = literal_column("1.0", _FLOAT8)
    return literal_column(f"{part}.0", _FLOAT8) - one / (one + cast(cheap, _FLOAT8))


def relevance_page(
    query: Query,
    conditions: Sequence[ColumnElement[bool]] = (),
    *,
    limit: int | ColumnElement[int],
    after: After | None = None,
) -> Select[Any]:
    """`(id, rank)` of the next `limit` matches of `query` in relevance order, after `after`.

    Rows: the ids of the recommendations that satisfy every one of `conditions` and whose text
    or a translation matches `query`, with a float `rank`; ordered by rank descending then id
    descending; at most `limit` of them; only those after the keyset `after` = (rank, id) of the
    last item seen. `conditions` are the list's other filters, on `recommendations` alone, not
    the search itself. They apply before anything is bounded: with a State filter, the bound
    counts that State's matches only, and none of them is lost to other States' better ones.

    The order, bounded: the ranked matches (every match, or a broad query's recent ones: see
    `_matches_by_prerank`) are ordered by ts_rank (ties: higher id first), and the first
    `RANKED` of them are the head.
    - The head comes first, ordered by ts_rank_cd then id, descending: `rank` is ts_rank_cd
      (>= 0). With at most `RANKED` matches, that is every match, exactly as ranked before.
    - The other ranked matches follow, in ts_rank order: `rank` is -1 / (1 + ts_rank), in
      [-1, 0). A match down there may have a higher ts_rank_cd than the last of the head: past
      `RANKED` matches the order is ts_rank's, the bound's price.
    - A broad query's older matches come last, in ts_rank order: `rank` in [-2, -1).
    Each match appears once, on whatever pages of whatever size: the keyset continues any
    part, its rank saying which, and nothing depends on the page size or on the plan. Cost:
    one read and one ts_rank per ranked match (a few thousand at most for a broad query),
    `RANKED` ts_rank_cd at most, and a sort bounded by `RANKED + limit` rows; a page past the
    ranked matches reads the older ones.

    `limit` and the two values of `after` may be bind parameters (the keyset's are cast to
    double precision and bigint); the statement then binds nothing but them and what `query`
    and `conditions` bind, and serves every value. A list joins its columns on `id` and orders
    by (rank desc, id desc) again, the join keeping no order.
    """
    # Typed here: an untyped parameter would take the type of whichever comparison PostgreSQL
    # reads first, possibly the integer 0.
    keyset = None if after is None else (cast(after[0], _FLOAT8), cast(after[1], BigInteger()))
    # The head, and enough of the rest to fill a page that the head ends.
    bound = (
        _integer(RANKED) + limit if isinstance(limit, ColumnElement) else _integer(RANKED + limit)
    )
    numbered = _numbered(query, conditions, keyset, bound).subquery("numbered")
    exact = _score(func.ts_rank_cd, numbered.c.search_vector, numbered.c.language, query)

    in_head = numbered.c.seq <= _integer(RANKED)
    if keyset is not None:
        # A cursor past the head: all that remains is past it too.
        in_head = and_(in_head, keyset[0] >= _integer(0))
    ranked = (
        select(
            numbered.c.id,
            case((in_head, cast(exact, _FLOAT8)), else_=numbered.c.prerank).label("rank"),
        )
        # As below: the keyset condition must not compute ts_rank_cd a second time.
        .offset(_integer(0))
        .subquery("ranked")
    )
    page = select(ranked.c.id, ranked.c.rank)
    if keyset is not None:
        page = page.where(tuple_(ranked.c.rank, ranked.c.id) < tuple_(*keyset))
    page_limit = limit if isinstance(limit, ColumnElement) else _integer(limit)
    return page.order_by(ranked.c.rank.desc(), ranked.c.id.desc()).limit(page_limit)


def _numbered(
    query: Query,
    conditions: Sequence[ColumnElement[bool]],
    keyset: tuple[ColumnElement[float], ColumnElement[int]] | None,
    bound: ColumnElement[int],
) -> Select[Any]:
    """The first `bound` matches after `keyset` in prerank order, with their place in it
    (`seq`, 1 the first): the head and what follows it on a page."""
    matched = _matches_by_prerank(query, conditions, keyset, bound)
    first = select(matched)
    if keyset is not None:
        # Harmless in the head (every prerank is below a rank >= 0); past it, the rest resumes
        # after the cursor.
        first = first.where(tuple_(matched.c.prerank, matched.c.id) < tuple_(*keyset))
    candidates = (
        first.order_by(matched.c.prerank.desc(), matched.c.id.desc()).limit(bound).subquery("first")
    )
    seq = func.row_number().over(order_by=(candidates.c.prerank.desc(), candidates.c.id.desc()))
    return select(candidates, seq.label("seq"))


def _matches_by_prerank(
    query: Query,
    conditions: Sequence[ColumnElement[bool]],
    keyset: tuple[ColumnElement[float], ColumnElement[int]] | None,
    bound: ColumnElement[int],
) -> Subquery:
    """`(id, prerank, search_vector, language)` of the matches that satisfy `conditions`, as
    far as the first `bound` after `keyset` in prerank order need.

    A broad query ranks its recent matches only: the matches among the newest `RECENT_SAMPLE`
    ids tell how densely the query matches; the window of newest ids that should hold about
    `RECENT_ENOUGH` matches at that density is read; if it holds at least that many, they are
    the ranked part (prerank in [-1, 0)) and the older matches follow in ts_rank order (prerank
    -1 - 1 / (1 + ts_rank), in [-2, -1)), read only by a page that reaches them. Otherwise,
    and in a table whose ids span less than the sample, every match is in the ranked part.
    The window depends on the data, the query and `conditions` alone, never on the page, so
    every page of one list sees the same window.

    Each case is an InitPlan that PostgreSQL decides before it scans anything: a part whose
    case does not hold is never read. The vector goes along to the head's ts_rank_cd: a bounded
    sort copies it for each match, which costs less than reading a thousand rows again by id.
    """
    prerank = _prerank(query)
    newest = select(func.max(Recommendation.id)).scalar_subquery()
    oldest = select(func.min(Recommendation.id)).scalar_subquery()
    sample_floor = newest - _integer(RECENT_SAMPLE)
    sampling = select(sample_floor > oldest).scalar_subquery()
    sampled = _matching(query, conditions, prerank, sampling, Recommendation.id > sample_floor).cte(
        "sampled"
    )
    in_sample = select(func.count()).select_from(sampled).scalar_subquery()
    # Ids that hold RECENT_ENOUGH matches at the sample's density, and a quarter more.
    wanted = _integer(RECENT_SAMPLE * RECENT_ENOUGH * 5 // 4)
    full = in_sample >= _integer(RECENT_ENOUGH)
    density = wanted // cast(func.greatest(in_sample, _integer(1)), Integer())
    width = case((full, _integer(RECENT_SAMPLE)), else_=density)
    # bigint, as the ids: compared with another type, `id` would not use its index.
    floor = select(cast(newest - width, BigInteger())).scalar_subquery()
    # A window past a share of the ids would cost more to collect from the primary key than
    # it saves: such a query (a rare word, or a filter that keeps few of its matches) ranks
    # every match, as it did before there was a window.
    narrow = width * _integer(RECENT_SHARE) <= newest - oldest
    windowed = select(and_(sampling, narrow, floor > oldest)).scalar_subquery()
    widened = _matching(
        query,
        conditions,
        prerank,
        select(and_(windowed, not_(full))).scalar_subquery(),
        Recommendation.id > floor,
        Recommendation.id <= sample_floor,
    )
    recent = union_all(select(sampled).where(windowed), widened).cte("recent")
    counted = select(func.count()).select_from(recent)
    enough = select(counted.scalar_subquery() >= _integer(RECENT_ENOUGH)).scalar_subquery()
    every = _matching(query, conditions, prerank, not_(enough))
    # The older matches, only when what is left of the recent ones cannot fill the bound.
    if keyset is not None:
        counted = counted.where(tuple_(recent.c.prerank, recent.c.id) < tuple_(*keyset))
    short = select(counted.scalar_subquery() < bound).scalar_subquery()
    # Most of the table: checked on each matching row rather than collected from the primary
    # key (an expression, not the column, so that the planner cannot use the index).
    older_ids = Recommendation.id + _integer(0) <= floor
    older = _matching(query, conditions, _prerank(query, part=-1), enough, short, older_ids)
    both = union_all(select(recent).where(enough), every, older).subquery("matched")
    # OFFSET 0: a condition on `prerank` stays outside, on the computed value; pushed down into
    # the scans it would compute ts_rank a second time per row.
    return select(both).offset(_integer(0)).subquery("matches")


def _matching(
    query: Query,
    conditions: Sequence[ColumnElement[bool]],
    prerank: ColumnElement[float],
    *only: ColumnElement[bool],
) -> CompoundSelect[Any]:
    """`(id, prerank, search_vector, language)` of the matches that satisfy `conditions` and
    `only`: the originals, then rows found by a translation alone."""
    columns = (
        Recommendation.id,
        prerank.label("prerank"),
        Recommendation.search_vector,
        Recommendation.language,
    )
    originals = select(*columns).where(
        _matches(Recommendation.search_vector, Recommendation.language, query), *conditions, *only
    )
    # Rows whose original text does not match, found by a translation; the original text is
    # still what ranks them (at zero, unless it matches in part).
    translated = select(*columns).where(
        # The translated texts' ids as one array: probed by id, whatever range `only` adds,
        # where a semi-join would let the planner walk the range and look each id up.
        Recommendation.id == func.any(_translated_id_array(query)),
        not_(_matches(Recommendation.search_vector, Recommendation.language, query)),
        *conditions,
        *only,
    )
    return union_all(originals, translated)


# Reciprocal rank fusion's constant: a text's score is the sum over the two rankings of
# 1 / (RRF_K + its position), so agreeing rankings add up and no score scale matters.
RRF_K = 60
# How many of the texts nearest in meaning a hybrid list fuses (suivi/services/meaning.py).
NEAR_LIMIT = 1000


def near_positions(
    near_ids: ColumnElement[Any], conditions: Sequence[ColumnElement[bool]]
) -> Subquery:
    """`(id, position)` of the nearest texts that satisfy `conditions`, 1 the most similar.

    `near_ids` is an array of ids, most similar first.
    """
    near = (
        func.unnest(near_ids)
        .table_valued("id", with_ordinality="ordinal")
        .render_derived("near", with_types=False)
    )
    kept = (
        select(
            Recommendation.id,
            func.row_number().over(order_by=near.c.ordinal).label("position"),
        )
        .select_from(near)
        .join(Recommendation, Recommendation.id == near.c.id)
        .where(*conditions)
    )
    return kept.subquery("near_kept")


def hybrid_page(
    query: Query,
    near_ids: ColumnElement[Any],
    conditions: Sequence[ColumnElement[bool]] = (),
    *,
    limit: int | ColumnElement[int],
    after: After | None = None,
) -> Select[Any]:
    """`(id, rank)` of the next `limit` texts matching `query` by words or meaning.

    As `relevance_page`, with the nearest texts in meaning (`near_ids`, most similar first)
    fused into the head: the head is the first `RANKED` word matches (ordered by ts_rank_cd)
    and every nearest text that satisfies `conditions`; its `rank` is their reciprocal rank
    fusion (> 0). The other word matches follow in ts_rank order (`rank` < 0), as there.
    """
    keyset = None if after is None else (cast(after[0], _FLOAT8), cast(after[1], BigInteger()))
    # Enough of the rest to fill a page even when the nearest texts take some of it.
    extra = _integer(RANKED + NEAR_LIMIT)
    bound = (
        extra + limit if isinstance(limit, ColumnElement) else _integer(RANKED + NEAR_LIMIT + limit)
    )
    # A CTE: the head's lexical ranking and the rest both read it, computed once.
    numbered = _numbered(query, conditions, keyset, bound).cte("numbered")
    in_head = numbered.c.seq <= _integer(RANKED)
    head_allowed: ColumnElement[bool] = literal_column("true", Boolean())
    if keyset is not None:
        # A cursor past the head: all that remains is past it too.
        head_allowed = keyset[0] >= _integer(0)
        in_head = and_(in_head, head_allowed)
    exact = _score(func.ts_rank_cd, numbered.c.search_vector, numbered.c.language, query)
    scored = (
        select(numbered.c.id, cast(exact, _FLOAT8).label("exact"))
        .where(in_head)
        .offset(_integer(0))
        .subquery("scored")
    )
    lexical = select(
        scored.c.id,
        func.row_number()
        .over(order_by=(scored.c.exact.desc(), scored.c.id.desc()))
        .label("position"),
    ).subquery("lexical")
    near = near_positions(near_ids, conditions)
    k = literal_column(f"{RRF_K}.0", _FLOAT8)
    one = literal_column("1.0", _FLOAT8)
    fused = (
        select(
            func.coalesce(lexical.c.id, near.c.id).label("id"),
            (
                func.coalesce(one / (k + lexical.c.position), 0)
                + func.coalesce(one / (k + near.c.position), 0)
            ).label("rank"),
        )
        .select_from(lexical.join(near, lexical.c.id == near.c.id, full=True))
        .where(head_allowed)
    )
    rest = select(numbered.c.id, numbered.c.prerank.label("rank")).where(
        not_(in_head), not_(numbered.c.id == func.any(near_ids))
    )
    both = union_all(fused, rest).subquery("both")
    page = select(both.c.id, both.c.rank)
    if keyset is not None:
        page = page.where(tuple_(both.c.rank, both.c.id) < tuple_(*keyset))
    page_limit = limit if isinstance(limit, ColumnElement) else _integer(limit)
    return page.order_by(both.c.rank.desc(), both.c.id.desc()).limit(page_limit)
