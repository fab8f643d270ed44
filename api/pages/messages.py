"""The words every page shares: the site's name, navigation, languages and footer."""

from api.pages import i18n

i18n.register(
    {
        "site.name": {"en": "Suivi", "fr": "Suivi", "es": "Suivi", "ar": "سويفي"},
        "site.skip": {
            "en": "Skip to the content",
            "fr": "Aller au contenu",
            "es": "Ir al contenido",
            "ar": "الانتقال إلى المحتوى",
        },
        "site.navigation": {"en": "Main", "fr": "Principale", "es": "Principal", "ar": "الرئيسية"},
        "site.languages": {"en": "Language", "fr": "Langue", "es": "Idioma", "ar": "اللغة"},
        "site.footer": {
            "en": "Follow-up of UN recommendations that concern human rights defenders. "
            "Everything shown here is public, as the API shows it.",
            "fr": "Suivi des recommandations de l'ONU qui concernent les défenseurs des droits "
            "de l'homme. Tout ce qui est affiché ici est public, comme l'API le montre.",
            "es": "Seguimiento de las recomendaciones de las Naciones Unidas relativas a los "
            "defensores de los derechos humanos. Todo lo que se muestra aquí es público, tal como "
            "lo muestra la API.",
            "ar": "متابعة توصيات الأمم المتحدة المتعلقة بالمدافعين عن حقوق الإنسان. "
            "كل ما يُعرض هنا علني، كما تعرضه واجهة البرمجة.",
        },
        "nav.overview": {
            "en": "Overview",
            "fr": "Vue d'ensemble",
            "es": "Panorama general",
            "ar": "نظرة عامة",
        },
        "nav.recommendations": {
            "en": "Recommendations",
            "fr": "Recommandations",
            "es": "Recomendaciones",
            "ar": "التوصيات",
        },
        "nav.submit": {
            "en": "Submit an update",
            "fr": "Soumettre un suivi",
            "es": "Enviar una actualización",
            "ar": "تقديم تحديث",
        },
        "nav.review": {"en": "Review", "fr": "Examen", "es": "Revisión", "ar": "المراجعة"},
        "nav.api": {"en": "API", "fr": "API", "es": "API", "ar": "واجهة البرمجة"},
        "error.not_found": {
            "en": "Not found",
            "fr": "Introuvable",
            "es": "No encontrado",
            "ar": "غير موجود",
        },
    }
)
