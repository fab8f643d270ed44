"""A large synthetic recommendations corpus, loaded with COPY, for query benchmarks.

Usage: python -m bench.generate_corpus [--records N] [--seed S] [--database-url URL] [--keep]
    [--workers W]
Without --database-url the corpus goes into a scratch database, dropped at the end unless --keep.
A given database must be migrated to head and hold no recommendations yet.

The distributions follow the real data: about 195 States with skewed volumes, the UPR 60%,
treaty bodies 30% and special procedures 10% of rows, a few documents per State per cycle or
review, texts of UPR Info length (median about 200 characters, long tail), mostly English with a
few percent each of French, Spanish and Arabic, and about 3% of rows directly about defenders and
15% about civic space. Texts are built from phrase lists in each language, so full-text queries
("defenders", "journalists", "défenseurs", "المدافعين") find what they would in real data.

Rows are made in Python in a thread, a batch ahead, and loaded with COPY over --workers
connections: PostgreSQL computing each row's search vector (the text fold above all) is most of
the work, and several connections keep every core busy. The table's secondary indexes are dropped
before and built after, several at a time: one sort per index costs far less than a million
insertions into each. If the load fails the indexes are rebuilt all the same and the documents
it added are deleted.
"""

import argparse
import asyncio
import hashlib
import itertools
import json
import math
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import pycountry

from bench.databases import admin_url, drop, fresh_database, libpq_dsn
from bench.generate_uhri import AFFECTED_PERSONS, SDGS, THEMES, TREATY_BODIES, TREATY_WEIGHTS

BATCH = 20_000
STATES = 195
LANGUAGES = ("en", "fr", "es", "ar")
LANGUAGE_WEIGHTS = (88, 5, 4, 3)
TRANSLATED_SHARE = 0.02
# Share of each mechanism's rows directly about defenders and about civic space.
HRD_SHARES = {"upr": (0.03, 0.15), "treaty_body": (0.025, 0.14), "special_procedure": (0.05, 0.18)}
# Median text length in characters; lognormal spread as in the UPR Info export.
TEXT_MEDIANS = {"upr": 115, "treaty_body": 210, "special_procedure": 190}
TEXT_SIGMA = 0.6
UPR_CYCLES = {1: (1, 12), 2: (13, 26), 3: (27, 40), 4: (41, 54)}
LAST_UPR_SESSION = 47
UPR_CYCLE_WEIGHTS = {1: 1.0, 2: 1.7, 3: 2.1, 4: 2.2}
# Share of States party to each treaty (reviewed by its committee).
TREATY_RATIFICATION = {"CMW": 0.3, "CED": 0.35, "SPT": 0.4, "CRPD": 0.85}
# Mandates the importer adds as bodies beside the seeded ones, with their weights.
EXTRA_MANDATES = {
    "SR-FOOD": ("Special Rapporteur on the right to food", 4),
    "SR-HOUSING": ("Special Rapporteur on adequate housing", 4),
    "SR-POVERTY": ("Special Rapporteur on extreme poverty and human rights", 4),
    "SR-MIGRANTS": ("Special Rapporteur on the human rights of migrants", 5),
    "SR-INDIGENOUS": ("Special Rapporteur on the rights of Indigenous Peoples", 5),
    "SR-EDUCATION": ("Special Rapporteur on the right to education", 3),
    "IE-SOGI": ("Independent Expert on sexual orientation and gender identity", 3),
    "WG-BUSINESS": ("Working Group on business and human rights", 3),
}
SEEDED_MANDATE_WEIGHTS = {
    "SR-HRD": 7,
    "SR-EXPRESSION": 7,
    "SR-ASSEMBLY": 5,
    "SR-JUDGES": 6,
    "SR-TORTURE": 8,
    "SR-TERRORISM": 4,
    "SR-VAW": 6,
    "WG-AD": 8,
    "WG-EID": 5,
}
POSITIONS = ("supported", "noted", "supported_in_part", "pending", "pledge")
POSITION_WEIGHTS = (64, 30, 2, 2, 2)
# UPR Info action categories 1-5, as counted in the sessions 1-5 export.
ACTION_WEIGHTS = (207, 993, 649, 2405, 1840)
STATUSES = (
    "not_assessed",
    "not_started",
    "in_progress",
    "partially_implemented",
    "implemented",
    "not_implemented",
    "regressed",
)
STATUS_WEIGHTS = (900, 15, 30, 25, 20, 8, 2)
HRD_THEME = "Human rights defenders"
CIVIC_THEMES = (
    "Freedom of opinion and expression",
    "Freedom of association",
    "Freedom of peaceful assembly",
)
JOURNALISTS = "Journalists & media workers"

T = TypeVar("T")

# The recommendations columns the generator fills; `search_vector` is computed by PostgreSQL.
RECOMMENDATION_COLUMNS = (
    "id",
    "natural_key",
    "state_code",
    "body_id",
    "document_id",
    "paragraph",
    "language",
    "text",
    "annotation_type",
    "recommending_states",
    "position",
    "action_category",
    "session",
    "cycle",
    "issued_date",
    "themes",
    "affected_persons",
    "sdgs",
    "hrd_relevance",
    "hrd_reasons",
    "follow_up_selected",
    "follow_up_deadline_date",
    "status",
    "source_format",
    "content_hash",
    "created_at",
    "updated_at",
)
DOCUMENT_COLUMNS = (
    "id",
    "symbol",
    "body_id",
    "state_code",
    "title",
    "published_date",
    "session",
    "cycle",
)


@dataclass(frozen=True, slots=True)
class Phrases:
    """One language's building blocks: openings per mechanism, clauses per relevance."""

    openings: dict[str, tuple[str, ...]]
    direct: tuple[str, ...]
    related: tuple[str, ...]
    other: tuple[str, ...]
    short: tuple[str, ...]
    direct_match: str
    related_match: str
    separator: str


_EN_OBJECTS = (
    "access to justice for victims of trafficking",
    "the right to health of persons living in rural areas",
    "birth registration for all children",
    "the rights of persons with disabilities",
    "gender equality in employment and pay",
    "the independence of the national human rights institution",
    "access to safe drinking water and sanitation",
    "inclusive education for children with disabilities",
    "the rights of indigenous peoples to their lands and resources",
    "the elimination of child labour",
    "the protection of migrant workers against exploitation",
    "the abolition of the death penalty",
    "the prohibition of corporal punishment in all settings",
    "the investigation of enforced disappearances",
    "the prevention of torture in places of detention",
    "alternatives to pre-trial detention",
    "the rights of older persons",
    "access to sexual and reproductive health services",
    "the fight against corruption in the public sector",
    "the social protection of persons living in poverty",
    "the rights of lesbian, gay, bisexual, transgender and intersex persons",
    "the protection of refugees and asylum-seekers",
    "the participation of women in political and public life",
    "the right to adequate housing and protection against forced evictions",
    "the prevention of early and forced marriage",
)
_EN_VERBS = (
    "ensure",
    "guarantee",
    "strengthen",
    "promote",
    "improve",
    "step up its efforts to secure",
    "adopt measures to advance",
    "allocate adequate resources for",
)
_EN_QUALIFIERS = (
    "",
    " in law and in practice",
    " in line with international standards",
    " in particular in rural and remote areas",
    " including through awareness-raising campaigns",
    " and report on progress in its next periodic report",
    " by 2030",
)
_EN_OTHER = (
    "investigate promptly, thoroughly and impartially all allegations of torture and ill-treatment",
    "guarantee the independence of the judiciary and the free exercise of the legal profession",
    "establish an independent national preventive mechanism with adequate resources",
    "strengthen the national human rights institution in line with the Paris Principles",
    "adopt a comprehensive anti-discrimination law covering all prohibited grounds",
    "combat gender-based violence against women and girls and provide support to victims",
    "ensure that all persons deprived of their liberty have access to a lawyer",
    "improve conditions of detention and reduce overcrowding in prisons",
    "register every child at birth and prevent statelessness",
    "allocate sufficient human, technical and financial resources to that end",
    "provide training on international human rights standards to law enforcement officials",
    "collect disaggregated data to monitor progress",
    "ensure that victims have access to effective remedies and full reparation",
    *(
        verb + " " + obj + qualifier
        for verb, obj, qualifier in itertools.product(_EN_VERBS, _EN_OBJECTS, _EN_QUALIFIERS)
    ),
)

PHRASES: dict[str, Phrases] = {
    "en": Phrases(
        openings={
            "upr": (
                "Take measures to",
                "Continue efforts to",
                "Redouble its efforts to",
                "Take all necessary steps to",
                "Strengthen efforts to",
                "Consider measures to",
            ),
            "treaty_body": (
                "The Committee recommends that the State party",
                "The State party should",
                "The Committee urges the State party to",
                "The Committee calls upon the State party to",
                "Recalling its previous recommendations, the Committee recommends that the "
                "State party",
            ),
            "special_procedure": (
                "The Special Rapporteur recommends that the Government",
                "The Working Group recommends that the authorities",
                "The Independent Expert calls on the State to",
                "The mandate holder recommends that the State",
            ),
        },
        direct=(
            "protect human rights defenders and journalists from threats, attacks and reprisals",
            "adopt a law on the recognition and protection of human rights defenders",
            "investigate all attacks against human rights defenders and bring perpetrators "
            "to justice",
            "ensure that women human rights defenders can work in a safe and enabling environment",
            "end the judicial harassment of human rights defenders, lawyers and journalists",
            "establish a national protection mechanism for human rights defenders",
            "release all human rights defenders detained for their peaceful activities",
            "ensure that environmental and land defenders are protected against violence",
        ),
        related=(
            "guarantee freedom of expression, both online and offline",
            "protect journalists and media workers and ensure their safety",
            "repeal provisions that criminalize defamation and restrict freedom of expression "
            "online",
            "guarantee the right to peaceful assembly and refrain from excessive use of force",
            "bring its legislation on freedom of association into line with international "
            "standards",
            "ensure that civil society organizations can register and operate freely",
            "ensure that counter-terrorism legislation is not used against civil society "
            "organizations",
            "guarantee media freedom and the independence of the press",
        ),
        other=_EN_OTHER,
        short=(
            "Ratify the Optional Protocol to the Convention against Torture",
            "Accede to the Rome Statute of the International Criminal Court",
            "Ratify the International Convention for the Protection of All Persons from "
            "Enforced Disappearance",
            "Extend a standing invitation to the special procedures",
            "Abolish the death penalty",
            "Criminalize marital rape",
            "Ratify the Convention on the Rights of Persons with Disabilities",
            "Adopt a national action plan on human rights",
        ),
        direct_match="human rights defenders",
        related_match="freedom of expression",
        separator="; ",
    ),
    "fr": Phrases(
        openings={
            "upr": (
                "Prendre des mesures pour",
                "Poursuivre ses efforts pour",
                "Redoubler d'efforts pour",
                "Prendre toutes les mesures nécessaires pour",
            ),
            "treaty_body": (
                "Le Comité recommande à l'État partie de",
                "L'État partie devrait",
                "Le Comité exhorte l'État partie à",
            ),
            "special_procedure": (
                "Le Rapporteur spécial recommande au Gouvernement de",
                "Le Groupe de travail recommande aux autorités de",
            ),
        },
        direct=(
            "protéger les défenseurs des droits de l'homme et les journalistes contre les "
            "menaces, les agressions et les représailles",
            "adopter une loi sur la reconnaissance et la protection des défenseurs des droits "
            "humains",
            "enquêter sur toutes les attaques contre les défenseuses et défenseurs des droits "
            "de l'homme",
            "mettre fin au harcèlement judiciaire des défenseurs des droits de l'homme, des "
            "avocats et des journalistes",
        ),
        related=(
            "garantir la liberté d'expression, en ligne et hors ligne",
            "garantir la sécurité des journalistes et des professionnels des médias",
            "garantir le droit de réunion pacifique et s'abstenir de tout usage excessif de la "
            "force",
            "mettre sa législation sur la liberté d'association en conformité avec les normes "
            "internationales",
            "permettre aux organisations de la société civile de s'enregistrer et d'agir librement",
        ),
        other=(
            "enquêter de manière rapide, approfondie et impartiale sur toutes les allégations "
            "de torture",
            "garantir l'indépendance du pouvoir judiciaire et le libre exercice de la "
            "profession d'avocat",
            "créer un mécanisme national de prévention de la torture doté de ressources "
            "suffisantes",
            "renforcer l'institution nationale des droits de l'homme conformément aux Principes "
            "de Paris",
            "adopter une loi complète contre la discrimination couvrant tous les motifs interdits",
            "garantir l'accès de tous les enfants à une éducation de qualité, y compris dans les "
            "zones rurales",
            "lutter contre la violence fondée sur le genre à l'égard des femmes et des filles",
            "améliorer les conditions de détention et réduire la surpopulation carcérale",
            "enregistrer chaque enfant à la naissance et prévenir l'apatridie",
            "allouer des ressources humaines, techniques et financières suffisantes à cette fin",
            "dispenser aux agents de la force publique une formation sur les normes "
            "internationales relatives aux droits de l'homme",
            "garantir aux victimes l'accès à des recours utiles et à une réparation intégrale",
        ),
        short=(
            "Ratifier le Protocole facultatif se rapportant à la Convention contre la torture",
            "Abolir la peine de mort",
            "Adresser une invitation permanente aux procédures spéciales",
        ),
        direct_match="défenseurs des droits de l'homme",
        related_match="liberté d'expression",
        separator="; ",
    ),
    "es": Phrases(
        openings={
            "upr": (
                "Tomar medidas para",
                "Seguir esforzándose por",
                "Redoblar sus esfuerzos para",
                "Considerar la posibilidad de",
            ),
            "treaty_body": (
                "El Comité insta al Estado parte a",
                "El Estado parte debe",
                "El Comité exhorta al Estado parte a",
            ),
            "special_procedure": (
                "La Relatora Especial exhorta al Gobierno a",
                "El Grupo de Trabajo insta a las autoridades a",
            ),
        },
        direct=(
            "proteger a los defensores de los derechos humanos y a los periodistas contra las "
            "amenazas, los ataques y las represalias",
            "adoptar una ley de reconocimiento y protección de las personas defensoras de "
            "derechos humanos",
            "investigar todos los ataques contra defensoras y defensores de derechos humanos",
            "poner fin al hostigamiento judicial de los defensores de derechos humanos, "
            "abogados y periodistas",
        ),
        related=(
            "garantizar la libertad de expresión, tanto en línea como fuera de línea",
            "garantizar la seguridad de los periodistas y los trabajadores de los medios de "
            "comunicación",
            "garantizar el derecho de reunión pacífica y abstenerse del uso excesivo de la fuerza",
            "armonizar su legislación sobre la libertad de asociación con las normas "
            "internacionales",
        ),
        other=(
            "investigar con prontitud, exhaustividad e imparcialidad todas las denuncias de "
            "tortura",
            "garantizar la independencia del poder judicial y el libre ejercicio de la abogacía",
            "fortalecer la institución nacional de derechos humanos de conformidad con los "
            "Principios de París",
            "adoptar una ley integral contra la discriminación",
            "garantizar el acceso a una educación de calidad para todos los niños, incluso en "
            "las zonas rurales",
            "combatir la violencia de género contra las mujeres y las niñas",
            "mejorar las condiciones de reclusión y reducir el hacinamiento en las cárceles",
            "inscribir a todos los niños al nacer y prevenir la apatridia",
            "asignar recursos humanos, técnicos y financieros suficientes a tal fin",
            "garantizar que las víctimas tengan acceso a recursos efectivos y a una reparación "
            "integral",
        ),
        short=(
            "Ratificar el Protocolo Facultativo de la Convención contra la Tortura",
            "Abolir la pena de muerte",
            "Cursar una invitación permanente a los procedimientos especiales",
        ),
        direct_match="defensores de los derechos humanos",
        related_match="libertad de expresión",
        separator="; ",
    ),
    "ar": Phrases(
        openings={
            "upr": ("مواصلة الجهود الرامية إلى", "اتخاذ التدابير اللازمة من أجل"),
            "treaty_body": ("توصي اللجنة الدولة الطرف بما يلي:", "ينبغي للدولة الطرف"),
            "special_procedure": (
                "يوصي المقرر الخاص الحكومة بما يلي:",
                "يوصي الفريق العامل السلطات بما يلي:",
            ),
        },
        direct=(
            "حماية المدافعين عن حقوق الإنسان والصحفيين من التهديدات والاعتداءات والأعمال "
            "الانتقامية",
            "اعتماد قانون بشأن الاعتراف بالمدافعين عن حقوق الإنسان وحمايتهم",
            "التحقيق في جميع الاعتداءات على المدافعات والمدافعين عن حقوق الإنسان",
            "وضع حد للمضايقات القضائية التي يتعرض لها المدافعون عن حقوق الإنسان والمحامون "
            "والصحفيون",
        ),
        related=(
            "ضمان حرية التعبير على الإنترنت وخارجها",
            "ضمان سلامة الصحفيين والعاملين في وسائط الإعلام",
            "ضمان الحق في التجمع السلمي والامتناع عن الاستخدام المفرط للقوة",
            "مواءمة تشريعاتها المتعلقة بحرية تكوين الجمعيات مع المعايير الدولية",
        ),
        other=(
            "التحقيق بسرعة وبصورة شاملة ونزيهة في جميع ادعاءات التعذيب",
            "ضمان استقلال القضاء وحرية ممارسة مهنة المحاماة",
            "تعزيز المؤسسة الوطنية لحقوق الإنسان وفقاً لمبادئ باريس",
            "اعتماد قانون شامل لمكافحة التمييز",
            "ضمان حصول جميع الأطفال على تعليم جيد، بما في ذلك في المناطق الريفية",
            "مكافحة العنف القائم على نوع الجنس ضد النساء والفتيات",
            "تحسين ظروف الاحتجاز والحد من اكتظاظ السجون",
            "تسجيل جميع الأطفال عند الولادة ومنع انعدام الجنسية",
            "تخصيص موارد بشرية وتقنية ومالية كافية لهذا الغرض",
            "ضمان حصول الضحايا على سبل انتصاف فعالة وجبر كامل للضرر",
        ),
        short=(
            "التصديق على البروتوكول الاختياري لاتفاقية مناهضة التعذيب",
            "إلغاء عقوبة الإعدام",
        ),
        direct_match="المدافعين عن حقوق الإنسان",
        related_match="حرية التعبير",
        separator="؛ ",
    ),
}


@dataclass(slots=True)
class Plan:
    """The corpus before its rows: States, bodies and documents with their row counts."""

    states: list[str]
    state_weights: list[float]
    body_ids: dict[str, int]
    # (id, symbol, body code, mechanism, state, title, date, session, cycle, language, rows)
    documents: list[tuple[Any, ...]] = field(default_factory=list)


def _states(rng: random.Random) -> tuple[list[str], list[float]]:
    """About as many States as the UN has, each with a skewed share of the recommendations."""
    codes = sorted(country.alpha_3 for country in pycountry.countries)
    states = rng.sample(codes, STATES)
    return states, [rng.lognormvariate(0, 0.5) for _ in states]


def _allot(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, largest remainders first, summing exactly."""
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _upr_session_date(session: int) -> date:
    # About three sessions a year since April 2008.
    return date(2008, 4, 7) + timedelta(days=(session - 1) * 125)


def plan_corpus(records: int, seed: int, body_ids: dict[str, int]) -> Plan:
    """Documents per State and mechanism, and how many recommendations each one holds."""
    rng = random.Random(seed)
    states, state_weights = _states(rng)
    plan = Plan(states=states, state_weights=state_weights, body_ids=body_ids)
    names = {c.alpha_3: c.name for c in pycountry.countries}
    symbols: set[str] = set()

    def unique(symbol: str) -> str:
        base, n = symbol, 1
        while symbol in symbols:
            n += 1
            symbol = f"{base}-{n}"
        symbols.add(symbol)
        return symbol

    docs: dict[str, list[tuple[Any, ...]]] = {"upr": [], "treaty_body": [], "special_procedure": []}
    weights: dict[str, list[float]] = {key: [] for key in docs}
    hrc_reports: dict[int, int] = {}
    for state, state_weight in zip(states, state_weights, strict=True):
        slot = rng.random()
        for cycle, (first, last) in UPR_CYCLES.items():
            session = first + int(slot * (last - first + 1))
            if session > LAST_UPR_SESSION:
                continue
            hrc = 8 + (session - 1) * 50 // 46
            hrc_reports[hrc] = hrc_reports.get(hrc, 1) + 1
            symbol = unique(f"A/HRC/{hrc}/{hrc_reports[hrc]}")
            title = f"Report of the Working Group on the Universal Periodic Review: {names[state]}"
            docs["upr"].append(
                (symbol, "UPR", state, title, _upr_session_date(session), session, cycle)
            )
            weights["upr"].append(state_weight * UPR_CYCLE_WEIGHTS[cycle] * rng.uniform(0.6, 1.4))
        for body, body_weight in zip(TREATY_BODIES, TREATY_WEIGHTS, strict=True):
            if rng.random() > TREATY_RATIFICATION.get(body, 0.95):
                continue
            reviews = rng.randint(1, 5)
            for k in range(1, reviews + 1):
                year = 2000 + (k - 1 + rng.random()) * 26 / reviews
                issued = date(2000, 1, 1) + timedelta(days=int((year - 2000) * 365.25))
                symbol = unique(f"{body}/C/{state}/CO/{k}")
                session = 20 + int((year - 2000) * 2.5)
                title = f"Concluding observations on the report of {names[state]}"
                row = (symbol, body, state, title, issued, session, None)
                docs["treaty_body"].append(row)
                weights["treaty_body"].append(state_weight * body_weight * rng.uniform(0.5, 1.5))
        mandates = {**SEEDED_MANDATE_WEIGHTS, **{c: w for c, (_, w) in EXTRA_MANDATES.items()}}
        for _ in range(rng.choices(range(7), (15, 25, 20, 15, 10, 10, 5))[0]):
            mandate = rng.choices(list(mandates), list(mandates.values()))[0]
            issued = date(2005, 1, 1) + timedelta(days=rng.randint(0, 7900))
            hrc = 1 + (issued.year - 2006) * 3 + rng.randint(0, 2)
            symbol = unique(f"A/HRC/{max(hrc, 1)}/{rng.randint(10, 70)}/Add.{rng.randint(1, 4)}")
            title = f"Visit to {names[state]}"
            docs["special_procedure"].append((symbol, mandate, state, title, issued, None, None))
            weights["special_procedure"].append(state_weight * rng.uniform(0.5, 1.5))
    upr = round(records * 0.6)
    treaty = round(records * 0.3)
    totals = {"upr": upr, "treaty_body": treaty, "special_procedure": records - upr - treaty}
    for mechanism, mechanism_docs in docs.items():
        counts = _allot(totals[mechanism], weights[mechanism])
        for (symbol, body, state, title, issued, session, cycle), rows in zip(
            mechanism_docs, counts, strict=True
        ):
            if rows:
                language = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
                plan.documents.append(
                    (
                        None,
                        symbol,
                        body,
                        mechanism,
                        state,
                        title,
                        issued,
                        session,
                        cycle,
                        language,
                        rows,
                    )
                )
    # Imports arrive document by document, in no particular order of date or State.
    rng.shuffle(plan.documents)
    return plan


def _urn(values: Sequence[T], weights: Sequence[float], size: int = 1000) -> tuple[T, ...]:
    """`values`, each repeated in proportion to its weight: one random index is a weighted draw
    (random.choices rebuilds its cumulative weights at every call, too slow for 1M rows)."""
    total = sum(weights)
    return tuple(
        value
        for value, weight in zip(values, weights, strict=True)
        for _ in range(max(1, round(weight / total * size)))
    )


class RowMaker:
    """Makes the recommendation rows of the planned documents, a batch at a time."""

    def __init__(self, plan: Plan, *, seed: int, first_id: int, now: datetime) -> None:
        self.plan = plan
        rng = random.Random(seed + 1)
        self.random = rng.random
        self.next_id = first_id
        self.translations: list[tuple[int, str, str]] = []
        themes = [t for t in THEMES if t != HRD_THEME]
        # Zipf-like: a few themes are on many recommendations, most on few.
        self.themes = _urn(themes, [1 / (i + 1) for i in range(len(themes))])
        self.theme_counts = _urn((1, 2, 3, 4), (40, 30, 20, 10))
        self.affected = tuple(AFFECTED_PERSONS)
        self.affected_counts = _urn((0, 1, 2, 3), (30, 40, 20, 10))
        self.sdgs = tuple(label.split(" - ")[0] for label in SDGS)
        self.sdg_counts = _urn((0, 1, 2, 3), (35, 35, 20, 10))
        self.recommenders = _urn(
            plan.states, [rng.lognormvariate(0, 0.8) for _ in plan.states], size=5000
        )
        self.positions = _urn(POSITIONS, POSITION_WEIGHTS)
        self.actions = _urn((1, 2, 3, 4, 5), ACTION_WEIGHTS)
        self.statuses = _urn(STATUSES, STATUS_WEIGHTS)
        self.lengths = {
            mechanism: tuple(rng.lognormvariate(math.log(median), TEXT_SIGMA) for _ in range(4096))
            for mechanism, median in TEXT_MEDIANS.items()
        }
        self.reasons = {
            language: {
                "direct": json.dumps(
                    [{"source": "text", "match": p.direct_match}], ensure_ascii=False
                ),
                "related": json.dumps(
                    [{"source": "text", "match": p.related_match}], ensure_ascii=False
                ),
                "none": "[]",
            }
            for language, p in PHRASES.items()
        }
        self.stamps = tuple(now - timedelta(days=d, seconds=d * 37 % 86400) for d in range(1, 1096))

    def pick(self, values: Sequence[T]) -> T:
        """One of `values`, uniformly."""
        return values[int(self.random() * len(values))]

    def text(self, language: str, mechanism: str, relevance: str) -> str:
        """A recommendation of about the length real ones have, in `language`."""
        pick, phrases = self.pick, PHRASES[language]
        length = pick(self.lengths[mechanism])
        if relevance == "none" and length < 90 and mechanism == "upr":
            return pick(phrases.short)
        opening = pick(phrases.openings[mechanism])
        parts: list[str] = []
        size = len(opening)
        if relevance != "none":
            clause = pick(phrases.direct if relevance == "direct" else phrases.related)
            size += len(clause)
        while size < length or not parts:
            parts.append(pick(phrases.other))
            size += len(parts[-1]) + 2
        if relevance != "none":
            parts.insert(int(self.random() * (len(parts) + 1)), clause)
        return f"{opening} {phrases.separator.join(parts)}."

    def tags(self, relevance: str) -> tuple[list[str], list[str], list[str]]:
        """Themes, affected persons and SDG targets, agreeing with the defender relevance."""
        pick = self.pick
        themes = {pick(self.themes) for _ in range(pick(self.theme_counts))}
        affected = {pick(self.affected) for _ in range(pick(self.affected_counts))}
        if relevance == "direct":
            if self.random() < 0.7:
                themes.add(HRD_THEME)
            if self.random() < 0.3:
                affected.add(JOURNALISTS)
        elif relevance == "related":
            themes.add(pick(CIVIC_THEMES))
        sdgs = {pick(self.sdgs) for _ in range(pick(self.sdg_counts))}
        return sorted(themes), sorted(affected), sorted(sdgs)

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every recommendation of every planned document, in document order."""
        random, pick = self.random, self.pick
        body_ids, states = self.plan.body_ids, self.plan.states
        for doc in self.plan.documents:
            doc_id, symbol, body, mechanism, state, _, issued, session, cycle, language, count = doc
            direct_share, related_share = HRD_SHARES[mechanism]
            related_share += direct_share
            upr = mechanism == "upr"
            base = int(random() * 70) + 90 if upr else int(random() * 56) + 4
            source_format = "upr_info" if upr else "uhri"
            body_id = body_ids[body]
            reasons = self.reasons[language]
            fallback = states[0] if states[0] != state else states[1]
            for n in range(count):
                paragraph = f"{base}.{n + 1}" if upr else str(base + n)
                draw = random()
                relevance = (
                    "direct"
                    if draw < direct_share
                    else "related"
                    if draw < related_share
                    else "none"
                )
                text = self.text(language, mechanism, relevance)
                themes, affected, sdgs = self.tags(relevance)
                position: str | None = None
                action: int | None = None
                recommending: list[str] = []
                if upr:
                    several = 1 if random() < 0.9 else 2 + int(random() * 3)
                    recommending = sorted(
                        {pick(self.recommenders) for _ in range(several)} - {state}
                    )
                    recommending = recommending or [fallback]
                    position = pick(self.positions)
                    action = pick(self.actions)
                    annotation = "Recommendations"
                else:
                    annotation = "Recommendations" if random() < 0.6 else "Concerns/Observations"
                selected = random() < 0.005
                deadline = issued + timedelta(days=730) if selected and issued else None
                key = f"doc:{symbol}#{paragraph}"
                stamp = pick(self.stamps)
                row_id = self.next_id
                self.next_id += 1
                if random() < TRANSLATED_SHARE:
                    other = "en" if language != "en" else pick(("fr", "es", "ar"))
                    self.translations.append(
                        (row_id, other, self.text(other, mechanism, relevance))
                    )
                yield (
                    row_id,
                    key,
                    state,
                    body_id,
                    doc_id,
                    paragraph,
                    language,
                    text,
                    annotation,
                    recommending,
                    position,
                    action,
                    session,
                    cycle,
                    issued if random() > 0.01 else None,
                    themes,
                    affected,
                    sdgs,
                    relevance,
                    reasons[relevance],
                    selected,
                    deadline,
                    pick(self.statuses),
                    source_format,
                    hashlib.sha256((key + text).encode()).hexdigest(),
                    stamp,
                    stamp,
                )


async def _reserve_ids(connection: Any, table: str, count: int) -> int:
    """The first of `count` consecutive ids taken from the table's sequence."""
    sequence = await connection.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
    first: int = await connection.fetchval("SELECT nextval($1::regclass)", sequence)
    if count > 1:
        await connection.execute("SELECT setval($1::regclass, $2)", sequence, first + count - 1)
    return first


async def _body_ids(connection: Any) -> dict[str, int]:
    """Body ids by code, after adding the mandates the seeds lack."""
    await connection.executemany(
        "INSERT INTO bodies (code, name, mechanism_code) VALUES ($1, $2, 'special_procedure') "
        "ON CONFLICT (code) DO NOTHING",
        [(code, name) for code, (name, _) in EXTRA_MANDATES.items()],
    )
    return {row["code"]: row["id"] for row in await connection.fetch("SELECT id, code FROM bodies")}


async def _secondary_indexes(connection: Any) -> list[tuple[str, str]]:
    """(name, definition) of the recommendations indexes that back no constraint, the
    costliest to build first."""
    rows = await connection.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index AS i
        WHERE i.indrelid = 'recommendations'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """
    )
    indexes = [(row["name"], row["definition"]) for row in rows]
    return sorted(indexes, key=lambda i: ("search_vector" not in i[0], "USING gin" not in i[1]))


async def _build_indexes(dsn: str, definitions: list[str], workers: int) -> None:
    """Create the indexes that are missing, `workers` at a time (CREATE INDEX builds on the
    same table do not block each other)."""
    pending = [re.sub(r"^CREATE (UNIQUE )?INDEX ", r"\g<0>IF NOT EXISTS ", d) for d in definitions]

    async def build() -> None:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute("SET maintenance_work_mem = '1GB'")
            while pending:
                await connection.execute(pending.pop(0))
        finally:
            await connection.close()

    async with asyncio.TaskGroup() as group:
        for _ in range(workers):
            group.create_task(build())


async def _copy_rows(dsn: str, maker: RowMaker, workers: int) -> None:
    """COPY the rows over `workers` connections, each committed only when all have loaded.

    PostgreSQL computes each row's search vector as it loads it, and that dominates: several
    connections use every core while one thread makes the rows ahead of them.
    """
    rows = maker.rows()

    def next_batch() -> list[tuple[Any, ...]]:
        return list(itertools.islice(rows, BATCH))

    queue: asyncio.Queue[list[tuple[Any, ...]]] = asyncio.Queue(maxsize=workers)

    async def produce() -> None:
        while batch := await asyncio.to_thread(next_batch):
            await queue.put(batch)
        for _ in range(workers):
            await queue.put([])

    async def consume(connection: Any) -> None:
        while batch := await queue.get():
            await connection.copy_records_to_table(
                "recommendations", records=batch, columns=RECOMMENDATION_COLUMNS
            )

    connections = [await asyncpg.connect(dsn) for _ in range(workers)]
    transactions = [connection.transaction() for connection in connections]
    try:
        for transaction in transactions:
            await transaction.start()
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            for connection in connections:
                group.create_task(consume(connection))
        for transaction in transactions:
            await transaction.commit()
    finally:
        for connection in connections:
            await connection.close()


async def generate(
    url: str, *, records: int, seed: int = 2026, workers: int = 2
) -> dict[str, float]:
    """Fill the migrated database at `url`, which must hold no recommendations, with `records`
    of them; the seconds each phase took."""
    dsn = libpq_dsn(url)
    timings: dict[str, float] = {}
    connection = await asyncpg.connect(dsn)
    try:
        if await connection.fetchval("SELECT EXISTS (SELECT 1 FROM recommendations)"):
            raise SystemExit("the database already holds recommendations; give an empty one")
        started = time.perf_counter()
        async with connection.transaction():
            body_ids = await _body_ids(connection)
            plan = plan_corpus(records, seed, body_ids)
            first_doc = await _reserve_ids(connection, "documents", len(plan.documents))
            plan.documents = [(first_doc + i, *doc[1:]) for i, doc in enumerate(plan.documents)]
            await connection.copy_records_to_table(
                "documents",
                records=[
                    (doc[0], doc[1], body_ids[doc[2]], doc[4], doc[5], doc[6], doc[7], doc[8])
                    for doc in plan.documents
                ],
                columns=DOCUMENT_COLUMNS,
            )
            first_id = await _reserve_ids(connection, "recommendations", records)
            indexes = await _secondary_indexes(connection)
            for name, _ in indexes:
                await connection.execute(f"DROP INDEX {name}")
        timings["documents"] = time.perf_counter() - started
        maker = RowMaker(plan, seed=seed, first_id=first_id, now=datetime.now(UTC))
        loaded = False
        try:
            started = time.perf_counter()
            await _copy_rows(dsn, maker, workers)
            await connection.copy_records_to_table(
                "recommendation_texts",
                records=maker.translations,
                columns=("recommendation_id", "language", "text"),
            )
            timings["rows"] = time.perf_counter() - started
            loaded = True
        finally:
            # Whatever happened, the table gets its indexes back.
            started = time.perf_counter()
            await _build_indexes(dsn, [definition for _, definition in indexes], workers)
            timings["indexes"] = time.perf_counter() - started
            if not loaded:
                await connection.execute(
                    "DELETE FROM documents WHERE id BETWEEN $1 AND $2",
                    first_doc,
                    first_doc + len(plan.documents) - 1,
                )
        started = time.perf_counter()
        # VACUUM as autovacuum would after a bulk load: hint bits and the visibility map are set
        # now rather than by the first queries a benchmark times. The summaries too: their
        # statistics, left from the empty tables, made the planner sort 27,000 summary rows
        # where a hash aggregate takes half the time.
        for table in (
            "documents",
            "recommendations",
            "recommendation_texts",
            "bodies",
            "recommendation_counts",
            "recommendation_facet_counts",
        ):
            await connection.execute(f"VACUUM (ANALYZE) {table}")
        timings["vacuum analyze"] = time.perf_counter() - started
    finally:
        await connection.close()
    return timings


async def describe(url: str) -> list[str]:
    """What the corpus holds, as a few lines of figures to compare with the real data."""
    connection = await asyncpg.connect(libpq_dsn(url))
    try:
        row = await connection.fetchrow(
            """
            SELECT count(*) AS rows,
                   count(DISTINCT state_code) AS states,
                   (SELECT count(*) FROM documents) AS documents,
                   (SELECT count(*) FROM recommendation_texts) AS translations,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY length(text)) AS median_length,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY length(text)) AS p99_length,
                   avg((hrd_relevance = 'direct')::int) AS direct,
                   avg((hrd_relevance = 'related')::int) AS related,
                   pg_total_relation_size('recommendations') AS bytes
            FROM recommendations
            """
        )
        mechanisms = await connection.fetch(
            """
            SELECT b.mechanism_code AS mechanism, count(*) AS rows
            FROM recommendations AS r JOIN bodies AS b ON b.id = r.body_id
            GROUP BY 1 ORDER BY 2 DESC
            """
        )
        languages = await connection.fetch(
            "SELECT language, count(*) AS rows FROM recommendations GROUP BY 1 ORDER BY 2 DESC"
        )
        per_state = await connection.fetchrow(
            """
            SELECT min(n) AS least, percentile_cont(0.5) WITHIN GROUP (ORDER BY n) AS median,
                   max(n) AS most
            FROM (SELECT count(*) AS n FROM recommendations GROUP BY state_code) AS counts
            """
        )
    finally:
        await connection.close()
    total = row["rows"] or 1
    return [
        f"{row['rows']:,} recommendations ({row['translations']:,} translations), "
        f"{row['documents']:,} documents, {row['states']} States "
        f"(rows per State: least {per_state['least']:,}, median {per_state['median']:,.0f}, "
        f"most {per_state['most']:,}), table and indexes {row['bytes'] / 1e9:.2f} GB",
        "mechanisms: "
        + ", ".join(f"{m['mechanism']} {m['rows'] / total:.0%}" for m in mechanisms)
        + "; languages: "
        + ", ".join(f"{m['language']} {m['rows'] / total:.1%}" for m in languages),
        f"text length median {row['median_length']:.0f}, p99 {row['p99_length']:.0f} characters;"
        f" defenders direct {row['direct']:.1%}, related {row['related']:.1%}",
    ]


async def run(records: int, seed: int, database_url: str | None, keep: bool, workers: int) -> None:
    admin = admin_url()
    url = database_url or await fresh_database(admin)
    try:
        started = time.perf_counter()
        timings = await generate(url, records=records, seed=seed, workers=workers)
        total = time.perf_counter() - started
        print(
            f"{records:,} rows in {total:.1f} s ({records / total:,.0f} rows/s): "
            + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in timings.items())
        )
        for line in await describe(url):
            print(line)
        if keep and database_url is None:
            print(f"kept: {url}")
    finally:
        if database_url is None and not keep:
            await drop(admin, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="a migrated database without recommendations")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--workers", type=int, default=2, help="COPY connections")
    args = parser.parse_args()
    asyncio.run(run(args.records, args.seed, args.database_url, args.keep, args.workers))


if __name__ == "__main__":
    main()
