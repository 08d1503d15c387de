"""Forms of the accounts app."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.accounts.tokens import SCOPES

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
