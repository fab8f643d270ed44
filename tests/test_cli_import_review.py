"""`suivi import` on messy office files: conflicts round-trip, aliases files checked."""

import asyncio
import json
from pathlib import Path

from tests.commands import run_suivi
from tests.paths import FIXTURES

HEADER = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session\n"
ROW = "Tunisia,African Group,,Protect journalists.,France,WEOG,,{response},5,Press,13\n"


async def _suivi(url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = await asyncio.to_thread(run_suivi, *args, database_url=url, env=env)
    return result.returncode, result.stdout, result.stderr


async def test_conflict_rejected_then_fixed_imports_with_the_same_command(
    empty_database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "office.csv"
    source.write_text(
        HEADER + ROW.format(response="Accepted") + ROW.format(response="Noted"), encoding="utf-8"
    )
    rejected = tmp_path / "office.csv.rejected.csv"

    first, _, _ = await _suivi(
        empty_database_url,
        "import",
        str(source),
        "--skip-invalid",
        "--rejected-report",
        str(rejected),
    )
    rejected.write_text(
        rejected.read_text(encoding="utf-8-sig").replace(",Noted,", ",Accepted,"),
        encoding="utf-8",
    )
    second, out, err = await _suivi(
        empty_database_url, "import", str(rejected), "--skip-invalid", "--json"
    )

    assert first == 3
    assert second == 0, err
    assert json.loads(out)["unchanged"] == 1


async def test_aliases_file_naming_one_spelling_twice_is_a_usage_error(
    empty_database_url: str, tmp_path: Path
) -> None:
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,alpha3\nAtlantis,FRA\n\nATLANTIS ,DEU\n", encoding="utf-8-sig")

    code, _, err = await _suivi(
        empty_database_url,
        "import",
        str(FIXTURES / "upr_info" / "unknown-country.csv"),
        "--dry-run",
        env={"SUIVI_STATE_ALIASES_FILE": str(aliases)},
    )

    assert code == 2
    assert "line 4" in err
    assert "already an alias of FRA" in err
