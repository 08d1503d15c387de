"""Memberships: members on a date, renewals due, create/edit/renew/end, and the certificate PDF."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.core.text import fold
from grappe.ecosystem import services
from grappe.ecosystem import workspace_selectors as ws
from grappe.ecosystem.certificate import membership_certificate_pdf
from grappe.ecosystem.forms import (
    MembershipEndForm,
    MembershipForm,
    MembershipListForm,
    MembershipRenewForm,
    add_service_errors,
)
from grappe.ecosystem.models import Membership, Organisation

PAGE_SIZE = 50
RENEWAL_WINDOW_DAYS = 60


@permissions.staff_required
def membership_list(request: HttpRequest) -> HttpResponse:
    form = MembershipListForm(request.GET or None)
    today = dt.date.today()
    day, tier, status = today, "", ""
    if form.is_bound and form.is_valid():
        day = form.cleaned_data.get("on") or today
        tier = form.cleaned_data.get("tier") or ""
        status = form.cleaned_data.get("status") or ""
    members = ws.memberships_on(day, tier=tier)
    members_page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue, due = ws.overdue_and_due(today, days=RENEWAL_WINDOW_DAYS)
    by_status = None
    if status:
        queryset = Membership.objects.filter(status=status).select_related("organisation").order_by("-start_date")
        if tier:
            queryset = queryset.filter(tier=tier)
        by_status = list(queryset[:200])
    return render(
        request,
        "ecosystem/membership_list.html",
        {
            "form": form,
            "day": day,
            "today": today,
            "tier": tier,
            "status": status,
            "members_page": members_page,
            "member_count": members_page.paginator.count,
            "tiers": ws.members_on_by_tier(day),
            "overdue": overdue,
            "due": due,
            "window": RENEWAL_WINDOW_DAYS,
            "by_status": by_status,
            "renew_form": MembershipRenewForm(),
        },
    )


@permissions.staff_required
def membership_create(request: HttpRequest) -> HttpResponse:
    fixed = None
    if (org := request.GET.get("organisation") or request.POST.get("fixed_organisation") or "").isdigit():
        fixed = get_object_or_404(Organisation, pk=org)
    form = MembershipForm(request.POST or None, fixed_organisation=fixed)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = fixed or data.pop("organisation")
        data.pop("organisation", None)
        try:
            membership = services.membership_create(actor=request.user, organisation=organisation, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Adhésion enregistrée pour « %(name)s ».") % {"name": organisation.name})
            return redirect("ecosystem:organisation_detail", membership.organisation_id)
    return render(request, "ecosystem/membership_form.html", {"form": form, "organisation": fixed, "membership": None})


@permissions.staff_required
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                actor=request.user, membership=Membership.objects.get(pk=pk), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Adhésion modifiée."))
            return redirect("ecosystem:organisation_detail", membership.organisation_id)
    return render(
        request,
        "ecosystem/membership_form.html",
        {"form": form, "organisation": membership.organisation, "membership": membership},
    )


@permissions.staff_required
@require_POST
def membership_renew(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk)
    form = MembershipRenewForm(request.POST)
    if form.is_valid() and membership.status == Membership.Status.MEMBER and membership.end_date is None:
        services.membership_renew(actor=request.user, membership=membership, paid_until=form.cleaned_data["paid_until"])
        messages.success(
            request,
            _("Adhésion de « %(name)s » renouvelée jusqu'au %(date)s.")
            % {"name": membership.organisation.name, "date": membership.renewal_date},
        )
    else:
        messages.error(request, _("Seule une adhésion en cours peut être renouvelée."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("ecosystem:membership_list")
    return redirect(next_url)


@permissions.staff_required
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk)
    form = MembershipEndForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(
                actor=request.user,
                membership=Membership.objects.get(pk=pk),
                end_date=form.cleaned_data["end_date"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Adhésion clôturée."))
            return redirect("ecosystem:organisation_detail", membership.organisation_id)
    return render(request, "ecosystem/membership_end.html", {"form": form, "membership": membership})


@permissions.login_required
def membership_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """CERTIFICATE: staff, and member users of the membership's organisation."""
    membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk)
    if not permissions.can_download_membership_certificate(request.user, membership):
        raise PermissionDenied
    pdf = membership_certificate_pdf(membership)
    filename = f"attestation-{slugify(fold(membership.organisation.name))[:60]}-{membership.start_date:%Y}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
