"""Clusters of recommendations that say the same thing: placement and the read side."""

from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models import ClusterMember, Document, Recommendation
from models.enums import HrdRelevance, ImplementationStatus, MechanismCode
from suivi.encoder import get_encoder
from suivi.services import clusters
from suivi.services import scorecard as scorecards
from tests import factories
from tests.cluster_vectors import embed, place, vector


async def cluster_of(session: AsyncSession, rec: Recommendation) -> int | None:
    return await session.scalar(
        select(ClusterMember.cluster_id).where(ClusterMember.recommendation_id == rec.id)
    )


async def cycles(session: AsyncSession, state: str = "TUN") -> tuple[Document, Document]:
    first = await factories.document(
        session, f"A/HRC/8/{state}", state=state, published=date(2008, 6, 1), cycle=1
    )
    second = await factories.document(
        session, f"A/HRC/21/{state}", state=state, published=date(2012, 9, 1), cycle=2
    )
    return first, second


async def test_repeat_across_cycles_joins_one_cluster(session: AsyncSession) -> None:
    first, second = await cycles(session)
    old = await factories.recommendation(session, first, "1")
    again = await factories.recommendation(session, second, "1")
    await embed(session, old, vector((0, 1.0)))
    await embed(session, again, vector((0, 1.0), (5, 0.3)))

    assert await place(session) == 2

    assert await cluster_of(session, old) == await cluster_of(session, again)


async def test_other_topic_starts_its_own_cluster(session: AsyncSession) -> None:
    first, second = await cycles(session)
    old = await factories.recommendation(session, first, "1")
    other = await factories.recommendation(session, second, "1")
    await embed(session, old, vector((0, 1.0)))
    await embed(session, other, vector((1, 1.0), (0, 0.5)))

    await place(session)

    assert await cluster_of(session, old) != await cluster_of(session, other)


async def test_other_state_is_never_joined(session: AsyncSession) -> None:
    tunisia, _ = await cycles(session)
    egypt, _ = await cycles(session, "EGY")
    one = await factories.recommendation(session, tunisia, "1")
    same_text = await factories.recommendation(session, egypt, "1")
    await embed(session, one, vector((0, 1.0)))
    await embed(session, same_text, vector((0, 1.0)))

    await place(session)

    assert await cluster_of(session, one) != await cluster_of(session, same_text)


async def test_newcomer_joins_the_existing_cluster(session: AsyncSession) -> None:
    first, second = await cycles(session)
    old = await factories.recommendation(session, first, "1")
    await embed(session, old, vector((0, 1.0)))
    await place(session)
    newcomer = await factories.recommendation(session, second, "1")
    await embed(session, newcomer, vector((0, 1.0), (7, 0.2)))

    assert await place(session) == 1

    assert await cluster_of(session, newcomer) == await cluster_of(session, old)


async def test_placed_texts_are_not_placed_again(session: AsyncSession) -> None:
    first, _ = await cycles(session)
    await embed(session, await factories.recommendation(session, first, "1"), vector((0, 1.0)))
    await place(session)

    assert await place(session) == 0


async def test_changed_text_is_placed_again(session: AsyncSession) -> None:
    first, second = await cycles(session)
    old = await factories.recommendation(session, first, "1")
    changed = await factories.recommendation(session, second, "1")
    await embed(session, old, vector((0, 1.0)))
    await embed(session, changed, vector((0, 1.0)))
    await place(session)
    # As the drain writes a new vector: a new `seq`.
    await session.execute(
        text(
            "UPDATE recommendation_embeddings SET embedding = :embedding, seq = DEFAULT "
            "WHERE recommendation_id = :id"
        ),
        {"embedding": vector((3, 1.0)), "id": changed.id},
    )

    assert await place(session) == 1

    assert await cluster_of(session, changed) != await cluster_of(session, old)


async def test_cluster_spans_cycles_mechanisms_and_dates(session: AsyncSession) -> None:
    first, second = await cycles(session)
    committee = await factories.document(
        session, "CCPR/C/TUN/CO/6", body_code="CCPR", published=date(2020, 4, 1), cycle=None
    )
    recs = [await factories.recommendation(session, doc, "1") for doc in (first, second, committee)]
    for index, rec in enumerate(recs):
        await embed(session, rec, vector((0, 1.0), (10 + index, 0.2)))
    await place(session)
    cluster_id = await cluster_of(session, recs[0])
    assert cluster_id is not None

    detail = await clusters.get(session, cluster_id=cluster_id)

    assert detail.summary.member_count == 3
    assert detail.summary.cycles == [1, 2]
    assert detail.summary.mechanisms == [MechanismCode.TREATY_BODY, MechanismCode.UPR]
    assert (detail.summary.first_date, detail.summary.last_date) == (
        date(2008, 6, 1),
        date(2020, 4, 1),
    )
    assert detail.summary.representative_id == recs[0].id
    assert [member.id for member in detail.members] == [rec.id for rec in recs]


async def test_list_filters_by_mechanism_and_hrd(session: AsyncSession) -> None:
    first, second = await cycles(session)
    plain = [await factories.recommendation(session, doc, "1") for doc in (first, second)]
    defenders = [
        await factories.recommendation(session, doc, "2", hrd=HrdRelevance.DIRECT)
        for doc in (first, second)
    ]
    for rec in plain:
        await embed(session, rec, vector((0, 1.0)))
    for rec in defenders:
        await embed(session, rec, vector((1, 1.0)))
    await place(session)

    by_hrd, _ = await clusters.list_page(
        session, states=["TUN"], hrd=clusters.relevances("any"), limit=10
    )
    by_body, _ = await clusters.list_page(
        session, states=["TUN"], mechanisms=[MechanismCode.TREATY_BODY], limit=10
    )

    assert [summary.representative_id for summary in by_hrd] == [defenders[0].id]
    assert by_body == []


async def test_recommended_again_and_oldest_unimplemented(session: AsyncSession) -> None:
    first, second = await cycles(session)
    for paragraph, axis in (("1", 0), ("2", 1), ("3", 2)):
        for doc in (first, second):
            rec = await factories.recommendation(
                session,
                doc,
                paragraph,
                status=ImplementationStatus.IMPLEMENTED
                if paragraph == "2"
                else ImplementationStatus.NOT_STARTED,
            )
            await embed(session, rec, vector((axis, 1.0)))
    lone = await factories.recommendation(session, second, "4")
    await embed(session, lone, vector((3, 1.0)))
    await place(session)

    again = await clusters.recommended_again(session, state="TUN")
    oldest = await clusters.oldest_unimplemented(session, state="TUN")

    assert again == 3
    assert len(oldest) == 2
    assert all(summary.first_date == date(2008, 6, 1) for summary in oldest)


async def test_representative_changed_leaves_the_next_oldest_in_charge(
    session: AsyncSession,
) -> None:
    first, second = await cycles(session)
    old = await factories.recommendation(session, first, "1")
    again = await factories.recommendation(session, second, "1")
    await embed(session, old, vector((0, 1.0)))
    await embed(session, again, vector((0, 1.0)))
    await place(session)
    cluster_id = await cluster_of(session, again)
    await session.execute(
        text(
            "UPDATE recommendation_embeddings SET embedding = :embedding, seq = DEFAULT "
            "WHERE recommendation_id = :id"
        ),
        {"embedding": vector((3, 1.0)), "id": old.id},
    )

    await place(session)

    assert cluster_id is not None
    assert (await clusters.get(session, cluster_id=cluster_id)).summary.representative_id == (
        again.id
    )


async def test_real_encoder_groups_a_rewording_and_parts_another_topic(
    session: AsyncSession,
) -> None:
    first, second = await cycles(session)
    texts = {
        (first, "1"): "Establish a national human rights institution in line with the Paris "
        "Principles",
        (second, "1"): "Promptly establish a national human rights institution in full "
        "compliance with the Paris Principles",
        (second, "2"): "Abolish the death penalty for all crimes",
    }
    encoded = get_encoder().encode(list(texts.values()))
    recs = []
    for ((doc, paragraph), value), row in zip(texts.items(), encoded, strict=True):
        rec = await factories.recommendation(session, doc, paragraph, texts={"en": value})
        await embed(session, rec, row.astype("<f4").tobytes())
        recs.append(rec)

    await place(session)

    placed = [await cluster_of(session, rec) for rec in recs]
    assert placed[0] == placed[1] != placed[2]


async def test_scorecard_counts_recommended_again(session: AsyncSession) -> None:
    first, second = await cycles(session)
    for doc in (first, second):
        await embed(session, await factories.recommendation(session, doc, "1"), vector((0, 1.0)))
    await place(session)

    card = await scorecards.get(session, code="TUN")

    assert card.recommended_again == 1
    assert [summary.first_date for summary in card.oldest_unimplemented_clusters] == [
        date(2008, 6, 1)
    ]
