"""Import throughput on UPR Info CSV: the real 6,094-row file, a 40,000-row file, and bare COPY.

Usage: python -m bench.import_upr_info [--runs N] [PATH]
Each run imports into a freshly migrated database (creation not timed). The COPY baseline loads
the very rows the import wrote into the same table with PostgreSQL COPY: the ratio of the two is
the price of decoding, validating, mapping, classifying and upserting.
"""

import argparse
import asyncio
import csv
import io
import os
import statistics
import time
from pathlib import Path

from bench.databases import admin_url, drop, fresh_database, timed_copy
from importers.encoding import decode_source
from suivi.db import create_engine, create_sessionmaker
from suivi.services.import_flow import ImportFormat, run_import
from suivi.settings import Settings

REAL_FILE = (
    Path(
        os.environ.get("SUIVI_REAL_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared/data"
    )
    / "upr-info"
    / "upr-info-sessions-1-5.csv"
)


def scaled_file(real: bytes, rows: int) -> bytes:
    """A UPR Info CSV of `rows` rows: the real rows again under later sessions (new keys)."""
    reader = csv.reader(io.StringIO(decode_source(real).text))
    header, *body = list(reader)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    session_column = header.index("Session")
    written, shift = 0, 0
    while written < rows:
        for row in body:
            if written == rows:
                break
            row = list(row)
            row[session_column] = str(int(row[session_column]) + shift)
            writer.writerow(row)
            written += 1
        shift += 5
    return out.getvalue().encode("utf-8")


async def timed_import(url: str, data: bytes) -> tuple[float, int]:
    """Seconds to import `data` end to end, and the number of records created."""
    settings = Settings(database_url=url)
    engine = create_engine(url, settings)
    try:
        started = time.perf_counter()
        async with create_sessionmaker(engine).begin() as session:
            report = await run_import(
                session,
                stream=io.BytesIO(data),
                name="bench.csv",
                fmt=ImportFormat.UPR_INFO,
                actor="bench",
            )
        elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    assert not report.errors, report.errors[:3]
    return elapsed, report.created


async def bench(real: bytes, runs: int) -> None:
    admin = admin_url()
    large = scaled_file(real, 40_000)
    for label, data in (("real file", real), ("40,000 rows", large)):
        imports, copies, created = [], [], 0
        for _ in range(runs):
            url = await fresh_database(admin)
            empty = await fresh_database(admin)
            try:
                seconds, created = await timed_import(url, data)
                imports.append(seconds)
                copies.append(await timed_copy(url, empty))
            finally:
                await drop(admin, url)
                await drop(admin, empty)
        median_import = statistics.median(imports)
        median_copy = statistics.median(copies)
        print(
            f"{label}: {created:,} rows, import median {median_import:.3f} s "
            f"({created / median_import:,.0f} rows/s), bare COPY median {median_copy:.3f} s, "
            f"import/COPY ratio {median_import / median_copy:.2f} (runs: {runs})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=REAL_FILE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(bench(args.path.read_bytes(), args.runs))


if __name__ == "__main__":
    main()
