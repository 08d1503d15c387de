"""Views of the innovation app: staff board and pages, member portal, organisation panel (thin: forms + services)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.ecosystem.models import Organisation
from grappe.innovation import consortium, matching, selectors, services
from grappe.innovation.forms import (
    CallForm,
    ChecklistItemForm,
    DocumentForm,
    IdeaForm,
    MoveForm,
    OutcomeForm,
    PartnerForm,
    ProjectForm,
    SupportActionForm,
    staff_users,
)
from grappe.innovation.models import (
    Domain,
    FundingCall,
    GateChecklistItem,
    InnovationProject,
    ProjectDocument,
    ProjectPartner,
    StoryDraft,
    SupportAction,
    Transition,
)

Stage = InnovationProject.Stage


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _staff_project(pk: int) -> InnovationProject:
    return get_object_or_404(
        InnovationProject.objects.select_related("lead_organisation", "owner", "funding_call"), pk=pk
    )


# --- pipeline board ---------------------------------------------------------------------------------


def _board_filters(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    return {
        "transition": get.get("transition") if get.get("transition") in Transition.values else "",
        "domain": get.get("domain") if get.get("domain") in Domain.values else "",
        "owner": _int(get.get("owner")) or "",
        "organisation": _int(get.get("organisation")) or "",
        "q": (get.get("q") or "")[:100],
    }


def _board_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    filters = _board_filters(request)
    stalled_days = min(max(_int(request.GET.get("stalled"), selectors.DEFAULT_STALLED_DAYS) or 1, 1), 3650)
    projects = selectors.project_list(request.user, filters)
    member_orgs = Organisation.objects.filter(innovation_partnerships__isnull=False).distinct().order_by("name")
    return {
        "filters": filters,
        "stalled_days": stalled_days,
        "columns": selectors.board_columns(projects),
        "funnel": selectors.funnel(projects),
        "stalled": selectors.stalled_projects(projects, days=stalled_days)[:50],
        "transitions": Transition.choices,
        "domains": Domain.choices,
        "owners": staff_users(),
        "organisations": member_orgs,
        "query": request.GET.urlencode(),
        "now": timezone.now(),
        **extra,
    }


@permissions.innovation_staff_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "innovation/board.html", _board_context(request))


@require_POST
@permissions.innovation_staff_required
def project_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a project (board buttons or the detail page form). htmx gets the board fragment back."""
    project = _staff_project(pk)
    form = MoveForm(request.POST)
    status = ""
    error = ""
    if not form.is_valid():
        error = _("Étape inconnue.")
    else:
        try:
            services.project_move_stage(
                actor=request.user,
                project=project,
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
            )
            status = _("« %(title)s » est passé à l'étape « %(stage)s ».") % {
                "title": project.title,
                "stage": project.get_stage_display(),
            }
        except ValidationError as exc:
            error = _error_text(exc)
    back = request.POST.get("next") or ""
    if request.htmx and back != "detail":
        # The board, re-rendered with the query the user was looking at; focus follows the moved card.
        request.GET = QueryDict(request.POST.get("query") or "")
        context = _board_context(request, status=status, error=error, focus=f"project-{project.pk}")
        return render(request, "innovation/_board.html", context)
    if error:
        messages.error(request, error)
    elif status:
        messages.success(request, status)
    if back == "detail":
        return redirect("innovation:project_detail", pk=project.pk)
    query = request.POST.get("query") or ""
    return redirect(reverse("innovation:board") + (f"?{query}" if query else "") + f"#project-{project.pk}")


# --- projects ---------------------------------------------------------------------------------------


def _project_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values.pop("lead_organisation", None)
    return values


@permissions.innovation_staff_required
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, initial={"owner": request.user, "confidentiality": "consortium"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                actor=request.user, lead_organisation=data["lead_organisation"], **_project_values(data)
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Projet créé."))
            return redirect("innovation:project_detail", pk=project.pk)
    return render(request, "innovation/project_form.html", {"form": form, "project": None})


@permissions.innovation_staff_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _staff_project(pk)
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_for(project))
    form.fields["lead_organisation"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **_project_values(form.cleaned_data))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Projet modifié."))
            return redirect("innovation:project_detail", pk=project.pk)
    return render(request, "innovation/project_form.html", {"form": form, "project": project})


@permissions.innovation_staff_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _staff_project(pk)
    matches = matching.match_calls(project)
    context = {
        "project": project,
        "partners": project.partners.select_related("organisation").order_by("role", "organisation__name"),
        "checklist": project.checklist.select_related("done_by").all(),
        "history": project.stage_changes.select_related("by").order_by("at", "pk"),
        "matches": matches,
        "suggestions": consortium.suggest_partners(project, limit=12),
        "support": project.support_actions.select_related("staff").all(),
        "outcomes": project.outcomes.all(),
        "stories": project.story_drafts.all(),
        "documents": project.documents.all(),
        "moves": services.allowed_moves(project),
        "move_form": MoveForm(initial={"to_stage": services.allowed_moves(project)["next"] or project.stage}),
        "partner_form": PartnerForm(),
        "checklist_form": ChecklistItemForm(),
        "support_form": SupportActionForm(initial={"date": timezone.localdate(), "project": project}),
        "outcome_form": OutcomeForm(initial={"date": timezone.localdate()}),
        "can_story": project.stage in services.STORY_STAGES
        and project.confidentiality != InnovationProject.Confidentiality.STAFF,
    }
    return render(request, "innovation/project_detail.html", context)


def _post_form(request: HttpRequest, project: InnovationProject, form: Any, write: Any, done: str) -> HttpResponse:
    """Run ``write(cleaned_data)`` for a valid form; report success or the errors, back to the project page."""
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[f].label if f in form.fields else ''} : {' '.join(e)}".strip(" :")
                for f, e in form.errors.items()
            ),
        )
    else:
        try:
            write(form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, done)
    return redirect("innovation:project_detail", pk=project.pk)


@require_POST
@permissions.innovation_staff_required
def partner_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _staff_project(pk)
    return _post_form(
        request,
        project,
        PartnerForm(request.POST),
        lambda d: services.partner_add(
            actor=request.user, project=project, organisation=d["organisation"], role=d["role"]
        ),
        _("Partenaire ajouté."),
    )


@require_POST
@permissions.innovation_staff_required
def partner_remove(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    project = _staff_project(pk)
    partner = get_object_or_404(ProjectPartner, pk=partner_pk, project=project)
    try:
        services.partner_remove(actor=request.user, partner=partner)
        messages.success(request, _("Partenaire retiré."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("innovation:project_detail", pk=project.pk)


@require_POST
@permissions.innovation_staff_required
def partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    project = _staff_project(pk)
    organisation = get_object_or_404(Organisation, pk=_int(request.POST.get("organisation"), 0))
    try:
        kind, _record = consortium.invite(
            actor=request.user, project=project, organisation=organisation, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if kind == "introduction":
            messages.success(request, _("Mise en relation enregistrée avec %(org)s.") % {"org": organisation})
        else:
            messages.success(request, _("Invitation notée dans l'historique (%(org)s).") % {"org": organisation})
    return redirect("innovation:project_detail", pk=project.pk)


@require_POST
@permissions.innovation_staff_required
def checklist_toggle(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    project = _staff_project(pk)
    item = get_object_or_404(GateChecklistItem, pk=item_pk, project=project)
    services.checklist_item_set(actor=request.user, item=item, done=request.POST.get("done") == "1")
    if request.htmx:
        return render(request, "innovation/_checklist_item.html", {"project": project, "item": item})
    return redirect(reverse("innovation:project_detail", args=[project.pk]) + "#checklist")


@require_POST
@permissions.innovation_staff_required
def checklist_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _staff_project(pk)
    return _post_form(
        request,
        project,
        ChecklistItemForm(request.POST),
        lambda d: services.checklist_item_add(actor=request.user, project=project, **d),
        _("Élément ajouté à la grille."),
    )


@require_POST
@permissions.innovation_staff_required
def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = _staff_project(pk)
    return _post_form(
        request,
        project,
        OutcomeForm(request.POST),
        lambda d: services.valorisation_record(actor=request.user, project=project, **d),
        _("Résultat enregistré."),
    )


@require_POST
@permissions.innovation_staff_required
def story_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _staff_project(pk)
    try:
        draft = services.story_from_project(actor=request.user, project=project)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("innovation:project_detail", pk=project.pk)
    messages.success(request, _("Brouillon de récit créé."))
    return redirect("innovation:story_detail", pk=draft.pk)


@permissions.innovation_staff_required
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(StoryDraft.objects.select_related("project"), pk=pk)
    return render(request, "innovation/story_detail.html", {"draft": draft})


# --- documents ------------------------------------------------------------------------------------


def _documents_page(request: HttpRequest, project: InnovationProject, *, portal: bool) -> HttpResponse:
    """List and upload a project's documents; an htmx upload gets the documents block back."""
    page = "innovation:portal_documents" if portal else "innovation:project_documents"
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = ""
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_add(
                actor=request.user, project=project, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            status = _("Document « %(title)s » ajouté.") % {"title": document.title}
            if not request.htmx:
                messages.success(request, status)
                return redirect(page, pk=project.pk)
            form = DocumentForm()
    context = {
        "project": project,
        "documents": project.documents.select_related("uploaded_by"),
        "form": form,
        "portal": portal,
        "upload_url": reverse(page, args=[project.pk]),
        "status": status,
    }
    # 200 even with errors: htmx swaps only successful responses, and the form shows the errors.
    template = (
        "innovation/_documents.html" if request.htmx and request.method == "POST" else "innovation/documents.html"
    )
    return render(request, template, context)


@permissions.innovation_staff_required
def project_documents(request: HttpRequest, pk: int) -> HttpResponse:
    return _documents_page(request, _staff_project(pk), portal=False)


@permissions.innovation_member_required
def portal_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """Members of the consortium of a consortium-level project; 404 for anyone else (INNO-VIEW)."""
    project = selectors.project_detail(request.user, pk)
    if project is None:
        raise Http404
    return _documents_page(request, project, portal=True)


def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """INNO-VIEW: staff, or a member user who may see the document's project; 404 otherwise."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    document = get_object_or_404(ProjectDocument.objects.select_related("project"), pk=pk)
    if not permissions.can_view_innovation_project(request.user, document.project):
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


# --- funding calls ----------------------------------------------------------------------------------


@permissions.innovation_staff_required
def call_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    filters = {
        "status": status if status in ("open", "upcoming", "closed", "all") else "open",
        "level": request.GET.get("level") if request.GET.get("level") in FundingCall.Level.values else "",
        "q": (request.GET.get("q") or "")[:100],
    }
    page = Paginator(selectors.call_list(filters), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "innovation/call_list.html",
        {"page": page, "filters": filters, "levels": FundingCall.Level.choices, "today": timezone.localdate()},
    )


@permissions.innovation_staff_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(FundingCall.objects.select_related("watch_item"), pk=pk)
    candidates = (
        InnovationProject.objects.filter(stage__in=(Stage.IDEA, Stage.EMERGENCE, Stage.ELABORATION))
        .select_related("lead_organisation")
        .prefetch_related(matching.partners_prefetch())
        .order_by("-created_at", "-pk")
    )
    fits = []
    for project in candidates[:200]:
        match = matching.match_calls(project, [call])[0]
        fits.append((project, match))
    fits.sort(key=lambda pm: (not pm[1].eligible, -pm[1].score, pm[0].pk))
    return render(
        request, "innovation/call_detail.html", {"call": call, "fits": fits[:30], "projects": call.projects.all()}
    )


@permissions.innovation_staff_required
def call_create(request: HttpRequest) -> HttpResponse:
    item = None
    initial: dict[str, Any] = {"level": FundingCall.Level.REGIONAL, "min_partners": 1}
    item_id = _int(request.GET.get("watch_item") or request.POST.get("watch_item"))
    if item_id:
        from grappe.watch.models import Item

        item = Item.objects.filter(pk=item_id).first()
        if item is None:
            raise Http404
        values = services.call_initial_from_watch_item(item)
        values.pop("watch_item")
        initial.update(values)
    form = CallForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            call = services.call_create(actor=request.user, watch_item=item, **data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Appel à projets créé."))
            return redirect("innovation:call_detail", pk=call.pk)
    context = {"form": form, "item": item, "watch_candidates": [] if item else _watch_candidates()}
    return render(request, "innovation/call_form.html", context)


@permissions.innovation_staff_required
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a call (a closing date moved, eligibility clarified); the same checks as on creation."""
    call = get_object_or_404(FundingCall.objects.select_related("watch_item"), pk=pk)
    form = CallForm(request.POST or None, initial=CallForm.initial_for(call))
    if request.method == "POST" and form.is_valid():
        try:
            services.call_update(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Appel à projets modifié."))
            return redirect("innovation:call_detail", pk=call.pk)
    return render(request, "innovation/call_form.html", {"form": form, "call": call, "item": None})


def _watch_candidates(limit: int = 10) -> list[Any]:
    """Recent kept watch items that mention a call, not yet turned into one (read through watch selectors)."""
    try:
        from grappe.watch import selectors as watch_selectors
        from grappe.watch.models import Item
    except ImportError:  # the watch app is optional
        return []
    items = watch_selectors.search_items(
        Item.objects.filter(status=Item.Status.KEPT).select_related("source"), "appel"
    ).exclude(pk__in=FundingCall.objects.filter(watch_item__isnull=False).values("watch_item_id"))
    return list(items.order_by("-published_at", "-pk")[:limit])


# --- support actions --------------------------------------------------------------------------------


def _query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string ending with ``&`` (or empty), for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@permissions.innovation_staff_required
def support_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "kind": request.GET.get("kind") if request.GET.get("kind") in SupportAction.Kind.values else "",
        "staff": _int(request.GET.get("staff")) or "",
        "start": _parse_date(request.GET.get("start")),
        "end": _parse_date(request.GET.get("end")),
    }
    form = SupportActionForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.support_action_log(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Action d'accompagnement enregistrée."))
            project = form.cleaned_data.get("project")
            if request.POST.get("next") == "project" and project:
                return redirect("innovation:project_detail", pk=project.pk)
            return redirect("innovation:support_list")
    elif request.method == "POST" and request.POST.get("next") == "project" and form.cleaned_data.get("project"):
        messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
        return redirect("innovation:project_detail", pk=form.cleaned_data["project"].pk)
    actions = selectors.support_action_list(filters)
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "innovation/support_list.html",
        {
            "page": page,
            "filters": filters,
            "form": form,
            "kinds": SupportAction.Kind.choices,
            "owners": staff_users(),
            "total_hours": actions.aggregate(total=Sum("hours"))["total"] or 0,
            "query": _query_without_page(request),
        },
    )


# --- organisation panel -----------------------------------------------------------------------------


def organisation_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """INNO-ORG-PANEL: ORG-VIEW first, then only the projects the viewer may see."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_view_organisation(request.user, organisation):
        raise PermissionDenied
    projects = selectors.organisation_projects(request.user, organisation.pk)
    return render(
        request,
        "innovation/_organisation_panel.html",
        {"org": organisation, "projects": projects, "staff": permissions.can_manage_innovation(request.user)},
    )


# --- member portal ----------------------------------------------------------------------------------


def _member_organisations(user: Any):
    return Organisation.objects.filter(pk__in=permissions.member_organisation_ids(user)).order_by("name")


@permissions.innovation_member_required
def portal_home(request: HttpRequest) -> HttpResponse:
    projects = list(selectors.project_list(request.user))
    calls = matching.eligible_calls_by_project(projects)
    rows = [{"project": p, "calls": calls[p.pk][:3]} for p in projects]
    return render(request, "innovation/portal_home.html", {"rows": rows})


@permissions.innovation_member_required
def portal_submit(request: HttpRequest) -> HttpResponse:
    organisations = _member_organisations(request.user)
    initial = {"organisation": organisations.first(), "kind": request.GET.get("kind", "idea")}
    form = IdeaForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.portal_idea_submit(
                actor=request.user,
                organisation=data["organisation"],
                title=data["title"],
                summary=data["summary"],
                kind=data["kind"],
                transitions=data["transitions"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Merci ! L'équipe du cluster vous recontacte rapidement."))
            return redirect("innovation:portal_project", pk=project.pk)
    return render(request, "innovation/portal_submit.html", {"form": form})


@permissions.innovation_member_required
def portal_project(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_detail(request.user, pk)
    if project is None:
        raise Http404
    context = {
        "project": project,
        "partners": project.partners.select_related("organisation").order_by("role", "organisation__name"),
        "history": project.stage_changes.order_by("at", "pk"),
        "documents": project.documents.all(),
        "matches": matching.eligible_calls(project),
    }
    return render(request, "innovation/portal_project.html", context)
