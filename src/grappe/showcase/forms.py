"""Forms of the showcase: a member's public-profile proposal, the staff review, a communication action."""

import datetime as dt
import io
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from PIL import Image, ImageOps, UnidentifiedImageError

from grappe.ecosystem.models import Competence, Organisation
from grappe.showcase.models import Certification, CommunicationAction, Opportunity, Post

POST_IMAGE_MAX_BYTES = 8 * 1024 * 1024
POST_IMAGE_MAX_SIDE = 1600
POST_IMAGE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
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
        return check_expiry(self.cleaned_data["expires_on"])


# An opportunity stays published one year at most (posting, editing and extending alike).
OPPORTUNITY_MAX_DAYS = 366


def check_expiry(value: dt.date) -> dt.date:
    """An expiry date from today to ``OPPORTUNITY_MAX_DAYS`` days ahead, else a clear message."""
    today = timezone.localdate()
    if value < today:
        raise forms.ValidationError(
            _("La date d'expiration est passée : choisissez aujourd'hui ou une date à venir."), code="expiry_past"
        )
    if value > today + dt.timedelta(days=OPPORTUNITY_MAX_DAYS):
        raise forms.ValidationError(_("Une opportunité reste publiée un an au plus."), code="expiry_too_far")
    return value


class OpportunityExtendForm(forms.Form):
    """A new expiry date for an opportunity (same limits as when it was posted)."""

    expires_on = forms.DateField(
        label=_("Nouvelle date d'expiration"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Un an au plus à partir d'aujourd'hui."),
    )

    def clean_expires_on(self):
        return check_expiry(self.cleaned_data["expires_on"])


def clean_post_image(value: Any) -> Any:
    """Check an image of a news item or story (size, type by content) and re-encode it with Pillow.

    The size is checked first (a 50 MB file is refused as too big before anything reads it). Only the
    pixels survive re-encoding (no metadata, nothing hidden after the image data): JPEG, or PNG when the
    image has transparency; at most ``POST_IMAGE_MAX_SIDE`` pixels a side, turned upright from its EXIF.
    """
    if not isinstance(value, UploadedFile):
        return value  # unchanged (FieldFile), cleared (False) or empty (None)
    if value.size > POST_IMAGE_MAX_BYTES:
        raise forms.ValidationError(
            _("L'image pèse %(size)s : %(limit)s au plus."),
            params={"size": filesizeformat(value.size), "limit": filesizeformat(POST_IMAGE_MAX_BYTES)},
            code="image_too_big",
        )
    try:
        value.seek(0)
        image = Image.open(value)
        image_format = image.format
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise forms.ValidationError(
            _("Le fichier n'est pas une image lisible (formats acceptés : PNG, JPEG, GIF, WebP)."),
            code="image_unreadable",
        ) from exc
    if image_format not in POST_IMAGE_FORMATS:
        raise forms.ValidationError(_("Formats d'image acceptés : PNG, JPEG, GIF, WebP."), code="image_format")
    image = ImageOps.exif_transpose(image)
    transparent = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if transparent else "RGB")
    image.thumbnail((POST_IMAGE_MAX_SIDE, POST_IMAGE_MAX_SIDE))
    buffer = io.BytesIO()
    if transparent:
        image.save(buffer, format="PNG", optimize=True)
        extension = "png"
    else:
        image.save(buffer, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "kind",
            "status",
            "published_at",
            "slug",
            *(f"{part}_{code}" for part in ("title", "lead", "body") for code in ("fr", "en", "nl", "de")),
            "image",
            "image_alt",
            "organisations",
        ]
        widgets = {
            **{f"body_{code}": forms.Textarea(attrs={"rows": 8, "lang": code}) for code in ("fr", "en", "nl", "de")},
            **{f"lead_{code}": forms.Textarea(attrs={"rows": 2, "lang": code}) for code in ("fr", "en", "nl", "de")},
            "published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "organisations": forms.SelectMultiple(attrs={"size": 8}),
        }

    # A plain file field: the size is checked before anything tries to read the file as an image.
    image = forms.FileField(
        label=_("Image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text=_("PNG, JPEG, GIF ou WebP, 8 Mo au plus ; réencodée, 1600 pixels de côté au plus."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        self.fields["image_alt"].help_text = _(
            "Obligatoire avec une image : ce qu'elle montre, pour les personnes qui ne la voient pas."
        )

    def clean_image(self) -> Any:
        return clean_post_image(self.cleaned_data.get("image"))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Décrivez l'image (texte alternatif) : il est obligatoire avec une image."))
        return data


class CertificationForm(forms.ModelForm):
    """A certification as a member proposes it (staff see ``StaffCertificationForm``)."""

    class Meta:
        model = Certification
        fields = ["name", "issuer", "reference", "link", "valid_from", "valid_until", "is_public"]
        widgets = {
            "name": forms.TextInput(attrs={"list": "certification-names", "autocomplete": "off"}),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("L'échéance précède la date de début de validité."))
        return data


class StaffCertificationForm(CertificationForm):
    class Meta(CertificationForm.Meta):
        fields = [*CertificationForm.Meta.fields, "status", "review_comment"]
        widgets = {**CertificationForm.Meta.widgets, "review_comment": forms.Textarea(attrs={"rows": 2})}
