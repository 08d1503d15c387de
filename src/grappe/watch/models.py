"""The watch ("veille"): sources polled for items, items tagged with topics, subscriptions and digests.

Topics are ``ecosystem.Topic``; the watch adds keyword rules (``TopicRule``), a learned classifier and
feed visibility (``TopicProfile``), and the link between items and topics (``ItemTopic``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FR = "fr", _("français")
    NL = "nl", _("néerlandais")
    DE = "de", _("allemand")
    EN = "en", _("anglais")


class Source(models.Model):
    """A feed, calendar or web page the watch polls, with its health."""

    class Kind(models.TextChoices):
        RSS = "rss", _("RSS")
        ATOM = "atom", _("Atom")
        JSONFEED = "jsonfeed", _("JSON Feed")
        ICAL = "ical", _("agenda iCalendar")
        WEBPAGE = "webpage", _("page web (surveillance des changements)")

    class Category(models.TextChoices):
        TECHNOLOGY = "technology", _("technologie")
        REGULATION = "regulation", _("réglementation")
        MARKET = "market", _("marché")
        FUNDING = "funding", _("financement")
        ECOSYSTEM_EVENTS = "ecosystem_events", _("événements de l'écosystème")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("en pause")

    url = models.URLField(_("adresse"), max_length=2000)
    title = models.CharField(_("titre"), max_length=300, blank=True)
    kind = models.CharField(
        _("format"),
        max_length=10,
        choices=Kind.choices,
        blank=True,
        help_text=_("Détecté au premier relevé ; choisissez « page web » pour surveiller une page HTML."),
    )
    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices, default=Category.TECHNOLOGY)
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, blank=True, help_text=_("Vide : détectée par élément.")
    )
    poll_interval_minutes = models.PositiveIntegerField(_("intervalle de relevé (minutes)"), default=360)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="watch_sources",
        verbose_name=_("responsable"),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    auto_paused = models.BooleanField(
        _("mise en pause automatique"), default=False, help_text=_("Mise en pause après trop d'échecs consécutifs.")
    )
    polling_enabled = models.BooleanField(
        _("relevé automatique"), default=True, help_text=_("Décoché : la source n'est jamais relevée (démo, archive).")
    )
    # Health.
    last_polled_at = models.DateTimeField(_("dernier relevé"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("dernier succès"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("dernière erreur"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur (détail)"), blank=True)
    last_warning = models.TextField(
        _("dernier avertissement"), blank=True, help_text=_("Flux mal formé dont les bons éléments ont été gardés.")
    )
    consecutive_failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0)
    next_poll_at = models.DateTimeField(_("prochain relevé"), null=True, blank=True)
    # A worker holds the source until this moment; claimed with one conditional UPDATE.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Conditional GET.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # Web pages: the main text last extracted, to diff the next version against.
    page_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("source de veille")
        verbose_name_plural = _("sources de veille")
        ordering = ["title", "url"]
        indexes = [models.Index(fields=["status", "next_poll_at"], name="watch_source_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(poll_interval_minutes__gte=5),
                name="%(app_label)s_%(class)s_interval_min",
                violation_error_message=_("L'intervalle de relevé est d'au moins 5 minutes."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def is_healthy(self) -> bool:
        return self.consecutive_failures == 0


class Item(models.Model):
    """One entry found in a source: a news item, a calendar event or a change of a watched page."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("article")
        EVENT = "event", _("événement")
        PAGE_CHANGE = "page_change", _("modification de page")

    class Status(models.TextChoices):
        NEW = "new", _("à trier")
        KEPT = "kept", _("retenu")
        DISCARDED = "discarded", _("écarté")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items", verbose_name=_("source"))
    kind = models.CharField(_("nature"), max_length=12, choices=Kind.choices, default=Kind.ENTRY)
    link = models.URLField(_("lien"), max_length=2000, blank=True)
    canonical_url = models.URLField(_("adresse canonique"), max_length=2000, blank=True)
    # sha256 of the canonical URL (or of source + guid when an item has no link): one item per story URL.
    dedup_key = models.CharField(max_length=64, unique=True, editable=False)
    guid = models.CharField(_("identifiant dans la source"), max_length=1000, blank=True)
    title = models.CharField(_("titre"), max_length=1000)
    summary = models.TextField(_("résumé"), blank=True, help_text=_("HTML nettoyé."))
    content = models.TextField(_("contenu"), blank=True, help_text=_("HTML nettoyé."))
    published_at = models.DateTimeField(_("publié le"))
    date_missing = models.BooleanField(
        _("date absente ou illisible"), default=False, help_text=_("La date de publication est celle du relevé.")
    )
    fetched_at = models.DateTimeField(_("relevé le"))
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices, blank=True)
    # MinHash signature of the folded title and summary (64 x uint32), for near-duplicate detection.
    minhash = models.BinaryField(null=True, blank=True, editable=False)
    duplicate_group = models.PositiveBigIntegerField(
        _("groupe de quasi-doublons"),
        null=True,
        blank=True,
        help_text=_("Même histoire publiée par plusieurs sources."),
    )
    # Calendar events.
    event_start = models.DateTimeField(_("début"), null=True, blank=True)
    event_end = models.DateTimeField(_("fin"), null=True, blank=True)
    event_location = models.CharField(_("lieu"), max_length=500, blank=True)
    # Watched pages: a readable unified diff of the main text.
    diff = models.TextField(_("différences"), blank=True)
    # Triage.
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.NEW)
    triaged_at = models.DateTimeField(_("trié le"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trié par"),
    )
    annotation = models.TextField(_("ce que cela signifie pour les membres"), blank=True)
    nace_codes = models.ManyToManyField(
        "referential.NaceCode", blank=True, related_name="watch_items", verbose_name=_("codes NACE concernés")
    )
    segments = models.ManyToManyField(
        "ecosystem.Segment", blank=True, related_name="watch_items", verbose_name=_("segments concernés")
    )
    # Regulatory items.
    effective_date = models.DateField(_("date d'entrée en vigueur"), null=True, blank=True)
    obligations = models.TextField(_("obligations (résumé)"), blank=True)
    affected_segments = models.ManyToManyField(
        "ecosystem.Segment",
        blank=True,
        related_name="watch_regulations",
        verbose_name=_("segments soumis à l'obligation"),
    )
    topics = models.ManyToManyField("ecosystem.Topic", through="ItemTopic", related_name="watch_items")
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("élément de veille")
        verbose_name_plural = _("éléments de veille")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="watch_item_status_pub"),
            models.Index(fields=["status", "triaged_at"], name="watch_item_status_triaged"),
            models.Index(fields=["effective_date"], name="watch_item_effective"),
            models.Index(fields=["duplicate_group"], name="watch_item_dupgroup"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_regulatory(self) -> bool:
        return self.source.category == Source.Category.REGULATION or self.effective_date is not None


class ItemBand(models.Model):
    """One LSH band of an item's MinHash signature: items sharing a band are near-duplicate candidates."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("bande LSH")
        verbose_name_plural = _("bandes LSH")

    def __str__(self) -> str:
        return f"{self.item_id}:{self.key}"


class TopicProfile(models.Model):
    """What the watch adds to an ``ecosystem.Topic``: feed visibility and the learned classifier."""

    topic = models.OneToOneField("ecosystem.Topic", on_delete=models.CASCADE, related_name="watch_profile")
    public_feed = models.BooleanField(
        _("flux public"), default=False, help_text=_("Le flux RSS/Atom de la thématique est lisible sans connexion.")
    )
    suggestion_threshold = models.FloatField(_("seuil de suggestion"), default=0.6)
    classifier = models.BinaryField(null=True, blank=True, editable=False)
    classifier_trained_at = models.DateTimeField(_("modèle appris le"), null=True, blank=True)
    classifier_examples = models.PositiveIntegerField(_("exemples d'apprentissage"), default=0)
    classifier_error = models.CharField(_("apprentissage impossible"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("profil de veille d'une thématique")
        verbose_name_plural = _("profils de veille des thématiques")

    def __str__(self) -> str:
        return str(self.topic)


class TopicRule(models.Model):
    """A keyword expression that tags items with a topic.

    Syntax: words, "quoted phrases", AND / OR / NOT (also ET / OU / SAUF, EN / OF / NIET, UND / ODER /
    NICHT), parentheses; adjacent terms mean AND. Matching ignores case and accents.
    """

    topic = models.ForeignKey("ecosystem.Topic", on_delete=models.CASCADE, related_name="watch_rules")
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, blank=True, help_text=_("Vide : toutes les langues.")
    )
    expression = models.TextField(_("expression"))
    weight = models.FloatField(_("score"), default=1.0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("règle de thématique")
        verbose_name_plural = _("règles de thématique")
        ordering = ["topic", "language", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=1),
                name="%(app_label)s_%(class)s_weight_range",
                violation_error_message=_("Le score d'une règle est compris entre 0 et 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic}: {self.expression}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from grappe.watch.rules import RuleSyntaxError, parse_rule

        try:
            parse_rule(self.expression)
        except RuleSyntaxError as exc:
            raise ValidationError({"expression": str(exc)}) from exc


class ItemTopic(models.Model):
    """An item tagged with a topic, by a rule, the classifier or staff; staff marks train the classifier."""

    class Origin(models.TextChoices):
        RULE = "rule", _("règle")
        CLASSIFIER = "classifier", _("suggestion du modèle")
        MANUAL = "manual", _("manuel")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="item_topics")
    topic = models.ForeignKey("ecosystem.Topic", on_delete=models.CASCADE, related_name="watch_item_topics")
    score = models.FloatField(_("score"), default=1.0)
    origin = models.CharField(_("origine"), max_length=12, choices=Origin.choices)
    relevant = models.BooleanField(_("pertinent"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thématique d'un élément")
        verbose_name_plural = _("thématiques des éléments")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["item", "topic"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1),
                name="%(app_label)s_%(class)s_score_range",
                violation_error_message=_("Le score est compris entre 0 et 1."),
            ),
        ]
        indexes = [models.Index(fields=["topic", "relevant"], name="watch_itemtopic_marks")]

    def __str__(self) -> str:
        return f"{self.item} — {self.topic} ({self.score:.2f})"


class Subscription(models.Model):
    """A person's subscription to a topic's digest."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("quotidien")
        WEEKLY = "weekly", _("hebdomadaire")

    person = models.ForeignKey("ecosystem.Person", on_delete=models.CASCADE, related_name="watch_subscriptions")
    topic = models.ForeignKey("ecosystem.Topic", on_delete=models.CASCADE, related_name="watch_subscriptions")
    language = models.CharField(
        _("langue des éléments"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Vide : éléments dans toutes les langues."),
    )
    frequency = models.CharField(_("fréquence"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        ordering = ["person", "topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "topic"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("Cette personne est déjà abonnée à cette thématique."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.topic}"


class Digest(models.Model):
    """One bulletin sent (or attempted) to one subscriber for one period."""

    class Status(models.TextChoices):
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec d'envoi")

    person = models.ForeignKey(
        "ecosystem.Person", on_delete=models.CASCADE, related_name="watch_digests", verbose_name=_("abonné")
    )
    email = models.EmailField(_("adresse"))
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices)
    period_start = models.DateTimeField(_("début de période"))
    period_end = models.DateTimeField(_("fin de période"))
    items = models.ManyToManyField(Item, related_name="digests", verbose_name=_("éléments"))
    subject = models.CharField(_("objet"), max_length=300)
    html = models.TextField(_("version HTML"))
    text = models.TextField(_("version texte"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.SENT)
    error = models.TextField(_("erreur"), blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-period_end"]
        indexes = [models.Index(fields=["status", "sent_at"], name="watch_digest_sent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="%(app_label)s_%(class)s_period_order",
                violation_error_message=_("La fin de période précède son début."),
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class FetchLog(models.Model):
    """One poll of a source: what came back and what was stored."""

    class Outcome(models.TextChoices):
        OK = "ok", _("succès")
        NOT_MODIFIED = "not_modified", _("inchangé (304)")
        ERROR = "error", _("erreur")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetch_logs")
    started_at = models.DateTimeField(_("début"))
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), default=0)
    http_status = models.PositiveSmallIntegerField(_("statut HTTP"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=14, choices=Outcome.choices)
    bytes_received = models.PositiveBigIntegerField(_("octets reçus"), default=0)
    items_seen = models.PositiveIntegerField(_("éléments lus"), default=0)
    items_new = models.PositiveIntegerField(_("nouveaux éléments"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("relevé")
        verbose_name_plural = _("relevés")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="watch_fetchlog_source")]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
