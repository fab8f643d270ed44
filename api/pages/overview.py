"""The overview page: recommendations by mechanism and status, defenders, what is overdue, the
latest published updates, and every State.

Counts come from the statistics summaries (as `GET /v1/stats` and `GET /v1/states` read them),
updates through the one visibility rule of `suivi.services.updates`, as the public sees them.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep
from api.pages import charts, i18n
from api.pages.charts import Chart, Item
from api.pages.rendering import Page, not_found, render
from models.enums import HrdRelevance, ImplementationStatus, MechanismCode
from suivi.reads import Reads
from suivi.services import actions, deadlines, recommendations, reference, stats, updates
from suivi.services.keys import PUBLIC
from suivi.services.recommendations import RecommendationFilters
from suivi.services.reference import StateCounts
from suivi.services.stats import Dimension
from suivi.services.updates import UpdateView

router = APIRouter()

TOP_OVERDUE = 10
LATEST_UPDATES = 8
# Long narratives are cut on the overview; the recommendation's page shows them whole.
NARRATIVE_CHARACTERS = 320
HRD_COLOURS = {"direct": "#0b5cad", "related": "#4d9de0", "none": "#9aa5b1"}

i18n.register(
    {
        "overview.title": {
            "en": "UN recommendations on human rights defenders",
            "fr": "Recommandations de l'ONU sur les défenseurs des droits de l'homme",
            "es": "Recomendaciones de las Naciones Unidas sobre los defensores de los derechos "
            "humanos",
            "ar": "توصيات الأمم المتحدة بشأن المدافعين عن حقوق الإنسان",
        },
        "overview.intro": {
            "en": "Recommendations of the Universal Periodic Review, the treaty bodies and the "
            "special procedures, which of them concern human rights defenders, and how far "
            "each State has implemented them.",
            "fr": "Les recommandations de l'Examen périodique universel, des organes "
            "conventionnels et des procédures spéciales, celles qui concernent les défenseurs "
            "des droits de l'homme, et où en est leur mise en œuvre dans chaque État.",
            "es": "Las recomendaciones del Examen Periódico Universal (EPU), los órganos de "
            "tratados y los procedimientos especiales, cuáles de ellas conciernen a los "
            "defensores de los derechos humanos y en qué medida las ha aplicado cada Estado.",
            "ar": "توصيات الاستعراض الدوري الشامل وهيئات المعاهدات والإجراءات الخاصة، وما يخص "
            "منها المدافعين عن حقوق الإنسان، ومدى تنفيذ كل دولة لها.",
        },
        "overview.figures": {
            "en": "Key figures",
            "fr": "Chiffres clés",
            "es": "Cifras clave",
            "ar": "أرقام رئيسية",
        },
        "overview.recommendations": {
            "en": "Recommendations",
            "fr": "Recommandations",
            "es": "Recomendaciones",
            "ar": "التوصيات",
        },
        "overview.states_reviewed": {
            "en": "States under review",
            "fr": "États examinés",
            "es": "Estados examinados",
            "ar": "الدول قيد الاستعراض",
        },
        "overview.mechanism": {
            "en": "Mechanism",
            "fr": "Mécanisme",
            "es": "Mecanismo",
            "ar": "الآلية",
        },
        "overview.mechanisms.heading": {
            "en": "By mechanism and implementation status",
            "fr": "Par mécanisme et état de mise en œuvre",
            "es": "Por mecanismo y situación de la aplicación",
            "ar": "حسب الآلية وحالة التنفيذ",
        },
        "overview.mechanisms.title": {
            "en": "Recommendations by mechanism",
            "fr": "Recommandations par mécanisme",
            "es": "Recomendaciones por mecanismo",
            "ar": "التوصيات حسب الآلية",
        },
        "overview.mechanisms.description": {
            "en": "One bar per UN mechanism, as long as its number of recommendations",
            "fr": "Une barre par mécanisme de l'ONU, aussi longue que son nombre de "
            "recommandations",
            "es": "Una barra por mecanismo de las Naciones Unidas, de longitud proporcional a su "
            "número de recomendaciones",
            "ar": "شريط لكل آلية من آليات الأمم المتحدة، بطول عدد توصياتها",
        },
        "overview.status.title": {
            "en": "Implementation status by mechanism",
            "fr": "État de mise en œuvre par mécanisme",
            "es": "Situación de la aplicación por mecanismo",
            "ar": "حالة التنفيذ حسب الآلية",
        },
        "overview.status.description": {
            "en": "One bar per mechanism, divided by the public implementation status of its "
            "recommendations",
            "fr": "Une barre par mécanisme, divisée selon l'état public de mise en œuvre de ses "
            "recommandations",
            "es": "Una barra por mecanismo, dividida según la situación pública de la aplicación "
            "de sus recomendaciones",
            "ar": "شريط لكل آلية، مقسّم حسب حالة التنفيذ العلنية لتوصياتها",
        },
        "overview.defenders.heading": {
            "en": "Human rights defenders",
            "fr": "Défenseurs des droits de l'homme",
            "es": "Defensores de los derechos humanos",
            "ar": "المدافعون عن حقوق الإنسان",
        },
        "overview.defenders.title": {
            "en": "Recommendations by relevance to defenders",
            "fr": "Recommandations selon leur pertinence pour les défenseurs",
            "es": "Recomendaciones según su pertinencia para los defensores",
            "ar": "التوصيات حسب صلتها بالمدافعين",
        },
        "overview.defenders.description": {
            "en": "Directly about defenders, about civic space, or neither",
            "fr": "Concernant directement les défenseurs, l'espace civique, ou ni l'un ni l'autre",
            "es": "Directamente sobre los defensores, sobre el espacio cívico o sobre ninguno de "
            "los dos",
            "ar": "تخص المدافعين مباشرة، أو تخص الفضاء المدني، أو غير ذلك",
        },
        "overview.relevance": {
            "en": "Relevance to defenders",
            "fr": "Pertinence pour les défenseurs",
            "es": "Pertinencia para los defensores",
            "ar": "الصلة بالمدافعين",
        },
        "overview.overdue.heading": {
            "en": "Most overdue follow-up",
            "fr": "Suivi le plus en retard",
            "es": "Seguimiento más atrasado",
            "ar": "أكثر المتابعات تأخراً",
        },
        "overview.overdue.intro": {
            "en": "The States with the most dates passed: treaty-body follow-up replies not "
            "yet graded, UPR reviews and mid-term reports (estimated), target dates of State "
            "actions under way and indicator reports.",
            "fr": "Les États ayant le plus d'échéances dépassées : réponses de suivi aux "
            "organes conventionnels non encore évaluées, examens et rapports à mi-parcours de "
            "l'EPU (estimés), dates cibles des actions de l'État en cours et rapports sur les "
            "indicateurs.",
            "es": "Los Estados con más plazos vencidos: respuestas de seguimiento a los órganos "
            "de tratados aún sin calificar, exámenes e informes de mitad de período del EPU "
            "(estimados), fechas previstas de medidas del Estado en curso e informes sobre "
            "indicadores.",
            "ar": "الدول التي تجاوزت أكبر عدد من المواعيد: ردود المتابعة إلى هيئات المعاهدات "
            "التي لم تُقيَّم بعد، والاستعراضات الدورية وتقارير منتصف المدة (تقديرية)، "
            "والمواعيد المستهدفة لإجراءات الدولة الجارية، وتقارير المؤشرات.",
        },
        "overview.overdue.count": {
            "en": "Overdue",
            "fr": "En retard",
            "es": "Vencidos",
            "ar": "متأخرة",
        },
        "overview.overdue.none": {
            "en": "Nothing is overdue.",
            "fr": "Aucune échéance n'est dépassée.",
            "es": "No hay ningún plazo vencido.",
            "ar": "لا يوجد أي موعد متجاوز.",
        },
        "overview.updates.heading": {
            "en": "Latest published updates",
            "fr": "Derniers suivis publiés",
            "es": "Últimas actualizaciones publicadas",
            "ar": "آخر التحديثات المنشورة",
        },
        "overview.updates.none": {
            "en": "No progress update has been published yet.",
            "fr": "Aucun suivi n'a encore été publié.",
            "es": "Aún no se ha publicado ninguna actualización sobre los avances.",
            "ar": "لم يُنشر أي تحديث بعد.",
        },
        "overview.updates.recommendation": {
            "en": "Recommendation {reference}",
            "fr": "Recommandation {reference}",
            "es": "Recomendación {reference}",
            "ar": "التوصية {reference}",
        },
        "overview.updates.paragraph": {
            "en": "{symbol}, paragraph {paragraph}",
            "fr": "{symbol}, paragraphe {paragraph}",
            "es": "{symbol}, párrafo {paragraph}",
            "ar": "{symbol}، الفقرة {paragraph}",
        },
        "overview.updates.action": {
            "en": "State action: {title}",
            "fr": "Action de l'État : {title}",
            "es": "Medida del Estado: {title}",
            "ar": "إجراء الدولة: {title}",
        },
        "overview.updates.meta": {
            "en": "Published on {published} · situation on {as_of} · from: {source}",
            "fr": "Publié le {published} · situation au {as_of} · source : {source}",
            "es": "Publicada el {published} · situación al {as_of} · fuente: {source}",
            "ar": "نُشر في {published} · الوضع في {as_of} · المصدر: {source}",
        },
        "overview.updates.assessed": {
            "en": "Assessed status",
            "fr": "État évalué",
            "es": "Situación evaluada",
            "ar": "الحالة المقيَّمة",
        },
        "overview.states.heading": {"en": "States", "fr": "États", "es": "Estados", "ar": "الدول"},
        "overview.states.caption": {
            "en": "Every State with recommendations, and how many concern defenders",
            "fr": "Chaque État ayant reçu des recommandations, et combien concernent les "
            "défenseurs",
            "es": "Cada Estado que ha recibido recomendaciones, y cuántas conciernen a los "
            "defensores",
            "ar": "كل دولة تلقت توصيات، وعدد ما يخص المدافعين منها",
        },
        "overview.state": {"en": "State", "fr": "État", "es": "Estado", "ar": "الدولة"},
        "overview.code": {"en": "Code", "fr": "Code", "es": "Código", "ar": "الرمز"},
        "overview.no_chart": {
            "en": "The overview has no such chart.",
            "fr": "La vue d'ensemble n'a pas de tel graphique.",
            "es": "El panorama general no tiene ese gráfico.",
            "ar": "لا تحتوي النظرة العامة على هذا الرسم البياني.",
        },
    }
)


@dataclass(frozen=True, slots=True)
class LatestUpdate:
    """A published update as the public sees it, with what it is about and where."""

    update: UpdateView
    state: str | None
    subject: str
    href: str | None
    narrative: str


async def _mechanism_status(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Recommendations by mechanism and status, as `GET /v1/stats?group_by=mechanism,status`."""
    counted = await stats.count_by(
        Reads.of_session(session),
        dimensions=[Dimension.MECHANISM, Dimension.STATUS],
        filters=RecommendationFilters(),
    )
    return {(str(group.values[0]), str(group.values[1])): group.count for group in counted.groups}


def _mechanism_charts(page: Page, counts: dict[tuple[str, str], int]) -> list[Chart]:
    mechanisms = [Item(code.value, page.label("mechanism", code)) for code in MechanismCode]
    statuses = [
        Item(code.value, page.label("status", code), charts.STATUS_COLOURS[code.value])
        for code in ImplementationStatus
    ]
    totals = [
        (mechanism, sum(counts.get((mechanism.code, s.code), 0) for s in statuses))
        for mechanism in mechanisms
    ]
    return [
        charts.bars(
            "mechanisms",
            title=page.t("overview.mechanisms.title"),
            description=page.t("overview.mechanisms.description"),
            dimension="mechanism",
            heading=page.t("overview.mechanism"),
            counted=page.t("overview.recommendations"),
            counts=totals,
        ),
        charts.stacked_bars(
            "status",
            title=page.t("overview.status.title"),
            description=page.t("overview.status.description"),
            dimension="mechanism",
            heading=page.t("overview.mechanism"),
            categories=mechanisms,
            series=statuses,
            values=counts,
        ),
    ]


def _defenders_chart(page: Page, states: Sequence[StateCounts]) -> Chart:
    direct = sum(state.hrd_direct for state in states)
    related = sum(state.hrd_related for state in states)
    other = sum(state.recommendations for state in states) - direct - related
    return charts.bars(
        "defenders",
        title=page.t("overview.defenders.title"),
        description=page.t("overview.defenders.description"),
        dimension="hrd",
        heading=page.t("overview.relevance"),
        counted=page.t("overview.recommendations"),
        counts=[
            (Item(code.value, page.label("hrd", code), HRD_COLOURS[code.value]), count)
            for code, count in zip(HrdRelevance, (direct, related, other), strict=True)
        ],
    )


def _sort_name(name: str) -> str:
    # Accents aside, as a reader looks a name up: Émirats among the E.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _cut(text: str) -> str:
    if len(text) <= NARRATIVE_CHARACTERS:
        return text
    return text[:NARRATIVE_CHARACTERS].rsplit(" ", 1)[0] + "…"


async def _latest_updates(session: AsyncSession, page: Page) -> list[LatestUpdate]:
    """The updates published last, each with its recommendation or action, as the public sees."""
    views = await updates.latest_published(session, caller=PUBLIC, limit=LATEST_UPDATES)
    ids = [view.recommendation_id for view in views if view.recommendation_id is not None]
    summaries = {s.id: s for s in await recommendations.summaries(session, ids=ids)}
    latest = []
    for view in views:
        state, subject, href = None, "", None
        if view.recommendation_id is not None:
            summary = summaries.get(view.recommendation_id)
            reference_text = str(view.recommendation_id)
            if summary is not None:
                state = summary.state
                if summary.document_symbol:
                    reference_text = page.t(
                        "overview.updates.paragraph",
                        symbol=summary.document_symbol,
                        paragraph=summary.paragraph or "—",
                    )
            subject = page.t("overview.updates.recommendation", reference=reference_text)
            href = page.link(f"/recommendations/{view.recommendation_id}")
        elif view.action_id is not None:
            # A handful of updates at most: one read each, as `GET /v1/actions/{id}` reads it.
            action = (await actions.get(session, action_id=view.action_id)).action
            state = action.state_code
            subject = page.t("overview.updates.action", title=action.title)
        latest.append(LatestUpdate(view, state, subject, href, _cut(view.narrative)))
    return latest


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, session: SessionDep) -> HTMLResponse:
    """The public dashboard."""
    page = Page(request)
    by_mechanism_status = await _mechanism_status(session)
    states = await reference.list_states(session)
    overdue = await deadlines.overdue_by_state(
        session, today=datetime.now(UTC).date(), limit=TOP_OVERDUE
    )
    mechanisms, status = _mechanism_charts(page, by_mechanism_status)
    return render(
        request,
        "overview.html",
        figure=charts.figure,
        total=sum(state.recommendations for state in states),
        direct=sum(state.hrd_direct for state in states),
        related=sum(state.hrd_related for state in states),
        mechanisms=mechanisms,
        status=status,
        defenders=_defenders_chart(page, states),
        overdue=overdue,
        latest=await _latest_updates(session, page),
        states=sorted(states, key=lambda state: _sort_name(page.state(state.code))),
    )


@router.get("/charts/{name}.csv")
async def overview_chart_csv(request: Request, session: SessionDep, name: str) -> Response:
    """The numbers of one of the overview's charts, as CSV."""
    page = Page(request)
    found: list[Chart] = []
    if name in ("mechanisms", "status"):
        found = _mechanism_charts(page, await _mechanism_status(session))
    elif name == "defenders":
        found = [_defenders_chart(page, await reference.list_states(session))]
    chart = next((chart for chart in found if chart.name == name), None)
    if chart is None:
        return not_found(request, page.t("overview.no_chart"))
    return charts.csv_download(chart, f"suivi-{chart.name}.csv")
