"""Staff pages of the register: search, enterprise sheet, changes feed, candidates, imports, organisation panel.

Thin views: permission by ``register_staff_required`` (REG-MANAGE), reads from ``selectors``, writes
through ``services``/``imports``; a refused write shows its message and changes nothing.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts.permissions import register_staff_required
from grappe.ecosystem import services as ecosystem
from grappe.ecosystem.models import Organisation
from grappe.register import imports, selectors, services
from grappe.register.models import ImportRun, RegisterChange, RegisterLink
from grappe.register.numbers import ENTERPRISE_MAX, format_entity_number

PAGE_SIZE = 25


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _org_url(organisation: Organisation) -> str:
    return reverse("ecosystem:organisation_detail", args=[organisation.pk])


# --- Search and enterprise sheet ------------------------------------------------------------------


@register_staff_required
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    postal_code = request.GET.get("postal_code", "").strip()[:10]
    nace = request.GET.get("nace", "").strip()[:10]
    municipality = request.GET.get("municipality", "").strip()[:100]
    error = ""
    results: list[Any] = []
    searched = bool(text or postal_code or nace or municipality)
    if nace and not nace.replace(".", "").isalnum():
        error = _("Code NACE invalide : « %(code)s ».") % {"code": nace}
    elif searched:
        results = selectors.search(text, postal_code=postal_code, municipality=municipality, nace=nace, limit=500)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    linked = selectors.linked_organisations([e.number for e in page.object_list])
    rows = [{"enterprise": e, "organisation": linked.get(e.number)} for e in page.object_list]
    context = {
        "q": text,
        "postal_code": postal_code,
        "nace": nace,
        "municipality": municipality,
        "page": page,
        "rows": rows,
        "searched": searched,
        "error": error,
        "truncated": len(results) >= 500,
        "last_run": selectors.last_import(),
    }
    return render(request, "register/search.html", context)


@register_staff_required
def enterprise_detail(request: HttpRequest, number: int) -> HttpResponse:
    if number >= ENTERPRISE_MAX:
        raise Http404
    data = selectors.entity_detail(format_entity_number(number))
    if data is None:
        raise Http404
    context = {
        "number": number,
        "data": data,
        "organisation": services.organisation_for_number(number),
        "link_choices": selectors.link_choices(number),
        "changes": RegisterChange.objects.filter(enterprise_number=number)[:20],
    }
    return render(request, "register/enterprise_detail.html", context)


@register_staff_required
@require_POST
def enterprise_add(request: HttpRequest, number: int) -> HttpResponse:
    try:
        organisation = services.organisation_add_from_register(actor=request.user, number=number)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("register:enterprise_detail", number=number)
    messages.success(request, _("« %(name)s » ajoutée à l'écosystème.") % {"name": organisation.name})
    return redirect(_org_url(organisation))


@register_staff_required
@require_POST
def enterprise_link(request: HttpRequest, number: int) -> HttpResponse:
    """Give an existing organisation (without a number) this enterprise's number, and link it."""
    organisation = Organisation.objects.filter(pk=request.POST.get("organisation") or 0).first()
    if organisation is None:
        messages.error(request, _("Organisation : choisissez une organisation de l'écosystème."))
        return redirect("register:enterprise_detail", number=number)
    if organisation.enterprise_number:
        messages.error(request, _("Cette organisation a déjà un numéro d'entreprise."))
        return redirect("register:enterprise_detail", number=number)
    try:
        ecosystem.organisation_update(
            actor=request.user, organisation=organisation, enterprise_number=format_entity_number(number)
        )
        services.organisation_link(actor=request.user, organisation=organisation)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("register:enterprise_detail", number=number)
    messages.success(request, _("« %(name)s » est liée au registre.") % {"name": organisation.name})
    return redirect(_org_url(organisation))


# --- Changes feed ---------------------------------------------------------------------------------


@register_staff_required
def changes(request: HttpRequest) -> HttpResponse:
    queryset = RegisterChange.objects.select_related("organisation")
    kind = request.GET.get("kind", "")
    if kind in RegisterChange.Kind.values:
        queryset = queryset.filter(kind=kind)
    extract = request.GET.get("extract", "")
    if extract.isdigit():
        queryset = queryset.filter(extract_number=int(extract))
    if request.GET.get("members") == "1":
        queryset = queryset.filter(was_member=True)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kinds": RegisterChange.Kind.choices,
        "kind": kind,
        "extract": extract,
        "members": request.GET.get("members") == "1",
        "extracts": selectors.change_extracts(),
    }
    return render(request, "register/changes.html", context)


def _back_to_changes(request: HttpRequest) -> HttpResponse:
    return redirect(request.POST.get("next") or reverse("register:changes"))


@register_staff_required
@require_POST
def change_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(RegisterChange, pk=pk)
    try:
        organisation = services.change_add_to_ecosystem(actor=request.user, change=change)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _back_to_changes(request)
    messages.success(request, _("« %(name)s » ajoutée à l'écosystème.") % {"name": organisation.name})
    return _back_to_changes(request)


@register_staff_required
@require_POST
def change_prospect(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(RegisterChange, pk=pk)
    try:
        organisation = change.organisation or services.change_add_to_ecosystem(actor=request.user, change=change)
        services.organisation_mark_prospect(actor=request.user, organisation=organisation)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _back_to_changes(request)
    messages.success(request, _("« %(name)s » est maintenant un prospect.") % {"name": organisation.name})
    return _back_to_changes(request)


# --- Candidate matches ----------------------------------------------------------------------------


@register_staff_required
def candidates(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # recomputed by a background task, never in the request
        from grappe.register.tasks import refresh_candidates

        transaction.on_commit(refresh_candidates.enqueue)
        messages.success(
            request, _("Les propositions sont en cours de recalcul ; rechargez la page dans quelques instants.")
        )
        return redirect("register:candidates")
    queryset = RegisterLink.objects.filter(status=RegisterLink.Status.CANDIDATE).select_related("organisation")
    page = Paginator(queryset.order_by("-score", "organisation__name", "id"), 50).get_page(request.GET.get("page"))
    names = selectors.enterprise_names([link.enterprise_number for link in page.object_list])
    rows = [{"link": link, "enterprise": names.get(link.enterprise_number)} for link in page.object_list]
    return render(request, "register/candidates.html", {"page": page, "rows": rows})


@register_staff_required
@require_POST
def candidate_review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("accept", "reject"):
        raise Http404
    link = get_object_or_404(RegisterLink, pk=pk)
    try:
        if decision == "accept":
            services.candidate_accept(actor=request.user, link=link)
            messages.success(request, _("Lien confirmé pour « %(name)s ».") % {"name": link.organisation.name})
        else:
            services.candidate_reject(actor=request.user, link=link)
            messages.success(request, _("Proposition écartée."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(request.POST.get("next") or reverse("register:candidates"))


# --- Organisation panel and enrichment ------------------------------------------------------------


@register_staff_required
def organisation_panel(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    enterprise = services.enterprise_of(organisation)
    context: dict[str, Any] = {"org": organisation, "enterprise": enterprise, "candidates": []}
    if enterprise is not None:
        context["preview"] = services.enrichment_preview(organisation)
        context["changes"] = RegisterChange.objects.filter(enterprise_number=enterprise.number)[:5]
    elif not organisation.enterprise_number:
        links = services.candidates_refresh(organisation=organisation)
        names = selectors.enterprise_names([link.enterprise_number for link in links])
        context["candidates"] = [{"link": link, "enterprise": names.get(link.enterprise_number)} for link in links]
    return render(request, "register/_organisation_panel.html", context)


@register_staff_required
def organisation_enrich(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the preview of field changes; POST: apply the chosen parts (overwriting, on request)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    preview = services.enrichment_preview(organisation)
    if preview is None:
        messages.error(request, _("Cette organisation n'est liée à aucune entreprise du registre."))
        return redirect(_org_url(organisation))
    if request.method == "POST":
        parts = {p for p in request.POST.getlist("parts") if p in ("fields", "activities", "sites")}
        if not parts:
            messages.error(request, _("Choisissez au moins une partie à reprendre du registre."))
            return redirect("register:organisation_enrich", pk=pk)
        try:
            done = services.organisation_enrich(
                actor=request.user, organisation=organisation, only_empty=False, parts=parts
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("register:organisation_enrich", pk=pk)
        messages.success(
            request,
            _("Repris du registre : %(fields)s champ(s), %(activities)s activité(s), %(sites)s site(s).") % done,
        )
        return redirect(_org_url(organisation))
    return render(request, "register/organisation_enrich.html", {"org": organisation, "preview": preview})


# --- Imports --------------------------------------------------------------------------------------


@register_staff_required
def import_list(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            run = imports.import_request(
                actor=request.user,
                upload=request.FILES.get("upload"),
                path=request.POST.get("path", "")[:500],
                force=request.POST.get("force") == "1",
            )
        except ValidationError as exc:
            error = _errors(exc)
        else:
            messages.success(request, _("Import en file d'attente."))
            return redirect(reverse("register:import_list") + f"#run-{run.pk}")
    imports.settle_interrupted()  # a run whose worker died for good is shown failed, with the reason
    runs = ImportRun.objects.select_related("requested_by")[:30]
    context = {
        "runs": runs,
        "error": error,
        "max_mb": imports.max_upload_bytes() // 2**20,
        "server_dir": imports.server_dir(),
    }
    return render(request, "register/imports.html", context, status=400 if error else 200)


@register_staff_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk)
    if run.status == ImportRun.Status.RUNNING and imports.settle_interrupted():
        run.refresh_from_db()
    live = imports.read_progress(run.pk) if run.status == ImportRun.Status.RUNNING else {}
    rows = live.get("rows") or run.rows_read or {}
    context = {"run": run, "rows": sorted(rows.items()), "message": live.get("message", "")}
    return render(request, "register/_import_progress.html", context)
