"""Export throughput: CSV, XLSX and Suivi JSON of a large corpus, rows per second and peak memory.

Usage: python -m bench.export [--records N] [--database-url URL] [--formats csv,xlsx,json]
    [--hrd direct|related|any]
Without --database-url a corpus of --records rows is generated (bench/generate_corpus.py) into
a scratch database, dropped at the end; a given database is used as it is, or filled when it
holds no recommendations. Each format runs in a child process of its own, through the code
`suivi export` runs (one REPEATABLE READ snapshot, keyset batches, the same writers), into a
temporary file, so its peak RSS is its own: the figure to hold constant as the corpus grows.
"""

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench.databases import admin_url, drop, fresh_database, libpq_dsn
from bench.generate_corpus import generate
from suivi.db import create_engine, create_sessionmaker
from suivi.exporters import recommendations as exporters
from suivi.exporters.recommendations import ExportFormat
from suivi.services import exports as service
from suivi.services.recommendations import HrdFilter, RecommendationFilters
from suivi.settings import Settings


def _peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def export_once(url: str, fmt: ExportFormat, hrd: HrdFilter | None) -> dict[str, Any]:
    """Export every row (of `hrd`) once in `fmt`; the figures of the run."""
    engine = create_engine(url, Settings(database_url=url))
    filters = RecommendationFilters(hrd=hrd)
    rows = 0

    def advance(count: int) -> None:
        nonlocal rows
        rows += count

    before = _peak_rss_mb()
    try:
        with tempfile.TemporaryDirectory(prefix="suivi-export-") as directory:
            path = Path(directory) / f"export.{fmt.value}"
            started = time.perf_counter()
            with path.open("wb") as out:
                async with service.snapshot(create_sessionmaker(engine)) as session:
                    await exporters.write(session, out, fmt=fmt, filters=filters, progress=advance)
            seconds = time.perf_counter() - started
            size = path.stat().st_size
    finally:
        await engine.dispose()
    return {
        "format": fmt.value,
        "rows": rows,
        "seconds": seconds,
        "bytes": size,
        "rss_before_mb": before,
        "rss_peak_mb": _peak_rss_mb(),
    }


async def _row_count(url: str) -> int:
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM recommendations"))
    finally:
        await connection.close()


def _child(url: str, fmt: ExportFormat, hrd: HrdFilter | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.export", "--child", fmt.value, "--database-url", url]
    if hrd is not None:
        command += ["--hrd", hrd.value]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def run(
    records: int, database_url: str | None, formats: list[ExportFormat], hrd: HrdFilter | None
) -> None:
    admin = admin_url() if database_url is None else None
    url = database_url or await fresh_database(str(admin))
    try:
        if await _row_count(url) == 0:
            started = time.perf_counter()
            await generate(url, records=records)
            print(f"corpus: {records:,} rows generated in {time.perf_counter() - started:.0f} s")
        print(f"corpus: {await _row_count(url):,} recommendations; filter hrd={hrd}")
        for fmt in formats:
            figures = await asyncio.to_thread(_child, url, fmt, hrd)
            print(
                f"{fmt.value:>4}: {figures['rows']:,} rows in {figures['seconds']:.1f} s = "
                f"{figures['rows'] / figures['seconds']:,.0f} rows/s, "
                f"{figures['bytes'] / 1e6:,.0f} MB written, peak RSS "
                f"{figures['rss_peak_mb']:,.0f} MB ({figures['rss_before_mb']:,.0f} MB before)"
            )
    finally:
        if database_url is None:
            await drop(str(admin), url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="a migrated database, filled if empty")
    parser.add_argument("--formats", default="csv,xlsx,json", help="comma-separated")
    parser.add_argument("--hrd", choices=[h.value for h in HrdFilter], help="export a subset")
    parser.add_argument("--child", choices=[f.value for f in ExportFormat], help=argparse.SUPPRESS)
    args = parser.parse_args()
    hrd = HrdFilter(args.hrd) if args.hrd else None
    if args.child:
        figures = asyncio.run(export_once(args.database_url, ExportFormat(args.child), hrd))
        print(json.dumps(figures))
        return
    formats = [ExportFormat(name.strip()) for name in args.formats.split(",")]
    asyncio.run(run(args.records, args.database_url, formats, hrd))


if __name__ == "__main__":
    main()
