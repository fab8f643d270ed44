"""The semantic-search evaluation set: well-formed, true to the real exports, and scored right."""

import json
import re

import numpy as np
import pytest

from bench.meaning_eval import (
    DIFFERING_RATIO,
    EVAL_FILE,
    LANGUAGES,
    MIN_RULE_MATCHES,
    OTHER_INSTRUMENT,
    OTHER_TOPIC,
    REPEAT_RATIO,
    EvalSet,
    Pair,
    Row,
    Topic,
    build,
    instruments,
    load,
    pair_purity,
    precision_at_k,
    query_precision,
    read_rows,
    recall_at_k,
    rule_matches,
    text_ratio,
)
from bench.meaning_models import centre_queries, complete_link_merges
from tests.paths import REAL_DATA, UPR_INFO_REAL_FILES
from tests.real_data import require

EARLIER_SESSIONS = range(1, 6)
LATER_SESSIONS = range(14, 18)
ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def evalset() -> EvalSet:
    return load()


@pytest.fixture(scope="module")
def real_rows() -> dict[str, Row]:
    rows = [row for path in UPR_INFO_REAL_FILES for row in read_rows(require(path))]
    return {row.key: row for row in rows}


def test_committed_set_stays_small() -> None:
    assert EVAL_FILE.stat().st_size < 300_000


def test_pairs_join_one_state_across_cycles(evalset: EvalSet) -> None:
    for pair in [*evalset.repeats, *evalset.differing]:
        earlier, later = evalset.rows[pair.earlier], evalset.rows[pair.later]
        assert earlier.state == later.state
        assert earlier.session in EARLIER_SESSIONS
        assert later.session in LATER_SESSIONS


def test_repeats_are_near_identical_and_name_the_same_treaties(evalset: EvalSet) -> None:
    assert 100 <= len(evalset.repeats) <= 300
    for pair in evalset.repeats:
        earlier, later = evalset.rows[pair.earlier].text, evalset.rows[pair.later].text
        assert text_ratio(earlier, later) == pytest.approx(pair.ratio, abs=0.1)
        assert pair.ratio >= REPEAT_RATIO
        assert instruments(earlier) == instruments(later)


def test_repeats_count_each_text_pair_once(evalset: EvalSet) -> None:
    identities = [
        (evalset.rows[p.later].session, evalset.rows[p.later].text, evalset.rows[p.earlier].text)
        for p in evalset.repeats
    ]
    assert len(identities) == len(set(identities))


def test_differing_pairs_are_dissimilar_or_name_other_treaties(evalset: EvalSet) -> None:
    kinds = {pair.kind for pair in evalset.differing}
    assert kinds == {OTHER_TOPIC, OTHER_INSTRUMENT}
    for pair in evalset.differing:
        earlier, later = evalset.rows[pair.earlier].text, evalset.rows[pair.later].text
        assert text_ratio(earlier, later) == pytest.approx(pair.ratio, abs=0.1)
        if pair.kind == OTHER_TOPIC:
            assert pair.ratio < DIFFERING_RATIO
        else:
            assert instruments(earlier)
            assert instruments(later)
            assert not instruments(earlier) & instruments(later)


def test_no_pair_is_both_a_repeat_and_differing(evalset: EvalSet) -> None:
    repeats = {(pair.earlier, pair.later) for pair in evalset.repeats}
    assert not repeats & {(pair.earlier, pair.later) for pair in evalset.differing}


def test_every_topic_has_french_spanish_and_arabic_queries(evalset: EvalSet) -> None:
    assert len(evalset.topics) >= 12
    for topic in evalset.topics:
        for queries in (topic.queries, topic.rephrased):
            assert set(queries) == set(LANGUAGES)
            for query in queries.values():
                assert 2 <= len(query.split()) <= 8, query
            assert ARABIC.search(queries["ar"])
            assert not ARABIC.search(queries["fr"] + queries["es"])
            assert queries["fr"] != queries["es"]
        # The held-out wording says the topic in other words in every language.
        assert all(topic.rephrased[code] != topic.queries[code] for code in LANGUAGES)


def test_pair_rows_are_the_real_rows(evalset: EvalSet, real_rows: dict[str, Row]) -> None:
    for key, row in evalset.rows.items():
        real = real_rows[key]
        assert (row.state, row.session, row.recommending, row.text) == (
            real.state,
            real.session,
            real.recommending,
            real.text,
        )


def test_other_topic_pairs_share_no_upr_info_issue(
    evalset: EvalSet, real_rows: dict[str, Row]
) -> None:
    for pair in evalset.differing:
        if pair.kind == OTHER_TOPIC:
            earlier, later = real_rows[pair.earlier].themes, real_rows[pair.later].themes
            assert earlier
            assert later
            assert not set(earlier) & set(later)


def test_each_rule_finds_enough_real_texts(evalset: EvalSet, real_rows: dict[str, Row]) -> None:
    texts = [row.text for row in real_rows.values()]
    for topic in evalset.topics:
        assert rule_matches(topic, texts) >= MIN_RULE_MATCHES, topic.name


def test_committed_set_is_what_the_builder_makes_from_the_real_data() -> None:
    for path in UPR_INFO_REAL_FILES:
        require(path)

    assert build(REAL_DATA) == json.loads(EVAL_FILE.read_text(encoding="utf-8"))


def test_similarity_ignores_case_and_punctuation() -> None:
    assert text_ratio("Abolish the death penalty.", "abolish the death penalty") == 100


def test_instruments_read_names_and_acronyms_alike() -> None:
    assert instruments("Ratify the OP-CAT") == instruments("Ratify the Convention against Torture")
    assert instruments("Ratify the CRPD") != instruments("Ratify the OP-CEDAW")


def test_precision_counts_missing_results_as_wrong() -> None:
    assert precision_at_k([True, False, True], k=10) == pytest.approx(0.2)
    assert precision_at_k([True, False, True], k=2) == pytest.approx(0.5)


def test_query_precision_judges_texts_by_the_rule() -> None:
    topic = Topic("death penalty", r"death penalty", {"fr": "peine de mort"}, {"fr": "exécutions"})

    ranked = ["Abolish the DEATH PENALTY", "Ratify CAT", "Keep the death penalty moratorium"]

    assert query_precision(topic, ranked, k=3) == pytest.approx(2 / 3)
    assert query_precision(topic, ranked, k=1) == pytest.approx(1.0)


def test_recall_finds_the_repeat_only_within_k() -> None:
    neighbours = [["a", "b", "c"], ["d", "e"]]

    assert recall_at_k(neighbours, ["c", "x"], k=10) == pytest.approx(0.5)
    assert recall_at_k(neighbours, ["c", "x"], k=2) == pytest.approx(0.0)


def test_recall_needs_one_neighbour_list_per_repeat() -> None:
    with pytest.raises(ValueError, match="one neighbour list"):
        recall_at_k([["a"]], ["a", "b"])


def test_purity_rewards_only_the_right_clustering() -> None:
    repeats = [Pair("a", "b", 90.0), Pair("c", "d", 90.0)]
    differing = [Pair("a", "c", 20.0, OTHER_TOPIC), Pair("b", "d", 20.0, OTHER_TOPIC)]

    right = pair_purity({"a": 1, "b": 1, "c": 2, "d": 2}, repeats, differing)
    merged = pair_purity(dict.fromkeys("abcd", 0), repeats, differing)
    split = pair_purity({"a": 1, "b": 2, "c": 3, "d": 4}, repeats, differing)

    assert (right.together, right.apart, right.score) == (1.0, 1.0, 1.0)
    assert (merged.together, merged.apart, merged.score) == (1.0, 0.0, 0.5)
    assert (split.together, split.apart, split.score) == (0.0, 1.0, 0.5)


def test_complete_link_does_not_chain() -> None:
    similarity = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.8], [0.1, 0.8, 1.0]], dtype=np.float32)

    merges = complete_link_merges(similarity, 0.5)

    assert [(kept, absorbed) for kept, absorbed, _ in merges] == [(0, 1)]


def test_centring_removes_the_other_topics_mean_only() -> None:
    queries = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)

    centred = centre_queries(queries, per_topic=1)

    expected = queries[0] - (queries[1] + queries[2]) / 2
    np.testing.assert_allclose(centred[0], expected / np.linalg.norm(expected), rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(centred, axis=1), 1.0, rtol=1e-6)
