"""Cross-cutting records: the audit log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who changed what, when: one entry per create, update or delete of domain data.

    ``action`` is a namespaced code such as ``ecosystem.organisation.updated``; ``changes`` maps a
    field name to ``[old, new]``. GDPR erasure redacts entries (``redacted_at``), never deletes them.
    """

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("auteur"),
    )
    actor_label = models.CharField(_("auteur (texte)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(_("objet"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("libellé de l'objet"), max_length=300, blank=True)
    # The organisation the change concerns, so its page can show its whole history.
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    redacted_at = models.DateTimeField(_("caviardée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_label}"


class PeriodicJobState(models.Model):
    """The scheduler's record of one periodic job (``registry.register_periodic``).

    ``next_run_at`` is also the once-only lock: a scheduler enqueues the job only if its conditional
    ``UPDATE ... WHERE key = %s AND next_run_at <= now`` changed the row, so with several workers
    exactly one of them enqueues each period.
    """

    key = models.CharField(_("clé"), max_length=100, unique=True)
    every_seconds = models.PositiveIntegerField(_("période (secondes)"), default=0)
    next_run_at = models.DateTimeField(_("prochaine exécution"))
    last_run_at = models.DateTimeField(_("dernière mise en file"), null=True, blank=True)
    last_task_id = models.CharField(_("dernière tâche"), max_length=64, blank=True, db_index=True)
    last_status = models.CharField(_("dernier résultat"), max_length=20, blank=True)
    last_finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    run_count = models.PositiveIntegerField(_("mises en file"), default=0)
    failure_count = models.PositiveIntegerField(_("échecs"), default=0)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """One row per running ``grappe worker`` process, touched every few seconds (``/healthz``)."""

    worker_id = models.CharField(_("identifiant"), max_length=64, unique=True)
    hostname = models.CharField(_("machine"), max_length=200, blank=True)
    pid = models.PositiveIntegerField(_("processus"), default=0)
    started_at = models.DateTimeField(_("démarré le"))
    seen_at = models.DateTimeField(_("dernier signe de vie"), db_index=True)

    class Meta:
        verbose_name = _("battement du worker")
        verbose_name_plural = _("battements des workers")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"


def _webhook_secret() -> str:
    import secrets

    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """An outgoing webhook: Grappe POSTs the chosen events to ``url``, signed with ``secret``."""

    name = models.CharField(_("nom"), max_length=200)
    url = models.URLField(_("adresse (URL)"), max_length=500)
    secret = models.CharField(_("secret de signature"), max_length=100, default=_webhook_secret)
    events = models.JSONField(_("événements"), default=list)
    is_active = models.BooleanField(_("actif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook, with its attempts: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RETRYING = "retrying", _("nouvel essai prévu")
        SUCCEEDED = "succeeded", _("livrée")
        FAILED = "failed", _("abandonnée")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("événement"), max_length=100)
    event_id = models.UUIDField(_("identifiant de livraison"), unique=True)
    payload = models.JSONField(_("contenu"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("dernier code HTTP"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    response_excerpt = models.CharField(_("début de la réponse"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("livrée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("livraison de webhook")
        verbose_name_plural = _("livraisons de webhooks")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["webhook", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook} ({self.status})"


class TaskOnce(models.Model):
    """A non-repeatable effect of one task run (``core.tasks.claim_once``), recorded in the transaction that
    has the effect: a run retried after its worker died finds it and does not do it again."""

    key = models.CharField(_("clé"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("effet unique de tâche")
        verbose_name_plural = _("effets uniques de tâches")

    def __str__(self) -> str:
        return self.key
