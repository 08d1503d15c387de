"""Forms of the events app: they parse input; services validate and write."""

import datetime as dt
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.ecosystem.models import Organisation
from grappe.events.models import Event, MatchmakingSession, Participant, ParticipantType
from grappe.referential.models import PostalCode

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LANGUAGE_CHOICES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English"), ("de", "Deutsch")]


class EventForm(forms.ModelForm):
    """Staff form of an event; the venue's postal code is typed (``5000``) and looked up."""

    postal_code = forms.CharField(label=_("code postal du lieu"), max_length=4, required=False)
    mission_tags = forms.MultipleChoiceField(
        label=_("missions"), choices=Event.Mission.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    questions = forms.CharField(
        label=_("questions d'inscription (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=Event._meta.get_field("questions").help_text,
    )
    co_organisers = forms.ModelMultipleChoiceField(
        label=_("co-organisateurs"),
        queryset=Organisation.objects.exclude(kind__in=[Organisation.Kind.COMPANY, Organisation.Kind.STARTUP]),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title_fr",
            "title_en",
            "title_nl",
            "title_de",
            "description_fr",
            "description_en",
            "description_nl",
            "description_de",
            "start",
            "end",
            "venue_name",
            "venue_address",
            "online_url",
            "capacity",
            "audience",
            "price_non_member",
            "registration_deadline",
            "co_organisers",
        ]
        widgets = {
            "start": DATETIME_WIDGET,
            "end": DATETIME_WIDGET,
            "registration_deadline": DATETIME_WIDGET,
            "description_fr": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_nl": forms.Textarea(attrs={"rows": 3}),
            "description_de": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title_fr"].required = True
        instance = self.instance
        if instance.pk:
            self.initial.setdefault(
                "postal_code", instance.venue_postal_code.code if instance.venue_postal_code else ""
            )
            self.initial.setdefault("mission_tags", instance.mission_tags)
            self.initial.setdefault("questions", json.dumps(instance.questions, ensure_ascii=False, indent=1))

    def clean_postal_code(self) -> PostalCode | None:
        code = (self.cleaned_data.get("postal_code") or "").strip()
        if not code:
            return None
        found = PostalCode.objects.filter(code=code).first()
        if found is None:
            raise ValidationError(_("Code postal inconnu : « %(code)s ».") % {"code": code})
        return found

    def clean_questions(self) -> list:
        text = (self.cleaned_data.get("questions") or "").strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                _("JSON invalide (ligne %(line)s, colonne %(col)s).") % {"line": exc.lineno, "col": exc.colno}
            ) from exc

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["title"] = data["title_fr"]
        data["description"] = data["description_fr"]
        data["venue_postal_code"] = self.cleaned_data["postal_code"]
        data["mission_tags"] = self.cleaned_data["mission_tags"]
        data["questions"] = self.cleaned_data["questions"]
        return data


def question_fields(event: Event, initial: dict[str, Any] | None = None) -> dict[str, forms.Field]:
    """Form fields for the event's custom questions, named ``q_<key>``."""
    fields: dict[str, forms.Field] = {}
    for question in event.questions or []:
        name, label, required = f"q_{question['key']}", question["label"], bool(question.get("required"))
        kind = question.get("type", "text")
        if kind == "bool":
            field: forms.Field = forms.BooleanField(label=label, required=required)
        elif kind == "choice":
            choices = [("", "—"), *((c, c) for c in question["choices"])]
            field = forms.ChoiceField(label=label, choices=choices, required=required)
        else:
            field = forms.CharField(label=label, required=required, max_length=1000)
        if initial and question["key"] in initial:
            field.initial = initial[question["key"]]
        fields[name] = field
    return fields


class AnswersMixin:
    def answers(self) -> dict[str, Any]:
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_")  # type: ignore[attr-defined]
        }


class RegistrationForm(AnswersMixin, forms.Form):
    first_name = forms.CharField(label=_("prénom"), max_length=120)
    last_name = forms.CharField(label=_("nom"), max_length=120)
    email = forms.EmailField(label=_("e-mail"))
    organisation_name = forms.CharField(label=_("organisation"), max_length=255, required=False)
    enterprise_number = forms.CharField(
        label=_("numéro d'entreprise (BCE)"), max_length=20, required=False, help_text=_("Par exemple 0403.019.261.")
    )
    consent = forms.BooleanField(
        label=_("J'accepte que le cluster traite ces données pour organiser l'événement et m'écrire à son sujet."),
        required=True,
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(question_fields(event))


class RegistrationEditForm(AnswersMixin, forms.Form):
    email = forms.EmailField(label=_("e-mail"))

    def __init__(self, *args: Any, registration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = registration.email
        self.fields.update(question_fields(registration.event, registration.answers))


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Votre satisfaction"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Un commentaire ?"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


def _parse_time(text: str, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(_("Heure invalide « %(text)s » (%(field)s).") % {"text": text, "field": field}) from exc


class SessionForm(forms.ModelForm):
    """A session's settings; blocks are lines ``09:00-12:00 matin`` on the event's day."""

    blocks = forms.CharField(
        label=_("blocs de rendez-vous"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Une ligne par bloc : « 09:00-12:00 matin ». Laisser vide pour garder les créneaux actuels."),
    )
    break_minutes = forms.IntegerField(label=_("battement entre deux rendez-vous (minutes)"), min_value=0, initial=0)
    allowed_pairs_text = forms.CharField(
        label=_("qui peut rencontrer qui"),
        required=False,
        help_text=_("Paires séparées par des virgules, par exemple « supplier-buyer, research-buyer » ; vide : tous."),
    )

    class Meta:
        model = MatchmakingSession
        fields = ["name_fr", "tables", "meeting_minutes", "request_deadline", "max_requests", "default_max_meetings"]
        widgets = {"request_deadline": DATETIME_WIDGET}

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        if self.instance.pk:
            self.initial.setdefault(
                "allowed_pairs_text", ", ".join(f"{a}-{b}" for a, b in self.instance.allowed_pairs or [])
            )

    def clean_allowed_pairs_text(self) -> list[list[str]]:
        pairs = []
        for chunk in filter(None, (c.strip() for c in (self.cleaned_data.get("allowed_pairs_text") or "").split(","))):
            parts = [p.strip() for p in chunk.split("-")]
            if len(parts) != 2 or not set(parts) <= set(ParticipantType.values):
                raise ValidationError(
                    _("Paire invalide « %(chunk)s » ; types connus : %(types)s.")
                    % {"chunk": chunk, "types": ", ".join(ParticipantType.values)}
                )
            pairs.append(parts)
        return pairs

    def clean_blocks(self) -> list[tuple[dt.datetime, dt.datetime, str]]:
        day = timezone.localtime(self.event.start).date()
        tz = timezone.get_default_timezone()
        blocks = []
        for number, line in enumerate((self.cleaned_data.get("blocks") or "").splitlines(), start=1):
            if not line.strip():
                continue
            span, _sep, label = line.strip().partition(" ")
            start_text, dash, end_text = span.partition("-")
            if not dash:
                raise ValidationError(_("Ligne %(n)s : écrivez « 09:00-12:00 libellé ».") % {"n": number})
            start = dt.datetime.combine(day, _parse_time(start_text, f"ligne {number}"), tzinfo=tz)
            end = dt.datetime.combine(day, _parse_time(end_text, f"ligne {number}"), tzinfo=tz)
            blocks.append((start, end, label.strip()))
        return blocks


class ParticipantForm(forms.ModelForm):
    tags_text = forms.CharField(label=_("mots-clés"), required=False, help_text=_("Séparés par des virgules."))
    languages = forms.MultipleChoiceField(
        label=_("langues"), choices=LANGUAGE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Participant
        fields = ["type", "offers", "requests", "languages", "arrival", "departure", "max_meetings"]
        widgets = {
            "arrival": DATETIME_WIDGET,
            "departure": DATETIME_WIDGET,
            "offers": forms.Textarea(attrs={"rows": 3}),
            "requests": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("tags_text", ", ".join(self.instance.tags or []))

    def profile(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["tags"] = [t.strip() for t in self.cleaned_data["tags_text"].split(",") if t.strip()][:20]
        return data
