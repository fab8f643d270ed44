"""The words of the submitting and reviewing pages, in English, French, Spanish and Arabic."""

from api.pages import i18n

i18n.register(
    {
        "contribute.noscript": {
            "en": "This page needs JavaScript: it sends your key and your update straight from "
            "your browser to Suivi's API.",
            "fr": "Cette page a besoin de JavaScript : elle envoie votre clé et votre suivi "
            "directement de votre navigateur à l'API de Suivi.",
            "es": "Esta página necesita JavaScript: envía su clave y su actualización "
            "directamente desde su navegador a la API de Suivi.",
            "ar": "تحتاج هذه الصفحة إلى JavaScript: فهي ترسل مفتاحك وتحديثك مباشرة من متصفحك "
            "إلى واجهة برمجة سويفي.",
        },
        "contribute.key.heading": {
            "en": "Your API key",
            "fr": "Votre clé d'API",
            "es": "Su clave de API",
            "ar": "مفتاح واجهة البرمجة الخاص بك",
        },
        "contribute.key.label": {
            "en": "API key",
            "fr": "Clé d'API",
            "es": "Clave de API",
            "ar": "مفتاح واجهة البرمجة",
        },
        "contribute.key.hint": {
            "en": "Paste the key the office gave your organisation. It stays in this browser tab "
            "until you close the tab or forget it, and is sent only to this site's API, never in "
            "a link or a cookie.",
            "fr": "Collez la clé que le bureau a remise à votre organisation. Elle reste dans cet "
            "onglet du navigateur jusqu'à ce que vous le fermiez ou que vous l'oubliiez, et n'est "
            "envoyée qu'à l'API de ce site, jamais dans un lien ni dans un cookie.",
            "es": "Pegue la clave que la oficina entregó a su organización. Permanece en esta "
            "pestaña del navegador hasta que cierre la pestaña o decida borrarla, y solo se envía "
            "a la API de este sitio, nunca en un enlace ni en una cookie.",
            "ar": "الصق المفتاح الذي سلّمه المكتب إلى منظمتك. يبقى في علامة التبويب هذه من "
            "المتصفح حتى تغلقها أو تطلب نسيانه، ولا يُرسل إلا إلى واجهة برمجة هذا الموقع، ولا "
            "يوضع أبداً في رابط أو في ملف تعريف ارتباط.",
        },
        "contribute.key.save": {
            "en": "Use this key",
            "fr": "Utiliser cette clé",
            "es": "Usar esta clave",
            "ar": "استخدام هذا المفتاح",
        },
        "contribute.key.forget": {
            "en": "Forget the key",
            "fr": "Oublier la clé",
            "es": "Borrar la clave",
            "ar": "نسيان المفتاح",
        },
        "contribute.key.saved": {
            "en": "The key is kept in this tab.",
            "fr": "La clé est gardée dans cet onglet.",
            "es": "La clave se guarda en esta pestaña.",
            "ar": "المفتاح محفوظ في علامة التبويب هذه.",
        },
        "contribute.key.forgotten": {
            "en": "The key is forgotten.",
            "fr": "La clé est oubliée.",
            "es": "Se ha borrado la clave.",
            "ar": "تم نسيان المفتاح.",
        },
        "contribute.key.missing": {
            "en": "Paste your API key above first.",
            "fr": "Collez d'abord votre clé d'API ci-dessus.",
            "es": "Primero pegue su clave de API más arriba.",
            "ar": "الصق مفتاح واجهة البرمجة في الأعلى أولاً.",
        },
        "contribute.key.present": {
            "en": "A key is kept in this tab until you close it or forget the key.",
            "fr": "Une clé est gardée dans cet onglet jusqu'à ce que vous le fermiez ou que vous "
            "oubliiez la clé.",
            "es": "Esta pestaña conserva la clave hasta que la cierre o borre la clave.",
            "ar": "يوجد مفتاح محفوظ في علامة التبويب هذه حتى تغلقها أو تطلب نسيان المفتاح.",
        },
        "contribute.key.absent": {
            "en": "No key in this tab yet.",
            "fr": "Aucune clé dans cet onglet pour l'instant.",
            "es": "Todavía no hay ninguna clave en esta pestaña.",
            "ar": "لا يوجد مفتاح في علامة التبويب هذه بعد.",
        },
        "contribute.network": {
            "en": "Suivi could not be reached. Check your connection and try again.",
            "fr": "Suivi est injoignable. Vérifiez votre connexion et réessayez.",
            "es": "No se pudo conectar con Suivi. Compruebe su conexión y vuelva a intentarlo.",
            "ar": "تعذّر الوصول إلى سويفي. تحقق من اتصالك وحاول مرة أخرى.",
        },
        "contribute.refused": {
            "en": "The request was refused ({status}).",
            "fr": "La demande a été refusée ({status}).",
            "es": "Se rechazó la solicitud ({status}).",
            "ar": "رُفض الطلب ({status}).",
        },
        "contribute.loading": {
            "en": "Loading…",
            "fr": "Chargement…",
            "es": "Cargando…",
            "ar": "جارٍ التحميل…",
        },
        "contribute.refresh": {
            "en": "Refresh",
            "fr": "Actualiser",
            "es": "Actualizar",
            "ar": "تحديث القائمة",
        },
        "contribute.more": {
            "en": "Show more",
            "fr": "Afficher plus",
            "es": "Mostrar más",
            "ar": "عرض المزيد",
        },
        "contribute.update": {
            "en": "Update {id}",
            "fr": "Suivi n° {id}",
            "es": "Actualización n.º {id}",
            "ar": "التحديث رقم {id}",
        },
        "contribute.recommendation": {
            "en": "Recommendation {id}",
            "fr": "Recommandation n° {id}",
            "es": "Recomendación n.º {id}",
            "ar": "التوصية رقم {id}",
        },
        "contribute.action": {
            "en": "State action {id}",
            "fr": "Action de l'État n° {id}",
            "es": "Medida del Estado n.º {id}",
            "ar": "إجراء الدولة رقم {id}",
        },
        "contribute.field.source_type": {
            "en": "Source",
            "fr": "Source",
            "es": "Fuente",
            "ar": "المصدر",
        },
        "contribute.field.assessed_status": {
            "en": "Assessed status",
            "fr": "État évalué",
            "es": "Situación evaluada",
            "ar": "الحالة المقيَّمة",
        },
        "contribute.field.as_of_date": {
            "en": "Information as of",
            "fr": "Information à la date du",
            "es": "Información a fecha de",
            "ar": "المعلومات بتاريخ",
        },
        "contribute.field.confidentiality": {
            "en": "Who may read it",
            "fr": "Qui peut le lire",
            "es": "Quién puede leerla",
            "ar": "من يمكنه قراءته",
        },
        "contribute.field.review_state": {
            "en": "Review",
            "fr": "Examen",
            "es": "Revisión",
            "ar": "المراجعة",
        },
        "contribute.field.submitted_at": {
            "en": "Submitted",
            "fr": "Soumis le",
            "es": "Enviada el",
            "ar": "تاريخ التقديم",
        },
        "contribute.field.organisation": {
            "en": "Organisation",
            "fr": "Organisation",
            "es": "Organización",
            "ar": "المنظمة",
        },
        "contribute.field.evidence": {
            "en": "Evidence",
            "fr": "Preuves",
            "es": "Pruebas",
            "ar": "الأدلة",
        },
        "contribute.field.narrative": {
            "en": "What happened",
            "fr": "Ce qui s'est passé",
            "es": "Qué ocurrió",
            "ar": "ما الذي حدث",
        },
        "contribute.field.reason": {
            "en": "Reason for the rejection",
            "fr": "Motif du rejet",
            "es": "Motivo del rechazo",
            "ar": "سبب الرفض",
        },
        "contribute.not_named": {
            "en": "Not named",
            "fr": "Non nommée",
            "es": "Nombre no divulgado",
            "ar": "غير مسمّاة",
        },
        "contribute.none": {"en": "None", "fr": "Aucune", "es": "Ninguna", "ar": "لا شيء"},
        "submit.title": {
            "en": "Submit a progress update",
            "fr": "Soumettre un suivi",
            "es": "Enviar una actualización sobre los avances",
            "ar": "تقديم تحديث عن التقدم",
        },
        "submit.intro": {
            "en": "Tell the office what has happened to a recommendation that concerns human "
            "rights defenders. The office's staff read every update before anything is published.",
            "fr": "Informez le bureau de ce qu'il est advenu d'une recommandation qui concerne les "
            "défenseurs des droits de l'homme. Le personnel du bureau lit chaque suivi avant "
            "toute publication.",
            "es": "Informe a la oficina de lo ocurrido con una recomendación relativa a los "
            "defensores de los derechos humanos. El personal de la oficina lee cada actualización "
            "antes de que se publique nada.",
            "ar": "أخبر المكتب بما آلت إليه توصية تتعلق بالمدافعين عن حقوق الإنسان. يقرأ موظفو "
            "المكتب كل تحديث قبل نشر أي شيء.",
        },
        "submit.find.heading": {
            "en": "1. Find the recommendation",
            "fr": "1. Trouver la recommandation",
            "es": "1. Buscar la recomendación",
            "ar": "1. ابحث عن التوصية",
        },
        "submit.find.label": {
            "en": "Words from the recommendation",
            "fr": "Mots de la recommandation",
            "es": "Palabras de la recomendación",
            "ar": "كلمات من التوصية",
        },
        "submit.find.hint": {
            "en": "In English, French, Spanish or Arabic; the first ten matches are listed. If "
            "you know its number, enter it in the form below.",
            "fr": "En anglais, français, espagnol ou arabe ; les dix premiers résultats sont "
            "listés. Si vous connaissez son numéro, saisissez-le dans le formulaire ci-dessous.",
            "es": "En inglés, francés, español o árabe; se muestran los diez primeros resultados. "
            "Si conoce su número, introdúzcalo en el formulario de abajo.",
            "ar": "بالإنجليزية أو الفرنسية أو الإسبانية أو العربية؛ تُعرض أول عشر نتائج. إذا "
            "كنت تعرف رقمها فأدخله في الاستمارة أدناه.",
        },
        "submit.find.button": {"en": "Search", "fr": "Rechercher", "es": "Buscar", "ar": "بحث"},
        "submit.find.none": {
            "en": "No recommendation matches.",
            "fr": "Aucune recommandation ne correspond.",
            "es": "Ninguna recomendación coincide.",
            "ar": "لا توجد توصية مطابقة.",
        },
        "submit.find.count": {
            "en": "Recommendations found: {count}.",
            "fr": "Recommandations trouvées : {count}.",
            "es": "Recomendaciones encontradas: {count}.",
            "ar": "التوصيات التي عُثر عليها: {count}.",
        },
        "submit.find.choose": {
            "en": "Choose recommendation {id}",
            "fr": "Choisir la recommandation n° {id}",
            "es": "Elegir la recomendación n.º {id}",
            "ar": "اختيار التوصية رقم {id}",
        },
        "submit.find.chosen": {
            "en": "Recommendation {id} chosen.",
            "fr": "Recommandation n° {id} choisie.",
            "es": "Se ha elegido la recomendación n.º {id}.",
            "ar": "تم اختيار التوصية رقم {id}.",
        },
        "submit.form.heading": {
            "en": "2. Your update",
            "fr": "2. Votre suivi",
            "es": "2. Su actualización",
            "ar": "2. تحديثك",
        },
        "submit.recommendation.label": {
            "en": "Recommendation number",
            "fr": "Numéro de la recommandation",
            "es": "Número de la recomendación",
            "ar": "رقم التوصية",
        },
        "submit.source_type.label": {
            "en": "Your organisation speaks as",
            "fr": "Votre organisation s'exprime en tant que",
            "es": "Su organización interviene en calidad de",
            "ar": "تتحدث منظمتك بصفتها",
        },
        "submit.source_type.hint": {
            "en": "It must fit your organisation: civil society organisations submit as civil "
            "society, national human rights institutions as such, and State focal points as "
            "government.",
            "fr": "Elle doit correspondre à votre organisation : les organisations de la société "
            "civile soumettent en tant que société civile, les institutions nationales des droits "
            "de l'homme en tant que telles, et les points focaux de l'État en tant que "
            "gouvernement.",
            "es": "Debe corresponder a su organización: las organizaciones de la sociedad civil "
            "envían como sociedad civil, las instituciones nacionales de derechos humanos como "
            "tales, y los puntos focales del Estado como gobierno.",
            "ar": "يجب أن تتوافق مع منظمتك: تقدّم منظمات المجتمع المدني بصفة المجتمع المدني، "
            "والمؤسسات الوطنية لحقوق الإنسان بصفتها هذه، وجهات التنسيق الحكومية بصفة الحكومة.",
        },
        "submit.status.label": {
            "en": "Your assessment of its implementation",
            "fr": "Votre évaluation de sa mise en œuvre",
            "es": "Su evaluación de la aplicación",
            "ar": "تقييمك لتنفيذها",
        },
        "submit.choose": {"en": "Choose…", "fr": "Choisir…", "es": "Elija…", "ar": "اختر…"},
        "submit.narrative.label": {
            "en": "What happened",
            "fr": "Ce qui s'est passé",
            "es": "Qué ocurrió",
            "ar": "ما الذي حدث",
        },
        "submit.narrative.hint": {
            "en": "Facts, dates and places, in your own words. Do not name people who could be "
            "put at risk.",
            "fr": "Des faits, des dates et des lieux, avec vos propres mots. Ne nommez pas de "
            "personnes qui pourraient être mises en danger.",
            "es": "Hechos, fechas y lugares, con sus propias palabras. No nombre a personas que "
            "podrían correr peligro.",
            "ar": "وقائع وتواريخ وأماكن، بكلماتك الخاصة. لا تذكر أسماء أشخاص قد يتعرضون للخطر.",
        },
        "submit.evidence.label": {
            "en": "Links to evidence",
            "fr": "Liens vers des preuves",
            "es": "Enlaces a pruebas",
            "ar": "روابط إلى الأدلة",
        },
        "submit.evidence.hint": {
            "en": "Optional: one web address (http or https) per line.",
            "fr": "Facultatif : une adresse web (http ou https) par ligne.",
            "es": "Opcional: una dirección web (http o https) por línea.",
            "ar": "اختياري: عنوان ويب واحد (http أو https) في كل سطر.",
        },
        "submit.as_of.label": {
            "en": "Date the information refers to",
            "fr": "Date à laquelle se rapporte l'information",
            "es": "Fecha a la que se refiere la información",
            "ar": "التاريخ الذي تشير إليه المعلومات",
        },
        "submit.as_of.hint": {
            "en": "Not in the future.",
            "fr": "Pas dans le futur.",
            "es": "No puede ser una fecha futura.",
            "ar": "لا يجوز أن يكون في المستقبل.",
        },
        "submit.confidentiality.legend": {
            "en": "Who may read your update",
            "fr": "Qui peut lire votre suivi",
            "es": "Quién puede leer su actualización",
            "ar": "من يمكنه قراءة تحديثك",
        },
        "submit.confidentiality.public": {
            "en": "Your update may be published, and your organisation is named with it.",
            "fr": "Votre suivi peut être publié, et votre organisation est nommée avec lui.",
            "es": "Su actualización puede publicarse, junto con el nombre de su organización.",
            "ar": "قد يُنشر تحديثك، ويُذكر اسم منظمتك معه.",
        },
        "submit.confidentiality.confidential_submitter": {
            "en": "The content of your update may be published; your organisation is known to "
            "the office's staff only and is never named.",
            "fr": "Le contenu de votre suivi peut être publié ; votre organisation n'est connue "
            "que du personnel du bureau et n'est jamais nommée.",
            "es": "El contenido de su actualización puede publicarse; solo el personal de la "
            "oficina sabrá qué organización la envió, y su nombre nunca se publicará.",
            "ar": "قد يُنشر محتوى تحديثك؛ أما منظمتك فلا يعرفها إلا موظفو المكتب ولا يُذكر "
            "اسمها أبداً.",
        },
        "submit.confidentiality.restricted": {
            "en": "Only the office's staff will read it; it is never published.",
            "fr": "Seul le personnel du bureau le lira ; il n'est jamais publié.",
            "es": "Solo la leerá el personal de la oficina; nunca se publica.",
            "ar": "لن يقرأه إلا موظفو المكتب؛ ولا يُنشر أبداً.",
        },
        "submit.button": {
            "en": "Submit the update",
            "fr": "Soumettre le suivi",
            "es": "Enviar la actualización",
            "ar": "تقديم التحديث",
        },
        "submit.sending": {
            "en": "Sending…",
            "fr": "Envoi…",
            "es": "Enviando…",
            "ar": "جارٍ الإرسال…",
        },
        "submit.submitted": {
            "en": "Update {id} submitted. It awaits review by the office's staff.",
            "fr": "Suivi n° {id} soumis. Il attend l'examen du personnel du bureau.",
            "es": "Actualización n.º {id} enviada. Queda pendiente de revisión por el personal de "
            "la oficina.",
            "ar": "تم تقديم التحديث رقم {id}. وهو بانتظار مراجعة موظفي المكتب.",
        },
        "submit.mine.heading": {
            "en": "3. Your organisation's submissions",
            "fr": "3. Les suivis soumis par votre organisation",
            "es": "3. Los envíos de su organización",
            "ar": "3. ما قدّمته منظمتك",
        },
        "submit.mine.hint": {
            "en": "Every update your organisation submitted, oldest first, with its review. You "
            "may withdraw one that still awaits review.",
            "fr": "Chaque suivi soumis par votre organisation, du plus ancien au plus récent, "
            "avec son examen. Vous pouvez retirer celui qui attend encore l'examen.",
            "es": "Cada actualización enviada por su organización, de la más antigua a la más "
            "reciente, con su revisión. Puede retirar una que siga pendiente de revisión.",
            "ar": "كل تحديث قدّمته منظمتك، من الأقدم إلى الأحدث، مع نتيجة مراجعته. يمكنك سحب "
            "أي تحديث لا يزال بانتظار المراجعة.",
        },
        "submit.mine.none": {
            "en": "Your organisation has submitted no update yet.",
            "fr": "Votre organisation n'a encore soumis aucun suivi.",
            "es": "Su organización aún no ha enviado ninguna actualización.",
            "ar": "لم تقدّم منظمتك أي تحديث بعد.",
        },
        "submit.mine.count": {
            "en": "Submissions shown: {count}.",
            "fr": "Suivis affichés : {count}.",
            "es": "Envíos mostrados: {count}.",
            "ar": "التحديثات المعروضة: {count}.",
        },
        "submit.withdraw": {
            "en": "Withdraw update {id}",
            "fr": "Retirer le suivi n° {id}",
            "es": "Retirar la actualización n.º {id}",
            "ar": "سحب التحديث رقم {id}",
        },
        "submit.withdrawn": {
            "en": "Update {id} withdrawn.",
            "fr": "Suivi n° {id} retiré.",
            "es": "Actualización n.º {id} retirada.",
            "ar": "تم سحب التحديث رقم {id}.",
        },
        "review.title": {
            "en": "Review progress updates",
            "fr": "Examiner les suivis",
            "es": "Revisar las actualizaciones sobre los avances",
            "ar": "مراجعة تحديثات التقدم",
        },
        "review.intro": {
            "en": "For the office's staff: read each update awaiting review, then publish it, or "
            "reject it with a reason its submitter will read. A staff key is needed.",
            "fr": "Pour le personnel du bureau : lisez chaque suivi en attente d'examen, puis "
            "publiez-le, ou rejetez-le avec un motif que son auteur lira. Une clé du personnel "
            "est nécessaire.",
            "es": "Para el personal de la oficina: lea cada actualización pendiente de revisión y "
            "luego publíquela, o recházela indicando un motivo que leerá quien la envió. Se "
            "necesita una clave del personal.",
            "ar": "لموظفي المكتب: اقرأ كل تحديث بانتظار المراجعة، ثم انشره أو ارفضه مع ذكر سبب "
            "ستقرؤه الجهة التي قدّمته. يلزم مفتاح خاص بالموظفين.",
        },
        "review.queue.heading": {
            "en": "Awaiting review",
            "fr": "En attente d'examen",
            "es": "Pendientes de revisión",
            "ar": "بانتظار المراجعة",
        },
        "review.queue.none": {
            "en": "No update awaits review.",
            "fr": "Aucun suivi n'attend d'examen.",
            "es": "No hay ninguna actualización pendiente de revisión.",
            "ar": "لا يوجد تحديث بانتظار المراجعة.",
        },
        "review.queue.count": {
            "en": "Updates awaiting review shown: {count}.",
            "fr": "Suivis en attente d'examen affichés : {count}.",
            "es": "Actualizaciones pendientes de revisión mostradas: {count}.",
            "ar": "التحديثات المعروضة بانتظار المراجعة: {count}.",
        },
        "review.publish": {
            "en": "Publish update {id}",
            "fr": "Publier le suivi n° {id}",
            "es": "Publicar la actualización n.º {id}",
            "ar": "نشر التحديث رقم {id}",
        },
        "review.reject": {
            "en": "Reject update {id}",
            "fr": "Rejeter le suivi n° {id}",
            "es": "Rechazar la actualización n.º {id}",
            "ar": "رفض التحديث رقم {id}",
        },
        "review.reason": {
            "en": "Reason for rejecting update {id} (its submitter reads it)",
            "fr": "Motif du rejet du suivi n° {id} (son auteur le lira)",
            "es": "Motivo del rechazo de la actualización n.º {id} (lo leerá quien la envió)",
            "ar": "سبب رفض التحديث رقم {id} (ستقرؤه الجهة التي قدّمته)",
        },
        "review.published": {
            "en": "Update {id} published.",
            "fr": "Suivi n° {id} publié.",
            "es": "Actualización n.º {id} publicada.",
            "ar": "تم نشر التحديث رقم {id}.",
        },
        "review.rejected": {
            "en": "Update {id} rejected; its submitter will read the reason.",
            "fr": "Suivi n° {id} rejeté ; son auteur lira le motif.",
            "es": "Actualización n.º {id} rechazada; quien la envió leerá el motivo.",
            "ar": "تم رفض التحديث رقم {id}؛ وستقرأ الجهة التي قدّمته السبب.",
        },
    }
)
