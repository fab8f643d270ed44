"""Running the real `suivi` command in a child process, as an operator would."""

import os
import subprocess
import sys

SUIVI = [sys.executable, "-m", "suivi.cli"]


def command_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child `suivi` pointed at `database_url`, plus `extra` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUIVI_")}
    env["SUIVI_DATABASE_URL"] = database_url
    # A server's background embedder is tested on its own (tests/test_embed.py): elsewhere
    # it would only spend the CPU other tests measure.
    env["SUIVI_EMBED_IN_BACKGROUND"] = "false"
    env.update(extra or {})
    return env


def run_suivi(
    *args: str, database_url: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `suivi ARGS` to completion and capture what it printed."""
    return subprocess.run(
        [*SUIVI, *args],
        env=command_env(database_url, env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
