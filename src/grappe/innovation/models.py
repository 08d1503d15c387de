"""Innovation support (mission 4): projects through a stage pipeline, funding calls, support and valorisation.

Invariants that involve one row live in ``clean()`` and ``Meta.constraints``; rules that involve other
rows (stage gates, consortium, eligibility) live in ``services`` and ``matching``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Transition(models.TextChoices):
    """The three transitions of the cluster's mission 4."""

    ECONOMIC = "economic", _("économique")
    DIGITAL = "digital", _("numérique")
    ENVIRONMENTAL = "environmental", _("environnementale")


class Domain(models.TextChoices):
    """Strategic innovation domains (DIS) of the Walloon smart-specialisation strategy (S3), plus digital."""

    CIRCULAR_MATERIALS = "circular_materials", _("matériaux circulaires")
    SUSTAINABLE_CONSTRUCTION = "sustainable_construction", _("construction et habitat durables")
    ENERGY_TRANSITION = "energy_transition", _("systèmes énergétiques et transition énergétique")
    AGILE_MANUFACTURING = "agile_manufacturing", _("modes de conception et de production agiles et sûrs")
    HEALTH = "health", _("innovations pour une santé renforcée")
    AGRIFOOD = "agrifood", _("chaînes de valeur agroalimentaires durables")
    DIGITAL = "digital", _("numérique")


# UN Sustainable Development Goals, 1 to 17 (short French names).
SDG_LABELS: dict[int, str] = {
    1: _("pas de pauvreté"),
    2: _("faim « zéro »"),
    3: _("bonne santé et bien-être"),
    4: _("éducation de qualité"),
    5: _("égalité entre les sexes"),
    6: _("eau propre et assainissement"),
    7: _("énergie propre et d'un coût abordable"),
    8: _("travail décent et croissance économique"),
    9: _("industrie, innovation et infrastructure"),
    10: _("inégalités réduites"),
    11: _("villes et communautés durables"),
    12: _("consommation et production responsables"),
    13: _("mesures relatives à la lutte contre les changements climatiques"),
    14: _("vie aquatique"),
    15: _("vie terrestre"),
    16: _("paix, justice et institutions efficaces"),
    17: _("partenariats pour la réalisation des objectifs"),
}

TRL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]


def _check_tags(value: list, allowed: set, field: str, errors: dict) -> None:
    if not isinstance(value, list) or any(v not in allowed for v in value):
        errors[field] = _("Valeur inconnue dans la liste : choisissez parmi les valeurs proposées.")


class FollowsProjectVisibility:
    """Rows a member sees with their project (portal): internal when the project is staff-only."""

    @property
    def is_internal(self) -> bool:
        return self.project.is_confidential_to_staff


class StaffWorkflow:
    """The cluster's own working rows (checklists, time log, drafts, reminders): never in a member's export."""

    is_internal = True


class FundingCall(models.Model):
    """A funding programme's call for projects, with its dates and eligibility rules."""

    class Level(models.TextChoices):
        REGIONAL = "regional", _("régional")
        FEDERAL = "federal", _("fédéral")
        EUROPEAN = "european", _("européen")

    title = models.CharField(_("intitulé de l'appel"), max_length=255)
    programme = models.CharField(_("programme"), max_length=200)
    funder = models.CharField(_("financeur"), max_length=200)
    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices, default=Level.REGIONAL)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    budget = models.DecimalField(_("budget de l'appel (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    smes_required = models.BooleanField(_("au moins une PME partenaire"), default=False)
    min_partners = models.PositiveSmallIntegerField(_("nombre minimum de partenaires"), default=1)
    countries = CountryField(
        _("pays admis"), multiple=True, blank=True, help_text=_("Vide : tous les pays sont admis.")
    )
    trl_min = models.PositiveSmallIntegerField(_("TRL minimum"), null=True, blank=True, validators=TRL_VALIDATORS)
    trl_max = models.PositiveSmallIntegerField(_("TRL maximum"), null=True, blank=True, validators=TRL_VALIDATORS)
    own_contribution_rate = models.DecimalField(
        _("part propre minimale (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Part du budget que les partenaires financent eux-mêmes."),
    )
    transitions = models.JSONField(_("transitions"), default=list, blank=True)
    domains = models.JSONField(_("domaines S3"), default=list, blank=True)
    link = models.URLField(_("lien"), max_length=1000, blank=True)
    watch_item = models.ForeignKey(
        "watch.Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funding_calls",
        verbose_name=_("article de veille d'origine"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")
        ordering = ["closes_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gt=models.F("opens_on")),
                name="%(app_label)s_%(class)s_closes_after_opens",
                violation_error_message=_("La date de clôture doit suivre la date d'ouverture."),
            ),
            models.CheckConstraint(
                condition=Q(trl_min__isnull=True) | Q(trl_max__isnull=True) | Q(trl_max__gte=models.F("trl_min")),
                name="%(app_label)s_%(class)s_trl_range",
                violation_error_message=_("Le TRL maximum est inférieur au TRL minimum."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.title}"

    def clean(self) -> None:
        errors: dict = {}
        if self.opens_on and self.closes_on and self.closes_on <= self.opens_on:
            errors["closes_on"] = _("La date de clôture doit suivre la date d'ouverture.")
        if self.trl_min and self.trl_max and self.trl_max < self.trl_min:
            errors["trl_max"] = _("Le TRL maximum est inférieur au TRL minimum.")
        if self.budget is not None and self.budget < 0:
            errors["budget"] = _("Le budget ne peut pas être négatif.")
        _check_tags(self.transitions, set(Transition.values), "transitions", errors)
        _check_tags(self.domains, set(Domain.values), "domains", errors)
        if errors:
            raise ValidationError(errors)

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on


class InnovationProject(models.Model):
    """An innovation project the cluster supports, from idea to valorised result."""

    # PRIVATE: staff only; left out of everything a member receives (portal, API, their own GDPR export).
    PRIVATE_FIELDS = ("internal_notes",)

    class Stage(models.TextChoices):
        IDEA = "idea", _("idée")
        EMERGENCE = "emergence", _("émergence")
        ELABORATION = "elaboration", _("montage")
        SUBMITTED = "submitted", _("déposé")
        FUNDED = "funded", _("financé")
        RUNNING = "running", _("en cours")
        VALORISATION = "valorisation", _("valorisation")
        CLOSED = "closed", _("clôturé")
        ABANDONED = "abandoned", _("abandonné")

    class Confidentiality(models.TextChoices):
        CONSORTIUM = "consortium", _("consortium : membres du consortium et équipe du cluster")
        STAFF = "staff", _("équipe du cluster uniquement")

    class Origin(models.TextChoices):
        STAFF = "staff", _("repéré par l'équipe")
        PORTAL_IDEA = "portal_idea", _("idée soumise par un membre")
        PORTAL_HELP = "portal_help", _("demande d'aide d'un membre")

    title = models.CharField(_("titre"), max_length=255)
    summary = models.TextField(_("résumé"), blank=True)
    lead_organisation = models.ForeignKey(
        "ecosystem.Organisation",
        on_delete=models.PROTECT,
        related_name="innovation_projects_led",
        verbose_name=_("organisation porteuse"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="innovation_projects",
        verbose_name=_("chargé·e de mission"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("soumis par"),
    )
    origin = models.CharField(_("origine"), max_length=12, choices=Origin.choices, default=Origin.STAFF)
    stage = models.CharField(_("étape"), max_length=12, choices=Stage.choices, default=Stage.IDEA)
    stage_entered_at = models.DateTimeField(_("dans cette étape depuis"))
    transitions = models.JSONField(_("transitions"), default=list, blank=True)
    domains = models.JSONField(_("domaines S3"), default=list, blank=True)
    sdgs = models.JSONField(_("objectifs de développement durable"), default=list, blank=True)
    trl_now = models.PositiveSmallIntegerField(_("TRL actuel"), null=True, blank=True, validators=TRL_VALIDATORS)
    trl_target = models.PositiveSmallIntegerField(_("TRL visé"), null=True, blank=True, validators=TRL_VALIDATORS)
    budget = models.DecimalField(_("budget (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    funding_requested = models.DecimalField(
        _("financement demandé (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funding_obtained = models.DecimalField(
        _("financement obtenu (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funding_call = models.ForeignKey(
        FundingCall,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name=_("appel à projets"),
    )
    confidentiality = models.CharField(
        _("confidentialité"), max_length=12, choices=Confidentiality.choices, default=Confidentiality.CONSORTIUM
    )
    # What the consortium builder looks for.
    needed_competences = models.ManyToManyField(
        "ecosystem.Competence", blank=True, related_name="+", verbose_name=_("compétences recherchées")
    )
    needed_nace = models.ManyToManyField(
        "referential.NaceCode", blank=True, related_name="+", verbose_name=_("activités (NACE) recherchées")
    )
    needed_roles = models.JSONField(_("rôles recherchés"), default=list, blank=True)
    internal_notes = models.TextField(_("notes internes"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # Stages in pipeline order; ``abandoned`` sits outside the pipeline.
    PIPELINE = (
        Stage.IDEA,
        Stage.EMERGENCE,
        Stage.ELABORATION,
        Stage.SUBMITTED,
        Stage.FUNDED,
        Stage.RUNNING,
        Stage.VALORISATION,
        Stage.CLOSED,
    )
    # Stages in which the project is still being worked on (stalled projects are looked for there).
    ACTIVE_STAGES = PIPELINE[:-1]

    class Meta:
        verbose_name = _("projet d'innovation")
        verbose_name_plural = _("projets d'innovation")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["stage"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding_obtained__isnull=True)
                | Q(budget__isnull=True)
                | Q(funding_obtained__lte=models.F("budget")),
                name="%(app_label)s_%(class)s_obtained_within_budget",
                violation_error_message=_("Le financement obtenu dépasse le budget du projet."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict = {}
        for name in ("budget", "funding_requested", "funding_obtained"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("Le montant ne peut pas être négatif.")
        if self.budget is not None and self.funding_obtained is not None and self.funding_obtained > self.budget:
            errors["funding_obtained"] = _("Le financement obtenu dépasse le budget du projet.")
        if self.budget is not None and self.funding_requested is not None and self.funding_requested > self.budget:
            errors["funding_requested"] = _("Le financement demandé dépasse le budget du projet.")
        if self.trl_now and self.trl_target and self.trl_target < self.trl_now:
            errors["trl_target"] = _("Le TRL visé est inférieur au TRL actuel.")
        _check_tags(self.transitions, set(Transition.values), "transitions", errors)
        _check_tags(self.domains, set(Domain.values), "domains", errors)
        _check_tags(self.sdgs, set(SDG_LABELS), "sdgs", errors)
        _check_tags(self.needed_roles, set(ProjectPartner.Role.values), "needed_roles", errors)
        if errors:
            raise ValidationError(errors)

    @property
    def funding_amount(self) -> Decimal:
        """The amount granted (objectives read this attribute on funded projects)."""
        return self.funding_obtained or Decimal("0")

    @property
    def is_confidential_to_staff(self) -> bool:
        return self.confidentiality == self.Confidentiality.STAFF

    @property
    def is_internal(self) -> bool:
        """Staff-only projects are internal: a member's own GDPR export leaves them out (privacy.services)."""
        return self.is_confidential_to_staff

    def transition_labels(self) -> list[str]:
        return [str(Transition(v).label) for v in self.transitions if v in Transition.values]

    def domain_labels(self) -> list[str]:
        return [str(Domain(v).label) for v in self.domains if v in Domain.values]

    def sdg_labels(self) -> list[str]:
        return [f"{n}. {SDG_LABELS[n]}" for n in self.sdgs if n in SDG_LABELS]


class ProjectPartner(FollowsProjectVisibility, models.Model):
    """An organisation in a project's consortium, with its role."""

    class Role(models.TextChoices):
        LEAD = "lead", _("porteur")
        RESEARCH = "research", _("partenaire de recherche")
        END_USER = "end_user", _("utilisateur final")
        SME = "sme", _("PME")
        LARGE_COMPANY = "large_company", _("grande entreprise")
        SUBCONTRACTOR = "subcontractor", _("sous-traitant")

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        on_delete=models.PROTECT,
        related_name="innovation_partnerships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices)
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("partenaire du projet")
        verbose_name_plural = _("partenaires du projet")
        ordering = ["project", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("Cette organisation fait déjà partie du consortium."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class StageChange(FollowsProjectVisibility, models.Model):
    """One move of a project from a stage to another: the full history, with who and why."""

    # PRIVATE: staff only; left out of everything a member receives (portal, API, their own GDPR export).
    PRIVATE_FIELDS = ("reason",)

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("de"), max_length=12, choices=InnovationProject.Stage.choices, blank=True)
    to_stage = models.CharField(_("vers"), max_length=12, choices=InnovationProject.Stage.choices)
    at = models.DateTimeField(_("le"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("par"),
    )
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("changement d'étape")
        verbose_name_plural = _("changements d'étape")
        ordering = ["project", "at", "pk"]
        indexes = [models.Index(fields=["to_stage", "at"])]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage or '—'} → {self.to_stage}"


class GateChecklistItem(StaffWorkflow, models.Model):
    """An item to check before a project leaves ``stage`` (its gate); mandatory items block the move."""

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="checklist")
    stage = models.CharField(_("étape"), max_length=12, choices=InnovationProject.Stage.choices)
    label = models.CharField(_("élément"), max_length=255)
    mandatory = models.BooleanField(_("obligatoire"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    done = models.BooleanField(_("fait"), default=False)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("élément de la grille de passage")
        verbose_name_plural = _("éléments de la grille de passage")
        ordering = ["project", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class ProjectDocument(FollowsProjectVisibility, models.Model):
    """A document of a project (application, agreement, report); readable by whoever sees the project."""

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=255)
    file = models.FileField(_("fichier"), upload_to="innovation/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document du projet")
        verbose_name_plural = _("documents du projet")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class SupportAction(StaffWorkflow, models.Model):
    """Time the cluster spent supporting a project or an organisation's innovation."""

    class Kind(models.TextChoices):
        COACHING = "coaching", _("séance de coaching")
        EXPERT_REFERRAL = "expert_referral", _("orientation vers un expert")
        PARTNER_SEARCH = "partner_search", _("recherche de partenaires")
        FUNDING_SEARCH = "funding_search", _("recherche de financement")
        PITCH = "pitch", _("préparation d'un pitch")
        VALORISATION = "valorisation", _("aide à la valorisation")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=2)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="innovation_support_actions",
        verbose_name=_("membre de l'équipe"),
    )
    project = models.ForeignKey(
        InnovationProject,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="support_actions",
        verbose_name=_("projet"),
    )
    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="innovation_support_actions",
        verbose_name=_("organisation"),
    )
    summary = models.CharField(_("objet"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("action d'accompagnement")
        verbose_name_plural = _("actions d'accompagnement")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(organisation__isnull=False),
                name="%(app_label)s_%(class)s_has_target",
                violation_error_message=_("Indiquez le projet ou l'organisation accompagnée."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=200),
                name="%(app_label)s_%(class)s_hours_range",
                violation_error_message=_("Les heures doivent être comprises entre 0 et 200."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.date}"

    def clean(self) -> None:
        errors: dict = {}
        if self.project_id is None and self.organisation_id is None:
            errors["project"] = _("Indiquez le projet ou l'organisation accompagnée.")
        if self.hours is not None and not (Decimal("0") < self.hours <= Decimal("200")):
            errors["hours"] = _("Les heures doivent être comprises entre 0 et 200.")
        if errors:
            raise ValidationError(errors)


class Outcome(FollowsProjectVisibility, models.Model):
    """A valorised result of a project: a product or service launched, a pilot, a patent."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("produit mis sur le marché")
        SERVICE = "service", _("service lancé")
        PILOT = "pilot", _("projet pilote")
        PATENT = "patent", _("brevet")
        OTHER = "other", _("autre résultat")

    # Kinds that count as "a product or service valorised".
    MARKET_KINDS = (Kind.PRODUCT, Kind.SERVICE)

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    date = models.DateField(_("date"))
    jobs_created = models.PositiveIntegerField(_("emplois créés"), default=0)
    turnover_expected = models.DecimalField(
        _("chiffre d'affaires attendu (€/an)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("résultat valorisé")
        verbose_name_plural = _("résultats valorisés")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(turnover_expected__isnull=True) | Q(turnover_expected__gte=0),
                name="%(app_label)s_%(class)s_turnover_not_negative",
                violation_error_message=_("Le chiffre d'affaires attendu ne peut pas être négatif."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StoryDraft(StaffWorkflow, models.Model):
    """A success-story draft written from a project, for the public site.

    The showcase app owns published stories; until it takes a draft over (``taken_over_at``), the
    draft lives here. Nothing in it is public before staff publish it through the showcase.
    """

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="story_drafts")
    title = models.CharField(_("titre"), max_length=255)
    lead = models.TextField(_("chapeau"), blank=True)
    body = models.TextField(_("texte"))
    organisation_ids = models.JSONField(_("organisations citées"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    taken_over_at = models.DateTimeField(_("repris par la vitrine le"), null=True, blank=True)

    class Meta:
        verbose_name = _("brouillon de récit de réussite")
        verbose_name_plural = _("brouillons de récits de réussite")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class DeadlineReminder(StaffWorkflow, models.Model):
    """A deadline reminder sent to a project's owner for a call: one per (project, call, closing date)."""

    project = models.ForeignKey(InnovationProject, on_delete=models.CASCADE, related_name="deadline_reminders")
    call = models.ForeignKey(FundingCall, on_delete=models.CASCADE, related_name="+")
    closes_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "call", "closes_on"], name="%(app_label)s_%(class)s_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.call_id}/{self.closes_on}"
