""" "You should meet": participants ranked by how well they complement each other, with a one-line reason.

Score = weighted sum of
- complementarity: what the other offers against what I seek (TF-IDF cosine), the strongest part,
  and the reverse (what they seek that I offer);
- text similarity of the whole profiles (same vocabulary, same trade);
- taxonomy overlap: NACE codes (compared at division level, two digits) and competences (Jaccard).

TF-IDF is fitted on the session's own profiles with scikit-learn: offline, no downloaded model.
"""

import re
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.events.models import MeetingRequest, Participant

WEIGHTS = {"they_offer": 0.45, "they_seek": 0.25, "text": 0.15, "taxonomy": 0.15}

# Function words of the four languages that profiles are written in (kept short on purpose).
_STOP_TEXT = (
    "a au aux avec ce ces dans de des du elle en et est il je la le les leur lui ma mais me mes moi mon ne nos "
    "notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous "
    "d l n s t y c j m sont être avoir fait faire plus très tout tous toute toutes "
    "the and or of to in for on with by an is are we our you your from as at be this that it its "
    "het een van voor met op te zijn wij onze der die das und mit für von zu ein eine"
)
STOP_WORDS = sorted({fold(word) for word in _STOP_TEXT.split()})


@dataclass(frozen=True)
class Recommendation:
    participant: Participant
    score: float
    reason: str


def _divisions(participant: Participant) -> set[str]:
    return {nace.code[:2] for nace in participant.nace_codes.all()}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _top_terms(vec_a, vec_b, names: np.ndarray, n: int = 2) -> list[str]:
    """The ``n`` shared terms that weigh most, a bigram hiding the single words it contains."""
    product = vec_a.multiply(vec_b).toarray().ravel()
    terms: list[str] = []
    for i in np.argsort(-product)[: 4 * n + 4]:
        if product[i] <= 0:
            break
        term = str(names[i])
        words = set(term.split())
        # A bigram replaces the single words it contains; "bétons bas" after "bas carbone" says nothing new.
        contained = [kept for kept in terms if set(kept.split()) < words]
        if any(words & set(kept.split()) for kept in terms if kept not in contained):
            continue
        terms = [kept for kept in terms if kept not in contained] + [term]
    return terms[:n]


_WORD = re.compile(r"\w+")


def _as_written(term: str, texts: list[str]) -> str:
    """The words of ``term`` (folded by TF-IDF) as the participant wrote them, accents included."""
    wanted = term.split()
    stop = set(STOP_WORDS)
    for text in texts:
        words = _WORD.findall(text)
        # Positions of the words TF-IDF kept (stop words dropped), so "rénovation de logements" matches.
        kept = [(i, fold(w)) for i, w in enumerate(words) if fold(w) not in stop and len(w) > 1]
        for start in range(len(kept) - len(wanted) + 1):
            if [f for _i, f in kept[start : start + len(wanted)]] == wanted:
                first, last = kept[start][0], kept[start + len(wanted) - 1][0]
                return " ".join(words[first : last + 1]).lower()
    return term


def _quote(terms: list[str], texts: list[str]) -> str:
    return ", ".join(f"« {_as_written(t, texts)} »" for t in terms)


def recommend(participant: Participant, *, limit: int = 10) -> list[Recommendation]:
    """Participants of the same session that ``participant`` should meet, best first.

    People already asked (either way), absent people and pairs the session's rules forbid are left out.
    """
    session = participant.session
    asked = MeetingRequest.objects.filter(Q(requester=participant) | Q(target=participant))
    asked_ids = {pid for pair in asked.values_list("requester_id", "target_id") for pid in pair}
    candidates = [
        p
        for p in session.participants.filter(no_show=False)
        .exclude(pk=participant.pk)
        .exclude(pk__in=asked_ids)
        .select_related("person", "organisation")
        .prefetch_related("nace_codes", "competences")
        if session.types_may_meet(participant.type, p.type)
    ]
    if not candidates:
        return []
    everyone = [participant, *candidates]
    offers = [" ".join([p.offers, *map(str, p.tags or [])]) for p in everyone]
    seeks = [p.requests for p in everyone]
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: imported when first used

    vectorizer = TfidfVectorizer(
        strip_accents="unicode", lowercase=True, stop_words=STOP_WORDS, ngram_range=(1, 2), sublinear_tf=True
    )
    try:
        vectorizer.fit(offers + seeks)
    except ValueError:  # every profile empty: only the taxonomy can speak
        vectorizer = None
    if vectorizer is not None:
        names = vectorizer.get_feature_names_out()
        offer_m = vectorizer.transform(offers)
        seek_m = vectorizer.transform(seeks)
        profile_m = vectorizer.transform([f"{o} {s}" for o, s in zip(offers, seeks, strict=True)])
        they_offer = (offer_m[1:] @ seek_m[0].T).toarray().ravel()
        they_seek = (seek_m[1:] @ offer_m[0].T).toarray().ravel()
        text = (profile_m[1:] @ profile_m[0].T).toarray().ravel()
    else:
        they_offer = they_seek = text = np.zeros(len(candidates))
    my_divisions = _divisions(participant)
    my_competences = {c.pk: c for c in participant.competences.all()}
    results = []
    for i, other in enumerate(candidates):
        divisions = _divisions(other)
        competences = {c.pk: c for c in other.competences.all()}
        taxonomy = 0.5 * _jaccard(my_divisions, divisions) + 0.5 * _jaccard(set(my_competences), set(competences))
        parts = {
            "they_offer": float(they_offer[i]),
            "they_seek": float(they_seek[i]),
            "text": float(text[i]),
            "taxonomy": taxonomy,
        }
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        if score <= 0:
            continue
        main = max(parts, key=lambda k: WEIGHTS[k] * parts[k])
        reason = ""
        if main == "they_offer" and vectorizer is not None:
            reason = _("Propose %(terms)s, que vous cherchez.") % {
                "terms": _quote(_top_terms(offer_m[i + 1], seek_m[0], names), [offers[i + 1], seeks[0]])
            }
        elif main == "they_seek" and vectorizer is not None:
            reason = _("Cherche %(terms)s, que vous proposez.") % {
                "terms": _quote(_top_terms(seek_m[i + 1], offer_m[0], names), [seeks[i + 1], offers[0]])
            }
        elif main == "text" and vectorizer is not None:
            reason = _("Profil proche du vôtre : %(terms)s.") % {
                "terms": _quote(_top_terms(profile_m[i + 1], profile_m[0], names), [offers[i + 1], seeks[i + 1]])
            }
        else:
            shared = [competences[pk].name for pk in set(my_competences) & set(competences)]
            if shared:
                reason = _("Compétences en commun : %(names)s.") % {"names": ", ".join(sorted(shared)[:3])}
            else:
                reason = _("Même secteur d'activité (NACE %(codes)s).") % {
                    "codes": ", ".join(sorted(my_divisions & divisions))
                }
        results.append(Recommendation(other, round(score, 4), reason))
    results.sort(key=lambda r: (-r.score, r.participant.pk))
    return results[:limit]
