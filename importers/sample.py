"""Reads the illustrative sample shipped with Suivi (invented text, not real UN data)."""

from importlib import resources

from suivi.services.sample import SampleData

SAMPLE_FILE = "demo.json"


def read_sample() -> SampleData:
    """The packaged sample, validated; a malformed file fails here, before any write."""
    raw = resources.files("importers").joinpath("sample_data", SAMPLE_FILE).read_bytes()
    return SampleData.model_validate_json(raw)
