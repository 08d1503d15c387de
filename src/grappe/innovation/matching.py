"""Which open calls a project is eligible for, why (each rule passed or failed), and how well they fit.

Eligibility rules (each gives a ``Check``; a rule that cannot be verified for lack of data fails and says so):
- open: the call is open on the day (opens on or before, closes on or after);
- SMEs required: at least one partner is an SME (ecosystem ``sme_status`` micro, small or medium);
- minimum partners: the consortium (lead included) has at least ``min_partners`` organisations;
- countries: every partner is established in an admitted country (a site in Grappe means Belgium);
- regional calls: the lead has a site in Wallonia;
- TRL: the project's current TRL lies within the call's range;
- own contribution: the funding requested leaves at least the call's own-contribution share of the budget.

Ranking among eligible calls: tag overlap (Jaccard on transitions + S3 domains) and TF-IDF cosine between
the project's title and summary and the call's text (scikit-learn, fitted on the candidate calls, offline).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grappe.core.text import fold
from grappe.ecosystem.models import Organisation
from grappe.innovation.models import FundingCall, InnovationProject, ProjectPartner
from grappe.referential.loaders import is_walloon_postal_code

SME_STATUSES = (Organisation.SmeStatus.MICRO, Organisation.SmeStatus.SMALL, Organisation.SmeStatus.MEDIUM)
TAG_WEIGHT = 0.5
TEXT_WEIGHT = 0.5

# Common French/English words that carry no meaning for matching.
_STOP_TEXT = (
    "le la les de des du un une et en pour par sur dans au aux a avec ou est sont ce cette ces son sa ses leur leurs "
    "qui que dont plus the of and to in for on with by an or is are this that from as at be its projet projets "
    "appel appels call calls"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass
class Check:
    code: str
    passed: bool
    message: str


@dataclass
class CallMatch:
    call: FundingCall
    checks: list[Check] = field(default_factory=list)
    tag_score: float = 0.0
    text_score: float = 0.0

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def score(self) -> float:
        return round(TAG_WEIGHT * self.tag_score + TEXT_WEIGHT * self.text_score, 4)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


@dataclass
class _Partner:
    name: str
    sme_status: str
    countries: set[str]
    walloon: bool
    is_lead: bool


def partners_prefetch() -> Prefetch:
    """What ``_partners`` reads, for ``prefetch_related`` on a list of projects (no query per project)."""
    return Prefetch(
        "partners",
        queryset=ProjectPartner.objects.select_related("organisation").prefetch_related(
            "organisation__sites__postal_code"
        ),
    )


def _partners(project: InnovationProject) -> list[_Partner]:
    if "partners" in getattr(project, "_prefetched_objects_cache", {}):
        rows = list(project.partners.all())
    else:
        rows = list(
            project.partners.select_related("organisation").prefetch_related("organisation__sites__postal_code")
        )
    partners = []
    for row in rows:
        org = row.organisation
        codes = [site.postal_code.code for site in org.sites.all()]
        # Grappe's sites are Belgian addresses (referential postal codes): a site means "established in Belgium".
        partners.append(
            _Partner(
                org.name,
                org.sme_status,
                {"BE"} if codes else set(),
                any(is_walloon_postal_code(c) for c in codes),
                org.pk == project.lead_organisation_id,
            )
        )
    return partners


def _rules(project: InnovationProject, call: FundingCall, partners: list[_Partner], day: dt.date) -> list[Check]:
    checks: list[Check] = []
    fmt = "%d/%m/%Y"
    if call.opens_on > day:
        checks.append(Check("open", False, _("L'appel n'ouvre que le %(d)s.") % {"d": call.opens_on.strftime(fmt)}))
    elif call.closes_on < day:
        checks.append(
            Check("open", False, _("L'appel est clos depuis le %(d)s.") % {"d": call.closes_on.strftime(fmt)})
        )
    else:
        checks.append(Check("open", True, _("Appel ouvert jusqu'au %(d)s.") % {"d": call.closes_on.strftime(fmt)}))

    if call.smes_required:
        smes = [p.name for p in partners if p.sme_status in SME_STATUSES]
        if smes:
            checks.append(Check("sme", True, _("PME dans le consortium : %(names)s.") % {"names": ", ".join(smes)}))
        else:
            checks.append(
                Check("sme", False, _("L'appel exige au moins une PME partenaire ; le consortium n'en a pas."))
            )

    n = len(partners)
    if n >= call.min_partners:
        message = ngettext(
            "Le consortium compte %(n)s partenaire ; l'appel en exige au moins %(min)s.",
            "Le consortium compte %(n)s partenaires ; l'appel en exige au moins %(min)s.",
            n,
        ) % {"n": n, "min": call.min_partners}
        checks.append(Check("partners", True, message))
    else:
        checks.append(
            Check(
                "partners",
                False,
                ngettext(
                    "Le consortium ne compte que %(n)s partenaire alors que l'appel en exige au moins %(min)s.",
                    "Le consortium ne compte que %(n)s partenaires alors que l'appel en exige au moins %(min)s.",
                    n,
                )
                % {"n": n, "min": call.min_partners},
            )
        )

    admitted = {str(c) for c in call.countries} if call.countries else set()
    if admitted:
        outside = [p.name for p in partners if p.countries and not (p.countries & admitted)]
        unknown = [p.name for p in partners if not p.countries]
        if outside:
            checks.append(
                Check(
                    "countries",
                    False,
                    _("Partenaires hors des pays admis : %(names)s.") % {"names": ", ".join(outside)},
                )
            )
        elif unknown:
            checks.append(
                Check(
                    "countries",
                    False,
                    _("Pays d'établissement inconnu (aucun site enregistré) : %(names)s.")
                    % {"names": ", ".join(unknown)},
                )
            )
        else:
            checks.append(
                Check(
                    "countries",
                    True,
                    _("Tous les partenaires sont établis dans un pays admis (%(c)s).")
                    % {"c": ", ".join(sorted(admitted))},
                )
            )

    if call.level == FundingCall.Level.REGIONAL:
        if any(p.walloon for p in partners if p.is_lead):
            checks.append(Check("region", True, _("Le porteur a un site en Wallonie.")))
        else:
            checks.append(Check("region", False, _("Appel régional : le porteur doit avoir un site en Wallonie.")))

    if call.trl_min or call.trl_max:
        low, high = call.trl_min or 1, call.trl_max or 9
        if project.trl_now is None:
            checks.append(
                Check(
                    "trl",
                    False,
                    _("TRL du projet inconnu : l'appel vise les TRL %(a)s à %(b)s.") % {"a": low, "b": high},
                )
            )
        elif low <= project.trl_now <= high:
            checks.append(
                Check(
                    "trl",
                    True,
                    _("TRL %(t)s dans la fourchette %(a)s–%(b)s.") % {"t": project.trl_now, "a": low, "b": high},
                )
            )
        else:
            checks.append(
                Check(
                    "trl",
                    False,
                    _("TRL %(t)s hors de la fourchette %(a)s–%(b)s.") % {"t": project.trl_now, "a": low, "b": high},
                )
            )

    if call.own_contribution_rate:
        rate = call.own_contribution_rate
        if not project.budget or project.funding_requested is None:
            checks.append(
                Check(
                    "own_contribution",
                    False,
                    _("Budget ou financement demandé inconnu : l'appel exige %(r)s %% de part propre.")
                    % {"r": rate.normalize()},
                )
            )
        else:
            own = (project.budget - project.funding_requested) * Decimal(100) / project.budget
            own = own.quantize(Decimal("0.1"))
            if own >= rate:
                checks.append(
                    Check(
                        "own_contribution",
                        True,
                        _("Part propre de %(o)s %% pour %(r)s %% exigés.") % {"o": own, "r": rate.normalize()},
                    )
                )
            else:
                checks.append(
                    Check(
                        "own_contribution",
                        False,
                        _("Part propre de %(o)s %% seulement : l'appel en exige %(r)s %%.")
                        % {"o": own, "r": rate.normalize()},
                    )
                )
    return checks


def _tags(obj: Any) -> set[str]:
    return {f"t:{t}" for t in obj.transitions or []} | {f"d:{d}" for d in obj.domains or []}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _call_text(call: FundingCall) -> str:
    return fold(" ".join([call.title, call.programme, call.description or "", call.keywords or ""]))


def _text_scores(project: InnovationProject, calls: list[FundingCall]) -> list[float]:
    """TF-IDF cosine between the project and each call, fitted on the calls plus the project (offline)."""
    if not calls:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    project_text = fold(f"{project.title} {project.summary}")
    documents = [project_text] + [_call_text(c) for c in calls]
    try:
        matrix = TfidfVectorizer(stop_words=list(STOP_WORDS), sublinear_tf=True, min_df=1).fit_transform(documents)
    except ValueError:  # only stop words, or empty texts: no text signal
        return [0.0] * len(calls)
    return [float(s) for s in linear_kernel(matrix[0:1], matrix[1:]).ravel()]


def match_calls(
    project: InnovationProject,
    calls: list[FundingCall] | None = None,
    *,
    day: dt.date | None = None,
    open_only: bool = True,
) -> list[CallMatch]:
    """Every candidate call with its checks and scores: eligible first, then by score, then closing date."""
    day = day or timezone.localdate()
    if calls is None:
        queryset = FundingCall.objects.all()
        if open_only:
            queryset = queryset.filter(opens_on__lte=day, closes_on__gte=day)
        calls = list(queryset)
    partners = _partners(project)
    project_tags = _tags(project)
    text = _text_scores(project, calls)
    matches = [
        CallMatch(call, _rules(project, call, partners, day), _jaccard(project_tags, _tags(call)), text[i])
        for i, call in enumerate(calls)
    ]
    matches.sort(key=lambda m: (not m.eligible, -m.score, m.call.closes_on, m.call.pk))
    return matches


def eligible_calls(project: InnovationProject, *, day: dt.date | None = None) -> list[CallMatch]:
    """The open calls the project is eligible for, best fit first."""
    return [m for m in match_calls(project, day=day) if m.eligible]


def eligible_calls_by_project(
    projects: Iterable[InnovationProject], *, day: dt.date | None = None
) -> dict[int, list[CallMatch]]:
    """``{project_id: eligible open calls, best first}`` for many projects: the calls and partners are read
    once (a fixed number of queries), then each project is matched in memory."""
    day = day or timezone.localdate()
    projects = list(projects)
    if not projects:
        return {}
    calls = list(FundingCall.objects.filter(opens_on__lte=day, closes_on__gte=day))
    prefetch_related_objects(
        [p for p in projects if "partners" not in getattr(p, "_prefetched_objects_cache", {})], partners_prefetch()
    )
    return {p.pk: [m for m in match_calls(p, calls, day=day) if m.eligible] for p in projects}
