"""Certifications: members propose and withdraw theirs from the portal; staff enter, edit, approve, delete.

Member pages answer 404 for an organisation the user does not act for (its existence does not leak).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grappe.accounts import permissions
from grappe.ecosystem.models import Organisation
from grappe.showcase import certifications, profiles
from grappe.showcase.forms import CertificationForm, StaffCertificationForm
from grappe.showcase.models import Certification


def _own_organisation(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_propose_public_profile(request.user, organisation):
        raise Http404  # never confirm that another organisation exists
    return organisation


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@permissions.login_required
@require_http_methods(["GET", "POST"])
def portal_certifications(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's certifications of one organisation, and the form to propose one (staff validate it)."""
    organisation = _own_organisation(request, pk)
    form = CertificationForm(request.POST or None, instance=Certification(organisation=organisation))
    if request.method == "POST" and form.is_valid():
        try:
            saved = certifications.save(actor=request.user, certification=form.save(commit=False))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if saved.status == Certification.Status.APPROVED:
                messages.success(request, _("Certification ajoutée à votre profil public."))
            else:
                messages.success(
                    request, _("Merci ! La certification sera publiée après vérification par l'équipe du cluster.")
                )
            return redirect("showcase_members:portal_certifications", organisation.pk)
    return render(
        request,
        "showcase/portal_certifications.html",
        {
            "organisation": organisation,
            "form": form,
            "items": Certification.objects.filter(organisation=organisation).order_by("name", "pk"),
            "names": certifications.COMMON_NAMES,
            "approval": profiles.approval_required(),
            "today": timezone.localdate(),
        },
    )


@permissions.login_required
@require_POST
def portal_certification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    certification = get_object_or_404(Certification.objects.select_related("organisation"), pk=pk)
    organisation = _own_organisation(request, certification.organisation_id)
    certifications.delete(actor=request.user, certification=certification)
    messages.success(request, _("Certification retirée."))
    return redirect("showcase_members:portal_certifications", organisation.pk)


@permissions.staff_required
def staff_certifications(request: HttpRequest) -> HttpResponse:
    """Certifications waiting for review, and the latest changes."""
    pending = Certification.objects.filter(status=Certification.Status.PENDING).select_related("organisation")
    recent = (
        Certification.objects.exclude(status=Certification.Status.PENDING)
        .select_related("organisation")
        .order_by("-updated_at", "-pk")[:30]
    )
    return render(request, "showcase/staff_certifications.html", {"pending": pending, "recent": recent})


@permissions.staff_required
@require_http_methods(["GET", "POST"])
def staff_organisation_certifications(request: HttpRequest, pk: int) -> HttpResponse:
    """One organisation's certifications, and the form to add one (approved at once)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    form = StaffCertificationForm(
        request.POST or None,
        instance=Certification(organisation=organisation),
        initial={"status": Certification.Status.APPROVED},
    )
    if request.method == "POST" and form.is_valid():
        try:
            certifications.save(actor=request.user, certification=form.save(commit=False))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Certification enregistrée."))
            return redirect("showcase_members:staff_organisation_certifications", organisation.pk)
    return render(
        request,
        "showcase/staff_organisation_certifications.html",
        {
            "organisation": organisation,
            "form": form,
            "items": Certification.objects.filter(organisation=organisation).order_by("name", "pk"),
            "names": certifications.COMMON_NAMES,
            "today": timezone.localdate(),
        },
    )


@permissions.staff_required
@require_http_methods(["GET", "POST"])
def staff_certification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    certification = get_object_or_404(Certification.objects.select_related("organisation"), pk=pk)
    form = StaffCertificationForm(request.POST or None, instance=certification)
    if request.method == "POST" and form.is_valid():
        try:
            rejected = form.cleaned_data["status"] == Certification.Status.REJECTED
            if rejected and "status" in form.changed_data and not form.cleaned_data["review_comment"].strip():
                raise ValidationError(
                    {"review_comment": _("Expliquez au membre pourquoi la certification est refusée.")}
                )
            certifications.save(actor=request.user, certification=form.save(commit=False))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Certification enregistrée."))
            return redirect("showcase_members:staff_organisation_certifications", certification.organisation_id)
    return render(
        request,
        "showcase/staff_certification_form.html",
        {"certification": certification, "form": form, "names": certifications.COMMON_NAMES},
    )


@permissions.staff_required
@require_POST
def staff_certification_review(request: HttpRequest, pk: int) -> HttpResponse:
    certification = get_object_or_404(Certification, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        certifications.review(
            actor=request.user,
            certification=certification,
            approve=approve,
            comment=request.POST.get("comment", "")[:2000],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Certification validée.") if approve else _("Certification refusée."))
    return redirect("showcase_members:staff_certifications")


@permissions.staff_required
@require_POST
def staff_certification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    certification = get_object_or_404(Certification, pk=pk)
    organisation_id = certification.organisation_id
    certifications.delete(actor=request.user, certification=certification)
    messages.success(request, _("Certification supprimée."))
    return redirect("showcase_members:staff_organisation_certifications", organisation_id)


@permissions.staff_required
def organisation_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Panel of the staff organisation page (htmx fragment): its certifications and a link to manage them."""
    organisation = get_object_or_404(Organisation, pk=pk)
    items = Certification.objects.filter(organisation=organisation).order_by("name", "pk")
    return render(request, "showcase/_certifications_panel.html", {"organisation": organisation, "items": items[:20]})
