"""Writes a synthetic UHRI-format JSON export (one array of records) for benchmarks."""

import argparse
import json
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pycountry

from suivi.records import upr_cycle

TREATY_BODIES = ("CCPR", "CRC", "CAT", "CEDAW", "CERD", "CESCR", "CMW", "CRPD", "CED", "SPT")
TREATY_WEIGHTS = (16, 18, 10, 16, 12, 12, 4, 8, 3, 1)
MANDATES = (
    "SR on the situation of human rights defenders",
    "SR on freedom of opinion and expression",
    "SR on the rights to freedom of peaceful assembly and of association",
    "SR on the independence of judges and lawyers",
    "SR on torture and other cruel, inhuman or degrading treatment or punishment",
    "SR on human rights and counter-terrorism",
    "SR on violence against women and girls",
    "WG on arbitrary detention",
    "WG on enforced or involuntary disappearances",
    "SR on the right to food",
    "SR on adequate housing as a component of the right to an adequate standard of living",
    "SR on extreme poverty and human rights",
    "SR on the human rights of migrants",
    "SR on the rights of Indigenous Peoples",
    "SR on the right to education",
    "IE on sexual orientation and gender identity",
    "IE on the enjoyment of all human rights by older persons",
    "WG on business and human rights",
    "SR on the situation of human rights in Belarus",
)
REGIONS = (
    "Africa",
    "Asia-Pacific",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Western European and other States",
)
THEMES = (
    "Human rights defenders",
    "Freedom of opinion and expression",
    "Freedom of association",
    "Freedom of peaceful assembly",
    "Administration of justice & fair trial",
    "Torture and other cruel, inhuman or degrading treatment",
    "Enforced disappearances",
    "Violence against women",
    "Sexual & gender-based violence",
    "Right to health",
    "Right to education",
    "Right to food",
    "Right to adequate housing",
    "Rights related to name, identity & nationality",
    "Children: protection against exploitation",
    "Juvenile justice",
    "Death penalty",
    "Conditions of detention",
    "Liberty & security of the person",
    "Racial discrimination",
    "Equality & non-discrimination",
    "Migrants",
    "Refugees & asylum-seekers",
    "Trafficking in persons",
    "Indigenous peoples",
    "Minorities",
    "Persons with disabilities: definition, general principles",
    "Scope of international obligations",
    "Cooperation with treaty bodies",
    "National human rights institution (NHRI)",
    "Human rights education & training",
    "Business & human rights",
    "Corruption",
    "Counter-terrorism",
    "Freedom of thought, conscience & religion",
    "Right to privacy",
    "Labour rights & right to work",
    "Poverty",
    "Environment",
    "Impunity",
)
AFFECTED_PERSONS = (
    "Women & girls",
    "Children",
    "Youth & juveniles",
    "Persons with disabilities",
    "Migrants",
    "Refugees & asylum-seekers",
    "Indigenous peoples",
    "Minorities",
    "Persons deprived of their liberty",
    "Disappeared persons",
    "Journalists & media workers",
    "Lawyers",
    "Judges",
    "Lesbian, gay, bisexual, transgender and intersex persons",
    "Older persons",
    "Persons living in poverty",
    "Persons living in rural areas",
    "Members of the political opposition",
    "General",
)
HRD = "Human rights defenders"
SDGS = (
    "1.3 - Social protection systems",
    "2.1 - End hunger and ensure access to safe, nutritious and sufficient food",
    "3.8 - Universal health coverage",
    "4.1 - Free, equitable and quality primary and secondary education",
    "4.7 - Education for sustainable development and human rights",
    "5.1 - End all forms of discrimination against women and girls",
    "5.2 - End all violence against and exploitation of women",
    "5.3 - Eliminate forced marriages and genital mutilation",
    "8.7 - End forced labour, modern slavery, trafficking and child labour",
    "10.2 - Promote universal social, economic and political inclusion",
    "10.3 - Ensure equal opportunities and end discrimination",
    "10.7 - Responsible and well-managed migration policies",
    "11.1 - Safe and affordable housing",
    "16.1 - Reduce violence everywhere",
    "16.2 - Protect children from abuse, exploitation, trafficking and violence",
    "16.3 - Rule of law and equal access to justice",
    "16.5 - Substantially reduce corruption and bribery",
    "16.9 - Universal legal identity and birth registration",
    "16.10 - Public access to information and fundamental freedoms",
    "16.a - Strengthen national institutions to prevent violence",
    "16.b - Promote and enforce non-discriminatory laws and policies",
    "17.18 - Enhance availability of reliable data",
)
UPR_POSITIONS: tuple[list[str], ...] = (["Supported"], ["Noted"], ["Supported/Noted"], [])
UPR_POSITION_WEIGHTS = (70, 27, 2, 1)
OPENINGS = {
    "UPR": (
        "Ratify",
        "Ensure",
        "Guarantee",
        "Adopt",
        "Strengthen",
        "Take measures to",
        "Continue efforts to",
        "Consider",
    ),
    "treaty_body": (
        "The Committee recommends that the State party",
        "The State party should",
        "The Committee urges the State party to",
        "The Committee calls upon the State party to",
        "Recalling its previous recommendations, the Committee recommends that the State party",
    ),
    "special_procedure": (
        "The Special Rapporteur recommends that the Government",
        "The Working Group recommends that the authorities",
        "The Independent Expert calls on the State to",
        "The mandate holder recommends that the State",
    ),
}
CLAUSES = (
    "protect human rights defenders and journalists from threats, attacks and reprisals",
    "investigate promptly, thoroughly and impartially all allegations of torture and ill-treatment",
    "bring its legislation on freedom of association into line with international standards",
    "guarantee the independence of the judiciary and the free exercise of the legal profession",
    "repeal provisions that criminalize defamation and restrict freedom of expression online",
    "ensure that counter-terrorism legislation is not used against civil society organizations",
    "establish an independent national preventive mechanism with adequate resources",
    "strengthen the national human rights institution in line with the Paris Principles",
    "adopt a comprehensive anti-discrimination law covering all prohibited grounds",
    "ensure access to quality education for all children, including in rural areas",
    "combat gender-based violence against women and girls and provide support to victims",
    "guarantee the right to peaceful assembly and refrain from excessive use of force",
    "ensure that all persons deprived of their liberty have access to a lawyer",
    "improve conditions of detention and reduce overcrowding in prisons",
    "register every child at birth and prevent statelessness",
    "allocate sufficient human, technical and financial resources to that end",
    "consult civil society and affected communities in the design of these measures",
    "provide training on international human rights standards to law enforcement officials",
    "collect disaggregated data to monitor progress and report on it in its next periodic report",
    "ensure that victims have access to effective remedies and full reparation",
)


def _weighted(rng: random.Random, values: tuple[Any, ...], weights: tuple[int, ...]) -> Any:
    return rng.choices(values, weights)[0]


def _countries(rng: random.Random) -> list[tuple[str, str]]:
    """About as many States as the UN has, as (name, alpha-3)."""
    countries = sorted((c.name, c.alpha_3) for c in pycountry.countries)
    return rng.sample(countries, 190)


def _text(rng: random.Random, mechanism: str, paragraph: str) -> str:
    # The last clause overshoots by up to ~100 characters: texts come out 150-1,200 long.
    length = int(rng.triangular(150, 1100, 380))
    parts = [rng.choice(OPENINGS[mechanism])]
    while sum(len(p) + 2 for p in parts) < length:
        parts.append(rng.choice(CLAUSES))
    body = parts[0] + " " + "; ".join(parts[1:]) + "."
    if rng.random() < 0.08:
        items = "".join(f"<li>({chr(97 + i)}) {c};</li>" for i, c in enumerate(parts[1:]))
        return f"<p>{paragraph}. {parts[0]}&nbsp;(in particular):</p><ul>{items}</ul><br/>"
    if rng.random() < 0.05:
        return body
    separator = "" if mechanism == "treaty_body" and rng.random() < 0.3 else " "
    return f"{paragraph}.{separator}{body}" if "." not in paragraph else f"{paragraph} {body}"


def _annotation(rng: random.Random, countries: list[tuple[str, str]]) -> dict[str, Any]:
    mechanism = _weighted(rng, ("UPR", "treaty_body", "special_procedure"), (45, 42, 13))
    country, alpha3 = rng.choice(countries)
    affected = rng.sample(AFFECTED_PERSONS, rng.randint(0, 4))
    if rng.random() < 0.04:
        affected.insert(0, HRD)
    upr: dict[str, Any] = {
        "UprCycle": None,
        "UprPositions": [],
        "UprRecommendingCountry": [],
        "UprRecommendingRegions": [],
        "UprSession": [],
    }
    if mechanism == "UPR":
        session = rng.randint(1, 46)
        recommending = [
            name
            for name, _ in rng.sample(countries, 1 if rng.random() < 0.9 else rng.randint(2, 4))
        ]
        upr = {
            "UprCycle": upr_cycle(session) if rng.random() < 0.9 else None,
            "UprPositions": _weighted(rng, UPR_POSITIONS, UPR_POSITION_WEIGHTS),
            "UprRecommendingCountry": recommending,
            "UprRecommendingRegions": sorted({rng.choice(REGIONS) for _ in recommending}),
            "UprSession": [session],
        }
        body = "UPR"
        annotation_type = "Recommendations"
        paragraph = f"{rng.randint(90, 160)}.{rng.randint(1, 300)}"
        issued = date(2008, 4, 1) + timedelta(days=int((session - 1) * 121.7))
        symbol = f"A/HRC/{8 + session * 3 // 4}/{rng.randint(1, 20)}"
    elif mechanism == "treaty_body":
        body = _weighted(rng, TREATY_BODIES, TREATY_WEIGHTS)
        annotation_type = _weighted(
            rng, ("Recommendations", "Concerns/Observations", "Positive aspects"), (55, 40, 5)
        )
        paragraph = str(rng.randint(4, 70))
        issued = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9300))
        symbol = f"{body}/C/{alpha3}/CO/{rng.randint(1, 8)}"
    else:
        body = rng.choice(MANDATES)
        annotation_type = _weighted(rng, ("Recommendations", "Concerns/Observations"), (70, 30))
        paragraph = str(rng.randint(60, 130))
        issued = date(2005, 1, 1) + timedelta(days=rng.randint(0, 7300))
        symbol = f"A/HRC/{rng.randint(1, 58)}/{rng.randint(1, 70)}/Add.{rng.randint(1, 4)}"
    uploaded = issued + timedelta(days=rng.randint(10, 120))
    return {
        "AffectedPersons": affected,
        "AnnotationId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "AnnotationType": f"- {annotation_type}",
        "Body": f"- {body}",
        "Countries": [country],
        "DocumentId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "PublicationDate": f"{issued.isoformat()}T00:00:00",
        "PublicationDateOnUhri": f"{uploaded.isoformat()}T{rng.randint(0, 23):02d}:00:00.000",
        "Regions": [rng.choice(REGIONS)],
        "Sdgs": rng.sample(SDGS, _weighted(rng, (0, 1, 2, 3), (35, 35, 20, 10))),
        "Symbol": symbol,
        "Text": _text(rng, mechanism, paragraph),
        "Themes": rng.sample(THEMES, rng.randint(1, 6)),
        **upr,
    }


def annotations(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """`count` synthetic UHRI records, the same ones for the same seed."""
    rng = random.Random(seed)
    countries = _countries(rng)
    for _ in range(count):
        yield _annotation(rng, countries)


def generate(path: Path, *, records: int, seed: int) -> int:
    """Write a synthetic export of `records` records to `path`, one at a time; its size in bytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for index, annotation in enumerate(annotations(records, seed)):
            if index:
                out.write(",\n")
            out.write(json.dumps(annotation, ensure_ascii=False))
        out.write("\n]\n")
    return path.stat().st_size


def main() -> None:
    """Parse the command line and write the file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=270_000)
    # The temporary directory by default, so a 380 MB file never lands in the work tree.
    default_output = Path(tempfile.gettempdir()) / "uhri-synthetic.json"
    parser.add_argument("--output", type=Path, default=default_output)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    size = generate(args.output, records=args.records, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"{args.output}: {args.records:,} records, {size / 1e6:.1f} MB in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
