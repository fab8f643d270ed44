"""The embedded PostgreSQL (pgserver) used when no `SUIVI_DATABASE_URL` is set."""

import warnings
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

EMBEDDED_DATABASE = "suivi"


def _server(data_dir: Path) -> Any:
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # pgserver keeps its lock in the user runtime directory; without XDG_RUNTIME_DIR
        # (containers, CI) platformdirs falls back to /tmp and says so, which is fine here.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        # Imported here: a production process with a real server never loads pgserver.
        import pgserver

        return pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")


def embedded_database_url(data_dir: Path, database: str = EMBEDDED_DATABASE) -> str:
    """Start (or join) the embedded server in `data_dir`, create `database`, return its URL."""
    server = _server(data_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    url = make_url(server.get_uri(database)).set(drivername="postgresql+asyncpg", password=None)
    return url.render_as_string(hide_password=False)


def release_embedded(data_dir: Path) -> None:
    """Drop this process's hold on the embedded server; the last holder to leave stops it.

    Called on application shutdown because uvicorn ends a process stopped by a signal by
    re-raising that signal, and exit handlers do not run then.
    """
    _server(data_dir).cleanup()
