"""The REST API `/api/v1/`: one NinjaAPI; each app's `api.py` exposing `router` is mounted at `/<app>/`."""

import logging
from importlib import import_module
from importlib.util import find_spec

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema

from grappe.core.api_auth import reason_for_status

# The error body every 4xx carries (see the handlers below), documented once and referenced by every operation,
# so clients and the contract test (schemathesis) check error answers against it too.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["reason", "detail"],
    "properties": {
        "reason": {"type": "string", "description": "Machine-readable, stable: not_authenticated, forbidden, ..."},
        "detail": {"description": "A message in the request's language, or the list of invalid fields (422)."},
    },
}
ERROR_DESCRIPTIONS = {
    "401": "Not authenticated (no, expired, revoked or unknown token)",
    "403": "Forbidden for this role, or the token lacks the scope (reason missing_scope)",
    "404": "Not found, or a page past the end (reason page_out_of_range)",
    "422": "Invalid parameter or body (detail lists each field)",
    "429": "Too many requests (Retry-After header)",
}


def document_errors(schema: OpenAPISchema) -> OpenAPISchema:
    """Add the ``Error`` component and the 4xx answers each operation may give to the generated document."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            codes = ["404", "422"]
            if operation.get("security"):
                codes = ["401", "403", *codes]
            else:  # the public, unauthenticated endpoints are rate-limited
                codes.append("429")
            for code in codes:
                if code not in responses and int(code) not in responses:
                    responses[code] = {"description": ERROR_DESCRIPTIONS[code], **reference}
    return schema


class GrappeApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> OpenAPISchema:
        return document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = GrappeApi(
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


# Last: a URL under /api/v1/ that no router matches (an unknown path, or an id its converter refuses, such as
# /register/enterprises/abc) answers the JSON 404 of the API, not the site's HTML page.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], "/{path:rest}", include_in_schema=False
)
def _no_such_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404


api.add_router("/", fallback)
