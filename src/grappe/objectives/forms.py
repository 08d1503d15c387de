"""Staff forms of the objectives contract. Validation messages name the field; uploads go through
``grappe.core.uploads`` like every document of the platform."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from grappe.core.uploads import DocumentValidator
from grappe.objectives.models import Indicator, Measurement, Objective, ObjectivesContract, ReportArchive
from grappe.objectives.selectors import catalogue

LANGS = [code for code, _name in settings.LANGUAGES]


class ContractForm(forms.ModelForm):
    class Meta:
        model = ObjectivesContract
        fields = ["title", "start_year", "years", "status", "notes"]


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["code", "mission", *[f"title_{c}" for c in LANGS], *[f"description_{c}" for c in LANGS], "order"]

    def __init__(self, *args: Any, contract: ObjectivesContract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.contract = contract
        self.fields["title_fr"].required = True


class IndicatorForm(forms.ModelForm):
    """The indicator and, below it, one target field per contract year."""

    class Meta:
        model = Indicator
        fields = [
            "objective",
            "code",
            *[f"label_{c}" for c in LANGS],
            *[f"definition_{c}" for c in LANGS],
            "mission",
            "unit",
            "kind",
            "computation_key",
            "evidence_required",
            "direction",
            "on_track_ratio",
            "aggregation",
            "order",
        ]

    def __init__(self, *args: Any, contract: ObjectivesContract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.instance.contract = contract
        self.fields["objective"].queryset = contract.objectives.all()
        self.fields["label_fr"].required = True
        self.fields["computation_key"] = forms.ChoiceField(
            label=_("calcul"),
            required=False,
            choices=[("", "—")] + [(c.key, f"{c.key} — {c.label}") for c in catalogue()],
            help_text=_("Pour un indicateur calculé : le calcul enregistré qui produit le nombre."),
        )
        targets = {t.year: t.value for t in self.instance.targets.all()} if self.instance.pk else {}
        for year in contract.year_list:
            self.fields[f"target_{year}"] = forms.DecimalField(
                label=_("cible %(year)s") % {"year": year},
                required=False,
                max_digits=14,
                decimal_places=2,
                initial=targets.get(year),
                localize=True,  # "12,5" in French
            )

    def target_values(self) -> dict[int, Decimal | None]:
        return {year: self.cleaned_data.get(f"target_{year}") for year in self.contract.year_list}

    def indicator_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["year", "quarter", "value", "evidence_file", "evidence_link", "note"]

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        self.fields["year"] = forms.TypedChoiceField(
            label=_("année"),
            coerce=int,
            choices=[(y, y) for y in indicator.contract.year_list],
            error_messages={"invalid_choice": _("L'année %(value)s est hors du contrat.")},
        )
        # The one upload check of every app: type by extension and content, size, not empty, no executables.
        self.fields["evidence_file"].validators.append(DocumentValidator())
        self.fields["value"].localize = True
        self.fields["value"].widget.is_localized = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        indicator = self.instance.indicator
        if indicator.evidence_required and not cleaned.get("evidence_file") and not cleaned.get("evidence_link"):
            # Said here too so the message sits on the file field even when the model check is skipped.
            self.add_error(
                "evidence_file", _("Cet indicateur exige une preuve : joignez un fichier ou indiquez un lien.")
            )
        return cleaned


class ReportForm(forms.Form):
    """What to download or archive: kind, year, format, language, snapshot date."""

    kind = forms.ChoiceField(label=_("rapport"), choices=ReportArchive.Kind.choices)
    year = forms.TypedChoiceField(label=_("année"), coerce=int)
    fmt = forms.ChoiceField(label=_("format"), choices=[("pdf", "PDF"), ("xlsx", "XLSX")], initial="pdf")
    language = forms.ChoiceField(label=_("langue"), choices=settings.LANGUAGES, initial="fr")
    snapshot = forms.DateField(
        label=_("données arrêtées au"),
        required=False,
        help_text=_("Vide : le 31/12 de l'année, ou aujourd'hui si l'année est en cours."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, contract: ObjectivesContract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in contract.year_list]
        self.fields["year"].error_messages["invalid_choice"] = _("L'année %(value)s est hors du contrat.")
