"""Forms of the innovation app: they parse and present; services validate and write."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grappe.accounts.models import User
from grappe.ecosystem.models import Competence, Organisation
from grappe.innovation.models import (
    SDG_LABELS,
    Domain,
    FundingCall,
    InnovationProject,
    Outcome,
    ProjectPartner,
    SupportAction,
    Transition,
)
from grappe.referential.models import NaceCode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SDG_CHOICES = [(n, f"{n}. {label}") for n, label in SDG_LABELS.items()]
ROLE_CHOICES = [(v, label) for v, label in ProjectPartner.Role.choices if v != ProjectPartner.Role.LEAD]


def staff_users():
    return User.objects.filter(role__in=(User.Role.STAFF, User.Role.ADMIN), is_active=True).order_by(
        "full_name", "email"
    )


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=255)
    summary = forms.CharField(label=_("Résumé"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    lead_organisation = forms.ModelChoiceField(
        label=_("Organisation porteuse"), queryset=Organisation.objects.order_by("name")
    )
    owner = forms.ModelChoiceField(label=_("Chargé·e de mission"), queryset=User.objects.none(), required=False)
    confidentiality = forms.ChoiceField(label=_("Confidentialité"), choices=InnovationProject.Confidentiality.choices)
    transitions = forms.MultipleChoiceField(
        label=_("Transitions"), choices=Transition.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    domains = forms.MultipleChoiceField(
        label=_("Domaines S3"), choices=Domain.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Objectifs de développement durable"), choices=SDG_CHOICES, coerce=int, required=False
    )
    trl_now = forms.IntegerField(label=_("TRL actuel"), min_value=1, max_value=9, required=False)
    trl_target = forms.IntegerField(label=_("TRL visé"), min_value=1, max_value=9, required=False)
    budget = forms.DecimalField(label=_("Budget (€)"), min_value=0, decimal_places=2, required=False)
    funding_requested = forms.DecimalField(
        label=_("Financement demandé (€)"), min_value=0, decimal_places=2, required=False
    )
    funding_obtained = forms.DecimalField(
        label=_("Financement obtenu (€)"), min_value=0, decimal_places=2, required=False
    )
    funding_call = forms.ModelChoiceField(
        label=_("Appel à projets"), queryset=FundingCall.objects.order_by("-closes_on"), required=False
    )
    needed_competences = forms.ModelMultipleChoiceField(
        label=_("Compétences recherchées"), queryset=Competence.objects.order_by("name"), required=False
    )
    needed_nace = forms.CharField(
        label=_("Codes NACE recherchés"),
        required=False,
        help_text=_("Codes NACE-BEL 2025 séparés par des virgules, par exemple 43.11, 23.61."),
    )
    needed_roles = forms.MultipleChoiceField(
        label=_("Rôles recherchés"), choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    internal_notes = forms.CharField(
        label=_("Notes internes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()

    def clean_needed_nace(self) -> list[NaceCode]:
        codes = [c.strip().replace(".", "") for c in (self.cleaned_data.get("needed_nace") or "").split(",")]
        codes = [c for c in codes if c]
        found = {n.code: n for n in NaceCode.objects.filter(version=NaceCode.Version.V2025, code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(_("Codes NACE inconnus : %(codes)s.") % {"codes": ", ".join(unknown)})
        return [found[c] for c in codes]

    @classmethod
    def initial_for(cls, project: InnovationProject) -> dict[str, Any]:
        initial = {name: getattr(project, name) for name in cls.base_fields if hasattr(project, name)}
        initial["needed_competences"] = list(project.needed_competences.all())
        initial["needed_nace"] = ", ".join(n.dotted for n in project.needed_nace.all())
        return initial


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Nouvelle étape"), choices=InnovationProject.Stage.choices)
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        max_length=2000,
        help_text=_("Obligatoire pour un abandon, un retour en arrière ou une reprise."),
    )


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=ROLE_CHOICES)


class ChecklistItemForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Étape"),
        choices=[(s, InnovationProject.Stage(s).label) for s in InnovationProject.ACTIVE_STAGES],
    )
    label = forms.CharField(label=_("Élément à vérifier"), max_length=255)
    mandatory = forms.BooleanField(label=_("Obligatoire"), required=False, initial=True)


class SupportActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=SupportAction.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(label=_("Heures"), decimal_places=2, max_digits=6)
    project = forms.ModelChoiceField(
        label=_("Projet"), queryset=InnovationProject.objects.order_by("title"), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    summary = forms.CharField(label=_("Objet"), max_length=300, required=False)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Outcome.Kind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=255)
    date = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    jobs_created = forms.IntegerField(label=_("Emplois créés"), min_value=0, initial=0)
    turnover_expected = forms.DecimalField(
        label=_("Chiffre d'affaires attendu (€/an)"), min_value=0, decimal_places=2, required=False
    )


class CallForm(forms.Form):
    title = forms.CharField(label=_("Intitulé de l'appel"), max_length=255)
    programme = forms.CharField(label=_("Programme"), max_length=200)
    funder = forms.CharField(label=_("Financeur"), max_length=200)
    level = forms.ChoiceField(label=_("Niveau"), choices=FundingCall.Level.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    keywords = forms.CharField(label=_("Mots-clés"), max_length=500, required=False)
    opens_on = forms.DateField(label=_("Ouverture"), widget=DATE)
    closes_on = forms.DateField(label=_("Clôture"), widget=DATE)
    budget = forms.DecimalField(label=_("Budget de l'appel (€)"), min_value=0, decimal_places=2, required=False)
    smes_required = forms.BooleanField(label=_("Au moins une PME partenaire"), required=False)
    min_partners = forms.IntegerField(label=_("Nombre minimum de partenaires"), min_value=1, initial=1)
    countries = forms.CharField(
        label=_("Pays admis"),
        required=False,
        help_text=_("Codes ISO séparés par des virgules (BE, FR, NL...) ; vide : tous les pays."),
    )
    trl_min = forms.IntegerField(label=_("TRL minimum"), min_value=1, max_value=9, required=False)
    trl_max = forms.IntegerField(label=_("TRL maximum"), min_value=1, max_value=9, required=False)
    own_contribution_rate = forms.DecimalField(
        label=_("Part propre minimale (%)"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    transitions = forms.MultipleChoiceField(
        label=_("Transitions"), choices=Transition.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    domains = forms.MultipleChoiceField(
        label=_("Domaines S3"), choices=Domain.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    link = forms.URLField(label=_("Lien"), required=False, max_length=1000)

    @classmethod
    def initial_for(cls, call: FundingCall) -> dict[str, Any]:
        initial = {name: getattr(call, name) for name in cls.base_fields}
        initial["countries"] = ", ".join(str(country) for country in call.countries)
        return initial

    def clean_countries(self) -> list[str]:
        from django_countries import countries

        codes = [c.strip().upper() for c in (self.cleaned_data.get("countries") or "").split(",") if c.strip()]
        unknown = [c for c in codes if c not in dict(countries)]
        if unknown:
            raise forms.ValidationError(_("Codes pays inconnus : %(codes)s.") % {"codes": ", ".join(unknown)})
        return codes


class IdeaForm(forms.Form):
    KIND_CHOICES = [("idea", _("une idée de projet")), ("help", _("un besoin d'aide pour innover"))]

    kind = forms.ChoiceField(label=_("Je soumets"), choices=KIND_CHOICES, widget=forms.RadioSelect, initial="idea")
    organisation = forms.ModelChoiceField(label=_("Pour l'organisation"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("Titre"), max_length=255)
    summary = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Le problème, l'idée, ce que vous attendez du cluster."),
    )
    transitions = forms.MultipleChoiceField(
        label=_("Transitions concernées"),
        choices=Transition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organisations=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )


class DocumentForm(forms.Form):
    """A project document: the file is checked by ``services.document_add`` (shared upload validator)."""

    title = forms.CharField(label=_("Titre"), max_length=255, required=False, help_text=_("Vide : le nom du fichier."))
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, bureautique (docx, xlsx, pptx, odt, ods, odp), texte, CSV ou image ; 20 Mo au plus."),
    )
