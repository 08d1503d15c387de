"""Login throttling and lockout, kept in the cache (shared by every process).

Two counters of failed logins, each over a sliding window of ``GRAPPE_LOGIN_LOCKOUT_SECONDS``:

- per account (the e-mail typed): after ``GRAPPE_LOGIN_MAX_FAILURES`` failures the account is locked for
  that delay, whatever the address the attempts come from (guessing one person's password);
- per client address: after ``GRAPPE_LOGIN_MAX_FAILURES_PER_IP`` failures the address is locked
  (trying many accounts from one machine).

A locked login is refused before the password is even checked, with a message saying when to retry.
A successful login clears the account's counter; an administrator unlocks an account or an address at
once (``accounts:lockouts`` page, or ``grappe unlock_login``). Every lock is written to the audit log.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

PREFIX = "grappe:login"


def _settings() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "GRAPPE_LOGIN_MAX_FAILURES", 5)),
        int(getattr(settings, "GRAPPE_LOGIN_MAX_FAILURES_PER_IP", 30)),
        int(getattr(settings, "GRAPPE_LOGIN_LOCKOUT_SECONDS", 15 * 60)),
    )


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}"


def client_ip(request: Any) -> str:
    """The client address; behind a trusted proxy (BEHIND_PROXY) the first X-Forwarded-For hop."""
    if request is None:
        return ""
    meta = getattr(request, "META", {})
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
    return meta.get("REMOTE_ADDR", "") or ""


@dataclass(frozen=True)
class Lock:
    scope: str  # "account" or "address"
    retry_after_seconds: int


def _state(key: str) -> dict[str, Any]:
    return cache.get(key) or {"count": 0, "locked_until": None}


def _locked(key: str) -> int:
    state = _state(key)
    until = state.get("locked_until")
    if until is None:
        return 0
    remaining = int(until - timezone.now().timestamp())
    return max(remaining, 0)


def check(*, email: str, ip: str) -> Lock | None:
    """The lock that refuses this attempt, or None."""
    if email and (seconds := _locked(_key("account", email))):
        return Lock("account", seconds)
    if ip and (seconds := _locked(_key("address", ip))):
        return Lock("address", seconds)
    return None


def _fail(key: str, limit: int, window: int) -> bool:
    """Count one failure; True when this failure locks."""
    state = _state(key)
    state["count"] = int(state.get("count", 0)) + 1
    newly_locked = False
    if state["count"] >= limit and not state.get("locked_until"):
        state["locked_until"] = timezone.now().timestamp() + window
        newly_locked = True
    cache.set(key, state, window)
    return newly_locked


def record_failure(*, email: str, ip: str) -> None:
    max_account, max_ip, window = _settings()
    from grappe.core.audit import audit_log

    if email and _fail(_key("account", email), max_account, window):
        audit_log(actor=None, action="accounts.login.locked", message=f"account {email.strip().lower()[:200]}")
    if ip and _fail(_key("address", ip), max_ip, window):
        audit_log(actor=None, action="accounts.login.locked", message=f"address {ip[:60]}")


def record_success(*, email: str) -> None:
    if email:
        cache.delete(_key("account", email))


def unlock(*, actor: Any, email: str = "", ip: str = "") -> None:
    from grappe.core.audit import audit_log

    if email:
        cache.delete(_key("account", email))
        audit_log(actor=actor, action="accounts.login.unlocked", message=f"account {email.strip().lower()[:200]}")
    if ip:
        cache.delete(_key("address", ip))
        audit_log(actor=actor, action="accounts.login.unlocked", message=f"address {ip[:60]}")


def is_locked(*, email: str = "", ip: str = "") -> bool:
    return bool((email and _locked(_key("account", email))) or (ip and _locked(_key("address", ip))))
