"""Decides whether a recommendation concerns human rights defenders, from its tags and its text."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from models.enums import HrdRelevance

# Each language's terms are alternatives of four kinds, tried in this order at each position of
# the text: the first that matches wins. A mandate title ("Special Rapporteur on the situation of
# human rights defenders") and an institution named after defenders (Armenia's Human Rights
# Defender, France's Défenseur des droits) must come before the defender terms they contain.
_KINDS: Final = ("mandate", "institution", "direct", "related")


def _each(heads: str, tail: str) -> tuple[str, ...]:
    """One alternative per head of `heads` ("a|b(?:c|d)"), each followed by `tail`."""
    split: list[str] = []
    depth = start = 0
    for index, char in enumerate(heads):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            split.append(heads[start:index])
            start = index + 1
    split.append(heads[start:])
    return tuple(head + tail for head in split)


# --- English -------------------------------------------------------------------------------

_EN_DEFENDERS = r"(?:(?:women\s+)?human[\s-]+rights?\s+defenders?|w?hrds)\b"
_EN_MANDATE = _each(
    r"special\s+rapporteurs?|special\s+representatives?|special\s+procedures?|"
    r"independent\s+experts?|mandate[\s-]+holders?|mandates?|rapporteurs?",
    r"(?:\s+of\s+the\s+(?:un\s+|united\s+nations\s+)?secretary[\s-]+general)?"
    r"(?:\s+of\s+the\s+human\s+rights\s+council)?"
    r",?\s+(?:(?:in\s+particular|including|especially|notably|namely)\s+)?"
    r"(?:(?:the\s+ones?|those)\s+)?"
    r"(?:on|for|responsible\s+for|dealing\s+with|concerning|regarding)\s+"
    r"(?:the\s+)?(?:(?:situation|question|protection)\s+of\s+)?"
    # Other mandates listed first: "Special Procedures on the right to food, human rights
    # defenders, ...". Items are separated by commas or "and", so a clause that goes on to ask
    # something of defenders ("on torture to visit and protect defenders") is not a title.
    r"(?:[^,.;:()]{1,60}?(?:,\s+(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)(?:on\s+)?(?:the\s+)?"
    r"(?:(?:situation|question)\s+of\s+)?){0,8}" + _EN_DEFENDERS,
)
_EN_INSTITUTION = (
    r"office\s+of\s+the\s+human\s+rights\s+defender\b(?!s)",
    r"human\s+rights\s+defender(?:['\u2019]s)?\s+(?:office|institution)\b",
    r"human\s+rights\s+defender\s+of\s+(?:the\s+republic\s+of\s+)?armenia\b",
    r"public\s+defender\b(?!s)",
    r"people['\u2019]s\s+defender\b(?!s)",
)
_EN_PERSONS = "persons|people|individuals|those|anyone|everyone|groups|citizens|others"
_EN_NOT_VIOLATIONS = r"(?!\s+(?:violations?|abuses?|crimes|offen))"
_EN_DIRECT = (
    r"women['\u2019]?s?\s+(?:human\s+)?rights?\s+defenders?\b",
    r"woman\s+human\s+rights\s+defenders?\b",
    r"human[\s-]+rights?\s+defenders?\b",
    # "land rights defenders", "LGBTI rights defenders", "minority rights defenders".
    r"rights\s+defenders?\b",
    # Plural only: "HRD" alone also abbreviates "human resource development".
    r"hrds\b",
    r"whrds\b",
    r"defenders?\s+of\s+(?:the\s+)?human\s+rights\b",
    # Plural only: the Czech ombudsman is the "Public Defender of Rights".
    r"defenders\s+of\s+(?:the\s+)?(?:[\w'\u2019]+\s+)?rights(?:\s+of\s+(?:the\s+)?\w+)?\b",
    r"environmental\s+(?:and\s+land\s+)?defenders\b",
    r"land\s+(?:and\s+environmental\s+)?defenders\b",
    r"human\s+rights\s+(?:activists?|workers|advocates|campaigners)\b",
    *_each(
        _EN_PERSONS + "|all",
        r"\s+(?:who|that)\s+(?:are\s+)?(?:\w+ly\s+)?"
        r"(?:promot|defend|protect|uphold|advocat|campaign|fight|work|striv)\w*\s+"
        r"(?:(?:for|on|to\s+\w+)\s+(?:and\s+\w+\s+)?)?(?:the\s+)?human\s+rights\b"
        + _EN_NOT_VIOLATIONS,
    ),
    *_each(
        _EN_PERSONS,
        r"\s+(?:\w+ly\s+)?(?:promoting|defending|protecting|upholding|working|acting|engaged|"
        r"involved|active|striving|campaigning|advocating)\s+(?:\w+ly\s+)?"
        r"(?:(?:for|on|in|to\s+\w+)\s+(?:and\s+\w+\s+)?)?(?:the\s+)?"
        r"(?:(?:promotion|defen[cs]e|protection)\s+(?:and\s+\w+\s+)?of\s+)?human\s+rights\b"
        + _EN_NOT_VIOLATIONS,
    ),
    # The Declaration on human rights defenders names them so.
    r"individuals,?\s+groups\s+and\s+organs\s+of\s+society\b",
)
_EN_FREEDOM = (
    r"(?:peaceful\s+)?(?:assembly|association|expression|opinion|speech|the\s+press|(?:the\s+)?media|"
    r"information|demonstration)\b"
)
_EN_RELATED = (
    r"journalis(?:ts?|m)\b",
    r"reporters\b",
    r"bloggers?\b",
    r"media\s+(?:workers|professionals|personnel|freedoms?|outlets|laws?|pluralism|independence)\b",
    r"members\s+of\s+the\s+(?:media|press)\b",
    r"independen(?:t|ce\s+of\s+the)\s+media\b",
    r"free\s+(?:and\s+independent\s+)?media\b",
    r"press\s+(?:freedom|laws?|offen[cs]es?)\b",
    r"censorship\b",
    r"defamation\b",
    r"libel\b",
    r"insult\s+laws?\b",
    r"prisoners?\s+of\s+conscience\b",
    r"political\s+prisoners?\b",
    r"article\s+19\s+of\s+(?:the\s+)?(?:iccpr|udhr|(?:international\s+)?covenant\s+on\s+civil|"
    r"universal\s+declaration)",
    r"lawyers\b",
    r"bar\s+associations?\b",
    r"legal\s+profession(?:als)?\b",
    r"civil\s+societ(?:y|ies)\b",
    r"civic\s+space\b",
    r"ngos?\b",
    r"non[\s-]?governmental\s+organi[sz]ations?\b",
    r"human\s+rights\s+organi[sz]ations?\b",
    r"reprisals?\b",
    r"intimidation\b[^.;]{0,80}?\bcooperat\w*\s+with\s+(?:the\s+)?(?:united\s+nations|un\b|"
    r"human\s+rights\s+(?:mechanisms|bodies|council)|special\s+procedures|treaty\s+bodies)",
    rf"freedoms?\s+of\s+{_EN_FREEDOM}(?:(?:,\s+|,?\s+and\s+|,?\s+or\s+)(?:of\s+)?{_EN_FREEDOM})*",
    r"free\s+expression\b",
    r"rights?\s+(?:to|of)\s+(?:peaceful\s+)?(?:assembly|association|assemble|associate)\b",
    r"peaceful\s+(?:assembl(?:y|ies)|protests?|demonstrations?)\b",
    r"public\s+assembl(?:y|ies)\b",
    r"national\s+human\s+rights\s+(?:institution(?:s|al)?|commissions?|councils?)\b",
    r"national\s+(?:institutions?|commissions?|councils?|cent(?:re|er)s?|institutes?)\s+"
    r"(?:for|on|of)\s+(?:the\s+)?"
    r"(?:promotion\s+and\s+protection\s+of\s+)?human\s+rights\b",
    r"nhris?\b",
    r"nhrcs?\b",
    r"parliament(?:ary)?\s+commissioners?\s+for\s+human\s+rights\b",
    r"human\s+rights\s+commissions?\b",
    r"paris\s+principles\b",
    r"ombuds(?:man|men|person|persons|woman)\b",
)
# Acting on what a mandate-holder recommended or found is about defenders; inviting one is not.
_EN_SUBSTANCE = (
    r"\b(?:recommendations?|concerns?|findings|conclusions|observations|views|report|"
    r"communications?|statements?|guidelines)\b"
)

# --- French --------------------------------------------------------------------------------

_FR_HUMAN = r"(?:de\s+l['\u2019]\s*homme|humains|de\s+la\s+personne(?:\s+humaine)?|fondamentaux)"
_FR_DEFENDERS = (
    r"d[ée]fenseu\w*(?:\s+et\s+(?:les\s+|des\s+)?d[ée]fenseu\w*)?\s+des\s+droits\s+" + _FR_HUMAN
)
_FR_MANDATE = _each(
    r"rapporteu(?:r|se)s?|repr[ée]sentante?s?|proc[ée]dures?|experte?s?|"
    r"titulaires?\s+de\s+mandats?",
    r"(?:\s+sp[ée]ciale?s?|\s+ind[ée]pendante?s?)?(?:\s+du\s+secr[ée]taire\s+g[ée]n[ée]ral)?"
    r",?\s+(?:(?:notamment|en\s+particulier|dont)\s+)?(?:(?:celui|celle|ceux)\s+)?"
    r"(?:sur|pour|charg[ée]e?s?\s+de|concernant|relati(?:f|ve)s?\s+[àa])\s+"
    r"(?:la\s+|les\s+)?(?:(?:situation|question|protection)\s+des\s+)?"
    r"(?:[^,.;:()]{1,60}?(?:,\s+(?:et\s+|ou\s+)?|\s+et\s+|\s+ou\s+)(?:sur\s+)?(?:la\s+|les\s+)?"
    r"(?:(?:situation|question)\s+des\s+)?){0,8}" + _FR_DEFENDERS,
)
_FR_INSTITUTION = (
    # France's ombudsman: singular, with no "of human rights" after it.
    r"d[ée]fenseur\s+des\s+droits\b(?!\s+(?:de\s+l|des\s|humains|fondamentaux|de\s+la))",
)
_FR_DIRECT = (
    _FR_DEFENDERS,
    r"d[ée]fenseu\w*\s+des\s+droits\s+des\s+\w+",
    r"d[ée]fenseu(?:rs|ses|r[·.]?e[·.]?s)\s+des\s+droits\b",
    *_each(
        r"militant|activiste",
        r"(?:e|s|es)?\s+(?:des|pour\s+les|de\s+la\s+d[ée]fense\s+des)\s+droits\s+" + _FR_HUMAN,
    ),
    *_each(
        r"personnes|individus|ceux|celles|tous\s+ceux|toutes\s+celles",
        r"\s+qui\s+(?:\w+\s+)?(?:promeuvent|d[ée]fendent|prot[èe]gent|[œo]e?uvrent|travaillent|"
        r"luttent|militent)\s+(?:\S+\s+){0,4}?droits\s+" + _FR_HUMAN,
    ),
    r"individus,?\s+groupes\s+et\s+organes\s+de\s+la\s+soci[ée]t[ée]\b",
)
_FR_FREEDOM = (
    r"(?:d['\u2019]\s*association|de\s+r[ée]union(?:\s+pacifique)?|d['\u2019]\s*expression|"
    r"d['\u2019]\s*opinion|de\s+la\s+presse|de\s+rassemblement|des\s+m[ée]dias|d['\u2019]\s*information|"
    r"de\s+manifestation(?:\s+pacifique)?)"
)
_FR_RELATED = (
    r"journalistes?\b",
    r"professionnel\w*\s+des\s+m[ée]dias\b",
    r"travailleu\w*\s+des\s+m[ée]dias\b",
    r"avocat(?:e)?s\b",
    r"barreaux?\b",
    r"soci[ée]t[ée]\s+civile\b",
    r"organisations?\s+non[\s-]+gouvernementales?\b",
    r"ongs?\b",
    r"associations\b",
    r"repr[ée]sailles\b",
    r"intimidation\b[^.;]{0,80}?\bcoop[ée]r\w*\s+avec\s+(?:l['\u2019]\s*organisation\s+des\s+"
    r"nations\s+unies|les\s+nations\s+unies|l['\u2019]\s*onu|les\s+m[ée]canismes)",
    rf"libert[ée]s?\s+{_FR_FREEDOM}(?:(?:,\s+|,?\s+et\s+|,?\s+ou\s+){_FR_FREEDOM})*",
    r"droits?\s+(?:de\s+r[ée]union|d['\u2019]\s*association|de\s+manifester|de\s+s['\u2019]\s*associer)",
    r"institutions?\s+nationales?\s+(?:des|de\s+(?:promotion\s+et\s+de\s+protection\s+des|"
    r"protection\s+des))\s+droits\s+" + _FR_HUMAN,
    r"commissions?\s+nationales?\s+(?:consultatives?\s+)?(?:des|pour\s+les)\s+droits\s+"
    + _FR_HUMAN,
    r"indh\b",
    r"principes\s+de\s+paris\b",
    r"m[ée]diateur\s+de\s+la\s+r[ée]publique\b",
    r"ombudsman\b",
    r"protecteur\s+du\s+citoyen\b",
)
_FR_SUBSTANCE = (
    r"\b(?:recommandations?|pr[ée]occupations?|conclusions|observations|constatations|avis|"
    r"rapports?|communications?|d[ée]clarations?)\b"
)

# --- Spanish -------------------------------------------------------------------------------

_ES_DEFENDERS = (
    r"defensor(?:es|as|a)?(?:\s+y\s+(?:las\s+|los\s+)?defensor(?:es|as|a)?)?\s+de\s+(?:los\s+)?"
    r"derechos\s+humanos"
)
_ES_MANDATE = _each(
    r"relator(?:a|es|as)?|representantes?|procedimientos?|expert[oa]s?|"
    r"titulares?\s+de\s+mandatos?",
    r"(?:\s+especial(?:es)?|\s+independientes?)?(?:\s+del\s+secretario\s+general)?"
    r",?\s+(?:(?:en\s+particular|incluid[oa]s?|especialmente)\s+)?(?:(?:el|la|los|las)\s+)?"
    r"(?:sobre|para|de|encargad[oa]s?\s+de)\s+(?:la\s+|los\s+|las\s+)?"
    r"(?:(?:situaci[oó]n|cuesti[oó]n|protecci[oó]n)\s+de\s+(?:los\s+|las\s+)?)?"
    r"(?:[^,.;:()]{1,60}?(?:,\s+(?:y\s+|o\s+)?|\s+y\s+|\s+o\s+)(?:sobre\s+)?(?:la\s+|los\s+|las\s+)?"
    r"(?:(?:situaci[oó]n|cuesti[oó]n)\s+de\s+(?:los\s+|las\s+)?)?){0,8}" + _ES_DEFENDERS,
)
_ES_INSTITUTION = (
    r"defensor(?:[íi]a)?\s+del\s+pueblo\b",
    r"procurador(?:[íi]a)?\s+(?:para\s+la\s+defensa\s+)?de\s+(?:los\s+)?derechos\s+humanos",
)
_ES_DIRECT = (
    _ES_DEFENDERS,
    r"defensor(?:es|as)\s+de\s+(?:los\s+)?derechos(?:\s+de\s+(?:las?\s+|los\s+)?\w+)?",
    *_each(
        r"activistas|militantes|luchador(?:es|as)",
        r"\s+(?:de|por|pro|en\s+favor\s+de)\s+(?:los\s+)?derechos\s+humanos",
    ),
    *_each(
        r"personas|individuos|aquell[oa]s|quienes|tod[oa]s\s+(?:los|las)\s+que",
        r"\s+(?:que\s+)?(?:promueven|defienden|protegen|trabajan|luchan|abogan)\s+"
        r"(?:\S+\s+){0,4}?derechos\s+humanos",
    ),
    r"individuos,?\s+(?:los\s+)?grupos\s+y\s+(?:las\s+)?instituciones\s+de\s+promover\b",
)
_ES_FREEDOM = (
    r"(?:asociaci[oó]n|reuni[oó]n(?:\s+pac[íi]fica)?|expresi[oó]n|opini[oó]n|prensa|"
    r"informaci[oó]n|los\s+medios|manifestaci[oó]n(?:\s+pac[íi]fica)?)"
)
_ES_RELATED = (
    r"periodistas?\b",
    r"comunicador(?:es|as)\s+sociales\b",
    r"trabajador(?:es|as)\s+de\s+(?:los\s+)?medios\b",
    r"profesionales\s+de\s+(?:los\s+)?medios\b",
    r"abogad(?:os|as)\b",
    r"colegios?\s+de\s+abogados\b",
    r"sociedad\s+civil\b",
    r"organizaci(?:[oó]n|ones)\s+no\s+gubernamental(?:es)?\b",
    r"ongs?\b",
    r"asociaciones\b",
    r"represalias?\b",
    r"intimidaci[oó]n\b[^.;]{0,80}?\bcooperaci[oó]n\s+con\s+(?:las\s+naciones\s+unidas|"
    r"la\s+onu|los\s+mecanismos)",
    rf"libertad(?:es)?\s+de\s+{_ES_FREEDOM}(?:(?:,\s+|,?\s+y\s+|,?\s+o\s+)(?:de\s+)?"
    rf"{_ES_FREEDOM})*",
    r"derechos?\s+(?:de\s+reuni[oó]n|de\s+asociaci[oó]n|a\s+reunirse|a\s+asociarse)",
    r"instituci(?:[oó]n|ones)\s+nacional(?:es)?\s+de\s+(?:promoci[oó]n\s+y\s+protecci[oó]n\s+"
    r"de\s+)?(?:los\s+)?derechos\s+humanos",
    r"comisi(?:[oó]n|ones)\s+nacional(?:es)?\s+de\s+(?:los\s+)?derechos\s+humanos",
    r"indh\b",
    r"principios\s+de\s+par[íi]s\b",
    r"ombudsman\b",
)
_ES_SUBSTANCE = (
    r"\b(?:recomendaci(?:[oó]n|ones)|preocupaci(?:[oó]n|ones)|conclusiones|observaciones|"
    r"informes?|comunicaciones|declaraci(?:[oó]n|ones))\b"
)

# --- Arabic --------------------------------------------------------------------------------
# Arabic terms are written plainly; _arabic() lets each letter match its common variants (the
# hamza forms of alif, ta marbuta and ha, alif maqsura and ya) and carry diacritics or tatweel,
# so matches stay on the text as written. "<W>" stands for the rest of a word. A term may follow
# the attached conjunctions, prepositions and article (و ف ب ل ك ال لل), which a match then
# takes in for the reason.

_AR_WORD = "[\u0621-\u065f\u0670\u0671-\u06d3]"
_AR_MARKS = "[\u064b-\u065f\u0670\u0640]*"
_AR_ALIF = "[\u0627\u0623\u0625\u0622\u0671]"
_AR_VARIANTS: Final = {
    "\u0627": _AR_ALIF,
    "\u0623": _AR_ALIF,
    "\u0625": _AR_ALIF,
    "\u0622": _AR_ALIF,
    "\u0629": "[\u0629\u0647]",
    "\u0647": "[\u0647\u0629]",
    "\u0649": "[\u0649\u064a\u06cc]",
    "\u064a": "[\u064a\u0649\u06cc]",
    "\u0624": "[\u0624\u0648]",
    "\u0626": "[\u0626\u064a\u0649]",
}
# What may be attached in front of a term: a match preceded by other letters is inside a word.
_AR_PREFIXES: Final = frozenset(
    ("ال", "لل", "وال", "بال", "فال", "كال", "ولل", "و", "ف", "ب", "ل", "ك")
)
_AR_UNMARK: Final = str.maketrans("", "", "".join(map(chr, range(0x064B, 0x0660))) + "\u0670\u0640")


def _arabic(pattern: str) -> str:
    out: list[str] = []
    for char in pattern:
        if "\u0621" <= char <= "\u064a":
            out.append(f"(?:{_AR_VARIANTS.get(char, char)}{_AR_MARKS})")
        else:
            out.append(char)
    return "".join(out).replace("<W>", _AR_WORD + "*")


_AR_HUMAN = r"(?:ال)?انسان"
_AR_DEFENDERS = (
    r"مدافع(?:ين|ون|ات|ة|ي|و)?(?:\s+و(?:ال)?مدافع(?:ين|ون|ات))?\s+(?:عن\s+)?(?:ال)?حقوق\s+"
    + _AR_HUMAN
)
_AR_MANDATE = _each(
    "مقرر|ممثل",
    r"(?:ة)?\s+(?:ال)?خاص(?:ة)?(?:\s+ل(?:ل)?امين\s+(?:ال)?عام)?"
    r"\s+(?:(?:ال)?معني(?:ة)?\s+)?(?:ب)?(?:حالة\s+)?"
    r"(?:[^،,.؛;:()]{1,60}?(?:[،,]\s*(?:و)?|\s+و)(?:ب)?(?:حالة\s+)?){0,8}(?:ال)?" + _AR_DEFENDERS,
)
_AR_DIRECT = (
    _AR_DEFENDERS,
    r"مدافع(?:ين|ون|ات|ة)?\s+عن\s+(?:ال)?حقوق\b",
    r"ناشط(?:ين|ون|ات|ي|و)?\s+(?:في\s+مجال\s+)?(?:ال)?حقوق\s+" + _AR_HUMAN,
    r"نشطاء\s+(?:في\s+مجال\s+)?(?:ال)?حقوق\s+" + _AR_HUMAN,
    *_each(
        "الذين|اللواتي|اللاتي|من",
        r"\s+(?:ي|ت)(?:دافع|عزز|حم)<W>\s+(?:عن\s+)?حقوق\s+" + _AR_HUMAN,
    ),
)
_AR_RELATED = (
    r"صحفي(?:ين|ون|ات)?",
    r"صحافي(?:ين|ون|ات)?",
    r"صحافة",
    r"اعلامي(?:ين|ون)",
    r"عامل(?:ين|ون)\s+في\s+(?:مجال\s+)?(?:وسائل\s+)?(?:ال)?اعلام",
    r"محام(?:ين|ون)",
    r"مجتمع\s+(?:ال)?مدني",
    r"منظم(?:ة|ات)\s+غير\s+(?:ال)?حكومي(?:ة)?",
    r"جمعيات",
    r"انتقام(?:ية|ي)?",
    *_each("ترهيب|تخويف", r"[^.؛]{0,80}?تعاون<W>\s+مع\s+(?:ال)?امم\s+(?:ال)?متحدة"),
    r"حري(?:ة|ات)\s+(?:تكوين\s+(?:ال)?جمعيات|(?:ال)?تجمع(?:\s+(?:ال)?سلمي)?|(?:ال)?تعبير|"
    r"(?:ال)?راي|(?:ال)?صحافة|(?:ال)?اعلام|(?:ال)?اجتماع|(?:ال)?تظاهر)",
    *_each(
        "مؤسس|هيئ|لجن|مجلس|مجالس",
        r"<W>\s+(?:ال)?(?:وطني|علي|مستقل)<W>\s+(?:\S+\s+)?(?:ل|لل)حقوق\s+" + _AR_HUMAN,
    ),
    r"مبادئ\s+باريس",
    r"مظالم",
)
_AR_SUBSTANCE = "(?:توصي|شواغل|قلق|استنتاج|ملاحظات|تقرير)"


@dataclass(frozen=True, slots=True)
class _Terms:
    """One language's alternatives by kind, each starting with a plain letter."""

    mandate: tuple[str, ...]
    institution: tuple[str, ...]
    direct: tuple[str, ...]
    related: tuple[str, ...]
    substance: str
    arabic: bool = False

    def of_kind(self, kind: str) -> tuple[str, ...]:
        return {
            "mandate": self.mandate,
            "institution": self.institution,
            "direct": self.direct,
            "related": self.related,
        }[kind]


_TERMS: Final = {
    "en": _Terms(_EN_MANDATE, _EN_INSTITUTION, _EN_DIRECT, _EN_RELATED, _EN_SUBSTANCE),
    "fr": _Terms(_FR_MANDATE, _FR_INSTITUTION, _FR_DIRECT, _FR_RELATED, _FR_SUBSTANCE),
    "es": _Terms(_ES_MANDATE, _ES_INSTITUTION, _ES_DIRECT, _ES_RELATED, _ES_SUBSTANCE),
    "ar": _Terms(_AR_MANDATE, (), _AR_DIRECT, _AR_RELATED, _AR_SUBSTANCE, arabic=True),
}


def _alternation(alternatives: Sequence[str], *, arabic: bool) -> str:
    """The alternatives grouped under their first letter, keeping their order within a letter.

    The regex engine skips an alternative whose first letter does not match at almost no cost,
    so a text is scanned once with a handful of cheap checks per word instead of one full
    attempt per term; a term that started with a group or a class would lose that. For the
    same reason Arabic word starts are checked on the matches (_scan), not in the pattern.
    """
    by_letter: dict[str, list[str]] = {}
    for alternative in alternatives:
        if not alternative[:1].isalpha() or alternative[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"a term must start with a plain letter: {alternative!r}")
        by_letter.setdefault(alternative[0], []).append(alternative[1:])
    branches: list[str] = []
    for letter, tails in by_letter.items():
        if arabic:
            head = _AR_VARIANTS.get(letter, letter) + _AR_MARKS
            body = "|".join(_arabic(tail) for tail in tails)
        else:
            head, body = letter, "|".join(tails)
        branches.append(f"{head}(?:{body})")
    if arabic:
        return "|".join(branches)
    # One \b in front of all the Latin terms costs less than one check per letter.
    return r"\b(?:" + "|".join(branches) + ")"


def _pattern(languages: Sequence[_Terms], kinds: Sequence[str]) -> str:
    """One alternation of the languages' terms of `kinds`, kind by kind.

    The Latin-script languages share one alternation, so that a word start costs one check
    against each first letter whatever the number of languages.
    """
    latin = [
        t for kind in kinds for terms in languages if not terms.arabic for t in terms.of_kind(kind)
    ]
    arabic = [
        t for kind in kinds for terms in languages if terms.arabic for t in terms.of_kind(kind)
    ]
    parts = [_alternation(latin, arabic=False)] if latin else []
    if arabic:
        parts.append(_alternation(arabic, arabic=True))
    return "|".join(parts)


class _Scanner:
    """Languages' terms compiled into one pattern that finds them all in a single pass."""

    def __init__(self, languages: Sequence[_Terms]) -> None:
        source = _pattern(languages, _KINDS)
        # The terms are written in lower case, and matching the lower-cased text is several
        # times faster than IGNORECASE; that stays for the rare text whose length lower()
        # changes ("İ" lowers to two code points), where offsets would not line up.
        self.lowered = re.compile(source)
        self.folded = re.compile(source, re.IGNORECASE)
        self.kinds = [(kind, re.compile(_pattern(languages, [kind]))) for kind in _KINDS]
        self.substance = re.compile(
            "|".join(_arabic(t.substance) if t.arabic else t.substance for t in languages),
            re.IGNORECASE,
        )
        self._kind_of: dict[str, str] = {}

    def kind(self, words: str) -> str:
        """Which kind of term matched `words` (lower case): the first kind that matches them."""
        kind = self._kind_of.get(words)
        if kind is None:
            kind = next((k for k, p in self.kinds if p.fullmatch(words)), "related")
            if len(self._kind_of) > 10_000:
                self._kind_of.clear()
            self._kind_of[words] = kind
        return kind


_SCANNERS: Final = {code: _Scanner([terms]) for code, terms in _TERMS.items()}
_ALL: Final = _Scanner(list(_TERMS.values()))


def _scanner_for(language: str) -> _Scanner:
    scanner = _SCANNERS.get(language)
    if scanner is None:
        scanner = _SCANNERS.get(language.strip().lower().replace("_", "-").split("-")[0], _ALL)
    return scanner


# How far before a mandate title to look for "the recommendations of", "concerns raised by".
_SUBSTANCE_WINDOW: Final = 60


def _is_arabic_letter(char: str) -> bool:
    # Letters, diacritics and tatweel; not Arabic punctuation or digits.
    return "\u0621" <= char <= "\u065f" or "\u0670" <= char <= "\u06d3"


def _scan(scanner: _Scanner, text: str) -> tuple[list[str], list[str]]:
    """The direct and the related terms of `text`, as written, in text order."""
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    matches = (scanner.lowered if same_length else scanner.folded).finditer(
        lowered if same_length else text
    )
    found: list[tuple[str, str]] = []
    for match in matches:
        start, end = match.span()
        begin = start
        while begin and _is_arabic_letter(text[begin - 1]):
            begin -= 1
        if begin < start and text[begin:start].translate(_AR_UNMARK) not in _AR_PREFIXES:
            continue
        kind = scanner.kind(match.group().lower())
        if kind == "mandate":
            # A mandate named only as someone to invite or cooperate with is civic space; acting
            # on what the mandate-holder recommended or was concerned about is about defenders.
            before = text[max(0, start - _SUBSTANCE_WINDOW) : start]
            kind = "direct" if scanner.substance.search(before) else "mandate"
        found.append((kind, text[begin:end]))
    if not any(kind == "direct" for kind, _ in found):
        return [], [words for _, words in found]
    # Beside a term about defenders, a mandate title is one more such term.
    return (
        [words for kind, words in found if kind in ("direct", "mandate")],
        [words for kind, words in found if kind in ("institution", "related")],
    )


@lru_cache(maxsize=4096)
def _tag_relevance(tag: str) -> HrdRelevance:
    direct, related = _scan(_ALL, tag)
    if direct:
        return HrdRelevance.DIRECT
    return HrdRelevance.RELATED if related else HrdRelevance.NONE


def _reasons(source: str, matches: Iterable[str], seen: set[str]) -> list[dict[str, str]]:
    reasons: list[dict[str, str]] = []
    for words in matches:
        key = source + ":" + " ".join(words.casefold().split())
        if key not in seen:
            seen.add(key)
            reasons.append({"source": source, "match": words})
    return reasons


def classify(
    text: str, *, language: str, tags: Iterable[str]
) -> tuple[HrdRelevance, list[dict[str, str]]]:
    """Whether a recommendation concerns defenders (direct), civic space (related) or neither.

    `tags` are the source's own labels (themes, affected persons) and `language` the ISO 639-1
    code of `text`. The reasons name the tags and the words of the text that decided, direct
    ones first, so a person can check the call.
    """
    direct_tags: list[str] = []
    related_tags: list[str] = []
    for tag in tags:
        relevance = _tag_relevance(tag.strip())
        if relevance is HrdRelevance.DIRECT:
            direct_tags.append(tag)
        elif relevance is HrdRelevance.RELATED:
            related_tags.append(tag)
    direct_words, related_words = _scan(_scanner_for(language), text)
    seen: set[str] = set()
    if direct_tags or direct_words:
        reasons = _reasons("tag", direct_tags, seen) + _reasons("text", direct_words, seen)
        reasons += _reasons("tag", related_tags, seen) + _reasons("text", related_words, seen)
        return HrdRelevance.DIRECT, reasons
    if related_tags or related_words:
        reasons = _reasons("tag", related_tags, seen) + _reasons("text", related_words, seen)
        return HrdRelevance.RELATED, reasons
    return HrdRelevance.NONE, []
