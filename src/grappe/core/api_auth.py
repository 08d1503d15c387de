"""Authentication and error vocabulary shared by every API router.

``ApiAuth(scope)`` accepts either a personal token (``Authorization: Bearer grp_…``) carrying ``scope``,
or the browser's Django session (CSRF-checked on unsafe methods). It returns the user, so views
call the same ``grappe.accounts.permissions`` helpers as the UI. A missing or bad token → 401;
a valid token without the scope → 403 (reason ``missing_scope``).

``ApiError(status, reason, message)`` carries a machine-readable ``reason``; ``grappe.api`` turns it
(and ninja's own errors) into ``{"reason": …, "detail": …}``. The ``reason`` never changes; the ``detail``
is a French msgid passed through gettext, so it follows the request's language (Accept-Language, through
LocaleMiddleware): messages built at import time (``denied=``) must be ``gettext_lazy``.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import check_csrf
from pydantic import BaseModel

from grappe.accounts.tokens import token_authenticate

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ApiError(HttpError):
    """An API error with a stable machine-readable ``reason`` (snake_case) and a human message."""

    def __init__(self, status_code: int, reason: str, message: str) -> None:
        super().__init__(status_code, message)
        self.reason = reason


class ApiAuth(HttpBearer):
    """Bearer token with a required scope, or the Django session. Reusable by every router."""

    def __init__(
        self,
        scope: str | None = None,
        *,
        allow: Callable[[Any], bool] | None = None,
        denied: str | None = None,
    ) -> None:
        """``allow(user)``, when given, is the role rule of every operation using this auth: it is
        checked before the request body is read, so a refused role gets 403, never a 422."""
        self.scope = scope
        self.allow = allow
        self.denied = denied if denied is not None else gettext_lazy("Accès refusé pour votre rôle.")
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any | None:
        user = self._identify(request)
        if user is not None and self.allow is not None and not self.allow(user):
            raise ApiError(403, "forbidden", str(self.denied))  # a lazy message, translated now
        return user

    def _identify(self, request: HttpRequest) -> Any | None:
        if request.headers.get(self.header):
            # An explicit token always wins over a session cookie sent along with it.
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        unsafe = request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and check_csrf(request):
            raise ApiError(403, "csrf_failed", _("Vérification CSRF échouée."))
        request.api_token = None
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        api_token = token_authenticate(token)
        if api_token is None:
            return None  # ninja answers 401
        if self.scope and self.scope not in api_token.scopes:
            raise ApiError(403, "missing_scope", _("Ce jeton n'a pas la portée « %(scope)s ».") % {"scope": self.scope})
        request.api_token = api_token
        return api_token.user


def reason_for_status(status: int) -> str:
    return {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        422: "invalid",
        429: "rate_limited",
    }.get(status, "error")


def conditional(request: HttpRequest, response: HttpResponse, schema: type[BaseModel], data: Any) -> Any:
    """Validate ``data`` with ``schema``, tag it with a strong ETag, and answer 304 when the client has it.

    The ETag hashes the serialised payload, so it changes exactly when what this caller sees changes
    (member users and staff get different tags for the same URL). Views return what this returns.
    """
    payload = schema.model_validate(data).model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    response["ETag"] = etag
    response["Vary"] = "Authorization, Cookie"
    sent = request.headers.get("If-None-Match", "")
    if sent and (sent.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in sent.split(",")]):
        return Status(304, None)
    return payload
