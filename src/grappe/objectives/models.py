"""The objectives contract: objectives per mission, indicators, yearly targets, manual values, archived reports.

A Walloon cluster commits to the Region through an objectives contract for a recognition period
(four years by default). Each objective belongs to a mission (1-4) or to governance; each indicator
is either computed from the data by a registered computation (``grappe.objectives.computations``)
or entered by hand with its evidence.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mission(models.TextChoices):
    """The four missions of a Walloon cluster, plus its governance."""

    M1 = "1", _("Mission 1 — animer et structurer l'écosystème")
    M2 = "2", _("Mission 2 — favoriser les collaborations")
    M3 = "3", _("Mission 3 — promouvoir le cluster et ses membres")
    M4 = "4", _("Mission 4 — accompagner l'innovation")
    GOVERNANCE = "G", _("Gouvernance")


class ObjectivesContract(models.Model):
    """The cluster's commitments to the Region for one recognition period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("en préparation")
        ACTIVE = "active", _("en cours")
        CLOSED = "closed", _("clôturé")

    title = models.CharField(_("intitulé"), max_length=200)
    start_year = models.PositiveSmallIntegerField(
        _("première année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    years = models.PositiveSmallIntegerField(
        _("nombre d'années"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Durée de la période de reconnaissance (quatre ans en général)."),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(_("remarques"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("contrat d'objectifs")
        verbose_name_plural = _("contrats d'objectifs")
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(years__gte=1) & Q(years__lte=10),
                name="%(app_label)s_%(class)s_years_range",
                violation_error_message=_("Un contrat dure entre 1 et 10 ans."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_year}-{self.end_year})"

    @property
    def end_year(self) -> int:
        return self.start_year + self.years - 1

    @property
    def year_list(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def covers(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class Objective(models.Model):
    """An objective of the contract, attached to one mission or to governance."""

    contract = models.ForeignKey(ObjectivesContract, on_delete=models.CASCADE, related_name="objectives")
    mission = models.CharField(_("mission"), max_length=1, choices=Mission.choices)
    code = models.CharField(_("code"), max_length=20, help_text=_("Par exemple « M1.1 »."))
    title = models.CharField(_("intitulé"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["mission", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("Ce contrat a déjà un objectif portant ce code."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Indicator(models.Model):
    """A KPI of the contract: computed from the data, or entered by hand with evidence."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("calculé")
        MANUAL = "manual", _("saisi à la main")

    class Direction(models.TextChoices):
        HIGHER = "higher_is_better", _("plus c'est haut, mieux c'est")
        LOWER = "lower_is_better", _("plus c'est bas, mieux c'est")

    class Aggregation(models.TextChoices):
        """How quarterly manual values make a yearly value when no yearly value was entered."""

        SUM = "sum", _("somme des trimestres")
        LAST = "last", _("dernier trimestre connu")

    contract = models.ForeignKey(ObjectivesContract, on_delete=models.CASCADE, related_name="indicators")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("libellé"), max_length=255)
    definition = models.TextField(_("définition"), blank=True)
    mission = models.CharField(_("mission"), max_length=1, choices=Mission.choices)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.COMPUTED)
    computation_key = models.CharField(
        _("calcul"),
        max_length=100,
        blank=True,
        help_text=_("Nom du calcul enregistré, par exemple « ecosystem.members_at_year_end »."),
    )
    evidence_required = models.BooleanField(
        _("preuve obligatoire"), default=True, help_text=_("Pour un indicateur saisi : exiger un fichier ou un lien.")
    )
    direction = models.CharField(_("sens"), max_length=20, choices=Direction.choices, default=Direction.HIGHER)
    on_track_ratio = models.DecimalField(
        _("seuil « en bonne voie » (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text=_("En bonne voie si la valeur atteint ce pourcentage de la cible au prorata de l'année écoulée."),
    )
    aggregation = models.CharField(
        _("agrégation des trimestres"), max_length=5, choices=Aggregation.choices, default=Aggregation.SUM
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["mission", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message=_("Ce contrat a déjà un indicateur portant ce code."),
            ),
            models.CheckConstraint(
                condition=Q(kind="manual") | ~Q(computation_key=""),
                name="%(app_label)s_%(class)s_computed_has_key",
                violation_error_message=_("Un indicateur calculé doit désigner un calcul."),
            ),
            models.CheckConstraint(
                condition=Q(on_track_ratio__gte=1) & Q(on_track_ratio__lte=100),
                name="%(app_label)s_%(class)s_ratio_range",
                violation_error_message=_("Le seuil « en bonne voie » est un pourcentage entre 1 et 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"

    def clean(self) -> None:
        from grappe.objectives.computations import registry

        errors: dict[str, str] = {}
        if self.objective_id and self.contract_id and self.objective.contract_id != self.contract_id:
            errors["objective"] = _("L'objectif appartient à un autre contrat.")
        if self.kind == self.Kind.COMPUTED:
            if not self.computation_key:
                errors["computation_key"] = _("Un indicateur calculé doit désigner un calcul.")
            elif self.computation_key not in registry():
                errors["computation_key"] = _("Aucun calcul n'est enregistré sous le nom « %(key)s ».") % {
                    "key": self.computation_key
                }
        if errors:
            raise ValidationError(errors)

    @property
    def is_computed(self) -> bool:
        return self.kind == self.Kind.COMPUTED


class Target(models.Model):
    """The value an indicator should reach in one year of the contract."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("année"))
    value = models.DecimalField(_("cible"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("cible")
        verbose_name_plural = _("cibles")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("Cet indicateur a déjà une cible pour cette année."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"

    def clean(self) -> None:
        if self.indicator_id and self.year and not self.indicator.contract.covers(self.year):
            raise ValidationError(
                {
                    "year": _("L'année %(year)s est hors du contrat (%(start)s-%(end)s).")
                    % {
                        "year": self.year,
                        "start": self.indicator.contract.start_year,
                        "end": self.indicator.contract.end_year,
                    }
                }
            )


def evidence_path(instance: "Measurement", filename: str) -> str:
    return f"objectives/evidence/{instance.indicator.contract_id}/{instance.indicator.code}/{filename}"


class Measurement(models.Model):
    """A value entered by hand for a year or a quarter, with the evidence that supports it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    year = models.PositiveSmallIntegerField(_("année"))
    quarter = models.PositiveSmallIntegerField(
        _("trimestre"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Laisser vide pour une valeur annuelle."),
    )
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2)
    evidence_file = models.FileField(_("preuve (fichier)"), upload_to=evidence_path, blank=True)
    evidence_link = models.URLField(_("preuve (lien)"), max_length=500, blank=True)
    note = models.TextField(_("remarque"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    entered_at = models.DateTimeField(_("saisi le"), default=timezone.now)

    class Meta:
        verbose_name = _("valeur saisie")
        verbose_name_plural = _("valeurs saisies")
        ordering = ["indicator", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(quarter__isnull=True),
                name="%(app_label)s_%(class)s_unique_year",
                violation_error_message=_("Une valeur annuelle existe déjà pour cet indicateur et cette année."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="%(app_label)s_%(class)s_unique_quarter",
                violation_error_message=_("Une valeur existe déjà pour cet indicateur et ce trimestre."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | (Q(quarter__gte=1) & Q(quarter__lte=4)),
                name="%(app_label)s_%(class)s_quarter_range",
                violation_error_message=_("Le trimestre est compris entre 1 et 4."),
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.year}" + (f" T{self.quarter}" if self.quarter else "")
        return f"{self.indicator.code} {period}: {self.value}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.indicator_id:
            indicator = self.indicator
            if indicator.kind != Indicator.Kind.MANUAL:
                errors["indicator"] = _("Cet indicateur est calculé : il ne se saisit pas à la main.")
            if self.year and not indicator.contract.covers(self.year):
                errors["year"] = _("L'année %(year)s est hors du contrat (%(start)s-%(end)s).") % {
                    "year": self.year,
                    "start": indicator.contract.start_year,
                    "end": indicator.contract.end_year,
                }
            if indicator.evidence_required and not self.evidence_file and not self.evidence_link:
                errors["evidence_file"] = _("Cet indicateur exige une preuve : joignez un fichier ou indiquez un lien.")
        if errors:
            raise ValidationError(errors)

    @property
    def period_label(self) -> str:
        return f"{self.year}" + (f" T{self.quarter}" if self.quarter else "")


def report_path(instance: "ReportArchive", filename: str) -> str:
    return f"objectives/reports/{instance.contract_id}/{instance.year}/{filename}"


class ReportArchive(models.Model):
    """A report as it was sent: its numbers (JSON) and files, computed as of a snapshot date."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("rapport annuel")
        MID_TERM = "mid_term", _("évaluation à mi-parcours")
        ECCP = "eccp", _("profil ECCP")
        ESCA = "esca", _("fiche de benchmarking ESCA")

    contract = models.ForeignKey(ObjectivesContract, on_delete=models.CASCADE, related_name="archives")
    year = models.PositiveSmallIntegerField(_("année"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    snapshot_date = models.DateField(_("données arrêtées au"))
    language = models.CharField(_("langue"), max_length=2, choices=settings.LANGUAGES, default="fr")
    numbers = models.JSONField(_("chiffres"), default=dict)
    pdf_file = models.FileField(_("fichier PDF"), upload_to=report_path, blank=True)
    xlsx_file = models.FileField(_("fichier XLSX"), upload_to=report_path, blank=True)
    generated_at = models.DateTimeField(_("produit le"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("produit par"),
    )

    class Meta:
        verbose_name = _("rapport archivé")
        verbose_name_plural = _("rapports archivés")
        ordering = ["-generated_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.snapshot_date})"

    def clean(self) -> None:
        if self.contract_id and self.year and not self.contract.covers(self.year):
            raise ValidationError(
                {
                    "year": _("L'année %(year)s est hors du contrat (%(start)s-%(end)s).")
                    % {"year": self.year, "start": self.contract.start_year, "end": self.contract.end_year}
                }
            )
