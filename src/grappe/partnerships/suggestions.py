"""Organisations to introduce to a member who asked for a partner, ranked, each with a one-line reason.

Score (0-1) = weighted mean of the criteria the request gives:
- competences: share of the requested competences the organisation has (a sub-competence counts);
- NACE: share of the requested NACE codes under which one of its activities falls (any level);
- segments: share of the requested value-chain segments it belongs to;
- text: TF-IDF cosine between the request's needs and the organisation's description, competences,
  segments and what its B2B matchmaking profiles offer (``events.selectors.matchmaking_offers``).
Members come first, then the others; the requesting organisation is never suggested, nor the
organisations already introduced to it for this request.
TF-IDF is fitted on the candidates' own texts with scikit-learn: offline, no downloaded model.
"""

import re
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem.models import Activity, Organisation
from grappe.events import selectors as events_selectors
from grappe.partnerships.models import IntroductionRequest

WEIGHTS = {"competences": 0.35, "nace": 0.2, "segments": 0.15, "text": 0.3}
MIN_SCORE = 0.05

_STOP_TEXT = (
    "a au aux avec ce ces cet cette dans de des du elle en et est il je la le les leur lui ma mais me mes moi mon "
    "ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes un une vos votre vous d l n s t y "
    "c j m sont etre avoir fait faire plus tres tout tous toute toutes peut notamment entreprise societe avant "
    "cherchons cherche recherchons partenaire partenaires qui capable besoin nos "
    "the and or of to in for on with by an is are we our you your from as at be this that it its "
    "het een van voor met op te zijn wij onze der die das und mit fur von zu ein eine"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    """Folded words, stop words dropped, a plural ``-s``/``-x`` stripped so « tuiles » meets « tuile »."""
    words = []
    for word in _WORD.findall(fold(text)):
        if word in STOP_WORDS or len(word) < 3:
            continue
        if len(word) > 4 and word[-1] in "sx":
            word = word[:-1]
        words.append(word)
    return words


@dataclass
class Suggestion:
    organisation: Organisation
    score: float
    is_member: bool
    reason: str
    parts: dict[str, float] = field(default_factory=dict)


def _competence_closure(ids: set[int], parents: dict[int, int | None]) -> dict[int, set[int]]:
    """For each competence, itself and its ancestors (so a sub-competence satisfies its parent)."""
    closure = {}
    for cid in ids:
        chain, seen = {cid}, cid
        while (seen := parents.get(seen)) and seen not in chain:
            chain.add(seen)
        closure[cid] = chain
    return closure


def suggest(request: IntroductionRequest, *, limit: int = 10) -> list[Suggestion]:
    from grappe.ecosystem.models import Competence

    wanted_competences = {c.pk: c for c in request.competences.all()}
    wanted_nace = {n.code: n for n in request.nace_codes.all()}
    wanted_segments = {s.pk: s for s in request.segments.all()}
    # Already introduced for this request (either side): listed under the request, not suggested again.
    introduced = {
        other for pair in request.introductions.values_list("organisation_a_id", "organisation_b_id") for other in pair
    }
    candidates = list(
        Organisation.objects.exclude(pk=request.organisation_id)
        .exclude(pk__in=introduced)
        .prefetch_related(
            "competences",
            "segments",
            Prefetch("activities", queryset=Activity.objects.select_related("nace")),
        )
        .order_by("pk")
    )
    if not candidates:
        return []
    parents = dict(Competence.objects.values_list("pk", "parent_id"))
    offers = events_selectors.matchmaking_offers([o.pk for o in candidates])
    texts = []
    for org in candidates:
        parts = [
            org.name,
            org.description or "",
            " ".join(c.name for c in org.competences.all()),
            " ".join(s.name for s in org.segments.all()),
            offers.get(org.pk, ""),
        ]
        texts.append(" ".join(parts))
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: imported when first used

    vectorizer = TfidfVectorizer(analyzer=_tokens, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([*texts, request.needs])
    except ValueError:  # nothing but stop words anywhere
        matrix = None
    similarities = np.zeros(len(candidates))
    names = np.array([])
    if matrix is not None:
        names = vectorizer.get_feature_names_out()
        needs_vector = matrix[len(candidates)]
        similarities = (matrix[: len(candidates)] @ needs_vector.T).toarray().ravel()
    members = eco_selectors.member_ids_on(timezone.localdate())
    weights = {"text": WEIGHTS["text"]}
    if wanted_competences:
        weights["competences"] = WEIGHTS["competences"]
    if wanted_nace:
        weights["nace"] = WEIGHTS["nace"]
    if wanted_segments:
        weights["segments"] = WEIGHTS["segments"]
    total_weight = sum(weights.values())

    suggestions = []
    for index, org in enumerate(candidates):
        parts: dict[str, float] = {"text": float(similarities[index])}
        reasons: list[str] = []
        if wanted_competences:
            closure = _competence_closure({c.pk for c in org.competences.all()}, parents)
            matched = [c for cid, c in wanted_competences.items() if any(cid in chain for chain in closure.values())]
            parts["competences"] = len(matched) / len(wanted_competences)
            if matched:
                reasons.append(_("compétences : %(names)s") % {"names": ", ".join(c.name for c in matched[:3])})
        if wanted_nace:
            codes = [a.nace.code for a in org.activities.all()]
            matched_nace = [n for code, n in wanted_nace.items() if any(c.startswith(code) for c in codes)]
            parts["nace"] = len(matched_nace) / len(wanted_nace)
            if matched_nace:
                reasons.append(_("NACE %(codes)s") % {"codes": ", ".join(n.dotted for n in matched_nace[:3])})
        if wanted_segments:
            own = {s.pk for s in org.segments.all()}
            matched_segments = [s for sid, s in wanted_segments.items() if sid in own]
            parts["segments"] = len(matched_segments) / len(wanted_segments)
            if matched_segments:
                reasons.append(_("segment %(names)s") % {"names": ", ".join(s.name for s in matched_segments[:2])})
        score = sum(weights[k] * parts.get(k, 0.0) for k in weights) / total_weight
        if score < MIN_SCORE:
            continue
        if matrix is not None and parts["text"] > 0:
            product = matrix[index].multiply(matrix[len(candidates)]).toarray().ravel()
            terms = [str(names[i]) for i in np.argsort(-product)[:3] if product[i] > 0]
            if terms:
                from_offers = org.pk in offers and any(t in _tokens(offers[org.pk]) for t in terms)
                label = _("profil B2B proche") if from_offers else _("description proche")
                reasons.append(f"{label} : " + ", ".join(f"« {t} »" for t in terms))
        is_member = org.pk in members
        suggestions.append(
            Suggestion(
                organisation=org,
                score=round(score, 3),
                is_member=is_member,
                reason=" · ".join(reasons) or _("description proche"),
                parts={k: round(v, 3) for k, v in parts.items()},
            )
        )
    suggestions.sort(key=lambda s: (not s.is_member, -s.score, s.organisation.name))
    return suggestions[:limit]
