"""Forms of the accounts app."""

import datetime as dt

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grappe.accounts import throttle
from grappe.accounts.tokens import SCOPES


def _refuse_if_locked(form: AuthenticationForm) -> None:
    email = (form.data.get("username") or "").strip().lower()
    lock = throttle.check(email=email, ip=throttle.client_ip(form.request))
    if lock is None:
        return
    minutes = max(1, (lock.retry_after_seconds + 59) // 60)
    message = ngettext(
        "Trop de tentatives de connexion échouées. Réessayez dans %(minutes)d minute, "
        "ou demandez à un administrateur du cluster de débloquer votre compte.",
        "Trop de tentatives de connexion échouées. Réessayez dans %(minutes)d minutes, "
        "ou demandez à un administrateur du cluster de débloquer votre compte.",
        minutes,
    ) % {"minutes": minutes}
    raise ValidationError(message, code="locked")


class LoginForm(AuthenticationForm):
    """The login form, refusing locked accounts and addresses with a message that says when to retry."""

    def clean(self):  # type: ignore[override]
        _refuse_if_locked(self)
        return super().clean()


class AdminLoginForm(AdminAuthenticationForm):
    def clean(self):  # type: ignore[override]
        _refuse_if_locked(self)
        return super().clean()


class UnlockForm(forms.Form):
    email = forms.EmailField(label=_("adresse e-mail du compte"), required=False)
    ip = forms.GenericIPAddressField(label=_("adresse IP"), required=False)

    def clean(self):  # type: ignore[override]
        data = super().clean()
        if not data.get("email") and not data.get("ip"):
            raise ValidationError(_("Indiquez une adresse e-mail ou une adresse IP."))
        return data


EXPIRY_CHOICES = [
    ("30", _("30 jours")),
    ("90", _("90 jours")),
    ("365", _("1 an")),
    ("", _("jamais")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("nom"), max_length=100, help_text=_("À quoi sert ce jeton, par exemple « site web ».")
    )
    scopes = forms.MultipleChoiceField(
        label=_("portées"),
        choices=[(s, s) for s in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Une portée « write » inclut la lecture. Le jeton n'accorde jamais plus que votre rôle."),
    )
    expires_in = forms.ChoiceField(label=_("validité"), choices=EXPIRY_CHOICES, required=False, initial="90")

    def expires_at(self) -> dt.datetime | None:
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + dt.timedelta(days=int(days)) if days else None
