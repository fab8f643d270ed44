"""`suivi export` as an operator runs it: files written, filters honoured, usage errors."""

import asyncio
import csv
import json
from pathlib import Path
from typing import IO

import openpyxl
import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from suivi import cli, cli_export
from suivi.errors import DatabaseUnavailable
from suivi.exporters.table import COLUMNS
from tests.commands import run_suivi
from tests.paths import FIXTURES

UPR_INFO = FIXTURES / "upr_info" / "utf8-lf.csv"


def _files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


async def _suivi(url: str, *args: str) -> tuple[int, str, str]:
    result = await asyncio.to_thread(run_suivi, *args, database_url=url)
    return result.returncode, result.stdout, result.stderr


async def test_export_writes_csv_xlsx_and_json_files(
    empty_database_url: str, tmp_path: Path
) -> None:
    url = empty_database_url
    assert (await _suivi(url, "import", str(UPR_INFO)))[0] == 0
    csv_path, xlsx_path, json_path = (tmp_path / f"out.{ext}" for ext in ("csv", "xlsx", "json"))

    csv_code, _, csv_err = await _suivi(url, "export", "--format", "csv", "-o", str(csv_path))
    xlsx_code, _, _ = await _suivi(url, "export", "-o", str(xlsx_path), "--state", "tun", "--hxl")
    json_code, _, _ = await _suivi(
        url, "export", "--format", "json", "-o", str(json_path), "--hrd", "direct"
    )

    assert (csv_code, xlsx_code, json_code) == (0, 0, 0), csv_err
    assert "Exported 3 recommendations" in csv_err
    with csv_path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == COLUMNS
    assert len(rows) == 4
    sheet = openpyxl.load_workbook(xlsx_path).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "#meta+id"
    assert {row[1] for row in values[2:]} == {"TUN"}
    assert len(values) == 2 + 2
    exported = json.loads(json_path.read_text(encoding="utf-8"))
    assert (exported["format"], exported["version"]) == ("suivi", 1)
    assert [rec["hrd_relevance"] for rec in exported["recommendations"]] == ["direct"]
    assert _files(tmp_path) == ["out.csv", "out.json", "out.xlsx"]


async def test_source_format_filter_exports_the_sample_apart_from_imports(
    empty_database_url: str, tmp_path: Path
) -> None:
    url = empty_database_url
    assert (await _suivi(url, "import", str(UPR_INFO)))[0] == 0
    assert (await _suivi(url, "demo"))[0] == 0
    column = COLUMNS.index("source_format")

    def formats_in(path: Path) -> list[str]:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return [row[column] for row in list(csv.reader(stream))[1:]]

    paths = {name: tmp_path / f"{name}.csv" for name in ("sample", "both", "none")}
    sample_code, _, sample_err = await _suivi(
        url, "export", "-o", str(paths["sample"]), "--source-format", "sample"
    )
    both_code, _, _ = await _suivi(
        url,
        "export",
        "-o",
        str(paths["both"]),
        "--source-format",
        "upr_info",
        "--source-format",
        "sample",
    )
    none_code, _, _ = await _suivi(
        url, "export", "-o", str(paths["none"]), "--source-format", "un_text"
    )
    bogus_code, _, bogus_err = await _suivi(
        url, "export", "-o", str(tmp_path / "bogus.csv"), "--source-format", "bogus"
    )

    assert (sample_code, both_code, none_code, bogus_code) == (0, 0, 0, 2), sample_err
    sample = formats_in(paths["sample"])
    assert sample
    assert set(sample) == {"sample"}
    assert sorted(formats_in(paths["both"])) == sorted([*sample, *["upr_info"] * 3])
    assert formats_in(paths["none"]) == []
    assert "--source-format" in bogus_err
    assert _files(tmp_path) == ["both.csv", "none.csv", "sample.csv"]


async def test_export_usage_errors_exit_2_and_write_nothing(
    empty_database_url: str, tmp_path: Path
) -> None:
    unknown_format, _, _ = await _suivi(empty_database_url, "export", "-o", str(tmp_path / "x.ods"))
    bad_state, _, err = await _suivi(
        empty_database_url, "export", "-o", str(tmp_path / "x.csv"), "--state", "Tunisia"
    )

    assert (unknown_format, bad_state) == (2, 2)
    assert "alpha-3" in err
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    ("failure", "exit_code"),
    [
        (DatabaseUnavailable("The database went away."), 1),
        (OperationalError("SELECT", {}, OSError("server closed the connection")), 1),
        (OSError(28, "No space left on device"), 1),
        (KeyboardInterrupt(), 130),
    ],
    ids=["suivi-error", "database-error", "disk-full", "interrupted"],
)
def test_a_failed_export_leaves_no_partial_file_and_the_old_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException, exit_code: int
) -> None:
    output = tmp_path / "out.csv"
    output.write_bytes(b"the previous export")

    async def fail_halfway(out: IO[bytes], **_: object) -> int:
        out.write(b"\xef\xbb\xbfid,state\r\n1,TUN\r\n")
        out.flush()
        raise failure

    # In process: the failure is made to come after rows were written, wherever it comes from.
    monkeypatch.setattr(cli_export, "resolve_database_url", lambda _settings: "unused")
    monkeypatch.setattr(cli_export, "upgrade_database", lambda _url: None)
    monkeypatch.setattr(cli_export, "_export", fail_halfway)

    result = CliRunner().invoke(cli.app, ["export", "-o", str(output)])

    assert result.exit_code == exit_code
    # A clean exit with a message, not a traceback.
    assert isinstance(result.exception, SystemExit)
    assert _files(tmp_path) == ["out.csv"]
    assert output.read_bytes() == b"the previous export"
