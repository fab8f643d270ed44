"""Runtime settings, read from `SUIVI_*` environment variables."""

from functools import lru_cache
from pathlib import Path

import platformdirs
from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# 32 characters of a random hex string carry 128 bits: out of reach of a guess.
AUDIT_KEY_MIN_LENGTH = 32


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("suivi", appauthor=False))


class Settings(BaseSettings):
    """Every knob Suivi reads; unset means the embedded database and local defaults."""

    # An invalid value is named in errors, never shown: it may be a key or hold a password.
    model_config = SettingsConfigDict(
        env_prefix="SUIVI_", env_ignore_empty=True, extra="ignore", hide_input_in_errors=True
    )

    database_url: str | None = Field(
        default=None,
        description="postgresql+asyncpg:// URL of a real server; unset starts the embedded one.",
    )
    migration_database_url: str | None = Field(
        default=None,
        description="URL of the role that owns the schema, for migrations; unset: database_url.",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="Secret that seals audit events with HMAC-SHA256; kept outside the database.",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the embedded PostgreSQL keeps its data.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int | None = Field(
        default=None,
        ge=1,
        description="Worker processes of `suivi serve` (the --workers flag wins); unset: one per "
        "CPU. `suivi serve` sets it for the workers it starts.",
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="Addresses of the reverse proxy (comma-separated, or *) whose "
        "X-Forwarded-For and X-Forwarded-Proto `suivi serve` believes; unset: nobody's.",
    )
    log_level: str = "info"
    db_pool_size: int = Field(default=20, ge=1)
    statement_timeout_ms: int = Field(default=15_000, ge=0)
    embed_in_background: bool = Field(
        default=True,
        description="`suivi serve` computes the vectors of new and changed texts after imports, "
        "in one of its processes (`suivi embed` does it by hand).",
    )
    exact_vectors_max: int = Field(
        default=250_000,
        ge=0,
        description="Without pgvector, the most vectors of meaning each process copies into "
        "memory to search them exactly (2 KB each). Past it, search by meaning is off: `q` "
        "finds by words, `search=semantic` and `/similar` answer 409, until the server has "
        "pgvector.",
    )
    embed_poll_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How often the background embedder looks for texts waiting for a vector.",
    )
    max_request_bytes: int = Field(
        default=400 * 1024 * 1024,
        ge=1,
        description="Largest upload (POST /v1/imports, an exported file); larger ones get a 413.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1,
        description="Largest request body on every other route; larger ones get a 413.",
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
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="Where the per-key write counters live (`limits` storage URI): memory:// "
        "counts in each process; redis://host:6379 shares them between replicas.",
    )
    metrics_enabled: bool = Field(
        default=True, description="Count requests and serve Prometheus metrics."
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve the metrics on this port of SUIVI_METRICS_HOST instead of /metrics "
        "on the API's port.",
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="Interface of the metrics port (SUIVI_METRICS_PORT)."
    )
    sse_max_streams: int = Field(
        default=100,
        ge=1,
        description="Change streams (/v1/changes/stream) open at once per process; 429 past it.",
    )
    sse_max_streams_per_client: int = Field(
        default=5,
        ge=1,
        description="Change streams open at once per API key, or per client address without a "
        "key; counted in each process's memory.",
    )

    @field_validator("audit_key")
    @classmethod
    def _audit_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < AUDIT_KEY_MIN_LENGTH:
            raise ValueError(
                f"use at least {AUDIT_KEY_MIN_LENGTH} characters, e.g. the output of "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return value

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
