"""Member portal: post, edit, extend and withdraw opportunities. Staff: the same and moderation; news and stories,
story drafts taken over."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grappe.accounts import permissions
from grappe.ecosystem.models import Organisation
from grappe.showcase import content
from grappe.showcase.forms import OpportunityExtendForm, OpportunityForm, PostForm
from grappe.showcase.models import Opportunity, Post

content_required = permissions._guard(permissions.can_manage_public_content)


@permissions.login_required
@require_http_methods(["GET", "POST"])
def portal_opportunities(request: HttpRequest) -> HttpResponse:
    """A member's opportunities (any status) and the form to post one (moderated)."""
    ids = permissions.member_organisation_ids(request.user)
    if not ids:
        raise PermissionDenied
    organisations = Organisation.objects.filter(pk__in=ids).order_by("name")
    form = OpportunityForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        content.opportunity_post(actor=request.user, opportunity=form.save(commit=False))
        messages.success(request, _("Merci ! L'opportunité sera publiée après relecture par l'équipe du cluster."))
        return redirect("showcase_members:portal_opportunities")
    mine = Opportunity.objects.filter(organisation_id__in=ids).order_by("-created_at")[:50]
    return render(request, "showcase/portal_opportunities.html", {"form": form, "mine": mine})


def _changeable(request: HttpRequest, pk: int) -> Opportunity:
    """The opportunity if the user may change it: another organisation's member gets a 404, others a 403."""
    opportunity = get_object_or_404(Opportunity.objects.select_related("organisation"), pk=pk)
    if content.can_change_opportunity(request.user, opportunity):
        return opportunity
    if permissions.member_organisation_ids(request.user):
        raise Http404  # another organisation's opportunity: its existence does not leak
    raise PermissionDenied


def _back(request: HttpRequest) -> HttpResponse:
    if permissions.is_staff(request.user):
        return redirect("showcase_members:staff_opportunities")
    return redirect("showcase_members:portal_opportunities")


def _withdrawn(request: HttpRequest, opportunity: Opportunity) -> HttpResponse | None:
    if opportunity.status != Opportunity.Status.WITHDRAWN:
        return None
    messages.error(request, _("Cette opportunité a été retirée : publiez-en une nouvelle."))
    return _back(request)


@permissions.login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an opportunity; a member's edit goes back to moderation (staff's is saved as it is)."""
    opportunity = _changeable(request, pk)
    if (gone := _withdrawn(request, opportunity)) is not None:
        return gone
    staff = permissions.is_staff(request.user)
    organisations = None
    if not staff:
        ids = permissions.member_organisation_ids(request.user)
        organisations = Organisation.objects.filter(pk__in=ids).order_by("name")
    form = OpportunityForm(request.POST or None, instance=opportunity, organisations=organisations)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            saved = content.opportunity_update(actor=request.user, opportunity=form.save(commit=False))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if saved.status == Opportunity.Status.PENDING and not staff:
                messages.success(
                    request,
                    _("Modifications enregistrées : l'équipe du cluster les relira avant de republier l'opportunité."),
                )
            else:
                messages.success(request, _("Modifications enregistrées."))
            return _back(request)
    return render(
        request,
        "showcase/opportunity_edit.html",
        {"form": form, "opportunity": opportunity, "error": error, "moderated": not staff},
    )


@permissions.login_required
@require_http_methods(["GET", "POST"])
def opportunity_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """A new expiry date (from today to a year ahead, like a new post); no new moderation."""
    opportunity = _changeable(request, pk)
    if (gone := _withdrawn(request, opportunity)) is not None:
        return gone
    form = OpportunityExtendForm(request.POST or None, initial={"expires_on": opportunity.expires_on})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            content.opportunity_extend(
                actor=request.user, opportunity=opportunity, expires_on=form.cleaned_data["expires_on"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Date d'expiration enregistrée."))
            return _back(request)
    return render(
        request, "showcase/opportunity_extend.html", {"form": form, "opportunity": opportunity, "error": error}
    )


@permissions.login_required
@require_POST
def opportunity_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw it: gone from the public pages, the feed and the profile at once."""
    opportunity = _changeable(request, pk)
    if (gone := _withdrawn(request, opportunity)) is not None:
        return gone
    content.opportunity_withdraw(actor=request.user, opportunity=opportunity)
    messages.success(request, _("Opportunité retirée du site public."))
    return _back(request)


@content_required
@require_http_methods(["GET", "POST"])
def staff_opportunities(request: HttpRequest) -> HttpResponse:
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        content.opportunity_post(actor=request.user, opportunity=form.save(commit=False))
        messages.success(request, _("Opportunité publiée."))
        return redirect("showcase_members:staff_opportunities")
    pending = Opportunity.objects.filter(status=Opportunity.Status.PENDING).select_related("organisation")
    recent = Opportunity.objects.exclude(status=Opportunity.Status.PENDING).select_related("organisation")[:50]
    return render(request, "showcase/staff_opportunities.html", {"form": form, "pending": pending, "recent": recent})


@content_required
@require_POST
def staff_opportunity_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = get_object_or_404(Opportunity, pk=pk)
    publish = request.POST.get("decision") == "publish"
    content.opportunity_moderate(
        actor=request.user, opportunity=opportunity, publish=publish, note=request.POST.get("note", "")[:2000]
    )
    messages.success(request, _("Opportunité publiée.") if publish else _("Opportunité refusée."))
    return redirect("showcase_members:staff_opportunities")


@content_required
def staff_posts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "showcase/staff_posts.html",
        {"posts": Post.objects.all()[:100], "drafts": content.open_story_drafts()},
    )


@content_required
@require_http_methods(["GET", "POST"])
def staff_post_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk) if pk else Post()
    form = PostForm(request.POST or None, request.FILES or None, instance=post)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            saved = content.post_save(
                actor=request.user, post=form.save(commit=False), organisations=list(form.cleaned_data["organisations"])
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Article enregistré."))
            return redirect("showcase_members:staff_post_edit", saved.pk)
    return render(request, "showcase/staff_post_form.html", {"form": form, "post": post, "error": error})


@content_required
@require_POST
def staff_take_over_draft(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        post = content.take_over_draft(actor=request.user, draft_id=draft_id)
    except (ValidationError, LookupError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("showcase_members:staff_posts")
    except Exception as exc:  # the draft does not exist
        if exc.__class__.__name__ == "DoesNotExist":
            messages.error(request, _("Brouillon introuvable."))
            return redirect("showcase_members:staff_posts")
        raise
    messages.success(request, _("Brouillon repris : relisez-le, traduisez-le et publiez-le."))
    return redirect("showcase_members:staff_post_edit", post.pk)
