"""Problem titles and details in French, Spanish and Arabic, from the English the code writes.

Errors are raised in English all through the core (suivi/errors.py and the services); the API
reads them in the caller's language here, when it knows the sentence. Titles are a closed set;
details are matched whole against the sentences the API sends most, their values (ids, codes,
counts) carried over. A detail it does not know stays in English: better than a wrong sentence.
"""

import re
from collections.abc import Mapping
from functools import lru_cache

from suivi.labels import DEFAULT_LANGUAGE

Texts = Mapping[str, str]

# By the English title, compared without case: the HTTP phrases of `about:blank` problems
# ("Not Found") and the titles of suivi/errors.py ("Not found") are one entry.
_TITLES: dict[str, Texts] = {
    "bad request": {"fr": "Requête incorrecte", "es": "Solicitud incorrecta", "ar": "طلب غير صحيح"},
    "not found": {"fr": "Introuvable", "es": "No encontrado", "ar": "غير موجود"},
    "conflict": {"fr": "Conflit", "es": "Conflicto", "ar": "تعارض"},
    "authentication required": {
        "fr": "Authentification requise",
        "es": "Se requiere autenticación",
        "ar": "المصادقة مطلوبة",
    },
    "unauthorized": {"fr": "Non authentifié", "es": "No autenticado", "ar": "غير مصادق عليه"},
    "forbidden": {"fr": "Interdit", "es": "Prohibido", "ar": "محظور"},
    "method not allowed": {
        "fr": "Méthode non autorisée",
        "es": "Método no permitido",
        "ar": "الطريقة غير مسموح بها",
    },
    "not acceptable": {"fr": "Non acceptable", "es": "No aceptable", "ar": "غير مقبول"},
    "precondition failed": {
        "fr": "Précondition non remplie",
        "es": "Condición previa no cumplida",
        "ar": "الشرط المسبق غير مستوفى",
    },
    "precondition required": {
        "fr": "Précondition requise",
        "es": "Se requiere una condición previa",
        "ar": "الشرط المسبق مطلوب",
    },
    "request entity too large": {
        "fr": "Corps de requête trop volumineux",
        "es": "Cuerpo de la solicitud demasiado grande",
        "ar": "نص الطلب كبير جداً",
    },
    "unsupported media type": {
        "fr": "Type de média non pris en charge",
        "es": "Tipo de medio no admitido",
        "ar": "نوع الوسائط غير مدعوم",
    },
    "unprocessable request": {
        "fr": "Requête impossible à traiter",
        "es": "Solicitud no procesable",
        "ar": "طلب يتعذر معالجته",
    },
    "unprocessable entity": {
        "fr": "Requête impossible à traiter",
        "es": "Solicitud no procesable",
        "ar": "طلب يتعذر معالجته",
    },
    "too many requests": {
        "fr": "Trop de requêtes",
        "es": "Demasiadas solicitudes",
        "ar": "طلبات كثيرة جداً",
    },
    "invalid cursor": {"fr": "Curseur invalide", "es": "Cursor no válido", "ar": "مؤشر غير صالح"},
    "invalid parameters": {
        "fr": "Paramètres invalides",
        "es": "Parámetros no válidos",
        "ar": "معلمات غير صالحة",
    },
    "the request body is not valid json": {
        "fr": "Le corps de la requête n'est pas du JSON valide",
        "es": "El cuerpo de la solicitud no es JSON válido",
        "ar": "نص الطلب ليس JSON صالحاً",
    },
    "database unavailable": {
        "fr": "Base de données indisponible",
        "es": "Base de datos no disponible",
        "ar": "قاعدة البيانات غير متاحة",
    },
    "query took too long": {
        "fr": "Requête trop longue",
        "es": "La consulta tardó demasiado",
        "ar": "استغرق الاستعلام وقتاً طويلاً جداً",
    },
    "internal server error": {
        "fr": "Erreur interne du serveur",
        "es": "Error interno del servidor",
        "ar": "خطأ داخلي في الخادم",
    },
    "service unavailable": {
        "fr": "Service indisponible",
        "es": "Servicio no disponible",
        "ar": "الخدمة غير متاحة",
    },
}

# "No <thing> has id <n>.": how each language says there is no such thing.
_NO_SUCH: dict[str, Texts] = {
    "recommendation": {
        "fr": "Aucune recommandation n'a",
        "es": "Ninguna recomendación tiene",
        "ar": "لا توجد توصية تحمل",
    },
    "action": {"fr": "Aucune action n'a", "es": "Ninguna acción tiene", "ar": "لا يوجد إجراء يحمل"},
    "indicator": {
        "fr": "Aucun indicateur n'a",
        "es": "Ningún indicador tiene",
        "ar": "لا يوجد مؤشر يحمل",
    },
    "organisation": {
        "fr": "Aucune organisation n'a",
        "es": "Ninguna organización tiene",
        "ar": "لا توجد منظمة تحمل",
    },
    "institution": {
        "fr": "Aucune institution n'a",
        "es": "Ninguna institución tiene",
        "ar": "لا توجد مؤسسة تحمل",
    },
    "import run": {
        "fr": "Aucun import n'a",
        "es": "Ninguna importación tiene",
        "ar": "لا توجد عملية استيراد تحمل",
    },
}
_ID_SUFFIX = {"fr": " l'identifiant {id}.", "es": " el id {id}.", "ar": " المعرّف {id}."}
_ID = r"(?P<id>[0-9][0-9, ]*)"

_DETAILS: list[tuple[re.Pattern[str], Texts]] = [
    *(
        (
            re.compile(rf"No {re.escape(thing)} has id {_ID}\."),
            {lang: start + _ID_SUFFIX[lang] for lang, start in texts.items()},
        )
        for thing, texts in _NO_SUCH.items()
    ),
    (
        re.compile(r"No recommendation concerns (?P<code>\S+), and it is not an ISO 3166-1 code\."),
        {
            "fr": "Aucune recommandation ne concerne {code}, qui n'est pas un code ISO 3166-1.",
            "es": "Ninguna recomendación se refiere a {code}, que no es un código ISO 3166-1.",
            "ar": "لا توجد توصية تخص {code}، وهو ليس رمزاً من رموز ISO 3166-1.",
        },
    ),
    (
        re.compile(r"No progress update (?P<id>[0-9]+)\."),
        {
            "fr": "Aucune mise à jour d'avancement n'a l'identifiant {id}.",
            "es": "Ninguna actualización de progreso tiene el id {id}.",
            "ar": "لا يوجد تحديث للتقدم يحمل المعرّف {id}.",
        },
    ),
    (
        re.compile(
            r"The body is not UTF-8: the byte at offset (?P<offset>[0-9]+) \(counting from 0\) "
            r"cannot be decoded\."
        ),
        {
            "fr": "Le corps n'est pas en UTF-8 : l'octet à la position {offset} (à partir de 0) "
            "ne peut pas être décodé.",
            "es": "El cuerpo no está en UTF-8: el byte en la posición {offset} (contando desde 0) "
            "no se puede decodificar.",
            "ar": "النص ليس بترميز UTF-8: يتعذر فك ترميز البايت في الموضع {offset} (بدءاً من 0).",
        },
    ),
    (
        re.compile(r"The cursor is not one this API handed out\."),
        {
            "fr": "Ce curseur n'a pas été fourni par cette API.",
            "es": "Este cursor no lo ha entregado esta API.",
            "ar": "لم تُصدر واجهة البرمجة هذه هذا المؤشر.",
        },
    ),
    (
        re.compile(r"`(?P<name>[\w.]+)` is not a cursor this API handed out\."),
        {
            "fr": "`{name}` n'est pas un curseur fourni par cette API.",
            "es": "`{name}` no es un cursor entregado por esta API.",
            "ar": "`{name}` ليس مؤشراً أصدرته واجهة البرمجة هذه.",
        },
    ),
    (
        re.compile(r"The cursor continues the order (?P<old>'[^']*'), not (?P<new>'[^']*')\."),
        {
            "fr": "Le curseur poursuit l'ordre {old}, pas {new}.",
            "es": "El cursor continúa el orden {old}, no {new}.",
            "ar": "يتابع المؤشر الترتيب {old}، لا {new}.",
        },
    ),
    (
        re.compile(r"Send the API key as `Authorization: Bearer <key>`\."),
        {
            "fr": "Envoyez la clé d'API sous la forme `Authorization: Bearer <key>`.",
            "es": "Envíe la clave de API como `Authorization: Bearer <key>`.",
            "ar": "أرسل مفتاح واجهة البرمجة بالشكل `Authorization: Bearer <key>`.",
        },
    ),
    (
        re.compile(r"This operation needs an API key\."),
        {
            "fr": "Cette opération demande une clé d'API.",
            "es": "Esta operación requiere una clave de API.",
            "ar": "تتطلب هذه العملية مفتاح واجهة برمجة.",
        },
    ),
    (
        re.compile(r"The API key is not valid\."),
        {
            "fr": "La clé d'API n'est pas valide.",
            "es": "La clave de API no es válida.",
            "ar": "مفتاح واجهة البرمجة غير صالح.",
        },
    ),
    (
        re.compile(r"An? (?P<role>\w+) key may not do this\."),
        {
            "fr": "Une clé `{role}` ne permet pas de faire ceci.",
            "es": "Una clave `{role}` no permite hacer esto.",
            "ar": "لا يجيز مفتاح من نوع `{role}` القيام بهذا.",
        },
    ),
    (
        re.compile(r"Invalid value for: (?P<names>.*)"),
        {
            "fr": "Valeur invalide pour : {names}",
            "es": "Valor no válido para: {names}",
            "ar": "قيمة غير صالحة لـ: {names}",
        },
    ),
    (
        re.compile(
            r"The body is not valid JSON at line (?P<line>[0-9]+), column (?P<column>[0-9]+): "
            r"(?P<reason>.*)\."
        ),
        {
            "fr": "Le corps n'est pas du JSON valide à la ligne {line}, colonne {column} : "
            "{reason}.",
            "es": "El cuerpo no es JSON válido en la línea {line}, columna {column}: {reason}.",
            "ar": "النص ليس JSON صالحاً في السطر {line}، العمود {column}: {reason}.",
        },
    ),
    (
        re.compile(r"The request body is larger than (?P<limit>[0-9,]+) bytes\."),
        {
            "fr": "Le corps de la requête dépasse {limit} octets.",
            "es": "El cuerpo de la solicitud supera los {limit} bytes.",
            "ar": "يتجاوز نص الطلب {limit} بايت.",
        },
    ),
    (
        re.compile(r"The body nests arrays and objects deeper than (?P<levels>[0-9]+) levels\."),
        {
            "fr": "Le corps imbrique tableaux et objets sur plus de {levels} niveaux.",
            "es": "El cuerpo anida matrices y objetos a más de {levels} niveles.",
            "ar": "يتداخل في النص صفائف وكائنات بعمق يتجاوز {levels} مستوى.",
        },
    ),
    (
        re.compile(r"Too many writes from this API key; retry in (?P<seconds>[0-9]+) s\."),
        {
            "fr": "Trop d'écritures avec cette clé d'API ; réessayez dans {seconds} s.",
            "es": "Demasiadas escrituras con esta clave de API; reintente en {seconds} s.",
            "ar": "عمليات كتابة كثيرة جداً بهذا المفتاح؛ أعد المحاولة بعد {seconds} ث.",
        },
    ),
    (
        re.compile(r"Too many writes from this address; retry in (?P<seconds>[0-9]+) s\."),
        {
            "fr": "Trop d'écritures depuis cette adresse ; réessayez dans {seconds} s.",
            "es": "Demasiadas escrituras desde esta dirección; reintente en {seconds} s.",
            "ar": "عمليات كتابة كثيرة جداً من هذا العنوان؛ أعد المحاولة بعد {seconds} ث.",
        },
    ),
    (
        re.compile(
            r"The assessment is at version (?P<version>[0-9]+): read it again, then retry\."
        ),
        {
            "fr": "L'évaluation en est à la version {version} : relisez-la, puis réessayez.",
            "es": "La evaluación está en la versión {version}: vuelva a leerla y reintente.",
            "ar": "التقييم في الإصدار {version}: اقرأه مجدداً ثم أعد المحاولة.",
        },
    ),
    (
        re.compile(r"The assessment changed meanwhile: read it again, then retry\."),
        {
            "fr": "L'évaluation a changé entre-temps : relisez-la, puis réessayez.",
            "es": "La evaluación cambió entretanto: vuelva a leerla y reintente.",
            "ar": "تغيّر التقييم في الأثناء: اقرأه مجدداً ثم أعد المحاولة.",
        },
    ),
    (
        re.compile(r"The database cannot be reached; retry later\."),
        {
            "fr": "La base de données est injoignable ; réessayez plus tard.",
            "es": "No se puede acceder a la base de datos; reintente más tarde.",
            "ar": "يتعذر الوصول إلى قاعدة البيانات؛ أعد المحاولة لاحقاً.",
        },
    ),
    (
        re.compile(r"The database did not answer\."),
        {
            "fr": "La base de données n'a pas répondu.",
            "es": "La base de datos no respondió.",
            "ar": "لم تستجب قاعدة البيانات.",
        },
    ),
    (
        re.compile(r"Every database connection is busy; retry later\."),
        {
            "fr": "Toutes les connexions à la base de données sont occupées ; réessayez plus tard.",
            "es": "Todas las conexiones a la base de datos están ocupadas; reintente más tarde.",
            "ar": "جميع اتصالات قاعدة البيانات مشغولة؛ أعد المحاولة لاحقاً.",
        },
    ),
    (
        re.compile(r"The database gave up on this request; narrow it or retry later\."),
        {
            "fr": "La base de données a abandonné cette requête ; restreignez-la ou réessayez "
            "plus tard.",
            "es": "La base de datos abandonó esta solicitud; acótela o reintente más tarde.",
            "ar": "تخلّت قاعدة البيانات عن هذا الطلب؛ ضيّق نطاقه أو أعد المحاولة لاحقاً.",
        },
    ),
    (
        re.compile(r"The connection to the database was lost; retry the request\."),
        {
            "fr": "La connexion à la base de données a été perdue ; renvoyez la requête.",
            "es": "Se perdió la conexión con la base de datos; repita la solicitud.",
            "ar": "انقطع الاتصال بقاعدة البيانات؛ أعد إرسال الطلب.",
        },
    ),
]
# Details quote what the caller sent; past this length a sentence is not one of those above.
_MAX_DETAIL = 2_000


def title(text: str, language: str) -> str:
    """`text`, an English problem title, in `language`; as written when it has no translation."""
    if language == DEFAULT_LANGUAGE:
        return text
    return _TITLES.get(text.casefold(), {}).get(language, text)


@lru_cache(maxsize=1024)
def detail(text: str, language: str) -> str:
    """`text`, an English problem detail, in `language`; as written when it is not known."""
    if language == DEFAULT_LANGUAGE or len(text) > _MAX_DETAIL:
        return text
    for pattern, texts in _DETAILS:
        match = pattern.fullmatch(text)
        if match is not None:
            template = texts.get(language)
            return text if template is None else template.format(**match.groupdict())
    return text
