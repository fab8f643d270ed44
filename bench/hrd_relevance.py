"""Measures the defender classifier's text rules against UPR Info's "Human rights defenders" tag.

Usage: python bench/hrd_relevance.py [--runs N] [PATH]
Ground truth is the row's Issue column holding "Human rights defenders"; the prediction is
classify(text, language="en", tags=()) being direct, so only the text decides (with the tags the
answer would be right by construction). Prints the counts, precision, recall, throughput, and
every false positive and false negative for a person to judge.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from importers.upr_info import read_upr_info
from models.enums import HrdRelevance
from suivi.records import RecommendationRecord, RecordError
from suivi.relevance import classify

REAL_FILE = (
    Path(
        os.environ.get("SUIVI_REAL_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared/data"
    )
    / "upr-info"
    / "upr-info-sessions-1-5.csv"
)
ISSUE = "human rights defenders"
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.95
TARGET_RATE = 50_000  # texts per second
SHOWN_CHARS = 160


def _load(path: Path) -> list[RecommendationRecord]:
    """The file's records; rejected rows are reported and left out."""
    records: list[RecommendationRecord] = []
    with path.open("rb") as stream:
        for item in read_upr_info(stream):
            if isinstance(item, RecordError):
                print(f"rejected row: {item.as_dict()}")
            else:
                records.append(item)
    return records


def _is_tagged(record: RecommendationRecord) -> bool:
    return any(theme.casefold() == ISSUE for theme in record.themes)


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def _rate(texts: list[str], tags: list[list[str]], runs: int) -> float:
    """Texts per second through classify, median of `runs` full passes."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        for text, labels in zip(texts, tags, strict=True):
            classify(text, language="en", tags=labels)
        timings.append(time.perf_counter() - started)
    return len(texts) / statistics.median(timings)


def benchmark(path: Path, runs: int) -> bool:
    """Print the figures for `path`; whether they meet the targets."""
    records = _load(path)
    true_pos: list[str] = []
    false_pos: list[tuple[str, list[dict[str, str]]]] = []
    false_neg: list[tuple[str, HrdRelevance, list[dict[str, str]]]] = []
    for record in records:
        relevance, reasons = classify(record.text, language="en", tags=())
        predicted = relevance is HrdRelevance.DIRECT
        tagged = _is_tagged(record)
        if predicted and tagged:
            true_pos.append(record.text)
        elif predicted:
            false_pos.append((record.text, reasons))
        elif tagged:
            false_neg.append((record.text, relevance, reasons))

    texts = [record.text for record in records]
    rate = _rate(texts, [[] for _ in texts], runs)
    rate_with_tags = _rate(texts, [[*r.themes, *r.affected_persons] for r in records], runs)

    tp, fp, fn = len(true_pos), len(false_pos), len(false_neg)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"file: {path.name}, {len(records):,} records, {tp + fn:,} tagged {ISSUE!r}")
    print(f"true positives {tp}, false positives {fp}, false negatives {fn}")
    print(f"precision {precision:.4f}, recall {recall:.4f}")
    print(f"throughput: {rate:,.0f} texts/s text only, median of {runs} runs on one core")
    print(f"throughput: {rate_with_tags:,.0f} texts/s with the row's tags")

    print(f"\nfalse positives ({fp}): direct by the text, not tagged by UPR Info")
    for text, reasons in false_pos:
        print(f"- {_short(text)}")
        print(f"    matched: {', '.join(reason['match'] for reason in reasons)}")
    print(f"\nfalse negatives ({fn}): tagged by UPR Info, not direct by the text")
    for text, relevance, reasons in false_neg:
        print(f"- {_short(text)}")
        matched = ", ".join(reason["match"] for reason in reasons) or "nothing"
        print(f"    {relevance.value}; matched: {matched}")

    met = precision > TARGET_PRECISION and recall > TARGET_RECALL and rate > TARGET_RATE
    print(
        f"\ntarget precision and recall > {TARGET_PRECISION}, > {TARGET_RATE:,} texts/s: "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def main() -> None:
    """Parse the command line and measure the classifier on the file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path, nargs="?", default=REAL_FILE, help="a UPR Info CSV")
    parser.add_argument("--runs", type=int, default=7, help="timed passes over the file")
    args = parser.parse_args()
    sys.exit(0 if benchmark(args.path, args.runs) else 1)


if __name__ == "__main__":
    main()
