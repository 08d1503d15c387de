"""Personal API tokens: creation (the secret is returned once), lookup by prefix + hash, revocation.

A token reads ``grp_<prefix>_<secret>``. Only ``sha256(secret)`` is stored, so a database leak does not
leak usable tokens; the prefix is public (shown in lists) and only serves to find the row.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.accounts.models import ApiToken, User
from grappe.core.audit import audit_log

TOKEN_MARK = "grp"

# Apps with an API router and the scopes a token may carry for them.
SCOPE_APPS = (
    "ecosystem",
    "register",
    "events",
    "partnerships",
    "showcase",
    "innovation",
    "watch",
    "insights",
    "objectives",
)
SCOPES = tuple(f"{app}:{level}" for app in SCOPE_APPS for level in ("read", "write"))

# last_used_at is written at most this often per token, so a busy client does not write on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class TokenError(ValueError):
    """Bad input when creating a token; the message names the field."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def validate_scopes(scopes: list[str]) -> list[str]:
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise TokenError(_("portées : inconnues : %(scopes)s") % {"scopes": ", ".join(unknown)})
    # A write scope implies reading the same app.
    result = set(scopes) | {s.replace(":write", ":read") for s in scopes if s.endswith(":write")}
    return sorted(result)


def token_create(
    *, actor: Any, user: User, name: str, scopes: list[str], expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with the full plaintext token (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("nom : obligatoire."))
    if not (user.is_cluster_staff or user.is_member_user):
        raise TokenError(_("utilisateur : seuls l'équipe et les utilisateurs membres peuvent avoir un jeton."))
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError(_("expiration : la date doit être dans le futur."))
    clean_scopes = validate_scopes(list(scopes))
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(4)
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            secret_hash=_hash(secret),
            scopes=clean_scopes,
            expires_at=expires_at,
        )
        changes = {"name": name, "scopes": clean_scopes}
        audit_log(actor=actor, action="accounts.apitoken.create", obj=token, changes=changes)
    return token, f"{TOKEN_MARK}_{prefix}_{secret}"


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="accounts.apitoken.revoke", obj=token)
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token matching ``raw`` (its user active too), or None. Updates last_used_at (throttled)."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK or not parts[1] or not parts[2]:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1][:12]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    now = timezone.now()
    if not token.is_active_at(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # Conditional update: concurrent requests do not pile up writes.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def user_tokens(user: User):
    return ApiToken.objects.filter(user=user).order_by("-created_at")
