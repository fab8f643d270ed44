"""`suivi import` as a process: report, exit codes and the rejected-records file."""

import asyncio
import csv
import io
import json
from pathlib import Path

from tests.commands import run_suivi
from tests.paths import FIXTURES

UPR_INFO = FIXTURES / "upr_info"


async def _suivi(url: str, *args: str) -> tuple[int, str, str]:
    result = await asyncio.to_thread(run_suivi, *args, database_url=url)
    return result.returncode, result.stdout, result.stderr


async def _skip_invalid(url: str, source: Path, rejected: Path, *args: str) -> tuple[int, str, str]:
    return await _suivi(
        url, "import", str(source), "--skip-invalid", "--rejected-report", str(rejected), *args
    )


async def test_json_report_and_idempotent_reimport(empty_database_url: str) -> None:
    source = str(UPR_INFO / "utf8-lf.csv")

    code, out, err = await _suivi(empty_database_url, "import", source, "--json")
    again_code, again_out, _ = await _suivi(empty_database_url, "import", source, "--json")

    assert code == 0, err
    assert json.loads(out) == {
        "status": "succeeded",
        "exit_code": 0,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
        "rejected": 0,
        "errors": [],
        "warnings": [],
        "rejected_records": [],
    }
    assert again_code == 0
    assert json.loads(again_out)["created"] == 0


async def test_invalid_row_exits_1_and_names_file_line_and_column(
    empty_database_url: str,
) -> None:
    source = str(UPR_INFO / "unknown-country.csv")

    code, _, err = await _suivi(empty_database_url, "import", source)

    assert code == 1
    assert "unknown-country.csv: line 3 [From]: unknown recommending State 'Atlantis'" in err
    assert "Nothing was committed" in err


async def test_skip_invalid_writes_the_rejected_report(
    empty_database_url: str, tmp_path: Path
) -> None:
    report_path = tmp_path / "rejected.csv"
    source = UPR_INFO / "unknown-country.csv"

    code, out, _ = await _skip_invalid(empty_database_url, source, report_path, "--json")

    assert code == 3
    assert json.loads(out)["created"] == 2
    rows = list(csv.DictReader(io.StringIO(report_path.read_text(encoding="utf-8-sig"))))
    assert [(row["To"], row["From"], row["line"], row["column"]) for row in rows] == [
        ("Tunisia", "Atlantis", "3", "From")
    ]
    assert rows[0]["message"].startswith("unknown recommending State 'Atlantis'")


async def test_usage_errors_exit_2(empty_database_url: str, tmp_path: Path) -> None:
    missing, _, _ = await _suivi(empty_database_url, "import", str(tmp_path / "nope.csv"))
    text_file = tmp_path / "report.txt"
    text_file.write_text("118.1 Protect defenders (France);\n", encoding="utf-8")
    no_symbol, _, err = await _suivi(empty_database_url, "import", str(text_file))
    bad_format, _, _ = await _suivi(
        empty_database_url, "import", str(text_file), "--format", "excel"
    )

    assert missing == 2
    assert no_symbol == 2
    assert "--symbol" in err
    assert bad_format == 2


async def test_skip_invalid_exits_3_when_some_records_were_committed(
    empty_database_url: str, tmp_path: Path
) -> None:
    source = UPR_INFO / "many-bad-cells.csv"

    code, out, _ = await _skip_invalid(
        empty_database_url, source, tmp_path / "rejected.csv", "--json"
    )

    assert code == 3
    assert json.loads(out)["exit_code"] == 3
    assert json.loads(out)["status"] == "succeeded"


async def test_skip_invalid_exits_1_when_nothing_was_committed(
    empty_database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "bad.csv"
    lines = (UPR_INFO / "many-bad-cells.csv").read_text(encoding="utf-8").splitlines()
    source.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")

    code, _, err = await _skip_invalid(empty_database_url, source, tmp_path / "rejected.csv")

    assert code == 1
    assert "every record was rejected" in err


async def test_rejected_rows_round_trip_once_fixed(empty_database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "upr.csv"
    source.write_bytes((UPR_INFO / "many-bad-cells.csv").read_bytes())
    rejected = tmp_path / "upr.csv.rejected.csv"

    first, _, _ = await _skip_invalid(empty_database_url, source, rejected)
    fixed = (
        rejected.read_text(encoding="utf-8-sig")
        .replace("Tunisie du Nord", "Tunisia")
        .replace("Atlantis", "France")
        .replace("Maybe", "Accepted")
        .replace(",9,", ",5,")
        .replace("first", "13")
    )
    rejected.write_text(fixed, encoding="utf-8")
    second, out, err = await _suivi(
        empty_database_url, "import", str(rejected), "--skip-invalid", "--json"
    )

    assert first == 3
    assert second == 0, err
    assert json.loads(out)["created"] == 1


async def test_state_alias_option_names_a_state(empty_database_url: str, tmp_path: Path) -> None:
    source = str(UPR_INFO / "unknown-country.csv")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,alpha3\nAtlantis,FRA\n", encoding="utf-8")

    flagged, _, _ = await _suivi(
        empty_database_url, "import", source, "--state-alias", "Atlantis=FRA", "--dry-run"
    )
    bad, _, bad_err = await _suivi(
        empty_database_url, "import", source, "--state-alias", "Atlantis=XXX"
    )
    result = await asyncio.to_thread(
        run_suivi,
        "import",
        source,
        "--dry-run",
        database_url=empty_database_url,
        env={"SUIVI_STATE_ALIASES_FILE": str(aliases)},
    )

    assert flagged == 0
    assert bad == 2
    assert "XXX" in bad_err
    assert result.returncode == 0, result.stderr


async def test_import_warns_once_when_the_sample_is_loaded(empty_database_url: str) -> None:
    await _suivi(empty_database_url, "demo")

    code, _, err = await _suivi(empty_database_url, "import", str(UPR_INFO / "utf8-lf.csv"))

    assert code == 0
    assert err.count("suivi demo --remove") == 1
