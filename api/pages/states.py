"""A State's page: its scorecard drawn as charts, its deadlines, its actions and its downloads.

The figures are those of `GET /v1/states/{code}/scorecard` (the same service), the deadlines
those of `GET /v1/deadlines?state=`, the actions those of `GET /v1/actions?state=`.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep
from api.pages import charts, i18n
from api.pages.charts import Chart, Item
from api.pages.rendering import Page, not_found, render
from models.enums import ImplementationStatus, MechanismCode, Position
from suivi.errors import NotFound
from suivi.exporters.matrix import MatrixLanguage
from suivi.services import actions, deadlines, reference, scorecard
from suivi.services.actions import ActionFilters
from suivi.services.scorecard import Scorecard

router = APIRouter()

STATE_CODE = re.compile(r"^[A-Z]{3}$")
DUE_WITHIN_DAYS = scorecard.DUE_SOON_DAYS
DEADLINES_SHOWN = 25
ACTIONS_SHOWN = 25
# The languages the matrix speaks; a page in any other links to the English matrix.
MATRIX_LANGUAGES = frozenset(language.value for language in MatrixLanguage)

_DEADLINE_KINDS = {
    "treaty_body_follow_up": (
        "Treaty-body follow-up reply",
        "Réponse de suivi à un organe conventionnel",
        "Respuesta de seguimiento a un órgano de tratado",
        "رد المتابعة إلى هيئة معاهدة",
    ),
    "upr_review": (
        "Next UPR review",
        "Prochain examen de l'EPU",
        "Próximo examen del EPU",
        "الاستعراض الدوري الشامل المقبل",
    ),
    "upr_mid_term_report": (
        "UPR mid-term report",
        "Rapport à mi-parcours de l'EPU",
        "Informe de mitad de período del EPU",
        "تقرير منتصف المدة للاستعراض الدوري الشامل",
    ),
    "action_target": (
        "Target date of a State action",
        "Date cible d'une action de l'État",
        "Fecha prevista de una medida del Estado",
        "الموعد المستهدف لإجراء الدولة",
    ),
    "indicator_report": (
        "Indicator report",
        "Rapport sur un indicateur",
        "Informe sobre un indicador",
        "تقرير عن مؤشر",
    ),
}

i18n.register(
    {
        **{
            f"states.deadline.{kind}": dict(zip(i18n.LANGUAGES, words, strict=True))
            for kind, words in _DEADLINE_KINDS.items()
        },
        "states.intro": {
            "en": "Public figures only: statuses come from published, non-restricted assessments.",
            "fr": "Chiffres publics uniquement : les états viennent des évaluations publiées "
            "et non réservées.",
            "es": "Solo cifras públicas: las situaciones proceden de evaluaciones publicadas y no "
            "reservadas.",
            "ar": "أرقام علنية فقط: الحالات مأخوذة من التقييمات المنشورة غير المقيدة.",
        },
        "states.figures": {
            "en": "Key figures",
            "fr": "Chiffres clés",
            "es": "Cifras clave",
            "ar": "أرقام رئيسية",
        },
        "states.recommendations": {
            "en": "Recommendations",
            "fr": "Recommandations",
            "es": "Recomendaciones",
            "ar": "التوصيات",
        },
        "states.overdue": {
            "en": "Past their follow-up deadline or target date",
            "fr": "Échéance de suivi ou date cible dépassée",
            "es": "Con el plazo de seguimiento o la fecha prevista vencidos",
            "ar": "تجاوزت موعد المتابعة أو الموعد المستهدف",
        },
        "states.again": {
            "en": "Recommended again, across cycles or mechanisms",
            "fr": "Recommandées à nouveau, d'un cycle ou d'un mécanisme à l'autre",
            "es": "Recomendadas de nuevo, de un ciclo o de un mecanismo a otro",
            "ar": "أُعيدت التوصية بها عبر الدورات أو الآليات",
        },
        "states.again.heading": {
            "en": "Asked longest, not yet implemented",
            "fr": "Demandées depuis le plus longtemps, pas encore mises en œuvre",
            "es": "Solicitadas desde hace más tiempo, aún sin aplicar",
            "ar": "الأقدم طلباً ولم تُنفَّذ بعد",
        },
        "states.again.intro": {
            "en": "Recommendations said again in other words; none of each group is implemented.",
            "fr": "Recommandations répétées en d'autres termes ; aucune de chaque groupe "
            "n'est mise en œuvre.",
            "es": "Recomendaciones repetidas con otras palabras; ninguna de cada grupo se ha "
            "aplicado.",
            "ar": "توصيات تكررت بعبارات أخرى، ولم تُنفَّذ أي منها في كل مجموعة.",
        },
        "states.again.since": {
            "en": "First made",
            "fr": "Première fois",
            "es": "Formulada por primera vez",
            "ar": "أول مرة",
        },
        "states.again.times": {"en": "Times", "fr": "Fois", "es": "Veces", "ar": "عدد المرات"},
        "states.again.text": {
            "en": "Recommendation",
            "fr": "Recommandation",
            "es": "Recomendación",
            "ar": "التوصية",
        },
        "states.due_soon": {
            "en": "Due within {days} days",
            "fr": "À échéance dans les {days} jours",
            "es": "Vencen en los próximos {days} días",
            "ar": "تستحق خلال {days} يوماً",
        },
        "states.implementation": {
            "en": "Implementation",
            "fr": "Mise en œuvre",
            "es": "Aplicación",
            "ar": "التنفيذ",
        },
        "states.mechanism": {
            "en": "Mechanism",
            "fr": "Mécanisme",
            "es": "Mecanismo",
            "ar": "الآلية",
        },
        "states.status.title": {
            "en": "Implementation status by mechanism",
            "fr": "État de mise en œuvre par mécanisme",
            "es": "Situación de la aplicación por mecanismo",
            "ar": "حالة التنفيذ حسب الآلية",
        },
        "states.status.description": {
            "en": "One bar per mechanism, divided by the public implementation status of the "
            "State's recommendations",
            "fr": "Une barre par mécanisme, divisée selon l'état public de mise en œuvre des "
            "recommandations adressées à l'État",
            "es": "Una barra por mecanismo, dividida según la situación pública de la aplicación "
            "de las recomendaciones dirigidas al Estado",
            "ar": "شريط لكل آلية، مقسّم حسب حالة التنفيذ العلنية للتوصيات الموجهة إلى الدولة",
        },
        "states.positions.heading": {
            "en": "The State's positions",
            "fr": "Positions de l'État",
            "es": "Posiciones del Estado",
            "ar": "مواقف الدولة",
        },
        "states.position": {"en": "Position", "fr": "Position", "es": "Posición", "ar": "الموقف"},
        "states.positions.title": {
            "en": "Recommendations by the State's position",
            "fr": "Recommandations selon la position de l'État",
            "es": "Recomendaciones según la posición del Estado",
            "ar": "التوصيات حسب موقف الدولة",
        },
        "states.positions.description": {
            "en": "Whether the State supported or noted each recommendation (the UPR asks it)",
            "fr": "Si l'État a accepté ou pris note de chaque recommandation (l'EPU le lui "
            "demande)",
            "es": "Si el Estado aceptó cada recomendación o tomó nota de ella (el EPU se lo pide)",
            "ar": "هل قبلت الدولة كل توصية أم أحاطت بها علماً (يطلب الاستعراض الدوري ذلك)",
        },
        "states.defenders.heading": {
            "en": "Human rights defenders",
            "fr": "Défenseurs des droits de l'homme",
            "es": "Defensores de los derechos humanos",
            "ar": "المدافعون عن حقوق الإنسان",
        },
        "states.defenders.total": {
            "en": "About defenders or civic space",
            "fr": "Concernant les défenseurs ou l'espace civique",
            "es": "Sobre los defensores o el espacio cívico",
            "ar": "تخص المدافعين أو الفضاء المدني",
        },
        "states.status": {"en": "Status", "fr": "État", "es": "Situación", "ar": "الحالة"},
        "states.defenders.title": {
            "en": "Recommendations about defenders or civic space, by status",
            "fr": "Recommandations concernant les défenseurs ou l'espace civique, par état",
            "es": "Recomendaciones sobre los defensores o el espacio cívico, por situación",
            "ar": "التوصيات المتعلقة بالمدافعين أو الفضاء المدني، حسب الحالة",
        },
        "states.defenders.description": {
            "en": "One bar per implementation status",
            "fr": "Une barre par état de mise en œuvre",
            "es": "Una barra por situación de la aplicación",
            "ar": "شريط لكل حالة تنفيذ",
        },
        "states.defenders.by_mechanism": {
            "en": "About defenders or civic space, by mechanism",
            "fr": "Concernant les défenseurs ou l'espace civique, par mécanisme",
            "es": "Sobre los defensores o el espacio cívico, por mecanismo",
            "ar": "المتعلقة بالمدافعين أو الفضاء المدني، حسب الآلية",
        },
        "states.trend.heading": {
            "en": "Over the years",
            "fr": "Au fil des années",
            "es": "A lo largo de los años",
            "ar": "على مر السنين",
        },
        "states.year": {"en": "Year", "fr": "Année", "es": "Año", "ar": "السنة"},
        "states.trend.title": {
            "en": "Status of the recommendations at the end of each year",
            "fr": "État des recommandations à la fin de chaque année",
            "es": "Situación de las recomendaciones al final de cada año",
            "ar": "حالة التوصيات في نهاية كل سنة",
        },
        "states.trend.description": {
            "en": "One line per status: how many of the State's dated recommendations had it "
            "on 31 December",
            "fr": "Une ligne par état : combien des recommandations datées de l'État l'avaient "
            "au 31 décembre",
            "es": "Una línea por situación: cuántas de las recomendaciones fechadas del Estado se "
            "encontraban en ella al 31 de diciembre",
            "ar": "خط لكل حالة: عدد توصيات الدولة المؤرخة التي كانت عليها في 31 ديسمبر",
        },
        "states.deadlines.heading": {
            "en": "Overdue and upcoming deadlines",
            "fr": "Échéances dépassées et à venir",
            "es": "Plazos vencidos y próximos",
            "ar": "المواعيد المتجاوزة والقادمة",
        },
        "states.deadlines.intro": {
            "en": "Everything overdue, and what falls due within {days} days, soonest first.",
            "fr": "Tout ce qui est en retard, et ce qui arrive à échéance dans les {days} "
            "jours, le plus proche d'abord.",
            "es": "Todo lo vencido, y lo que vence en los próximos {days} días, primero lo más "
            "cercano.",
            "ar": "كل ما تأخر، وما يستحق خلال {days} يوماً، الأقرب أولاً.",
        },
        "states.deadlines.none": {
            "en": "Nothing is overdue or due soon.",
            "fr": "Rien n'est en retard ni à échéance prochaine.",
            "es": "No hay nada vencido ni que venza pronto.",
            "ar": "لا شيء متأخر أو مستحق قريباً.",
        },
        "states.deadlines.more": {
            "en": "Every deadline (API)",
            "fr": "Toutes les échéances (API)",
            "es": "Todos los plazos (API)",
            "ar": "كل المواعيد (واجهة البرمجة)",
        },
        "states.due_date": {"en": "Due", "fr": "Échéance", "es": "Vencimiento", "ar": "الموعد"},
        "states.kind": {"en": "Kind", "fr": "Type", "es": "Tipo", "ar": "النوع"},
        "states.subject": {"en": "Subject", "fr": "Objet", "es": "Objeto", "ar": "الموضوع"},
        "states.when": {"en": "When", "fr": "Quand", "es": "Cuándo", "ar": "متى"},
        "states.late": {"en": "Overdue", "fr": "En retard", "es": "Vencido", "ar": "متأخر"},
        "states.upcoming": {"en": "Upcoming", "fr": "À venir", "es": "Próximo", "ar": "قادم"},
        "states.estimated": {
            "en": "estimated",
            "fr": "estimation",
            "es": "estimada",
            "ar": "تقديري",
        },
        "states.recommendation": {
            "en": "Recommendation {id}",
            "fr": "Recommandation {id}",
            "es": "Recomendación {id}",
            "ar": "التوصية {id}",
        },
        "states.actions.heading": {
            "en": "State actions",
            "fr": "Actions de l'État",
            "es": "Medidas del Estado",
            "ar": "إجراءات الدولة",
        },
        "states.actions.none": {
            "en": "No State action has been recorded.",
            "fr": "Aucune action de l'État n'a été enregistrée.",
            "es": "No se ha registrado ninguna medida del Estado.",
            "ar": "لم يُسجَّل أي إجراء للدولة.",
        },
        "states.actions.more": {
            "en": "Every action (API)",
            "fr": "Toutes les actions (API)",
            "es": "Todas las medidas (API)",
            "ar": "كل الإجراءات (واجهة البرمجة)",
        },
        "states.action": {"en": "Action", "fr": "Action", "es": "Medida", "ar": "الإجراء"},
        "states.institution": {
            "en": "Institution",
            "fr": "Institution",
            "es": "Institución",
            "ar": "المؤسسة",
        },
        "states.action_status": {"en": "Status", "fr": "État", "es": "Situación", "ar": "الحالة"},
        "states.target": {
            "en": "Target date",
            "fr": "Date cible",
            "es": "Fecha prevista",
            "ar": "الموعد المستهدف",
        },
        "states.linked": {
            "en": "Linked recommendations",
            "fr": "Recommandations liées",
            "es": "Recomendaciones vinculadas",
            "ar": "التوصيات المرتبطة",
        },
        "states.downloads.heading": {
            "en": "Downloads",
            "fr": "Téléchargements",
            "es": "Descargas",
            "ar": "التنزيلات",
        },
        "states.downloads.csv": {
            "en": "Recommendations (CSV)",
            "fr": "Recommandations (CSV)",
            "es": "Recomendaciones (CSV)",
            "ar": "التوصيات (CSV)",
        },
        "states.downloads.xlsx": {
            "en": "Recommendations (Excel)",
            "fr": "Recommandations (Excel)",
            "es": "Recomendaciones (Excel)",
            "ar": "التوصيات (Excel)",
        },
        "states.downloads.matrix": {
            "en": "Implementation matrix (Excel)",
            "fr": "Matrice de mise en œuvre (Excel)",
            "es": "Matriz de aplicación (Excel)",
            "ar": "مصفوفة التنفيذ (Excel)",
        },
        "states.downloads.matrix_defenders": {
            "en": "Implementation matrix, defenders and civic space only (Excel)",
            "fr": "Matrice de mise en œuvre, défenseurs et espace civique seulement (Excel)",
            "es": "Matriz de aplicación, solo defensores y espacio cívico (Excel)",
            "ar": "مصفوفة التنفيذ، المدافعون والفضاء المدني فقط (Excel)",
        },
        "states.downloads.scorecard": {
            "en": "These figures (JSON)",
            "fr": "Ces chiffres (JSON)",
            "es": "Estas cifras (JSON)",
            "ar": "هذه الأرقام (JSON)",
        },
        "states.not_found": {
            "en": "No recommendation concerns {code}, and it is not a State's ISO 3166-1 code.",
            "fr": "Aucune recommandation ne concerne {code}, et ce n'est pas le code ISO 3166-1 "
            "d'un État.",
            "es": "Ninguna recomendación concierne a {code}, y no es el código ISO 3166-1 de un "
            "Estado.",
            "ar": "لا توجد توصية تخص {code}، وهو ليس رمز دولة وفق المعيار ISO 3166-1.",
        },
        "states.malformed": {
            "en": "A State is named by three capital letters (ISO 3166-1 alpha-3), e.g. TUN.",
            "fr": "Un État se désigne par trois lettres majuscules (ISO 3166-1 alpha-3), par "
            "exemple TUN.",
            "es": "Un Estado se designa con tres letras mayúsculas (ISO 3166-1 alfa-3), por "
            "ejemplo TUN.",
            "ar": "يُشار إلى الدولة بثلاثة أحرف لاتينية كبيرة (ISO 3166-1 alpha-3)، مثل TUN.",
        },
        "states.no_chart": {
            "en": "A State's page has no such chart.",
            "fr": "La page d'un État n'a pas de tel graphique.",
            "es": "La página de un Estado no tiene ese gráfico.",
            "ar": "لا تحتوي صفحة الدولة على هذا الرسم البياني.",
        },
    }
)


@dataclass(frozen=True, slots=True)
class Download:
    """A file the page offers, with what it is called in the page's language."""

    href: str
    label: str


def _charts(page: Page, card: Scorecard) -> list[Chart]:
    """The scorecard drawn: status by mechanism, positions, defenders by status, the trend."""
    statuses = [
        Item(s.value, page.label("status", s), charts.STATUS_COLOURS[s.value])
        for s in ImplementationStatus
    ]
    present = {mechanism for mechanism, _ in card.by_mechanism_status}
    return [
        charts.stacked_bars(
            "status",
            title=page.t("states.status.title"),
            description=page.t("states.status.description"),
            dimension="mechanism",
            heading=page.t("states.mechanism"),
            categories=[
                Item(m.value, page.label("mechanism", m)) for m in MechanismCode if m in present
            ],
            series=statuses,
            values={(m.value, s.value): n for (m, s), n in card.by_mechanism_status.items()},
        ),
        charts.bars(
            "positions",
            title=page.t("states.positions.title"),
            description=page.t("states.positions.description"),
            dimension="position",
            heading=page.t("states.position"),
            counted=page.t("states.recommendations"),
            counts=[
                (Item(p.value, page.label("position", p)), card.positions.get(p, 0))
                for p in Position
            ],
        ),
        charts.bars(
            "defenders",
            title=page.t("states.defenders.title"),
            description=page.t("states.defenders.description"),
            dimension="status",
            heading=page.t("states.status"),
            counted=page.t("states.recommendations"),
            counts=[
                (status, card.defenders.by_status.get(ImplementationStatus(status.code), 0))
                for status in statuses
            ],
        ),
        charts.trend(
            "trend",
            title=page.t("states.trend.title"),
            description=page.t("states.trend.description"),
            dimension="year",
            heading=page.t("states.year"),
            periods=[Item(str(y.year), str(y.year)) for y in card.trend],
            series=statuses,
            values={
                (str(y.year), status.value): count
                for y in card.trend
                for status, count in y.counts.items()
            },
        ),
    ]


def _downloads(page: Page, code: str) -> list[Download]:
    # The API's own exports: their filters are the list's, and the matrix speaks `lang`.
    language = page.lang if page.lang in MATRIX_LANGUAGES else "en"
    return [
        Download(f"/v1/exports/recommendations.csv?state={code}", page.t("states.downloads.csv")),
        Download(f"/v1/exports/recommendations.xlsx?state={code}", page.t("states.downloads.xlsx")),
        Download(
            f"/v1/states/{code}/matrix.xlsx?lang={language}", page.t("states.downloads.matrix")
        ),
        Download(
            f"/v1/states/{code}/matrix.xlsx?hrd=any&lang={language}",
            page.t("states.downloads.matrix_defenders"),
        ),
        Download(f"/v1/states/{code}/scorecard", page.t("states.downloads.scorecard")),
    ]


def _not_found(request: Request, page: Page, code: str) -> HTMLResponse:
    # A malformed code is not repeated back: it could be anything at all.
    detail = (
        page.t("states.not_found", code=code)
        if STATE_CODE.match(code)
        else page.t("states.malformed")
    )
    return not_found(request, detail)


async def _scorecard(session: AsyncSession, code: str) -> Scorecard | None:
    """The State's scorecard; None for a code that is malformed or names no State."""
    if not STATE_CODE.match(code):
        return None
    try:
        return await scorecard.get(session, code=code)
    except NotFound:
        return None


@router.get("/states/{code}", response_class=HTMLResponse)
async def state_page(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    """One State's scorecard, deadlines, actions and downloads."""
    page = Page(request)
    card = await _scorecard(session, code)
    if card is None:
        return _not_found(request, page, code)
    detail = await reference.get_state(session, code=code)
    due, more_due = await deadlines.list_page(
        session,
        today=datetime.now(UTC).date(),
        within_days=DUE_WITHIN_DAYS,
        states=[code],
        kinds=(),
        limit=DEADLINES_SHOWN,
        after=None,
    )
    listed, more_actions = await actions.list_page(
        session, filters=ActionFilters(states=[code]), limit=ACTIONS_SHOWN
    )
    status, positions, defenders, trend = _charts(page, card)
    return render(
        request,
        "state.html",
        figure=charts.figure,
        code=code,
        card=card,
        detail=detail,
        status=status,
        positions=positions,
        defenders=defenders,
        trend=trend,
        due=due,
        more_due=more_due is not None,
        due_within=DUE_WITHIN_DAYS,
        actions=listed,
        more_actions=more_actions is not None,
        downloads=_downloads(page, code),
        deadline_kind=lambda kind: page.t(f"states.deadline.{kind}"),
    )


@router.get("/states/{code}/charts/{name}.csv")
async def state_chart_csv(request: Request, session: SessionDep, code: str, name: str) -> Response:
    """The numbers of one of a State's charts, as CSV."""
    page = Page(request)
    card = await _scorecard(session, code)
    if card is None:
        return _not_found(request, page, code)
    chart = next((chart for chart in _charts(page, card) if chart.name == name), None)
    if chart is None:
        return not_found(request, page.t("states.no_chart"))
    return charts.csv_download(chart, f"suivi-{code}-{chart.name}.csv")
