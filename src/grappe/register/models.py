"""The register universe: KBO/BCE entities with an address in the cluster's territory.

Filled only by the importer (``grappe kbo import``), read-only elsewhere, never mixed with
``ecosystem.Organisation`` (which links to an ``Enterprise`` by its number).

Built for national scale (about 600 000 enterprises and 10 million activity rows in Wallonia):

- numbers are integer keys: an enterprise number ``0200.065.765`` is stored as ``200065765``,
  an establishment number ``2.000.000.339`` as ``2000000339``; ``numbers.py`` formats them back;
- every row carries ``enterprise_id`` (its owning enterprise), so a query by NACE code, postal
  code or name finds enterprises without joining through establishments;
- no database foreign keys between register tables (``db_constraint=False``): the importer swaps
  whole tables and keeps them consistent itself;
- free text is ``TextField``: the importer never trusts the field lengths of the cookbook.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grappe.register.numbers import format_entity_number


class Enterprise(models.Model):
    """A registered entity (legal or natural person) whose seat or an establishment is in the territory."""

    class Type(models.TextChoices):
        UNKNOWN = "0", _("inconnu")
        NATURAL_PERSON = "1", _("personne physique")
        LEGAL_PERSON = "2", _("personne morale")

    number = models.BigIntegerField(_("numéro d'entreprise"), primary_key=True)
    status = models.TextField(_("statut"), default="AC")
    juridical_situation = models.TextField(_("situation juridique"), blank=True)
    type_of_enterprise = models.TextField(_("type d'entité"), choices=Type.choices, blank=True)
    juridical_form = models.TextField(_("forme juridique"), blank=True)
    juridical_form_cac = models.TextField(_("forme juridique (CSA)"), blank=True)
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    # Derived by the importer: preferred name, and where the enterprise sits in the territory
    # (seat if it is in the territory, else its first establishment there).
    name = models.TextField(_("dénomination"), blank=True)
    zipcode = models.TextField(_("code postal"), blank=True)
    province = models.TextField(_("province (code INS)"), blank=True)
    partial = models.BooleanField(
        _("données partielles"),
        default=False,
        help_text=_("Entrée dans le territoire par un extrait de mise à jour qui ne contenait pas toutes ses données."),
    )

    class Meta:
        verbose_name = _("entreprise (BCE)")
        verbose_name_plural = _("entreprises (BCE)")
        indexes = [
            models.Index(fields=["zipcode"], name="register_ent_zipcode"),
            models.Index(fields=["province"], name="register_ent_province"),
            models.Index(fields=["start_date"], name="register_ent_start"),
            models.Index(fields=["juridical_form"], name="register_ent_form"),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} {self.name}".strip()

    @property
    def display_number(self) -> str:
        return format_entity_number(self.number)

    @property
    def compact_number(self) -> str:
        """The 10-digit form used by ``Organisation.enterprise_number``."""
        return f"{self.number:010d}"


class Establishment(models.Model):
    """An establishment unit (a site) of an enterprise of the universe, wherever it is."""

    number = models.BigIntegerField(_("numéro d'unité d'établissement"), primary_key=True)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="establishments",
        verbose_name=_("entreprise"),
    )
    start_date = models.DateField(_("date de début"), null=True, blank=True)

    class Meta:
        verbose_name = _("unité d'établissement")
        verbose_name_plural = _("unités d'établissement")

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return format_entity_number(self.number)


class Branch(models.Model):
    """A Belgian branch office of a (foreign) enterprise; its id is not an official number."""

    id = models.BigIntegerField(_("identifiant"), primary_key=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.DO_NOTHING, db_constraint=False, related_name="branches"
    )
    start_date = models.DateField(_("date de début"), null=True, blank=True)

    class Meta:
        verbose_name = _("succursale")
        verbose_name_plural = _("succursales")

    def __str__(self) -> str:
        return format_entity_number(self.id)


class EntityRow(models.Model):
    """A row that belongs to an entity (enterprise, establishment or branch) of the universe."""

    entity_number = models.BigIntegerField(_("numéro d'entité"))
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("entreprise")
    )

    class Meta:
        abstract = True

    @property
    def display_entity_number(self) -> str:
        return format_entity_number(self.entity_number)


class Denomination(EntityRow):
    """A name of an entity, in one language and of one type (name, abbreviation, commercial name...)."""

    class Type(models.TextChoices):
        NAME = "001", _("dénomination")
        ABBREVIATION = "002", _("abréviation")
        COMMERCIAL = "003", _("dénomination commerciale")
        BRANCH = "004", _("dénomination de la succursale")

    class Language(models.TextChoices):
        UNKNOWN = "0", _("inconnue")
        FR = "1", _("français")
        NL = "2", _("néerlandais")
        DE = "3", _("allemand")
        EN = "4", _("anglais")

    language = models.TextField(_("langue"), choices=Language.choices)
    type = models.TextField(_("type"), choices=Type.choices)
    value = models.TextField(_("dénomination"))

    class Meta:
        verbose_name = _("dénomination")
        verbose_name_plural = _("dénominations")
        indexes = [
            models.Index(fields=["entity_number"], name="register_den_entity"),
        ]

    def __str__(self) -> str:
        return self.value


class Address(EntityRow):
    """An address of an entity: seat (REGO), establishment (BAET) or branch (ABBR)."""

    class Type(models.TextChoices):
        SEAT = "REGO", _("siège")
        ESTABLISHMENT = "BAET", _("unité d'établissement")
        BRANCH = "ABBR", _("succursale")
        OTHER = "OBAD", _("autre adresse")

    type = models.TextField(_("type"), choices=Type.choices)
    country_nl = models.TextField(_("pays (nl)"), blank=True)
    country_fr = models.TextField(_("pays (fr)"), blank=True)
    zipcode = models.TextField(_("code postal"), blank=True)
    municipality_nl = models.TextField(_("commune (nl)"), blank=True)
    municipality_fr = models.TextField(_("commune (fr)"), blank=True)
    street_nl = models.TextField(_("rue (nl)"), blank=True)
    street_fr = models.TextField(_("rue (fr)"), blank=True)
    house_number = models.TextField(_("numéro"), blank=True)
    box = models.TextField(_("boîte"), blank=True)
    extra = models.TextField(_("complément d'adresse"), blank=True)
    struck_off_on = models.DateField(_("radiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("adresse")
        verbose_name_plural = _("adresses")
        indexes = [
            models.Index(fields=["entity_number"], name="register_adr_entity"),
            models.Index(fields=["zipcode"], name="register_adr_zipcode"),
        ]

    def __str__(self) -> str:
        street = self.street_fr or self.street_nl
        municipality = self.municipality_fr or self.municipality_nl
        return " ".join(p for p in (street, self.house_number, self.zipcode, municipality) if p)


class Contact(EntityRow):
    """A public contact detail of an entity: telephone, e-mail or web address."""

    entity_contact = models.TextField(_("niveau"))
    contact_type = models.TextField(_("type"))
    value = models.TextField(_("valeur"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["entity_number"], name="register_con_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_type} {self.value}"


class Activity(EntityRow):
    """A NACE-BEL activity of an entity, in one NACE version, group and classification."""

    class Classification(models.TextChoices):
        MAIN = "MAIN", _("principale")
        SECONDARY = "SECO", _("secondaire")
        AUXILIARY = "ANCI", _("auxiliaire")

    activity_group = models.TextField(_("groupe d'activités"))
    nace_version = models.PositiveSmallIntegerField(_("version NACE"))
    nace_code = models.TextField(_("code NACE"))
    classification = models.TextField(_("classification"), choices=Classification.choices)

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        indexes = [
            models.Index(fields=["entity_number"], name="register_act_entity"),
            # Covers "enterprises with a (MAIN) activity under this NACE prefix" without touching the
            # table (insights: representativeness, prospects); a query on every classification lists
            # the three values (``selectors.activity_filter``): one index instead of two, the costliest
            # of a full import to build.
            models.Index(
                fields=["nace_version", "classification", "nace_code", "enterprise"], name="register_act_nace_class"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nace_version} {self.nace_code} {self.classification}"


class ImportRun(models.Model):
    """One import of a KBO extract; the last successful one tells which extract the register reflects."""

    class Kind(models.TextChoices):
        FULL = "full", _("complet")
        UPDATE = "update", _("mise à jour")

    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")
        RUNNING = "running", _("en cours")
        SUCCEEDED = "succeeded", _("réussi")
        FAILED = "failed", _("échoué")

    extract_number = models.PositiveIntegerField(_("numéro d'extrait"), null=True, blank=True)
    snapshot_date = models.DateField(_("date de l'instantané"), null=True, blank=True)
    extract_timestamp = models.TextField(_("horodatage de l'extrait"), blank=True)
    kind = models.TextField(_("type"), choices=Kind.choices, blank=True)
    source = models.TextField(_("source"), blank=True)
    forced = models.BooleanField(_("forcé"), default=False)
    status = models.TextField(_("statut"), choices=Status.choices, default=Status.QUEUED)
    progress = models.TextField(_("avancement"), blank=True)
    # Rows read so far per file, written every few thousand rows by background imports (progress page).
    rows_read = models.JSONField(_("lignes lues par fichier"), default=dict, blank=True)
    started_at = models.DateTimeField(_("début"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    counts = models.JSONField(_("comptages"), default=dict, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    requested_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    # The background task running the import and its attempt (``imports.run_request``): a run left
    # "running" by a worker killed mid-import is recognised by them and restarted or failed.
    task_id = models.CharField(_("tâche"), max_length=64, blank=True)
    attempt = models.PositiveSmallIntegerField(_("essai"), default=0)

    class Meta:
        verbose_name = _("import BCE")
        verbose_name_plural = _("imports BCE")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "extract_number"], name="register_run_status")]
        constraints = [
            # Never two imports at once: at most one run is "running".
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="register_run_one_running"
            )
        ]

    def __str__(self) -> str:
        return f"{self.extract_number} {self.kind} {self.status}"


class RegisterLink(models.Model):
    """The review state of a pairing between a curated organisation and a register enterprise.

    The link itself is the organisation's ``enterprise_number`` (the register tables are replaced by
    imports, so no foreign key points into them); this row remembers who confirmed it, and the
    candidate matches proposed for organisations without a number, including rejected ones so they
    are not proposed again.
    """

    class Status(models.TextChoices):
        LINKED = "linked", _("liée")
        CANDIDATE = "candidate", _("candidate")
        REJECTED = "rejected", _("rejetée")

    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        on_delete=models.CASCADE,
        related_name="register_links",
        verbose_name=_("organisation"),
    )
    enterprise_number = models.BigIntegerField(_("numéro d'entreprise"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    score = models.FloatField(_("score"), default=0)
    matched_name = models.TextField(_("dénomination comparée"), blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("revu par")
    )
    reviewed_at = models.DateTimeField(_("revu le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lien avec le registre")
        verbose_name_plural = _("liens avec le registre")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "enterprise_number"], name="%(app_label)s_%(class)s_unique_pair"
            )
        ]
        indexes = [models.Index(fields=["status", "-score"], name="register_link_status")]

    def __str__(self) -> str:
        return f"{self.organisation_id} ~ {format_entity_number(self.enterprise_number)} ({self.status})"

    @property
    def display_number(self) -> str:
        return format_entity_number(self.enterprise_number)


class RegisterChange(models.Model):
    """What an update extract changed for a linked organisation or member, or a new enterprise in the perimeter."""

    class Kind(models.TextChoices):
        NEW_ESTABLISHMENT = "new_establishment", _("nouvelle unité d'établissement")
        CLOSED_ESTABLISHMENT = "closed_establishment", _("unité d'établissement fermée")
        ESTABLISHMENT_MOVED = "establishment_moved", _("unité d'établissement déménagée")
        SEAT_MOVED = "seat_moved", _("siège déménagé")
        NAME_CHANGED = "name_changed", _("changement de dénomination")
        STOPPED = "stopped", _("entreprise arrêtée ou radiée")
        NEW_IN_PERIMETER = "new_in_perimeter", _("nouvelle entreprise dans le périmètre")

    run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.CASCADE, related_name="changes", verbose_name=_("import")
    )
    extract_number = models.PositiveIntegerField(_("numéro d'extrait"))
    snapshot_date = models.DateField(_("date de l'instantané"), null=True, blank=True)
    enterprise_number = models.BigIntegerField(_("numéro d'entreprise"))
    name = models.TextField(_("dénomination"), blank=True)
    kind = models.CharField(_("type de changement"), max_length=24, choices=Kind.choices)
    details = models.JSONField(_("détails"), default=dict, blank=True)
    leaves_region = models.BooleanField(_("quitte la Wallonie"), default=False)
    organisation = models.ForeignKey(
        "ecosystem.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="register_changes",
        verbose_name=_("organisation liée"),
    )
    was_member = models.BooleanField(_("membre à cette date"), default=False)
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("changement du registre")
        verbose_name_plural = _("changements du registre")
        ordering = ["-extract_number", "kind", "enterprise_number", "id"]
        indexes = [
            models.Index(fields=["extract_number", "kind"], name="register_change_extract"),
            models.Index(fields=["kind"], name="register_change_kind"),
            models.Index(fields=["enterprise_number"], name="register_change_number"),
        ]

    def __str__(self) -> str:
        return f"{self.extract_number} {self.kind} {format_entity_number(self.enterprise_number)}"

    @property
    def display_number(self) -> str:
        return format_entity_number(self.enterprise_number)
