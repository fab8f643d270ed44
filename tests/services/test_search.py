"""The bounded relevance order: complete, deterministic pages, filters applied first."""

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import (
    ARRAY,
    BigInteger,
    BindParameter,
    ColumnElement,
    Double,
    Integer,
    Text,
    bindparam,
    select,
    text,
)
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler

from models import Recommendation
from models.recommendation import SEARCH_INDEX_LANGUAGES
from suivi.services import search
from tests import factories

QUERY = "ombudspersons"
ASYNCPG = asyncpg_dialect()  # type: ignore[no-untyped-call]
# Short texts rank above long ones (ts_rank and ts_rank_cd divide by the length), a repeated
# word above a single one; equal texts tie and fall back to id order.
FILLER = " and the independence of the judiciary"

# An independent statement of what each match is ranked by.
ORACLE = text(
    """
    SELECT id,
        ts_rank(search_vector, websearch_to_tsquery(suivi_search_config(language),
                suivi_fold(:q)), 1) AS cheap,
        ts_rank_cd(search_vector, websearch_to_tsquery(suivi_search_config(language),
                suivi_fold(:q)), 1) AS exact
    FROM recommendations WHERE id = ANY(:ids)
    """
)


async def _corpus(session: AsyncSession) -> dict[str, list[int]]:
    """Matches of QUERY in two States and three languages, and texts that do not match."""
    tun = await factories.document(session, "TEST/A/HRC/52/10")
    mar = await factories.document(session, "TEST/A/HRC/52/11", state="MAR")
    ids: dict[str, list[int]] = {"TUN": [], "MAR": [], "other": []}
    for n in range(18):
        text_ = f"Strengthen the ombudspersons{FILLER * (n % 6)}."
        if n % 5 == 0:
            text_ = f"Ombudspersons: support the ombudspersons{FILLER * (n % 4)}."
        rec = await factories.recommendation(session, tun, f"t{n}", texts={"en": text_})
        ids["TUN"].append(rec.id)
    for n in range(4):
        # MAR's matches are long: the lowest-ranked of all, outside any small global bound.
        rec = await factories.recommendation(
            session, mar, f"m{n}", texts={"en": f"Consult the ombudspersons{FILLER * (8 + n)}."}
        )
        ids["MAR"].append(rec.id)
    french = await factories.recommendation(
        session,
        tun,
        "fr",
        language="fr",
        texts={"fr": "Renforcer les ombudspersons nationaux.", "en": "A text in English."},
    )
    ids["TUN"].append(french.id)
    # Found by its translation only; its original text ranks it at zero.
    translated = await factories.recommendation(
        session,
        tun,
        "tr",
        language="fr",
        texts={"fr": "Protéger la société civile.", "en": "Support the ombudspersons."},
    )
    ids["TUN"].append(translated.id)
    for n in range(3):
        rec = await factories.recommendation(
            session, tun, f"x{n}", texts={"en": "Abolish torture."}
        )
        ids["other"].append(rec.id)
    return ids


async def _expected(session: AsyncSession, ids: Sequence[int], bound: int) -> list[int]:
    """The documented order: the `bound` best by ts_rank, by ts_rank_cd; then the rest."""
    rows = (await session.execute(ORACLE, {"q": QUERY, "ids": list(ids)})).all()
    by_cheap = sorted(rows, key=lambda r: (r.cheap, r.id), reverse=True)
    head = sorted(by_cheap[:bound], key=lambda r: (r.exact, r.id), reverse=True)
    return [r.id for r in head + by_cheap[bound:]]


QUERY_PARAMETER = bindparam("q", type_=Text())
LIMIT = bindparam("limit", type_=Integer())
AFTER: tuple[BindParameter[float], BindParameter[int]] = (
    bindparam("after_rank", type_=Double()),
    bindparam("after_id", type_=BigInteger()),
)


async def _walk(
    session: AsyncSession,
    page_size: int,
    conditions: Sequence[ColumnElement[bool]] = (),
    values: dict[str, Any] | None = None,
) -> list[tuple[int, float]]:
    """Every (id, rank) of the relevance list, page by page, each page after the last."""
    first = search.relevance_page(QUERY_PARAMETER, conditions, limit=LIMIT)
    later = search.relevance_page(QUERY_PARAMETER, conditions, limit=LIMIT, after=AFTER)
    seen: list[tuple[int, float]] = []
    values = {**(values or {}), "q": QUERY, "limit": page_size}
    statement = first
    while True:
        rows = [(r.id, r.rank) for r in (await session.execute(statement, values)).all()]
        assert len(rows) <= page_size
        seen += rows
        if len(rows) < page_size:
            return seen
        last_id, last_rank = rows[-1]
        values = {**values, "after_rank": last_rank, "after_id": last_id}
        statement = later


@pytest.fixture
async def corpus(session: AsyncSession) -> dict[str, list[int]]:
    return await _corpus(session)


async def test_matches_finds_originals_and_translations(
    session: AsyncSession, corpus: dict[str, list[int]]
) -> None:
    found = await session.scalars(select(Recommendation.id).where(search.matches(QUERY)))

    assert sorted(found) == sorted(corpus["TUN"] + corpus["MAR"])


async def test_under_the_bound_every_match_is_ranked_exactly(
    session: AsyncSession, corpus: dict[str, list[int]]
) -> None:
    matches = corpus["TUN"] + corpus["MAR"]
    assert len(matches) < search.RANKED

    walked = await _walk(session, page_size=100)

    assert [i for i, _ in walked] == await _expected(session, matches, bound=len(matches))
    assert all(rank >= 0 for _, rank in walked)


@pytest.mark.parametrize("page_size", [1, 3, 4, 7, 50])
async def test_past_the_bound_pages_are_complete_and_in_one_order(
    session: AsyncSession,
    corpus: dict[str, list[int]],
    monkeypatch: pytest.MonkeyPatch,
    page_size: int,
) -> None:
    monkeypatch.setattr(search, "RANKED", 5)
    matches = corpus["TUN"] + corpus["MAR"]

    walked = await _walk(session, page_size)

    ids = [i for i, _ in walked]
    # No duplicate, no gap: each match once, whatever the page size.
    assert len(ids) == len(set(ids)) == len(matches)
    assert set(ids) == set(matches)
    assert ids == await _expected(session, matches, bound=5)
    # The keyset's rank tells the two parts apart: exact ranks, then negative ones.
    ranks = [rank for _, rank in walked]
    assert all(rank >= 0 for rank in ranks[:5])
    assert all(-1 <= rank < 0 for rank in ranks[5:])
    assert ranks == sorted(ranks, reverse=True)


async def test_the_same_pages_every_time(
    session: AsyncSession, corpus: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANKED", 5)

    assert await _walk(session, 4) == await _walk(session, 4)


@pytest.mark.parametrize("page_size", [1, 2, 10])
async def test_a_filter_keeps_all_its_matches(
    session: AsyncSession,
    corpus: dict[str, list[int]],
    monkeypatch: pytest.MonkeyPatch,
    page_size: int,
) -> None:
    # Among all matches MAR's rank last, far past a bound of 3; among MAR's, the bound is theirs.
    monkeypatch.setattr(search, "RANKED", 3)
    state = Recommendation.state_code == bindparam("state", type_=Text())

    walked = await _walk(session, page_size, [state], {"state": "MAR"})

    assert [i for i, _ in walked] == await _expected(session, corpus["MAR"], bound=3)


def test_values_stay_bind_parameters() -> None:
    state = Recommendation.state_code == bindparam("state", type_=Text())
    statement = search.relevance_page(QUERY_PARAMETER, [state], limit=LIMIT, after=AFTER)

    compiled = statement.compile(dialect=ASYNCPG)

    assert isinstance(compiled, SQLCompiler)
    # The caller's parameters and no other: one statement serves every value.
    assert set(compiled.positiontup or ()) == {"q", "limit", "after_rank", "after_id", "state"}
    assert "ombudspersons" not in compiled.string


async def test_each_language_arm_uses_its_own_index(session: AsyncSession) -> None:
    assert set(SEARCH_INDEX_LANGUAGES) == {*search.CONFIGURATIONS, "other"}
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    compiled = (
        select(Recommendation.id).where(search.matches(QUERY_PARAMETER)).compile(dialect=ASYNCPG)
    )
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    # A prepared statement's generic plan: the query is unknown, the language codes are not.
    await driver.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    plan = "\n".join(r[0] for r in await driver.fetch(f"EXPLAIN {compiled.string}", QUERY))

    for name in SEARCH_INDEX_LANGUAGES:
        assert f"ix_recommendations_search_vector_{name} " in plan


async def test_runs_prepared_with_untyped_keyset_parameters(
    session: AsyncSession, corpus: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a read path runs it: compiled once, prepared by asyncpg, values given in `$n` order,
    # the keyset's parameters untyped (PostgreSQL must not read the rank as an integer).
    monkeypatch.setattr(search, "RANKED", 5)
    keyset: tuple[BindParameter[Any], BindParameter[Any]] = (
        bindparam("after_0"),
        bindparam("after_1"),
    )
    statements = [
        search.relevance_page(QUERY_PARAMETER, limit=bindparam("limit"), after=after).compile(
            dialect=ASYNCPG
        )
        for after in (None, keyset)
    ]
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None

    seen: list[int] = []
    values: dict[str, Any] = {"q": QUERY, "limit": 3}
    compiled = statements[0]
    while True:
        rows = await driver.fetch(compiled.string, *(values[n] for n in compiled.positiontup or ()))
        seen += [row["id"] for row in rows]
        if len(rows) < 3:
            break
        values |= {"after_0": rows[-1]["rank"], "after_1": rows[-1]["id"]}
        compiled = statements[1]

    assert seen == await _expected(session, corpus["TUN"] + corpus["MAR"], bound=5)


# A broad query ranks its recent matches: the window of newest ids.
LONG = FILLER * 6


async def _old_and_new(session: AsyncSession) -> tuple[list[int], list[int]]:
    """Six old matches that rank high (short texts), then eight new ones that rank low (long
    texts), with a text that does not match after each group."""
    doc = await factories.document(session, "TEST/A/HRC/53/10")
    groups = (
        [f"Fund the ombudspersons{FILLER * (n % 2)}." for n in range(6)],
        [f"Consult the ombudspersons{LONG}{FILLER * (n % 3)}." for n in range(8)],
    )
    old: list[int] = []
    new: list[int] = []
    for group, ids in zip(groups, (old, new), strict=True):
        for text_ in group:
            rec = await factories.recommendation(
                session, doc, str(len(old) + len(new)), texts={"en": text_}
            )
            ids.append(rec.id)
        await factories.recommendation(
            session, doc, f"x{len(ids)}", texts={"en": "Abolish torture."}
        )
    return old, new


def _window(monkeypatch: pytest.MonkeyPatch, *, sample: int, enough: int, ranked: int) -> None:
    """A window's constants for a table of a few rows, which may span every id."""
    monkeypatch.setattr(search, "RECENT_SAMPLE", sample)
    monkeypatch.setattr(search, "RECENT_SHARE", 1)
    monkeypatch.setattr(search, "RECENT_ENOUGH", enough)
    monkeypatch.setattr(search, "RANKED", ranked)


async def _cheap_order(session: AsyncSession, ids: Sequence[int]) -> list[int]:
    rows = (await session.execute(ORACLE, {"q": QUERY, "ids": list(ids)})).all()
    return [r.id for r in sorted(rows, key=lambda r: (r.cheap, r.id), reverse=True)]


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 50])
async def test_a_broad_query_ranks_its_recent_matches_then_the_older(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch, page_size: int
) -> None:
    old, new = await _old_and_new(session)
    # The newest 5 ids hold 4 matches, enough: those are ranked, the rest follow.
    _window(monkeypatch, sample=5, enough=4, ranked=2)

    walked = await _walk(session, page_size)

    recent = new[-4:]
    older = old + new[:-4]
    ids = [i for i, _ in walked]
    assert ids == await _expected(session, recent, bound=2) + await _cheap_order(session, older)
    ranks = [rank for _, rank in walked]
    assert all(-1 <= rank < 0 for rank in ranks[2:4])
    assert all(-2 <= rank < -1 for rank in ranks[4:])
    assert ranks == sorted(ranks, reverse=True)


async def test_the_window_widens_to_the_density_of_the_sample(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = await _old_and_new(session)
    # 4 matches in the newest 5 ids, 6 wanted: 5 * 6 * 5 // 4 // 4 = 9 ids, 8 of them matches.
    _window(monkeypatch, sample=5, enough=6, ranked=3)

    walked = await _walk(session, 4)

    assert [i for i, _ in walked] == await _expected(session, new, bound=3) + await _cheap_order(
        session, old
    )


async def test_a_window_wider_than_its_share_of_the_ids_ranks_every_match(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = await _old_and_new(session)
    # As above, a window of 9 ids; the table's 16 ids span 15, less than twice 9.
    _window(monkeypatch, sample=5, enough=6, ranked=3)
    monkeypatch.setattr(search, "RECENT_SHARE", 2)

    walked = await _walk(session, 4)

    assert [i for i, _ in walked] == await _expected(session, old + new, bound=3)


async def test_too_few_recent_matches_rank_every_match(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = await _old_and_new(session)
    _window(monkeypatch, sample=5, enough=100, ranked=3)

    walked = await _walk(session, 4)

    assert [i for i, _ in walked] == await _expected(session, old + new, bound=3)
    assert all(rank >= -1 for _, rank in walked)


async def test_a_filter_counts_its_own_recent_matches(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    mar = await factories.document(session, "TEST/A/HRC/53/11", state="MAR")
    moroccan = [
        (
            await factories.recommendation(
                session, mar, f"m{n}", texts={"en": f"Hear the ombudspersons{FILLER * n}."}
            )
        ).id
        for n in range(3)
    ]
    await _old_and_new(session)
    # The newest ids are Tunisia's: the sample holds none of Morocco's matches, the window
    # none either, and so each of Morocco's matches is ranked.
    _window(monkeypatch, sample=3, enough=2, ranked=1)
    state = Recommendation.state_code == bindparam("state", type_=Text())

    walked = await _walk(session, 2, [state], {"state": "MAR"})

    assert [i for i, _ in walked] == await _expected(session, moroccan, bound=1)
    assert all(rank >= -1 for _, rank in walked)


async def test_a_hybrid_list_keeps_the_same_window(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = await _old_and_new(session)
    _window(monkeypatch, sample=5, enough=4, ranked=2)
    monkeypatch.setattr(search, "NEAR_LIMIT", 0)
    near = bindparam("near", type_=ARRAY(BigInteger()))
    first = search.hybrid_page(QUERY_PARAMETER, near, limit=LIMIT)
    later = search.hybrid_page(QUERY_PARAMETER, near, limit=LIMIT, after=AFTER)
    values: dict[str, Any] = {"q": QUERY, "limit": 3, "near": []}

    seen: list[int] = []
    statement = first
    while True:
        rows = (await session.execute(statement, values)).all()
        seen += [r.id for r in rows]
        if len(rows) < 3:
            break
        values |= {"after_rank": rows[-1].rank, "after_id": rows[-1].id}
        statement = later

    assert seen[:4] == await _expected(session, new[-4:], bound=2)
    assert seen[4:] == await _cheap_order(session, old + new[:-4])
