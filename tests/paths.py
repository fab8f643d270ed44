"""Where the tests find their fixtures and the shared real data."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
# Real exports kept beside the repository; CI always has them.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
UPR_INFO_REAL = SHARED_DATA / "upr-info" / "upr-info-sessions-1-5.csv"
