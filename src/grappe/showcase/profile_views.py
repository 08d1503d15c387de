"""Member portal: propose public-profile changes; staff: review the diff, approve or reject."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grappe.accounts import permissions
from grappe.ecosystem.models import Organisation
from grappe.showcase import profiles, selectors
from grappe.showcase.forms import ProfileProposalForm, ReviewForm
from grappe.showcase.models import ProfileProposal


@permissions.profile_portal_required
def portal_profiles(request: HttpRequest) -> HttpResponse:
    """The organisations whose public profile the user may propose changes to, with their state."""
    ids = permissions.member_organisation_ids(request.user)
    organisations = Organisation.objects.filter(pk__in=ids).order_by("name")
    public_ids = set(selectors.public_organisations().filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for organisation in organisations:
        latest = ProfileProposal.objects.filter(organisation=organisation).first()
        rows.append({"organisation": organisation, "latest": latest, "is_public": organisation.pk in public_ids})
    return render(request, "showcase/portal_profiles.html", {"rows": rows})


@permissions.login_required
@require_http_methods(["GET", "POST"])
def portal_profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_propose_public_profile(request.user, organisation):
        raise Http404  # never confirm that another organisation exists
    pending = profiles.pending_proposal(organisation)
    initial = dict(pending.proposed if pending else profiles.published_values(organisation))
    if request.method == "POST":
        form = ProfileProposalForm(request.POST)
        if form.is_valid():
            proposal = profiles.submit(actor=request.user, organisation=organisation, values=form.values())
            if proposal is None:
                messages.info(request, _("Rien n'a changé par rapport au profil public."))
            elif proposal.status == ProfileProposal.Status.APPROVED:
                messages.success(request, _("Votre profil public est mis à jour."))
            else:
                messages.success(
                    request, _("Merci ! Vos modifications seront publiées après validation par l'équipe du cluster.")
                )
            return redirect("showcase_members:portal_profiles")
    else:
        form = ProfileProposalForm(initial=initial)
    return render(
        request,
        "showcase/portal_profile_edit.html",
        {"organisation": organisation, "form": form, "pending": pending, "approval": profiles.approval_required()},
    )


@permissions.staff_required
def staff_proposals(request: HttpRequest) -> HttpResponse:
    pending = ProfileProposal.objects.filter(status=ProfileProposal.Status.PENDING).select_related(
        "organisation", "submitted_by"
    )
    decided = (
        ProfileProposal.objects.exclude(status=ProfileProposal.Status.PENDING)
        .select_related("organisation", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:30]
    )
    return render(request, "showcase/staff_proposals.html", {"pending": pending, "decided": decided})


@permissions.staff_required
@require_http_methods(["GET", "POST"])
def staff_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(ProfileProposal.objects.select_related("organisation", "submitted_by"), pk=pk)
    form = ReviewForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "approve":
                profiles.approve(actor=request.user, proposal=proposal, comment=comment)
                messages.success(request, _("Proposition publiée."))
            else:
                profiles.reject(actor=request.user, proposal=proposal, comment=comment)
                messages.success(request, _("Proposition refusée ; le membre voit votre message."))
            return redirect("showcase_members:staff_proposals")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "showcase/staff_proposal.html",
        {"proposal": proposal, "rows": profiles.diff_rows(proposal), "form": form, "error": error},
    )
