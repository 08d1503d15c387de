"""The ecosystem: organisations of the cluster's value chains, their people and memberships."""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from grappe.ecosystem.numbers import format_enterprise_number


class ValueChain(models.Model):
    """A value chain ("filière") of the cluster, made of ordered segments."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("chaîne de valeur")
        verbose_name_plural = _("chaînes de valeur")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Segment(models.Model):
    """A segment of a value chain; it may list the NACE codes (any level, any version) that define it."""

    value_chain = models.ForeignKey(ValueChain, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    nace_codes = models.ManyToManyField(
        "referential.NaceCode", blank=True, related_name="segments", verbose_name=_("codes NACE")
    )
    competences = models.ManyToManyField(
        "ecosystem.Competence", blank=True, related_name="segments", verbose_name=_("compétences")
    )

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["value_chain__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["value_chain", "slug"], name="%(app_label)s_%(class)s_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.value_chain} — {self.name}"


class Competence(models.Model):
    """A capability or technology an organisation offers; competences form a tree."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("parent")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """A subject of interest (watch topics, people's interests)."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An actor of the ecosystem: company, research centre, university, public body, investor..."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("entreprise")
        STARTUP = "startup", _("start-up")
        RESEARCH_CENTRE = "research_centre", _("centre de recherche")
        UNIVERSITY = "university", _("université / haute école")
        TRAINING_CENTRE = "training_centre", _("centre de formation")
        PUBLIC_BODY = "public_body", _("organisme public")
        AGENCY = "agency", _("agence de développement économique")
        INVESTOR = "investor", _("investisseur")
        POLE = "pole", _("pôle de compétitivité")
        CLUSTER = "cluster", _("cluster")
        ASSOCIATION = "association", _("association")
        OTHER = "other", _("autre")

    class HeadcountBand(models.TextChoices):
        """Employee bands as in the National Social Security Office statistics."""

        B0 = "0", _("0 salarié")
        B1_4 = "1-4", _("1 à 4")
        B5_9 = "5-9", _("5 à 9")
        B10_19 = "10-19", _("10 à 19")
        B20_49 = "20-49", _("20 à 49")
        B50_99 = "50-99", _("50 à 99")
        B100_199 = "100-199", _("100 à 199")
        B200_249 = "200-249", _("200 à 249")
        B250_499 = "250-499", _("250 à 499")
        B500_999 = "500-999", _("500 à 999")
        B1000 = "1000+", _("1000 et plus")

    class TurnoverBand(models.TextChoices):
        LT_2M = "lt2m", _("moins de 2 M€")
        LT_10M = "lt10m", _("2 à 10 M€")
        LT_50M = "lt50m", _("10 à 50 M€")
        GE_50M = "ge50m", _("50 M€ et plus")

    class SmeStatus(models.TextChoices):
        """Size class by the EU SME definition (Recommendation 2003/361/EC)."""

        MICRO = "micro", _("micro-entreprise")
        SMALL = "small", _("petite entreprise")
        MEDIUM = "medium", _("moyenne entreprise")
        LARGE = "large", _("grande entreprise")
        UNKNOWN = "unknown", _("inconnu")

    class Source(models.TextChoices):
        MANUAL = "manual", _("saisie manuelle")
        IMPORT = "import", _("import de fichier")
        REGISTER = "register", _("registre BCE")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("nom"), max_length=255)
    acronym = models.CharField(_("sigle"), max_length=60, blank=True)
    other_names = models.JSONField(_("autres noms"), default=list, blank=True)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    enterprise_number = models.CharField(
        _("numéro d'entreprise (BCE)"),
        max_length=10,
        null=True,
        blank=True,
        help_text=_("Numéro BCE, par exemple 0403.019.261."),
    )
    legal_form = models.CharField(_("forme juridique"), max_length=10, blank=True)
    founded_on = models.DateField(_("date de création"), null=True, blank=True)
    headcount_band = models.CharField(_("effectif"), max_length=10, choices=HeadcountBand.choices, blank=True)
    turnover_band = models.CharField(_("chiffre d'affaires"), max_length=10, choices=TurnoverBand.choices, blank=True)
    sme_status = models.CharField(
        _("statut PME (définition UE)"), max_length=10, choices=SmeStatus.choices, default=SmeStatus.UNKNOWN
    )
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail général"), blank=True)
    phone = models.CharField(_("téléphone général"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    segments = models.ManyToManyField(Segment, blank=True, related_name="organisations", verbose_name=_("segments"))
    competences = models.ManyToManyField(
        Competence, blank=True, related_name="organisations", verbose_name=_("compétences")
    )
    export_markets = CountryField(_("marchés d'exportation"), multiple=True, blank=True)
    transition_digital = models.BooleanField(_("transition numérique"), default=False)
    transition_environmental = models.BooleanField(_("transition environnementale"), default=False)
    transition_economic = models.BooleanField(_("transition économique"), default=False)
    public_profile_consent = models.BooleanField(_("consent à un profil public"), default=False)
    public_profile_consent_at = models.DateTimeField(_("date du consentement"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    internal_notes = models.TextField(_("notes internes"), blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_number"],
                condition=Q(enterprise_number__isnull=False),
                name="%(app_label)s_%(class)s_unique_enterprise_number",
                violation_error_message=_("Une organisation porte déjà ce numéro d'entreprise."),
            ),
        ]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def enterprise_number_display(self) -> str:
        return format_enterprise_number(self.enterprise_number) if self.enterprise_number else ""

    @property
    def head_office(self) -> "Site | None":
        sites = list(self.sites.all())
        return next((s for s in sites if s.is_head_office), sites[0] if sites else None)

    @property
    def transition_tags(self) -> list[str]:
        tags = []
        if self.transition_digital:
            tags.append("digital")
        if self.transition_environmental:
            tags.append("environmental")
        if self.transition_economic:
            tags.append("economic")
        return tags


class Activity(models.Model):
    """A NACE-BEL activity of an organisation (main or secondary)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="activities")
    nace = models.ForeignKey(
        "referential.NaceCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("code NACE")
    )
    is_main = models.BooleanField(_("activité principale"), default=False)

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["-is_main", "nace__code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "nace"], name="%(app_label)s_%(class)s_unique_nace"),
        ]

    def __str__(self) -> str:
        return str(self.nace)


class Site(models.Model):
    """A place where an organisation operates, with its address resolved to the territory."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    label = models.CharField(_("nom du site"), max_length=120, blank=True)
    street = models.CharField(_("rue"), max_length=200, blank=True)
    number = models.CharField(_("numéro"), max_length=20, blank=True)
    box = models.CharField(_("boîte"), max_length=20, blank=True)
    postal_code = models.ForeignKey(
        "referential.PostalCode", on_delete=models.PROTECT, related_name="+", verbose_name=_("code postal")
    )
    municipality = models.ForeignKey(
        "referential.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    is_head_office = models.BooleanField(_("siège"), default=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["-is_head_office", "id"]

    def __str__(self) -> str:
        return f"{self.street} {self.number}, {self.postal_code.code} {self.municipality}".strip()

    def save(self, *args, **kwargs) -> None:
        # The municipality always follows the postal code; coordinates default to the locality's.
        if self.postal_code_id and not self.municipality_id:
            self.municipality_id = self.postal_code.municipality_id
        super().save(*args, **kwargs)


class Person(models.Model):
    """A person of the ecosystem; employers are recorded as affiliations, with history."""

    first_name = models.CharField(_("prénom"), max_length=120)
    last_name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("e-mail personnel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    languages = models.JSONField(_("langues"), default=list, blank=True)
    interests = models.ManyToManyField(Topic, blank=True, related_name="people", verbose_name=_("centres d'intérêt"))
    notes = models.TextField(_("notes internes"), blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    erased_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)


class Consent(models.Model):
    """A person's consent for one purpose: when and how it was given, and its withdrawal."""

    class Purpose(models.TextChoices):
        NEWSLETTER = "newsletter", _("lettre d'information")
        WATCH_DIGEST = "watch_digest", _("bulletins de veille")
        EVENTS = "events", _("invitations aux événements")
        PUBLIC_PROFILE = "public_profile", _("apparaître sur le site public")
        PHOTOS = "photos", _("photos et vidéos des événements")
        CONTACT_SHARING = "contact_sharing", _("partage des coordonnées avec les membres")

    class Source(models.TextChoices):
        FORM = "form", _("formulaire")
        EMAIL = "email", _("e-mail")
        PAPER = "paper", _("papier")
        EVENT = "event", _("inscription à un événement")
        IMPORT = "import", _("import")
        PORTAL = "portal", _("portail membre")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("finalité"), max_length=20, choices=Purpose.choices)
    given_at = models.DateTimeField(_("donné le"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FORM)
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("consentements")
        ordering = ["person", "purpose", "-given_at"]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_purpose_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Affiliation(models.Model):
    """A person's position in an organisation; ``end_date`` closes it and keeps the history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="affiliations")
    function = models.CharField(_("fonction"), max_length=160, blank=True)
    email = models.EmailField(_("e-mail professionnel"), blank=True)
    phone = models.CharField(_("téléphone professionnel"), max_length=40, blank=True)
    is_primary_contact = models.BooleanField(_("contact principal"), default=False)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["end_date", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("La date de fin précède la date de début."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.organisation}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date >= dt.date.today()


class Membership(models.Model):
    """One period of an organisation's membership of the cluster, with its fee."""

    class Tier(models.TextChoices):
        MICRO = "micro", _("TPE (moins de 10 personnes)")
        SME = "sme", _("PME")
        LARGE = "large", _("grande entreprise")
        ACADEMIC = "academic", _("recherche et enseignement")
        PUBLIC = "public", _("organisme public")
        ASSOCIATE = "associate", _("membre associé")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("prospect")
        MEMBER = "member", _("membre")
        LAPSED = "lapsed", _("échue (non renouvelée)")
        RESIGNED = "resigned", _("démission")

    # Statuses that mean the organisation was a member during [start_date, end_date].
    COUNTING_STATUSES = (Status.MEMBER, Status.LAPSED, Status.RESIGNED)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    tier = models.CharField(_("catégorie"), max_length=12, choices=Tier.choices, default=Tier.SME)
    yearly_fee = models.DecimalField(
        _("cotisation annuelle (€)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.MEMBER)
    renewal_date = models.DateField(_("prochain renouvellement"), null=True, blank=True)
    fee_paid_until = models.DateField(_("cotisation payée jusqu'au"), null=True, blank=True)
    notes = models.TextField(_("notes internes"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("La date de fin précède la date de début."),
            ),
            models.CheckConstraint(
                condition=Q(yearly_fee__gte=0),
                name="%(app_label)s_%(class)s_fee_not_negative",
                violation_error_message=_("La cotisation ne peut pas être négative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_status_display()}, {self.start_date:%Y})"

    def covers(self, day: dt.date) -> bool:
        return (
            self.status in self.COUNTING_STATUSES
            and self.start_date <= day
            and (self.end_date is None or self.end_date >= day)
        )


class Relationship(models.Model):
    """A recorded link between two organisations."""

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("fournisseur de")
        CUSTOMER = "customer", _("client de")
        PARTNER = "partner", _("partenaire de")
        SUBSIDIARY = "subsidiary", _("filiale de")
        INVESTOR = "investor", _("investisseur dans")

    source = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="relationships_out")
    target = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="relationships_in")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    since = models.DateField(_("depuis"), null=True, blank=True)
    note = models.CharField(_("remarque"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")),
                name="%(app_label)s_%(class)s_distinct_orgs",
                violation_error_message=_("Une organisation ne peut pas être en relation avec elle-même."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"
