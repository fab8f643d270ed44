"""Tests for the classifier that decides whether a recommendation concerns defenders."""

import pytest

from models.enums import HrdRelevance
from suivi.relevance import classify

DIRECT = HrdRelevance.DIRECT
RELATED = HrdRelevance.RELATED
NONE = HrdRelevance.NONE


def text_matches(reasons: list[dict[str, str]]) -> list[str]:
    return [reason["match"] for reason in reasons if reason["source"] == "text"]


@pytest.mark.parametrize(
    "tag", ["Human rights defenders", "HUMAN RIGHTS DEFENDERS", "human rights defenders "]
)
def test_defenders_tag_makes_direct_whatever_its_case(tag: str) -> None:
    assert classify("Improve road safety.", language="en", tags=[tag]) == (
        DIRECT,
        [{"source": "tag", "match": tag}],
    )


@pytest.mark.parametrize(
    "tag",
    [
        "Civil society",
        "Freedom of the press",
        "NHRI",
        "National human rights institution (NHRI)",
        "Freedom of association and peaceful assembly",
        "Freedom of association",
        "Freedom of peaceful assembly",
        "Freedom of opinion and expression",
        "Journalists & media workers",
        "Lawyers",
    ],
)
def test_civic_space_tag_makes_related(tag: str) -> None:
    assert classify("Improve road safety.", language="en", tags=[tag]) == (
        RELATED,
        [{"source": "tag", "match": tag}],
    )


@pytest.mark.parametrize(
    "tag", ["Special procedures", "Freedom of religion and belief", "Right to food", "Judges"]
)
def test_other_tags_make_none(tag: str) -> None:
    assert classify("Improve road safety.", language="en", tags=[tag]) == (NONE, [])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Protect human rights defenders from attacks.", "human rights defenders"),
        ("Protect women human rights defenders.", "women human rights defenders"),
        ("Support women's rights defenders in rural areas.", "women's rights defenders"),
        ("Release the detained human rights defender.", "human rights defender"),
        ("Ensure the safety of human-rights defenders.", "human-rights defenders"),
        ("Protect defenders of human rights.", "defenders of human rights"),
        ("Protect defenders of the rights of women.", "defenders of the rights of women"),
        ("Protect land rights defenders.", "rights defenders"),
        ("Protect environmental defenders.", "environmental defenders"),
        ("Stop the harassment of human rights activists.", "human rights activists"),
        ("Protect persons who promote human rights.", "persons who promote human rights"),
        ("Protect individuals who defend human rights.", "individuals who defend human rights"),
        (
            "Support those who work to protect human rights.",
            "those who work to protect human rights",
        ),
        ("Protect people working to defend human rights.", "people working to defend human rights"),
        (
            "Recognise individuals, groups and organs of society that promote rights.",
            "individuals, groups and organs of society",
        ),
        ("Adopt a protection protocol for HRDs.", "HRDs"),
    ],
)
def test_english_defender_wording_is_direct(text: str, match: str) -> None:
    relevance, reasons = classify(text, language="en", tags=())
    assert relevance is DIRECT
    assert text_matches(reasons)[0] == match


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "Protéger les défenseurs des droits de l'homme contre les menaces.",
            "défenseurs des droits de l'homme",
        ),
        (
            "Protéger les défenseurs des droits de l\u2019homme.",
            "défenseurs des droits de l\u2019homme",
        ),
        ("Soutenir les défenseuses des droits humains.", "défenseuses des droits humains"),
        (
            "Protéger les défenseuses et défenseurs des droits humains.",
            "défenseuses et défenseurs des droits humains",
        ),
        ("Protéger les défenseurs des droits des femmes.", "défenseurs des droits des femmes"),
        ("Libérer les militants des droits de l'homme.", "militants des droits de l'homme"),
        (
            "Protéger les personnes qui défendent les droits de l'homme.",
            "personnes qui défendent les droits de l'homme",
        ),
    ],
)
def test_french_defender_wording_is_direct(text: str, match: str) -> None:
    relevance, reasons = classify(text, language="fr", tags=())
    assert relevance is DIRECT
    assert text_matches(reasons)[0] == match


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "Proteger a los defensores de derechos humanos.",
            "defensores de derechos humanos",
        ),
        (
            "Proteger a las defensoras de los derechos humanos.",
            "defensoras de los derechos humanos",
        ),
        (
            "Proteger a las defensoras y defensores de derechos humanos.",
            "defensoras y defensores de derechos humanos",
        ),
        (
            "Proteger a los defensores de los derechos de las mujeres.",
            "defensores de los derechos de las mujeres",
        ),
        ("Liberar a los activistas de derechos humanos.", "activistas de derechos humanos"),
        (
            "Proteger a las personas que defienden los derechos humanos.",
            "personas que defienden los derechos humanos",
        ),
    ],
)
def test_spanish_defender_wording_is_direct(text: str, match: str) -> None:
    relevance, reasons = classify(text, language="es", tags=())
    assert relevance is DIRECT
    assert text_matches(reasons)[0] == match


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("حماية المدافعين عن حقوق الإنسان", "المدافعين عن حقوق الإنسان"),
        ("حماية المدافعات عن حقوق الإنسان", "المدافعات عن حقوق الإنسان"),
        ("توفير الحماية للمدافعين عن حقوق الإنسان", "للمدافعين عن حقوق الإنسان"),
        (
            "حماية المدافعين والمدافعات عن حقوق الإنسان",
            "المدافعين والمدافعات عن حقوق الإنسان",
        ),
        ("حماية الناشطين في مجال حقوق الإنسان", "الناشطين في مجال حقوق الإنسان"),
    ],
)
def test_arabic_defender_wording_is_direct(text: str, match: str) -> None:
    relevance, reasons = classify(text, language="ar", tags=())
    assert relevance is DIRECT
    assert text_matches(reasons)[0] == match


@pytest.mark.parametrize(
    "words",
    [
        "المدافعين عن حقوق الانسان",  # bare alif for hamza
        "المدافعين عن حقوق آلإنسان",  # alif madda
        "المُدافِعين عن حُقُوق الإِنسان",  # diacritics
        "المـدافعين عن حقوق الإنسان",  # tatweel
        "الناشطين فى مجال حقوق الإنسان",  # alif maqsura for ya
    ],
)
def test_arabic_letter_variants_and_diacritics_still_match(words: str) -> None:
    assert classify(f"حماية {words} في كل مكان", language="ar", tags=()) == (
        DIRECT,
        [{"source": "text", "match": words}],
    )


def test_arabic_ta_marbuta_written_as_ha_still_matches() -> None:
    relevance, reasons = classify("ضمان حريه التعبير", language="ar", tags=())
    assert (relevance, text_matches(reasons)) == (RELATED, ["حريه التعبير"])


@pytest.mark.parametrize(
    ("language", "text", "match"),
    [
        ("en", "Protect journalists from violence.", "journalists"),
        ("en", "Investigate attacks on media workers.", "media workers"),
        ("en", "Guarantee the independence of lawyers.", "lawyers"),
        ("en", "Consult civil society on the plan.", "civil society"),
        ("en", "Simplify the registration of NGOs.", "NGOs"),
        ("en", "Consult non-governmental organizations.", "non-governmental organizations"),
        ("en", "Prevent reprisals against witnesses.", "reprisals"),
        (
            "en",
            "End intimidation of those who cooperate with the United Nations.",
            "intimidation of those who cooperate with the United Nations",
        ),
        ("en", "Respect freedom of association.", "freedom of association"),
        ("en", "Respect freedom of peaceful assembly.", "freedom of peaceful assembly"),
        ("en", "Respect the right to peaceful assembly.", "right to peaceful assembly"),
        ("en", "Guarantee freedom of opinion and expression.", "freedom of opinion and expression"),
        ("en", "Guarantee freedom of the press.", "freedom of the press"),
        ("en", "Decriminalise defamation.", "defamation"),
        (
            "en",
            "Strengthen the national human rights institution.",
            "national human rights institution",
        ),
        ("en", "Give the NHRI an adequate budget.", "NHRI"),
        ("en", "Comply with the Paris Principles.", "Paris Principles"),
        ("fr", "Protéger les journalistes.", "journalistes"),
        ("fr", "Protéger les avocats.", "avocats"),
        ("fr", "Associer la société civile.", "société civile"),
        (
            "fr",
            "Consulter les organisations non gouvernementales.",
            "organisations non gouvernementales",
        ),
        ("fr", "Prévenir les représailles.", "représailles"),
        ("fr", "Garantir la liberté d'association.", "liberté d'association"),
        ("fr", "Garantir la liberté de réunion pacifique.", "liberté de réunion pacifique"),
        ("fr", "Garantir la liberté d\u2019expression.", "liberté d\u2019expression"),
        ("fr", "Garantir la liberté de la presse.", "liberté de la presse"),
        (
            "fr",
            "Créer une institution nationale des droits de l'homme.",
            "institution nationale des droits de l'homme",
        ),
        ("es", "Proteger a los periodistas.", "periodistas"),
        ("es", "Proteger a los abogados.", "abogados"),
        ("es", "Consultar a la sociedad civil.", "sociedad civil"),
        ("es", "Consultar a las ONG.", "ONG"),
        ("es", "Prevenir las represalias.", "represalias"),
        ("es", "Garantizar la libertad de asociación.", "libertad de asociación"),
        ("es", "Garantizar la libertad de reunión pacífica.", "libertad de reunión pacífica"),
        ("es", "Garantizar la libertad de expresión.", "libertad de expresión"),
        ("es", "Garantizar la libertad de prensa.", "libertad de prensa"),
        (
            "es",
            "Fortalecer la institución nacional de derechos humanos.",
            "institución nacional de derechos humanos",
        ),
        ("ar", "حماية الصحفيين", "الصحفيين"),
        ("ar", "حماية المحامين", "المحامين"),
        ("ar", "التشاور مع المجتمع المدني", "المجتمع المدني"),
        ("ar", "دعم المنظمات غير الحكومية", "المنظمات غير الحكومية"),
        ("ar", "منع الأعمال الانتقامية", "الانتقامية"),
        ("ar", "ضمان حرية تكوين الجمعيات", "حرية تكوين الجمعيات"),
        ("ar", "ضمان حرية التجمع السلمي", "حرية التجمع السلمي"),
        ("ar", "ضمان حرية التعبير", "حرية التعبير"),
        ("ar", "ضمان حرية الصحافة", "حرية الصحافة"),
        ("ar", "تعزيز المؤسسة الوطنية لحقوق الإنسان", "المؤسسة الوطنية لحقوق الإنسان"),
    ],
)
def test_civic_space_wording_is_related(language: str, text: str, match: str) -> None:
    assert classify(text, language=language, tags=()) == (
        RELATED,
        [{"source": "text", "match": match}],
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Send a standing invitation to the Special Rapporteur on human rights defenders."),
        (
            "en",
            "Invite the Special Representative of the Secretary-General on the situation of "
            "human rights defenders to visit the country.",
        ),
        (
            "en",
            "Accept the visit requests of the Special Procedures on the right to food, "
            "human rights defenders and adequate housing.",
        ),
        (
            "fr",
            "Inviter le Rapporteur spécial sur la situation des défenseurs des droits de "
            "l'homme à se rendre dans le pays.",
        ),
        (
            "es",
            "Invitar a la Relatora Especial sobre la situación de los defensores de derechos "
            "humanos a visitar el país.",
        ),
        ("ar", "دعوة المقرر الخاص المعني بحالة المدافعين عن حقوق الإنسان إلى زيارة البلد"),
    ],
)
def test_mandate_named_only_for_a_visit_is_related(language: str, text: str) -> None:
    relevance, reasons = classify(text, language=language, tags=())
    assert relevance is RELATED
    assert len(text_matches(reasons)) == 1


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "Implement the recommendations of the Special Rapporteur on the situation of "
            "human rights defenders.",
        ),
        (
            "en",
            "Act on the concerns of the Special Rapporteur on human rights defenders.",
        ),
        (
            "fr",
            "Mettre en œuvre les recommandations du Rapporteur spécial sur la situation des "
            "défenseurs des droits de l'homme.",
        ),
        (
            "es",
            "Aplicar las recomendaciones del Relator Especial sobre la situación de los "
            "defensores de los derechos humanos.",
        ),
        ("ar", "تنفيذ توصيات المقرر الخاص المعني بحالة المدافعين عن حقوق الإنسان"),
    ],
)
def test_acting_on_what_the_mandate_recommended_is_direct(language: str, text: str) -> None:
    assert classify(text, language=language, tags=())[0] is DIRECT


def test_mandate_recommendations_elsewhere_in_text_do_not_make_a_visit_direct() -> None:
    text = (
        "Invite the Special Rapporteur on human rights defenders, and implement the "
        "recommendations accepted during the review."
    )
    assert classify(text, language="en", tags=())[0] is RELATED


def test_mandate_beside_defender_terms_is_direct_with_both_in_text_order() -> None:
    text = (
        "Follow up the visit of the Special Rapporteur on human rights defenders and "
        "investigate attacks against human rights defenders."
    )
    assert classify(text, language="en", tags=()) == (
        DIRECT,
        [
            {"source": "text", "match": "Special Rapporteur on human rights defenders"},
            {"source": "text", "match": "human rights defenders"},
        ],
    )


def test_request_about_defenders_after_another_mandate_is_direct() -> None:
    text = "Invite the Special Rapporteur on torture to visit and protect human rights defenders."
    assert classify(text, language="en", tags=()) == (
        DIRECT,
        [{"source": "text", "match": "human rights defenders"}],
    )


@pytest.mark.parametrize(
    ("language", "text", "match"),
    [
        (
            "en",
            "Strengthen the Office of the Human Rights Defender.",
            "Office of the Human Rights Defender",
        ),
        ("en", "Fund the Public Defender adequately.", "Public Defender"),
        ("fr", "Renforcer le Défenseur des droits.", "Défenseur des droits"),
        ("es", "Fortalecer la Defensoría del Pueblo.", "Defensoría del Pueblo"),
    ],
)
def test_ombudsman_named_defender_is_related_not_direct(
    language: str, text: str, match: str
) -> None:
    assert classify(text, language=language, tags=()) == (
        RELATED,
        [{"source": "text", "match": match}],
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Improve road safety and public transport."),
        ("en", "Prosecute those involved in human rights violations."),
        ("en", "Ensure that detainees have access to a lawyer."),
        ("en", "Prevent intimidation of voters during elections."),
        ("en", "Fund the HRD ministry's vocational programmes."),
        ("fr", "Améliorer l'accès à l'eau potable."),
        ("es", "Mejorar el acceso a la educación primaria."),
        ("ar", "تنفيذ قرار الجمعية العامة"),
        ("ar", "توزيع المصحف في المدارس"),
    ],
)
def test_text_about_something_else_is_none_without_reasons(language: str, text: str) -> None:
    assert classify(text, language=language, tags=()) == (NONE, [])


def test_reasons_are_deduplicated_keeping_the_first_spelling() -> None:
    text = (
        "Human rights defenders must be protected; protect human rights defenders and journalists."
    )
    assert classify(text, language="en", tags=["Civil society", "Civil society"]) == (
        DIRECT,
        [
            {"source": "text", "match": "Human rights defenders"},
            {"source": "tag", "match": "Civil society"},
            {"source": "text", "match": "journalists"},
        ],
    )


def test_direct_reasons_come_before_related_ones() -> None:
    relevance, reasons = classify(
        "Guarantee freedom of expression for human rights defenders.",
        language="en",
        tags=["Freedom of opinion and expression", "Human rights defenders"],
    )
    assert relevance is DIRECT
    assert reasons == [
        {"source": "tag", "match": "Human rights defenders"},
        {"source": "text", "match": "human rights defenders"},
        {"source": "tag", "match": "Freedom of opinion and expression"},
        {"source": "text", "match": "freedom of expression"},
    ]


def test_related_reasons_list_tags_then_text() -> None:
    assert classify("Protect journalists.", language="en", tags=["NHRI", "Right to food"]) == (
        RELATED,
        [{"source": "tag", "match": "NHRI"}, {"source": "text", "match": "journalists"}],
    )


def test_text_whose_lower_case_changes_length_keeps_exact_words() -> None:
    text = "İZMİR: protect Human Rights Defenders."
    assert classify(text, language="en", tags=()) == (
        DIRECT,
        [{"source": "text", "match": "Human Rights Defenders"}],
    )


@pytest.mark.parametrize(
    "text", ["Protéger les défenseurs des droits humains.", "حماية المدافعين عن حقوق الإنسان"]
)
@pytest.mark.parametrize("language", ["pt", "", "und"])
def test_unknown_language_tries_every_language(language: str, text: str) -> None:
    assert classify(text, language=language, tags=())[0] is DIRECT


@pytest.mark.parametrize("language", ["fr-CA", "FR", "fr_FR"])
def test_language_with_region_or_capitals_uses_its_language(language: str) -> None:
    assert classify("Protéger les journalistes.", language=language, tags=())[0] is RELATED


def test_language_selects_its_own_terms() -> None:
    assert classify("Protéger les défenseurs des droits humains.", language="en", tags=()) == (
        NONE,
        [],
    )
