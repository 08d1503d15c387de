"""Entry pages: home (routes by role), staff workspace, member portal, observers' reports, health."""

import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from grappe.accounts import permissions
from grappe.core import selectors
from grappe.core.registry import portal_menu


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if permissions.is_staff(user):
        return redirect("core:workspace")
    if permissions.is_member_user(user):
        return redirect("core:portal")
    if permissions.is_observer(user):
        return redirect("core:reports")
    try:  # visitors land on the public site in their language (i18n_patterns adds the prefix)
        return redirect(reverse("showcase:home"))
    except NoReverseMatch:
        return render(request, "core/home.html")


@permissions.staff_required
def workspace(request: HttpRequest) -> HttpResponse:
    return render(request, "core/workspace.html", {"cards": selectors.workspace_cards()})


@permissions.member_required
def portal(request: HttpRequest) -> HttpResponse:
    from grappe.ecosystem.models import Organisation

    organisations = permissions.restrict_organisations(Organisation.objects.all(), request.user)
    return render(request, "core/portal.html", {"organisations": organisations, "services": portal_menu()})


@permissions.reports_required
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "core/reports.html", {"cards": selectors.report_cards()})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness of the database, the shared cache and the background worker, as JSON.

    503 with ``reasons`` (``database_unavailable``, ``cache_unavailable``, ``worker_missing``,
    ``worker_stale``) when one fails. ``?check=web`` leaves the worker out, for a load balancer that
    should keep routing to web processes while the worker is down.
    """
    reasons: list[str] = []
    body: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = "ok"
    except Exception:  # a broken database must not turn the health check into a 500
        body["database"] = "error"
        reasons.append("database_unavailable")
    try:
        probe = f"grappe-healthz-{secrets.token_hex(4)}"
        cache.set(probe, 1, 10)
        ok = cache.get(probe) == 1
        cache.delete(probe)
        body["cache"] = "ok" if ok else "error"
    except Exception:
        body["cache"] = "error"
    if body["cache"] != "ok":
        reasons.append("cache_unavailable")
    if request.GET.get("check") != "web":
        if body["database"] == "ok":
            from grappe.core import scheduler

            state, seen = scheduler.worker_status()
            body["worker"] = state
            body["worker_seen_at"] = seen.isoformat() if seen else None
            if state != "ok":
                reasons.append(f"worker_{state}")
        else:
            body["worker"] = "unknown"
    status = 503 if reasons else 200
    body["status"] = "ok" if status == 200 else "error"
    if reasons:
        body["reasons"] = reasons
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response
