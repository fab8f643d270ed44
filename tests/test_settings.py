"""Settings come from SUIVI_* variables; empty ones count as unset."""

from pathlib import Path

import pytest

from suivi.settings import Settings


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUIVI_DATABASE_URL", "postgresql+asyncpg://db.example/suivi")

    assert Settings().database_url == "postgresql+asyncpg://db.example/suivi"


def test_empty_database_url_means_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUIVI_DATABASE_URL", "")

    assert Settings().database_url is None


def test_data_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUIVI_DATA_DIR", str(tmp_path / "elsewhere"))

    assert Settings().data_dir == tmp_path / "elsewhere"


def test_default_data_dir_is_per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUIVI_DATA_DIR", raising=False)

    assert "suivi" in str(Settings().data_dir)
