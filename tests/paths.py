"""Where the tests find their fixtures and the real exports kept beside the repository."""

import os
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
# Real exports, published as they are and never copied into this repository. CI always has them
# beside its clone; `SUIVI_REAL_DATA_DIR` points the suite at them from anywhere else.
REAL_DATA_VARIABLE = "SUIVI_REAL_DATA_DIR"
REAL_DATA = Path(
    os.environ.get(REAL_DATA_VARIABLE) or Path(__file__).resolve().parents[2] / "shared" / "data"
)
UPR_INFO_REAL_FILES = (
    REAL_DATA / "upr-info" / "upr-info-sessions-1-5.csv",
    REAL_DATA / "upr-info" / "upr-info-sessions-14-17.csv",
)
UPR_INFO_REAL = UPR_INFO_REAL_FILES[0]
UHRI_REAL_RECORD = REAL_DATA / "uhri" / "uhri-export-one-record.json"
