"""Demo data: the CCW objectives contract 2023-2026 with targets, manual values and an archived 2025 report.

Deterministic (``random.Random(SEED)``); runs after the mission apps and insights (order 250) so that
targets are set from the demo's own first-year figures where the data exists, else from this year's pace
(so the dashboard shows a mix of targets met, on track and at risk), else from believable fixed levels.
"""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TextIO

from django.utils import timezone, translation

from grappe.accounts.models import User
from grappe.objectives import services
from grappe.objectives.computations import Period, evaluate, registry
from grappe.objectives.models import Indicator, ObjectivesContract

SEED = "grappe-objectives-demo"
START_YEAR = 2023

OBJECTIVES = [
    # code, mission, fr, en, nl, de, computation-key prefixes
    (
        "M1.1",
        "1",
        "Structurer et connaître l'écosystème",
        "Structure and know the ecosystem",
        "Het ecosysteem structureren en kennen",
        "Das Ökosystem strukturieren und kennen",
        ("ecosystem.", "insights."),
    ),
    (
        "M1.2",
        "1",
        "Informer les membres par la veille",
        "Keep members informed through the watch",
        "Leden informeren via de monitoring",
        "Mitglieder durch die Beobachtung informieren",
        ("watch.",),
    ),
    (
        "M2.1",
        "2",
        "Animer le réseau des membres",
        "Run the members' network",
        "Het ledennetwerk animeren",
        "Das Mitgliedernetzwerk beleben",
        ("events.",),
    ),
    (
        "M2.2",
        "2",
        "Favoriser les collaborations",
        "Foster collaborations",
        "Samenwerkingen bevorderen",
        "Kooperationen fördern",
        ("partnerships.",),
    ),
    (
        "M3.1",
        "3",
        "Promouvoir le cluster et ses membres",
        "Promote the cluster and its members",
        "De cluster en zijn leden promoten",
        "Den Cluster und seine Mitglieder fördern",
        ("showcase.",),
    ),
    (
        "M4.1",
        "4",
        "Accompagner les projets d'innovation",
        "Support innovation projects",
        "Innovatieprojecten begeleiden",
        "Innovationsprojekte begleiten",
        ("innovation.",),
    ),
    (
        "G.1",
        "G",
        "Gouvernance et financement",
        "Governance and funding",
        "Bestuur en financiering",
        "Governance und Finanzierung",
        (),
    ),
]

# Yearly targets for the first contract year where the demo has no data to start from (then +5 % a year).
BASE_TARGETS: dict[str, str] = {
    "insights.representativeness_index": "70",
    "insights.perimeter_coverage": "8",
    "watch.bulletins_sent": "40",
    "watch.digest_recipients": "120",
    "watch.items_curated": "300",
    "events.events_held": "18",
    "events.participants": "600",
    "events.member_organisations_reached": "60",
    "events.member_engagement_rate": "55",
    "events.satisfaction": "4.2",
    "events.b2b_meetings_requested": "150",
    "events.b2b_meetings_scheduled": "110",
    "events.b2b_meetings_held": "95",
    "events.b2b_followups": "40",
    "partnerships.introductions": "45",
    "partnerships.introductions_with_outcome": "20",
    "partnerships.collaborations_public": "8",
    "partnerships.collaborations_private": "12",
    "partnerships.intercluster_cooperations": "3",
    "partnerships.international_cooperations": "4",
    "showcase.communication_actions": "30",
    "showcase.media_coverage": "25",
    "showcase.trade_fairs_and_missions": "4",
    "showcase.stories": "6",
    "showcase.promotion_reach": "40000",
    "showcase.organisations_featured": "35",
    "innovation.ideas": "20",
    "innovation.projects_coached": "15",
    "innovation.projects_submitted": "8",
    "innovation.projects_funded": "4",
    "innovation.success_rate": "50",
    "innovation.funding_raised": "1500000",
    "innovation.support_hours": "600",
    "innovation.products_valorised": "2",
}
LOWER_IS_BETTER = {"ecosystem.member_exits"}
SHARES = {
    "ecosystem.sme_share",
    "events.member_engagement_rate",
    "innovation.success_rate",
    "insights.perimeter_coverage",
    "insights.representativeness_index",
    "events.satisfaction",
}


def _round(value: Decimal, key: str) -> Decimal:
    step = Decimal("0.1") if key in SHARES else Decimal("1")
    return value.quantize(step, ROUND_HALF_UP)


# How this year's target compares with the pace of the demo's own data when the first contract year has
# none (the demo's activity starts late in the contract): a mix of targets met, nearly met and missed.
AMBITION = ("0.8", "0.9", "1.0", "1.05", "1.15", "1.3")


def _this_year_pace(key: str, years: list[int], today: dt.date) -> Decimal | None:
    """This year's figure projected to the whole year (stocks and rates as they stand), or None without data."""
    year = min(max(today.year, years[0]), years[-1])
    period = Period.of_year(year, min(today, dt.date(year, 12, 31)))
    evaluation = evaluate(key, period)
    if evaluation.state != "ok" or not evaluation.value:
        return None
    computation = registry()[key]
    fraction = period.elapsed_fraction if computation.cumulative else Decimal(1)
    return evaluation.value / fraction if fraction else None


def _targets(key: str, years: list[int], rng: random.Random, today: dt.date) -> dict[int, Decimal]:
    """Start from the first year's actual figure when the demo has one, else from this year's pace, else a level."""
    if key == "events.satisfaction":
        return {y: min(Decimal("5"), Decimal("4.0") + Decimal("0.1") * i) for i, y in enumerate(years)}
    growths = []
    for index in range(len(years)):
        if key in LOWER_IS_BETTER:
            growths.append(Decimal(1) - Decimal("0.05") * index)
        elif key in SHARES:
            growths.append(Decimal(1) + Decimal("0.02") * index)
        else:
            growths.append((Decimal("1.05") + Decimal(rng.randint(0, 3)) / 100) ** index)
    first = evaluate(key, Period.of_year(years[0]))
    if first.state == "ok" and first.value:
        base = first.value
    elif (pace := _this_year_pace(key, years, today)) is not None:
        index = min(max(today.year, years[0]), years[-1]) - years[0]
        base = pace * Decimal(rng.choice(AMBITION)) / growths[index]
    else:
        base = Decimal(BASE_TARGETS.get(key, "10"))
    targets = {year: max(Decimal(1), _round(base * growth, key)) for year, growth in zip(years, growths, strict=True)}
    if key in SHARES:  # a percentage target stays a percentage
        targets = {year: min(Decimal(100), value) for year, value in targets.items()}
    return targets


MANUAL = [
    # code, objective, fr label, unit, target per year, values {year or (year, quarter): value}, aggregation
    ("G.1.1", "G.1", "Réunions du comité d'accompagnement", "réunions", "2", {2023: "2", 2024: "2", 2025: "1"}, "sum"),
    ("G.1.2", "G.1", "Part d'autofinancement du cluster", "%", "30", {2023: "28.5", 2024: "31.2", 2025: "33"}, "last"),
    (
        "M3.1.M",
        "M3.1",
        "Visiteurs uniques du site web",
        "visiteurs",
        "12000",
        {
            (2025, 1): "3120",
            (2025, 2): "2985",
            (2025, 3): "2410",
            (2025, 4): "3650",
            (2026, 1): "3390",
            (2026, 2): "3105",
            (2026, 3): "2760",
        },
        "sum",
    ),
]


MANUAL_LABELS = {  # the manual indicators' labels in the other languages of the platform
    "G.1.1": {
        "en": "Support committee meetings",
        "nl": "Vergaderingen van het begeleidingscomité",
        "de": "Sitzungen des Begleitausschusses",
    },
    "G.1.2": {
        "en": "Cluster's self-financing share",
        "nl": "Aandeel zelffinanciering van de cluster",
        "de": "Eigenfinanzierungsanteil des Clusters",
    },
    "M3.1.M": {"en": "Unique website visitors", "nl": "Unieke websitebezoekers", "de": "Eindeutige Website-Besucher"},
}


def _objective_for(key: str) -> str:
    """The demo objective an indicator belongs to: by app, except public profiles (promotion, mission 3)."""
    if key == "ecosystem.public_profiles":
        return "M3.1"
    return next(code for code, *_labels, prefixes in OBJECTIVES if key.startswith(prefixes))


def _translations(field: str, text: Any) -> dict[str, str]:
    """``{field_en: ..., field_nl: ..., field_de: ...}`` from the catalogue's translations (none when untranslated)."""
    french = str(text)
    values = {}
    for language in ("en", "nl", "de"):
        with translation.override(language):
            translated = str(text)
        if translated and translated != french:
            values[f"{field}_{language}"] = translated
    return values


def _staff() -> User | None:
    return User.objects.filter(role=User.Role.STAFF).order_by("pk").first() or User.objects.order_by("pk").first()


def load(stdout: TextIO, *, today: dt.date | None = None) -> dict[str, Any]:
    rng = random.Random(SEED)
    today = today or timezone.localdate()
    actor = _staff()
    ObjectivesContract.objects.all().delete()  # the demo replaces its own data
    with translation.override("fr"):
        contract = services.contract_create(
            actor=actor,
            title="Contrat d'objectifs CCW 2023-2026",
            start_year=START_YEAR,
            years=4,
            status=ObjectivesContract.Status.ACTIVE,
            notes="Contrat signé avec la Région wallonne lors de la reconnaissance du cluster.",
        )
        objectives = {}
        for order, (code, mission, fr, en, nl, de, _prefixes) in enumerate(OBJECTIVES):
            objectives[code] = services.objective_create(
                actor=actor,
                contract=contract,
                code=code,
                mission=mission,
                order=order,
                title_fr=fr,
                title_en=en,
                title_nl=nl,
                title_de=de,
            )
        numbering: dict[str, int] = {}
        for computation in sorted(registry().values(), key=lambda c: (c.mission, c.key)):
            objective_code = _objective_for(computation.key)
            numbering[objective_code] = numbering.get(objective_code, 0) + 1
            indicator = services.indicator_create(
                actor=actor,
                objective=objectives[objective_code],
                code=f"{objective_code}.{numbering[objective_code]:02d}",
                label_fr=str(computation.label),
                definition_fr=str(computation.definition),
                **_translations("label", computation.label),
                **_translations("definition", computation.definition),
                unit=str(computation.unit),
                kind=Indicator.Kind.COMPUTED,
                computation_key=computation.key,
                direction=Indicator.Direction.LOWER
                if computation.key in LOWER_IS_BETTER
                else Indicator.Direction.HIGHER,
                order=numbering[objective_code],
            )
            services.targets_set(
                actor=actor, indicator=indicator, values=_targets(computation.key, contract.year_list, rng, today)
            )
        for code, objective_code, label, unit, target, values, aggregation in MANUAL:
            indicator = services.indicator_create(
                actor=actor,
                objective=objectives[objective_code],
                code=code,
                label_fr=label,
                **{f"label_{language}": text for language, text in MANUAL_LABELS.get(code, {}).items()},
                unit=unit,
                kind=Indicator.Kind.MANUAL,
                evidence_required=True,
                aggregation=aggregation,
                order=99,
            )
            services.targets_set(actor=actor, indicator=indicator, values=dict.fromkeys(contract.year_list, target))
            for period, value in values.items():
                year, quarter = period if isinstance(period, tuple) else (period, None)
                if dt.date(year, 3 * (quarter or 4), 1) > today:
                    continue
                services.measurement_create(
                    actor=actor,
                    indicator=indicator,
                    year=year,
                    quarter=quarter,
                    value=value,
                    evidence_link=f"https://intranet.ccw.example/preuves/{code.lower()}/{year}"
                    + (f"-t{quarter}" if quarter else "")
                    + ".pdf",
                    note="Pièce justificative déposée sur l'intranet du cluster.",
                )
        archived = 0
        if today >= dt.date(2026, 1, 1):
            services.report_archive(actor=actor, contract=contract, year=2025, snapshot_date=dt.date(2025, 12, 31))
            archived = 1
        # What the worker's monthly job would have archived at the start of this month.
        if services.monthly_snapshot(today):
            archived += 1
    counts = {"indicators": contract.indicators.count(), "archives": archived}
    stdout.write(f"  objectives: 1 contract, {counts['indicators']} indicators, {archived} archived report(s)\n")
    return counts
