"""Organisation pages of the staff workspace and of the member portal (thin: selectors read, services write).

People, memberships and taxonomies have their own view modules (``person_views``,
``membership_views``, ``taxonomy_views``); every permission decision calls
``grappe.accounts.permissions``.
"""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.core.registry import organisation_panels
from grappe.ecosystem import maps, selectors, services
from grappe.ecosystem import workspace_selectors as ws
from grappe.ecosystem.forms import (
    ActivityForm,
    MergeConfirmForm,
    MergeSearchForm,
    OrganisationCreateForm,
    OrganisationFilterForm,
    OrganisationForm,
    OrganisationProfileForm,
    SiteForm,
    add_service_errors,
)
from grappe.ecosystem.models import Activity, Organisation, Relationship, Site
from grappe.referential.selectors import kbo_label

PAGE_SIZE = 50


def reverse_or_none(name: str, *args: Any) -> str | None:
    """A URL of an optional feature (import/export is another module's), or ``None`` while it is absent."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _query_string(request: HttpRequest, *, drop: tuple[str, ...] = ("page",)) -> str:
    params = [(k, v) for k, values in request.GET.lists() if k not in drop for v in values if v]
    return urlencode(params)


# --- list ----------------------------------------------------------------------------------------


@permissions.staff_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    queryset = selectors.organisation_list(filters).prefetch_related(
        Prefetch(
            "activities",
            queryset=Activity.objects.filter(is_main=True).select_related("nace"),
            to_attr="main_activities",
        )
    )
    if form.is_bound and form.is_valid() and form.cleaned_data.get("sort") == "-updated":
        queryset = queryset.order_by("-updated_at", "name")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = list(page.object_list)
    badges = ws.membership_badges([o.pk for o in organisations])
    for organisation in organisations:
        organisation.badge = badges.get(organisation.pk)
        sites = list(organisation.sites.all())
        organisation.place = next((s for s in sites if s.is_head_office), sites[0] if sites else None)
    query = _query_string(request)
    export = {
        fmt: f"{url}?{query}" if query else url
        for fmt in ("csv", "xlsx")
        if (url := reverse_or_none("ecosystem:organisation_export", fmt))
    }
    context = {
        "form": form,
        "page": page,
        "organisations": organisations,
        "query": query,
        "export_urls": export,
        "import_url": reverse_or_none("ecosystem:organisation_import"),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "ecosystem/_organisation_results.html", context)
    return render(request, "ecosystem/organisation_list.html", context)


# --- detail --------------------------------------------------------------------------------------


def _panels(organisation: Organisation, *, staff: bool) -> list[dict[str, Any]]:
    panels = []
    for panel in organisation_panels(staff=staff):
        if url := reverse_or_none(panel.url_name, organisation.pk):
            panels.append({"label": panel.label, "url": url, "id": panel.url_name.replace(":", "-")})
    return panels


def _organisation_context(request: HttpRequest, organisation: Organisation, *, staff: bool) -> dict[str, Any]:
    """What the organisation page shows; private parts only when ``staff``."""
    sites = list(organisation.sites.all())
    affiliations = list(organisation.affiliations.all())
    current, past = ws.affiliations_split(affiliations)
    descriptions = [
        (code, name, getattr(organisation, f"description_{code}", "") or "") for code, name in settings.LANGUAGES
    ]
    context: dict[str, Any] = {
        "org": organisation,
        "staff_mode": staff,
        "legal_form_label": kbo_label("JuridicalForm", organisation.legal_form) if organisation.legal_form else "",
        "descriptions": descriptions,
        "sites": sites,
        "site_map": maps.site_map(sites, title=_("Sites de %(name)s") % {"name": organisation.name}),
        "activities": list(organisation.activities.all()),
        "current_affiliations": sorted(current, key=lambda a: (not a.is_primary_contact, a.person.last_name)),
        "past_affiliations": past if staff else [],
        "memberships": list(organisation.memberships.all()),
        "current_membership": selectors.current_membership(organisation),
        "panels": _panels(organisation, staff=staff),
    }
    if staff:
        context.update(
            relationships_out=Relationship.objects.filter(source=organisation).select_related("target"),
            relationships_in=Relationship.objects.filter(target=organisation).select_related("source"),
            history=ws.organisation_history(organisation.pk),
            site_form=SiteForm(prefix="site"),
            activity_form=ActivityForm(
                prefix="activity",
                initial={
                    "codes": ", ".join(a.nace.dotted for a in context["activities"]),
                    "main": next((a.nace.dotted for a in context["activities"] if a.is_main), ""),
                    "version": context["activities"][0].nace.version if context["activities"] else "2025",
                },
            ),
        )
    return context


@permissions.staff_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    organisation = selectors.organisation_detail(organisation.pk)
    return render(
        request, "ecosystem/organisation_detail.html", _organisation_context(request, organisation, staff=True)
    )


# --- create / edit (staff) -----------------------------------------------------------------------


@permissions.staff_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Several service calls, one outcome: an unknown postal code leaves no half-created organisation.
            with transaction.atomic():
                organisation = services.organisation_create(actor=request.user, **form.service_fields())
                if data.get("site_postal_code"):
                    services.site_add(
                        actor=request.user,
                        organisation=organisation,
                        postal_code=data["site_postal_code"],
                        street=data.get("site_street", ""),
                        number=data.get("site_number", ""),
                        is_head_office=True,
                    )
                if data.get("main_nace"):
                    services.activity_set(
                        actor=request.user, organisation=organisation, codes=[data["main_nace"]], main=data["main_nace"]
                    )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Organisation « %(name)s » créée.") % {"name": organisation.name})
            return redirect("ecosystem:organisation_detail", organisation.pk)
    return render(request, "ecosystem/organisation_form.html", {"form": form, "org": None})


@permissions.staff_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        target = Organisation.objects.get(pk=pk)  # the service works on its own copy; the form keeps the input
        try:
            services.organisation_update(actor=request.user, organisation=target, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect("ecosystem:organisation_detail", pk)
    return render(request, "ecosystem/organisation_form.html", {"form": form, "org": organisation})


@permissions.staff_required
@require_POST
def organisation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    name = organisation.name
    try:
        services.organisation_delete(actor=request.user, organisation=organisation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("ecosystem:organisation_detail", pk=organisation.pk)
    messages.success(request, _("Organisation « %(name)s » supprimée.") % {"name": name})
    return redirect("ecosystem:organisation_list")


# --- sites and activities (small forms on the detail page, htmx or plain POST) ------------------


def _sites_fragment(request: HttpRequest, organisation: Organisation, form: SiteForm) -> HttpResponse:
    organisation = selectors.organisation_detail(organisation.pk)
    sites = list(organisation.sites.all())
    return render(
        request,
        "ecosystem/_organisation_sites.html",
        {
            "org": organisation,
            "sites": sites,
            "site_form": form,
            "staff_mode": True,
            "site_map": maps.site_map(sites, title=_("Sites de %(name)s") % {"name": organisation.name}),
        },
    )


@permissions.staff_required
@require_POST
def site_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = SiteForm(request.POST, prefix="site")
    if form.is_valid():
        try:
            services.site_add(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = SiteForm(prefix="site")
            if not request.htmx:
                messages.success(request, _("Site ajouté."))
                return redirect("ecosystem:organisation_detail", pk)
    if request.htmx:
        return _sites_fragment(request, organisation, form)
    context = _organisation_context(request, selectors.organisation_detail(pk), staff=True)
    context["site_form"] = form
    return render(request, "ecosystem/organisation_detail.html", context)


@permissions.staff_required
@require_POST
def site_remove(request: HttpRequest, pk: int, site_pk: int) -> HttpResponse:
    site = get_object_or_404(Site, pk=site_pk, organisation_id=pk)
    services.site_remove(actor=request.user, site=site)
    if request.htmx:
        return _sites_fragment(request, site.organisation, SiteForm(prefix="site"))
    messages.success(request, _("Site supprimé."))
    return redirect("ecosystem:organisation_detail", pk)


@permissions.staff_required
@require_POST
def activities_set(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = ActivityForm(request.POST, prefix="activity")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_set(
                actor=request.user,
                organisation=organisation,
                codes=data["code_list"],
                main=data.get("main") or None,
                version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if request.htmx:
        activities = list(organisation.activities.select_related("nace"))
        return render(
            request,
            "ecosystem/_organisation_activities.html",
            {"org": organisation, "activities": activities, "activity_form": form, "staff_mode": True},
        )
    if form.errors:
        context = _organisation_context(request, selectors.organisation_detail(pk), staff=True)
        context["activity_form"] = form
        return render(request, "ecosystem/organisation_detail.html", context)
    messages.success(request, _("Activités enregistrées."))
    return redirect("ecosystem:organisation_detail", pk)


# --- merge ---------------------------------------------------------------------------------------


@permissions.staff_required
def organisation_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the duplicate, preview what moves, confirm: the duplicate is merged into this organisation."""
    keep = get_object_or_404(Organisation, pk=pk)
    if request.method == "POST":
        confirm = MergeConfirmForm(request.POST)
        if confirm.is_valid():
            duplicate = get_object_or_404(Organisation, pk=confirm.cleaned_data["duplicate"])
            name = duplicate.name
            try:
                services.organisation_merge(actor=request.user, keep=keep, duplicate=duplicate)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("ecosystem:organisation_merge", pk)
            messages.success(
                request,
                _("« %(duplicate)s » a été fusionnée dans « %(keep)s ».") % {"duplicate": name, "keep": keep.name},
            )
            return redirect("ecosystem:organisation_detail", pk)
    search = MergeSearchForm(request.GET or None)
    candidates: list[Organisation] = []
    if search.is_valid() and search.cleaned_data.get("q"):
        candidates = list(selectors.organisation_list({"q": search.cleaned_data["q"]}).exclude(pk=pk)[:20])
    duplicate = None
    if (duplicate_pk := request.GET.get("duplicate", "")).isdigit() and int(duplicate_pk) != keep.pk:
        duplicate = Organisation.objects.filter(pk=duplicate_pk).first()
    preview = None
    if duplicate is not None:
        keep_counts, duplicate_counts = ws.relation_counts(keep), dict(ws.relation_counts(duplicate))
        preview = [(label, count, duplicate_counts.get(label, 0)) for label, count in keep_counts]
    return render(
        request,
        "ecosystem/organisation_merge.html",
        {
            "keep": keep,
            "search": search,
            "candidates": candidates,
            "duplicate": duplicate,
            "preview": preview,
            "confirm": MergeConfirmForm(initial={"duplicate": duplicate.pk}) if duplicate else None,
        },
    )


# --- member portal: their own organisation -------------------------------------------------------


def _portal_organisation(request: HttpRequest, pk: int) -> Organisation:
    """ORG-VIEW for member users: only their organisations (404 for any other)."""
    if not permissions.is_member_user(request.user):
        raise PermissionDenied
    queryset = permissions.restrict_organisations(Organisation.objects.all(), request.user)
    get_object_or_404(queryset, pk=pk)
    return selectors.organisation_detail(pk)


@permissions.login_required
def portal_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    if permissions.is_staff(request.user):
        return redirect("ecosystem:organisation_detail", pk)
    organisation = _portal_organisation(request, pk)
    context = _organisation_context(request, organisation, staff=False)
    context["can_edit_profile"] = permissions.can_edit_organisation_profile(request.user, organisation)
    context["today"] = dt.date.today()
    return render(request, "ecosystem/organisation_detail.html", context)


@permissions.login_required
def portal_organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if permissions.is_staff(request.user):
        return redirect("ecosystem:organisation_edit", pk)
    organisation = _portal_organisation(request, pk)
    if not permissions.can_edit_organisation_profile(request.user, organisation):
        raise PermissionDenied
    form = OrganisationProfileForm(request.POST or None, request.FILES or None, instance=organisation)
    # When the public site moderates profiles, its public fields are proposed there for staff
    # approval; this form keeps only what never shows publicly as is (bands, transitions, logo...).
    approval_fields, approval_url = _public_profile_moderation(pk)
    for name in approval_fields:
        form.fields.pop(name, None)
    if request.method == "POST" and form.is_valid():
        target = Organisation.objects.get(pk=pk)
        try:
            services.organisation_update(actor=request.user, organisation=target, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Profil mis à jour."))
            return redirect("ecosystem:portal_organisation", pk)
    return render(
        request,
        "ecosystem/organisation_profile_form.html",
        {"form": form, "org": organisation, "approval_url": approval_url},
    )


def _public_profile_moderation(pk: int) -> tuple[tuple[str, ...], str]:
    """The fields the public site's profile approval owns, and the page where members propose them."""
    if not django_apps.is_installed("grappe.showcase"):
        return (), ""
    from grappe.showcase import profiles  # optional app: imported only when installed

    if not profiles.approval_required():
        return (), ""
    try:
        url = reverse("showcase_members:portal_profile_edit", args=[pk])
    except NoReverseMatch:
        return (), ""
    return tuple(profiles.PUBLIC_PROFILE_FIELDS), url
