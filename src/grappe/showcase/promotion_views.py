"""Staff pages of the promotion log (communication actions)."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grappe.accounts import permissions
from grappe.showcase import promotion, selectors
from grappe.showcase.forms import CommunicationActionForm
from grappe.showcase.models import CommunicationAction

promotion_required = permissions._guard(permissions.can_manage_promotion)


def _year(raw: str | None) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@promotion_required
def action_list(request):
    year = _year(request.GET.get("year"))
    kind = request.GET.get("kind", "")
    actions = selectors.promotion_actions(year)
    if kind in CommunicationAction.Kind.values:
        actions = actions.filter(kind=kind)
    else:
        kind = ""
    return render(
        request,
        "showcase/promotion_list.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year + 1, 2017, -1)),
            "kind": kind,
            "kinds": CommunicationAction.Kind.choices,
            "actions": actions,
            "summary": selectors.promotion_summary(year),
        },
    )


@promotion_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int | None = None):
    action = get_object_or_404(CommunicationAction, pk=pk) if pk else CommunicationAction(date=dt.date.today())
    form = CommunicationActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        saved = promotion.action_save(
            actor=request.user, action=form.save(commit=False), organisations=list(form.cleaned_data["organisations"])
        )
        messages.success(request, _("Action de communication enregistrée."))
        return redirect(reverse("showcase_members:promotion_list") + f"?year={saved.date.year}")
    return render(request, "showcase/promotion_form.html", {"form": form, "action": action})


@promotion_required
@require_POST
def action_delete(request, pk: int):
    action = get_object_or_404(CommunicationAction, pk=pk)
    year = action.date.year
    promotion.action_delete(actor=request.user, action=action)
    messages.success(request, _("Action de communication supprimée."))
    return redirect(reverse("showcase_members:promotion_list") + f"?year={year}")
