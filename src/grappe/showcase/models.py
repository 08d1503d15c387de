"""Showcase models: the public directory's search index.

The index holds **only** organisations that are public today (current member + consent to a public
profile) and only public text, so a search can never find an organisation through a private field.
It is maintained by ``showcase.search`` (signals on the ecosystem models, ``grappe showcase_reindex``
and a nightly periodic job for memberships that end).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
