"""The deployment: what compose.yaml says, its roles and grants run for real, and `suivi serve`
behind a reverse proxy.

Docker is not needed: the file is read as YAML, and the database side (the init script's roles,
the migrate service's own command, the runtime role serving the API) runs against the test
server with psql and the `suivi` command, as the containers would run them.
"""

import os
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from api.app import create_app
from suivi import cli
from suivi.settings import Settings, get_settings
from tests.commands import run_suivi
from tests.databases import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
INIT_SCRIPT = ROOT / "deploy" / "initdb" / "10-suivi-roles.sh"
ROLES_SQL = ROOT / "deploy" / "initdb" / "suivi-roles.psql"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
VARIABLE = re.compile(r"\$\{(\w+)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def _service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    service: dict[str, Any] = compose["services"][name]
    return service


def _url(value: str) -> URL:
    """A database URL of the file, its `${...}` interpolations replaced by a placeholder."""
    return make_url(re.sub(r"\$\{[^}]*\}", "secret", value))


def test_the_file_holds_the_database_the_migration_and_the_app(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"db", "migrate", "app"}


def test_the_database_is_postgresql_15_on_a_volume_checked_by_pg_isready(
    compose: dict[str, Any],
) -> None:
    db = _service(compose, "db")

    assert db["image"] == "postgres:15"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "ports" not in db
    assert "./deploy/initdb:/docker-entrypoint-initdb.d:ro" in db["volumes"]


def test_migrations_run_once_as_the_owner_before_the_app_starts(compose: dict[str, Any]) -> None:
    migrate, app = _service(compose, "migrate"), _service(compose, "app")

    owner = _url(migrate["environment"]["SUIVI_MIGRATION_DATABASE_URL"])
    assert owner.username == "suivi_owner"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    script = " ".join(migrate["command"])
    assert "suivi migrate" in script
    assert "suivi grants suivi_app" in script
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_app_runs_as_the_runtime_role_without_the_owners_secret(
    compose: dict[str, Any],
) -> None:
    environment = _service(compose, "app")["environment"]

    assert _url(environment["SUIVI_DATABASE_URL"]).username == "suivi_app"
    assert "SUIVI_MIGRATION_DATABASE_URL" not in environment
    assert not any("OWNER" in value or "POSTGRES" in value for value in environment.values())
    assert environment["SUIVI_AUDIT_KEY"].startswith("${SUIVI_AUDIT_KEY")


def test_the_app_is_healthy_when_ready(compose: dict[str, Any]) -> None:
    healthcheck = _service(compose, "app")["healthcheck"]

    assert "http://127.0.0.1:8000/ready" in " ".join(healthcheck["test"])


def test_only_the_api_port_is_published_and_only_on_loopback(compose: dict[str, Any]) -> None:
    app = _service(compose, "app")
    metrics_port = app["environment"]["SUIVI_METRICS_PORT"]

    assert app["ports"] == ["127.0.0.1:8000:8000"]
    assert metrics_port in app["expose"]
    assert not any(metrics_port in port for port in app["ports"])


def test_every_suivi_variable_is_a_setting(compose: dict[str, Any]) -> None:
    names = {
        name
        for service in compose["services"].values()
        for name in service.get("environment", {})
        if name.startswith("SUIVI_") and not name.endswith("_PASSWORD")
    }

    assert names
    assert {name.removeprefix("SUIVI_").lower() for name in names} <= set(Settings.model_fields)


def test_every_secret_it_reads_is_in_the_example_env_file() -> None:
    read = set(VARIABLE.findall(COMPOSE.read_text()))
    example = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    }

    assert read == example


def test_the_image_holds_every_package_and_the_postgresql_client() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [
        pattern.rstrip("*")
        for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    ]

    for package in packages:
        assert re.search(rf"^COPY {package} \./{package}$", dockerfile, re.MULTILINE), package
    # psql applies `suivi grants`; pg_dump and pg_restore serve `suivi backup` and `restore`.
    assert "postgresql-client" in dockerfile


def test_the_init_script_runs_the_roles_file() -> None:
    script = INIT_SCRIPT.read_text()

    assert os.access(INIT_SCRIPT, os.X_OK)
    assert f"/docker-entrypoint-initdb.d/{ROLES_SQL.name}" in script
    for variable in ("database", "owner_role", "owner_password", "app_role", "app_password"):
        assert f"-v {variable}=" in script


def _libpq(url: URL) -> dict[str, str]:
    """The libpq environment (psql's) of a SQLAlchemy URL."""
    env = {
        # The embedded server is reached through its socket folder, given as `?host=`.
        "PGHOST": url.host or str(url.query.get("host") or "127.0.0.1"),
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "postgres",
        "PGDATABASE": url.database or "postgres",
    }
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUIVI_", "PG"))}
    # The `suivi` command of this environment, as the image has its own on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )


async def test_the_migrate_service_leaves_a_runtime_role_that_serves_and_no_more(
    admin_url: str, compose: dict[str, Any]
) -> None:
    suffix = secrets.token_hex(4)
    owner_role, app_role = f"suivi_owner_{suffix}", f"suivi_app_{suffix}"
    owner_password, app_password = secrets.token_hex(16), secrets.token_hex(16)
    url = await create_database(admin_url, prefix="suivi_scratch")
    admin = make_url(url)
    owner = admin.set(username=owner_role, password=owner_password)
    runtime = admin.set(username=app_role, password=app_password)
    try:
        roles = _run(
            [
                "psql",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                f"database={admin.database}",
                "-v",
                f"owner_role={owner_role}",
                "-v",
                f"owner_password={owner_password}",
                "-v",
                f"app_role={app_role}",
                "-v",
                f"app_password={app_password}",
                "-f",
                str(ROLES_SQL),
            ],
            _child_env(**_libpq(admin)),
        )
        assert roles.returncode == 0, roles.stderr

        # The migrate service's own command, with this test's role names.
        *shell, script = _service(compose, "migrate")["command"]
        owner_url = owner.render_as_string(hide_password=False)
        migrated = _run(
            [*shell, script.replace("suivi_app", app_role)],
            _child_env(
                SUIVI_DATABASE_URL=owner_url,
                SUIVI_MIGRATION_DATABASE_URL=owner_url,
                **_libpq(owner),
            ),
        )
        assert migrated.returncode == 0, migrated.stderr

        # `suivi serve` first checks the schema as the runtime role, then serves.
        runtime_url = runtime.render_as_string(hide_password=False)
        checked = run_suivi("migrate", database_url=runtime_url)
        assert checked.returncode == 0, checked.stderr
        app = create_app(Settings(database_url=runtime_url))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://suivi.test"
            ) as client,
        ):
            assert (await client.get("/ready")).status_code == 200
            assert (await client.get("/v1/recommendations")).status_code == 200

        engine = create_async_engine(runtime_url)
        try:
            async with engine.connect() as connection:
                with pytest.raises(ProgrammingError, match="permission denied"):
                    await connection.execute(text("DELETE FROM audit_events"))
        finally:
            await engine.dispose()
    finally:
        await drop_database(admin_url, url)
        dropped = _run(
            [
                "psql",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f'DROP ROLE IF EXISTS "{app_role}", "{owner_role}"',
            ],
            _child_env(**_libpq(make_url(admin_url))),
        )
        assert dropped.returncode == 0, dropped.stderr


def _serve_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `suivi serve` hands uvicorn, under the environment `monkeypatch` set."""
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(cli, "_migrate", lambda: "")
    monkeypatch.setattr(uvicorn, "run", lambda *_, **options: started.append(options))
    get_settings.cache_clear()
    result = CliRunner().invoke(cli.app, ["serve"])
    assert result.exit_code == 0, result.output
    [options] = started
    return options


def test_serve_reads_no_forwarded_header_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    options = _serve_options(monkeypatch)

    assert options["proxy_headers"] is False
    assert options["access_log"] is False
    assert options["log_config"] is None


def test_serve_believes_forwarded_headers_from_the_named_proxy_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUIVI_FORWARDED_ALLOW_IPS", "10.0.0.5")
    options = _serve_options(monkeypatch)

    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.5"
