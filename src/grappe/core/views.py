"""Entry pages: home (routes by role), staff workspace, member portal, observers' reports, health."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

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
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # a broken database must not turn the health check into a 500
        database = "error"
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database, "status": _("ok") if status == 200 else "error"}, status=status)
