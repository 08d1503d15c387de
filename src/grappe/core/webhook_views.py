"""Staff pages of outgoing webhooks: list and register, detail with the delivery log, test ping,
redelivery, (de)activation and deletion. Rule WEBHOOKS (``accounts.permissions``): staff only."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from grappe.accounts import permissions
from grappe.core import webhooks
from grappe.core.audit import audit_log
from grappe.core.models import Webhook, WebhookDelivery


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Événements"),
        choices=[(key, webhooks.EVENTS[key]) for key in webhooks.SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Seules les adresses http(s) sont acceptées."))
        return url


@permissions.webhooks_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        hook = form.save(commit=False)
        hook.created_by = request.user
        hook.save()
        audit_log(actor=request.user, action="core.webhook.created", obj=hook, changes={"url": [None, hook.url]})
        messages.success(request, _("Webhook enregistré. Copiez son secret pour vérifier les signatures."))
        return redirect("core:webhook_detail", hook.pk)
    hooks = Webhook.objects.order_by("name", "pk")
    return render(request, "core/webhooks.html", {"hooks": hooks, "form": form, "events": webhooks.EVENTS})


@permissions.webhooks_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    form = WebhookForm(request.POST or None, instance=hook)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit_log(actor=request.user, action="core.webhook.updated", obj=hook)
        messages.success(request, _("Webhook mis à jour."))
        return redirect("core:webhook_detail", hook.pk)
    page = Paginator(hook.deliveries.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "core/webhook_detail.html", {"hook": hook, "form": form, "page": page})


@require_POST
@permissions.webhooks_required
def webhook_ping(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    webhooks.ping(hook)
    messages.success(request, _("Un événement de test part vers le webhook."))
    return redirect("core:webhook_detail", hook.pk)


@require_POST
@permissions.webhooks_required
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk)
    audit_log(actor=request.user, action="core.webhook.deleted", obj=hook, object_label=hook.name)
    hook.delete()
    messages.success(request, _("Webhook supprimé."))
    return redirect("core:webhooks")


@require_POST
@permissions.webhooks_required
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), pk=pk)
    webhooks.redeliver(delivery)
    messages.success(request, _("L'événement est renvoyé."))
    return redirect("core:webhook_detail", delivery.webhook_id)
