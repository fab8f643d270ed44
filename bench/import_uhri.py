"""End-to-end UHRI import: a generated 270,000-record export through `suivi import`.

Usage: python -m bench.import_uhri [--records N] [--runs N]
Each run imports into a freshly migrated database with the real command in a child process;
the figures are wall time, records per second and the child's peak resident memory, beside a
bare COPY of the very rows the import wrote into the same (indexed, triggered) table: the ratio
of the two is the price of parsing, validating, classifying and upserting.
"""

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.databases import admin_url, drop, fresh_database, timed_copy
from bench.generate_uhri import generate


def import_once(url: str, path: Path) -> tuple[float, int, float]:
    """Seconds, records created and peak RSS (MiB) of one `suivi import` process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUIVI_")}
    env["SUIVI_DATABASE_URL"] = url
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "suivi.cli", "import", str(path), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"import failed ({result.returncode}): {result.stderr[-2000:]}")
    # ru_maxrss of children is the largest child so far: run imports in increasing order of size.
    peak_kib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return elapsed, json.loads(result.stdout)["created"], peak_kib / 1024


async def bench(records: int, runs: int) -> None:
    admin = admin_url()
    with tempfile.TemporaryDirectory(prefix="suivi-uhri-") as folder:
        path = Path(folder) / "uhri.json"
        generate(path, records=records, seed=2026)
        size_mb = path.stat().st_size / 1e6
        timings, copies, created, peak = [], [], 0, 0.0
        for _ in range(runs):
            url = await fresh_database(admin)
            empty = await fresh_database(admin)
            try:
                seconds, created, peak = await asyncio.to_thread(import_once, url, path)
                timings.append(seconds)
                copies.append(await timed_copy(url, empty))
            finally:
                await drop(admin, url)
                await drop(admin, empty)
    median = statistics.median(timings)
    copy = statistics.median(copies)
    print(
        f"UHRI import: {created:,} records from {size_mb:,.0f} MB, median {median:.1f} s "
        f"({created / median:,.0f} records/s) over {runs} run(s), peak RSS {peak:,.0f} MiB; "
        f"bare COPY median {copy:.1f} s, import/COPY ratio {median / copy:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=270_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(bench(args.records, args.runs))


if __name__ == "__main__":
    main()
