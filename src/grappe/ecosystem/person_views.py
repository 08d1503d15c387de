"""People: the staff list, detail and forms, and a member user's own record in the portal."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.ecosystem import selectors, services
from grappe.ecosystem import workspace_selectors as ws
from grappe.ecosystem.forms import (
    AffiliationEndForm,
    AffiliationForm,
    PersonForm,
    PersonSelfForm,
    add_service_errors,
)
from grappe.ecosystem.models import Affiliation, Person
from grappe.ecosystem.views import reverse_or_none

PAGE_SIZE = 50


def _person(pk: int) -> Person:
    queryset = Person.objects.filter(erased_at__isnull=True).prefetch_related(
        Prefetch("affiliations", queryset=Affiliation.objects.select_related("organisation").order_by("-start_date")),
        "consents",
        "interests",
    )
    return get_object_or_404(queryset, pk=pk)


@permissions.staff_required
def person_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    queryset = selectors.person_list(text)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    people = list(page.object_list)
    for person in people:
        person.current_affiliations = [a for a in person.affiliations.all() if a.is_current]
    query = urlencode({"q": text}) if text else ""
    export = {
        fmt: f"{url}?{query}" if query else url
        for fmt in ("csv", "xlsx")
        if (url := reverse_or_none("ecosystem:person_export", fmt))
    }
    context = {
        "q": text,
        "page": page,
        "people": people,
        "export_urls": export,
        "import_url": reverse_or_none("ecosystem:person_import"),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "ecosystem/_person_results.html", context)
    return render(request, "ecosystem/person_list.html", context)


@permissions.staff_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    current, past = ws.affiliations_split(list(person.affiliations.all()))
    return render(
        request,
        "ecosystem/person_detail.html",
        {
            "person": person,
            "staff_mode": True,
            "current_affiliations": current,
            "past_affiliations": past,
            "consents": list(person.consents.all()),
            "affiliation_form": AffiliationForm(prefix="aff"),
            "end_form": AffiliationEndForm(),
        },
    )


@permissions.staff_required
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Personne « %(name)s » créée.") % {"name": person})
            return redirect("ecosystem:person_detail", person.pk)
    return render(request, "ecosystem/person_form.html", {"form": form, "person": None})


@permissions.staff_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=Person.objects.get(pk=pk), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Modifications enregistrées."))
            return redirect("ecosystem:person_detail", pk)
    return render(request, "ecosystem/person_form.html", {"form": form, "person": person})


@permissions.staff_required
@require_POST
def affiliation_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A new position; optionally closing the current ones on its start date (change of employer)."""
    person = _person(pk)
    form = AffiliationForm(request.POST, prefix="aff")
    if form.is_valid():
        data = dict(form.cleaned_data)
        end_current = data.pop("end_current")
        try:
            with transaction.atomic():
                if end_current:
                    for affiliation in person.affiliations.filter(
                        Q(end_date__isnull=True) | Q(end_date__gte=data["start_date"])
                    ).exclude(organisation=data["organisation"]):
                        services.affiliation_end(
                            actor=request.user, affiliation=affiliation, end_date=data["start_date"]
                        )
                services.affiliation_create(actor=request.user, person=person, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Affiliation ajoutée."))
            return redirect("ecosystem:person_detail", pk)
    current, past = ws.affiliations_split(list(person.affiliations.all()))
    return render(
        request,
        "ecosystem/person_detail.html",
        {
            "person": person,
            "staff_mode": True,
            "current_affiliations": current,
            "past_affiliations": past,
            "consents": list(person.consents.all()),
            "affiliation_form": form,
            "end_form": AffiliationEndForm(),
        },
    )


@permissions.staff_required
@require_POST
def affiliation_end(request: HttpRequest, pk: int) -> HttpResponse:
    affiliation = get_object_or_404(Affiliation.objects.select_related("person"), pk=pk)
    form = AffiliationEndForm(request.POST)
    if form.is_valid():
        try:
            services.affiliation_end(
                actor=request.user, affiliation=affiliation, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Affiliation clôturée."))
    else:
        messages.error(request, _("Date de fin invalide."))
    return redirect("ecosystem:person_detail", affiliation.person_id)


# --- member portal: my own record and my colleagues ---------------------------------------------


def _me(request: HttpRequest) -> Person:
    if not permissions.can_use_own_person_record(request.user):
        raise PermissionDenied
    return _person(request.user.person_id)


@permissions.login_required
def portal_me(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    current, past = ws.affiliations_split(list(person.affiliations.all()))
    colleague_ids = permissions.colleague_ids(request.user) - {person.pk}
    colleagues = (
        Affiliation.objects.filter(
            person_id__in=colleague_ids, organisation_id__in=[a.organisation_id for a in current]
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date.today()))
        .select_related("person", "organisation")
        .order_by("organisation__name", "person__last_name")
    )
    return render(
        request,
        "ecosystem/person_detail.html",
        {
            "person": person,
            "staff_mode": False,
            "current_affiliations": current,
            "past_affiliations": past,
            "consents": list(person.consents.all()),
            "colleagues": colleagues,
        },
    )


@permissions.login_required
def portal_me_edit(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    if not permissions.can_edit_person(request.user, person):
        raise PermissionDenied
    form = PersonSelfForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=Person.objects.get(pk=person.pk), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Vos coordonnées sont à jour."))
            return redirect("ecosystem:portal_me")
    return render(request, "ecosystem/person_form.html", {"form": form, "person": person, "portal": True})
