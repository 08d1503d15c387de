"""Fetch a source over HTTP, defensively.

- conditional GET (``If-None-Match`` / ``If-Modified-Since``; a 304 means "nothing new");
- one deadline for the whole fetch (connect, headers and body), not only per read, so a server that
  trickles one byte a second cannot hold a worker;
- the body is streamed and abandoned as soon as it exceeds ``WATCH_MAX_BODY_BYTES``;
- redirects are followed by hand, at most ``WATCH_MAX_REDIRECTS``, and every hop is re-checked;
- SSRF guard: the host is resolved and every address must be public (no private, loopback,
  link-local, multicast, reserved or unspecified address) unless ``WATCH_ALLOW_PRIVATE_ADDRESSES``;
- per-host politeness: at least ``WATCH_HOST_MIN_DELAY_MS`` between two requests to one host
  (per worker process).
"""

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A fetch that failed; ``str(error)`` is the reason shown to staff."""

    def __init__(self, message: str, *, status: int | None = None, bytes_received: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.bytes_received = bytes_received


@dataclass
class FetchResult:
    url: str
    status: int
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    elapsed_ms: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class HostThrottle:
    """Remembers when each host was last asked and waits so requests to it are spaced out."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._next_allowed: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, min_delay: float) -> float:
        """Block until ``host`` may be asked again; return the seconds waited."""
        if min_delay <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._next_allowed.get(host, now))
            self._next_allowed[host] = start + min_delay
        waited = start - now
        if waited > 0:
            self._sleep(waited)
        return waited


throttle = HostThrottle()


def _address_refusal(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = [
        (ip.is_loopback, _("adresse de bouclage")),
        (ip.is_private, _("adresse privée")),
        (ip.is_link_local, _("adresse lien-local")),
        (ip.is_multicast, _("adresse multicast")),
        (ip.is_reserved, _("adresse réservée")),
        (ip.is_unspecified, _("adresse non spécifiée")),
        (not ip.is_global, _("adresse non publique")),
    ]
    for refused, label in checks:
        if refused:
            return label
    return None


def check_url(url: str) -> None:
    """Raise ``FetchError`` unless ``url`` is http(s) and (unless allowed) resolves to public addresses only."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(_("Seules les adresses http et https sont relevées."))
    host = parts.hostname
    if not host:
        raise FetchError(_("L'adresse ne contient pas de nom d'hôte."))
    if settings.WATCH_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(_("Port invalide dans l'adresse.")) from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("Nom d'hôte introuvable : %(host)s.") % {"host": host}) from exc
    for info in infos:
        address = str(info[4][0])
        refusal = _address_refusal(address)
        if refusal:
            raise FetchError(
                _("Adresse refusée (%(reason)s) : %(host)s résout vers %(address)s.")
                % {"reason": refusal, "host": host, "address": address}
            )


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~50 ms: once per process, not once per fetch.
    return ssl.create_default_context()


def _client() -> httpx.Client:
    timeout = settings.WATCH_FETCH_TIMEOUT_SECONDS
    return httpx.Client(
        verify=_tls_context(),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10)),
        follow_redirects=False,
        headers={"User-Agent": settings.WATCH_USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        trust_env=False,  # no proxy from the environment: the SSRF check must see the real target
    )


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    client: httpx.Client | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """GET ``url`` with all the guards of this module; raise ``FetchError`` with a readable reason."""
    max_bytes = max_bytes or settings.WATCH_MAX_BODY_BYTES
    deadline = time.monotonic() + settings.WATCH_FETCH_TIMEOUT_SECONDS
    min_delay = settings.WATCH_HOST_MIN_DELAY_MS / 1000
    started = time.monotonic()
    own_client = client is None
    http = client or _client()
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/feed+json, text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        current = url
        for _hop in range(settings.WATCH_MAX_REDIRECTS + 1):
            check_url(current)
            throttle.wait(urlsplit(current).hostname or "", min_delay)
            try:
                with http.stream("GET", current, headers=headers) as response:
                    if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code == 304:
                        return _result(current, response, b"", started)
                    if response.status_code >= 400:
                        raise FetchError(
                            _("Le serveur a répondu %(status)d.") % {"status": response.status_code},
                            status=response.status_code,
                        )
                    body = _read_limited(response, max_bytes, deadline)
                    return _result(current, response, body, started)
            except httpx.TimeoutException as exc:
                raise FetchError(_("Délai dépassé.")) from exc
            except httpx.TooManyRedirects as exc:  # not raised with follow_redirects=False; kept for safety
                raise FetchError(_("Trop de redirections.")) from exc
            except httpx.DecodingError as exc:
                raise FetchError(_("Réponse compressée illisible.")) from exc
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise FetchError(_("Connexion impossible : %(error)s") % {"error": exc}) from exc
            except httpx.HTTPError as exc:
                raise FetchError(_("Erreur HTTP : %(error)s") % {"error": exc}) from exc
        raise FetchError(_("Trop de redirections (plus de %(max)d).") % {"max": settings.WATCH_MAX_REDIRECTS})
    finally:
        if own_client:
            http.close()


def _read_limited(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            _("Réponse trop volumineuse (%(size)d octets annoncés, limite %(max)d).")
            % {"size": int(declared), "max": max_bytes},
            status=response.status_code,
        )
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise FetchError(
                _("Réponse trop volumineuse (plus de %(max)d octets).") % {"max": max_bytes},
                status=response.status_code,
                bytes_received=received,
            )
        if time.monotonic() > deadline:
            raise FetchError(_("Délai dépassé."), status=response.status_code, bytes_received=received)
        chunks.append(chunk)
    return b"".join(chunks)


def _result(url: str, response: httpx.Response, body: bytes, started: float) -> FetchResult:
    return FetchResult(
        url=url,
        status=response.status_code,
        body=body,
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag", "")[:500],
        last_modified=response.headers.get("last-modified", "")[:100],
        elapsed_ms=int((time.monotonic() - started) * 1000),
    )
