"""Canonical URLs: one story, one address, whatever tracking decorations a feed adds."""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from.
TRACKING_PARAMETERS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "ocid", "cmpid", "xtor", "spm", "ref_src", "ref_url",
    "at_medium", "at_campaign", "at_platform", "at_creation", "at_variant", "oly_anon_id", "oly_enc_id",
    "vero_id", "wt.mc_id", "s_cid", "__twitter_impression", "rss", "feed", "from_rss",
}  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "wt.", "ga_", "_ga")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, sorted query,
    no trailing slash (except the root). Returns "" for anything that is not an http(s) URL."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().rstrip(".")
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def url_key(canonical: str) -> str:
    """The de-duplication key of a canonical URL: http/https and a leading "www." do not make two stories."""
    rest = canonical.split("://", 1)[-1]
    if rest.startswith("www."):
        rest = rest[4:]
    return hashlib.sha256(rest.encode()).hexdigest()


def fallback_key(source_id: int, *parts: str) -> str:
    """The key of an item without a link: unique within its source."""
    return hashlib.sha256("\x1f".join([f"source:{source_id}", *parts]).encode()).hexdigest()
