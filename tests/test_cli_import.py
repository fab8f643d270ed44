"""`suivi import` as a process: report, exit codes and the rejected-records file."""

import asyncio
import json
from pathlib import Path

from tests.commands import run_suivi
from tests.paths import FIXTURES

UPR_INFO = FIXTURES / "upr_info"


async def _suivi(url: str, *args: str) -> tuple[int, str, str]:
    result = await asyncio.to_thread(run_suivi, *args, database_url=url)
    return result.returncode, result.stdout, result.stderr


async def test_json_report_and_idempotent_reimport(empty_database_url: str) -> None:
    source = str(UPR_INFO / "utf8-lf.csv")

    code, out, err = await _suivi(empty_database_url, "import", source, "--json")
    again_code, again_out, _ = await _suivi(empty_database_url, "import", source, "--json")

    assert code == 0, err
    assert json.loads(out) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
        "rejected": 0,
        "errors": [],
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
    source = str(UPR_INFO / "unknown-country.csv")

    code, out, _ = await _suivi(
        empty_database_url,
        "import",
        source,
        "--skip-invalid",
        "--rejected-report",
        str(report_path),
        "--json",
    )

    assert code == 1
    assert json.loads(out)["created"] == 2
    rows = report_path.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "file,line,record,column,message"
    assert "Atlantis" in rows[1]


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
