"""Forms of the showcase: a member's public-profile proposal, the staff review, a communication action."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from grappe.ecosystem.models import Competence, Organisation
from grappe.showcase.models import CommunicationAction, Opportunity, Post

LANGUAGE_NAMES = {"fr": _("français"), "en": _("anglais"), "nl": _("néerlandais"), "de": _("allemand")}


class ProfileProposalForm(forms.Form):
    """The public profile in each language, public contact, competences and markets."""

    acronym = forms.CharField(label=_("Sigle"), max_length=60, required=False)
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("E-mail général (public)"), required=False)
    phone = forms.CharField(label=_("Téléphone général (public)"), max_length=40, required=False)
    competences = forms.ModelMultipleChoiceField(
        label=_("Compétences"),
        queryset=Competence.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    export_markets = forms.MultipleChoiceField(
        label=_("Marchés d'exportation"), choices=list(countries), required=False, widget=forms.SelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, _name in settings.LANGUAGES:
            field = forms.CharField(
                label=_("Description en %(language)s") % {"language": LANGUAGE_NAMES.get(code, code)},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 5, "lang": code}),
            )
            self.fields[f"description_{code}"] = field
        order = [f"description_{code}" for code, _n in settings.LANGUAGES]
        self.order_fields([*order, "acronym", "website", "email", "phone", "competences", "export_markets"])
        self.fields["export_markets"].choices = list(countries)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["competences"] = [c.slug for c in data.get("competences") or []]
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Publier")), ("reject", _("Refuser"))])
    comment = forms.CharField(
        label=_("Message au membre (obligatoire en cas de refus)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommunicationActionForm(forms.ModelForm):
    class Meta:
        model = CommunicationAction
        fields = [
            "kind",
            "title",
            "date",
            "end_date",
            "channel",
            "audience",
            "country",
            "language",
            "link",
            "reach",
            "with_export_agency",
            "organisations",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "organisations": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("end_date") and data.get("date") and data["end_date"] < data["date"]:
            self.add_error("end_date", _("La date de fin précède la date de début."))
        return data


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["kind", "title", "description", "language", "organisation", "link", "contact_email", "expires_on"]
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 6}),
            "language": forms.Select(
                choices=[("fr", "français"), ("en", "English"), ("nl", "Nederlands"), ("de", "Deutsch")]
            ),
        }

    def __init__(self, *args, organisations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.order_by("name")
        )
        self.fields["organisation"].required = organisations is not None  # a member posts for one of theirs
        self.fields["description"].max_length = 5000

    def clean_expires_on(self):
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError(_("La date d'expiration est passée."))
        if value > today + dt.timedelta(days=366):
            raise forms.ValidationError(_("Une opportunité reste publiée un an au plus."))
        return value


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "kind",
            "status",
            "published_at",
            "slug",
            *(f"{part}_{code}" for part in ("title", "lead", "body") for code in ("fr", "en", "nl", "de")),
            "image_alt",
            "organisations",
        ]
        widgets = {
            **{f"body_{code}": forms.Textarea(attrs={"rows": 8, "lang": code}) for code in ("fr", "en", "nl", "de")},
            **{f"lead_{code}": forms.Textarea(attrs={"rows": 2, "lang": code}) for code in ("fr", "en", "nl", "de")},
            "published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "organisations": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
