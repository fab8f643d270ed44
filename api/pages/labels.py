"""Labels of Suivi's codes (mechanisms, statuses, positions, relevance...) in the pages' languages.

Codes never change with the language; only what a person reads does.
"""

from api.pages import i18n
from suivi.countries import display_name

_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "mechanism": {
        "upr": {
            "en": "Universal Periodic Review",
            "fr": "Examen périodique universel",
            "ar": "الاستعراض الدوري الشامل",
        },
        "treaty_body": {
            "en": "Treaty bodies",
            "fr": "Organes conventionnels",
            "ar": "هيئات المعاهدات",
        },
        "special_procedure": {
            "en": "Special procedures",
            "fr": "Procédures spéciales",
            "ar": "الإجراءات الخاصة",
        },
    },
    "status": {
        "not_assessed": {"en": "Not assessed", "fr": "Non évaluée", "ar": "لم تُقيَّم"},
        "not_started": {"en": "Not started", "fr": "Non commencée", "ar": "لم يبدأ التنفيذ"},
        "in_progress": {"en": "In progress", "fr": "En cours", "ar": "قيد التنفيذ"},
        "partially_implemented": {
            "en": "Partially implemented",
            "fr": "Partiellement mise en œuvre",
            "ar": "نُفذت جزئياً",
        },
        "implemented": {"en": "Implemented", "fr": "Mise en œuvre", "ar": "نُفذت"},
        "not_implemented": {"en": "Not implemented", "fr": "Non mise en œuvre", "ar": "لم تُنفذ"},
        "regressed": {"en": "Regressed", "fr": "En recul", "ar": "تراجع"},
    },
    "position": {
        "supported": {"en": "Supported", "fr": "Acceptée", "ar": "مقبولة"},
        "supported_in_part": {
            "en": "Supported in part",
            "fr": "Acceptée en partie",
            "ar": "مقبولة جزئياً",
        },
        "noted": {"en": "Noted", "fr": "Prise en note", "ar": "أُحيط بها علماً"},
        "pending": {"en": "Pending", "fr": "En attente", "ar": "معلقة"},
        "pledge": {"en": "Voluntary pledge", "fr": "Engagement volontaire", "ar": "تعهد طوعي"},
    },
    "hrd": {
        "direct": {"en": "About defenders", "fr": "Concerne les défenseurs", "ar": "تخص المدافعين"},
        "related": {"en": "Civic space", "fr": "Espace civique", "ar": "الفضاء المدني"},
        "none": {"en": "Other", "fr": "Autre", "ar": "أخرى"},
    },
    "source_type": {
        "government": {"en": "Government", "fr": "Gouvernement", "ar": "الحكومة"},
        "nhri": {
            "en": "National human rights institution",
            "fr": "Institution nationale des droits de l'homme",
            "ar": "المؤسسة الوطنية لحقوق الإنسان",
        },
        "civil_society": {"en": "Civil society", "fr": "Société civile", "ar": "المجتمع المدني"},
        "un": {"en": "United Nations", "fr": "Nations Unies", "ar": "الأمم المتحدة"},
    },
    "confidentiality": {
        "public": {"en": "Public", "fr": "Publique", "ar": "علني"},
        "confidential_submitter": {
            "en": "Content public, submitter confidential",
            "fr": "Contenu public, auteur confidentiel",
            "ar": "المحتوى علني والجهة المقدِّمة سرية",
        },
        "restricted": {
            "en": "Restricted to the office",
            "fr": "Réservée au bureau",
            "ar": "مقصورة على المكتب",
        },
    },
    "review_state": {
        "submitted": {
            "en": "Awaiting review",
            "fr": "En attente d'examen",
            "ar": "بانتظار المراجعة",
        },
        "published": {"en": "Published", "fr": "Publiée", "ar": "منشورة"},
        "rejected": {"en": "Rejected", "fr": "Rejetée", "ar": "مرفوضة"},
        "retracted": {"en": "Withdrawn", "fr": "Retirée", "ar": "مسحوبة"},
    },
    "action_kind": {
        "legislation": {"en": "Legislation", "fr": "Législation", "ar": "تشريع"},
        "regulation": {"en": "Regulation", "fr": "Réglementation", "ar": "لائحة تنظيمية"},
        "policy": {"en": "Policy", "fr": "Politique", "ar": "سياسة"},
        "institution": {"en": "Institution", "fr": "Institution", "ar": "مؤسسة"},
        "budget": {"en": "Budget", "fr": "Budget", "ar": "ميزانية"},
        "judicial_decision": {
            "en": "Judicial decision",
            "fr": "Décision de justice",
            "ar": "قرار قضائي",
        },
        "investigation": {"en": "Investigation", "fr": "Enquête", "ar": "تحقيق"},
        "training": {"en": "Training", "fr": "Formation", "ar": "تدريب"},
        "other": {"en": "Other", "fr": "Autre", "ar": "أخرى"},
    },
    "action_status": {
        "planned": {"en": "Planned", "fr": "Prévue", "ar": "مخطط لها"},
        "ongoing": {"en": "Ongoing", "fr": "En cours", "ar": "جارية"},
        "completed": {"en": "Completed", "fr": "Achevée", "ar": "مكتملة"},
        "abandoned": {"en": "Abandoned", "fr": "Abandonnée", "ar": "متروكة"},
    },
}


def label(kind: str, code: str | None, language: str) -> str:
    """What a person reads for `code` of `kind` (its code itself when unknown)."""
    if code is None:
        return "—"
    texts = _LABELS.get(kind, {}).get(str(code))
    if texts is None:
        return str(code)
    return texts.get(language) or texts[i18n.DEFAULT_LANGUAGE]


def codes(kind: str) -> list[str]:
    """Every code of `kind`, in the order the pages list them."""
    return list(_LABELS[kind])


def state_name(code: str | None, language: str) -> str:
    """A State's name in `language`, from CLDR; its code when it has none."""
    if not code:
        return "—"
    try:
        return display_name(code, language)
    except ValueError:
        return code
