"""Forms of the partnerships pages: they parse input; the services validate the business rules."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from grappe.accounts.models import User
from grappe.ecosystem.models import Competence, Organisation, Person, Segment
from grappe.partnerships.models import (
    Collaboration,
    Interaction,
    Introduction,
    IntroductionRequest,
    Mission,
    Partner,
)
from grappe.referential.models import NaceCode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def staff_users() -> Any:
    return User.objects.filter(is_active=True, role__in=[User.Role.STAFF, User.Role.ADMIN]).order_by("full_name")


class OrganisationChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Organisation.objects.order_by("name"), **kwargs)
        self.error_messages["invalid_choice"] = _("Cette organisation n'existe pas.")


class CollaborationForm(forms.ModelForm):
    missions = forms.MultipleChoiceField(
        label=_("Missions"), choices=Mission.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Collaboration
        fields = [
            "kind",
            "title",
            "description",
            "status",
            "start_date",
            "end_date",
            "cluster_role",
            "outcomes",
            "missions",
            "transition_digital",
            "transition_environmental",
            "transition_economic",
            "foreign_countries",
            "is_internal",
            "internal_notes",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self) -> None:  # the services validate; the model's full_clean would duplicate messages
        pass


class PartnerForm(forms.Form):
    organisation = OrganisationChoiceField(label=_("Organisation"), required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=Partner.Role.choices, initial=Partner.Role.PARTNER)


PartnerFormSet = forms.formset_factory(PartnerForm, extra=4, max_num=30)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    file = forms.FileField(label=_("Fichier"), required=False)
    url = forms.URLField(label=_("ou lien"), required=False)
    is_internal = forms.BooleanField(label=_("Interne"), required=False)


class IntroductionForm(forms.Form):
    organisation_a = OrganisationChoiceField(label=_("Organisation A"))
    organisation_b = OrganisationChoiceField(label=_("Organisation B"))
    person_a = forms.ModelChoiceField(label=_("Personne A"), queryset=Person.objects.none(), required=False)
    person_b = forms.ModelChoiceField(label=_("Personne B"), queryset=Person.objects.none(), required=False)
    reason = forms.CharField(label=_("Mis en relation parce que…"), widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(label=_("Canal"), choices=Introduction.Channel.choices)
    owner = forms.ModelChoiceField(label=_("Responsable"), queryset=User.objects.none(), required=False)
    follow_up_on = forms.DateField(label=_("Date de suivi"), required=False, widget=DATE)
    is_internal = forms.BooleanField(label=_("Interne"), required=False)
    notes = forms.CharField(label=_("Notes internes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()
        people = Person.objects.filter(erased_at__isnull=True).order_by("last_name", "first_name")
        self.fields["person_a"].queryset = people
        self.fields["person_b"].queryset = people


class IntroductionUpdateForm(forms.ModelForm):
    class Meta:
        model = Introduction
        fields = ["reason", "channel", "owner", "follow_up_on", "status", "is_internal", "notes"]
        widgets = {"follow_up_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()

    def _post_clean(self) -> None:
        pass


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Résultat"), choices=Introduction.Outcome.choices)
    collaboration = forms.ModelChoiceField(
        label=_("Collaboration existante"), queryset=Collaboration.objects.none(), required=False
    )
    new_collaboration_title = forms.CharField(label=_("ou titre d'une nouvelle collaboration"), required=False)
    new_collaboration_kind = forms.ChoiceField(
        label=_("Type"), choices=Collaboration.Kind.choices, initial=Collaboration.Kind.COMMERCIAL
    )
    note = forms.CharField(label=_("Note interne"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, introduction: Introduction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collaboration"].queryset = (
            Collaboration.objects.filter(partners__organisation=introduction.organisation_a)
            .filter(partners__organisation=introduction.organisation_b)
            .distinct()
        )


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = [
            "kind",
            "date",
            "person",
            "summary",
            "is_internal",
            "notes",
            "next_action",
            "next_action_due",
            "owner",
        ]
        widgets = {"date": DATE, "next_action_due": DATE, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()
        self.fields["person"].queryset = Person.objects.filter(affiliations__organisation=organisation).distinct()

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self) -> None:
        pass


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Responsable"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Clôturer comme"),
        choices=[
            (IntroductionRequest.Status.DONE, IntroductionRequest.Status.DONE.label),
            (IntroductionRequest.Status.DECLINED, IntroductionRequest.Status.DECLINED.label),
        ],
    )
    response = forms.CharField(label=_("Réponse au membre"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    staff_notes = forms.CharField(label=_("Notes internes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequestForm(forms.Form):
    """The member's request from the portal."""

    organisation = forms.ModelChoiceField(label=_("Pour l'organisation"), queryset=Organisation.objects.none())
    needs = forms.CharField(
        label=_("Nous cherchons un partenaire qui…"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("Décrivez le besoin, le projet, le type de partenaire recherché."),
    )
    competences = forms.ModelMultipleChoiceField(
        label=_("Compétences recherchées"), queryset=Competence.objects.order_by("name"), required=False
    )
    segments = forms.ModelMultipleChoiceField(
        label=_("Segments de la filière"), queryset=Segment.objects.select_related("value_chain"), required=False
    )
    nace = forms.CharField(
        label=_("Codes NACE recherchés"),
        required=False,
        help_text=_("Séparés par des virgules, par exemple 43.11, 71.12."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()

    def clean_nace(self) -> list[NaceCode]:
        codes = []
        for raw in (self.cleaned_data.get("nace") or "").replace(";", ",").split(","):
            code = raw.strip().replace(".", "")
            if not code:
                continue
            nace = NaceCode.objects.filter(code=code).order_by("-version").first()
            if nace is None:
                raise ValidationError(_("Code NACE inconnu : %(code)s.") % {"code": raw.strip()})
            codes.append(nace)
        return codes


def country_names(codes: Any) -> str:
    return ", ".join(str(dict(countries).get(str(c), c)) for c in codes)
