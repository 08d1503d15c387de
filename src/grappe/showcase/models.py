"""Showcase models: the public directory's search index.

The index holds **only** organisations that are public today (current member + consent to a public
profile) and only public text, so a search can never find an organisation through a private field.
It is maintained by ``showcase.search`` (signals on the ecosystem models, ``grappe showcase_reindex``
and a nightly periodic job for memberships that end).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from grappe.ecosystem.models import Organisation


class DirectoryEntry(models.Model):
    """One public organisation as the directory search sees it (folded public text)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("organisation")
    )
    name_key = models.CharField(max_length=255, db_index=True)
    document = models.TextField(default="", blank=True)
    # Facet values as "facet:value" words separated by spaces (value chain, competence, province, kind, market).
    facets = models.TextField(default="", blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("entrée de l'annuaire public")
        verbose_name_plural = _("entrées de l'annuaire public")

    def __str__(self) -> str:
        return self.name_key


class DirectoryState(models.Model):
    """One row: a random token replaced by every index change, so each worker knows when to reload.

    Random rather than a counter: a rolled-back change can never leave a token that names other data.
    """

    token = models.CharField(max_length=32, default="", blank=True)

    def __str__(self) -> str:
        return self.token


class DirectoryWord(models.Model):
    """Vocabulary of the public documents for typo tolerance (symmetric deletes, edit distance 1).

    Each word is stored under itself and under each of its one-letter deletions: a query word and a
    vocabulary word within one edit share a key. Insert-only: a stale word only proposes a candidate
    that then matches nothing.
    """

    key = models.CharField(max_length=40)
    word = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "word"], name="showcase_word_unique_key_word")]

    def __str__(self) -> str:
        return self.word


class ProfileProposal(models.Model):
    """A member's proposed change to its organisation's public profile, published after staff approval.

    ``proposed`` holds the values the member submitted for ``PUBLIC_PROFILE_FIELDS``; ``published``
    the values that were public when it was submitted (the reviewer's diff, and a stale-change check).
    ``review_comment`` is for the member and the staff, never for the public site.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de validation")
        APPROVED = "approved", _("publiée")
        REJECTED = "rejected", _("refusée")
        SUPERSEDED = "superseded", _("remplacée par une proposition plus récente")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.PENDING)
    proposed = models.JSONField(_("valeurs proposées"), default=dict)
    published = models.JSONField(_("valeurs publiées à la soumission"), default=dict)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("proposée par")
    )
    submitted_at = models.DateTimeField(_("proposée le"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("examinée par"),
    )
    reviewed_at = models.DateTimeField(_("examinée le"), null=True, blank=True)
    review_comment = models.TextField(_("commentaire de l'équipe"), blank=True)

    class Meta:
        verbose_name = _("proposition de profil public")
        verbose_name_plural = _("propositions de profil public")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="showcase_proposal_status")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_status_display()}"


class CommunicationAction(models.Model):
    """A promotion action of the cluster (mission 3): press, fairs, missions, publications, social media.

    Staff-only records; ``notes`` are private. Read by the objectives indicators through
    ``showcase.selectors`` (``communication_actions``, ``media_coverage``, ``trade_fairs_and_missions``).
    """

    class Kind(models.TextChoices):
        PRESS_RELEASE = "press_release", _("communiqué de presse")
        MEDIA_COVERAGE = "media_coverage", _("retombée presse")
        TRADE_FAIR = "trade_fair", _("salon professionnel")
        MISSION = "mission", _("mission internationale")
        PUBLICATION = "publication", _("publication")
        NEWSLETTER = "newsletter", _("lettre d'information")
        SOCIAL_MEDIA = "social_media", _("réseaux sociaux")
        EVENT = "event", _("événement de promotion")
        OTHER = "other", _("autre")

    class Audience(models.TextChoices):
        GENERAL = "general", _("grand public")
        BUSINESSES = "businesses", _("entreprises")
        INVESTORS = "investors", _("investisseurs")
        PUBLIC_AUTHORITIES = "public_authorities", _("pouvoirs publics")
        ACADEMIA = "academia", _("recherche et enseignement")
        PRESS = "press", _("presse")
        TALENT = "talent", _("talents et étudiants")

    class Language(models.TextChoices):
        FR = "fr", _("français")
        EN = "en", _("anglais")
        NL = "nl", _("néerlandais")
        DE = "de", _("allemand")
        OTHER = "other", _("autre")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=250)
    date = models.DateField(_("date"))
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    channel = models.CharField(
        _("canal ou média"), max_length=200, blank=True, help_text=_("Journal, salon, réseau social, lettre...")
    )
    audience = models.CharField(_("public visé"), max_length=20, choices=Audience.choices, blank=True)
    country = CountryField(_("pays"), blank=True, default="BE")
    language = models.CharField(_("langue"), max_length=5, choices=Language.choices, blank=True)
    link = models.URLField(_("lien"), blank=True, max_length=500)
    reach = models.PositiveIntegerField(_("portée (personnes touchées)"), null=True, blank=True)
    with_export_agency = models.BooleanField(_("co-organisé avec l'agence à l'exportation"), default=False)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations mises en avant ou participantes")
    )
    notes = models.TextField(_("notes internes"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action de communication")
        verbose_name_plural = _("actions de communication")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["date", "kind"], name="showcase_action_date_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("date")),
                name="showcase_action_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} — {self.title}"


class Post(models.Model):
    """A news item or a success story of the public site, written in up to four languages.

    Public only when ``status`` is published and ``published_at`` has come. A story may come from an
    innovation ``StoryDraft`` (``source_draft_id``; the draft is marked taken over).
    """

    class Kind(models.TextChoices):
        NEWS = "news", _("actualité")
        STORY = "story", _("récit de réussite")

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publié")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    title_fr = models.CharField(_("titre (fr)"), max_length=200, blank=True)
    title_en = models.CharField(_("titre (en)"), max_length=200, blank=True)
    title_nl = models.CharField(_("titre (nl)"), max_length=200, blank=True)
    title_de = models.CharField(_("titre (de)"), max_length=200, blank=True)
    lead_fr = models.TextField(_("chapeau (fr)"), blank=True)
    lead_en = models.TextField(_("chapeau (en)"), blank=True)
    lead_nl = models.TextField(_("chapeau (nl)"), blank=True)
    lead_de = models.TextField(_("chapeau (de)"), blank=True)
    body_fr = models.TextField(_("texte (fr)"), blank=True)
    body_en = models.TextField(_("texte (en)"), blank=True)
    body_nl = models.TextField(_("texte (nl)"), blank=True)
    body_de = models.TextField(_("texte (de)"), blank=True)
    image = models.ImageField(_("image"), upload_to="showcase/posts/", blank=True)
    image_alt = models.CharField(_("texte alternatif de l'image"), max_length=250, blank=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations citées")
    )
    source_draft_id = models.PositiveIntegerField(_("brouillon d'innovation d'origine"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["kind", "status", "published_at"], name="showcase_post_public")]

    def __str__(self) -> str:
        return self.title_fr or self.title_en or self.slug

    def in_language(self, field: str, language: str) -> tuple[str, str]:
        """(text, language) of ``field`` in ``language``, else French, else English, else any."""
        for code in dict.fromkeys([language[:2], "fr", "en", "nl", "de"]):
            text = (getattr(self, f"{field}_{code}", "") or "").strip()
            if text:
                return text, code
        return "", language[:2]


class Opportunity(models.Model):
    """A partnership offer or request, call for tenders, job, internship or funding lead.

    Posted by a member from the portal (pending until staff moderation) or by staff (published).
    Public while published and not expired. ``contact_email`` is the public contact the poster gives.
    The poster's organisation may edit it (back to moderation), move its expiry date or withdraw it.
    """

    class Kind(models.TextChoices):
        PARTNERSHIP_OFFER = "partnership_offer", _("offre de partenariat")
        PARTNERSHIP_REQUEST = "partnership_request", _("recherche de partenaire")
        TENDER = "tender", _("appel d'offres")
        JOB = "job", _("emploi")
        INTERNSHIP = "internship", _("stage")
        FUNDING = "funding", _("piste de financement")

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de modération")
        PUBLISHED = "published", _("publiée")
        REJECTED = "rejected", _("refusée")
        WITHDRAWN = "withdrawn", _("retirée")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"))
    language = models.CharField(_("langue du texte"), max_length=2, default="fr")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    link = models.URLField(_("lien"), blank=True, max_length=500)
    contact_email = models.EmailField(_("e-mail de contact (public)"), blank=True)
    expires_on = models.DateField(_("expire le"))
    posted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    moderation_note = models.TextField(_("note de modération (interne)"), blank=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    # The expiry date the poster was reminded of (a moved date is reminded again, a reminder never twice).
    reminded_for = models.DateField(_("rappel d'expiration envoyé pour le"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opportunité")
        verbose_name_plural = _("opportunités")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Certification(models.Model):
    """A certification or label an organisation holds (ISO 9001, ISO 14001, VCA, B Corp...).

    Entered by staff (approved at once) or proposed by a member from the portal (pending until staff
    approve it). Shown on the public profile, its JSON-LD and the open data only while approved,
    ``is_public`` and valid (no ``valid_until`` or not passed): see ``selectors.public_certifications``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de validation")
        APPROVED = "approved", _("validée")
        REJECTED = "rejected", _("refusée")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="certifications", verbose_name=_("organisation")
    )
    name = models.CharField(_("certification ou label"), max_length=120, help_text=_("ISO 9001, VCA, B Corp..."))
    issuer = models.CharField(_("organisme de certification"), max_length=200, blank=True)
    reference = models.CharField(_("numéro du certificat"), max_length=100, blank=True)
    link = models.URLField(_("lien de vérification"), blank=True, max_length=500)
    valid_from = models.DateField(_("valide depuis"), null=True, blank=True)
    valid_until = models.DateField(
        _("valide jusqu'au"), null=True, blank=True, help_text=_("Vide : sans date d'échéance.")
    )
    is_public = models.BooleanField(_("visible sur le profil public"), default=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.APPROVED)
    review_comment = models.TextField(_("commentaire de l'équipe"), blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["organisation", "status"], name="showcase_cert_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="showcase_cert_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.organisation}"
