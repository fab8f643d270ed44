"""The real exports' tests: run wherever the files are, fail in CI when they are missing."""

import os
from pathlib import Path

import pytest

from tests.paths import REAL_DATA, REAL_DATA_VARIABLE

# Set by the CI runner; there, a real-data test that cannot find its file is a failure.
CI_VARIABLE = "CI"
skipped: list[str] = []


def require(path: Path) -> Path:
    """`path`, or the test skips (fails in CI) saying where the real data was looked for."""
    if path.is_file():
        return path
    message = (
        f"real data not found: {path} is missing; set {REAL_DATA_VARIABLE} to the folder of "
        "the real exports (with upr-info/ and uhri/) to run this test"
    )
    if os.environ.get(CI_VARIABLE):
        pytest.fail(message)
    skipped.append(str(path))
    pytest.skip(message)


def summary() -> str:
    """One line for the end of the run: where the real data came from, or that it was missing."""
    if skipped:
        return (
            f"real-data tests SKIPPED: {len(skipped)} test(s) found no file under {REAL_DATA}; "
            f"set {REAL_DATA_VARIABLE} to run them"
        )
    return f"real-data tests ran against {REAL_DATA}"
