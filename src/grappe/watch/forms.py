"""Forms of the watch pages; they validate input, services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grappe.accounts.models import User
from grappe.ecosystem.models import Segment, Topic
from grappe.referential.models import NaceCode
from grappe.watch.models import Language, Source, Subscription, TopicRule
from grappe.watch.rules import RuleSyntaxError, parse_rule


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["url", "title", "kind", "category", "language", "poll_interval_minutes", "owner", "polling_enabled"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            role__in=[User.Role.ADMIN, User.Role.STAFF], is_active=True
        ).order_by("full_name", "email")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        duplicates = Source.objects.filter(url=url)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError(_("Cette adresse est déjà suivie."))
        return url

    def validate_unique(self) -> None:  # uniqueness of the URL is checked above with a clearer message
        pass


class NaceCodesField(forms.CharField):
    """NACE codes typed as text (``43.110, 43.9``), looked up in NACE-BEL 2025 then 2008."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Codes séparés par des virgules, par exemple 43.110, 43.9."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)) or hasattr(value, "all"):
            return ", ".join(code.dotted for code in value)
        return value

    def clean(self, value) -> list[NaceCode]:
        text = super().clean(value) or ""
        codes, unknown = [], []
        for raw in [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]:
            compact = raw.replace(".", "").replace(" ", "").upper()
            nace = (
                NaceCode.objects.filter(code=compact, version=NaceCode.Version.V2025).first()
                or NaceCode.objects.filter(code=compact, version=NaceCode.Version.V2008).first()
            )
            if nace is None:
                unknown.append(raw)
            else:
                codes.append(nace)
        if unknown:
            raise forms.ValidationError(_("Code(s) NACE inconnu(s) : %(codes)s.") % {"codes": ", ".join(unknown)})
        return codes


class AnnotateForm(forms.Form):
    annotation = forms.CharField(
        label=_("Ce que cela signifie pour les membres"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    effective_date = forms.DateField(
        label=_("Date d'entrée en vigueur"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    obligations = forms.CharField(
        label=_("Obligations (résumé)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    nace_codes = NaceCodesField(label=_("Codes NACE concernés"))
    segments = forms.ModelMultipleChoiceField(
        label=_("Segments concernés"), queryset=Segment.objects.select_related("value_chain"), required=False
    )
    affected_segments = forms.ModelMultipleChoiceField(
        label=_("Segments soumis à l'obligation"),
        queryset=Segment.objects.select_related("value_chain"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("obligations") and not data.get("effective_date"):
            self.add_error("effective_date", _("Indiquez la date à laquelle ces obligations s'appliquent."))
        return data


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "slug", "description"]


class TopicRuleForm(forms.ModelForm):
    class Meta:
        model = TopicRule
        fields = ["expression", "language", "weight"]
        widgets = {"expression": forms.TextInput(attrs={"size": 60})}

    def clean_expression(self) -> str:
        expression = self.cleaned_data["expression"].strip()
        try:
            parse_rule(expression)
        except RuleSyntaxError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return expression


class TopicProfileForm(forms.Form):
    public_feed = forms.BooleanField(label=_("Flux RSS/Atom public"), required=False)
    suggestion_threshold = forms.FloatField(
        label=_("Seuil de suggestion du modèle"), min_value=0.05, max_value=1.0, initial=0.6
    )


class RuleTestForm(forms.Form):
    expression = forms.CharField(label=_("Expression"))
    text = forms.CharField(label=_("Texte d'essai"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_expression(self) -> str:
        expression = self.cleaned_data["expression"]
        try:
            parse_rule(expression)
        except RuleSyntaxError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return expression


class SubscriptionForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Thématique"), queryset=Topic.objects.all())
    language = forms.ChoiceField(
        label=_("Langue des éléments"), choices=[("", _("toutes")), *Language.choices], required=False
    )
    frequency = forms.ChoiceField(
        label=_("Fréquence"), choices=Subscription.Frequency.choices, initial=Subscription.Frequency.WEEKLY
    )
