"""Runtime settings, read from `SUIVI_*` environment variables."""

from functools import lru_cache
from pathlib import Path

import platformdirs
from limits import parse_many
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("suivi", appauthor=False))


class Settings(BaseSettings):
    """Every knob Suivi reads; unset means the embedded database and local defaults."""

    model_config = SettingsConfigDict(env_prefix="SUIVI_", env_ignore_empty=True, extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="postgresql+asyncpg:// URL of a real server; unset starts the embedded one.",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the embedded PostgreSQL keeps its data.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "info"
    db_pool_size: int = Field(default=20, ge=1)
    statement_timeout_ms: int = Field(default=15_000, ge=0)
    max_request_bytes: int = Field(
        default=400 * 1024 * 1024,
        ge=1,
        description="Largest request body (an uploaded export); larger ones get a 413.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins (JSON list) whose pages may read the API: dashboards, GET only.",
    )
    state_aliases_file: Path | None = Field(
        default=None,
        description="CSV file (header 'name,alpha3') of the office's own spellings of State "
        "names, read on top of the built-in names.",
    )
    rate_limit_enabled: bool = Field(
        default=True,
        description="Limit the rate of writes (POST, PUT, PATCH, DELETE on /v1/); 429 past it.",
    )
    rate_limit_key_writes: str = Field(
        default="120/minute",
        description="Writes allowed per API key (by its prefix), e.g. '120/minute' or "
        "'10/second;120/minute'; counted in each process's memory.",
    )
    rate_limit_address_writes: str = Field(
        default="300/minute",
        description="Writes allowed per client address, whatever the key; counted in memory.",
    )

    @field_validator("rate_limit_key_writes", "rate_limit_address_writes")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        # A typo must stop the server at start, not disable or break limiting later.
        parse_many(value)
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests override the FastAPI dependency instead of patching."""
    return Settings()
