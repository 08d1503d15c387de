"""A person's request to have their data erased: asked from the member portal, handled by staff."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        DONE = "done", _("effectuée")
        REFUSED = "refused", _("refusée")

    person = models.ForeignKey(
        "ecosystem.Person", on_delete=models.CASCADE, related_name="erasure_requests", verbose_name=_("personne")
    )
    requested_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    reason = models.TextField(_("motif (facultatif)"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("traitée par"),
    )
    staff_comment = models.TextField(_("commentaire de l'équipe"), blank=True)

    class Meta:
        verbose_name = _("demande d'effacement")
        verbose_name_plural = _("demandes d'effacement")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(status="pending"), name="privacy_one_pending_request"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
