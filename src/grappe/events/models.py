"""Events of the cluster (mission 2): registrations, attendance, surveys, and B2B matchmaking sessions.

Invariants that the database can hold live in ``Meta.constraints``; the rest (a person in two
places at once, availability, caps) is checked by the services, which own every write.
"""

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """A URL-safe secret for signed links and private calendar feeds."""
    return secrets.token_urlsafe(24)


class Event(models.Model):
    """A moment of exchange organised by the cluster: workshop, networking, B2B day, visit, webinar..."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("atelier")
        NETWORKING = "networking", _("réseautage")
        B2B = "b2b", _("rendez-vous B2B")
        COMPANY_VISIT = "company_visit", _("visite d'entreprise")
        WEBINAR = "webinar", _("webinaire")
        TRAINING = "training", _("formation")
        CONFERENCE = "conference", _("conférence")
        TRADE_FAIR_STAND = "trade_fair_stand", _("stand sur un salon")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("ouvert à tous")
        MEMBERS_ONLY = "members_only", _("réservé aux membres")
        INVITATION = "invitation", _("sur invitation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publié")
        CANCELLED = "cancelled", _("annulé")

    class Mission(models.TextChoices):
        """The four missions of a Walloon cluster, as in the objectives contract."""

        M1 = "m1", _("M1 — connaissance de l'écosystème")
        M2 = "m2", _("M2 — mise en réseau et collaborations")
        M3 = "m3", _("M3 — promotion et visibilité")
        M4 = "m4", _("M4 — innovation")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    venue_name = models.CharField(_("lieu"), max_length=200, blank=True)
    venue_address = models.CharField(_("adresse"), max_length=255, blank=True)
    venue_postal_code = models.ForeignKey(
        "referential.PostalCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("code postal du lieu"),
    )
    online_url = models.URLField(_("lien en ligne"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacité"), null=True, blank=True, help_text=_("Nombre de places ; vide pour un nombre illimité.")
    )
    audience = models.CharField(_("public"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC)
    price_non_member = models.DecimalField(
        _("prix pour les non-membres (€)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    co_organisers = models.ManyToManyField(
        "ecosystem.Organisation", blank=True, related_name="co_organised_events", verbose_name=_("co-organisateurs")
    )
    mission_tags = models.JSONField(_("missions"), default=list, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    registration_deadline = models.DateTimeField(_("clôture des inscriptions"), null=True, blank=True)
    questions = models.JSONField(
        _("questions d'inscription"),
        default=list,
        blank=True,
        help_text=_(
            'Liste de questions : {"key": "regime", "label": "Régime alimentaire", "type": "text|choice|bool", '
            '"required": true, "choices": ["..."]}.'
        ),
    )
    sequence = models.PositiveIntegerField(_("révision (iCalendar)"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    QUESTION_TYPES = ("text", "choice", "bool")

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("La fin de l'événement doit suivre son début."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="%(app_label)s_%(class)s_capacity_positive",
                violation_error_message=_("La capacité doit être d'au moins une place."),
            ),
            models.CheckConstraint(
                condition=Q(price_non_member__gte=0),
                name="%(app_label)s_%(class)s_price_not_negative",
                violation_error_message=_("Le prix ne peut pas être négatif."),
            ),
        ]
        indexes = [models.Index(fields=["status", "start"]), models.Index(fields=["kind", "start"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.venue_address

    @property
    def location_text(self) -> str:
        """One line for calendars and badges: venue, address, postal code and locality, or the online link."""
        parts = [self.venue_name, self.venue_address]
        if self.venue_postal_code_id:
            parts.append(f"{self.venue_postal_code.code} {self.venue_postal_code.locality}")
        text = ", ".join(p for p in parts if p)
        return text or self.online_url

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not self.venue_address and not self.online_url and not self.venue_name:
            errors["venue_address"] = _("Indiquez un lieu ou un lien en ligne.")
        unknown = [m for m in self.mission_tags or [] if m not in self.Mission.values]
        if unknown:
            errors["mission_tags"] = _("Mission inconnue : %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
        try:
            validate_questions(self.questions)
        except ValidationError as exc:
            errors["questions"] = exc.messages
        if self.registration_deadline and self.end and self.registration_deadline > self.end:
            errors["registration_deadline"] = _("La clôture des inscriptions doit précéder la fin de l'événement.")
        if errors:
            raise ValidationError(errors)


def validate_questions(questions: Any) -> None:
    """Check the custom registration questions (a small schema: key, label, type, required, choices)."""
    if not isinstance(questions, list):
        raise ValidationError(_("Les questions doivent former une liste."))
    keys: set[str] = set()
    for index, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            raise ValidationError(_("Question %(n)s : un objet est attendu.") % {"n": index})
        key = question.get("key")
        if not isinstance(key, str) or not key.isidentifier():
            raise ValidationError(_("Question %(n)s : clé manquante ou invalide.") % {"n": index})
        if key in keys:
            raise ValidationError(_("Question %(n)s : la clé « %(key)s » est répétée.") % {"n": index, "key": key})
        keys.add(key)
        if not str(question.get("label") or "").strip():
            raise ValidationError(_("Question %(n)s : libellé manquant.") % {"n": index})
        kind = question.get("type", "text")
        if kind not in Event.QUESTION_TYPES:
            raise ValidationError(_("Question %(n)s : type inconnu « %(type)s ».") % {"n": index, "type": kind})
        if kind == "choice" and not (isinstance(question.get("choices"), list) and question["choices"]):
            raise ValidationError(_("Question %(n)s : une question à choix doit lister ses choix.") % {"n": index})


class Registration(models.Model):
    """A person's registration to an event, confirmed or on the waitlist, with attendance."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmée")
        WAITLISTED = "waitlisted", _("en liste d'attente")
        CANCELLED = "cancelled", _("annulée")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("pas encore pointé")
        ATTENDED = "attended", _("présent")
        NO_SHOW = "no_show", _("absent")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey("ecosystem.Person", on_delete=models.PROTECT, related_name="event_registrations")
    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail"))
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    waitlist_position = models.PositiveIntegerField(_("rang en liste d'attente"), null=True, blank=True)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    consent_given_at = models.DateTimeField(_("consentement RGPD donné le"))
    is_member = models.BooleanField(_("membre à l'inscription"), default=False)
    price = models.DecimalField(_("prix dû (€)"), max_digits=8, decimal_places=2, default=Decimal("0"))
    attendance = models.CharField(_("présence"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN)
    checked_in_at = models.DateTimeField(_("pointé le"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sequence = models.PositiveIntegerField(_("révision (iCalendar)"), default=0, editable=False)
    created_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event", "status", "waitlist_position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="%(app_label)s_%(class)s_one_active_per_person",
                violation_error_message=_("Cette personne est déjà inscrite à cet événement."),
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="%(app_label)s_%(class)s_waitlist_position_iff_waitlisted",
                violation_error_message=_("Seules les inscriptions en liste d'attente ont un rang."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="%(app_label)s_%(class)s_price_not_negative",
                violation_error_message=_("Le prix ne peut pas être négatif."),
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.event}"


class Notification(models.Model):
    """A message sent about a registration; unique per kind for reminders and surveys, so tasks are idempotent."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirmation")
        WAITLISTED = "waitlisted", _("mise en liste d'attente")
        PROMOTED = "promoted", _("place libérée")
        CANCELLATION = "cancellation", _("annulation")
        REMINDER_7 = "reminder_7", _("rappel à 7 jours")
        REMINDER_1 = "reminder_1", _("rappel la veille")
        SURVEY = "survey", _("enquête de satisfaction")
        AGENDA = "agenda", _("agenda B2B")

    ONCE = (Kind.REMINDER_7, Kind.REMINDER_1, Kind.SURVEY)

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("type"), max_length=14, choices=Kind.choices)
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message envoyé")
        verbose_name_plural = _("messages envoyés")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=Q(kind__in=["reminder_7", "reminder_1", "survey"]),
                name="%(app_label)s_%(class)s_once_per_kind",
                violation_error_message=_("Ce message a déjà été envoyé."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.registration}"


class SurveyResponse(models.Model):
    """A participant's satisfaction after the event: a score from 1 to 5 and a comment."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="survey_response")
    score = models.PositiveSmallIntegerField(_("note (1 à 5)"))
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(_("répondu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("réponse à l'enquête")
        verbose_name_plural = _("réponses à l'enquête")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="%(app_label)s_%(class)s_score_1_to_5",
                violation_error_message=_("La note va de 1 à 5."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.score}/5"


class CalendarFeed(models.Model):
    """The secret token of a person's private calendar feed (registrations and B2B meetings)."""

    person = models.OneToOneField("ecosystem.Person", on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flux d'agenda personnel")
        verbose_name_plural = _("flux d'agenda personnels")

    def __str__(self) -> str:
        return str(self.person)


# --- B2B matchmaking ------------------------------------------------------------------------------


class ParticipantType(models.TextChoices):
    """What a participant comes as; the session's rules say which types may meet which."""

    SUPPLIER = "supplier", _("fournisseur / offreur")
    BUYER = "buyer", _("acheteur / donneur d'ordre")
    RESEARCH = "research", _("recherche et enseignement")
    INVESTOR = "investor", _("investisseur")
    SUPPORT = "support", _("structure d'accompagnement")
    OTHER = "other", _("autre")


class MatchmakingSession(models.Model):
    """The B2B meetings of an event: slots, tables, meeting length, request deadline and rules."""

    class Status(models.TextChoices):
        OPEN = "open", _("demandes ouvertes")
        SCHEDULED = "scheduled", _("planning calculé")
        PUBLISHED = "published", _("planning publié")
        CLOSED = "closed", _("terminée")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="matchmaking_sessions")
    name = models.CharField(_("nom"), max_length=200, blank=True)
    tables = models.PositiveSmallIntegerField(_("nombre de tables"), default=10)
    meeting_minutes = models.PositiveSmallIntegerField(_("durée d'un rendez-vous (minutes)"), default=20)
    request_deadline = models.DateTimeField(_("clôture des demandes"), null=True, blank=True)
    max_requests = models.PositiveSmallIntegerField(
        _("demandes maximum par participant"), null=True, blank=True, help_text=_("Vide : pas de limite.")
    )
    default_max_meetings = models.PositiveSmallIntegerField(
        _("rendez-vous maximum par participant"), null=True, blank=True, help_text=_("Vide : pas de limite.")
    )
    allowed_pairs = models.JSONField(
        _("qui peut rencontrer qui"),
        default=list,
        blank=True,
        help_text=_('Paires de types autorisées, par exemple [["supplier", "buyer"]] ; vide : tous.'),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.OPEN)
    last_run = models.JSONField(_("dernier calcul"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session de rendez-vous B2B")
        verbose_name_plural = _("sessions de rendez-vous B2B")
        ordering = ["event", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tables__gte=1),
                name="%(app_label)s_%(class)s_tables_positive",
                violation_error_message=_("Il faut au moins une table."),
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes__gte=5),
                name="%(app_label)s_%(class)s_meeting_length",
                violation_error_message=_("Un rendez-vous dure au moins 5 minutes."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.event)

    def clean(self) -> None:
        types = set(ParticipantType.values)
        pairs = self.allowed_pairs or []
        if not isinstance(pairs, list) or any(
            not isinstance(p, list | tuple) or len(p) != 2 or not set(p) <= types for p in pairs
        ):
            raise ValidationError(
                {"allowed_pairs": _("Chaque règle est une paire de types connus : %(types)s.") % {"types": types}}
            )

    def types_may_meet(self, a: str, b: str) -> bool:
        if not self.allowed_pairs:
            return True
        return any({a, b} == set(pair) or (a == b and list(pair) == [a, a]) for pair in self.allowed_pairs)


class Slot(models.Model):
    """A time slot of a session; breaks are kept so agendas show them, but never hold a meeting."""

    session = models.ForeignKey(MatchmakingSession, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    block = models.CharField(_("bloc"), max_length=60, blank=True, help_text=_("Par exemple « matin »."))
    is_break = models.BooleanField(_("pause"), default=False)

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["session", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("La fin du créneau doit suivre son début."),
            ),
            models.UniqueConstraint(
                fields=["session", "start"],
                name="%(app_label)s_%(class)s_unique_start",
                violation_error_message=_("Un créneau commence déjà à cette heure."),
            ),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{timezone.localtime(self.start):%H:%M}–{timezone.localtime(self.end):%H:%M}"


class Participant(models.Model):
    """A person's profile in a matchmaking session: what they offer and seek, and when they are there."""

    session = models.ForeignKey(MatchmakingSession, on_delete=models.CASCADE, related_name="participants")
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="participants"
    )
    person = models.ForeignKey("ecosystem.Person", on_delete=models.PROTECT, related_name="matchmaking_profiles")
    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matchmaking_profiles",
        verbose_name=_("organisation"),
    )
    type = models.CharField(_("je viens comme"), max_length=10, choices=ParticipantType.choices)
    offers = models.TextField(_("ce que j'offre"), blank=True)
    requests = models.TextField(_("ce que je cherche"), blank=True)
    tags = models.JSONField(_("mots-clés"), default=list, blank=True)
    nace_codes = models.ManyToManyField(
        "referential.NaceCode", blank=True, related_name="+", verbose_name=_("codes NACE")
    )
    competences = models.ManyToManyField(
        "ecosystem.Competence", blank=True, related_name="+", verbose_name=_("compétences")
    )
    languages = models.JSONField(_("langues"), default=list, blank=True)
    arrival = models.DateTimeField(_("arrivée"), null=True, blank=True)
    departure = models.DateTimeField(_("départ"), null=True, blank=True)
    available_slots = models.ManyToManyField(Slot, blank=True, related_name="+", verbose_name=_("créneaux"))
    max_meetings = models.PositiveSmallIntegerField(_("rendez-vous maximum"), null=True, blank=True)
    no_show = models.BooleanField(_("absent le jour même"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant B2B")
        verbose_name_plural = _("participants B2B")
        ordering = ["session", "organisation__name", "person__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                name="%(app_label)s_%(class)s_unique_person",
                violation_error_message=_("Cette personne participe déjà à cette session."),
            ),
            models.CheckConstraint(
                condition=Q(arrival__isnull=True) | Q(departure__isnull=True) | Q(departure__gt=F("arrival")),
                name="%(app_label)s_%(class)s_departure_after_arrival",
                violation_error_message=_("Le départ doit suivre l'arrivée."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.organisation})" if self.organisation_id else str(self.person)


class MeetingRequest(models.Model):
    """A wish to meet someone in the session, accepted or declined by the other side, or imposed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        ACCEPTED = "accepted", _("acceptée")
        DECLINED = "declined", _("déclinée")

    session = models.ForeignKey(MatchmakingSession, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_sent")
    target = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_received")
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    imposed = models.BooleanField(_("imposé par l'organisateur"), default=False)
    weight = models.PositiveSmallIntegerField(_("priorité"), default=1, help_text=_("1 normale, plus haut = plus."))
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("demande de rendez-vous")
        verbose_name_plural = _("demandes de rendez-vous")
        ordering = ["session", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=F("target")),
                name="%(app_label)s_%(class)s_not_self",
                violation_error_message=_("On ne peut pas se demander un rendez-vous à soi-même."),
            ),
            models.UniqueConstraint(
                fields=["session", "requester", "target"],
                name="%(app_label)s_%(class)s_unique_pair",
                violation_error_message=_("Cette demande existe déjà."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1),
                name="%(app_label)s_%(class)s_weight_positive",
                violation_error_message=_("La priorité vaut au moins 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.target}"


class Meeting(models.Model):
    """A 1:1 meeting of two participants, placed in a slot at a table by the scheduler or by hand."""

    class Status(models.TextChoices):
        TO_SCHEDULE = "to_schedule", _("à planifier")
        SCHEDULED = "scheduled", _("planifié")
        HELD = "held", _("a eu lieu")
        NO_SHOW = "no_show", _("n'a pas eu lieu (absence)")
        CANCELLED = "cancelled", _("annulé")

    LIVE_STATUSES = (Status.TO_SCHEDULE, Status.SCHEDULED, Status.HELD, Status.NO_SHOW)

    session = models.ForeignKey(MatchmakingSession, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(
        MeetingRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting"
    )
    participant_a = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="meetings_as_a")
    participant_b = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="meetings_as_b")
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    table = models.PositiveSmallIntegerField(_("table"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(_("priorité"), default=1)
    locked = models.BooleanField(_("verrouillé"), default=False)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.TO_SCHEDULE)
    follow_up_wanted = models.BooleanField(_("suite souhaitée"), default=False)
    published = models.BooleanField(_("publié"), default=False)
    sequence = models.PositiveIntegerField(_("révision (iCalendar)"), default=0, editable=False)
    notes = models.CharField(_("remarque de suivi"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rendez-vous B2B")
        verbose_name_plural = _("rendez-vous B2B")
        ordering = ["session", "slot__start", "table"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(participant_a=F("participant_b")),
                name="%(app_label)s_%(class)s_two_people",
                violation_error_message=_("Un rendez-vous réunit deux participants différents."),
            ),
            models.CheckConstraint(
                condition=(Q(slot__isnull=True) & Q(table__isnull=True))
                | (Q(slot__isnull=False) & Q(table__isnull=False)),
                name="%(app_label)s_%(class)s_slot_and_table_together",
                violation_error_message=_("Un créneau et une table vont ensemble."),
            ),
            models.UniqueConstraint(
                fields=["slot", "table"],
                condition=Q(slot__isnull=False) & ~Q(status="cancelled"),
                name="%(app_label)s_%(class)s_one_per_table",
                violation_error_message=_("Cette table est déjà occupée à ce créneau."),
            ),
            models.CheckConstraint(
                condition=Q(table__isnull=True) | Q(table__gte=1),
                name="%(app_label)s_%(class)s_table_positive",
                violation_error_message=_("Les tables sont numérotées à partir de 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_a} × {self.participant_b}"

    def other(self, participant: Participant) -> Participant:
        return self.participant_b if participant.pk == self.participant_a_id else self.participant_a
