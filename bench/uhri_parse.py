"""Times read_uhri over a synthetic UHRI export: records per second and peak memory."""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import ijson

from importers.uhri import read_uhri
from suivi.records import RecordError

TARGET_RATE = 10_000  # records per second
TARGET_MEMORY_MB = 300


def _read_all(path: Path) -> tuple[int, int, float]:
    """Records, errors and seconds for one full read."""
    records = errors = 0
    started = time.perf_counter()
    with path.open("rb") as stream:
        for item in read_uhri(stream):
            if isinstance(item, RecordError):
                errors += 1
            else:
                records += 1
    return records, errors, time.perf_counter() - started


def _parse_only(path: Path) -> float:
    """Seconds ijson alone takes to build every record, for comparison."""
    started = time.perf_counter()
    with path.open("rb") as stream:
        for _ in ijson.items(stream, "item", use_float=True):
            pass
    return time.perf_counter() - started


def _max_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def _generate(directory: Path, records: int, seed: int) -> Path:
    # In a child process, so the generator's memory does not count in this one's peak.
    path = directory / "uhri-synthetic.json"
    generator = Path(__file__).with_name("generate_uhri.py")
    command = [sys.executable, str(generator), "--records", str(records), "--seed", str(seed)]
    subprocess.run([*command, "--output", str(path)], check=True)
    return path


def benchmark(path: Path, runs: int, *, trace_allocations: bool) -> bool:
    """Print the figures for `path`; whether they meet the targets."""
    size_mb = path.stat().st_size / 1e6
    print(f"file: {size_mb:.1f} MB, ijson backend {ijson.backend}")
    rss_before = _max_rss_mb()
    timings = []
    for run in range(1, runs + 1):
        records, errors, seconds = _read_all(path)
        timings.append(seconds)
        print(f"run {run}: {records:,} records, {errors:,} errors in {seconds:.2f} s")
    median = statistics.median(timings)
    rate = (records + errors) / median
    print(f"read_uhri: {rate:,.0f} records/s, {size_mb / median:.1f} MB/s (median of {runs})")
    parse_seconds = _parse_only(path)
    print(f"ijson alone: {(records + errors) / parse_seconds:,.0f} records/s")
    rss_peak = _max_rss_mb()
    print(f"peak resident memory of the process: {rss_peak:.1f} MB ({rss_before:.1f} MB before)")
    if trace_allocations:
        tracemalloc.start()
        _read_all(path)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python allocations while reading (tracemalloc): {traced_peak / 1e6:.1f} MB")
    met = rate >= TARGET_RATE and rss_peak < TARGET_MEMORY_MB
    print(
        f"target >= {TARGET_RATE:,} records/s and < {TARGET_MEMORY_MB} MB: "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def main() -> None:
    """Parse the command line, generate a file when none is given, and time the reader."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path, nargs="?", help="a UHRI export; generated if absent")
    parser.add_argument("--records", type=int, default=270_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--trace-allocations",
        action="store_true",
        help="also measure the peak of Python allocations (tracemalloc; several times slower)",
    )
    args = parser.parse_args()
    if args.path is not None:
        met = benchmark(args.path, args.runs, trace_allocations=args.trace_allocations)
    else:
        with tempfile.TemporaryDirectory() as directory:
            path = _generate(Path(directory), args.records, args.seed)
            met = benchmark(path, args.runs, trace_allocations=args.trace_allocations)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
