"""The labelled set that measures semantic search against the real UPR Info rows, and its scores.

Usage: python -m bench.meaning_eval [--data DIR]   (rebuilds bench/data/meaning_eval.json)

The set holds three things, all taken from or checked against the two real exports
(sessions 1-5 and 14-17):
- repeats: a second-cycle recommendation and the first-cycle one it repeats, same State under
  review, texts near-identical by character similarity (see REPEAT_RATIO);
- differing pairs: the same second-cycle rows against a first-cycle row of the same State that
  says something else (another topic, or other treaties), for cluster purity and thresholds;
- queries in French, Spanish and Arabic on topics of the English texts, each with a regular
  expression that tells whether an English text is a relevant result.
Rows carry the importer's natural key and their text, so the set stands alone.
"""

import argparse
import json
import os
import random
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from importers.upr_info import read_upr_info
from suivi.records import RecommendationRecord, RecordError

REAL_DATA = Path(
    os.environ.get("SUIVI_REAL_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
EARLIER_FILE = "upr-info/upr-info-sessions-1-5.csv"
LATER_FILE = "upr-info/upr-info-sessions-14-17.csv"
EVAL_FILE = Path(__file__).parent / "data" / "meaning_eval.json"
LANGUAGES = ("fr", "es", "ar")
K = 10

# Best-match similarity (rapidfuzz ratio on lower-cased, punctuation-free text) of each
# second-cycle row against the first-cycle rows of its State is a background bulk at 45-60 (the
# best of a few hundred unrelated texts) falling to ~120 rows per 5-point bin at 70-80, then flat
# at 70-100 rows per bin from 80 to 100: that plateau is the repeats. Reading the pairs, 70-80
# mixes rewordings ("Continue efforts to..." / "Redouble its efforts to...") with different
# recommendations in the same mould ("Ratify the CRPD" / "Ratify the OP-CEDAW"); from 80 up they
# are repeats, apart from treaty names, which INSTRUMENTS catches.
REPEAT_RATIO = 80.0
# Below the bulk of best matches: not even a State's closest first-cycle text.
DIFFERING_RATIO = 50.0
MAX_REPEATS = 300
SEED = 20_251_205
MIN_RULE_MATCHES = 30
REPEAT = "repeat"
# Differing pairs come in two kinds: an easy one on another topic altogether, and a hard one in
# the same mould naming other treaties ("Ratify the OP-CAT" / "Ratify the OP-CRC-SC"), which a
# clustering threshold must also keep apart.
OTHER_TOPIC = "other topic"
OTHER_INSTRUMENT = "other instrument"

# Two UPR texts that differ only in the treaty they name ("Ratify the Optional Protocol to CRPD"
# / "... to CAT") score above REPEAT_RATIO; a repeat names the same instruments.
INSTRUMENTS = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "torture": r"\btortur|\bOP-?CAT\b|\bCAT\b",
        "child": r"rights of the child|\bCRC\b|\bOP-?CRC|\bOPAC\b|\bOPSC\b|sale of children",
        "disability": r"disabilit|\bCRPD\b",
        "migrant": r"migrants? workers|\bI?CRMW\b|\bCMW\b",
        "disappearance": r"disappearance|\bI?CPPED\b|\bCPED\b|\bI?CED\b",
        "women": r"discrimination against women|\bCEDAW\b",
        "civil": r"civil and political|\bICCPR\b",
        "economic": r"economic,? social and cultural|\bICESCR\b",
        "racial": r"racial discrimination|\bI?CERD\b",
        "criminal court": r"rome statute|\bICC\b|international criminal court",
        "death penalty": r"second optional protocol|death (the )?penalty|\bOP2\b",
        "refugees": r"status of refugees|statelessness|stateless persons",
        "ILO": r"\bILO\b",
    }.items()
}


@dataclass(frozen=True, slots=True)
class Topic:
    """A search topic: the queries a person would type, and what makes an English text relevant."""

    name: str
    rule: str
    queries: Mapping[str, str]
    # The same topic in other words, written after the query centring was chosen on `queries`:
    # held out, so that a change tuned on the first wording is checked on words it never saw.
    rephrased: Mapping[str, str]

    def matches(self, text: str) -> bool:
        """Whether an English text is a relevant result for this topic's queries."""
        return re.search(self.rule, text, re.IGNORECASE) is not None


# Rules are written for recall as much as precision: a relevant text the rule misses would be
# counted against the model. Each was read against samples of its matches and of the rows UPR
# Info tagged with the matching Issue.
TOPICS = (
    Topic(
        "human rights defenders",
        r"human rights defenders?|defenders of human rights|\bdefenders\b",
        {
            "fr": "protection des défenseurs des droits humains",
            "es": "protección de defensores de derechos humanos",
            "ar": "حماية المدافعين عن حقوق الإنسان",
        },
        {
            "fr": "militants des droits de l'homme menacés",
            "es": "activistas de derechos humanos amenazados",
            "ar": "الناشطون الحقوقيون المعرضون للخطر",
        },
    ),
    Topic(
        "death penalty",
        r"death penalty|capital punishment|death sentences?|\bexecutions?\b|death row"
        r"|second optional protocol",
        {
            "fr": "abolition de la peine de mort",
            "es": "abolición de la pena de muerte",
            "ar": "إلغاء عقوبة الإعدام",
        },
        {
            "fr": "moratoire sur les exécutions",
            "es": "moratoria de las ejecuciones",
            "ar": "وقف تنفيذ أحكام الإعدام",
        },
    ),
    Topic(
        "torture",
        r"tortur|\bOP-?CAT\b|\bCAT\b|ill[- ]treatment|cruel, inhuman",
        {
            "fr": "torture et mauvais traitements",
            "es": "tortura y malos tratos",
            "ar": "التعذيب وسوء المعاملة",
        },
        {
            "fr": "prévenir la torture en garde à vue",
            "es": "prevenir la tortura bajo custodia",
            "ar": "منع التعذيب أثناء الاحتجاز",
        },
    ),
    Topic(
        "freedom of expression",
        r"freedoms? of (opinion and |opinion, )?expression|freedom of (opinion|speech|information)"
        r"|journalist|freedom of (the )?(press|media)|press (freedom|offen[cs]es|law)"
        r"|media (freedom|pluralism|outlets|law)|independent media|censor|blogger"
        r"|access to information|defamation|article 19 of the ICCPR",
        {
            "fr": "liberté d'expression et journalistes",
            "es": "libertad de expresión y periodistas",
            "ar": "حرية التعبير والصحفيين",
        },
        {
            "fr": "liberté de la presse",
            "es": "libertad de prensa",
            "ar": "حرية الصحافة",
        },
    ),
    Topic(
        "violence against women",
        r"violence against (women|girls)|domestic violence|gender[- ]based violence"
        r"|sexual violence|\brape\b|female genital|\bFGM\b|honou?r (killings?|crimes?)"
        r"|violence (against|towards) (women and|women, )",
        {
            "fr": "violences faites aux femmes",
            "es": "violencia contra las mujeres",
            "ar": "العنف ضد المرأة",
        },
        {
            "fr": "violence conjugale",
            "es": "violencia doméstica contra la mujer",
            "ar": "العنف المنزلي ضد النساء",
        },
    ),
    Topic(
        "child labour",
        r"child labou?r|working children|worst forms of child|economic exploitation of children"
        r"|children.{0,30}\b(work|labou?r)|\bILO Conventions?.{0,20}\b(138|182)\b"
        r"|minimum age (for|of) (admission to )?employment",
        {"fr": "travail des enfants", "es": "trabajo infantil", "ar": "عمل الأطفال"},
        {
            "fr": "exploitation économique des enfants",
            "es": "explotación laboral de menores",
            "ar": "استغلال الأطفال في العمل",
        },
    ),
    Topic(
        "trafficking",
        r"traffick|palermo protocol",
        {
            "fr": "traite des êtres humains",
            "es": "trata de personas",
            "ar": "مكافحة الاتجار بالبشر",
        },
        {
            "fr": "lutter contre la traite des personnes",
            "es": "combatir la trata de seres humanos",
            "ar": "الاتجار بالأشخاص",
        },
    ),
    Topic(
        "freedom of assembly and association",
        r"(?<!general )(?<!national )\bassembl(y|ies)\b|freedoms? of (expression, )?association"
        r"|\bprotest|peaceful demonstrat|\bdemonstrators|\bassociations?\b|trade unions?",
        {
            "fr": "liberté de réunion et d'association",
            "es": "libertad de reunión y asociación",
            "ar": "حرية التجمع وتكوين الجمعيات",
        },
        {
            "fr": "droit de manifester pacifiquement",
            "es": "derecho de manifestación pacífica",
            "ar": "الحق في التظاهر السلمي",
        },
    ),
    Topic(
        "independence of the judiciary",
        r"independen\w*.{0,40}(judiciary|judicial|judges|courts|justice system|magistra)"
        r"|(judiciary|judicial|judges|courts|magistra\w*).{0,40}independen"
        r"|impartial\w*.{0,20}(judiciary|judicial|judges)|separation of powers",
        {
            "fr": "indépendance de la justice",
            "es": "independencia del poder judicial",
            "ar": "استقلال القضاء",
        },
        {
            "fr": "indépendance des juges",
            "es": "independencia de los jueces",
            "ar": "استقلالية القضاة",
        },
    ),
    Topic(
        "prison conditions",
        r"prisons?\b|penitentiar|overcrowd|conditions (in|of) (the )?(places of )?detention"
        r"|detention (conditions|facilities|centres?|centers?)|places of detention|inmates"
        r"|\bjails?\b|(?<!political )prisoners(?! of conscience)",
        {
            "fr": "conditions de détention dans les prisons",
            "es": "condiciones en las cárceles",
            "ar": "أوضاع السجون",
        },
        {
            "fr": "surpopulation carcérale",
            "es": "hacinamiento en las prisiones",
            "ar": "اكتظاظ السجون",
        },
    ),
    Topic(
        "migrants and refugees",
        r"migra(nt|tion)|immigra|refugee|asylum|\bICRMW\b|foreign workers|non-refoulement",
        {
            "fr": "droits des migrants et des réfugiés",
            "es": "derechos de los migrantes y refugiados",
            "ar": "حقوق المهاجرين واللاجئين",
        },
        {
            "fr": "protection des demandeurs d'asile",
            "es": "protección de los solicitantes de asilo",
            "ar": "حماية طالبي اللجوء",
        },
    ),
    Topic(
        "persons with disabilities",
        r"disabilit|disabled|\bCRPD\b",
        {
            "fr": "droits des personnes handicapées",
            "es": "derechos de las personas con discapacidad",
            "ar": "حقوق الأشخاص ذوي الإعاقة",
        },
        {
            "fr": "inclusion des personnes en situation de handicap",
            "es": "inclusión de las personas discapacitadas",
            "ar": "إدماج ذوي الاحتياجات الخاصة",
        },
    ),
    Topic(
        "sexual orientation",
        r"sexual orientation|gender identity|homosexual|same[- ]sex|\bLGBT|lesbian|\bgay\b"
        r"|transgender|sexual minorit",
        {
            "fr": "discrimination liée à l'orientation sexuelle",
            "es": "discriminación por orientación sexual",
            "ar": "التمييز على أساس التوجه الجنسي",
        },
        {
            "fr": "droits des personnes LGBT",
            "es": "derechos de las personas LGBT",
            "ar": "حقوق المثليين",
        },
    ),
    Topic(
        "racial discrimination",
        r"racial|racis[mt]|xenophob|\bI?CERD\b|ethnic discrimination"
        r"|discriminat\w*.{0,40}(ethnic|\bRoma\b|descent|caste|minorit|migrant|foreign)|\bcaste\b",
        {
            "fr": "lutte contre la discrimination raciale",
            "es": "discriminación racial",
            "ar": "مكافحة التمييز العنصري",
        },
        {
            "fr": "racisme et xénophobie",
            "es": "racismo y xenofobia",
            "ar": "العنصرية وكره الأجانب",
        },
    ),
    Topic(
        "right to education",
        r"right to (free |quality |primary |basic )*education|access to ([a-z]+,? ){0,3}education"
        r"|education(al)? (system|for all|sector|polic|opportunit|facilit|plan|reform|budget)"
        r"|(primary|secondary|basic|free|compulsory|quality|inclusive|higher|universal|public)"
        r" education|education (of|for) (all )?(girls|children|women|roma|minorit|indigenous)"
        r"|\b(in|to) education\b|\bschool|enrol|literacy|illitera|drop-?out|teachers",
        {
            "fr": "accès à l'éducation",
            "es": "acceso a la educación",
            "ar": "الحق في التعليم",
        },
        {
            "fr": "scolarisation des enfants",
            "es": "escolarización de los niños",
            "ar": "تعليم الأطفال في المدارس",
        },
    ),
    Topic(
        "child marriage",
        r"(early|child|forced|underage) marriages?|minimum (legal )?age (of|for) marriage"
        r"|marriageable age|marriage of (girls|minors|children)|age of marriage",
        {
            "fr": "mariage précoce des filles",
            "es": "matrimonio infantil",
            "ar": "زواج الأطفال",
        },
        {
            "fr": "âge minimum du mariage",
            "es": "edad mínima para contraer matrimonio",
            "ar": "السن الأدنى للزواج",
        },
    ),
    Topic(
        "enforced disappearance",
        r"disappear|\bI?CPPED\b|\bCPED\b|\bI?CED\b",
        {
            "fr": "disparitions forcées",
            "es": "desapariciones forzadas",
            "ar": "الاختفاء القسري",
        },
        {
            "fr": "personnes disparues",
            "es": "personas desaparecidas",
            "ar": "الأشخاص المختفون",
        },
    ),
    Topic(
        "freedom of religion",
        r"freedom of (religion|belief|worship|conscience)|religious freedom"
        r"|freedom of thought, conscience|religious (minorit|groups|communit|intoleran)"
        r"|blasphemy|(?<!non-)discrimination.{0,40}relig",
        {
            "fr": "liberté de religion",
            "es": "libertad religiosa",
            "ar": "حرية الدين",
        },
        {
            "fr": "liberté de culte",
            "es": "libertad de culto",
            "ar": "حرية العبادة",
        },
    ),
    Topic(
        "indigenous peoples",
        r"indigenous",
        {
            "fr": "droits des peuples autochtones",
            "es": "derechos de los pueblos indígenas",
            "ar": "حقوق الشعوب الأصلية",
        },
        {
            "fr": "droits des autochtones sur leurs terres",
            "es": "tierras de los pueblos originarios",
            "ar": "أراضي السكان الأصليين",
        },
    ),
    Topic(
        "national human rights institution",
        r"national (human rights|institution|commission).{0,40}(institution|commission|rights)"
        r"|Paris Principles|\bNHRI\b|ombuds",
        {
            "fr": "institution nationale des droits de l'homme",
            "es": "institución nacional de derechos humanos",
            "ar": "المؤسسة الوطنية لحقوق الإنسان",
        },
        {
            "fr": "conformité de l'institution nationale aux Principes de Paris",
            "es": "institución nacional conforme a los Principios de París",
            "ar": "مؤسسة وطنية وفقا لمبادئ باريس",
        },
    ),
    Topic(
        "birth registration",
        r"birth registration|regist\w* (of )?(all )?(the )?(births?|newborns?|children)"
        r"|birth certificates?|civil regist",
        {
            "fr": "enregistrement des naissances",
            "es": "registro de nacimientos",
            "ar": "تسجيل المواليد",
        },
        {
            "fr": "actes de naissance des enfants",
            "es": "inscripción de los nacimientos",
            "ar": "شهادات الميلاد للأطفال",
        },
    ),
)


@dataclass(frozen=True, slots=True)
class Row:
    """One real recommendation, as the set keeps it."""

    key: str  # the importer's natural key: State, session, recommending State, text
    state: str  # ISO 3166 alpha-3 code of the State under review
    session: int
    recommending: str  # code of the recommending State, "" when the file does not say
    text: str
    themes: tuple[str, ...] = ()  # UPR Info Issues; not kept in the committed set


@dataclass(frozen=True, slots=True)
class Pair:
    """Two rows of the same State under review, first cycle then second, and their similarity."""

    earlier: str
    later: str
    ratio: float
    kind: str = REPEAT


@dataclass(frozen=True, slots=True)
class EvalSet:
    """The committed evaluation set, read back."""

    rows: Mapping[str, Row]
    repeats: Sequence[Pair]
    differing: Sequence[Pair]
    topics: Sequence[Topic]
    meta: Mapping[str, Any]


def read_rows(path: Path) -> list[Row]:
    """The rows of a UPR Info export, through the project's importer; a rejected row is an error."""
    rows: list[Row] = []
    with path.open("rb") as stream:
        for item in read_upr_info(stream):
            if isinstance(item, RecordError):
                raise ValueError(f"{path}: {item.as_dict()}")
            rows.append(_row(item))
    return rows


def _row(record: RecommendationRecord) -> Row:
    return Row(
        key=record.natural_key,
        state=record.state,
        session=record.session or 0,
        recommending=record.recommending_states[0] if record.recommending_states else "",
        text=record.text,
        themes=tuple(record.themes),
    )


def text_ratio(first: str, second: str) -> float:
    """Character similarity (0-100) of two texts, ignoring case and punctuation."""
    return float(fuzz.ratio(first, second, processor=utils.default_process))


def instruments(text: str) -> frozenset[str]:
    """The treaties and bodies a text names, whatever the name or acronym it uses."""
    return frozenset(name for name, pattern in INSTRUMENTS.items() if pattern.search(text))


def _by_state(rows: Iterable[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row.state].append(row)
    return grouped


@dataclass(frozen=True, slots=True)
class Candidates:
    """Every second-cycle row's best first-cycle match in its State, before selection."""

    best: list[tuple[Row, Row, float]]

    def histogram(self) -> dict[str, int]:
        """Best-match similarities in 5-point bins: the distribution REPEAT_RATIO was read from."""
        bins = Counter(min(int(ratio // 5) * 5, 95) for _, _, ratio in self.best)
        return {f"{low}-{low + 5}": bins[low] for low in range(0, 100, 5)}


def best_matches(earlier: Sequence[Row], later: Sequence[Row]) -> Candidates:
    """For each later row of a State reviewed in both files, its most similar earlier row."""
    before = _by_state(earlier)
    best: list[tuple[Row, Row, float]] = []
    for state, rows in sorted(_by_state(later).items()):
        previous = before.get(state)
        if not previous:
            continue
        scores = process.cdist(
            [row.text for row in rows],
            [row.text for row in previous],
            scorer=fuzz.ratio,
            processor=utils.default_process,
            workers=1,
        )
        for row, line in zip(rows, scores, strict=True):
            column = int(line.argmax())
            best.append((previous[column], row, float(line[column])))
    return Candidates(best)


def select_repeats(candidates: Candidates, *, limit: int = MAX_REPEATS) -> list[Pair]:
    """Near-identical (earlier, later) pairs naming the same instruments, one per distinct text
    pair, a deterministic sample of at most `limit`."""
    seen: set[tuple[str, int, str, str]] = set()
    pairs: list[Pair] = []
    for early, late, ratio in candidates.best:
        if ratio < REPEAT_RATIO or instruments(early.text) != instruments(late.text):
            continue
        # The same text from several recommending States is one repeat, not several.
        identity = (late.state, late.session, late.text, early.text)
        if identity in seen:
            continue
        seen.add(identity)
        pairs.append(Pair(early.key, late.key, round(ratio, 1)))
    if len(pairs) > limit:
        pairs = random.Random(SEED).sample(pairs, limit)
    return sorted(pairs, key=lambda pair: (pair.later, pair.earlier))


def select_differing(
    repeats: Sequence[Pair], rows: Mapping[str, Row], earlier: Sequence[Row]
) -> list[Pair]:
    """For each repeat's later row, first-cycle rows of its State known to say something else.

    One on another topic: no UPR Info Issue in common and a similarity below DIFFERING_RATIO,
    chosen at random. One, when the later row names treaties, naming only other treaties: the
    most similar such row, the hardest case a clustering meets.
    """
    chooser = random.Random(SEED)
    before = _by_state(earlier)
    pairs: list[Pair] = []
    for repeat in repeats:
        late = rows[repeat.later]
        ratios = {row.key: text_ratio(row.text, late.text) for row in before[late.state]}
        topics = [
            row
            for row in before[late.state]
            if row.themes
            and late.themes
            and not set(row.themes) & set(late.themes)
            and ratios[row.key] < DIFFERING_RATIO
        ]
        if topics:
            early = chooser.choice(topics)
            pairs.append(Pair(early.key, late.key, round(ratios[early.key], 1), OTHER_TOPIC))
        named = instruments(late.text)
        others = [
            row
            for row in before[late.state]
            if named and instruments(row.text) and not instruments(row.text) & named
        ]
        if others:
            early = max(others, key=lambda row: (ratios[row.key], row.key))
            pairs.append(Pair(early.key, late.key, round(ratios[early.key], 1), OTHER_INSTRUMENT))
    return pairs


def rule_matches(topic: Topic, texts: Iterable[str]) -> int:
    """How many of the distinct texts a topic's rule finds relevant."""
    return sum(1 for text in set(texts) if topic.matches(text))


def build(data: Path = REAL_DATA) -> dict[str, Any]:
    """The evaluation set from the real exports under `data`, as the JSON document to commit."""
    earlier = read_rows(data / EARLIER_FILE)
    later = read_rows(data / LATER_FILE)
    by_key = {row.key: row for row in [*earlier, *later]}
    candidates = best_matches(earlier, later)
    repeats = select_repeats(candidates)
    differing = select_differing(repeats, by_key, earlier)
    used = sorted({key for pair in [*repeats, *differing] for key in (pair.earlier, pair.later)})
    texts = [row.text for row in by_key.values()]
    above = sum(1 for _, _, ratio in candidates.best if ratio >= REPEAT_RATIO)
    return {
        "meta": {
            "source": [EARLIER_FILE, LATER_FILE],
            "repeat_ratio": REPEAT_RATIO,
            "differing_ratio": DIFFERING_RATIO,
            "scorer": "rapidfuzz fuzz.ratio, utils.default_process",
            "best_match_histogram": candidates.histogram(),
            "later_rows_at_or_above_ratio": above,
            "seed": SEED,
        },
        "rows": {
            key: {
                "state": by_key[key].state,
                "session": by_key[key].session,
                "from": by_key[key].recommending,
                "text": by_key[key].text,
            }
            for key in used
        },
        "repeats": [[pair.earlier, pair.later, pair.ratio] for pair in repeats],
        "differing": [[pair.earlier, pair.later, pair.ratio, pair.kind] for pair in differing],
        "queries": [
            {
                "topic": topic.name,
                "rule": topic.rule,
                "real_matches": rule_matches(topic, texts),
                **{language: topic.queries[language] for language in LANGUAGES},
                "rephrased": {language: topic.rephrased[language] for language in LANGUAGES},
            }
            for topic in TOPICS
        ],
    }


def load(path: Path = EVAL_FILE) -> EvalSet:
    """The committed evaluation set."""
    document = json.loads(path.read_text(encoding="utf-8"))
    rows = {
        key: Row(
            key=key,
            state=value["state"],
            session=value["session"],
            recommending=value["from"],
            text=value["text"],
        )
        for key, value in document["rows"].items()
    }
    return EvalSet(
        rows=rows,
        repeats=[Pair(*item) for item in document["repeats"]],
        differing=[Pair(*item) for item in document["differing"]],
        topics=[
            Topic(
                item["topic"],
                item["rule"],
                {code: item[code] for code in LANGUAGES},
                {code: item["rephrased"][code] for code in LANGUAGES},
            )
            for item in document["queries"]
        ],
        meta=document["meta"],
    )


def precision_at_k(relevant: Sequence[bool], k: int = K) -> float:
    """Share of the first k results that are relevant; missing results count as irrelevant."""
    return sum(1 for hit in relevant[:k] if hit) / k


def query_precision(topic: Topic, ranked_texts: Sequence[str], k: int = K) -> float:
    """Precision@k of a topic's query, given the texts it returned, best first."""
    return precision_at_k([topic.matches(text) for text in ranked_texts[:k]], k)


def recall_at_k(neighbours: Sequence[Sequence[str]], expected: Sequence[str], k: int = K) -> float:
    """Share of queries whose expected item (its repeat) is among its first k neighbours."""
    if len(neighbours) != len(expected):
        raise ValueError("one neighbour list per expected item")
    if not expected:
        return 0.0
    found = sum(
        1 for ranked, target in zip(neighbours, expected, strict=True) if target in ranked[:k]
    )
    return found / len(expected)


@dataclass(frozen=True, slots=True)
class Purity:
    """How a clustering treats the labelled pairs."""

    together: float  # share of repeat pairs put in one cluster
    apart: float  # share of differing pairs kept in different clusters

    @property
    def score(self) -> float:
        """The mean of the two: one big cluster and all singletons both score 0.5."""
        return (self.together + self.apart) / 2


def pair_purity(
    clusters: Mapping[str, Hashable], repeats: Sequence[Pair], differing: Sequence[Pair]
) -> Purity:
    """Purity of a clustering (row key -> cluster) judged on the labelled pairs.

    The set has no gold clusters, only must-link (repeat) and cannot-link (differing) pairs; the
    two shares are balanced so that neither merging everything nor splitting everything pays.
    """
    if not repeats or not differing:
        raise ValueError("purity needs both repeat and differing pairs")
    together = sum(1 for pair in repeats if clusters[pair.earlier] == clusters[pair.later])
    apart = sum(1 for pair in differing if clusters[pair.earlier] != clusters[pair.later])
    return Purity(together / len(repeats), apart / len(differing))


def dumps(document: Mapping[str, Any]) -> str:
    """The set as JSON with one row, pair or query per line: small diffs, readable Arabic."""
    sections = []
    for name, value in document.items():
        if isinstance(value, Mapping):
            items = [f"  {json.dumps(key)}: {_compact(item)}" for key, item in value.items()]
            sections.append(f"{json.dumps(name)}: {{\n" + ",\n".join(items) + "\n }")
        else:
            items = [f"  {_compact(item)}" for item in value]
            sections.append(f"{json.dumps(name)}: [\n" + ",\n".join(items) + "\n ]")
    return "{\n " + ",\n ".join(sections) + "\n}\n"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write(document: Mapping[str, Any], path: Path = EVAL_FILE) -> None:
    """Write the set where the benchmark and the tests read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(document), encoding="utf-8")


def _summary(document: Mapping[str, Any]) -> None:
    meta = document["meta"]
    print(f"rows kept: {len(document['rows'])}")
    print(
        f"repeats: {len(document['repeats'])} (of {meta['later_rows_at_or_above_ratio']} later "
        f"rows with a best match >= {REPEAT_RATIO:g})"
    )
    kinds = Counter(item[3] for item in document["differing"])
    print(f"differing pairs: {len(document['differing'])} {dict(kinds)}")
    print("best-match similarity of each later row (5-point bins):")
    for band, count in meta["best_match_histogram"].items():
        print(f"  {band:>7} {count:5d}")
    print("queries:")
    for item in document["queries"]:
        print(f"  {item['topic']:<36} {item['real_matches']:4d} real texts match the rule")


def main() -> None:
    """Rebuild the evaluation set from the real exports and print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REAL_DATA, help="folder with upr-info/")
    parser.add_argument("--out", type=Path, default=EVAL_FILE, help="where to write the JSON")
    args = parser.parse_args()
    document = build(args.data)
    write(document, args.out)
    _summary(document)
    print(f"written: {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
