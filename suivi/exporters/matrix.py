"""The implementation matrix of one State, as an XLSX offices hand to the mechanisms.

One row per recommendation per theme, themes in alphabetical order and recommendations without
a theme last: a recommendation with several themes appears under each of them, so the section
of every theme is complete. The sheet opens ready to read: the header frozen and filterable,
columns sized, long text wrapped, printed landscape one page wide, right to left in Arabic.
"""

import asyncio
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import IO, Any

from models.enums import SourceType
from suivi.exporters.table import fit_cell, neutralise
from suivi.exporters.xlsx import workbook
from suivi.services.exports import MatrixAssessment, MatrixRow
from suivi.services.reference import state_name

# A narrative longer than this is cut in the matrix: the recommendation's page has it whole.
NARRATIVE_CHARS = 600


class MatrixLanguage(StrEnum):
    """The language of the matrix's headers and, where held, of the recommendations' text."""

    EN = "en"
    FR = "fr"
    ES = "es"
    AR = "ar"


COLUMNS = [
    "theme",
    "id",
    "recommendation",
    "source",
    "position",
    "themes",
    "affected_persons",
    "hrd_relevance",
    "actions",
    "status",
    "status_by_source",
    "assessments",
    "grade",
]
HEADERS: dict[MatrixLanguage, list[str]] = {
    MatrixLanguage.EN: [
        "Theme",
        "Id",
        "Recommendation",
        "Source",
        "Position",
        "Themes",
        "Affected persons",
        "Human rights defenders",
        "Actions and institutions",
        "Status",
        "Status per source",
        "Latest published assessments",
        "Grade",
    ],
    MatrixLanguage.FR: [
        "Thème",
        "Id",
        "Recommandation",
        "Source",
        "Position",
        "Thèmes",
        "Personnes concernées",
        "Défenseurs des droits humains",
        "Actions et institutions",
        "Statut",
        "Statut selon la source",
        "Dernières évaluations publiées",
        "Note",
    ],
    MatrixLanguage.ES: [
        "Tema",
        "Id",
        "Recomendación",
        "Fuente",
        "Posición",
        "Temas",
        "Personas afectadas",
        "Defensores de los derechos humanos",
        "Medidas e instituciones",
        "Situación",
        "Situación según la fuente",
        "Últimas evaluaciones publicadas",
        "Calificación",
    ],
    MatrixLanguage.AR: [
        "الموضوع",
        "الرقم",
        "التوصية",
        "المصدر",
        "الموقف",
        "المواضيع",
        "الأشخاص المعنيون",
        "المدافعون عن حقوق الإنسان",
        "الإجراءات والمؤسسات",
        "الحالة",
        "الحالة حسب المصدر",
        "أحدث التقييمات المنشورة",
        "التقدير",
    ],
}
NO_THEME = {
    MatrixLanguage.EN: "(no theme)",
    MatrixLanguage.FR: "(sans thème)",
    MatrixLanguage.ES: "(sin tema)",
    MatrixLanguage.AR: "(بدون موضوع)",
}
WIDTHS = [22, 8, 60, 30, 12, 24, 24, 13, 40, 16, 26, 50, 16]
_SOURCE_LABELS = {
    SourceType.GOVERNMENT: "Government",
    SourceType.NHRI: "NHRI",
    SourceType.CIVIL_SOCIETY: "Civil society",
    SourceType.UN: "UN",
}


def _label(value: StrEnum | None) -> str:
    return "" if value is None else value.value.replace("_", " ")


def _lines(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)


def _source(row: MatrixRow) -> str:
    where = " · ".join(
        part
        for part in (
            row.body,
            row.document_symbol or "",
            f"para. {row.paragraph}" if row.paragraph else "",
        )
        if part
    )
    when = " · ".join(
        part
        for part in (
            f"cycle {row.cycle}" if row.cycle else "",
            f"session {row.session}" if row.session else "",
            row.date.isoformat() if row.date else "",
        )
        if part
    )
    by = "; ".join(state_name(code) or code for code in row.recommending_states)
    return _lines([where, when, f"Recommended by: {by}" if by else ""])


def _actions(row: MatrixRow) -> str:
    lines = []
    for action in row.actions:
        details = [_label(action.kind), _label(action.status)]
        if action.completed_date:
            details.append(f"completed {action.completed_date.isoformat()}")
        elif action.target_date:
            details.append(f"target {action.target_date.isoformat()}")
        institution = f" — {action.institution}" if action.institution else ""
        lines.append(f"• {action.title}{institution} ({', '.join(details)})")
    return _lines(lines)


def _who(assessment: MatrixAssessment) -> str:
    # A confidential submitter's organisation is None here: only the kind of source shows.
    source = _SOURCE_LABELS[assessment.source_type]
    return f"{source} ({assessment.organisation})" if assessment.organisation else source


def _status_by_source(row: MatrixRow) -> str:
    latest = {a.source_type: a.assessed_status for a in row.assessments}
    return _lines(
        [
            f"{_SOURCE_LABELS[source]}: {_label(latest[source])}"
            for source in SourceType
            if source in latest
        ]
    )


def _assessments(row: MatrixRow) -> str:
    lines = []
    for assessment in row.assessments:
        narrative = assessment.narrative.strip()
        if len(narrative) > NARRATIVE_CHARS:
            narrative = narrative[: NARRATIVE_CHARS - 1].rstrip() + "…"
        lines.append(
            f"{assessment.as_of_date.isoformat()} · {_who(assessment)}: "
            f"{_label(assessment.assessed_status)}. {narrative}"
        )
    return "\n\n".join(lines)


def _grade(row: MatrixRow) -> str:
    if row.grade is None:
        return ""
    grade = row.grade
    return f"{grade.sub_grade or grade.grade.value} ({grade.assessor}, {grade.graded_date})"


def matrix_cells(row: MatrixRow, language: MatrixLanguage) -> list[str | int]:
    """The cells of one matrix row, in COLUMNS order, neutralised against formulas and cut
    with a marker to what an Excel cell holds."""
    texts = [
        row.theme or NO_THEME[language],
        row.text,
        _source(row),
        _label(row.position),
        "; ".join(row.themes),
        "; ".join(row.affected_persons),
        _label(row.hrd_relevance),
        _actions(row),
        _label(row.status),
        _status_by_source(row),
        _assessments(row),
        _grade(row),
    ]
    safe = [fit_cell(neutralise(text)) for text in texts]
    return [safe[0], row.id, *safe[1:]]


class _MatrixSheet:
    def __init__(self, book: Any, *, state: str, language: MatrixLanguage) -> None:
        self.book = book
        self.language = language
        self.sheet = book.add_worksheet(f"{state} matrix")
        header = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )
        self.wrapped = book.add_format({"text_wrap": True, "valign": "top"})
        self.theme = book.add_format({"text_wrap": True, "valign": "top", "bold": True})
        if language is MatrixLanguage.AR:
            self.sheet.right_to_left()
        for column, width in enumerate(WIDTHS):
            self.sheet.set_column(column, column, width)
        self.sheet.write_row(0, 0, HEADERS[language], header)
        self.sheet.freeze_panes(1, 0)
        self.sheet.set_landscape()
        self.sheet.set_paper(9)  # A4
        self.sheet.fit_to_pages(1, 0)
        self.sheet.repeat_rows(0)
        self.row = 1

    def append(self, page: list[MatrixRow]) -> None:
        for matrix_row in page:
            for column, value in enumerate(matrix_cells(matrix_row, self.language)):
                if isinstance(value, int):
                    self.sheet.write_number(self.row, column, value, self.wrapped)
                else:
                    cell_format = self.theme if column == 0 else self.wrapped
                    self.sheet.write_string(self.row, column, value, cell_format)
            self.row += 1

    def close(self) -> None:
        self.sheet.autofilter(0, 0, max(self.row - 1, 1), len(COLUMNS) - 1)
        self.book.close()


async def write_matrix(
    pages: AsyncIterator[list[MatrixRow]],
    out: IO[bytes],
    *,
    state: str,
    name: str,
    language: MatrixLanguage = MatrixLanguage.EN,
) -> int:
    """Write the matrix of the State `state` (called `name`) to `out`; the rows written."""
    sheet = _MatrixSheet(
        workbook(out, title=f"Implementation matrix: {name}"), state=state, language=language
    )
    async for page in pages:
        await asyncio.to_thread(sheet.append, page)
    await asyncio.to_thread(sheet.close)
    return sheet.row - 1
