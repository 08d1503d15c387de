"""Partnerships pages: staff workspace under staff/partnerships/, member portal under portal/partnerships/,
and the organisation timeline panel. Thin: selectors read, services write, permissions decide."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem.models import Organisation
from grappe.partnerships import selectors, services
from grappe.partnerships.engagement import engagement_for, members_at_risk
from grappe.partnerships.forms import (
    AssignForm,
    CollaborationForm,
    DocumentForm,
    InteractionForm,
    IntroductionForm,
    IntroductionUpdateForm,
    OutcomeForm,
    PartnerForm,
    PartnerFormSet,
    RequestForm,
    ResolveForm,
    add_service_errors,
)
from grappe.partnerships.models import (
    Collaboration,
    CollaborationDocument,
    Interaction,
    Introduction,
    IntroductionRequest,
    Partner,
)
from grappe.partnerships.suggestions import suggest
from grappe.partnerships.timeline import KINDS, organisation_timeline

PAGE_SIZE = 50


def _filters(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in names if request.GET.get(name, "").strip()}


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- collaborations (staff) ------------------------------------------------------------------------


@permissions.partnerships_staff_required
def collaboration_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request, ("q", "kind", "status", "organisation"))
    if "organisation" in filters and _int_or_none(filters["organisation"]) is None:
        filters.pop("organisation")
    page = Paginator(selectors.collaboration_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "kinds": Collaboration.Kind.choices,
        "statuses": Collaboration.Status.choices,
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "partnerships/_collaboration_results.html", context)
    return render(request, "partnerships/collaboration_list.html", context)


def _partners_from(formset: Any) -> list[tuple[Organisation, str]]:
    return [
        (form.cleaned_data["organisation"], form.cleaned_data["role"])
        for form in formset.forms
        if form.cleaned_data.get("organisation")
    ]


@permissions.partnerships_staff_required
def collaboration_create(request: HttpRequest) -> HttpResponse:
    form = CollaborationForm(request.POST or None)
    initial = []
    for value in request.GET.getlist("organisation"):
        if (pk := _int_or_none(value)) and Organisation.objects.filter(pk=pk).exists():
            initial.append({"organisation": pk, "role": Partner.Role.PARTNER})
    formset = PartnerFormSet(request.POST or None, prefix="partners", initial=initial or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.service_fields()
        try:
            collaboration = services.collaboration_create(
                actor=request.user,
                title=data.pop("title"),
                kind=data.pop("kind"),
                partners=_partners_from(formset),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Collaboration « %(title)s » créée.") % {"title": collaboration.title})
            return redirect("partnerships:collaboration_detail", collaboration.pk)
    return render(request, "partnerships/collaboration_form.html", {"form": form, "formset": formset, "obj": None})


@permissions.partnerships_staff_required
def collaboration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    collaboration = get_object_or_404(Collaboration, pk=pk)
    form = CollaborationForm(request.POST or None, instance=collaboration)
    if request.method == "POST" and form.is_valid():
        target = Collaboration.objects.get(pk=pk)
        try:
            services.collaboration_update(actor=request.user, collaboration=target, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Collaboration enregistrée."))
            return redirect("partnerships:collaboration_detail", pk)
    return render(
        request, "partnerships/collaboration_form.html", {"form": form, "formset": None, "obj": collaboration}
    )


@permissions.partnerships_staff_required
def collaboration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    collaboration = get_object_or_404(Collaboration, pk=pk)
    partners = list(collaboration.partners.select_related("organisation").order_by("role", "organisation__name"))
    context = {
        "c": collaboration,
        "partners": partners,
        "member_ids": eco_selectors.member_ids_on(timezone.localdate()) & {p.organisation_id for p in partners},
        "documents": collaboration.documents.all(),
        "introductions": collaboration.introductions.select_related("organisation_a", "organisation_b"),
        "partner_form": PartnerForm(prefix="partner"),
        "document_form": DocumentForm(prefix="doc"),
    }
    return render(request, "partnerships/collaboration_detail.html", context)


@require_POST
@permissions.partnerships_staff_required
def collaboration_add_partner(request: HttpRequest, pk: int) -> HttpResponse:
    collaboration = get_object_or_404(Collaboration, pk=pk)
    form = PartnerForm(request.POST, prefix="partner")
    if form.is_valid() and form.cleaned_data.get("organisation"):
        try:
            services.collaboration_add_partner(
                actor=request.user,
                collaboration=collaboration,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
            )
            messages.success(request, _("Partenaire ajouté."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choisissez une organisation existante."))
    return redirect("partnerships:collaboration_detail", pk)


@require_POST
@permissions.partnerships_staff_required
def collaboration_remove_partner(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=partner_pk, collaboration_id=pk)
    try:
        services.collaboration_remove_partner(actor=request.user, partner=partner)
        messages.success(request, _("Partenaire retiré."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("partnerships:collaboration_detail", pk)


@require_POST
@permissions.partnerships_staff_required
def collaboration_add_document(request: HttpRequest, pk: int) -> HttpResponse:
    collaboration = get_object_or_404(Collaboration, pk=pk)
    form = DocumentForm(request.POST, request.FILES, prefix="doc")
    if form.is_valid():
        try:
            services.collaboration_add_document(actor=request.user, collaboration=collaboration, **form.cleaned_data)
            messages.success(request, _("Document ajouté."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("partnerships:collaboration_detail", pk)


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff; member users of a partner when neither the collaboration nor the document is internal."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    document = get_object_or_404(CollaborationDocument.objects.select_related("collaboration"), pk=pk)
    if not permissions.is_staff(request.user):
        visible = selectors.collaboration_list(request.user).filter(pk=document.collaboration_id).exists()
        if not visible or document.is_internal:
            raise Http404
    if not document.file:
        return redirect(document.url)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


# --- introductions (staff) -------------------------------------------------------------------------


@permissions.partnerships_staff_required
def introduction_list(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = _filters(request, ("status", "outcome", "organisation", "owner"))
    for key in ("organisation", "owner"):
        if key in filters and _int_or_none(filters[key]) is None:
            filters.pop(key)
    if request.GET.get("mine"):
        filters["owner"] = request.user.pk
    if request.GET.get("due"):
        filters["due"] = timezone.localdate()
    page = Paginator(selectors.introduction_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "statuses": Introduction.Status.choices,
        "outcomes": Introduction.Outcome.choices,
        "today": timezone.localdate(),
    }
    return render(request, "partnerships/introduction_list.html", context)


@permissions.partnerships_staff_required
def introduction_create(request: HttpRequest) -> HttpResponse:
    origin = None
    if pk := _int_or_none(request.GET.get("request") or request.POST.get("request")):
        origin = IntroductionRequest.objects.filter(pk=pk).first()
    initial = {
        "organisation_a": _int_or_none(request.GET.get("a")) or (origin.organisation_id if origin else None),
        "organisation_b": _int_or_none(request.GET.get("b")),
        "person_a": origin.person_id if origin else None,
        "owner": request.user.pk,
        "follow_up_on": timezone.localdate() + dt.timedelta(days=21),
    }
    form = IntroductionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            introduction = services.introduction_create(actor=request.user, request=origin, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Mise en relation enregistrée : %(i)s.") % {"i": introduction})
            if origin is not None:
                return redirect("partnerships:request_detail", origin.pk)
            return redirect("partnerships:introduction_detail", introduction.pk)
    return render(request, "partnerships/introduction_form.html", {"form": form, "origin": origin})


@permissions.partnerships_staff_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    introduction = get_object_or_404(
        Introduction.objects.select_related("organisation_a", "organisation_b", "owner", "collaboration", "request"),
        pk=pk,
    )
    update_form = IntroductionUpdateForm(
        request.POST if request.POST.get("form") == "update" else None, instance=introduction, prefix="u"
    )
    outcome_form = OutcomeForm(
        request.POST if request.POST.get("form") == "outcome" else None, introduction=introduction, prefix="o"
    )
    if request.method == "POST":
        target = Introduction.objects.get(pk=pk)
        try:
            if request.POST.get("form") == "update" and update_form.is_valid():
                services.introduction_update(actor=request.user, introduction=target, **update_form.cleaned_data)
                messages.success(request, _("Mise en relation enregistrée."))
                return redirect("partnerships:introduction_detail", pk)
            if request.POST.get("form") == "outcome" and outcome_form.is_valid():
                data = outcome_form.cleaned_data
                new = None
                if data["new_collaboration_title"].strip():
                    new = {"title": data["new_collaboration_title"], "kind": data["new_collaboration_kind"]}
                services.introduction_record_outcome(
                    actor=request.user,
                    introduction=target,
                    outcome=data["outcome"],
                    collaboration=data["collaboration"],
                    new_collaboration=new,
                    note=data["note"],
                )
                messages.success(request, _("Résultat enregistré."))
                return redirect("partnerships:introduction_detail", pk)
        except ValidationError as exc:
            add_service_errors(update_form if request.POST.get("form") == "update" else outcome_form, exc)
    context = {"i": introduction, "update_form": update_form, "outcome_form": outcome_form}
    return render(request, "partnerships/introduction_detail.html", context)


# --- introduction requests (staff queue) ------------------------------------------------------------


@permissions.partnerships_staff_required
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    filters = {"status": status} if status in IntroductionRequest.Status.values else {"open": True}
    requests = selectors.request_list(request.user, filters)
    return render(
        request,
        "partnerships/request_list.html",
        {"requests": requests[:200], "status": status, "statuses": IntroductionRequest.Status.choices},
    )


@permissions.partnerships_staff_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(IntroductionRequest.objects.select_related("organisation", "person", "owner"), pk=pk)
    assign_form = AssignForm(request.POST if request.POST.get("form") == "assign" else None, prefix="a")
    resolve_form = ResolveForm(request.POST if request.POST.get("form") == "resolve" else None, prefix="r")
    if request.method == "POST":
        target = IntroductionRequest.objects.get(pk=pk)
        try:
            if request.POST.get("form") == "take":
                services.introduction_request_assign(actor=request.user, request=target, owner=request.user)
                return redirect("partnerships:request_detail", pk)
            if request.POST.get("form") == "assign" and assign_form.is_valid():
                services.introduction_request_assign(
                    actor=request.user, request=target, owner=assign_form.cleaned_data["owner"]
                )
                return redirect("partnerships:request_detail", pk)
            if request.POST.get("form") == "resolve" and resolve_form.is_valid():
                services.introduction_request_resolve(actor=request.user, request=target, **resolve_form.cleaned_data)
                messages.success(request, _("Demande clôturée."))
                return redirect("partnerships:request_list")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    context = {
        "r": item,
        "suggestions": suggest(item) if item.status in IntroductionRequest.OPEN_STATUSES else [],
        "introductions": item.introductions.select_related("organisation_a", "organisation_b"),
        "assign_form": assign_form,
        "resolve_form": resolve_form,
    }
    return render(request, "partnerships/request_detail.html", context)


# --- interactions (staff) --------------------------------------------------------------------------


@permissions.partnerships_staff_required
def organisation_interactions(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = InteractionForm(
        request.POST or None,
        organisation=organisation,
        initial={"date": timezone.localdate(), "owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_log(actor=request.user, organisation=organisation, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Échange enregistré."))
            return redirect("partnerships:organisation_interactions", pk)
    context = {
        "org": organisation,
        "interactions": selectors.interaction_list(request.user, organisation.pk)[:200],
        "form": form,
    }
    return render(request, "partnerships/organisation_interactions.html", context)


@permissions.partnerships_staff_required
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an interaction or its next action; the service audits what changed."""
    interaction = get_object_or_404(Interaction.objects.select_related("organisation"), pk=pk)
    form = InteractionForm(request.POST or None, instance=interaction, organisation=interaction.organisation)
    if request.method == "POST" and form.is_valid():
        target = Interaction.objects.get(pk=pk)
        try:
            services.interaction_update(actor=request.user, interaction=target, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Échange modifié."))
            return redirect("partnerships:organisation_interactions", interaction.organisation_id)
    return render(request, "partnerships/interaction_form.html", {"form": form, "i": interaction})


@require_POST
@permissions.partnerships_staff_required
def interaction_done(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_object_or_404(Interaction, pk=pk)
    services.interaction_update(actor=request.user, interaction=interaction, next_action_done=True)
    messages.success(request, _("Prochaine action marquée comme faite."))
    return redirect("partnerships:organisation_interactions", interaction.organisation_id)


@permissions.partnerships_staff_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """The staff's to-do: follow-ups and next actions due, and members at risk."""
    today = timezone.localdate()
    context = {
        "today": today,
        "introductions": selectors.introduction_list(request.user, {"due": today})[:100],
        "actions": selectors.next_actions_due(today)[:100],
        "risks": members_at_risk(today)[:50],
    }
    return render(request, "partnerships/follow_ups.html", context)


# --- organisation panel: timeline and engagement ---------------------------------------------------


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def organisation_timeline_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """PART-ORG-PANEL: staff see everything; a member user of the organisation sees its non-internal items."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_view_organisation(request.user, organisation):
        raise PermissionDenied
    staff = permissions.can_see_partnership_notes(request.user)
    kinds = {k for k in request.GET.getlist("kind") if k in KINDS}
    start, end = _parse_date(request.GET.get("start")), _parse_date(request.GET.get("end"))
    items = organisation_timeline(organisation, staff=staff, kinds=kinds or None, start=start, end=end)
    context = {
        "org": organisation,
        "staff": staff,
        "items": items[:150],
        "truncated": len(items) > 150,
        "kinds": KINDS.items(),
        "selected": kinds,
        "start": start,
        "end": end,
        "score": engagement_for(organisation.pk, timezone.localdate(), include_internal=staff),
    }
    return render(request, "partnerships/_organisation_timeline.html", context)


# --- member portal ---------------------------------------------------------------------------------


@permissions.member_required
def portal_home(request: HttpRequest) -> HttpResponse:
    context = {
        "collaborations": selectors.collaboration_list(request.user)[:100],
        "introductions": selectors.introduction_list(request.user)[:100],
        "requests": selectors.request_list(request.user)[:100],
        "can_request": permissions.can_request_introduction(request.user),
        "my_orgs": set(permissions.member_organisation_ids(request.user)),
    }
    return render(request, "partnerships/portal_home.html", context)


@permissions.partnerships_request_required
def portal_request_create(request: HttpRequest) -> HttpResponse:
    organisations = permissions.restrict_organisations(Organisation.objects.order_by("name"), request.user)
    form = RequestForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.introduction_request_submit(
                    actor=request.user,
                    organisation=data["organisation"],
                    needs=data["needs"],
                    competences=data["competences"],
                    segments=data["segments"],
                    nace_codes=data["nace"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Votre demande a été transmise à l'équipe du cluster."))
            return redirect("partnerships:portal_home")
    return render(request, "partnerships/portal_request_form.html", {"form": form})


@permissions.member_required
def portal_collaboration(request: HttpRequest, pk: int) -> HttpResponse:
    collaboration = selectors.collaboration_list(request.user).filter(pk=pk).first()
    if collaboration is None:
        raise Http404
    context = {
        "c": collaboration,
        "partners": collaboration.partners.select_related("organisation"),
        "documents": collaboration.documents.filter(is_internal=False),
    }
    return render(request, "partnerships/portal_collaboration.html", context)
