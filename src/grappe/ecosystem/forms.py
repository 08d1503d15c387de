"""Forms of the ecosystem workspace and portal. They validate input and hand clean values to services;
they never save: ``ServiceModelForm`` skips the model round-trip of ``ModelForm`` so the instance stays
untouched until the service (one transaction, audited) writes it.
"""

import datetime as dt
import io
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from grappe.accounts import permissions
from grappe.ecosystem.models import (
    Affiliation,
    Competence,
    Membership,
    Organisation,
    Person,
    Segment,
    Topic,
    ValueChain,
)
from grappe.ecosystem.numbers import format_enterprise_number, normalise_enterprise_number
from grappe.referential.models import KboCode, NaceCode, PostalCode, Province

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 800
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` next to the fields it names (or at the top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ServiceModelForm(forms.ModelForm):
    """A ``ModelForm`` for display and field cleaning only: services do the model validation and save."""

    def _post_clean(self) -> None:  # deliberately skip construct_instance and full_clean
        pass

    def save(self, commit: bool = True) -> Any:  # pragma: no cover - a guard against misuse
        raise NotImplementedError("Call the ecosystem service instead of form.save().")


def _split_codes(text: str) -> list[str]:
    return [c.strip() for c in (text or "").replace(";", ",").replace("\n", ",").split(",") if c.strip()]


def clean_logo(value: Any) -> Any:
    """Check an uploaded logo (type, size) and re-encode it as PNG with Pillow.

    Re-encoding drops metadata and anything hidden after the image data; only the pixels survive.
    """
    if not isinstance(value, UploadedFile):
        return value  # unchanged (FieldFile), cleared (False) or empty (None)
    if value.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Le logo dépasse 2 Mo."), code="logo_too_big")
    try:
        value.seek(0)
        image = Image.open(value)
        image_format = image.format
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Le fichier n'est pas une image lisible."), code="logo_unreadable") from exc
    if image_format not in LOGO_FORMATS:
        raise ValidationError(_("Formats acceptés pour le logo : PNG, JPEG, GIF, WebP."), code="logo_format")
    image = image.convert("RGBA")
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.png")


# --- organisations -------------------------------------------------------------------------------

ORGANISATION_STAFF_FIELDS = [
    "kind",
    "name",
    "acronym",
    "enterprise_number",
    "legal_form",
    "founded_on",
    "headcount_band",
    "turnover_band",
    "website",
    "email",
    "phone",
    "description_fr",
    "description_en",
    "description_nl",
    "description_de",
    "logo",
    "segments",
    "competences",
    "export_markets",
    "transition_digital",
    "transition_environmental",
    "transition_economic",
    "public_profile_consent",
    "source",
    "internal_notes",
]


class OrganisationForm(ServiceModelForm):
    """Every field of an organisation, for staff."""

    enterprise_number = forms.CharField(
        label=_("numéro d'entreprise (BCE)"),
        max_length=20,
        required=False,
        help_text=_("Numéro BCE, par exemple 0403.019.261."),
    )
    other_names_text = forms.CharField(
        label=_("autres noms"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Un nom par ligne (anciens noms, noms commerciaux)."),
    )
    legal_form = forms.ChoiceField(label=_("forme juridique"), required=False)

    class Meta:
        model = Organisation
        fields = ORGANISATION_STAFF_FIELDS
        widgets = {
            "founded_on": DATE,
            "description_fr": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "description_nl": forms.Textarea(attrs={"rows": 4}),
            "description_de": forms.Textarea(attrs={"rows": 4}),
            "internal_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        legal_forms = sorted(
            ((k.code, f"{k.label_in()} ({k.code})") for k in KboCode.objects.filter(category="JuridicalForm")),
            key=lambda choice: choice[1].lower(),
        )
        self.fields["legal_form"].choices = [("", "—"), *legal_forms]
        self.fields["segments"].queryset = Segment.objects.select_related("value_chain")
        self.fields["segments"].required = False
        self.fields["competences"].required = False
        self.fields["source"].required = False  # defaults to a manual entry
        if self.instance.pk:
            self.initial["enterprise_number"] = self.instance.enterprise_number_display
            self.initial["other_names_text"] = "\n".join(self.instance.other_names or [])
        self.order_fields(["kind", "name", "acronym", "other_names_text"])

    def clean_enterprise_number(self) -> str | None:
        raw = (self.cleaned_data.get("enterprise_number") or "").strip()
        if not raw:
            return None
        number = normalise_enterprise_number(raw)
        other = Organisation.objects.filter(enterprise_number=number).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise ValidationError(
                _("« %(name)s » porte déjà le numéro d'entreprise %(number)s."),
                code="duplicate_enterprise_number",
                params={"name": other.name, "number": format_enterprise_number(number)},
            )
        return number

    def clean_logo(self) -> Any:
        return clean_logo(self.cleaned_data.get("logo"))

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or self.instance.source or Organisation.Source.MANUAL

    def service_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``organisation_create``/``organisation_update``."""
        data = dict(self.cleaned_data)
        names = data.pop("other_names_text", None)
        if "other_names_text" in self.fields:
            data["other_names"] = [n.strip() for n in (names or "").splitlines() if n.strip()]
        if "logo" in data:
            logo = data.pop("logo")
            if "logo" in self.changed_data:
                data["logo"] = logo or ""
        return data


class OrganisationCreateForm(OrganisationForm):
    """A new organisation, with its head office and main activity in the same step (all or nothing)."""

    site_postal_code = forms.CharField(label=_("code postal du siège"), max_length=4, required=False)
    site_street = forms.CharField(label=_("rue"), max_length=200, required=False)
    site_number = forms.CharField(label=_("numéro"), max_length=20, required=False)
    main_nace = forms.CharField(
        label=_("activité principale (code NACE-BEL 2025)"),
        max_length=12,
        required=False,
        help_text=_("Par exemple 43.110 ou 43110."),
    )

    def clean_site_postal_code(self) -> str:
        code = (self.cleaned_data.get("site_postal_code") or "").strip()
        if code and not PostalCode.objects.filter(code=code).exists():
            raise ValidationError(_("Code postal inconnu : « %(code)s »."), params={"code": code})
        return code

    def clean_main_nace(self) -> str:
        code = (self.cleaned_data.get("main_nace") or "").strip()
        compact = code.replace(".", "").upper()
        if code and not NaceCode.objects.filter(version=NaceCode.Version.V2025, code=compact).exists():
            raise ValidationError(_("Code NACE-BEL 2025 inconnu : « %(code)s »."), params={"code": code})
        return code

    def service_fields(self) -> dict[str, Any]:
        data = super().service_fields()
        for key in ("site_postal_code", "site_street", "site_number", "main_nace"):
            data.pop(key, None)
        return data


class OrganisationProfileForm(ServiceModelForm):
    """The part of the profile a member user keeps current (``permissions.MEMBER_ORGANISATION_FIELDS``)."""

    class Meta:
        model = Organisation
        fields = list(permissions.MEMBER_ORGANISATION_FIELDS)
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "description_nl": forms.Textarea(attrs={"rows": 4}),
            "description_de": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competences"].required = False

    def clean_logo(self) -> Any:
        return clean_logo(self.cleaned_data.get("logo"))

    def service_fields(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k in permissions.MEMBER_ORGANISATION_FIELDS}
        logo = data.pop("logo", None)
        if "logo" in self.changed_data:
            data["logo"] = logo or ""
        return data


class SiteForm(forms.Form):
    label = forms.CharField(label=_("nom du site"), max_length=120, required=False)
    street = forms.CharField(label=_("rue"), max_length=200, required=False)
    number = forms.CharField(label=_("numéro"), max_length=20, required=False)
    box = forms.CharField(label=_("boîte"), max_length=20, required=False)
    postal_code = forms.CharField(label=_("code postal"), max_length=4)
    is_head_office = forms.BooleanField(label=_("siège"), required=False)

    def clean_postal_code(self) -> str:
        code = self.cleaned_data["postal_code"].strip()
        if not PostalCode.objects.filter(code=code).exists():
            raise ValidationError(_("Code postal inconnu : « %(code)s »."), params={"code": code})
        return code


class ActivityForm(forms.Form):
    codes = forms.CharField(
        label=_("codes NACE-BEL"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Codes séparés par des virgules, avec ou sans points (43.110, 43110)."),
    )
    main = forms.CharField(label=_("activité principale"), max_length=12, required=False)
    version = forms.ChoiceField(label=_("version"), choices=NaceCode.Version.choices, initial=NaceCode.Version.V2025)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        version = data.get("version") or NaceCode.Version.V2025
        codes = _split_codes(data.get("codes", ""))
        known = set(
            NaceCode.objects.filter(version=version, code__in=[c.replace(".", "").upper() for c in codes]).values_list(
                "code", flat=True
            )
        )
        unknown = [c for c in codes if c.replace(".", "").upper() not in known]
        if unknown:
            self.add_error(
                "codes",
                _("Codes NACE-BEL %(version)s inconnus : %(codes)s.")
                % {"version": version, "codes": ", ".join(unknown)},
            )
        main = (data.get("main") or "").replace(".", "").upper()
        if main and main not in {c.replace(".", "").upper() for c in codes}:
            self.add_error("main", _("L'activité principale doit figurer parmi les codes."))
        data["code_list"] = codes
        return data


class OrganisationFilterForm(forms.Form):
    """The filters of the organisation list; every field is optional and read from the query string."""

    SORTS = [("name", _("nom")), ("-updated", _("modifiées récemment"))]
    STATUSES = [
        ("", _("tous")),
        ("member", _("membre aujourd'hui")),
        ("non_member", _("non membre")),
        ("prospect", _("prospect")),
        ("lapsed", _("adhésion échue")),
        ("resigned", _("démission")),
    ]

    q = forms.CharField(label=_("Rechercher"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("type"), required=False)
    province = forms.ChoiceField(label=_("province"), required=False)
    nace = forms.CharField(label=_("code NACE (préfixe)"), required=False, max_length=12)
    status = forms.ChoiceField(label=_("adhésion"), required=False, choices=STATUSES)
    value_chain = forms.ChoiceField(label=_("chaîne de valeur"), required=False)
    segment = forms.ChoiceField(label=_("segment"), required=False)
    competence = forms.ChoiceField(label=_("compétence"), required=False)
    sort = forms.ChoiceField(label=_("tri"), required=False, choices=SORTS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("tous"))]
        self.fields["kind"].choices = everything + list(Organisation.Kind.choices)
        self.fields["province"].choices = [("", _("toutes"))] + [(p.nis, p.label) for p in Province.objects.all()]
        self.fields["value_chain"].choices = [("", _("toutes"))] + [(v.slug, v.name) for v in ValueChain.objects.all()]
        self.fields["segment"].choices = everything + [
            (str(s.pk), str(s)) for s in Segment.objects.select_related("value_chain")
        ]
        self.fields["competence"].choices = [("", _("toutes"))] + [(c.slug, c.name) for c in Competence.objects.all()]

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one, e.g. a stale choice in a shared URL, is dropped, not fatal)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v and k != "sort"}


# --- people --------------------------------------------------------------------------------------


class PersonForm(ServiceModelForm):
    languages = forms.MultipleChoiceField(
        label=_("langues"), choices=settings.LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "phone", "languages", "interests", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "interests": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interests"].required = False
        self.fields["interests"].queryset = Topic.objects.all()


class PersonSelfForm(PersonForm):
    """What member users may change on their own record (``permissions.MEMBER_PERSON_FIELDS``)."""

    class Meta(PersonForm.Meta):
        fields = list(permissions.MEMBER_PERSON_FIELDS)


class AffiliationForm(ServiceModelForm):
    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.none())
    end_current = forms.BooleanField(
        label=_("Mettre fin aux affiliations en cours à la date de début (changement d'employeur)"),
        required=False,
    )

    class Meta:
        model = Affiliation
        fields = ["organisation", "function", "email", "phone", "is_primary_contact", "start_date"]
        widgets = {"start_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.only("id", "name").order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("end_current") and not data.get("start_date"):
            self.add_error("start_date", _("Indiquez la date de début pour clôturer les affiliations en cours."))
        return data


class AffiliationEndForm(forms.Form):
    end_date = forms.DateField(label=_("date de fin"), widget=DATE, initial=dt.date.today)


# --- memberships ---------------------------------------------------------------------------------


class MembershipForm(ServiceModelForm):
    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.none())

    class Meta:
        model = Membership
        fields = [
            "organisation",
            "tier",
            "yearly_fee",
            "status",
            "start_date",
            "end_date",
            "renewal_date",
            "fee_paid_until",
            "notes",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "renewal_date": DATE,
            "fee_paid_until": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, fixed_organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_organisation is not None or self.instance.pk:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.only("id", "name").order_by("name")

    def clean_yearly_fee(self) -> Any:
        fee = self.cleaned_data.get("yearly_fee")
        if fee is not None and fee < 0:
            raise ValidationError(_("La cotisation ne peut pas être négative."))
        return fee

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin précède la date de début."))
        return data


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(label=_("date de fin"), widget=DATE, initial=dt.date.today)
    status = forms.ChoiceField(
        label=_("motif"),
        choices=[
            (Membership.Status.LAPSED, Membership.Status.LAPSED.label),
            (Membership.Status.RESIGNED, Membership.Status.RESIGNED.label),
        ],
    )

    def __init__(self, *args: Any, membership: Membership | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_end_date(self) -> dt.date:
        end = self.cleaned_data["end_date"]
        if self.membership is not None and end < self.membership.start_date:
            raise ValidationError(_("La date de fin précède la date de début."))
        return end


class MembershipRenewForm(forms.Form):
    paid_until = forms.DateField(label=_("cotisation payée jusqu'au"), widget=DATE, required=False)


class MembershipListForm(forms.Form):
    on = forms.DateField(label=_("membres au"), widget=DATE, required=False)
    tier = forms.ChoiceField(label=_("catégorie"), required=False)
    status = forms.ChoiceField(label=_("statut"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", _("toutes")), *list(Membership.Tier.choices)]
        self.fields["status"].choices = [("", _("tous")), *list(Membership.Status.choices)]


class MergeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher le doublon"), required=False, widget=forms.TextInput(attrs={"type": "search"})
    )


class MergeConfirmForm(forms.Form):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)


# --- taxonomies ----------------------------------------------------------------------------------

_NAMES = ["name_fr", "name_en", "name_nl", "name_de"]
_SLUG_HELP = _("Laissez vide pour le déduire du nom français.")


def _taxonomy_defaults(form: forms.ModelForm) -> None:
    form.fields["name_fr"].required = True
    form.fields["slug"].required = False  # the service derives it from the French name
    form.fields["slug"].help_text = _SLUG_HELP


_DESCRIPTIONS = ["description_fr", "description_en", "description_nl", "description_de"]
_SHORT_TEXT = {d: forms.Textarea(attrs={"rows": 2}) for d in _DESCRIPTIONS}


class ValueChainForm(ServiceModelForm):
    class Meta:
        model = ValueChain
        fields = [*_NAMES, "slug", "order", *_DESCRIPTIONS]
        widgets = _SHORT_TEXT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _taxonomy_defaults(self)


class SegmentForm(ServiceModelForm):
    nace_version = forms.ChoiceField(
        label=_("version NACE-BEL"), choices=NaceCode.Version.choices, initial=NaceCode.Version.V2025
    )
    nace_codes_text = forms.CharField(
        label=_("codes NACE-BEL"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Codes de tout niveau séparés par des virgules, avec ou sans points (43.2, 4322, F)."),
    )

    class Meta:
        model = Segment
        fields = ["value_chain", *_NAMES, "slug", "order", *_DESCRIPTIONS, "competences"]
        widgets = _SHORT_TEXT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _taxonomy_defaults(self)
        self.fields["competences"].required = False
        if self.instance.pk:
            codes = list(self.instance.nace_codes.all())
            if codes:
                self.initial.setdefault("nace_version", codes[0].version)
                self.initial.setdefault(
                    "nace_codes_text", ", ".join(c.dotted for c in codes if c.version == codes[0].version)
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["nace_code_list"] = _split_codes(data.get("nace_codes_text", ""))
        return data


class CompetenceForm(ServiceModelForm):
    class Meta:
        model = Competence
        fields = [*_NAMES, "slug", "parent", *_DESCRIPTIONS]
        widgets = _SHORT_TEXT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _taxonomy_defaults(self)
        queryset = Competence.objects.all()
        if self.instance.pk:
            queryset = queryset.exclude(Q(pk=self.instance.pk) | Q(parent=self.instance))
        self.fields["parent"].queryset = queryset


class TopicForm(ServiceModelForm):
    class Meta:
        model = Topic
        fields = [*_NAMES, "slug", *_DESCRIPTIONS]
        widgets = _SHORT_TEXT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _taxonomy_defaults(self)
