"""Account pages: login (throttled), two-factor authentication, login lockouts, personal API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grappe.accounts import permissions, throttle, tokens, two_factor
from grappe.accounts.forms import ApiTokenForm, LoginForm, UnlockForm
from grappe.accounts.models import ApiToken, User


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


@permissions.login_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Set up (first time) or prove (each login) a one-time code from an authenticator app."""
    user = request.user
    device = two_factor.confirmed_device(user)
    error = ""
    if device is None:
        pending = two_factor.pending_device(user)
        if request.method == "POST":
            if two_factor.confirm(request=request, device=pending, token=request.POST.get("token", "")):
                messages.success(request, _("Authentification à deux facteurs activée."))
                return redirect(_safe_next(request))
            error = _("Code incorrect. Vérifiez l'heure de votre téléphone et réessayez.")
        context = {
            "setup": True,
            "secret": two_factor.secret_base32(pending),
            "config_url": pending.config_url,
            "qr_svg": two_factor.qr_svg(
                pending.config_url, label=_("Code QR de configuration pour votre application d'authentification")
            ),
            "error": error,
            "next": _safe_next(request),
        }
        return render(request, "accounts/two_factor.html", context, status=422 if error else 200)
    if request.method == "POST":
        if two_factor.verify(request=request, token=request.POST.get("token", "")):
            return redirect(_safe_next(request))
        error = _("Code incorrect.")
    context = {"setup": False, "error": error, "next": _safe_next(request)}
    return render(request, "accounts/two_factor.html", context, status=422 if error else 200)


@permissions.admin_required
def lockouts(request: HttpRequest) -> HttpResponse:
    """Admins unlock an account or an address locked by too many failed logins, or reset a user's 2FA."""
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data.get("email") or "", form.cleaned_data.get("ip") or ""
        throttle.unlock(actor=request.user, email=email, ip=ip)
        if email and request.POST.get("reset_2fa") and (target := User.objects.filter(email=email.lower()).first()):
            two_factor.reset(actor=request.user, user=target)
        messages.success(request, _("Déblocage effectué."))
        return redirect("accounts:lockouts")
    return render(request, "accounts/lockouts.html", {"form": form}, status=422 if form.errors else 200)


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
