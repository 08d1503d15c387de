"""Partnerships (mission 2): collaborations between organisations, introductions made by the cluster,
members' introduction requests, and the interaction log of every organisation.

PRIVATE fields (never shown outside the staff workspace): ``Collaboration.internal_notes``,
``Introduction.notes``, ``IntroductionRequest.staff_notes``, ``Interaction.notes``; rows flagged
``is_internal`` are staff-only as a whole. The rules live in ``grappe.accounts.permissions``.
"""

import datetime as dt
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Mission(models.TextChoices):
    """The cluster's four missions (tags of a collaboration)."""

    M1 = "m1", _("M1 — connaissance de l'écosystème")
    M2 = "m2", _("M2 — mise en réseau et collaborations")
    M3 = "m3", _("M3 — promotion")
    M4 = "m4", _("M4 — innovation")


class Collaboration(models.Model):
    """A joint project or agreement between at least two organisations (checked by the services)."""

    # PRIVATE: staff only; left out of everything a member receives (portal, API, their own GDPR export).
    PRIVATE_FIELDS = ("internal_notes",)

    class Kind(models.TextChoices):
        RD_PROJECT = "rd_project", _("projet de R&D")
        COMMERCIAL = "commercial", _("partenariat commercial")
        FRAMEWORK = "framework", _("accord-cadre / convention (MoU)")
        JOINT_ACTION = "joint_action", _("action commune")
        INTER_CLUSTER = "inter_cluster", _("coopération inter-clusters")
        INTERNATIONAL = "international", _("coopération internationale")

    class Status(models.TextChoices):
        EXPLORED = "explored", _("en exploration")
        ACTIVE = "active", _("en cours")
        COMPLETED = "completed", _("terminée")
        DROPPED = "dropped", _("abandonnée")

    class ClusterRole(models.TextChoices):
        INITIATED = "initiated", _("initiée par le cluster")
        FACILITATED = "facilitated", _("facilitée par le cluster")
        INFORMED = "informed", _("le cluster en est informé")

    # Statuses of a collaboration that really started (counted by the indicators).
    STARTED_STATUSES = (Status.ACTIVE, Status.COMPLETED)

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.EXPLORED)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    cluster_role = models.CharField(
        _("rôle du cluster"), max_length=12, choices=ClusterRole.choices, default=ClusterRole.FACILITATED
    )
    outcomes = models.TextField(_("résultats"), blank=True)
    missions = models.JSONField(_("missions"), default=list, blank=True)
    transition_digital = models.BooleanField(_("transition numérique"), default=False)
    transition_environmental = models.BooleanField(_("transition environnementale"), default=False)
    transition_economic = models.BooleanField(_("transition économique"), default=False)
    foreign_countries = CountryField(
        _("pays des partenaires étrangers"),
        multiple=True,
        blank=True,
        help_text=_("Pays où sont établis les partenaires hors de Belgique (coopérations internationales)."),
    )
    internal_notes = models.TextField(_("notes internes"), blank=True)
    is_internal = models.BooleanField(
        _("interne"), default=False, help_text=_("Visible uniquement par l'équipe du cluster.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("La date de fin précède la date de début."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "start_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def transition_tags(self) -> list[str]:
        return [t for t in ("digital", "environmental", "economic") if getattr(self, f"transition_{t}")]

    def mission_labels(self) -> list[str]:
        labels = dict(Mission.choices)
        return [str(labels.get(code, code)) for code in self.missions]

    def active_on(self, day: dt.date) -> bool:
        return (
            self.status in self.STARTED_STATUSES
            and (self.start_date is None or self.start_date <= day)
            and (self.end_date is None or self.end_date >= day)
        )


class Partner(models.Model):
    """An organisation taking part in a collaboration, with its role."""

    class Role(models.TextChoices):
        LEAD = "lead", _("chef de file")
        PARTNER = "partner", _("partenaire")
        FUNDER = "funder", _("financeur")
        END_USER = "end_user", _("utilisateur final")
        RESEARCH = "research", _("partenaire de recherche")
        SUBCONTRACTOR = "subcontractor", _("sous-traitant")
        OTHER = "other", _("autre")

    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        on_delete=models.CASCADE,
        related_name="collaboration_partners",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=14, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["collaboration", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collaboration", "organisation"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("Cette organisation est déjà partenaire de la collaboration."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


def _document_path(instance: "CollaborationDocument", filename: str) -> str:
    return f"partnerships/collaborations/{instance.collaboration_id}/{PurePath(filename).name}"


class CollaborationDocument(models.Model):
    """A document of a collaboration: an uploaded file (type and size checked by the services) or a link."""

    collaboration = models.ForeignKey(Collaboration, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=_document_path, blank=True)
    url = models.URLField(_("lien"), blank=True)
    is_internal = models.BooleanField(_("interne"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document de collaboration")
        verbose_name_plural = _("documents de collaboration")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(url=""),
                name="%(app_label)s_%(class)s_file_or_url",
                violation_error_message=_("Un document est un fichier ou un lien."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class IntroductionRequest(models.Model):
    """A member's request from the portal: « we are looking for a partner who… », handled by staff."""

    # PRIVATE: staff only; left out of everything a member receives (portal, API, their own GDPR export).
    PRIVATE_FIELDS = ("staff_notes",)

    class Status(models.TextChoices):
        NEW = "new", _("nouvelle")
        IN_PROGRESS = "in_progress", _("en cours")
        DONE = "done", _("traitée")
        DECLINED = "declined", _("déclinée")

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS)

    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        on_delete=models.CASCADE,
        related_name="introduction_requests",
        verbose_name=_("organisation demandeuse"),
    )
    person = models.ForeignKey(
        "ecosystem.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("personne"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    needs = models.TextField(_("nous cherchons un partenaire qui…"))
    competences = models.ManyToManyField(
        "ecosystem.Competence", blank=True, related_name="+", verbose_name=_("compétences recherchées")
    )
    nace_codes = models.ManyToManyField(
        "referential.NaceCode", blank=True, related_name="+", verbose_name=_("codes NACE recherchés")
    )
    segments = models.ManyToManyField(
        "ecosystem.Segment", blank=True, related_name="+", verbose_name=_("segments recherchés")
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsable"),
    )
    response = models.TextField(_("réponse au membre"), blank=True)
    staff_notes = models.TextField(_("notes internes"), blank=True)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de mise en relation")
        verbose_name_plural = _("demandes de mise en relation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.needs[:60]}"


class Introduction(models.Model):
    """Staff putting two organisations in touch (« mise en relation »), with its follow-up and outcome."""

    # PRIVATE: staff only; left out of everything a member receives (portal, API, their own GDPR export).
    PRIVATE_FIELDS = ("notes",)

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        PHONE = "phone", _("téléphone")
        MEETING = "meeting", _("réunion")
        EVENT = "event", _("événement")
        B2B = "b2b", _("rendez-vous B2B")

    class Status(models.TextChoices):
        OPEN = "open", _("ouverte")
        FOLLOWED_UP = "followed_up", _("suivie")
        CLOSED = "closed", _("clôturée")

    class Outcome(models.TextChoices):
        UNKNOWN = "unknown", _("inconnu")
        MEETING_HELD = "meeting_held", _("rencontre tenue")
        COLLABORATION_STARTED = "collaboration_started", _("collaboration démarrée")
        NOTHING = "nothing", _("sans suite")

    # Outcomes that count as "an introduction with a result" (objectives indicator).
    RESULT_OUTCOMES = (Outcome.MEETING_HELD, Outcome.COLLABORATION_STARTED)

    organisation_a = models.ForeignKey(
        "ecosystem.Organisation",
        on_delete=models.CASCADE,
        related_name="introductions_as_a",
        verbose_name=_("organisation A"),
    )
    organisation_b = models.ForeignKey(
        "ecosystem.Organisation",
        on_delete=models.CASCADE,
        related_name="introductions_as_b",
        verbose_name=_("organisation B"),
    )
    person_a = models.ForeignKey(
        "ecosystem.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("personne A"),
    )
    person_b = models.ForeignKey(
        "ecosystem.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("personne B"),
    )
    reason = models.TextField(_("parce que…"))
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    introduced_on = models.DateField(_("date de la mise en relation"), default=dt.date.today)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsable"),
    )
    follow_up_on = models.DateField(_("date de suivi"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("résultat"), max_length=22, choices=Outcome.choices, default=Outcome.UNKNOWN)
    outcome_on = models.DateField(_("résultat constaté le"), null=True, blank=True)
    collaboration = models.ForeignKey(
        Collaboration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introductions",
        verbose_name=_("collaboration issue"),
    )
    request = models.ForeignKey(
        IntroductionRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introductions",
        verbose_name=_("demande d'origine"),
    )
    notes = models.TextField(_("notes internes"), blank=True)
    is_internal = models.BooleanField(_("interne"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mise en relation")
        verbose_name_plural = _("mises en relation")
        ordering = ["-introduced_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(organisation_a=models.F("organisation_b")),
                name="%(app_label)s_%(class)s_distinct_orgs",
                violation_error_message=_("Une organisation ne peut pas être mise en relation avec elle-même."),
            ),
        ]
        indexes = [models.Index(fields=["introduced_on"]), models.Index(fields=["status", "follow_up_on"])]

    def __str__(self) -> str:
        return f"{self.organisation_a} ↔ {self.organisation_b}"

    def other(self, organisation_id: int):
        return self.organisation_b if self.organisation_a_id == organisation_id else self.organisation_a


class Interaction(models.Model):
    """A contact with an organisation: call, visit, meeting, e-mail, contact at an event."""

    # PRIVATE: staff only; left out of everything a member receives (portal, API, their own GDPR export).
    PRIVATE_FIELDS = ("notes",)

    class Kind(models.TextChoices):
        CALL = "call", _("appel")
        VISIT = "visit", _("visite")
        MEETING = "meeting", _("réunion")
        EMAIL = "email", _("e-mail")
        EVENT_CONTACT = "event_contact", _("contact lors d'un événement")

    organisation = models.ForeignKey(
        "ecosystem.Organisation", on_delete=models.CASCADE, related_name="interactions", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        "ecosystem.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("personne"),
    )
    kind = models.CharField(_("type"), max_length=14, choices=Kind.choices)
    date = models.DateField(_("date"))
    summary = models.TextField(_("résumé"))
    notes = models.TextField(_("notes internes"), blank=True)
    is_internal = models.BooleanField(_("interne"), default=False)
    next_action = models.CharField(_("prochaine action"), max_length=255, blank=True)
    next_action_due = models.DateField(_("échéance de la prochaine action"), null=True, blank=True)
    next_action_done = models.BooleanField(_("prochaine action faite"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsable"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organisation", "date"]), models.Index(fields=["next_action_due"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organisation} ({self.date})"


class Reminder(models.Model):
    """A follow-up reminder already sent: one per introduction or interaction and due date (idempotence)."""

    introduction = models.ForeignKey(
        Introduction, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    due_on = models.DateField(_("échéance"))
    recipient = models.EmailField(_("destinataire"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.UniqueConstraint(
                fields=["introduction", "due_on"],
                condition=Q(introduction__isnull=False),
                name="%(app_label)s_%(class)s_unique_introduction",
            ),
            models.UniqueConstraint(
                fields=["interaction", "due_on"],
                condition=Q(interaction__isnull=False),
                name="%(app_label)s_%(class)s_unique_interaction",
            ),
            models.CheckConstraint(
                condition=Q(introduction__isnull=False, interaction__isnull=True)
                | Q(introduction__isnull=True, interaction__isnull=False),
                name="%(app_label)s_%(class)s_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.introduction or self.interaction} — {self.due_on}"
