"""The REST API `/api/v1/`: one NinjaAPI; each app's `api.py` exposing `router` is mounted at `/<app>/`."""

import logging
from importlib import import_module
from importlib.util import find_spec

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from grappe.core.api_auth import reason_for_status

api = NinjaAPI(
    title="Grappe API",
    version="1",
    urls_namespace="api",
    description="REST API of a Grappe cluster instance. Staff and member users authenticate with personal tokens.",
)

logger = logging.getLogger("grappe.api")


# ninja's own errors carry English messages: replaced by French msgids, translated per request.
NINJA_MESSAGES = {
    AuthenticationError: gettext_lazy("Authentification requise."),
    AuthorizationError: gettext_lazy("Accès refusé."),
    Throttled: gettext_lazy("Trop de requêtes. Réessayez plus tard."),
}


# Every error answers {"reason": <machine-readable>, "detail": <human message or field errors>}; the
# detail is translated into the request's language (LocaleMiddleware), the reason never is.
@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    reason = getattr(exc, "reason", None) or reason_for_status(exc.status_code)
    detail = str(NINJA_MESSAGES.get(type(exc), exc))
    response = api.create_response(request, {"reason": reason, "detail": detail}, status=exc.status_code)
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"reason": "invalid", "detail": exc.errors}, status=422)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"reason": "forbidden", "detail": str(exc) or _("Accès refusé.")}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"reason": "not_found", "detail": _("Introuvable.")}, status=404)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug must not leak a traceback; it is logged with the path and answered as JSON.
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"reason": "server_error", "detail": _("Erreur interne.")}, status=500)


for _app in [
    "accounts",
    "referential",
    "register",
    "ecosystem",
    "watch",
    "events",
    "partnerships",
    "showcase",
    "innovation",
    "insights",
    "objectives",
]:
    if find_spec(f"grappe.{_app}.api") is not None:
        module = import_module(f"grappe.{_app}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{_app}/", router)
