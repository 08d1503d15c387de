"""Make fetched text safe and comparable: nh3 sanitising, plain text, language detection."""

import html
import re
import unicodedata
from functools import lru_cache

import nh3
import numpy as np

from grappe.core.text import fold

LANGUAGES = ("fr", "nl", "de", "en")

# A conservative subset of nh3's defaults: text structure, links and images; no forms, no styles.
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q", "s",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
_SPACES = re.compile(r"\s+")


def clean_html(value: str | None) -> str:
    """Sanitised HTML: no scripts, styles, event handlers or dangerous URL schemes; links get rel=noopener."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(value: str | None, *, limit: int | None = None) -> str:
    """Text without any markup (entities decoded), on one line."""
    if not value:
        return ""
    text = html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"}))
    text = _SPACES.sub(" ", text).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


@lru_cache(maxsize=1)
def _identifier():  # the model takes ~100 ms to load: once per process
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """One of fr/nl/de/en, or "" when the text is clearly in another language or too short to tell.

    The full model ranks every language it knows; restricting it to our four would call Portuguese
    "French". Short texts (a title) are unreliable, so there we take the best of our four.
    """
    return detect_languages([text])[0]


def detect_languages(texts: list[str]) -> list[str]:
    """``detect_language`` of many texts at once: py3langid's model, its byte automaton walked for all
    texts together with numpy (one step per byte position instead of one Python step per byte and text).
    Same scores as ``LanguageIdentifier.rank`` (tested)."""
    if len(texts) > _CHUNK:
        return [
            language
            for start in range(0, len(texts), _CHUNK)
            for language in detect_languages(texts[start : start + _CHUNK])
        ]
    from scipy import sparse

    identifier = _identifier()
    results = [""] * len(texts)
    encoded: list[tuple[int, bytes]] = []
    for index, text in enumerate(texts):
        text = text.strip()
        if len(text) >= 12:
            encoded.append((index, identifier._encode(text)))
    if not encoded:
        return results
    model = _batch_model()
    lengths = np.fromiter((len(raw) for _i, raw in encoded), dtype=np.int64, count=len(encoded))
    width = int(lengths.max())
    matrix = np.zeros((len(encoded), width), dtype=np.int64)
    for row, (_i, raw) in enumerate(encoded):
        matrix[row, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    state = np.zeros(len(encoded), dtype=np.int64)
    features = np.full((len(encoded), width), -1, dtype=np.int64)
    for position in range(width):
        live = lengths > position
        moved = model.nextmove[model.rowbase[state] + matrix[:, position]]
        state = np.where(live, moved, state)
        features[:, position] = np.where(live, model.output[state], -1)
    rows, cols = np.nonzero(features >= 0)
    feature_ids = features[rows, cols]
    n_features = model.ptc.shape[0]
    keys, counts = np.unique(rows * n_features + feature_ids, return_counts=True)
    weights = np.log1p(counts.astype(np.float32))
    counts_matrix = sparse.csr_matrix(
        (weights, (keys // n_features, keys % n_features)), shape=(len(encoded), n_features), dtype=np.float32
    )
    scores = np.asarray(counts_matrix @ model.ptc, dtype=np.float32) + model.pc
    has_features = np.zeros(len(encoded), dtype=bool)
    has_features[keys // n_features] = True
    scores[~has_features] = 0.0  # no feature: a uniform (abstaining) distribution, as py3langid does
    scores *= (1.0 / np.sqrt(lengths.astype(np.float32)))[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for first, dupe in model.alias_pairs:
        scores[:, first] += scores[:, dupe]
        scores[:, dupe] = 0.0
    top = scores.argmax(axis=1)
    ours = model.ours[scores[:, model.ours].argmax(axis=1)]
    for row, (index, _raw) in enumerate(encoded):
        label = model.classes[top[row]]
        if label in LANGUAGES:
            results[index] = label
        elif len(texts[index].strip()) < 80:
            results[index] = model.classes[ours[row]]
    return results


_CHUNK = 64  # texts walked together: enough to amortise numpy's per-call cost, little padding


class _BatchModel:
    def __init__(self, identifier) -> None:
        self.nextmove = np.asarray(identifier.tk_nextmove, dtype=np.int64)
        self.rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.ptc = np.asarray(identifier.nb_ptc, dtype=np.float32)
        self.pc = np.asarray(identifier.nb_pc, dtype=np.float32)
        self.classes = list(identifier.nb_classes)
        self.alias_pairs = list(identifier._alias_pairs)
        # The first column of each of our four languages (aliases are folded into the first one).
        self.ours = np.array([self.classes.index(code) for code in LANGUAGES], dtype=np.int64)


@lru_cache(maxsize=1)
def _batch_model() -> _BatchModel:
    return _BatchModel(_identifier())


def _fold_char(ch: str) -> str:
    """What ``core.text.fold`` does to one character, before spaces are collapsed."""
    decomposed = unicodedata.normalize("NFKD", ch.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "’": "'"})
# Latin scripts (up to Latin Extended-B) and general punctuation: folded by one str.translate.
_FAST = {code: _fold_char(chr(code)) for code in [*range(0x250), *range(0x2000, 0x2070)]}
_SLOW = re.compile("[\u0250-\u1fff\u2070-\U0010ffff]")


def fast_fold(text: str | None) -> str:
    """Same result as ``core.text.fold`` (tested), several times faster on Latin text: items are folded
    three times each (search text, near-duplicate signature, rules), so it matters at ingest."""
    if not text:
        return ""
    if _SLOW.search(text):
        return fold(text)
    return _SPACES.sub(" ", text.translate(_FAST)).strip()
