"""GDPR pages: register of processing activities (staff), subject-access export and erasure of a person
(staff), and a person's own export (member portal)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from grappe.accounts import permissions
from grappe.ecosystem.models import Person
from grappe.privacy import services
from grappe.privacy.activities import ACTIVITIES


def _zip(person: Person, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="donnees-personnelles-{person.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@permissions.privacy_staff_required
def register(request: HttpRequest) -> HttpResponse:
    context = {"activities": ACTIVITIES, "retention_years": services.retention_years()}
    return render(request, "privacy/register.html", context)


@permissions.privacy_staff_required
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    from grappe.core.audit import audit_log

    audit_log(actor=request.user, action="privacy.person.exported", obj=person)
    return _zip(person, services.person_export(person))


@permissions.privacy_staff_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            messages.error(request, _("Cochez la case de confirmation."))
        else:
            services.person_erase(actor=request.user, person=person)
            messages.success(request, _("Les données de la personne ont été anonymisées."))
            return redirect("privacy:register")
    data = services.person_data(person)
    counts = {label: len(rows) for label, rows in sorted(data.rows.items())}
    return render(request, "privacy/person_erase.html", {"person": person, "counts": counts})


@permissions.member_required
def portal(request: HttpRequest) -> HttpResponse:
    """A member user's own data: download the export (erasure is asked to the cluster)."""
    if not request.user.person_id:
        raise Http404
    if request.GET.get("download"):
        person = request.user.person
        return _zip(person, services.person_export(person, for_subject=True))
    return render(request, "privacy/portal.html", {})
