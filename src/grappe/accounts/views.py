"""Account pages: personal API tokens (TOKEN-OWN)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions, tokens
from grappe.accounts.forms import ApiTokenForm
from grappe.accounts.models import ApiToken


@permissions.api_tokens_required
def token_list(request: HttpRequest) -> HttpResponse:
    plaintext = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, plaintext = tokens.token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except tokens.TokenError as exc:
            form.add_error(None, str(exc))
        else:
            form = ApiTokenForm()
    context = {"form": form, "tokens": tokens.user_tokens(request.user), "plaintext": plaintext}
    return render(request, "accounts/token_list.html", context, status=422 if form.errors else 200)


@require_POST
@permissions.api_tokens_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own tokens: any other id is a 404, so other users' tokens do not leak.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Jeton révoqué."))
    return redirect("accounts:tokens")
