"""GDPR pages: register of processing activities (staff), subject-access export and erasure of a person
(staff), and a person's own export (member portal)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.core.models import AuditEntry
from grappe.ecosystem.models import Person
from grappe.privacy import services
from grappe.privacy.activities import ACTIVITIES
from grappe.privacy.models import ErasureRequest


def _zip(person: Person, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="donnees-personnelles-{person.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@permissions.privacy_staff_required
def register(request: HttpRequest) -> HttpResponse:
    last_dry_run = (
        AuditEntry.objects.filter(action__in=["privacy.retention.dry_run", "privacy.retention.applied"])
        .order_by("-at")
        .first()
    )
    context = {
        "activities": ACTIVITIES,
        "retention_years": services.retention_years(),
        "retention_candidates": services.retention_candidates().count(),
        "last_retention_run": last_dry_run,
        "pending_requests": ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING).select_related(
            "person"
        ),
        "handled_requests": ErasureRequest.objects.exclude(status=ErasureRequest.Status.PENDING).select_related(
            "person", "handled_by"
        )[:20],
    }
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
    """A member user's own data: download the export, ask for erasure (handled by the team)."""
    if not request.user.person_id:
        raise Http404
    person = request.user.person
    if request.GET.get("download"):
        return _zip(person, services.person_export(person, for_subject=True))
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            error = _("Cochez la case pour confirmer votre demande d'effacement.")
        else:
            _request, created = services.request_erasure(
                actor=request.user, person=person, reason=request.POST.get("reason", "")
            )
            if created:
                messages.success(
                    request,
                    _("Votre demande d'effacement est enregistrée ; l'équipe du cluster y répond dans le mois."),
                )
            else:
                messages.info(request, _("Une demande d'effacement est déjà en cours de traitement."))
            return redirect("privacy:portal")
    requests = ErasureRequest.objects.filter(person=person)
    return render(request, "privacy/portal.html", {"requests": requests, "error": error}, status=400 if error else 200)


@permissions.privacy_staff_required
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, pk=pk, status=ErasureRequest.Status.PENDING)
    try:
        services.refuse_erasure(
            actor=request.user, erasure_request=erasure_request, comment=request.POST.get("comment", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Demande refusée ; le motif est visible par la personne."))
    return redirect("privacy:register")
